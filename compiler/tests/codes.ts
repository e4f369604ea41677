// Every diagnostic code of `test` and `property` blocks, with severity and a one-line summary.
// docs/testing.md lists each with an example and the fix. Expressions in properties are checked
// by the language's own checker, so they report the `check/*` codes of journeys.
import type { CodeInfo } from "../../core/diagnostics.ts";

export const testCodes: Record<string, CodeInfo> = {
  "test/unknown-statement": { severity: "error", summary: "a line in a `test` or `property` that starts with no known statement word" },
  "test/missing-statement": { severity: "error", summary: "a `test` without `now`, `event` or `expect`, or a `property` without `expect`" },
  "test/duplicate-statement": { severity: "error", summary: "a statement given twice where only one makes sense (`now`, `event`, two outcomes, …)" },
  "test/bad-argument": { severity: "error", summary: "a statement argument of the wrong form: a malformed timestamp, a missing or extra word" },
  "test/duplicate-name": { severity: "error", summary: "two tests or properties with the same name" },
  "test/unknown-journey": { severity: "error", summary: "a journey id no journey of the policy set has" },
  "test/unknown-outcome": { severity: "error", summary: "an outcome that is not one of the decision outcomes" },
  "test/unknown-expectation": {
    severity: "error",
    summary: "an `expect` line that is neither an outcome, `basis`, `action`, `channel`, `reason`, `wakeup` nor a journey id",
  },
  "test/unknown-basis": { severity: "error", summary: "a lawful basis that is not one of GDPR Art. 6(1)'s six" },
  "test/unknown-event": { severity: "error", summary: "an event the catalog does not define" },
  "test/unknown-event-field": { severity: "error", summary: "an event payload field the event does not declare" },
  "test/unknown-entity": { severity: "error", summary: "`given` names an entity the catalog does not define" },
  "test/unknown-field": { severity: "error", summary: "`given` sets a field its entity does not have" },
  "test/unknown-member": { severity: "error", summary: "a list element record with a member its field does not declare" },
  "test/missing-member": { severity: "error", summary: "a list element record without one of its members" },
  "test/duplicate-field": { severity: "error", summary: "a field or member set twice in one record" },
  "test/value-type": { severity: "error", summary: "a value that does not have its field's type" },
  "test/unknown-enum-value": { severity: "error", summary: "a string that is not one of its enum field's values" },
  "test/unknown-purpose": { severity: "error", summary: "`consent` or `objection` names a purpose the catalog does not define" },
  "test/unknown-action": { severity: "error", summary: "`expect action` names an action the catalog does not define" },
  "test/unknown-parameter": { severity: "error", summary: "`expect action` names a parameter the action does not declare" },
  "test/unknown-channel": { severity: "error", summary: "a channel no catalog action uses" },
  "test/unbound-entity": { severity: "warning", summary: "data for an entity the event does not bind: no journey can read it" },
  "test/not-a-candidate": { severity: "warning", summary: "an expectation about a journey that the test's event (and timer) never triggers" },
  "test/no-listener": { severity: "warning", summary: "an event (or timer) no journey listens to: every decision is `no_match`" },
  "test/event-in-property": { severity: "error", summary: "`event` in a property, which generates its events (use `on`)" },
  "test/on-in-test": { severity: "error", summary: "`on` in a test, which gives its one event with `event`" },
  "test/decision-in-assume": { severity: "error", summary: "`assume` reading `decision.*`, which is only known after deciding" },
  "test/event-without-on": { severity: "error", summary: "a property reading `event.*` without an `on` that says which event" },
  "test/decision-entity": { severity: "error", summary: "a catalog entity named `decision`, which properties reserve for the decision" },
  "test/invalid-runs": { severity: "error", summary: "`runs` that is not a whole number from 1 to 100000" },
  "test/property-vacuous": { severity: "error", summary: "a property whose `assume` discards more than 95% of generated cases" },
};
