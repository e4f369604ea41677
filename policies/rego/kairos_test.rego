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
