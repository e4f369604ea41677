// The rollout in the service (docs/rollout.md), on the embedded stores: a canary decides for the
// subjects its bucket selects and logs its generation and arm; promote and rollback switch every
// subject; a shadow candidate decides every request again without effect and is summarised like
// `kairos diff`; the canary guard rolls back on a breached budget and on a stop-loss stop; wake-ups
// keep the version that scheduled them; an instance started with another artifact decides with
// the store's. (Two instances on PostgreSQL: the lead's canary test.)
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ArtifactFiles as CompiledFiles } from "../../compiler/index.ts";
import type { Engine } from "../../runtime/engine.ts";
import { FileSubjectKeyring, subjectKeysFileFor } from "../../runtime/log/index.ts";
import { replayLog } from "../../runtime/log/replay.ts";
import { bucketOf, inCanary } from "../../server/rollout/bucket.ts";
import { startRollout } from "../../server/rollout/changes.ts";
import { exportStoreLog, verifyStoreLog } from "../../server/store/index.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { CUSTOMER, daily, RENEWAL_CONSENT, startTestServer, type TestServer } from "./helpers.ts";

const NOW = "2026-05-30T09:00:00Z";
const dirs: string[] = [];
let v1: { files: CompiledFiles; engine: Engine };
let v2: { files: CompiledFiles; engine: Engine };

/** The spec set with the day-90 renewal reminder moved to day 91: for the daily event of CUSTOMER, v2 does not act where v1 does. */
async function changedSpec(): Promise<{ files: CompiledFiles; engine: Engine }> {
  const journeys: Record<string, string> = {};
  for (const name of ["claims", "onboarding", "renewals", "service"]) {
    const text = readFileSync(join(SPEC_POLICY_DIR, "journeys", `${name}.journey`), "utf8");
    journeys[`${name}.journey`] = name === "renewals" ? text.replace("days_until(policy.renewal_date) == 90", "days_until(policy.renewal_date) == 91") : text;
  }
  return compiledEngine(SPEC_POLICY_DIR, journeys);
}

async function publish(store: ServiceStore, files: CompiledFiles, hash: string, version: string): Promise<void> {
  await store.publishArtifact({ hash, version, approvals: [], publishedBy: "test", publishedAt: new Date().toISOString() }, Object.fromEntries(files));
}

async function serve(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  return startTestServer({
    artifact: v1.engine,
    artifactFiles: Object.fromEntries(v1.files),
    version: "v1",
    clock: "request",
    store: "sqlite:",
    rollout: { refreshMs: 0, guardMs: 0 },
    stopLoss: { intervalMs: 0, controlsRefreshMs: 0 },
    ...options,
  });
}

/** Grants the renewal consent and decides the daily event of `subject`; returns the decision. */
async function decide(t: TestServer, subject: string, id = `E-${subject}`): Promise<any> {
  await t.call("POST", `/v1/subjects/${subject}/consents`, { ...RENEWAL_CONSENT });
  const r = await t.call("POST", "/v1/decisions", daily(subject, id, NOW));
  expect(r.status, r.text).toBe(200);
  return r.json;
}

/** The store's log exported to a file. */
async function exported(t: TestServer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "kairos-rollout-log-"));
  dirs.push(dir);
  const file = join(dir, "store.log");
  await exportStoreLog(t.server.store as ServiceStore, 0, file);
  return file;
}

/** The store's log, one parsed entry per decision id. */
async function logged(t: TestServer): Promise<Map<string, any>> {
  const lines = readFileSync(await exported(t), "utf8")
    .trim()
    .split("\n");
  return new Map(lines.map((l) => JSON.parse(l)).map((e) => [e.decision_id, e]));
}

beforeAll(async () => {
  v1 = await compiledEngine(SPEC_POLICY_DIR);
  v2 = await changedSpec();
  expect(v2.engine.hash).not.toBe(v1.engine.hash);
}, 120_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the bucket", () => {
  test("is the first 8 hex digits of sha256(rollout:SALT:SUBJECT) mod 10000", async () => {
    const { createHash } = await import("node:crypto");
    const expected = Number.parseInt(createHash("sha256").update("rollout:s4lt:ana").digest("hex").slice(0, 8), 16) % 10_000;
    expect(bucketOf("s4lt", "ana")).toBe(expected);
    expect(inCanary(499, 5)).toBe(true);
    expect(inCanary(500, 5)).toBe(false);
    expect(inCanary(0, 0.01)).toBe(true);
    expect(inCanary(1, 0.01)).toBe(false);
  });
});

describe("a canary", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await serve();
    await publish(t.server.store as ServiceStore, v2.files, v2.engine.hash, "v2");
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  test("decides with the version each subject's bucket gives, logs generation and arm, and a rollback returns everyone to stable", async () => {
    const before = await decide(t, "pre-1");
    expect(before.artifact).toBe(v1.engine.hash);
    const started = await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", percent: 30, by: "ana", reason: "try day 91" });
    expect(started.status, started.text).toBe(200);
    expect(started.json.rollout).toMatchObject({
      generation: 2,
      mode: "canary",
      candidate: v2.engine.hash,
      candidate_version: "v2",
      stable_version: "v1",
      percent: 30,
      by: "ana",
    });
    expect(started.json.instance).toMatchObject({ generation: 2, mode: "canary", candidate: { version: "v2" } });
    const salt: string = started.json.rollout.salt;
    const subjects = Array.from({ length: 60 }, (_, i) => `c-${i}`);
    const decided = new Map<string, any>();
    for (const s of subjects) decided.set(s, await decide(t, s));
    const canary = subjects.filter((s) => inCanary(bucketOf(salt, s), 30));
    expect(canary.length).toBeGreaterThan(0);
    expect(canary.length).toBeLessThan(subjects.length);
    for (const s of subjects) {
      const d = decided.get(s);
      const inIt = canary.includes(s);
      expect(d.artifact, s).toBe(inIt ? v2.engine.hash : v1.engine.hash);
      // v1 acts on the day-90 reminder (or holds the subject out: 10% holdout); v2 moved it to day 91.
      if (inIt) expect(d.outcome, s).toBe("no_match");
      else expect(["acted", "held_out"], s).toContain(d.outcome);
    }
    // The same subject again: the same arm.
    const again = await decide(t, canary[0]!, "E-again");
    expect(again.artifact).toBe(v2.engine.hash);
    const log = await logged(t);
    expect(log.get(before.decision_id)).not.toHaveProperty("rollout");
    for (const s of subjects) {
      const entry = log.get(decided.get(s).decision_id);
      expect(entry.rollout).toEqual({ generation: 2, arm: canary.includes(s) ? "canary" : "stable" });
      expect(entry.artifact).toBe(decided.get(s).artifact);
    }
    // The entries carrying their rollout are chained and authenticated like every other.
    const verified = await verifyStoreLog(t.server.store as ServiceStore);
    expect(verified.ok, JSON.stringify(verified.shards.map((x) => x.problem))).toBe(true);
    // Replayed with v1: its own entries are identical (the `rollout` member is the log's, not the
    // decision's); v2's are a what-if, each differing from what v1 decides.
    const file = await exported(t);
    const key = (t.server.store as ServiceStore).keys.key;
    const replay = await replayLog(file, v1.engine, key, undefined, existsSync(subjectKeysFileFor(file)) ? FileSubjectKeyring.open(file, key) : undefined);
    const byV2 = canary.length + 1;
    expect(replay.replayed).toBe(subjects.length + 2);
    expect(replay.otherArtifact).toBe(byV2);
    expect(replay.identical).toBe(subjects.length + 2 - byV2);
    const status = await t.call("GET", "/v1/rollout");
    expect(status.status).toBe(200);
    const counts = Object.fromEntries(status.json.decisions.map((d: any) => [`${d.version}/${d.arm}`, d.decisions]));
    expect(counts).toMatchObject({ "v1/none": 1, "v1/stable": subjects.length - canary.length, "v2/canary": canary.length + 1 });
    expect(status.json.instance.canary).toMatchObject({ decisions: canary.length + 1, errors: 0 });

    const back = await t.call("POST", "/v1/rollout/rollback", { by: "ana", reason: "not yet" });
    expect(back.status, back.text).toBe(200);
    expect(back.json.rollout).toMatchObject({ generation: 3, mode: "none", action: "rollback", stable: v1.engine.hash, by: "ana", reason: "not yet" });
    expect(back.json.rollout).not.toHaveProperty("candidate");
    const after = await decide(t, canary[0]!, "E-after");
    expect(after.artifact).toBe(v1.engine.hash);
    expect((await logged(t)).get(after.decision_id)).not.toHaveProperty("rollout");
    const history = (await t.call("GET", "/v1/rollout/history")).json.history;
    expect(history.map((h: any) => [h.generation, h.action, h.mode])).toEqual([
      [1, "start", "none"],
      [2, "start", "canary"],
      [3, "rollback", "none"],
    ]);
  });

  test("refuses what cannot be done, saying how to go on", async () => {
    const unknown = await t.call("POST", "/v1/rollout", { candidate: "v9", mode: "canary", percent: 5, by: "ana" });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: "not_registered" });
    expect(unknown.json.error.hint).toContain("kairos artifacts publish");
    const noPercent = await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", by: "ana" });
    expect(noPercent.status).toBe(400);
    expect(noPercent.json.error.problems[0].path).toBe("percent");
    const tooFine = await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", percent: 0.001, by: "ana" });
    expect(tooFine.status).toBe(400);
    expect(tooFine.json.error.code).toBe("invalid");
    const same = await t.call("POST", "/v1/rollout", { candidate: "v1", mode: "shadow", by: "ana" });
    expect(same.status).toBe(409);
    expect(same.json.error.code).toBe("same_version");
    const nothing = await t.call("POST", "/v1/rollout/promote", { by: "ana" });
    expect(nothing.status).toBe(409);
    expect(nothing.json.error.code).toBe("no_rollout");
    expect((await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", percent: 5, by: "ana" })).status).toBe(200);
    const twice = await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", percent: 5, by: "bo" });
    expect(twice.status).toBe(409);
    expect(twice.json.error).toMatchObject({ code: "rollout_active" });
    const reader = t.token("reader", ["audit:read"]);
    expect((await t.call("POST", "/v1/rollout/rollback", { by: "x" }, { token: reader })).status).toBe(403);
    expect((await t.call("POST", "/v1/rollout/rollback", { by: "ana" })).status).toBe(200);
  });
});

describe("promote", () => {
  test("makes the candidate stable for every subject; another instance on the store picks the change up when it reads it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "kairos-rollout-promote-"));
    dirs.push(dataDir);
    const t = await serve({ dataDir });
    try {
      const store = t.server.store as ServiceStore;
      await publish(store, v2.files, v2.engine.hash, "v2");
      // Written straight to the store, as `kairos rollout start --store` does: this instance sees it at its next read.
      await startRollout(store, { candidate: "v2", mode: "canary", percent: 100, by: "ana" });
      expect((await t.call("GET", "/v1/rollout")).json.instance.generation).toBe(1);
      expect((await decide(t, "p-1")).artifact).toBe(v1.engine.hash);
      await t.server.rollout.router.refresh();
      expect((await t.call("GET", "/v1/rollout")).json.instance.generation).toBe(2);
      expect((await decide(t, "p-2")).artifact).toBe(v2.engine.hash);
      const promoted = await t.call("POST", "/v1/rollout/promote", { by: "ana" });
      expect(promoted.json.rollout).toMatchObject({ generation: 3, mode: "none", action: "promote", stable: v2.engine.hash, stable_version: "v2" });
      expect((await decide(t, "p-3")).artifact).toBe(v2.engine.hash);
      const ready = await t.call("GET", "/readyz");
      expect(ready.json).toMatchObject({ artifact: v2.engine.hash, rollout: { generation: 3, mode: "none", stable: "v2" } });
    } finally {
      await t.close();
    }
    // Started again with v1: the store says v2 is stable, so it decides with v2 and says why.
    const again = await serve({ dataDir });
    try {
      expect((await decide(again, "p-4")).artifact).toBe(v2.engine.hash);
      expect(again.errors.join("\n")).toMatch(/the store's stable version is v2 .* not the given v1/);
      expect(again.errors.join("\n")).toContain("kairos rollout start v1 --canary 5%");
    } finally {
      await again.close();
    }
  });
});

describe("a shadow rollout", () => {
  test("decides every request with the stable version and again with the candidate, without effect, summarised like a diff", async () => {
    const t = await serve();
    try {
      const store = t.server.store as ServiceStore;
      await publish(store, v2.files, v2.engine.hash, "v2");
      const started = await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "shadow", by: "ana" });
      expect(started.status, started.text).toBe(200);
      const subjects = Array.from({ length: 8 }, (_, i) => `s-${i}`);
      for (const s of subjects) {
        const d = await decide(t, s);
        expect(d.artifact).toBe(v1.engine.hash);
        expect(["acted", "held_out"]).toContain(d.outcome);
      }
      await t.server.rollout.shadow!.flush();
      const rows = await store.shadowResults(2);
      expect(rows.map((r) => r.subject).sort()).toEqual([...subjects].sort());
      expect(rows.every((r) => !r.same && JSON.parse(r.candidate).outcome === "no_match")).toBe(true);
      // Without effect: only the stable decisions are in the log and in the cap history.
      expect([...(await logged(t)).values()].every((e) => e.artifact === v1.engine.hash && e.rollout?.arm === "stable")).toBe(true);
      const status = (await t.call("GET", "/v1/rollout")).json;
      expect(status.shadow).toMatchObject({ generation: 2, active: true, summary: { compared: 8, changed: 8 } });
      const transitions = status.shadow.summary.transitions;
      expect(transitions.every((x: any) => x.journey === "renewal_reminder_d90" && x.to === "no_match")).toBe(true);
      expect(transitions.reduce((n: number, x: any) => n + x.count, 0)).toBe(8);
    } finally {
      await t.close();
    }
  });
});

describe("the canary guard", () => {
  test("rolls a canary back when its p99 latency breaches the budget, recording why", async () => {
    const t = await serve();
    try {
      const store = t.server.store as ServiceStore;
      await publish(store, v2.files, v2.engine.hash, "v2");
      const started = await t.call("POST", "/v1/rollout", {
        candidate: "v2",
        mode: "canary",
        percent: 100,
        budget: { max_p99_ms: 0.000001, min_decisions: 3 },
        by: "ana",
      });
      expect(started.status, started.text).toBe(200);
      const guard = t.server.rollout.guard!;
      await decide(t, "g-1");
      await decide(t, "g-2");
      expect(await guard.check()).toBeUndefined(); // 2 decisions: not judged yet
      await decide(t, "g-3");
      const breach = await guard.check();
      expect(breach?.detail).toMatchObject({ metric: "p99_ms", threshold: 0.000001, decisions: 3 });
      const state = await store.rollout();
      expect(state).toMatchObject({ generation: 3, mode: "none", action: "auto_rollback", by: "auto-rollback", stable: v1.engine.hash });
      expect(state.reason).toContain("p99 decision latency");
      expect(state.detail).toMatchObject({ metric: "p99_ms", candidate: v2.engine.hash });
      expect((await decide(t, "g-4")).artifact).toBe(v1.engine.hash);
      // A second check (another instance's, say) finds nothing left to roll back.
      expect(await guard.check()).toBeUndefined();
      expect((await store.rolloutHistory()).filter((s) => s.action === "auto_rollback")).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  test("rolls a canary back when a stop-loss stops a journey during it", async () => {
    const t = await serve();
    try {
      const store = t.server.store as ServiceStore;
      await publish(store, v2.files, v2.engine.hash, "v2");
      expect((await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", percent: 50, by: "ana" })).status).toBe(200);
      const guard = t.server.rollout.guard!;
      expect(await guard.check()).toBeUndefined();
      const stop = {
        journey: "renewal_reminder_d90",
        state: "stopped" as const,
        by: "stop-loss",
        reason: "complaint_rate 9% > 3% over 120 treated subjects",
        since: NOW,
        sinceId: 0,
      };
      expect(await store.setJourneyControl(stop, "active")).toBe(true);
      await t.server.service.controls!.refresh();
      const breach = await guard.check();
      expect(breach?.detail).toMatchObject({ metric: "stop_loss", journey: "renewal_reminder_d90" });
      const state = await store.rollout();
      expect(state).toMatchObject({ action: "auto_rollback", by: "auto-rollback", mode: "none" });
      expect(state.reason).toContain("stop-loss of journey `renewal_reminder_d90`");
    } finally {
      await t.close();
    }
  });
});

describe("wake-ups", () => {
  test("keep the version that scheduled them through a canary and a promote", async () => {
    const t = await serve();
    try {
      const store = t.server.store as ServiceStore;
      await publish(store, v2.files, v2.engine.hash, "v2");
      const at = "2026-05-27T10:00:00Z";
      const claim = {
        event: { type: "claim.filed", id: "K-w", at, payload: { claim_id: "K-w", at } },
        subject: "w-1",
        region: "eu",
        now: at,
        context: CUSTOMER,
      };
      const first = await t.call("POST", "/v1/decisions", claim);
      expect(first.json.artifact).toBe(v1.engine.hash);
      expect((await store.pendingWakeups("w-1")).map((w) => [w.timer, w.artifact])).toEqual([
        ["3d", v1.engine.hash],
        ["7d", v1.engine.hash],
      ]);
      expect((await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", percent: 100, by: "ana" })).status).toBe(200);
      expect((await t.call("POST", "/v1/admin/wakeups/run", { until: "2026-05-30T10:00:00Z" })).json).toEqual({ ran: 1, duplicates: 0, failed: 0 });
      const day3 = await store.findByEvent({ subject: "w-1", eventId: "K-w", timer: "3d" });
      expect(day3).toMatchObject({ artifact: v1.engine.hash, journey: "claim_status_update" });
      expect((await logged(t)).get(day3!.decision_id).rollout).toEqual({ generation: 2, arm: "stable" });
      expect((await t.call("POST", "/v1/rollout/promote", { by: "ana" })).status).toBe(200);
      expect((await t.call("POST", "/v1/admin/wakeups/run", { until: "2026-06-05T10:00:00Z" })).json).toEqual({ ran: 1, duplicates: 0, failed: 0 });
      const day7 = await store.findByEvent({ subject: "w-1", eventId: "K-w", timer: "7d" });
      expect(day7).toMatchObject({ artifact: v1.engine.hash });
      expect((await logged(t)).get(day7!.decision_id)).not.toHaveProperty("rollout");
    } finally {
      await t.close();
    }
  });
});

describe("a policy set served as a directory", () => {
  test("is published as compiled at start and becomes the stable version, its files in the registry", async () => {
    const first = await startTestServer({ artifact: SPEC_POLICY_DIR, store: "sqlite:" });
    let hash: string;
    try {
      const store = first.server.store as ServiceStore;
      const registered = await store.artifacts();
      hash = first.server.engine.hash;
      expect(registered.map((a) => a.hash)).toEqual([hash]);
      expect(registered[0]!.version).toBe(`sha-${hash.slice(0, 12)}`);
      expect((await store.rollout()).stable).toBe(hash);
      // The registry's files are the compiled artifact's: they load as the same engine.
      expect(Object.keys((await store.artifactFiles(hash)) ?? {})).toContain("manifest.json");
    } finally {
      await first.close();
    }
  }, 120_000);
});
