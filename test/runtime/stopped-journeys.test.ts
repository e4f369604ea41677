// Journeys stopped by their stop-loss (docs/runtime.md#stopped-journeys): the engine suppresses a
// stopped journey's candidate with the reason it is given, before consent screening (the policy
// is not asked about it, nothing is fetched for it), and decides the rest as usual; without
// stopped journeys the decision is byte for byte what it was. A logged decision is replayed with
// the journeys it found stopped (read back from its evaluations), so replay stays identical.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { Reason } from "../../runtime/decision.ts";
import { decisionJson } from "../../runtime/engine.ts";
import { piiLookupOf } from "../../runtime/log/pseudonymize.ts";
import { replayLog, stoppedOf } from "../../runtime/log/replay.ts";
import { openLog, TEST_KEY, tempDir } from "../log/helpers.ts";
import { engine, FakePolicy, fullContext, journey, RecordingProvider, request } from "./fixtures.ts";

const STOP: Reason = {
  code: "stop_loss",
  message: "stopped by its stop-loss: complaint_rate 4.00% > 3% over 120 treated subjects; a person must resume it",
  since: "2026-05-29T08:00:00Z",
  by: "stop-loss",
};
const stopped = (...ids: string[]): ReadonlyMap<string, Reason> => new Map(ids.map((id) => [id, STOP]));

const hi = journey({ id: "hi", priority: 9, purpose: "renewal_marketing", fields: ["policy.premium"] });
const lo = journey({ id: "lo", priority: 1, fields: ["customer.segment"] });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("a stopped journey", () => {
  test("is suppressed with its stop reason before screening, and the next journey wins", async () => {
    const policy = new FakePolicy();
    const provider = new RecordingProvider(fullContext());
    const d = await engine([hi, lo], policy).decide(request(), { provider, stopped: stopped("hi") });
    expect(d).toMatchObject({ outcome: "acted", journey: "lo" });
    expect(d.evaluations[0]).toEqual({ journey: "hi", outcome: "suppressed", purpose: "renewal_marketing", priority: 9, reasons: [STOP], trace: [] });
    // Not asked about, not fetched for: only `lo` reached the policy and the provider.
    expect(policy.calls.map((c) => c.candidates.map((x) => x.journey))).toEqual([["lo"]]);
    expect(provider.asked).toEqual([["customer.segment"]]);
    expect(d.fields).toEqual(["customer.segment"]);
  });

  test("when every candidate is stopped the decision is suppressed, nothing asked and nothing fetched", async () => {
    const policy = new FakePolicy();
    const provider = new RecordingProvider(fullContext());
    const d = await engine([hi, lo], policy).decide(request(), { provider, stopped: stopped("hi", "lo") });
    expect(d.outcome).toBe("suppressed");
    expect(d.journey).toBeUndefined();
    expect(d.action).toBeUndefined();
    expect(d.evaluations.map((e) => [e.journey, e.outcome, e.reasons?.[0]?.code])).toEqual([
      ["hi", "suppressed", "stop_loss"],
      ["lo", "suppressed", "stop_loss"],
    ]);
    expect(policy.calls).toEqual([]);
    expect(provider.asked).toEqual([]);
  });

  test("a stopped journey that is not a candidate changes nothing, and no stopped journeys gives the same bytes", async () => {
    const e = engine([hi, lo]);
    const plain = decisionJson(await e.decide(request()));
    expect(decisionJson(await e.decide(request(), { stopped: new Map() }))).toBe(plain);
    expect(decisionJson(await e.decide(request(), { stopped: stopped("elsewhere") }))).toBe(plain);
    expect(JSON.parse(plain)).toMatchObject({ outcome: "acted", journey: "hi" });
  });
});

describe("replay of a decision made with a stopped journey", () => {
  test("reads the stopped journeys back from the logged evaluations and re-decides identically", async () => {
    const e = engine([hi, lo]);
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir, "decisions.log");
    const log = openLog(file, { pii: piiLookupOf(e.catalog), journeys: e.predicates.journeys.map((j) => j.meta) });
    const withStop = await e.decideRecord(request({ event: { type: "daily", id: "e-stop" } }), { stopped: stopped("hi") });
    const without = await e.decideRecord(request({ event: { type: "daily", id: "e-run" } }));
    log.append(withStop.entry);
    log.append(without.entry);
    log.close();
    expect(withStop.decision.journey).toBe("lo");
    expect(stoppedOf(withStop.decision)).toEqual(new Map([["hi", STOP]]));
    expect(stoppedOf(without.decision)).toBeUndefined();
    // The same request decided today without the stop would act on `hi`: replay must not.
    expect((await e.decide(request({ event: { type: "daily", id: "e-stop" } }))).journey).toBe("hi");
    expect(await replayLog(file, e, TEST_KEY)).toMatchObject({ replayed: 2, identical: 2, differences: [] });
  });

  test("a reason of another code on a suppressed candidate is not a stop", () => {
    const decision = {
      decision_id: "d_x",
      outcome: "acted",
      fields: [],
      artifact: "a",
      evaluations: [
        { journey: "x", outcome: "suppressed", purpose: "p", priority: 1, reasons: [{ code: "lost_arbitration", message: "m" }], trace: [] },
        { journey: "y", outcome: "acted", purpose: "p", priority: 2, reasons: [STOP], trace: [] },
      ],
    } as const;
    expect(stoppedOf(decision as never)).toBeUndefined();
  });
});
