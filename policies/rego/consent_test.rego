# Tests for the consent and lawful-basis policy; the catalog here is test data, not names the
# policy knows.
package kairos.lib.consent_test

import data.kairos.lib.consent

catalog := {"purposes": {
	"promo": {"bases": ["consent", "legitimate_interest"], "channels": ["email", "push"], "marketing": true},
	"updates": {"bases": ["contract"], "channels": ["email", "sms"], "marketing": false},
	"recovery": {"bases": ["legitimate_interest"], "channels": ["email"], "marketing": false},
	"odd": {"bases": ["made_up"], "channels": ["email"], "marketing": false},
	"only_consent": {"bases": ["consent"], "channels": ["email"], "marketing": false},
}}

now := 1000

promo_email := {"journey": "j", "purpose": "promo", "channel": "email"}

eval(cand, consents, objections) := r if {
	r := consent.evaluate(cand, now) with data.catalog as catalog
		with input as {"consents": consents, "objections": objections}
}

test_granted_channel_record_satisfies_consent if {
	r := eval(promo_email, [{"purpose": "promo", "channel": "email", "status": "granted", "at_ms": 10}], [])
	r.allowed
	r.basis == "consent"
	r.tried == [{"basis": "consent", "satisfied": true, "reasons": [{"code": "consent_granted", "record": 0}]}]
	r.reasons == []
}

test_channel_less_record_covers_every_channel if {
	r := eval(promo_email, [{"purpose": "promo", "status": "granted", "at_ms": 10}], [])
	r.basis == "consent"
}

test_channel_record_takes_precedence_over_channel_less if {
	consents := [
		{"purpose": "promo", "status": "granted", "at_ms": 20},
		{"purpose": "promo", "channel": "email", "status": "withdrawn", "at_ms": 10},
	]
	r := eval(promo_email, consents, [])
	not r.allowed
	r.tried[0].reasons == [{"code": "consent_withdrawn", "record": 1}]
	r.tried[1] == {"basis": "legitimate_interest", "satisfied": false, "reasons": [{"code": "consent_withdrawn", "record": 1}]}
}

test_latest_record_wins if {
	consents := [
		{"purpose": "promo", "channel": "email", "status": "granted", "at_ms": 30},
		{"purpose": "promo", "channel": "email", "status": "denied", "at_ms": 10},
	]
	r := eval(promo_email, consents, [])
	r.tried[0].reasons == [{"code": "consent_granted", "record": 0}]
}

test_tie_on_time_fails_closed if {
	consents := [
		{"purpose": "promo", "channel": "email", "status": "granted", "at_ms": 30},
		{"purpose": "promo", "channel": "email", "status": "denied", "at_ms": 30},
	]
	r := eval(promo_email, consents, [])
	r.tried[0].reasons == [{"code": "consent_denied", "record": 1}]
	not r.allowed
}

test_expired_grant_falls_back_to_legitimate_interest if {
	consents := [{"purpose": "promo", "channel": "email", "status": "granted", "at_ms": 10, "expires_at_ms": 1000}]
	r := eval(promo_email, consents, [])
	r.tried[0].reasons == [{"code": "consent_expired", "record": 0}]
	r.basis == "legitimate_interest"
	r.tried[1].reasons == [{"code": "no_objection_or_refusal"}]
}

test_unexpired_grant_with_null_expiry if {
	consents := [{"purpose": "promo", "channel": "email", "status": "granted", "at_ms": 10, "expires_at_ms": null}]
	eval(promo_email, consents, []).basis == "consent"
}

test_future_dated_grant_is_not_yet_consent if {
	consents := [{"purpose": "only_consent", "channel": "email", "status": "granted", "at_ms": 1001}]
	r := eval({"journey": "j", "purpose": "only_consent", "channel": "email"}, consents, [])
	r.tried == [{"basis": "consent", "satisfied": false, "reasons": [{"code": "consent_future_dated", "record": 0}]}]
	r.basis == null
}

test_no_record_means_no_consent if {
	r := eval({"journey": "j", "purpose": "only_consent", "channel": "email"}, [], [])
	r.tried == [{"basis": "consent", "satisfied": false, "reasons": [{"code": "no_consent_record"}]}]
}

test_channel_less_withdrawal_blocks_legitimate_interest if {
	consents := [{"purpose": "recovery", "status": "withdrawn", "at_ms": 10}]
	r := eval({"journey": "j", "purpose": "recovery", "channel": "email"}, consents, [])
	r.tried == [{"basis": "legitimate_interest", "satisfied": false, "reasons": [{"code": "consent_withdrawn", "record": 0}]}]
}

test_unknown_status_is_a_refusal if {
	consents := [{"purpose": "recovery", "status": "maybe", "at_ms": 10}]
	r := eval({"journey": "j", "purpose": "recovery", "channel": "email"}, consents, [])
	r.tried[0].reasons == [{"code": "consent_unknown_status", "record": 0}]
}

test_purpose_objection_blocks_legitimate_interest if {
	r := eval({"journey": "j", "purpose": "recovery", "channel": "email"}, [], [{"scope": "purpose:recovery", "at_ms": 5}])
	r.tried[0].reasons == [{"code": "objection_purpose", "objection": 0}]
	not r.allowed
}

test_direct_marketing_objection_denies_marketing_even_with_consent if {
	consents := [{"purpose": "promo", "channel": "email", "status": "granted", "at_ms": 10}]
	r := eval(promo_email, consents, [{"scope": "purpose:other", "at_ms": 1}, {"scope": "direct_marketing", "at_ms": 5}])
	r.tried[0].satisfied
	r.basis == null
	not r.allowed
	r.reasons == [{"code": "objection_direct_marketing", "objection": 1}]
}

test_direct_marketing_objection_ignores_non_marketing if {
	r := eval({"journey": "j", "purpose": "recovery", "channel": "email"}, [], [{"scope": "direct_marketing", "at_ms": 5}])
	r.allowed
	r.basis == "legitimate_interest"
}

test_asserted_basis_is_satisfied if {
	r := eval({"journey": "j", "purpose": "updates", "channel": "sms"}, [], [])
	r.basis == "contract"
	r.tried == [{"basis": "contract", "satisfied": true, "reasons": [{"code": "asserted_by_controller"}]}]
}

test_channel_outside_purpose_is_denied if {
	r := eval({"journey": "j", "purpose": "updates", "channel": "push"}, [], [])
	not r.allowed
	r.reasons == [{"code": "channel_not_allowed", "channel": "push"}]
}

test_unknown_basis_is_never_satisfied if {
	r := eval({"journey": "j", "purpose": "odd", "channel": "email"}, [], [])
	r.tried == [{"basis": "made_up", "satisfied": false, "reasons": [{"code": "unknown_basis"}]}]
}

test_unknown_purpose_is_denied if {
	r := eval({"journey": "j", "purpose": "nope", "channel": "email"}, [], [])
	r == {"allowed": false, "basis": null, "tried": [], "reasons": [{"code": "unknown_purpose", "purpose": "nope"}]}
}

test_candidate_without_channel_uses_channel_less_records if {
	consents := [{"purpose": "recovery", "status": "denied", "at_ms": 10}]
	r := eval({"journey": "j", "purpose": "recovery", "channel": null}, consents, [])
	r.tried[0].reasons == [{"code": "consent_denied", "record": 0}]
}
