// The store's chains are the file log's format byte for byte (runtime/log/encode.ts is shared):
// the same decisions written by DecisionLog to a file and committed to the embedded store give
// identical lines. And what a chain has logged (journey meta, policies) is only remembered once
// the write is confirmed: a rolled-back transaction never makes a later entry leave them out.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EntryEncoder, LoggedMemory } from "../../runtime/log/encode.ts";
import { GENESIS } from "../../runtime/log/format.ts";
import { DecisionLog } from "../../runtime/log/writer.ts";
import { subjectLookup, unwrapSubjectKey, type SubjectKeySource } from "../../runtime/log/subject-key.ts";
import { exportStoreLog, openStore, type ServiceStore } from "../../server/store/index.ts";
import type { SqliteDb } from "../../server/store/sqlite-db.ts";
import { JOURNEYS, piiLookup, SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { KEYS, removeTempDirs, tempDir } from "./helpers.ts";

afterAll(() => removeTempDirs());

const records = Array.from({ length: 8 }, (_, i) => sinkEntry(SAMPLES[i % SAMPLES.length]!, { decision_id: `d-${i + 1}` }));

/** Appends every record to a new file log at `file` under the test keys; `subjectKeys` as DecisionLog.open takes it. */
function writeFileLog(file: string, subjectKeys: false | SubjectKeySource): void {
  const log = DecisionLog.open(file, { pii: piiLookup, journeys: JOURNEYS, key: KEYS.key, integrityKey: KEYS.integrityKey, onWarning: () => {}, subjectKeys });
  for (const r of records) log.append(r);
  log.close();
}

/** Commits every record to `store`, one decision each (event `e<i>`), each committed. */
async function commitAll(store: ServiceStore): Promise<void> {
  for (const [i, r] of records.entries()) {
    const [result] = await store.commit([
      { key: { subject: r.subject, eventId: `e${i}`, timer: "" }, expectedVersion: (await store.state(r.subject)).version, decision: r.decision, entry: r },
    ]);
    expect(result?.status).toBe("committed");
  }
}

describe.each([
  { name: "PGlite", url: undefined },
  { name: "SQLite", url: "sqlite:" },
])("one line format for the file log and the store ($name)", ({ url }) => {
  it("writes the same bytes to a file log and to a store shard for the same decisions", async () => {
    const dir = tempDir();
    const file = join(dir, "file.log");
    // Under the log key alone (per-subject keys are random; the test below covers them).
    writeFileLog(file, false);
    const store = await openStore(url, { dataDir: join(dir, "data"), keys: KEYS, log: { pii: piiLookup, journeys: JOURNEYS }, subjectKeys: false });
    try {
      await commitAll(store);
      const exported = join(dir, "store.log");
      await exportStoreLog(store, 0, exported);
      const fileLines = readFileSync(file, "utf8").split("\n");
      const storeLines = readFileSync(exported, "utf8").split("\n");
      expect(storeLines).toEqual(fileLines);
      // Meta and policies once per artifact, in the first entry (as the file log does).
      const parsed = storeLines.filter((l) => l !== "").map((l) => JSON.parse(l) as { policies?: unknown; meta?: Record<string, unknown> });
      expect(parsed.filter((e) => e.policies !== undefined)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describe("one line format under per-subject keys (SQLite)", () => {
  it("writes the same bytes to a file log given the store's subject keys as to the store's shard", async () => {
    const dir = tempDir();
    const store = await openStore("sqlite:", { dataDir: join(dir, "data"), keys: KEYS, log: { pii: piiLookup, journeys: JOURNEYS } });
    let keyRows: { lookup: string; key_id: string; key: string }[];
    try {
      await commitAll(store);
      await exportStoreLog(store, 0, join(dir, "store.log"));
      const db = (store as unknown as { parts: { db: SqliteDb } }).parts.db;
      keyRows = db.all<{ lookup: string; key_id: string; key: string }>("SELECT lookup, key_id, key FROM subject_keys");
    } finally {
      await store.close();
    }
    // The samples are about two subjects: two keys, each made once.
    expect(keyRows).toHaveLength(new Set(records.map((r) => r.subject)).size);
    // Stored wrapped under the log key: unwrapped as the store does.
    const byLookup = new Map(keyRows.map((k) => [k.lookup, unwrapSubjectKey(KEYS.key, k.lookup, k.key, k.key_id, "store")!]));
    const file = join(dir, "file.log");
    writeFileLog(file, { keyFor: (subject) => byLookup.get(subjectLookup(KEYS.key, subject))! });
    const fileLines = readFileSync(file, "utf8").split("\n");
    expect(readFileSync(join(dir, "store.log"), "utf8").split("\n")).toEqual(fileLines);
    expect(fileLines[0]).toContain('"subject_key":"');
  });
});

describe("LoggedMemory", () => {
  const encoder = new EntryEncoder({ key: KEYS.key, integrityKey: KEYS.integrityKey, pii: piiLookup, journeys: JOURNEYS });

  it("forgets what a rolled-back transaction logged, and keeps what a committed one did", () => {
    const chain = new LoggedMemory();
    const tx = chain.fork();
    const first = encoder.prepare(records[0]!, tx);
    expect(first.withPolicies).toBe(true);
    expect(first.metaJourneys.length).toBeGreaterThan(0);
    tx.confirm(first);
    // Inside the transaction a second entry leaves them out…
    const second = encoder.prepare(records[0]!, tx);
    expect(second.withPolicies).toBe(false);
    expect(second.metaJourneys).toEqual([]);
    // …but the transaction rolled back (the fork is dropped): the next entry carries them again.
    const retry = encoder.prepare(records[0]!, chain.fork());
    expect(retry.withPolicies).toBe(true);
    expect(retry.metaJourneys).toEqual(first.metaJourneys);
    const committed = chain.fork();
    committed.confirm(encoder.prepare(records[0]!, committed));
    committed.commitTo();
    expect(encoder.prepare(records[0]!, chain).withPolicies).toBe(false);
  });

  it("chains a prepared entry after the head it is given", () => {
    const p = encoder.prepare(records[1]!, new LoggedMemory());
    const a = encoder.chain(p, { seq: 0, hash: GENESIS });
    const b = encoder.chain(p, { seq: a.seq, hash: a.hash });
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(b.entry.prev).toBe(a.hash);
    expect(a.line.endsWith("\n")).toBe(true);
  });
});
