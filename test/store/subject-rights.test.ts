// Erasure and the access export on every store backend (PGlite, SQLite, a real PostgreSQL this
// file starts): `eraseSubject` destroys the subject's per-subject key and deletes or strips every
// row about them in one transaction, idempotently, and leaves the chain verifying; a dump of every
// table then holds nothing that links to them. `subjectDecisions` pages through their decisions.
// A store made without per-subject keys keeps that mode and reports its entries as not erasable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pseudonymizer } from "../../runtime/log/pseudonymize.ts";
import { subjectLookup } from "../../runtime/log/subject-key.ts";
import type { Db } from "../../server/store/db.ts";
import { verifyStoreLog, type SqlStore } from "../../server/store/index.ts";
import type { SqliteDb } from "../../server/store/sqlite-db.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { KEYS, pending, removeTempDirs, storeBackends } from "./helpers.ts";

let postgres: TestPostgres | undefined;

beforeAll(async () => {
  postgres = await startPostgres();
});

afterAll(async () => {
  await postgres?.stop();
  removeTempDirs();
});

const BACKENDS = storeBackends(() => postgres);

const TABLES = [
  "subjects",
  "consents",
  "objections",
  "decisions",
  "history",
  "wakeups",
  "reviews",
  "log_entries",
  "log_heads",
  "log_checkpoints",
  "log_meta",
  "subject_keys",
  "assignments",
  "outcomes",
];

/** Every row of every table, as text (through the store's own connection). */
async function dump(store: SqlStore): Promise<string> {
  const db = (store as unknown as { parts: { db: Db | SqliteDb } }).parts.db;
  const out: string[] = [];
  for (const t of TABLES) {
    const rows = "all" in db ? db.all(`SELECT * FROM ${t}`) : await db.query(`SELECT * FROM ${t}`);
    out.push(`${t}: ${JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`);
  }
  return out.join("\n");
}

const GONE = "subject-to-erase-4242";
const KEPT = "subject-to-keep-77";

/** Decisions (with their assignment rows), history, a wake-up, a review, consents, an objection and an outcome about `subject`. */
async function populate(store: SqlStore, subject: string): Promise<string[]> {
  await store.addConsents(subject, [{ purpose: "renewal_marketing", channel: "email", status: "granted", at: "2026-05-01T00:00:00Z", source: "signup" }]);
  await store.addObjections(subject, [{ scope: "profiling", at: "2026-05-02T00:00:00Z" }]);
  const wakeup = {
    subject,
    journey: "renewal_reminder_d90",
    timer: "3d",
    due_at: "2026-06-02T09:00:00Z",
    request: { event: { type: "daily", id: `wake-${subject}`, timer: "3d" }, subject, region: "eu" },
    scheduled_by: "d_sched",
  };
  const acted = pending({ subject, eventId: `ev-${subject}-1`, version: 2, historyAt: "2026-05-30T09:00:00Z", extra: { wakeups: [wakeup] } });
  const proposed = pending({ subject, eventId: `ev-${subject}-2`, version: 3, sample: 1 });
  const review = {
    decision_id: proposed.decision.decision_id,
    subject,
    journey: "service_recovery",
    purpose: "service",
    action: { name: "call", channel: "phone", params: {} },
  };
  const results = await store.commit([acted, { ...proposed, review }]);
  expect(results.map((r) => r.status)).toEqual(["committed", "committed"]);
  await store.addOutcomes([{ subject, type: "renewal", at: "2026-06-01T00:00:00Z", value: 420 }]);
  return [acted.decision.decision_id, proposed.decision.decision_id];
}

describe.each(BACKENDS)("erasure and access on the $name store", (backend) => {
  it("erases a subject in one transaction, idempotently: their key and rows are gone, the chain verifies, nothing links to them", async () => {
    const store = await (await backend.fresh()).open();
    try {
      const ids = await populate(store, GONE);
      await populate(store, KEPT);
      const page1 = await store.subjectDecisions(GONE, { limit: 1 });
      expect(page1.decisions.map((d) => d.decision_id)).toEqual(ids.slice(0, 1));
      const page2 = await store.subjectDecisions(GONE, { limit: 1, after: page1.next! });
      expect(page2.decisions.map((d) => d.decision_id)).toEqual(ids.slice(1));
      expect(page2.next).toBeUndefined();
      expect(page1.decisions[0]).toMatchObject({ outcome: "acted", log: { shard: 0, seq: 1 }, customer: expect.any(String) });
      const before = await dump(store);
      const lookup = subjectLookup(KEYS.key, GONE);
      const keyHex = new RegExp(`"lookup":"${lookup}","key_id":"[0-9a-f]{32}","key":"([0-9a-f]{64})"`).exec(before)?.[1];
      expect(keyHex).toMatch(/^[0-9a-f]{64}$/);

      const erased = await store.eraseSubject(GONE);
      expect(erased).toMatchObject({
        key_destroyed: true,
        entries: 2,
        not_erasable: 0,
        decisions: 2,
        consents: 1,
        objections: 1,
        history: 1,
        wakeups: 1,
        reviews: 1,
        assignments: 2,
        outcomes: 1,
      });
      expect(await store.eraseSubject(GONE)).toEqual({
        key_destroyed: false,
        entries: 0,
        not_erasable: 0,
        decisions: 0,
        consents: 0,
        objections: 0,
        history: 0,
        wakeups: 0,
        reviews: 0,
        assignments: 0,
        outcomes: 0,
        shadow_results: 0,
      });
      expect((await store.subjectDecisions(GONE, { limit: 10 })).decisions).toEqual([]);
      expect(await store.state(GONE)).toMatchObject({ version: 0, consents: [], objections: [], history: [] });
      expect((await store.subjectDecisions(KEPT, { limit: 10 })).decisions).toHaveLength(2);

      const after = await dump(store);
      const pseudonyms = [KEYS.key, KEYS.integrityKey].flatMap((k) => [GONE, `ev-${GONE}-1`, `ev-${GONE}-2`].map((v) => new Pseudonymizer(k.bytes).of(v)));
      for (const f of [GONE, lookup, keyHex!, ...pseudonyms]) expect(after.includes(f), `the store still holds ${f}`).toBe(false);
      expect(after).toContain(KEPT);
      // Every entry still has its decision row, and the chains verify with the integrity key.
      const v = await verifyStoreLog(store);
      expect(v.ok, JSON.stringify(v.shards.map(({ verify: _, ...r }) => r))).toBe(true);
      expect(await store.getDecision(ids[0]!)).toMatchObject({ position: { seq: 1 } });
    } finally {
      await store.close();
    }
  });

  it("gives a subject one key even when two instances commit its first decisions at once", async () => {
    const location = await backend.fresh();
    const a = await location.open();
    // PostgreSQL: a second instance on the same database; the embedded stores are one process by design.
    const b = location.second ? await location.second() : a;
    try {
      const items = Array.from({ length: 8 }, (_, i) => pending({ subject: "racer", eventId: `race-${i}`, version: 0 }));
      const results = await Promise.all(items.map((item, i) => (i % 2 === 0 ? a : b).commit([item])));
      expect(results.flat().filter((r) => r.status === "committed")).toHaveLength(1);
      const state = await a.state("racer");
      await a.commit([pending({ subject: "racer", eventId: "race-after", version: state.version })]);
      const keys = (await dump(a)).split("\n").find((l) => l.startsWith("subject_keys: "))!;
      expect(JSON.parse(keys.slice("subject_keys: ".length))).toHaveLength(1);
      const lines = await a.logLines(0, 1, 10);
      const ids = new Set(lines.map((l) => (JSON.parse(l) as { subject_key: string }).subject_key));
      expect(lines).toHaveLength(2);
      expect(ids.size).toBe(1);
    } finally {
      if (b !== a) await b.close();
      await a.close();
    }
  });

  it("keeps a store made without per-subject keys in that mode, and reports its entries as not erasable", async () => {
    const location = await backend.fresh();
    let store = await location.open({ subjectKeys: false });
    try {
      await populate(store, GONE);
      const erased = await store.eraseSubject(GONE);
      expect(erased).toMatchObject({ key_destroyed: false, entries: 0, not_erasable: 2, decisions: 2, consents: 1 });
      // Their rows are gone all the same; the log's pseudonyms are under the log key (what `not_erasable` says).
      expect(await dump(store)).not.toContain(GONE);
      expect(await dump(store)).toContain(new Pseudonymizer(KEYS.key.bytes).of(GONE));
      await store.close();
      // Reopened: the mode stays (asking for the other one is refused), and new entries follow it.
      await expect(location.open({ subjectKeys: true })).rejects.toMatchObject({ code: "store/keys" });
      store = await location.open();
      await store.commit([pending({ subject: KEPT, version: 0 })]);
      expect((await store.logLines(0, 1, 10)).every((l) => !l.includes('"subject_key"'))).toBe(true);
    } finally {
      await store.close();
    }
  });
});
