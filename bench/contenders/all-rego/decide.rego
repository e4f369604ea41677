# Contender 4 of the decision benchmark: the example policy set (policies/) written entirely in
# Rego — the catalog, the eight journeys' conditions, consent and lawful basis, residency (spec
# §5), caps, arbitration, holdout, quiet hours and review (spec §4) — for one request as spec §6
# writes it (`input`). Built with `opa build -t wasm -e allrego/decision` and run on OPA Wasm.
# OPA Wasm has no native time or sha256 built-ins: the host (bench/contenders/all-rego.ts)
# provides `time.parse_rfc3339_ns`, `time.clock` and `crypto.sha256`, as any OPA Wasm user must.
package allrego

day_ms := 86400000

hour_ms := 3600000

# ---- the catalog ------------------------------------------------------------------------------

purposes := {
	"renewal_marketing": {"bases": ["consent", "legitimate_interest"], "channels": ["email", "push"], "marketing": true},
	"service_updates": {"bases": ["contract"], "channels": ["email", "sms", "push"], "marketing": false},
	"service_recovery": {"bases": ["legitimate_interest"], "channels": ["email", "call_task"], "marketing": false},
	"claims_handling": {"bases": ["contract"], "channels": ["email", "sms", "call_task"], "marketing": false},
}

asserted_bases := {"contract", "legal_obligation", "vital_interests", "public_task"}

# Residency tags of fields other than `any`.
residency := {"claim.diagnosis": "eu", "customer.customer_id": "eu", "customer.email": "eu", "customer.birth_date": "eu"}

transfers := {"eu": ["uk"]}

quiet_21_08 := {"from": 1260, "to": 480}

# ---- the journeys -----------------------------------------------------------------------------

journeys := {
	"service_recovery": {
		"purpose": "service_recovery", "priority": 80, "event": "ticket.resolved", "timers": [],
		"action": {"name": "agent_callback", "channel": "call_task", "params": {"queue": "recovery"}},
		"fields": ["customer.segment"], "cap": {"count": 1, "window_ms": 90 * day_ms}, "review": true,
	},
	"repeated_negative_interactions": {
		"purpose": "service_recovery", "priority": 70, "event": "ticket.resolved", "timers": [],
		"action": {"name": "agent_callback", "channel": "call_task", "params": {"queue": "retention"}},
		"fields": ["customer.recent_interactions"], "cap": {"count": 1, "window_ms": 30 * day_ms}, "review": true,
	},
	"renewal_reminder_d30": {
		"purpose": "renewal_marketing", "priority": 60, "event": "daily", "timers": [],
		"action": {"name": "push", "channel": "push", "params": {"template": "renewal-d30"}},
		"fields": ["customer.tenure_months", "customer.timezone", "policy.renewal_date", "policy.status"],
		"cap": {"count": 1, "window_ms": 30 * day_ms}, "quiet": quiet_21_08, "holdout": {"percent": 10, "salt": ""}, "review": false,
	},
	"renewal_reminder_d90": {
		"purpose": "renewal_marketing", "priority": 50, "event": "daily", "timers": [],
		"action": {"name": "email", "channel": "email", "params": {"template": "renewal-d90"}},
		"fields": ["customer.tenure_months", "customer.timezone", "policy.renewal_date", "policy.status"],
		"cap": {"count": 1, "window_ms": 30 * day_ms}, "quiet": quiet_21_08, "holdout": {"percent": 10, "salt": ""}, "review": false,
	},
	"injury_claim_specialist_call": {
		"purpose": "claims_handling", "priority": 40, "event": "claim.filed", "timers": [],
		"action": {"name": "agent_callback", "channel": "call_task", "params": {"queue": "claims-specialist"}},
		"fields": ["claim.diagnosis"], "review": true,
	},
	"onboarding_nudge": {
		"purpose": "service_updates", "priority": 20, "event": "daily", "timers": [],
		"action": {"name": "push", "channel": "push", "params": {"template": "onboarding-nudge"}},
		"fields": ["customer.timezone", "onboarding.completed_steps", "onboarding.last_progress_at", "onboarding.total_steps"],
		"cap": {"count": 1, "window_ms": 7 * day_ms}, "quiet": quiet_21_08, "holdout": {"percent": 10, "salt": ""}, "review": false,
	},
	"referral_invite": {
		"purpose": "renewal_marketing", "priority": 10, "event": "daily", "timers": [],
		"action": {"name": "email", "channel": "email", "params": {"template": "referral-invite"}},
		"fields": ["customer.nps", "customer.tenure_months", "policy.status"],
		"cap": {"count": 1, "window_ms": 180 * day_ms}, "holdout": {"percent": 20, "salt": "referral-2026"}, "review": false,
	},
	"claim_status_update": {
		"purpose": "service_updates", "priority": 0, "event": "claim.filed", "timers": [3 * day_ms, 7 * day_ms],
		"action": {"name": "sms", "channel": "sms", "params": {"template": "claim-status"}},
		"fields": ["claim.status"], "holdout": {"percent": 10, "salt": ""}, "review": false,
	},
}

# The journeys' `when` clauses.
when("service_recovery") if {
	input.event.payload.csat <= 2
	ctx.customer.segment != "corporate"
}

when("repeated_negative_interactions") if {
	negative := [i |
		some i in ctx.customer.recent_interactions
		i.sentiment == "negative"
		hours_since(i.at) <= 720
	]
	count(negative) >= 2
	not recent_call
}

recent_call if {
	some i in ctx.customer.recent_interactions
	i.channel == "call"
	hours_since(i.at) <= 48
}

when("renewal_reminder_d30") if {
	ctx.policy.status == "active"
	ctx.customer.tenure_months >= 12
	days_until(ctx.policy.renewal_date) == 30
}

when("renewal_reminder_d90") if {
	ctx.policy.status == "active"
	days_until(ctx.policy.renewal_date) == 90
	ctx.customer.tenure_months >= 12
}

when("injury_claim_specialist_call") if contains(lower(ctx.claim.diagnosis), "fracture")

when("injury_claim_specialist_call") if contains(lower(ctx.claim.diagnosis), "whiplash")

when("onboarding_nudge") if {
	ctx.onboarding.completed_steps < ctx.onboarding.total_steps
	today - floor(ms(ctx.onboarding.last_progress_at) / day_ms) >= 5
}

when("referral_invite") if {
	ctx.customer.nps != null
	ctx.customer.nps >= 9
	ctx.customer.tenure_months >= 24
	ctx.policy.status == "active"
}

when("claim_status_update") if ctx.claim.status in {"filed", "assessing"}

# ---- the request ------------------------------------------------------------------------------

ctx := input.context

ms(t) := round(time.parse_rfc3339_ns(t) / 1000000)

now_ms := ms(input.now)

today := floor(now_ms / day_ms)

days_until(date) := floor(ms(concat("", [date, "T00:00:00Z"])) / day_ms) - today

hours_since(t) := floor((now_ms - ms(t)) / hour_ms)

units := {"w": 7 * day_ms, "d": day_ms, "h": hour_ms, "m": 60000, "s": 1000}

timer_ms(label) := to_number(substring(label, 0, count(label) - 1)) * units[substring(label, count(label) - 1, 1)]

# Records about this subject (or about nobody in particular).
mine(r) if not r.subject

mine(r) if r.subject == input.subject

consents := [{"purpose": r.purpose, "channel": record_channel(r), "status": r.status, "at": ms(r.at), "expires": expiry(r)} |
	some r in input.consents
	mine(r)
]

record_channel(r) := r.channel if r.channel != null

else := null

expiry(r) := ms(r.expires_at) if r.expires_at != null

else := null

scopes := {o.scope | some o in input.objections; mine(o)}

# ---- step 1: candidates by trigger, in priority order -----------------------------------------

candidate(id) if {
	j := journeys[id]
	j.event == input.event.type
	not input.event.timer
	count(j.timers) == 0
}

candidate(id) if {
	j := journeys[id]
	j.event == input.event.type
	timer_ms(input.event.timer) in j.timers
}

ordered := [key[1] | some key in sort([[0 - journeys[id].priority, id] | some id, _ in journeys; candidate(id)])]

# ---- step 2: residency, consent and lawful basis ----------------------------------------------

processable(tag) if tag == input.region

processable(tag) if input.region in transfers[tag]

residency_ok(id) if {
	every f in journeys[id].fields {
		tag := object.get(residency, f, "any")
		any_or_processable(tag)
	}
}

any_or_processable("any")

any_or_processable(tag) if processable(tag)

# The latest record for (purpose, channel): the latest `at`; on a tie a refusal, then input order.
latest(purpose, channel) := i if {
	idx := [j | some j, r in consents; r.purpose == purpose; r.channel == channel]
	count(idx) > 0
	top := max([consents[j].at | some j in idx])
	tied := [j | some j in idx; consents[j].at == top]
	refusals := [j | some j in tied; consents[j].status != "granted"]
	i := first_of(refusals, tied)
}

first_of(preferred, fallback) := preferred[0] if count(preferred) > 0

else := fallback[0]

effective(purpose, channel) := i if i := latest(purpose, channel)

else := latest(purpose, null)

refused(purpose, channel) if consents[latest(purpose, channel)].status != "granted"

basis_ok("consent", purpose, channel) if {
	r := consents[effective(purpose, channel)]
	r.status == "granted"
	r.at <= now_ms
	not expired(r)
}

basis_ok("legitimate_interest", purpose, channel) if {
	not concat("", ["purpose:", purpose]) in scopes
	not refused(purpose, channel)
	not refused(purpose, null)
}

basis_ok(basis, _, _) if basis in asserted_bases

expired(r) if {
	r.expires != null
	r.expires <= now_ms
}

blocked(p, channel) if not channel in p.channels

blocked(p, _) if {
	p.marketing
	"direct_marketing" in scopes
}

lawful_basis(id) := satisfied[0] if {
	j := journeys[id]
	p := purposes[j.purpose]
	not blocked(p, j.action.channel)
	satisfied := [b | some b in p.bases; basis_ok(b, j.purpose, j.action.channel)]
	count(satisfied) > 0
}

# ---- steps 4 and 5: conditions, caps, arbitration, holdout, quiet hours, review ---------------

capped(id) if {
	cap := journeys[id].cap
	since := now_ms - cap.window_ms
	n := count([h | some h in input.history; h.journey == id; mine(h); at := ms(h.at); at > since; at <= now_ms])
	n >= cap.count
}

stage(id) := "denied_residency" if not residency_ok(id)

else := "denied_consent" if not lawful_basis(id)

else := "no_match" if not when(id)

else := "capped" if capped(id)

else := "eligible"

stages := {id: stage(id) | some id in ordered}

eligible := [id | some id in ordered; stages[id] == "eligible"]

winner := eligible[0]

hex := {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "a": 10, "b": 11, "c": 12, "d": 13, "e": 14, "f": 15}

powers := [268435456, 16777216, 1048576, 65536, 4096, 256, 16, 1]

# int(first 8 hex digits of sha256(journey:salt:subject), 16) mod 10000 (spec §4).
bucket(id, salt) := n % 10000 if {
	digest := crypto.sha256(concat(":", [id, salt, input.subject]))
	n := sum([d | some i, p in powers; d := hex[substring(digest, i, 1)] * p])
}

held_out(id) if {
	h := journeys[id].holdout
	bucket(id, h.salt) < h.percent * 100
}

local := time.clock([time.parse_rfc3339_ns(input.now), ctx.customer.timezone])

local_minutes := (local[0] * 60) + local[1]

in_quiet(q) if {
	q.from > q.to
	local_minutes >= q.from
}

in_quiet(q) if {
	q.from > q.to
	local_minutes < q.to
}

in_quiet(q) if {
	q.from <= q.to
	local_minutes >= q.from
	local_minutes < q.to
}

# The end of the quiet window: the next time the local clock reads `to` (offset at `now`).
quiet_until(q) := ((now_ms - (local[2] * 1000)) - (now_ms % 1000)) + ((((q.to - local_minutes) + 1440) % 1440) * 60000)

winner_outcome := "held_out" if held_out(winner)

else := "deferred" if in_quiet(journeys[winner].quiet)

else := "pending_review" if journeys[winner].review

else := "acted"

final(id) := winner_outcome if id == winner

else := "suppressed" if stages[id] == "eligible"

else := stages[id]

candidates := [[id, final(id)] | some id in ordered]

deferred_until := {"deferred_until_ms": quiet_until(journeys[winner].quiet)} if winner_outcome == "deferred"

else := {}

acted := {"action": journeys[winner].action} if winner_outcome == "acted"

else := {}

decision := object.union_n([
	{"outcome": winner_outcome, "journey": winner, "basis": lawful_basis(winner), "candidates": candidates},
	deferred_until,
	acted,
]) if winner

else := {"outcome": stages[ordered[0]], "candidates": candidates} if count(ordered) > 0

else := {"outcome": "no_match", "candidates": []}
