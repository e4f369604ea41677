// The store conformance suite: every behaviour of the Store interface (server/store/types.ts),
// run against ALL THREE backends — the embedded PGlite store, the SQLite store (`sqlite:`,
// node:sqlite) and a real PostgreSQL 15 cluster this file starts itself (test/helpers/postgres.ts;
// KAIROS_TEST_PG_URL to use an existing server). "Two instances" are two Store objects on one
// database for PostgreSQL; the embedded stores are one process by design (see process.test.ts),
// so there both are the same instance, used concurrently.
import { describe, expect, it } from "vitest";
import { verifyLog } from "../../runtime/log/verify.ts";
import { exportStoreLog, StoreError, verifyStoreLog, type OpenStoreOptions, type SqlStore } from "../../server/store/index.ts";
import type { CommitResult, PendingCommit } from "../../server/store/types.ts";
import { KEYS, pending, tempDir } from "./helpers.ts";
import { storeLifecycle } from "./lifecycle.ts";
import { join } from "node:path";
import { readFileSync, rmSync, statSync } from "node:fs";
import { readCheckpoints } from "../../runtime/log/checkpoint.ts";

interface Backend {
  readonly name: "pglite" | "sqlite" | "postgres";
  /** One process by design (a lock file): a second instance is the first one. */
  readonly single: boolean;
  /** A fresh, empty store location. */
  fresh(): Promise<Location>;
}

interface Location {
  open(options?: Partial<OpenStoreOptions>): Promise<SqlStore>;
  /** A second instance on the same store (the same one for the embedded store). */
  second(first: SqlStore, options?: Partial<OpenStoreOptions>): Promise<SqlStore>;
}

const stores = storeLifecycle();

const pglite: Backend = {
  name: "pglite",
  single: true,
  async fresh() {
    const dataDir = tempDir();
    return {
      open: async (o = {}) => stores.open("pglite:", dataDir, o),
      second: async (first) => first,
    };
  },
};

const sqlite: Backend = {
  name: "sqlite",
  single: true,
  async fresh() {
    const dataDir = tempDir();
    return {
      open: async (o = {}) => stores.open("sqlite:", dataDir, o),
      second: async (first) => first,
    };
  },
};

const pgBackend: Backend = {
  name: "postgres",
  single: false,
  async fresh() {
    const url = await stores.createPostgresDatabase();
    const dataDir = tempDir();
    return {
      open: async (o = {}) => stores.open(url, dataDir, o),
      second: async (_first, o = {}) => stores.open(url, dataDir, o),
    };
  },
};

const T0 = "2026-05-30T09:00:00Z";
const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString().replace(".000Z", "Z");

/** A realistic check-then-commit loop: read the state, apply the cap, commit, retry on conflict. */
async function decideWithCap(store: SqlStore, subject: string, eventId: string, cap: number, windowStartMs: number): Promise<"acted" | "capped" | "duplicate"> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const dup = await store.findByEvent({ subject, eventId, timer: "" });
    if (dup) return "duplicate";
    const state = await store.state(subject, windowStartMs);
    const acted = state.history.length < cap;
    const item = acted
      ? pending({ subject, eventId, version: state.version, historyAt: at(attempt % 5) })
      : pending({ subject, eventId, version: state.version, sample: 3 });
    const [r] = await store.commit([item]);
    if (r?.status === "committed") return acted ? "acted" : "capped";
    if (r?.status === "duplicate") return "duplicate";
  }
  throw new Error("no commit after 200 tries");
}

describe.each([pglite, sqlite, pgBackend])("store conformance: $name", (backend) => {
  it("appends consent records and objections, oldest first, and bumps the subject's version each time", async () => {
    const store = await (await backend.fresh()).open();
    expect((await store.state("s1")).version).toBe(0);
    const first = await store.addConsents("s1", [
      { purpose: "renewal_marketing", channel: "email", status: "granted", at: at(0) },
      { purpose: "service_updates", status: "granted", at: at(1) },
    ]);
    expect(first.map((c) => c.purpose)).toEqual(["renewal_marketing", "service_updates"]);
    expect(first[0]!.id).toMatch(/^cr_\d+$/);
    const withdrawal = await store.addConsents("s1", [{ purpose: "renewal_marketing", channel: "email", status: "withdrawn", at: at(2) }]);
    await store.addObjections("s1", [{ scope: "profiling", at: at(3) }]);
    const { consents, objections } = await store.consents("s1");
    expect(consents.map((c) => [c.purpose, c.status])).toEqual([
      ["renewal_marketing", "granted"],
      ["service_updates", "granted"],
      ["renewal_marketing", "withdrawn"],
    ]);
    expect(consents[2]!.id).toBe(withdrawal[0]!.id);
    expect(objections).toMatchObject([{ scope: "profiling", at: at(3) }]);
    const state = await store.state("s1");
    expect(state.version).toBe(3);
    expect(state.consents).toHaveLength(3);
    expect((await store.consents("other")).consents).toEqual([]);
  });

  it("commits a decision with its history, bumps the version and returns the history since a time", async () => {
    const store = await (await backend.fresh()).open();
    const [r1] = await store.commit([pending({ subject: "s2", version: 0, historyAt: at(0) })]);
    expect(r1).toMatchObject({ status: "committed", position: { shard: 0, seq: 1 } });
    const [r2] = await store.commit([pending({ subject: "s2", version: 1, historyAt: at(60) })]);
    expect(r2).toMatchObject({ status: "committed", position: { seq: 2 } });
    const all = await store.state("s2");
    expect(all.version).toBe(2);
    expect(all.history.map((h) => h.at)).toEqual([at(0), at(60)]);
    expect(all.history[0]).toMatchObject({ subject: "s2", channel: "email", purpose: "renewal_marketing", journey: "renewal_reminder_d90" });
    const recent = await store.state("s2", Date.parse(at(30)));
    expect(recent.history.map((h) => h.at)).toEqual([at(60)]);
  });

  it("is idempotent by (subject, event id, timer): the same event again returns the first decision and writes nothing", async () => {
    const store = await (await backend.fresh()).open();
    const first = pending({ subject: "s3", eventId: "e1", version: 0, historyAt: at(0) });
    expect((await store.commit([first]))[0]!.status).toBe("committed");
    const again = pending({ subject: "s3", eventId: "e1", version: 1, historyAt: at(0) });
    const [r] = await store.commit([again]);
    expect(r).toEqual({ status: "duplicate", decision: first.decision });
    expect(await store.findByEvent({ subject: "s3", eventId: "e1", timer: "" })).toEqual(first.decision);
    expect(await store.findByEvent({ subject: "s3", eventId: "e1", timer: "3d" })).toBeUndefined();
    // The same key twice in one batch: the second is a duplicate of the first.
    const a = pending({ subject: "s3", eventId: "e2", version: 1 });
    const b = pending({ subject: "s3", eventId: "e2", version: 1 });
    const rs = await store.commit([a, b]);
    expect(rs.map((x) => x.status)).toEqual(["committed", "duplicate"]);
    expect((await store.heads())[0]!.seq).toBe(2);
    expect((await store.state("s3")).history).toHaveLength(1);
  });

  it("decides an event again after an `error` decision: the error stays in the log, superseded; the new decision answers the key", async () => {
    const store = await (await backend.fresh()).open();
    const failed = pending({
      subject: "s9",
      eventId: "e1",
      version: 0,
      sample: 3,
      decision: { outcome: "error", error: { code: "provider_timeout", message: "no answer" } },
    });
    expect((await store.commit([failed]))[0]!.status).toBe("committed");
    expect((await store.findByEvent(failed.key))?.outcome).toBe("error");
    // The same event again (the provider answers now): committed, not a duplicate of the error.
    const retried = pending({ subject: "s9", eventId: "e1", version: 1, historyAt: at(0) });
    expect((await store.commit([retried]))[0]!.status).toBe("committed");
    expect(await store.findByEvent(retried.key)).toEqual(retried.decision);
    // Once answered by a decision that is not an error, the event is closed.
    const again = pending({ subject: "s9", eventId: "e1", version: 2 });
    expect(await store.commit([again])).toEqual([{ status: "duplicate", decision: retried.decision }]);
    expect((await store.getDecision(failed.decision.decision_id))?.decision.outcome).toBe("error");
    expect((await store.heads())[0]!.seq).toBe(2);
    expect((await store.state("s9")).history).toHaveLength(1);
    expect((await verifyStoreLog(store)).ok).toBe(true);
  });

  it("refuses a commit whose version moved (conflict), writing nothing for it while the rest of the batch commits", async () => {
    const store = await (await backend.fresh()).open();
    await store.addConsents("s4", [{ purpose: "renewal_marketing", status: "granted", at: at(0) }]);
    const stale = pending({ subject: "s4", eventId: "stale", version: 0, historyAt: at(0) });
    const fine = pending({ subject: "s5", eventId: "fine", version: 0 });
    const rs = await store.commit([stale, fine]);
    expect(rs.map((x) => x.status)).toEqual(["conflict", "committed"]);
    expect(await store.findByEvent(stale.key)).toBeUndefined();
    expect(await store.getDecision(stale.decision.decision_id)).toBeUndefined();
    expect((await store.state("s4")).history).toEqual([]);
    expect((await store.state("s4")).version).toBe(1);
    const stored = await store.getDecision(fine.decision.decision_id);
    expect(stored).toMatchObject({ subject: "s5", key: fine.key, position: { shard: 0, seq: 1 } });
    expect(JSON.parse(stored!.line)).toMatchObject({ decision_id: fine.decision.decision_id, seq: 1 });
  });

  it("holds a cap under concurrent check-then-commit loops from two instances (at most N in the window)", async () => {
    const loc = await backend.fresh();
    const a = await loc.open();
    const b = await loc.second(a);
    const cap = 3;
    const window = Date.parse(T0) - 86_400_000;
    const runs = Array.from({ length: 24 }, (_, i) => decideWithCap(i % 2 === 0 ? a : b, "capped-subject", `evt-${i}`, cap, window));
    const outcomes = await Promise.all(runs);
    expect(outcomes.filter((o) => o === "acted")).toHaveLength(cap);
    expect(outcomes.filter((o) => o === "capped")).toHaveLength(24 - cap);
    expect((await a.state("capped-subject")).history).toHaveLength(cap);
    expect((await verifyStoreLog(a)).ok).toBe(true);
  });

  it("keeps one intact chain per shard under concurrent commits from two instances: 0 lost, 0 duplicated", async () => {
    const loc = await backend.fresh();
    const a = await loc.open({ shards: 4 });
    const b = await loc.second(a, { shards: 4 });
    const committed: Array<{ id: string; result: CommitResult }> = [];
    const worker = async (store: SqlStore, w: number): Promise<void> => {
      for (let round = 0; round < 6; round++) {
        const items: PendingCommit[] = [];
        for (let k = 0; k < 5; k++) {
          const subject = `chain-${w}-${k}`;
          items.push(pending({ subject, eventId: `r${round}`, version: round }));
        }
        const rs = await store.commit(items);
        for (const [i, result] of rs.entries()) committed.push({ id: items[i]!.decision.decision_id, result });
      }
    };
    await Promise.all([worker(a, 0), worker(b, 1), worker(a, 2), worker(b, 3)]);
    expect(committed.every((c) => c.result.status === "committed")).toBe(true);
    const positions = committed.map((c) => (c.result.status === "committed" ? `${c.result.position.shard}:${c.result.position.seq}` : ""));
    expect(new Set(positions).size).toBe(committed.length);
    const heads = await a.heads();
    expect(heads).toHaveLength(4);
    expect(heads.reduce((n, h) => n + h.seq, 0)).toBe(committed.length);
    const result = await verifyStoreLog(a);
    expect(result.shards.map((s) => s.problem ?? "ok")).toEqual(["ok", "ok", "ok", "ok"]);
    // Every shard exported as a file verifies offline under the integrity key.
    const dir = tempDir();
    for (const h of heads) {
      const file = join(dir, `shard-${h.shard}.jsonl`);
      await exportStoreLog(a, h.shard, file);
      const r = verifyLog(file, { integrityKey: KEYS.integrityKey });
      expect(r).toMatchObject({ ok: true, entries: h.seq, authenticated: true, head: { seq: h.seq, hash: h.hash } });
    }
    for (const c of committed) expect(await a.getDecision(c.id)).toBeDefined();
  });

  it("writes signed checkpoints every N entries that the exported file verifies against", async () => {
    const store = await (await backend.fresh()).open({ checkpointEvery: 4 });
    for (let i = 0; i < 10; i++) await store.commit([pending({ subject: `cp-${i}`, version: 0 })]);
    const cps = await store.checkpoints(0);
    expect(cps.map((c) => c.seq)).toEqual([4, 8]);
    const file = join(tempDir(), "cp.jsonl");
    await exportStoreLog(store, 0, file);
    const fromFile = readCheckpoints(`${file}.checkpoints`);
    expect(fromFile).toEqual(cps);
    const r = verifyLog(file, { integrityKey: KEYS.integrityKey, checkpoints: fromFile });
    expect(r.ok).toBe(true);
    expect(r.checkpoints?.every((c) => c.problem === undefined && c.trusted)).toBe(true);
    // Ten lines and the final newline, exactly as the file log writes them.
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(11);
  });

  it("leases each due wake-up to exactly one of two instances; an expired lease can be claimed again; a completed one never", async () => {
    const loc = await backend.fresh();
    const a = await loc.open();
    const b = await loc.second(a);
    const wakeups = Array.from({ length: 12 }, (_, i) => ({
      subject: "wk",
      journey: "renewal_reminder_d90",
      timer: "3d",
      due_at: at(i),
      request: { event: { type: "daily", id: `w${i}`, timer: "3d" }, subject: "wk", region: "eu" },
      scheduled_by: "d_sched",
    }));
    await a.commit([pending({ subject: "wk", version: 0, extra: { wakeups } })]);
    expect(await a.pendingWakeups("wk")).toHaveLength(12);
    const now = at(100);
    const [x, y] = await Promise.all([a.claimWakeups(now, 8, "A", 60_000), b.claimWakeups(now, 8, "B", 60_000)]);
    const ids = [...x, ...y].map((w) => w.id);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(await a.claimWakeups(now, 50, "C", 60_000)).toEqual([]);
    // A failed run gives it back; it is retried once the lease has run out, not before.
    const w0 = x[0] ?? y[0]!;
    await a.releaseWakeup(w0.id, w0.lease_owner!);
    expect(await a.claimWakeups(at(100.5), 50, "C", 60_000)).toEqual([]);
    const later = at(102);
    const again = await b.claimWakeups(later, 50, "D", 60_000);
    expect(again).toHaveLength(12);
    expect(again.every((w) => w.attempts === 2 && w.lease_owner === "D")).toBe(true);
    expect(again.map((w) => w.due_at)).toEqual(wakeups.map((w) => w.due_at));
    // Completing it in the decision's commit: done, never claimed again.
    const v = (await a.state("wk")).version;
    await a.commit([pending({ subject: "wk", version: v, timer: "3d", extra: { completesWakeup: { id: again[0]!.id, owner: "D" } } })]);
    expect((await a.pendingWakeups("wk")).map((w) => w.id)).not.toContain(again[0]!.id);
    expect((await a.claimWakeups(at(200), 50, "E", 60_000)).map((w) => w.id)).not.toContain(again[0]!.id);
  });

  it("keeps the review queue: pending_review adds a review; a verdict resolves it once", async () => {
    const store = await (await backend.fresh()).open();
    const proposed = pending({ subject: "rv", version: 0, sample: 1 });
    const action = { name: "call", channel: "phone", params: {} };
    const review = { decision_id: proposed.decision.decision_id, subject: "rv", journey: "service_recovery", purpose: "service", action };
    await store.commit([{ ...proposed, review }]);
    expect((await store.reviews("pending")).map((r) => r.decision_id)).toEqual([proposed.decision.decision_id]);
    expect(await store.review(proposed.decision.decision_id)).toMatchObject({ state: "pending", action, created_at: proposed.entry.at });
    const verdict = { decision_id: proposed.decision.decision_id, verdict: "approve" as const, reviewer: "alice", note: "ok" };
    const approval = pending({ subject: "rv", eventId: "review-1", version: 1, historyAt: at(5), extra: { resolves: verdict } });
    expect((await store.commit([approval]))[0]!.status).toBe("committed");
    expect(await store.review(proposed.decision.decision_id)).toMatchObject({
      state: "approved",
      reviewer: "alice",
      note: "ok",
      resolution: approval.decision.decision_id,
    });
    expect(await store.reviews("pending")).toEqual([]);
    const twice = pending({ subject: "rv", eventId: "review-2", version: 2, extra: { resolves: { ...verdict, verdict: "reject" } } });
    expect(await store.commit([twice])).toEqual([{ status: "review_closed", state: "approved" }]);
    const unknown = pending({ subject: "rv", eventId: "review-3", version: 2, extra: { resolves: { ...verdict, decision_id: "d_nope" } } });
    expect(await store.commit([unknown])).toEqual([{ status: "review_closed", state: "unknown" }]);
    expect((await store.state("rv")).version).toBe(2);
  });

  it("applies migrations once, idempotently, also when instances start at the same time", async () => {
    const loc = await backend.fresh();
    const first = await loc.open();
    const others = await Promise.all([loc.second(first), loc.second(first), loc.second(first)]);
    await Promise.all([first.migrate(), ...others.map((o) => o.migrate())]);
    const health = await first.health();
    expect(health).toMatchObject({ reachable: true, migrations: { pending: [] } });
    expect(health.migrations.applied).toEqual(["0001_initial", "0002_errors_retry", "0003_subject_keys", "0004_value", "0005_releases"]);
  });

  it("refuses other log keys and another shard count than the store was created with", async () => {
    const loc = await backend.fresh();
    const store = await loc.open({ shards: 2 });
    expect(store.shards).toBe(2);
    if (backend.single) await store.close();
    const otherKeys = { key: KEYS.integrityKey, integrityKey: KEYS.key };
    const refused = async (o: Partial<OpenStoreOptions>): Promise<StoreError> => {
      try {
        await (backend.single ? loc.open(o) : loc.second(store, o));
      } catch (e) {
        return e as StoreError;
      }
      throw new Error("opened");
    };
    const keys = await refused({ keys: otherKeys });
    expect(keys).toBeInstanceOf(StoreError);
    expect(keys.code).toBe("store/keys");
    expect(keys.message).toMatch(/logs with pseudonymization key [0-9a-f]{16}, but the key from test is/);
    const shards = await refused({ shards: 3 });
    expect(shards.code).toBe("store/shards");
    expect(shards.message).toContain("was created with 2 log shards, not 3");
  });

  it("creates key files in the data directory only for a new log, and refuses to go on without them", async () => {
    const loc = await backend.fresh();
    const dataDir = tempDir();
    const store = await loc.open({ dataDir, keys: undefined, env: {} });
    for (const f of ["log.key", "log.integrity-key"]) expect(statSync(join(dataDir, f)).mode & 0o777).toBe(0o600);
    await store.commit([pending({ subject: "k", version: 0 })]);
    const integrity = readFileSync(join(dataDir, "log.integrity-key"), "utf8").trim();
    const key = readFileSync(join(dataDir, "log.key"), "utf8").trim();
    await store.close();
    // Another instance (or this one after the files are lost) gets no new keys for an existing log.
    const elsewhere = backend.single ? dataDir : tempDir();
    if (backend.single) rmSync(join(dataDir, "log.key"));
    const e = await loc.open({ dataDir: elsewhere, keys: undefined, env: {} }).then(
      () => undefined,
      (x: unknown) => x as StoreError,
    );
    expect(e?.code).toBe("store/keys");
    expect(e?.message).toMatch(/no pseudonymization key for the store's log/);
    expect(e?.hint).toContain("set KAIROS_LOG_KEY and KAIROS_LOG_INTEGRITY_KEY to its keys");
    // With the keys in the environment it opens and the chain goes on.
    const again = await loc.open({ dataDir: elsewhere, keys: undefined, env: { KAIROS_LOG_KEY: key, KAIROS_LOG_INTEGRITY_KEY: integrity } });
    expect((await again.commit([pending({ subject: "k", version: 1 })]))[0]).toMatchObject({ status: "committed", position: { seq: 2 } });
    expect((await verifyStoreLog(again)).ok).toBe(true);
  });
});
