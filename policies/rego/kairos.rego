# Kairos entrypoints: consent, lawful basis and residency for every candidate of a request.
# Driven only by data: the catalog (data.catalog, built from catalog.yaml at compile time) and
# the request (input). No purpose, field, channel or region name appears in these policies.
# The contract (input, output, data document) is documented in docs/opa-contract.md.
package kairos

import data.kairos.lib

# One verdict per candidate, in the order of input.candidates.
decision := [verdict |
	some cand in input.candidates
	verdict := {
		"journey": cand.journey,
		"consent": lib.consent.evaluate(cand, input.now_ms),
		"residency": lib.residency.evaluate(cand, input.region),
	}
]

# Consent and lawful basis alone, for callers that want one concern per query.
consent := [verdict |
	some cand in input.candidates
	verdict := {"journey": cand.journey, "consent": lib.consent.evaluate(cand, input.now_ms)}
]

# Residency alone.
residency := [verdict |
	some cand in input.candidates
	verdict := {"journey": cand.journey, "residency": lib.residency.evaluate(cand, input.region)}
]
