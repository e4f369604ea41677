// The pieces of a rollout that decide on their own (docs/rollout.md): the canary budget's judgement
// (error rate, p99 by nearest rank, nothing before `minDecisions`), the stop-loss breach, and an
// instance facing a rollout it cannot apply — a candidate that does not load keeps it on the version
// set it has, reported once and shown as `instance.problem`; a store whose stable version does not
// load stops the start with what to do.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { judgeBudget, p99, stopLossBreach } from "../../server/rollout/auto-rollback.ts";
import { StartError } from "../../server/index.ts";
import { openStore } from "../../server/store/index.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { daily, RENEWAL_CONSENT, startTestServer } from "./helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const NOW = "2026-05-30T09:00:00Z";
const BOGUS = "ab".repeat(32);

describe("the canary budget", () => {
  test("is judged only once the candidate made `minDecisions`, then on its error rate", () => {
    const budget = { maxErrorRate: 0.02, minDecisions: 50 };
    expect(judgeBudget(budget, { decisions: 49, errors: 49, latenciesMs: [] })).toBeUndefined();
    expect(judgeBudget(budget, { decisions: 50, errors: 1, latenciesMs: [] })).toBeUndefined();
    const breach = judgeBudget(budget, { decisions: 50, errors: 2, latenciesMs: [] });
    expect(breach?.detail).toEqual({ metric: "error_rate", value: 0.04, threshold: 0.02, decisions: 50, errors: 2, window: "since the canary started" });
    expect(breach?.reason).toBe("the candidate's error rate 4% is above the budget's 2% over 50 decisions");
  });

  test("defaults to 1% errors after 100 decisions, and no latency budget", () => {
    expect(judgeBudget(undefined, { decisions: 100, errors: 1, latenciesMs: [5000] })).toBeUndefined();
    expect(judgeBudget(undefined, { decisions: 100, errors: 2, latenciesMs: [] })?.detail["metric"]).toBe("error_rate");
  });

  test("takes the p99 by nearest rank, and breaches only above the budget", () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
    expect(p99(latencies)).toBe(99);
    expect(p99([7])).toBe(7);
    expect(p99([])).toBe(0);
    const stats = { decisions: 100, errors: 0, latenciesMs: latencies };
    expect(judgeBudget({ maxP99Ms: 99, minDecisions: 100 }, stats)).toBeUndefined();
    expect(judgeBudget({ maxP99Ms: 98.5, minDecisions: 100 }, stats)?.detail).toMatchObject({ metric: "p99_ms", value: 99, threshold: 98.5 });
  });

  test("a stop-loss stop counts only when it came after the canary was applied", () => {
    const stop = { journey: "j", state: "stopped" as const, by: "stop-loss", reason: "complaints", since: NOW, sinceId: 0 };
    expect(stopLossBreach(new Map([["j", NOW]]), [stop])).toBeUndefined();
    expect(stopLossBreach(new Map(), [{ ...stop, state: "active" }])).toBeUndefined();
    expect(stopLossBreach(new Map([["j", "2026-01-01T00:00:00Z"]]), [stop])?.detail).toMatchObject({ metric: "stop_loss", journey: "j", stopped_at: NOW });
  });
});

describe("an instance", () => {
  test("keeps deciding with the version set it has when a rollout's candidate does not load, and says why once", async () => {
    const v1 = await compiledEngine(SPEC_POLICY_DIR);
    const t = await startTestServer({
      artifact: v1.engine,
      artifactFiles: Object.fromEntries(v1.files),
      clock: "request",
      store: "sqlite:",
      rollout: { refreshMs: 0, guardMs: 0 },
    });
    try {
      const store = t.server.store as ServiceStore;
      const current = await store.rollout();
      // A canary of a hash the registry does not have (written straight to the store: the routes refuse it).
      const next = {
        ...current,
        generation: current.generation + 1,
        mode: "canary" as const,
        candidate: BOGUS,
        percent: 100,
        salt: "s",
        action: "start",
        by: "x",
      };
      expect(await store.setRollout(next, current.generation)).toBe(true);
      const router = t.server.rollout.router;
      for (let i = 0; i < 3; i++) await router.refreshReported();
      const status = (await t.call("GET", "/v1/rollout")).json;
      expect(status.rollout.generation).toBe(2);
      expect(status.instance.generation).toBe(1);
      expect(status.instance.problem).toContain(`version ${BOGUS} cannot be loaded`);
      expect(t.errors.filter((l) => l.includes(BOGUS))).toHaveLength(2); // the failed load, and the read that could not be applied: once each
      await t.call("POST", "/v1/subjects/u-1/consents", RENEWAL_CONSENT);
      const d = await t.call("POST", "/v1/decisions", daily("u-1", "E-1", NOW));
      expect(d.json.artifact).toBe(v1.engine.hash);
    } finally {
      await t.close();
    }
  }, 120_000);

  test("does not start when the store's stable version cannot be loaded, saying what to do", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "kairos-rollout-stable-"));
    dirs.push(dataDir);
    const store = await openStore(undefined, { dataDir });
    try {
      const first = { generation: 1, stable: BOGUS, mode: "none" as const, action: "start", by: "kairos serve", reason: "first", since: NOW };
      expect(await store.setRollout(first, 0)).toBe(true);
    } finally {
      await store.close();
    }
    const v1 = await compiledEngine(SPEC_POLICY_DIR);
    const error = await startTestServer({ artifact: v1.engine, dataDir, clock: "request" }).then(
      async (t) => {
        await t.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartError);
    expect((error as StartError).code).toBe("start/stable-not-loadable");
    expect((error as StartError).message).toContain(BOGUS);
    expect((error as StartError).hint).toContain("kairos artifacts publish");
  }, 120_000);
});
