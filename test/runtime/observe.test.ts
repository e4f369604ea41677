// The stage observer of `DecideOptions.observe`: once per stage that ran, in order, with a
// duration; stages that did not run are not reported; a throwing observer changes nothing.
import { describe, expect, test } from "vitest";
import type { DecisionStage } from "../../runtime/observe.ts";
import { MemorySink } from "../../runtime/sink.ts";
import { engine, FakePolicy, journey, request } from "./fixtures.ts";

function recorder() {
  const seen: [DecisionStage, number][] = [];
  return { seen, observe: (stage: DecisionStage, ms: number) => void seen.push([stage, ms]) };
}

const j = journey({ id: "j", fields: ["policy.status"] });

describe("stage observer", () => {
  test("reports every stage once, in order, with a non-negative duration", async () => {
    const r = recorder();
    const d = await engine([j]).decide(request(), { observe: r.observe, sink: new MemorySink() });
    expect(d.outcome).toBe("acted");
    expect(r.seen.map(([s]) => s)).toEqual(["validate", "policy", "fetch", "predicates", "guardrails", "log"]);
    for (const [, ms] of r.seen) expect(ms).toBeGreaterThanOrEqual(0);
  });

  test("leaves out the stages that did not run", async () => {
    const invalid = recorder();
    await engine([j]).decide({ ...request(), now: "soon" }, { observe: invalid.observe });
    expect(invalid.seen.map(([s]) => s)).toEqual(["validate"]);

    const noFields = recorder();
    await engine([journey({ id: "k" })]).decide(request(), { observe: noFields.observe });
    expect(noFields.seen.map(([s]) => s)).toEqual(["validate", "policy", "predicates", "guardrails"]);

    const denied = recorder();
    await engine([j], new FakePolicy({ j: "consent" })).decide(request(), { observe: denied.observe });
    expect(denied.seen.map(([s]) => s)).toEqual(["validate", "policy", "predicates", "guardrails"]);

    const failing = recorder();
    await engine([j], new FakePolicy({}, new Error("down"))).decide(request(), { observe: failing.observe });
    expect(failing.seen.map(([s]) => s)).toEqual(["validate", "policy"]);
  });

  test("an observer that throws does not change the decision", async () => {
    const quiet = await engine([j]).decide(request());
    const loud = await engine([j]).decide(request(), {
      observe: () => {
        throw new Error("metrics are down");
      },
    });
    expect(loud).toEqual(quiet);
  });
});
