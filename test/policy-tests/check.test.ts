// Checking `test` and `property` blocks: every mistake a user can make gets a diagnostic with a
// stable code, the right text underlined and, where a close name exists, a "did you mean".
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCodes, syntaxCodes } from "../../compiler/checker/index.ts";
import { testCodes } from "../../compiler/tests/index.ts";
import { seen } from "../helpers/compile.ts";
import { compile, DAILY, JOURNEYS } from "./helpers.ts";

/** Diagnostics (as the user sees them) of one extra file next to the journeys. */
function check(block: string) {
  return seen(compile({ "j.journey": JOURNEYS, "t.journey": block }));
}
function one(block: string, code: string) {
  const ds = check(block).filter((d) => d.code === code);
  expect(ds, `expected ${code} in ${JSON.stringify(check(block))}`).toHaveLength(1);
  return ds[0]!;
}
const test = (body: string) => `test "t" {\n  now       2026-03-02T10:00:00Z\n${body}\n}\n`;

describe("a valid test", () => {
  it("compiles to the request of docs/request.md and its expectations, with documented defaults", () => {
    const c = compile({
      "j.journey": JOURNEYS,
      "t.journey": test(`${DAILY}
  consent   renewal_marketing granted channel email at 2026-01-01T00:00:00Z expires 2027-01-01T00:00:00Z
  objection service_recovery
  history   renewal_reminder_d90 at 2026-01-20T10:00:00Z
  expect    acted renewal_reminder_d90
  expect    basis consent
  expect    action email(template: "renewal-d90")`),
    });
    expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const t = c.tests!.tests[0]!;
    expect(t.request).toEqual({
      event: { type: "daily", id: "test-event" },
      subject: "subject-1",
      now: "2026-03-02T10:00:00Z",
      region: "eu",
      context: { customer: { tenure_months: 24, timezone: "Europe/Berlin" }, policy: { status: "active", renewal_date: "2026-05-31" } },
      consents: [{ purpose: "renewal_marketing", status: "granted", channel: "email", at: "2026-01-01T00:00:00Z", expires_at: "2027-01-01T00:00:00Z" }],
      objections: [{ scope: "purpose:service_recovery", at: "2026-03-02T10:00:00Z" }],
      history: [{ journey: "renewal_reminder_d90", at: "2026-01-20T10:00:00Z" }],
    });
    expect(t.expectations.map((e) => e.kind)).toEqual(["outcome", "basis", "action"]);
    expect(t.expectations[2]).toMatchObject({ action: "email", params: { template: "renewal-d90" } });
  });

  it("takes an event payload, its time and a follow-up timer", () => {
    const c = compile({
      "j.journey": JOURNEYS,
      "t.journey": test(
        `  event     claim.filed { claim_id: "c-9", at: 2026-03-01T09:00:00Z } at 2026-03-01T09:00:00Z after 3d\n  given     claim { status: "filed" }\n  expect    acted claim_status_update`,
      ),
    });
    expect(c.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(c.tests!.tests[0]!.request.event).toEqual({
      type: "claim.filed",
      id: "test-event",
      at: "2026-03-01T09:00:00Z",
      timer: "3d",
      payload: { claim_id: "c-9", at: "2026-03-01T09:00:00Z" },
    });
  });
});

describe("names", () => {
  it("rejects an unknown journey in `expect` with a did-you-mean", () => {
    expect(one(test(`${DAILY}\n  expect    acted renewal_reminder_d9`), "test/unknown-journey")).toMatchObject({
      underlined: "renewal_reminder_d9",
      hint: "did you mean `renewal_reminder_d90`?",
    });
  });

  it("rejects an unknown journey as a candidate and in `history`", () => {
    expect(one(test(`${DAILY}\n  expect    renewal_reminder_d91 no_match`), "test/unknown-journey").hint).toBe("did you mean `renewal_reminder_d90`?");
    expect(one(test(`${DAILY}\n  history   renewal_d90 at 2026-01-01T00:00:00Z\n  expect    no_match`), "test/unknown-journey").underlined).toBe("renewal_d90");
  });

  it("rejects an unknown outcome, basis, action, parameter and channel", () => {
    expect(one(test(`${DAILY}\n  expect    actd renewal_reminder_d90`), "test/unknown-outcome")).toMatchObject({
      underlined: "actd",
      hint: "did you mean `acted`?",
    });
    expect(one(test(`${DAILY}\n  expect    basis consnet`), "test/unknown-basis")).toMatchObject({ underlined: "consnet", hint: "did you mean `consent`?" });
    expect(one(test(`${DAILY}\n  expect    action emial`), "test/unknown-action").hint).toBe("did you mean `email`?");
    expect(one(test(`${DAILY}\n  expect    action email(templat: "x")`), "test/unknown-parameter")).toMatchObject({
      underlined: "templat",
      hint: "did you mean `template`?",
    });
    expect(one(test(`${DAILY}\n  expect    channel emali`), "test/unknown-channel").hint).toBe("did you mean `email`?");
  });

  it("rejects an unknown entity, field and enum value in `given`", () => {
    expect(one(test(`  event     daily\n  given     custmer { tenure_months: 1 }\n  expect    no_match`), "test/unknown-entity").hint).toBe(
      "did you mean `customer`?",
    );
    expect(one(test(`  event     daily\n  given     customer { tenure: 24 }\n  expect    no_match`), "test/unknown-field")).toMatchObject({
      underlined: "tenure",
      hint: "did you mean `tenure_months`?",
    });
    expect(one(test(`  event     daily\n  given     policy { status: "actve" }\n  expect    no_match`), "test/unknown-enum-value")).toMatchObject({
      underlined: '"actve"',
      hint: "did you mean `active`?",
    });
  });

  it("rejects an unknown event and payload field", () => {
    expect(one(test(`  event     dayly\n  expect    no_match`), "test/unknown-event").hint).toBe("did you mean `daily`?");
    expect(one(test(`  event     ticket.resolved { csta: 1 }\n  expect    no_match`), "test/unknown-event-field")).toMatchObject({
      underlined: "csta",
      hint: "did you mean `csat`?",
    });
  });

  it("rejects an unknown purpose in `consent` and `objection`, and an unknown status", () => {
    expect(one(test(`${DAILY}\n  consent   renewal granted\n  expect    no_match`), "test/unknown-purpose").hint).toBe("did you mean `renewal_marketing`?");
    expect(one(test(`${DAILY}\n  objection direct_marketting\n  expect    no_match`), "test/unknown-purpose").hint).toBe("did you mean `direct_marketing`?");
    expect(one(test(`${DAILY}\n  consent   renewal_marketing grantd\n  expect    no_match`), "test/bad-argument")).toMatchObject({
      underlined: "grantd",
      hint: "did you mean `granted`?",
    });
  });

  it("points the spellings of the proposal draft to the ones the language uses", () => {
    expect(one(test(`  event     claim.filed timer 3d\n  expect    no_match`), "test/bad-argument").message).toBe("a timed follow-up is written `after 3d`");
    expect(one(`property "p" {\n  on daily\n  given objection direct_marketing\n  expect true\n}\n`, "test/unknown-entity").hint).toBe(
      "`objection` is a statement of its own: write `objection …` without `given`",
    );
  });

  it("suggests the statement word that was meant", () => {
    expect(one(test(`${DAILY}\n  expct     acted renewal_reminder_d90\n  expect    no_match`), "test/unknown-statement")).toMatchObject({
      underlined: "expct",
      hint: "did you mean `expect`?",
    });
  });
});

describe("values and timestamps", () => {
  it("reports a timestamp without an offset once, with the fix", () => {
    const ds = check(`test "t" {\n  now       2026-03-02T10:00:00\n  event     daily\n  expect    no_match\n}\n`);
    expect(ds.filter((d) => d.severity === "error")).toEqual([
      expect.objectContaining({
        code: "syntax/invalid-datetime",
        underlined: "2026-03-02T10:00:00",
        hint: "write `2026-03-02T10:00:00Z` (`Z` is UTC; or give an offset such as `+01:00`)",
      }),
    ]);
  });

  it("reports a date where a datetime is needed, and a timestamp that is not a calendar time", () => {
    expect(one(`test "t" {\n  now       2026-03-02\n  event     daily\n  expect    no_match\n}\n`, "test/bad-argument")).toMatchObject({
      underlined: "2026-03-02",
      hint: "write `2026-03-02T00:00:00Z`, or the time you mean",
    });
    expect(one(`test "t" {\n  now       2026-02-30T10:00:00Z\n  event     daily\n  expect    no_match\n}\n`, "syntax/invalid-datetime").underlined).toBe(
      "2026-02-30T10:00:00Z",
    );
  });

  it("checks every value against its field's type", () => {
    expect(one(test(`  event     daily\n  given     customer { tenure_months: "24" }\n  expect    no_match`), "test/value-type")).toMatchObject({
      underlined: '"24"',
      hint: "remove the quotes",
    });
    expect(one(test(`  event     daily\n  given     customer { segment: retail }\n  expect    no_match`), "test/value-type").hint).toBe(
      'write it as a string: `"retail"`',
    );
    expect(one(test(`  event     daily\n  given     policy { renewal_date: 2026-05-31T00:00:00Z }\n  expect    no_match`), "test/value-type").hint).toBe(
      "a date has no time: `2026-05-31`",
    );
  });

  it("checks the members of list elements", () => {
    const list = (items: string) =>
      test(`  event     ticket.resolved { csat: 1 }\n  given     customer { segment: "retail", recent_interactions: [${items}] }\n  expect    no_match`);
    expect(one(list(`{ at: 2026-03-01T00:00:00Z, channel: "call" }`), "test/missing-member").message).toBe(
      "`customer.recent_interactions`[0] has no `sentiment`",
    );
    expect(one(list(`{ at: 2026-03-01T00:00:00Z, channel: "call", sentiment: "negative", mood: "x" }`), "test/unknown-member").underlined).toBe("mood");
    expect(one(list(`{ at: 2026-03-01T00:00:00Z, channel: "call", sentiment: "angry" }`), "test/unknown-enum-value").underlined).toBe('"angry"');
  });
});

describe("structure", () => {
  it("requires `now`, `event` and at least one `expect`", () => {
    const ds = check(`test "empty" {\n}\n`).filter((d) => d.code === "test/missing-statement");
    expect(ds.map((d) => d.message)).toEqual(['test "empty" has no `now`', 'test "empty" has no `event`', 'test "empty" has no `expect`']);
    expect(ds.every((d) => d.underlined === '"empty"')).toBe(true);
  });

  it("rejects statements given twice, two outcomes, and two tests with one name", () => {
    expect(one(test(`${DAILY}\n  event     daily\n  expect    no_match`), "test/duplicate-statement").underlined).toBe("event");
    expect(one(test(`${DAILY}\n  expect    no_match\n  expect    acted`), "test/duplicate-statement").message).toBe("the decision's outcome is expected twice");
    const dup = compile({ "j.journey": JOURNEYS, "t.journey": test(`${DAILY}\n  expect no_match`) + test(`${DAILY}\n  expect no_match`) });
    expect(dup.diagnostics.filter((d) => d.code === "test/duplicate-name")).toEqual([
      expect.objectContaining({ related: [expect.objectContaining({ message: "first named here" })] }),
    ]);
  });

  it("warns about expectations the event can never produce, and data no journey can read", () => {
    expect(
      one(
        test(`  event     ticket.resolved { csat: 1 }\n  given     customer { segment: "retail" }\n  expect    acted renewal_reminder_d90`),
        "test/not-a-candidate",
      ),
    ).toMatchObject({ severity: "warning", hint: "it runs on `daily`" });
    expect(one(test(`${DAILY}\n  given     claim { status: "filed" }\n  expect    no_match`), "test/unbound-entity")).toMatchObject({
      severity: "warning",
      underlined: "claim",
    });
    expect(one(test(`  event     claim.filed\n  expect    no_match`), "test/no-listener")).toMatchObject({
      severity: "warning",
      hint: "journeys on `claim.filed` run only at their timers: add `after 3d`",
    });
  });

  it("does not warn `test/no-listener` on a test that checks the wake-ups its event schedules", () => {
    const scheduling = test(
      `  event     claim.filed { claim_id: "c-1", at: 2026-03-02T09:00:00Z } at 2026-03-02T09:00:00Z\n  given     claim { status: "filed" }\n  expect    wakeup claim_status_update 3d`,
    );
    expect(check(scheduling).filter((d) => d.severity !== "info")).toEqual([]);
  });

  it("lists an enum's values when a test gives one that is not among them, and suggests no opposite", () => {
    expect(
      one(test(`  event     claim.filed after 3d\n  given     claim { status: "unpaid" }\n  expect    no_match`), "test/unknown-enum-value"),
    ).toMatchObject({
      message: '`"unpaid"` is not a value of `claim.status`, whose values are `"filed"`, `"assessing"`, `"approved"`, `"paid"`, `"rejected"`',
      hint: "use one of its values",
    });
  });

  it("keeps `on`, `assume` and `runs` for properties and `event` for tests", () => {
    expect(one(test(`  on        daily\n  expect    no_match`), "test/on-in-test").hint).toBe("write `event daily`");
    expect(one(test(`${DAILY}\n  runs      10\n  expect    no_match`), "test/unknown-statement").message).toBe("`runs` belongs in a `property`, not a `test`");
    expect(one(`property "p" {\n  event daily\n  expect decision.outcome != "error"\n}\n`, "test/event-in-property").hint).toBe(
      "write `on daily`; constrain the payload with `assume event.<field> …`",
    );
  });

  it("reports syntax errors inside a block with error recovery, and keeps checking the rest", () => {
    const ds = check(`test "a" {\n  now 2026-03-02T10:00:00Z\n  when x\n}\ntest "b" {\n  given customer { tenure_months: }\n}\n`);
    expect(ds.filter((d) => d.code.startsWith("syntax/")).map((d) => d.message)).toEqual([
      "expected a statement or `}`, found `when`",
      "expected a value, found `}`",
    ]);
  });
});

describe("property expressions are checked by the language's checker", () => {
  const prop = (body: string) => `property "p" {\n${body}\n}\n`;

  it("types `decision.*` with enums of outcomes and journey ids", () => {
    expect(one(prop(`  on daily\n  expect decision.journey != "renewal_reminder_d9"`), "check/unknown-enum-value")).toMatchObject({
      underlined: '"renewal_reminder_d9"',
      hint: "did you mean `renewal_reminder_d90`?",
    });
    expect(one(prop(`  on daily\n  expect decision.outcome == "actd"`), "check/unknown-enum-value").hint).toBe("did you mean `acted`?");
    expect(one(prop(`  on daily\n  expect decision.outcom == "acted"`), "check/unknown-field").hint).toBe("did you mean `outcome`?");
    expect(one(prop(`  on daily\n  expect decision.outcome`), "check/not-boolean").underlined).toBe("decision.outcome");
  });

  it("requires guards on optional fields, through named conditions too", () => {
    expect(one(prop(`  on daily\n  assume customer.nps >= 9\n  expect decision.outcome != "error"`), "check/unguarded-optional").underlined).toBe(
      "customer.nps",
    );
    expect(one(prop(`  on daily\n  expect decision.deferred_until > now`), "check/unguarded-optional").underlined).toBe("decision.deferred_until");
    const c = compile({
      "j.journey": JOURNEYS + "\ncondition promoter = customer.nps is set and customer.nps >= 9\n",
      "t.journey": prop(`  on daily\n  assume promoter and customer.nps < 10\n  expect decision.outcome != "error"`),
    });
    expect(c.diagnostics.filter((d) => d.code === "check/unguarded-optional")).toEqual([]);
  });

  it("keeps `decision` out of `assume` and `event` out of properties without `on`", () => {
    expect(one(prop(`  on daily\n  assume decision.outcome == "acted"\n  expect true`), "test/decision-in-assume").underlined).toBe("decision.outcome");
    expect(one(prop(`  assume event.csat <= 2\n  expect true`), "test/event-without-on").hint).toBe("add `on EVENT` to the property");
    expect(one(prop(`  on ticket.resolved\n  assume event.cst <= 2\n  expect true`), "check/unknown-event-field").hint).toBe("did you mean `csat`?");
  });

  it("rejects a property without `expect`, and `runs` out of range", () => {
    expect(one(prop(`  on daily`), "test/missing-statement").message).toBe('property "p" has no `expect`');
    expect(one(prop(`  on daily\n  expect true\n  runs 0`), "test/invalid-runs").underlined).toBe("0");
  });

  it("warns when a property reads data its event does not bind", () => {
    expect(one(prop(`  on ticket.resolved\n  assume policy.status == "active"\n  expect true`), "test/unbound-entity")).toMatchObject({
      severity: "warning",
      underlined: "policy.status",
    });
  });
});

describe("codes", () => {
  it("every code the test checker emits is registered, and documented in docs/testing.md", () => {
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts")) for (const m of readFileSync(p, "utf8").matchAll(/"(test\/[a-z-]+)"/g)) used.add(m[1]!);
      }
    };
    walk("compiler/tests");
    walk("testing");
    expect([...used].filter((c) => !(c in testCodes)).sort()).toEqual([]);
    const doc = readFileSync("docs/testing.md", "utf8");
    expect(Object.keys(testCodes).filter((c) => !doc.includes(`\`${c}\``))).toEqual([]);
  });

  it("checking never reports a code outside the registries", () => {
    const all = { ...syntaxCodes, ...checkCodes, ...testCodes };
    const blocks = [
      test(`${DAILY}\n  expect acted renewal_reminder_d9\n  expect basis x\n  given z { }\n  consent a b\n  history q`),
      `property "p" {\n  on dayly after 1d, 2d\n  assume decision.x\n  expect event.y\n  runs -1\n}\n`,
    ];
    for (const b of blocks) for (const d of check(b)) expect(all, d.code).toHaveProperty([d.code]);
  });
});
