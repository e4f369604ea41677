# Tests for the residency policy.
package kairos.lib.residency_test

import data.kairos.lib.residency

catalog := {
	"fields": {
		"c.a": {"residency": "any"},
		"c.eu": {"residency": "eu"},
		"c.us": {"residency": "us"},
	},
	"transfers": {"eu": ["uk"]},
}

eval(fields, region) := r if {
	r := residency.evaluate({"journey": "j", "fields": fields}, region) with data.catalog as catalog
}

test_any_field_is_processable_everywhere if {
	eval(["c.a"], "us") == {"allowed": true, "denied_fields": []}
}

test_same_region_is_processable if {
	eval(["c.eu"], "eu").allowed
}

test_transfer_target_is_processable if {
	eval(["c.eu", "c.a"], "uk").allowed
}

test_other_region_is_denied_naming_the_fields_sorted if {
	eval(["c.us", "c.eu", "c.a", "c.eu"], "uk") == {"allowed": false, "denied_fields": [
		{"path": "c.us", "residency": "us", "code": "region_not_allowed"},
	]}
	eval(["c.us", "c.eu"], "ch").denied_fields == [
		{"path": "c.eu", "residency": "eu", "code": "region_not_allowed"},
		{"path": "c.us", "residency": "us", "code": "region_not_allowed"},
	]
}

test_unknown_field_fails_closed if {
	eval(["c.zz"], "eu").denied_fields == [{"path": "c.zz", "residency": null, "code": "unknown_field"}]
}

test_empty_field_set_is_allowed if {
	eval([], "eu").allowed
}
