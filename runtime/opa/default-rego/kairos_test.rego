# Tests for the entrypoints: one verdict per candidate, in input order.
package kairos_test

import data.kairos

catalog := {
	"purposes": {"p": {"bases": ["consent"], "channels": ["email"], "marketing": false}},
	"fields": {"c.f": {"residency": "eu"}},
	"transfers": {},
}

req := {
	"now_ms": 100,
	"region": "eu",
	"candidates": [
		{"journey": "b", "purpose": "p", "channel": "email", "fields": ["c.f"]},
		{"journey": "a", "purpose": "p", "channel": "email", "fields": []},
	],
	"consents": [{"purpose": "p", "status": "granted", "at_ms": 1}],
	"objections": [],
}

test_decision_has_one_verdict_per_candidate_in_order if {
	d := kairos.decision with input as req with data.catalog as catalog
	[v.journey | some v in d] == ["b", "a"]
	d[0].consent.basis == "consent"
	d[0].residency == {"allowed": true, "denied_fields": []}
}

test_consent_and_residency_entrypoints_match_decision if {
	d := kairos.decision with input as req with data.catalog as catalog
	c := kairos.consent with input as req with data.catalog as catalog
	r := kairos.residency with input as req with data.catalog as catalog
	c == [{"journey": v.journey, "consent": v.consent} | some v in d]
	r == [{"journey": v.journey, "residency": v.residency} | some v in d]
}

# The runtime asks consent once per distinct (purpose, channel), with no fields, and residency
# once per field set, with no records: a verdict must not depend on what it leaves out.
distinct_catalog := {
	"purposes": {
		"p": {"bases": ["consent", "legitimate_interest"], "channels": ["email", "push"], "marketing": true},
		"q": {"bases": ["contract"], "channels": ["sms"], "marketing": false},
	},
	"fields": {"c.f": {"residency": "eu"}, "c.g": {"residency": "any"}},
	"transfers": {"eu": ["uk"]},
}

distinct_req := {
	"now_ms": 100,
	"region": "us",
	"candidates": [
		{"journey": "j1", "purpose": "p", "channel": "email", "fields": ["c.f", "c.g"]},
		{"journey": "j2", "purpose": "p", "channel": "push", "fields": ["c.g"]},
		{"journey": "j3", "purpose": "q", "channel": "sms", "fields": ["c.f", "c.g"]},
		{"journey": "j4", "purpose": "p", "channel": "email", "fields": ["c.x"]},
	],
	"consents": [
		{"purpose": "p", "channel": "email", "status": "granted", "at_ms": 1},
		{"purpose": "p", "channel": null, "status": "withdrawn", "at_ms": 2},
	],
	"objections": [{"scope": "purpose:p", "at_ms": 1}],
}

test_consent_depends_only_on_purpose_and_channel if {
	d := kairos.decision with input as distinct_req with data.catalog as distinct_catalog
	pairs := [{"journey": c.journey, "purpose": c.purpose, "channel": c.channel, "fields": []} | some c in distinct_req.candidates]
	c := kairos.consent with input as object.union(distinct_req, {"candidates": pairs}) with data.catalog as distinct_catalog
	c == [{"journey": v.journey, "consent": v.consent} | some v in d]
}

test_residency_depends_only_on_fields_and_region if {
	d := kairos.decision with input as distinct_req with data.catalog as distinct_catalog
	sets := [{"journey": "x", "purpose": "q", "channel": "sms", "fields": c.fields} | some c in distinct_req.candidates]
	alone := object.union(distinct_req, {"candidates": sets, "consents": [], "objections": []})
	r := kairos.residency with input as alone with data.catalog as distinct_catalog
	[v.residency | some v in r] == [v.residency | some v in d]
	[v.residency.allowed | some v in d] == [false, true, false, false]
}
