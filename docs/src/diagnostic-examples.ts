// Examples for docs/diagnostics.md: for every syntax/check code, a journey that triggers it
// and the fix; for every opa code, how it arises and the fix. test/docs/diagnostics.test.ts runs each example through the compiler (so the
// docs cannot drift) and checks docs/diagnostics.md is generated from this table.

export interface CodeExample {
  /** Journey-file text (checked against the spec catalog), when a short example exists. */
  readonly journey?: string;
  /** A change to the spec catalog the example needs: [search, replace]. */
  readonly catalogPatch?: readonly [string, string];
  /** When there is no short example: how the problem arises. */
  readonly note?: string;
  /** What to do about it. */
  readonly fix: string;
}

const j = (body: string, extra = "") =>
  `${extra}journey j {\n${body
    .trim()
    .split("\n")
    .map((l) => "  " + l.trim())
    .join("\n")}\n}\n`;
const base = (over: Record<string, string>) => {
  const clauses: Record<string, string> = { purpose: "renewal_marketing", on: "daily", when: 'policy.status == "active"', do: 'email(template: "t")', ...over };
  return j(
    Object.entries(clauses)
      .filter(([, v]) => v !== "")
      .map(([k, v]) => `${k} ${v}`)
      .join("\n"),
  );
};

export const EXAMPLES: Record<string, CodeExample> = {
  "syntax/unexpected-token": {
    journey: j('purpse renewal_marketing\non daily\nwhen true\ndo email(template: "t")'),
    note:
      "The same code covers three common slips, each reported once: `=` written for `==` (at the `=`: `` `=` is not a comparison: write `==` ``, " +
      "and the journey is checked as if `==` were written); a journey or test whose `}` is missing (at the block that lacks it: " +
      "``journey `j` is missing its closing `}` ``, with the line to add it after, and nothing reported at the next declaration); " +
      "and a `when` that stops at `and` before the next clause (help: `` `and` needs an operand after it ``).",
    fix: "Correct the token; the hint names the closest keyword when there is one, or the fix for the slips above.",
  },
  "syntax/unexpected-eof": { journey: "journey j {\n  purpose renewal_marketing\n", fix: "Close the journey with `}` (or finish the declaration)." },
  "syntax/unexpected-character": {
    journey: base({ when: 'policy.status == "active" && customer.tenure_months > 1' }),
    fix: "Use the language's words: `and`, `or`, `not`; strings in double quotes.",
  },
  "syntax/unterminated-string": { journey: base({ title: '"Renewal' }), fix: 'Close the string on the same line; write a quote inside a string as `\\"`.' },
  "syntax/invalid-date": { journey: base({ when: "policy.renewal_date == 2026-02-30" }), fix: "Write a real calendar date, `YYYY-MM-DD`." },
  "syntax/invalid-datetime": {
    journey: base({ when: "onboarding.last_progress_at < 2026-01-01T25:00:00Z" }),
    fix: "Write an ISO 8601 datetime with an offset: `2026-05-30T09:00:00Z`.",
  },
  "syntax/invalid-duration": {
    journey: base({ cap: "1 per 99999999d" }),
    fix: "Use a shorter duration: at most `3652425d`, the 10,000 years of the calendar dates can be written in.",
  },
  "syntax/invalid-time": { journey: base({ quiet: "25:00 .. 08:00" }), fix: "Write times of day as `HH:MM` from `00:00` to `23:59`." },
  "syntax/invalid-percent": { journey: base({ holdout: "120%" }), fix: "Write a percentage from `0%` to `100%`." },
  "syntax/number-too-large": {
    journey: base({ when: "customer.tenure_months > 99999999999999999999" }),
    fix: "Integers are at most 2^53 − 1; decimals at most about 1.8 × 10^308.",
  },
  "syntax/template-brace": {
    journey: base({ reason: '"renews in {days_until(policy.renewal_date) days"' }),
    fix: "Close the interpolation with `}`; write literal braces as `{{` and `}}`.",
  },
  "syntax/template-string": {
    journey: base({ reason: '"status {lower(\\"X\\")}"' }),
    fix: "Keep text outside the braces; an interpolation holds an expression without string literals.",
  },
  "syntax/template-empty": { journey: base({ reason: '"hello {}"' }), fix: "Put an expression in the braces, or write `{{}}` for literal braces." },
  "syntax/too-complex": {
    note: "An expression more than 500 operations deep: a chain of hundreds of `and`, `or` or arithmetic operators (`a and b and …`), usually generated text.",
    fix: "Split it into named `condition`s.",
  },
  "syntax/file-too-large": { note: "A `.journey` file larger than 4 MiB.", fix: "Split the journeys over several files." },
  "syntax/invalid-encoding": { note: "A file with bytes that are not UTF-8 (e.g. saved as Latin-1).", fix: "Save the file as UTF-8." },
  "syntax/too-deep": {
    journey: base({ when: "(".repeat(130) + "true" + ")".repeat(130) }),
    fix: "Split deeply nested expressions (parentheses, lists, calls, quantifiers, `not not …`, `- - …`) into named `condition`s.",
  },
  "check/unknown-entity": { journey: base({ when: 'polcy.status == "active"' }), fix: "Use an entity the catalog defines (the hint names the closest)." },
  "check/unknown-field": {
    journey: base({ when: "customer.tenure >= 12" }),
    fix: "Use a field the entity has (the hint names the closest), or add it to the catalog.",
  },
  "check/unknown-member": {
    journey: base({ when: "customer.recent_interactions.at < now" }),
    fix: "Read list elements through a quantifier: `any i in customer.recent_interactions: i.at < now`.",
  },
  "check/unknown-name": { journey: base({ when: "activ" }), fix: "Write `entity.field`, `event.field`, `now`, a quantifier variable or a condition's name." },
  "check/unknown-event": { journey: base({ on: "dayly" }), fix: "Use an event from the catalog's `events`." },
  "check/unknown-event-field": {
    journey: base({ purpose: "service_recovery", on: "ticket.resolved", when: "event.cstat <= 2", do: 'email(template: "t")' }),
    fix: "Use a payload field the trigger event declares in the catalog.",
  },
  "check/unknown-purpose": { journey: base({ purpose: "renewals" }), fix: "Use a purpose from the catalog's `purposes`." },
  "check/unknown-action": { journey: base({ do: 'emial(template: "t")' }), fix: "Use an action from the catalog's `actions`." },
  "check/unknown-parameter": { journey: base({ do: 'email(templat: "t")' }), fix: "Use the action's declared parameter names." },
  "check/missing-parameter": { journey: base({ do: "email()" }), fix: "Give every declared parameter: all are required." },
  "check/duplicate-parameter": { journey: base({ do: 'email(template: "a", template: "b")' }), fix: "Give each parameter once." },
  "check/parameter-type": { journey: base({ do: "email(template: 42)" }), fix: "Give a literal of the parameter's type." },
  "check/unknown-function": {
    journey: base({ when: "day_until(policy.renewal_date) == 90" }),
    fix: "Use one of `days_since`, `days_until`, `hours_since`, `count`, `lower`, `contains`.",
  },
  "check/wrong-arity": { journey: base({ when: "days_until(policy.renewal_date, now) == 90" }), fix: "Call the function with its number of arguments." },
  "check/type-mismatch": { journey: base({ when: 'customer.tenure_months >= "12"' }), fix: "Compare values of compatible types (the hint says how)." },
  "check/unknown-enum-value": {
    journey: base({ when: 'policy.status == "actve"' }),
    note:
      "The message lists the enum's values. The hint suggests the closest one only when it is a likely misspelling: never the opposite made by a prefix " +
      '(`"unpaid"` is not offered `"paid"`, `"inactive"` is not offered `"active"`).',
    fix: "Use one of the enum's values.",
  },
  "check/not-boolean": { journey: base({ when: "customer.tenure_months" }), fix: "Write a condition: compare the value with something." },
  "check/not-a-list": { journey: base({ when: 'policy.status in "active"' }), fix: 'Put a list on the right of `in`: `["active", "lapsed"]`.' },
  "check/whole-entity": { journey: base({ when: "customer == customer" }), fix: "Read one of the entity's fields." },
  "check/is-set-operand": { journey: base({ when: "(customer.tenure_months + 1) is set" }), fix: "Apply `is set` to an entity field." },
  "check/always-set": { journey: base({ when: "customer.tenure_months is set" }), fix: "Drop the test, or mark the field `optional: true` in the catalog." },
  "check/unguarded-optional": { journey: base({ when: "customer.nps >= 9" }), fix: "Guard the read: `customer.nps is set and customer.nps >= 9`." },
  "check/unbound-entity": {
    journey: base({ purpose: "service_recovery", on: "ticket.resolved", do: 'email(template: "t")' }),
    fix: "Trigger on an event that binds the entity, or stop reading it.",
  },
  "check/forbidden-label": {
    journey: base({ when: "policy.premium > 1000" }),
    fix: "Purpose limitation: do not read data the purpose forbids; use another purpose or another field.",
  },
  "check/sensitive-field": {
    journey: base({ purpose: "service_updates", on: "claim.filed", when: 'contains(claim.diagnosis, "x")', do: 'sms(template: "t")' }),
    fix: "Read special-category data only under a purpose whose `allows` lists one of its labels.",
  },
  "check/channel-not-allowed": {
    journey: base({ do: 'sms(template: "t")' }),
    fix: "Use an action on one of the purpose's channels, or add the channel to the purpose.",
  },
  "check/review-required": {
    journey: base({ purpose: "service_recovery", on: "ticket.resolved", when: "event.csat <= 2", do: 'agent_callback(queue: "q")', risk: "high" }),
    fix: "Add `review required`.",
  },
  "check/high-cost-low-risk": {
    journey: base({ purpose: "service_recovery", on: "ticket.resolved", when: "event.csat <= 2", do: 'agent_callback(queue: "q")' }),
    fix: "Raise `risk` to `medium` or `high` (and add `review required` for `high`).",
  },
  "check/invalid-risk": { journey: base({ risk: "severe" }), fix: "Write `risk low`, `risk medium` or `risk high`." },
  "check/invalid-review": { journey: base({ review: "optional" }), fix: "Write `review required`, or remove the clause." },
  "check/missing-clause": { journey: base({ do: "" }), fix: "Add the clause: `purpose`, `on`, `when` and `do` are required." },
  "check/duplicate-clause": { journey: base({ cap: "1 per 30d\ncap 2 per 30d" }), fix: "Keep one of the two." },
  "check/duplicate-journey": { journey: base({}) + base({}), fix: "Give each journey its own id." },
  "check/duplicate-condition": { journey: "condition a = true\ncondition a = false\n" + base({ when: "a" }), fix: "Give each condition its own name." },
  "check/duplicate-timer": {
    journey: base({ purpose: "service_updates", on: "claim.filed after 3d, 3d", when: 'claim.status == "filed"', do: 'sms(template: "t")' }),
    fix: "List each follow-up once.",
  },
  "check/invalid-name": {
    journey: 'journey RenewalReminder {\n  purpose renewal_marketing\n  on daily\n  when true\n  do email(template: "t")\n}\n',
    fix: "Use lowercase snake_case: `renewal_reminder`.",
  },
  "check/name-clash": {
    journey: "condition customer = true\n" + base({ when: 'policy.status == "active"' }),
    fix: "Choose a name that is not an entity, `event` or `now`.",
  },
  "check/condition-cycle": {
    journey: "condition a = b\ncondition b = a\n" + base({ when: "a" }),
    fix: "Break the cycle: a condition cannot depend on itself.",
  },
  "check/event-in-condition": {
    journey: "condition unhappy = event.csat <= 2\n" + base({ when: "unhappy" }),
    fix: "Compare `event.*` fields in the journey's `when`.",
  },
  "check/shadowed-variable": { journey: base({ when: "any customer in customer.recent_interactions: true" }), fix: "Name the variable differently." },
  "check/invalid-cap": { journey: base({ cap: "0 per 30d" }), fix: "A cap allows at least 1 decision per window: `cap 1 per 30d`." },
  "check/empty-quiet": { journey: base({ quiet: "08:00 .. 08:00" }), fix: "Give different start and end times." },
  "check/quiet-needs-timezone": {
    journey: base({ quiet: "21:00 .. 08:00" }),
    catalogPatch: ["      timezone:      { type: string, lineage: crm.customers.tz }\n", ""],
    fix: "Trigger on an event that binds `customer` (for `customer.timezone`), or remove `quiet`.",
  },
  "check/constant-condition": { journey: base({ when: 'policy.status == "active" and 2 > 1' }), fix: "Remove the constant part, or fix it." },
  "check/unknown-outcome-type": {
    journey: base({ holdout: "10%", goal: "renewals within 30d" }),
    fix: "Name a built-in outcome type (`conversion`, `renewal`, `complaint`, `unsubscribe`) or one the catalog declares under `value: outcomes:` (docs/catalog.md#value).",
  },
  "check/unknown-metric": {
    journey: base({ stop_loss: "complaints > 1%" }),
    fix: "Write an outcome type followed by `_rate` (the share of treated subjects with it) or `_uplift` (treated minus held out): `complaint_rate`.",
  },
  "check/invalid-threshold": { journey: base({ stop_loss: "complaint_rate > 0%" }), fix: "Give a threshold above `0%` and at most `100%`, such as `0.5%`." },
  "check/invalid-min": { journey: base({ stop_loss: "complaint_rate > 1% min 0" }), fix: "Write `min 1` or more, or leave `min` out (default 100)." },
  "check/uplift-without-holdout": {
    journey: base({ stop_loss: "complaint_uplift > 1%" }),
    fix: "Add a `holdout` so there are held-out subjects to compare with, or judge the rate alone (`complaint_rate`).",
  },
  "check/goal-without-holdout": {
    journey: base({ goal: "renewal within 30d" }),
    fix: "Add `holdout 10%` (or another share): without held-out subjects the scoreboard shows the goal's rate but no uplift.",
  },
  "check/empty-goal-window": {
    journey: base({ holdout: "10%", goal: "renewal within 0d" }),
    fix: "Give the time the outcome may take to happen: `within 30d`.",
  },
  "check/unreachable-journey": {
    journey: base({ when: 'policy.status == "active" and policy.status == "lapsed"' }),
    fix: "Fix the contradiction (often `and` where `or` was meant).",
  },
  "check/unused-condition": { journey: "condition spare = true\n" + base({}), fix: "Use the condition, or delete it." },
  "check/too-deep": {
    journey: base({ when: Array.from({ length: 320 }, () => 'policy.status == "active"').join(" and ") }),
    fix: "Split the condition into named `condition`s, or the journey into several.",
  },
  "check/too-large": {
    note: "A condition of 20,003 operations (a 20,000-item list) used by 30 journeys: each journey's trace metadata carries the condition, and the 19th passes 200,000 + 8 × the 20,033 operations written.",
    fix: "Use large conditions in fewer journeys, make them smaller, or split the policy set.",
  },
  "check/no-journeys": { note: "A policy set whose `.journey` files declare no journey.", fix: "Add a `journey NAME { … }`." },
  "check/division-by-zero": { journey: base({ when: "customer.tenure_months / 0 > 1" }), fix: "Divide by something that is not zero." },
  "check/out-of-range": {
    journey: base({ when: "customer.tenure_months < 9007199254740991 + 1" }),
    fix: "Keep values in range whatever the data: integers up to 2^53 − 1, finite numbers, and dates and datetimes within what JavaScript dates represent (dates are written in the years 0000–9999 and durations are at most 10,000 years, so only long chains of long durations get there).",
  },
  "check/marketing-pii": {
    journey: base({ when: 'contains(customer.email, "@example.com")' }),
    fix: "Leave direct and sensitive personal data out of marketing journeys, or — when the use is intended and covered by the purpose's lawful basis — list the field under `pii:` of the purpose in the catalog ([catalog.md](catalog.md#purposes)).",
  },
  "check/system-not-allowed": {
    journey: base({ purpose: "service_updates", when: "customer.tenure_months >= 12" }),
    catalogPatch: [
      "service_updates:   { bases: [contract], channels: [email, sms, push] }",
      "service_updates:   { bases: [contract], channels: [email, sms, push], systems: [policy_admin] }",
    ],
    fix: "Read only fields whose `lineage` starts with a system the purpose's `systems` lists, or add the system to `systems` when the purpose may use that source.",
  },
  "check/no-lineage": {
    journey: base({ purpose: "service_updates", on: "claim.filed", when: 'claim.status == "filed"', do: 'sms(template: "t")' }),
    catalogPatch: [
      "service_updates:   { bases: [contract], channels: [email, sms, push] }",
      "service_updates:   { bases: [contract], channels: [email, sms, push], systems: [claims] }",
    ],
    fix: "Tag the field with its source in the catalog (`lineage: claims.claims.status`), so the purpose's `systems` allow-list can be checked.",
  },
  "check/pii-without-retention": {
    journey: base({ purpose: "claims_handling", on: "claim.filed", when: 'contains(claim.diagnosis, "fracture")', do: 'sms(template: "t")' }),
    fix: "Give the field a `retention` in the catalog (an ISO 8601 duration: `retention: P10Y`). `kairos check --strict` fails on this warning.",
  },
  "check/pii-without-lineage": {
    journey: base({ purpose: "claims_handling", on: "claim.filed", when: 'contains(claim.diagnosis, "fracture")', do: 'sms(template: "t")' }),
    fix: "Give the field a `lineage` in the catalog, the system path it comes from (`lineage: claims.claims.diagnosis`). `kairos check --strict` fails on this warning.",
  },
  "check/pii-in-reason": {
    journey: base({ reason: '"We wrote to {customer.email}."' }),
    fix: "Leave personal data out of the reason (it is shown to the customer and kept in the decision log), or mark the field `reason_allowed: true` in the catalog when showing it is intended.",
  },
  // The OPA stage: the examples are Rego (built by the pinned OPA CLI, so not run here).
  "opa/rego-parse-error": {
    note: "A Rego file OPA cannot parse, such as a rule written in Rego v0 syntax, `allow { input.ok }`, or a comparison with nothing on its right, `input.x ==`. The diagnostic points at the token OPA stopped at, in the policy set's `rego/` file.",
    fix: "Correct the syntax at the caret. OPA 1.x reads Rego v1: a rule body needs `if` (`allow if { input.ok }`), a multi-value rule `contains`.",
  },
  "opa/rego-compile-error": {
    note: "Rego that parses but that OPA's compiler rejects: a variable used but never bound (`allow if { y == 1 }`: `var y is unsafe`), a function that does not exist (`nosuch.fn(1)`), a type error, two rules that conflict. The hint names OPA's own code (`rego_unsafe_var_error`, `rego_type_error`, …).",
    fix: "Bind every variable before using it, call built-in functions by their names, and keep each rule's values of one kind; [opa-contract.md](opa-contract.md) lists what the policies must define.",
  },
  "opa/no-rego": {
    note: "A policy set whose `rego/` folder holds only `*_test.rego` files.",
    fix: "Add the consent and residency policies to `rego/`, or delete the folder to use the standard ones.",
  },
  "opa/cli-missing": {
    note: "`kairos compile` (or `decide`, `test`, `demo`) on a machine without the pinned OPA CLI at `.tools/bin/opa` (or `$KAIROS_OPA`), or with another version there.",
    fix: "Run `npm run setup`, which installs the pinned OPA CLI, or point `KAIROS_OPA` at it.",
  },
  "opa/rego-not-checked": {
    note: "`kairos check` of a policy set with its own `rego/` on a machine without the pinned OPA CLI: the journeys and the catalog are checked, the Rego is not.",
    fix: "Run `npm run setup` to install the pinned OPA CLI, so that `kairos check` also checks the Rego.",
  },
  "opa/build-failed": {
    note: "`opa build` failed without naming a line of the policies: an entrypoint Kairos needs (`kairos/decision`) that no rule defines, or two Rego files that would share one name in the bundle.",
    fix: "Define the entrypoints of [opa-contract.md](opa-contract.md) (the standard policies in `runtime/opa/default-rego/` do), and give the Rego files distinct names.",
  },
};
