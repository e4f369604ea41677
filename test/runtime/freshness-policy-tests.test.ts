// `expect stale` in the policy-test language (docs/testing.md): a test can pin that an event
// older than its catalog freshness is not acted on — the outcome word is the runtime's own
// (core/outcomes.ts) — and a test expecting another outcome of such an event fails, saying it
// was `stale`.
import { describe, expect, it } from "vitest";
import { renderText } from "../../testing/report.ts";
import { runSuite } from "../../testing/suite.ts";
import { harness } from "../policy-tests/helpers.ts";

const journey = `journey claim_ack {
  purpose  claims_handling
  on       claim.filed
  when     claim.status == "filed"
  do       sms(template: "claim-ack")
}
`;

const test = (outcome: string) => `test "a claim filed two months ago is not acknowledged" {
  now       2026-03-02T09:00:00Z
  event     claim.filed { claim_id: "cl-1", at: 2026-01-02T09:00:00Z } at 2026-01-02T09:00:00Z
  given     claim { status: "filed", filed_at: 2026-01-02T09:00:00Z, diagnosis: "x" }
  expect    ${outcome}
}

test "a claim filed a minute ago is acknowledged" {
  now       2026-03-02T09:00:00Z
  event     claim.filed { claim_id: "cl-2", at: 2026-03-02T08:59:00Z } at 2026-03-02T08:59:00Z
  given     claim { status: "filed", filed_at: 2026-03-02T08:59:00Z, diagnosis: "x" }
  expect    acted claim_ack
}
`;

describe("expect stale", () => {
  it("passes for an event older than its freshness, next to a fresh one that acts", async () => {
    const { checked, engine } = await harness({ "j.journey": journey, "t.journey": test("stale") });
    const r = await runSuite(engine, checked.program, checked.tests, checked.sources, { properties: false });
    expect(r.tests.map((t) => [t.test.name, t.passed])).toEqual([
      ["a claim filed two months ago is not acknowledged", true],
      ["a claim filed a minute ago is acknowledged", true],
    ]);
    expect(r.tests[0]!.decision.outcome).toBe("stale");
  });

  it("a test expecting the event to act fails and reports `stale`", async () => {
    const { checked, engine } = await harness({ "j.journey": journey, "t.journey": test("acted claim_ack") });
    const r = await runSuite(engine, checked.program, checked.tests, checked.sources, { properties: false });
    expect(r.tests.map((t) => t.passed)).toEqual([false, true]);
    const text = renderText(r, { sources: checked.sources, metas: new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta])) });
    expect(text).toContain("actual    `stale`");
  });
});
