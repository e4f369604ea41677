// Running tests and properties against the real engine and OPA policies: a failing test shows
// expected vs actual and the rationale trace; each expectation form checks what it says; a
// failing property prints a shrunk, ready-to-paste test; a too-strict property is reported;
// the built-in properties catch engines and policies that break them.
import { describe, expect, it } from "vitest";
import type { Decision } from "../../runtime/decision.ts";
import type { Engine } from "../../runtime/engine.ts";
import { engineFor } from "../../testing/harness.ts";
import { BUILTIN_PROPERTIES } from "../../testing/builtins.ts";
import { propertyEnv, runBuiltin, runProperty } from "../../testing/properties.ts";
import { renderText } from "../../testing/report.ts";
import { runSuite } from "../../testing/suite.ts";
import type { PolicyEvaluator } from "../../runtime/policy.ts";
import { compile, DAILY, harness, JOURNEYS, specPolicy } from "./helpers.ts";

const metas = (engine: Engine) => new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta]));

describe("a new user's first failing test", () => {
  const journey = (tenure: number) => JOURNEYS.replace("customer.tenure_months >= 12", `customer.tenure_months >= ${tenure}`);
  const tests = `test "a year of tenure is enough" {
  now       2026-03-02T10:00:00Z
  event     daily
  given     customer { tenure_months: 12, timezone: "Europe/Berlin" }
  given     policy { status: "active", renewal_date: 2026-05-31 }
  expect    acted renewal_reminder_d90
}
`;

  it("fails with expected vs actual and the trace of the condition that was false", async () => {
    const { checked, engine } = await harness({ "j.journey": journey(24), "t.journey": tests });
    const r = await runSuite(engine, checked.program, checked.tests, checked.sources, { properties: false });
    const text = renderText(r, { sources: checked.sources, metas: metas(engine) });
    expect(text).toContain("  ✗ a year of tenure is enough");
    expect(text).toContain("t.journey:6:3  expect acted renewal_reminder_d90");
    expect(text).toContain("        expected  `acted`, won by `renewal_reminder_d90`");
    expect(text).toContain("        actual    `no_match`, no winner");
    expect(text).toContain("renewal_reminder_d90 (priority 50): no_match, basis legitimate_interest");
    expect(text).toMatch(/✗ customer\.tenure_months >= 24 → false\n\s+· customer\.tenure_months → 12/);
    expect(text.split("\n").at(-1)).toBe("0 passed, 1 failed");
  });

  it("passes once the policy is fixed", async () => {
    const { checked, engine } = await harness({ "j.journey": journey(12), "t.journey": tests });
    const r = await runSuite(engine, checked.program, checked.tests, checked.sources, { properties: false });
    expect(r.tests.map((t) => t.passed)).toEqual([true]);
    expect(
      renderText(r, { sources: checked.sources, metas: metas(engine) })
        .split("\n")
        .at(-1),
    ).toBe("1 passed, 0 failed");
  });
});

describe("expectations", () => {
  async function results(expects: string[], body = DAILY, now = "2026-03-02T10:00:00Z") {
    const block = `test "t" {\n  now       ${now}\n${body}\n${expects.map((e) => `  expect    ${e}`).join("\n")}\n}\n`;
    const { checked, engine } = await harness({ "j.journey": JOURNEYS, "t.journey": block });
    const r = await runSuite(engine, checked.program, checked.tests, checked.sources, { properties: false });
    return r.tests[0]!;
  }

  it("each form passes on a decision that meets it", async () => {
    const t = await results([
      "acted renewal_reminder_d90",
      "basis legitimate_interest",
      'action email(template: "renewal-d90")',
      "channel email",
      'reason "Your policy renews in 90 days."',
    ]);
    expect(t.failures).toEqual([]);
  });

  it("each form fails on a decision that does not, saying what it was", async () => {
    const t = await results(["held_out renewal_reminder_d90", "basis consent", 'action email(template: "renewal-d30")', "channel push", 'reason "Hello."']);
    expect(t.failures.map((f) => [f.expected, f.actual])).toEqual([
      ["`held_out`, won by `renewal_reminder_d90`", "`acted`, won by `renewal_reminder_d90`"],
      ["basis `consent`", "basis `legitimate_interest`"],
      ['action `email(template: "renewal-d30")`', 'action `email(template: "renewal-d90")`'],
      ["channel `push`", "channel `email`"],
      ['"Hello."', '"Your policy renews in 90 days."'],
    ]);
  });

  it("checks a deferral's end and a candidate's own outcome", async () => {
    const quiet = await results(["deferred renewal_reminder_d90 until 2026-03-03T07:00:00Z"], DAILY, "2026-03-02T21:30:00Z");
    expect(quiet.failures).toEqual([]);
    const wrong = await results(["deferred until 2026-03-03T08:00:00Z"], DAILY, "2026-03-02T21:30:00Z");
    expect(wrong.failures[0]).toMatchObject({
      expected: "`deferred` until 2026-03-03T08:00:00Z",
      actual: "`deferred` until 2026-03-03T07:00:00Z, won by `renewal_reminder_d90`",
    });
    const capped = await results(["renewal_reminder_d90 acted"], `${DAILY}\n  history   renewal_reminder_d90 at 2026-02-20T10:00:00Z`);
    expect(capped.failures[0]).toMatchObject({
      expected: "`renewal_reminder_d90` is `acted`",
      actual:
        "`renewal_reminder_d90` is `capped` (legitimate_interest: no objection to `renewal_marketing` and no refusal on record; 1 acted decision(s) in the last 30d; the cap is 1 per 30d)",
    });
  });

  it("checks the wake-ups an event schedules", async () => {
    const body = `  event     claim.filed { claim_id: "c-1", at: 2026-03-02T09:00:00Z } at 2026-03-02T09:00:00Z\n  given     claim { status: "filed" }`;
    expect((await results(["wakeup claim_status_update 3d at 2026-03-05T09:00:00Z", "wakeup claim_status_update 7d"], body)).failures).toEqual([]);
    const t = await results(["wakeup claim_status_update 3d at 2026-03-06T09:00:00Z"], body);
    expect(t.failures[0]!.actual).toBe(
      "wake-ups `claim_status_update` after `3d` at 2026-03-05T09:00:00Z, `claim_status_update` after `7d` at 2026-03-09T09:00:00Z",
    );
  });

  it("an error decision says what failed", async () => {
    const t = await results(
      ["acted"],
      `  event     daily\n  given     customer { timezone: "Europe/Berlin" }\n  given     policy { status: "active", renewal_date: 2026-05-31 }`,
    );
    expect(t.failures[0]!.actual).toContain("`error` (renewal_reminder_d90: `customer.tenure_months` is missing from the context");
  });
});

describe("properties", () => {
  it("a failing property prints a shrunk counterexample that pastes back as a test and reproduces the decision", async () => {
    const prop = `property "nobody ever gets a renewal reminder" {\n  on daily\n  expect decision.journey != "renewal_reminder_d90"\n  runs 300\n}\n`;
    const { checked, engine } = await harness({ "j.journey": JOURNEYS, "p.journey": prop });
    const env = propertyEnv(engine, checked.program, checked.tests, checked.sources);
    const r = await runProperty(checked.tests.properties[0]!, env);
    expect(r.status).toBe("failed");
    expect(r.failure!.message).toBe('`decision.journey != "renewal_reminder_d90"` is false');
    expect(r.failure!.trace![0]).toMatchObject({ mark: "false", source: 'decision.journey != "renewal_reminder_d90"' });
    const test = r.failure!.test;
    expect(test).toMatch(/^# counterexample to property "nobody ever gets a renewal reminder"/);
    // Shrunk: only the data the decision read, no records it did not need.
    expect(test).not.toContain("consent ");
    expect(test).not.toContain("onboarding");
    // Pasted next to the journeys it checks cleanly, and passes: it states what the decision was.
    const pasted = await harness({ "j.journey": JOURNEYS, "p.journey": test });
    const again = await runSuite(pasted.engine, pasted.checked.program, pasted.checked.tests, pasted.checked.sources, { properties: false });
    expect(again.tests[0]!.passed).toBe(true);
    expect(again.tests[0]!.decision.journey).toBe("renewal_reminder_d90");
    expect(again.tests[0]!.decision.outcome).toBe(r.failure!.decision.outcome);
  });

  it("a property that holds passes, and repeats with the same seed", async () => {
    const prop = `property "callbacks wait for review" {\n  on ticket.resolved\n  expect decision.outcome != "acted" or decision.channel != "call_task"\n  runs 100\n}\n`;
    const { checked, engine } = await harness({ "j.journey": JOURNEYS, "p.journey": prop });
    const env = propertyEnv(engine, checked.program, checked.tests, checked.sources);
    const a = await runProperty(checked.tests.properties[0]!, env);
    const b = await runProperty(checked.tests.properties[0]!, env);
    expect(a).toMatchObject({ status: "passed", runs: 100 });
    expect(b.seed).toBe(a.seed);
    expect((await runProperty(checked.tests.properties[0]!, env, { seed: 7 })).seed).not.toBe(a.seed);
  });

  it("a property whose `assume` discards nearly every case is reported as too strict", async () => {
    const prop = `property "strict" {\n  on daily\n  assume customer.tenure_months == 77 and policy.status == "cancelled" and customer.segment == "sme"\n  expect decision.outcome != "error"\n  runs 50\n}\n`;
    const { checked, engine } = await harness({ "j.journey": JOURNEYS, "p.journey": prop });
    const r = await runProperty(checked.tests.properties[0]!, propertyEnv(engine, checked.program, checked.tests, checked.sources));
    expect(r.status).toBe("too-strict");
    expect(r.diagnostic).toMatchObject({ code: "test/property-vacuous", span: expect.objectContaining({ file: "p.journey" }) });
    expect(r.diagnostic!.message).toMatch(/^property "strict" is too strict: `assume` discarded \d+ of \d+ generated cases \(9\d\.\d%\)$/);
  });

  it("an `expect` that cannot be evaluated fails the property with the reason, not the run", async () => {
    const prop = `property "lowercase winner" {\n  on ticket.resolved\n  expect contains(lower(decision.journey), "service") or true\n  runs 30\n}\n`;
    const { checked, engine } = await harness({ "j.journey": JOURNEYS, "p.journey": prop });
    const r = await runProperty(checked.tests.properties[0]!, propertyEnv(engine, checked.program, checked.tests, checked.sources));
    expect(r.status).toBe("failed");
    expect(r.failure!.message).toMatch(/^`expect` could not be evaluated: /);
    expect(r.failure!.decision.journey).toBeUndefined();
  });

  it("`given`, `consent` and `objection` fix what the generator would vary", async () => {
    const prop = `property "an objector is never reminded" {\n  on daily\n  given customer { tenure_months: 30 }\n  objection direct_marketing\n  assume customer.tenure_months == 30\n  expect decision.journey != "renewal_reminder_d90" or decision.outcome == "denied_consent"\n  runs 100\n}\n`;
    const { checked, engine } = await harness({ "j.journey": JOURNEYS, "p.journey": prop });
    const r = await runProperty(checked.tests.properties[0]!, propertyEnv(engine, checked.program, checked.tests, checked.sources));
    expect(r).toMatchObject({ status: "passed", discarded: 0 });
  });
});

describe("built-in properties", () => {
  async function env(policy?: PolicyEvaluator, wrap?: (e: Engine) => Engine) {
    const c = compile({ "j.journey": JOURNEYS });
    const engine = await engineFor(c.program!, c.sources, policy ?? (await specPolicy()));
    const e = wrap ? wrap(engine) : engine;
    return propertyEnv(e, c.program!, c.tests!, c.sources);
  }

  it("all hold for the example journeys on the real engine and policies", async () => {
    const e = await env();
    for (const b of BUILTIN_PROPERTIES) expect(await runBuiltin(b, e, { builtinRuns: 100 })).toMatchObject({ status: "passed", runs: 100 });
  });

  it("lawful-basis catches policies that let a candidate through without a basis", async () => {
    const lax: PolicyEvaluator = {
      evaluate: (r) =>
        r.candidates.map((c) => ({
          journey: c.journey,
          consent: { allowed: true, basis: "consent", tried: [], reasons: [] },
          residency: { allowed: true, denied_fields: [] },
        })),
    };
    const r = await runBuiltin(BUILTIN_PROPERTIES.find((b) => b.id === "lawful-basis")!, await env(lax), { builtinRuns: 200 });
    expect(r.status).toBe("failed");
    expect(r.failure!.message).toMatch(
      /is `(acted|deferred|pending_review)` but basis `consent` (is not one purpose|but no consent record|but the latest record)/,
    );
    expect(r.failure!.test).toContain('test "lawful-basis: counterexample" {');
  });

  it("minimal-bundle catches an engine that asks the provider for more", async () => {
    const greedy = (e: Engine): Engine =>
      ({
        ...e,
        catalog: e.catalog,
        predicates: e.predicates,
        decide: async (raw: unknown, o?: { provider?: { fetch(s: string, f: readonly string[]): unknown } }) => {
          await o?.provider?.fetch("s", ["customer.email"]);
          return e.decide(raw);
        },
      }) as unknown as Engine;
    const r = await runBuiltin(BUILTIN_PROPERTIES.find((b) => b.id === "minimal-bundle")!, await env(undefined, greedy), { builtinRuns: 50 });
    expect(r.status).toBe("failed");
    expect(r.failure!.message).toContain("`customer.email`, outside the bundles of");
  });

  it("deterministic catches an engine whose decisions depend on more than the request", async () => {
    let n = 0;
    const flaky = (e: Engine): Engine =>
      ({
        catalog: e.catalog,
        predicates: e.predicates,
        decide: async (raw: unknown) => ({ ...(await e.decide(raw)), decision_id: `d_${n++}` }) as Decision,
      }) as unknown as Engine;
    const r = await runBuiltin(BUILTIN_PROPERTIES.find((b) => b.id === "deterministic")!, await env(undefined, flaky), { builtinRuns: 20 });
    expect(r.status).toBe("failed");
    expect(r.failure!.message).toMatch(/^the second decision differs at character \d+/);
  });
});
