# Residency (docs/opa-contract.md) for one candidate: each field of its minimal bundle may be processed in
# the request's region when the field's residency tag (data.catalog.fields) is `any`, equals
# the region, or the catalog's transfers (data.catalog.transfers) list the region for it.
package kairos.lib.residency

# evaluate(cand, region) is {allowed, denied_fields}; denied fields are sorted by path.
evaluate(cand, region) := {"allowed": count(denied) == 0, "denied_fields": denied} if {
	paths := sort({path | some path in cand.fields})
	denied := [entry |
		some path in paths
		entry := denial(path, region)
	]
}

# A field unknown to the catalog has no residency and is never processed (fail closed).
denial(path, _) := {"path": path, "residency": null, "code": "unknown_field"} if {
	not data.catalog.fields[path]
}

denial(path, region) := {"path": path, "residency": tag, "code": "region_not_allowed"} if {
	tag := data.catalog.fields[path].residency
	not processable(tag, region)
}

processable("any", _)

processable(tag, region) if tag == region

processable(tag, region) if region in data.catalog.transfers[tag]
