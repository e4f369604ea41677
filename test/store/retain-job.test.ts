// The service's retention job (server/retention.ts) on a real store (SQLite): it applies the
// catalog's field retentions and the default, counts what it purged in
// `kairos_log_purged_entries_total`, runs by itself on its timer, says why when it is off, and
// leaves a store that `kairos log verify --store` accepts.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Catalog, FieldDef } from "../../core/catalog/types.ts";
import { Metrics } from "../../server/metrics.ts";
import { RetentionJob } from "../../server/retention.ts";
import { openStore, verifyStoreLog, type SqlStore } from "../../server/store/index.ts";
import { runCli } from "../helpers/cli.ts";
import { KEY_ENV, KEYS, LOG, pending, removeTempDirs, tempDir } from "./helpers.ts";

const NOW = Date.parse("2026-07-15T12:00:00Z");
const opened: SqlStore[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => {});
});
afterAll(() => removeTempDirs());

function field(entity: string, name: string, retention?: string): FieldDef {
  return {
    entity,
    name,
    path: `${entity}.${name}`,
    type: { kind: "scalar", name: "string" },
    pii: "direct",
    labels: [],
    residency: "any",
    optional: false,
    ...(retention ? { retention } : {}),
    loc: { start: 0, end: 0 },
  };
}

/** A catalog whose only retention is `customer.email`'s (the samples' deferred decision reads it). */
const catalog: Catalog = {
  version: 1,
  file: "catalog.yaml",
  entities: new Map([
    [
      "customer",
      {
        name: "customer",
        key: "customer_id",
        fields: new Map([
          ["email", field("customer", "email", "P1M")],
          ["timezone", field("customer", "timezone")],
        ]),
        loc: { start: 0, end: 0 },
      },
    ],
  ]),
  events: new Map(),
  purposes: new Map(),
  actions: new Map(),
  transfers: new Map(),
};

async function filled(dataDir = tempDir()): Promise<SqlStore> {
  const store = await openStore("sqlite:", { dataDir, keys: KEYS, log: LOG, checkpointEvery: 2 });
  opened.push(store);
  for (let i = 0; i < 6; i++) {
    const [r] = await store.commit([pending({ subject: `s-${i}`, version: 0, sample: i % 2 === 0 ? 0 : 2 })]);
    expect(r?.status).toBe("committed");
  }
  return store;
}

const system = { mode: "system" as const, now: () => NOW };

describe("the service's retention job", () => {
  it("purges what the catalog's retentions make due, counts it, and the store still verifies", async () => {
    const store = await filled();
    const metrics = new Metrics();
    const job = new RetentionJob(store, catalog, system, metrics);
    expect(job.disabled).toBeUndefined();
    expect([...job.policy.fields]).toEqual([["customer.email", "P1M"]]);
    const r = await job.runOnce();
    expect(r).toMatchObject({ purged: 3, bySource: { "customer.email": 3 } });
    expect(await metrics.text()).toMatch(/^kairos_log_purged_entries_total 3$/m);
    expect((await job.runOnce())?.purged).toBe(0);
    expect(await metrics.text()).toMatch(/^kairos_log_purged_entries_total 3$/m);
    expect(await verifyStoreLog(store)).toMatchObject({ ok: true });
  });

  it("applies a default retention to every entry", async () => {
    const store = await filled();
    const job = new RetentionJob(store, catalog, system, undefined, { defaultRetention: "P30D" });
    expect(await job.runOnce()).toMatchObject({ purged: 6, bySource: { "customer.email": 3, default: 3 } });
  });

  it("runs by itself on its timer and stops cleanly", async () => {
    const store = await filled();
    const metrics = new Metrics();
    const job = new RetentionJob(store, catalog, system, metrics, { intervalMs: 20, firstRunMs: 1 });
    job.start();
    const deadline = Date.now() + 5000;
    while (!/^kairos_log_purged_entries_total 3$/m.test(await metrics.text()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await job.stop();
    expect(await metrics.text()).toMatch(/^kairos_log_purged_entries_total 3$/m);
  });

  it("catches up on a backlog: the run after one that did not get through comes soon", async () => {
    const store = await filled();
    const metrics = new Metrics();
    // One entry per run, an hour between runs, but a millisecond after a run that purged and left a backlog.
    const job = new RetentionJob(store, catalog, system, metrics, {
      defaultRetention: "P30D",
      intervalMs: 3_600_000,
      firstRunMs: 1,
      catchUpMs: 1,
      batch: 1,
      maxBatches: 1,
    });
    job.start();
    const deadline = Date.now() + 5000;
    while (!/^kairos_log_purged_entries_total 6$/m.test(await metrics.text()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await job.stop();
    expect(await metrics.text()).toMatch(/^kairos_log_purged_entries_total 6$/m);
  });

  it("says why it is off: simulated time, no retention anywhere, or an interval of 0", async () => {
    const store = await filled();
    expect(new RetentionJob(store, catalog, { mode: "request", now: () => NOW }, undefined).disabled).toMatch(/--clock request/);
    const bare: Catalog = { ...catalog, entities: new Map() };
    expect(new RetentionJob(store, bare, system, undefined).disabled).toMatch(/no catalog field has a `retention`, the catalog's `value:` has none/);
    expect(new RetentionJob(store, bare, system, undefined, { defaultRetention: "P1Y" }).disabled).toBeUndefined();
    expect(new RetentionJob(store, catalog, system, undefined, { intervalMs: 0 }).disabled).toBe("turned off (`--retention-interval 0`)");
  });

  it("deletes experiment assignments and outcomes older than the catalog's value retention, in bounded batches, with no log retention", async () => {
    const store = await filled();
    // Assignments: s-0, s-2, s-4 on 2026-05-30, s-1, s-3, s-5 on 2026-06-01T22:30Z; P44D before NOW is 2026-06-01T12:00Z.
    await store.addOutcomes([
      { id: "old", subject: "s-0", type: "renewal", at: "2026-05-31T00:00:00Z" },
      { id: "new", subject: "s-1", type: "renewal", at: "2026-07-01T00:00:00Z" },
    ]);
    const value = { currency: "EUR", costs: new Map(), outcomes: new Map(), retention: "P44D", loc: { start: 0, end: 0 } };
    const bare: Catalog = { ...catalog, entities: new Map(), value };
    const metrics = new Metrics();
    const job = new RetentionJob(store, bare, system, metrics, { batch: 2, maxBatches: 1 });
    expect(job.disabled).toBeUndefined();
    expect(job.valueRetention).toBe("P44D");
    // Nothing in the log has a retention: the log is left alone.
    expect(await job.runOnce()).toBeUndefined();
    const cutoff = NOW - 44 * 86_400_000;
    const due = async () => {
      let n = 0;
      for (let i = 0; i < 6; i++) n += (await store.subjectValue(`s-${i}`)).assignments.filter((a) => Date.parse(a.at) < cutoff).length;
      return n;
    };
    expect(await due()).toBe(3);
    // Two rows per batch, one batch per table per run: the first run leaves one due assignment.
    expect(await job.runValueOnce()).toEqual({ assignments: 2, outcomes: 1, complete: false });
    expect(await job.runValueOnce()).toEqual({ assignments: 1, outcomes: 0, complete: true });
    expect(await due()).toBe(0);
    expect((await store.subjectValue("s-1")).assignments).toHaveLength(1);
    expect((await store.subjectValue("s-1")).outcomes.map((o) => o.id)).toEqual(["new"]);
    expect((await store.subjectValue("s-0")).outcomes).toEqual([]);
    expect(await metrics.text()).toMatch(/^kairos_value_rows_purged_total\{table="assignments"\} 3$/m);
    expect(await metrics.text()).toMatch(/^kairos_value_rows_purged_total\{table="outcomes"\} 1$/m);
    // Without a value retention, the default retention applies to them; with neither they are kept.
    expect(new RetentionJob(store, catalog, system, undefined, { defaultRetention: "P1Y" }).valueRetention).toBe("P1Y");
    expect(await new RetentionJob(store, catalog, system, undefined).runValueOnce()).toBeUndefined();
  });

  it("leaves a store that `kairos log verify --store` passes", async () => {
    const dataDir = tempDir();
    const store = await filled(dataDir);
    await new RetentionJob(store, catalog, system, undefined, { defaultRetention: "P30D" }).runOnce();
    await store.close();
    const saved = { ...process.env };
    Object.assign(process.env, KEY_ENV);
    try {
      const r = await runCli(["log", "verify", "--store", dataDir]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^shard 0: ok: 6 entries, chain intact and authenticated, 3 signed checkpoints matched/);
    } finally {
      process.env = saved;
    }
  });
});
