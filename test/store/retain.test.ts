// Retention on the service's store (server/store/retain*.ts), on all three backends — PGlite,
// SQLite and a real PostgreSQL this file starts (test/helpers/postgres.ts): entries past their
// retention keep only the digests of their context and seal, in bounded batches, and the shard
// still verifies (`kairos log verify --store`'s verifyStoreLog), its head size and checkpoints
// following the bytes removed, while commits go on.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../core/sha256.ts";
import { readCheckpoints } from "../../runtime/log/checkpoint.ts";
import { decisionOf, type LogEntry } from "../../runtime/log/format.ts";
import type { RetentionPolicy } from "../../runtime/log/retain-policy.ts";
import { exportStoreLog, verifyStoreLog, type OpenStoreOptions, type SqlStore } from "../../server/store/index.ts";
import { pending, tempDir } from "./helpers.ts";
import { storeLifecycle } from "./lifecycle.ts";

const stores = storeLifecycle();

type Open = (options?: Partial<OpenStoreOptions>) => Promise<SqlStore>;

const backends: ReadonlyArray<{ name: string; fresh: () => Promise<{ open: Open; single: boolean }> }> = [
  {
    name: "pglite",
    async fresh() {
      const dataDir = tempDir();
      return { single: true, open: async (o = {}) => stores.open("pglite:", dataDir, o) };
    },
  },
  {
    name: "sqlite",
    async fresh() {
      const dataDir = tempDir();
      return { single: true, open: async (o = {}) => stores.open("sqlite:", dataDir, o) };
    },
  },
  {
    name: "postgres",
    async fresh() {
      const url = await stores.createPostgresDatabase();
      const dataDir = tempDir();
      return { single: false, open: async (o = {}) => stores.open(url, dataDir, o) };
    },
  },
];

/** The samples are decided on 2026-05-30; sample 2 (deferred, reading `customer.email`) on 2026-06-01T22:30:00Z. */
const NOW = Date.parse("2026-12-06T12:00:00Z");
const policy = (fields: Record<string, string>, defaultRetention?: string): RetentionPolicy => ({
  fields: new Map(Object.entries(fields)),
  ...(defaultRetention ? { defaultRetention } : {}),
});

/** Commits `n` decisions about distinct subjects, alternating samples 0 (acted) and 2 (reads `customer.email`). */
async function fill(store: SqlStore, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) {
    const [r] = await store.commit([pending({ subject: `subject-${i}`, version: 0, sample: i % 2 === 0 ? 0 : 2 })]);
    expect(r?.status).toBe("committed");
  }
}

async function lines(store: SqlStore): Promise<Array<Record<string, unknown>>> {
  const head = (await store.heads())[0]!;
  return (await store.logLines(0, 1, head.seq)).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The e-mail address of sample 2 (the samples' one PII value in clear). */
const EMAIL = "ana.lima@corp.example";

const isDigest = (v: unknown): boolean => typeof v === "string" && /^sha256:[0-9a-f]{64}$/.test(v);

describe.each(backends)("store retention: $name", (backend) => {
  it("purges context and seal past retention; the shard verifies, its export's checkpoints match its bytes", async () => {
    const store = await (await backend.fresh()).open({ checkpointEvery: 3 });
    await fill(store, 7);
    const before = await store.logLines(0, 1, 7);
    const r = await store.retainLog(policy({}, "P30D"), { now: NOW });
    expect(r).toMatchObject({ purged: 7, examined: 7, bySource: { default: 7 }, dryRun: false });
    expect(r.shards[0]).toMatchObject({ complete: true, checkpointsResigned: 2 });
    const after = await store.logLines(0, 1, 7);
    for (let i = 0; i < 7; i++) {
      const old = JSON.parse(before[i]!) as Record<string, unknown>;
      const ctx = JSON.stringify(old["context"]);
      const sealed = JSON.stringify(old["sealed"]);
      expect(after[i]).toBe(
        before[i]!.replace(`"context":${ctx}`, `"context":"sha256:${sha256Hex(ctx)}"`).replace(`"sealed":${sealed}`, `"sealed":"sha256:${sha256Hex(sealed)}"`),
      );
    }
    expect(await verifyStoreLog(store)).toMatchObject({ ok: true });
    // Commits go on from the new head size: later checkpoints too match the export's bytes.
    await fill(store, 4, 7);
    expect(await verifyStoreLog(store)).toMatchObject({ ok: true });
    const file = join(tempDir(), "shard-0.log");
    await exportStoreLog(store, 0, file);
    const text = readFileSync(file, "utf8");
    const ends: number[] = [];
    for (const l of text.split("\n").slice(0, -1)) ends.push((ends.at(-1) ?? 0) + Buffer.byteLength(l) + 1);
    const cps = readCheckpoints(`${file}.checkpoints`);
    expect(cps.map((c) => c.seq)).toEqual([3, 6, 9]);
    for (const cp of cps) expect(cp.size).toBe(ends[cp.seq - 1]);
    expect(cps.filter((c) => c.retained_at !== undefined).map((c) => c.seq)).toEqual([3, 6]);
  });

  it("works in bounded batches and goes on where it stopped; a finished run finds nothing more", async () => {
    const store = await (await backend.fresh()).open();
    await fill(store, 5);
    const p = policy({}, "P30D");
    const first = await store.retainLog(p, { now: NOW, batch: 2, maxBatches: 1 });
    expect(first).toMatchObject({ purged: 2, examined: 2, shards: [{ complete: false }] });
    const second = await store.retainLog(p, { now: NOW, batch: 2, maxBatches: 1 });
    expect(second).toMatchObject({ purged: 2, examined: 2 });
    const third = await store.retainLog(p, { now: NOW, batch: 2, maxBatches: 5 });
    expect(third).toMatchObject({ purged: 1, shards: [{ complete: true }] });
    expect((await lines(store)).every((e) => isDigest(e["context"]) && isDigest(e["sealed"]))).toBe(true);
    const again = await store.retainLog(p, { now: NOW });
    expect(again).toMatchObject({ purged: 0, examined: 0 });
    expect(await verifyStoreLog(store)).toMatchObject({ ok: true });
  });

  it("keeps entries within their field's retention and purges them once it has passed, with their decision rows", async () => {
    const store = await (await backend.fresh()).open();
    await fill(store, 4);
    const p = policy({ "customer.email": "P1M" });
    const early = await store.retainLog(p, { now: Date.parse("2026-07-01T22:29:59Z") });
    expect(early.purged).toBe(0);
    const ids = (await lines(store)).map((e) => e["decision_id"] as string);
    // The decision row keeps the engine's decision as made: the e-mail address in clear in its trace.
    expect(JSON.stringify((await store.getDecision(ids[1]!))?.decision)).toContain(EMAIL);
    const due = await store.retainLog(p, { now: Date.parse("2026-07-01T22:30:00Z") });
    expect(due).toMatchObject({ purged: 2, bySource: { "customer.email": 2 } });
    const es = await lines(store);
    expect(es.map((e) => isDigest(e["context"]))).toEqual([false, true, false, true]);
    // Past retention, the row holds the decision as the log keeps it: pseudonymized.
    const row = await store.getDecision(ids[1]!);
    expect(row?.decision).toEqual(decisionOf(es[1] as unknown as LogEntry));
    expect(JSON.stringify(row?.decision)).not.toContain(EMAIL);
    expect(await verifyStoreLog(store)).toMatchObject({ ok: true });
  });

  it("writes nothing on a dry run, and starts over when the policy changes", async () => {
    const store = await (await backend.fresh()).open();
    await fill(store, 3);
    const before = await store.logLines(0, 1, 3);
    const dry = await store.retainLog(policy({}, "P30D"), { now: NOW, dryRun: true, batch: 1 });
    expect(dry).toMatchObject({ purged: 3, dryRun: true });
    expect(await store.logLines(0, 1, 3)).toEqual(before);
    // A year's retention: nothing is due yet.
    expect((await store.retainLog(policy({}, "P1Y"), { now: NOW })).purged).toBe(0);
    // A shorter one: a new policy, scanned from the start.
    expect((await store.retainLog(policy({}, "P30D"), { now: NOW })).purged).toBe(3);
  });

  it("two instances purging while decisions commit purge each entry once; sizes and checkpoints stay exact", async () => {
    const loc = await backend.fresh();
    const a = await loc.open({ checkpointEvery: 5 });
    await fill(a, 12);
    const b = backend.name === "postgres" ? await loc.open({ checkpointEvery: 5 }) : a;
    const p = policy({}, "P30D");
    const [ra, rb] = await Promise.all([a.retainLog(p, { now: NOW, batch: 3 }), b.retainLog(p, { now: NOW, batch: 3 }), fill(b, 8, 12)]);
    // The entries committed meanwhile are due too (same sample times): each purged at most once.
    expect(ra!.purged + rb!.purged).toBeGreaterThanOrEqual(12);
    const rest = await a.retainLog(p, { now: NOW });
    expect(ra!.purged + rb!.purged + rest.purged).toBe(20);
    expect(await verifyStoreLog(a)).toMatchObject({ ok: true });
    const file = join(tempDir(), "shard-0.log");
    await exportStoreLog(a, 0, file);
    const ends: number[] = [];
    for (const l of readFileSync(file, "utf8").split("\n").slice(0, -1)) ends.push((ends.at(-1) ?? 0) + Buffer.byteLength(l) + 1);
    const cps = readCheckpoints(`${file}.checkpoints`);
    expect(cps.map((c) => c.seq)).toEqual([5, 10, 15, 20]);
    for (const cp of cps) expect(cp.size).toBe(ends[cp.seq - 1]);
    // The next checkpoint is made from the head's size: it too matches the bytes.
    await fill(a, 5, 20);
    await exportStoreLog(a, 0, file);
    const last = readCheckpoints(`${file}.checkpoints`).at(-1)!;
    expect(last.seq).toBe(25);
    expect(last.size).toBe(readFileSync(file).length);
  });
});
