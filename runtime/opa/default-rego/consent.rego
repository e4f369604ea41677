# Consent and lawful basis (docs/opa-contract.md) for one candidate {purpose, channel}, from the catalog's
# purposes (data.catalog.purposes) and the subject's consent records and objections (input).
# Times are epoch milliseconds; records are referred to by their index in input.consents,
# objections by their index in input.objections.
package kairos.lib.consent

# Bases the controller asserts in the catalog: satisfied when the purpose lists them.
asserted_bases := {"contract", "legal_obligation", "vital_interests", "public_task"}

refusal_codes := {"withdrawn": "consent_withdrawn", "denied": "consent_denied"}

# evaluate(cand, now) is {allowed, basis, tried, reasons}: the bases are tried in the purpose's
# order up to the first satisfied one; `reasons` lists what denies the candidate whatever its
# basis (an unknown purpose, a channel the purpose does not allow, a direct-marketing objection).
evaluate(cand, now) := result if {
	purpose := data.catalog.purposes[cand.purpose]
	results := [check(basis, cand, now) | some basis in purpose.bases]
	tried := [r | some i, r in results; i <= cut(results)]
	blocks := array.concat(channel_blocks(cand, purpose), marketing_blocks(purpose))
	chosen := first_satisfied(tried)
	result := {
		"allowed": allowed(chosen, blocks),
		"basis": used_basis(chosen, blocks),
		"tried": tried,
		"reasons": blocks,
	}
} else := {
	"allowed": false,
	"basis": null,
	"tried": [],
	"reasons": [{"code": "unknown_purpose", "purpose": cand.purpose}],
}

# Index of the last basis tried: the first satisfied one, else the last one listed.
cut(results) := i if {
	satisfied := [j | some j, r in results; r.satisfied]
	i := satisfied[0]
} else := count(results) - 1

first_satisfied(tried) := r.basis if {
	some r in tried
	r.satisfied
} else := null

allowed(chosen, blocks) if {
	chosen != null
	count(blocks) == 0
} else := false

used_basis(chosen, blocks) := chosen if {
	count(blocks) == 0
} else := null

channel_blocks(cand, purpose) := [] if {
	cand.channel in purpose.channels
} else := [{"code": "channel_not_allowed", "channel": cand.channel}]

# Art. 21(3): an objection to direct marketing denies every marketing purpose.
marketing_blocks(purpose) := [reason |
	purpose.marketing == true
	some i, o in input.objections
	o.scope == "direct_marketing"
	reason := {"code": "objection_direct_marketing", "objection": i}
]

# --- one basis ---------------------------------------------------------------------------

check(basis, cand, now) := consent_basis(cand, now) if basis == "consent"

check(basis, cand, _) := legitimate_interest_basis(cand) if basis == "legitimate_interest"

check(basis, _, _) := {
	"basis": basis,
	"satisfied": true,
	"reasons": [{"code": "asserted_by_controller"}],
} if basis in asserted_bases

check(basis, _, _) := {
	"basis": basis,
	"satisfied": false,
	"reasons": [{"code": "unknown_basis"}],
} if {
	basis != "consent"
	basis != "legitimate_interest"
	not basis in asserted_bases
}

# consent: the latest record for (P, C), else for (P, any channel), is granted, has at <= now
# and is not expired.
consent_basis(cand, now) := result if {
	i := effective_record(cand.purpose, cand.channel)
	problems := record_problems(i, now)
	result := {
		"basis": "consent",
		"satisfied": count(problems) == 0,
		"reasons": granted_or(problems, i),
	}
} else := {
	"basis": "consent",
	"satisfied": false,
	"reasons": [{"code": "no_consent_record"}],
}

effective_record(purpose, channel) := i if {
	i := latest(key_records(purpose, channel))
} else := latest(key_records(purpose, null))

granted_or(problems, i) := problems if {
	count(problems) > 0
} else := [{"code": "consent_granted", "record": i}]

record_problems(i, now) := array.concat(
	status_problems(input.consents[i], i),
	array.concat(future_problems(input.consents[i], i, now), expiry_problems(input.consents[i], i, now)),
)

status_problems(r, i) := [] if {
	r.status == "granted"
} else := [{"code": refusal_code(r.status), "record": i}]

future_problems(r, i, now) := [{"code": "consent_future_dated", "record": i}] if {
	r.at_ms > now
} else := []

expiry_problems(r, i, now) := [{"code": "consent_expired", "record": i}] if {
	expires := expiry(r)
	expires != null
	expires <= now
} else := []

# legitimate_interest: no objection to the purpose, no direct-marketing objection when the
# purpose is marketing, and no withdrawn or denied latest record for (P, C) or (P, any channel).
legitimate_interest_basis(cand) := result if {
	purpose := data.catalog.purposes[cand.purpose]
	problems := array.concat(
		array.concat(purpose_objections(cand.purpose), marketing_blocks(purpose)),
		refusals(cand),
	)
	result := {
		"basis": "legitimate_interest",
		"satisfied": count(problems) == 0,
		"reasons": no_problems_or(problems),
	}
}

no_problems_or(problems) := problems if {
	count(problems) > 0
} else := [{"code": "no_objection_or_refusal"}]

purpose_objections(purpose) := [reason |
	some i, o in input.objections
	o.scope == concat("", ["purpose:", purpose])
	reason := {"code": "objection_purpose", "objection": i}
]

refusals(cand) := [reason |
	some channel in distinct_keys(cand.channel)
	i := latest(key_records(cand.purpose, channel))
	input.consents[i].status != "granted"
	reason := {"code": refusal_code(input.consents[i].status), "record": i}
]

distinct_keys(channel) := [channel, null] if {
	channel != null
} else := [null]

# --- records -------------------------------------------------------------------------------

# A record's channel, or null for a record that covers every channel of its purpose.
record_channel(r) := c if {
	c := r.channel
} else := null

expiry(r) := e if {
	e := r.expires_at_ms
} else := null

refusal_code(status) := c if {
	c := refusal_codes[status]
} else := "consent_unknown_status"

# Indices of the records for the key (purpose, channel); channel null is the channel-less key.
key_records(purpose, channel) := [i |
	some i, r in input.consents
	r.purpose == purpose
	record_channel(r) == channel
]

# The latest record by at_ms; among records with the same at_ms a refusal (withdrawn or denied)
# wins over a grant, then the first in input order: ties fail closed.
latest(indices) := i if {
	count(indices) > 0
	top := max([input.consents[j].at_ms | some j in indices])
	tied := [j | some j in indices; input.consents[j].at_ms == top]
	i := first_refusal(tied)
}

first_refusal(tied) := refusals[0] if {
	refusals := [j | some j in tied; input.consents[j].status != "granted"]
	count(refusals) > 0
} else := tied[0]
