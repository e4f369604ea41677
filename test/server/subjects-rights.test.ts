// A data subject's rights through the service (issue 15, items 4 and 5), on a real server with
// its default SQLite store: `GET /v1/subjects/{subject}/decisions` (audit:read) exports every
// decision about a person with its customer sentence and the consents on record, a page at a
// time; `DELETE /v1/subjects/{subject}` (admin) erases them in one transaction — idempotently —
// after which the store's chain still verifies, replay of an exported shard reports their entries
// as erased, and a dump of every table holds nothing that links to them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadLogKey } from "../../runtime/log/key.ts";
import { Pseudonymizer } from "../../runtime/log/pseudonymize.ts";
import { replayLog } from "../../runtime/log/replay.ts";
import { subjectLookup, unwrapSubjectKey } from "../../runtime/log/subject-key.ts";
import { verifyLog } from "../../runtime/log/verify.ts";
import type { LogKey } from "../../runtime/log/key.ts";
import { exportStoreLog, verifyStoreLog } from "../../server/store/index.ts";
import { openStoreAt } from "../../server/store/location.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { daily, RENEWAL_CONSENT, startTestServer, type TestServer } from "./helpers.ts";

// Two subjects outside the spec set's holdout (their day-90 reminder acts), as in api.test.ts.
const GONE = "s-acted";
/** Outcomes of GONE's decisions, in order (set by the first test). */
const outcomes: string[] = [];
const KEPT = "c-1";
let t: TestServer;

beforeAll(async () => {
  // Our own data directory: the store is read after the server has stopped.
  t = await startTestServer({ clock: "request", dataDir: mkdtempSync(join(tmpdir(), "kairos-subjects-")) });
});
afterAll(async () => {
  await t?.close();
});

/** The rows of one table of the SQLite store. */
async function rowsOf(file: string, table: string): Promise<Record<string, unknown>[]> {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Every row of every table of the SQLite store, as text. */
async function dumpTables(file: string): Promise<string> {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables.map(({ name }) => `${name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())}`).join("\n");
  } finally {
    db.close();
  }
}

describe("data subject rights on the service", () => {
  const decided: string[] = [];

  test("GET /v1/subjects/{subject}/decisions exports every decision with its customer sentence, a page at a time", async () => {
    for (const s of [GONE, KEPT]) {
      const c = await t.call("POST", `/v1/subjects/${s}/consents`, { records: [RENEWAL_CONSENT] });
      expect(c.status, c.text).toBe(201);
    }
    for (const [i, now] of ["2026-05-30T12:00:00Z", "2026-06-01T12:00:00Z", "2026-06-02T12:00:00Z"].entries()) {
      const r = await t.call("POST", "/v1/decisions", daily(GONE, `e-${i}`, now));
      expect(r.status, r.text).toBe(200);
      decided.push(r.json.decision_id);
      outcomes.push(r.json.outcome);
    }
    expect((await t.call("POST", "/v1/decisions", daily(KEPT, "e-0", "2026-05-30T12:00:00Z"))).status).toBe(200);

    const first = await t.call("GET", `/v1/subjects/${GONE}/decisions?limit=2`);
    expect(first.status, first.text).toBe(200);
    expect(first.json.decisions.map((d: { decision_id: string }) => d.decision_id)).toEqual(decided.slice(0, 2));
    expect(first.json.decisions[0]).toMatchObject({ outcome: outcomes[0], at: "2026-05-30T12:00:00Z" });
    expect(outcomes).toContain("acted");
    expect(typeof first.json.decisions[0].customer).toBe("string");
    expect(first.json.decisions[0].customer.length).toBeGreaterThan(0);
    expect(first.json.consents).toEqual([expect.objectContaining({ purpose: "renewal_marketing", status: "granted" })]);
    expect(typeof first.json.next).toBe("string");
    const second = await t.call("GET", `/v1/subjects/${GONE}/decisions?limit=2&cursor=${first.json.next}`);
    expect(second.json.decisions.map((d: { decision_id: string }) => d.decision_id)).toEqual(decided.slice(2));
    expect(second.json.next).toBeUndefined();
    // Only audit:read may read it; a bad cursor is a clear 400.
    const consentReader = t.token("consent-reader", ["consent:read"]);
    expect((await t.call("GET", `/v1/subjects/${GONE}/decisions`, undefined, { token: consentReader })).status).toBe(403);
    const bad = await t.call("GET", `/v1/subjects/${GONE}/decisions?cursor=abc`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid_request");
  });

  test("DELETE /v1/subjects/{subject} erases them in one transaction, idempotently; the chain verifies and nothing links to them", async () => {
    const auditor = t.token("auditor", ["audit:read"]);
    expect((await t.call("DELETE", `/v1/subjects/${GONE}`, undefined, { token: auditor })).status).toBe(403);

    const master: LogKey = loadLogKey(join(t.dataDir, "log"), { env: {} });
    const integrity: LogKey = loadLogKey(join(t.dataDir, "log"), { purpose: "integrity", env: {} });
    const storeFile = join(t.dataDir, "store.sqlite");
    const lookup = subjectLookup(master, GONE);
    const goneKey = (await rowsOf(storeFile, "subject_keys")).find((r) => r["lookup"] === lookup);
    expect(goneKey?.["key"]).toMatch(/^[0-9a-f]{64}$/);
    expect(await dumpTables(storeFile)).toContain(GONE);

    const erased = await t.call("DELETE", `/v1/subjects/${GONE}`);
    expect(erased.status, erased.text).toBe(200);
    const acted = outcomes.filter((o) => o === "acted").length;
    expect(erased.json).toMatchObject({ subject: GONE, key_destroyed: true, entries: 3, not_erasable: 0, decisions: 3, consents: 1, history: acted });
    const again = await t.call("DELETE", `/v1/subjects/${GONE}`);
    expect(again.json).toMatchObject({ key_destroyed: false, entries: 0, decisions: 0, consents: 0, history: 0 });
    expect((await t.call("GET", `/v1/subjects/${GONE}/decisions`)).json.decisions).toEqual([]);
    expect((await t.call("GET", `/v1/subjects/${GONE}/consents`)).status).toBe(404);
    expect((await t.call("GET", `/v1/subjects/${KEPT}/decisions`)).json.decisions).toHaveLength(1);
    // A decision row is still there for each entry (what `log verify --store` checks), stripped to what the log shows.
    const stored = await t.call("GET", `/v1/decisions/${decided[0]}`);
    expect(stored.status).toBe(200);
    expect(stored.text).not.toContain(GONE);

    const { engine } = await compiledEngine(SPEC_POLICY_DIR);
    const dir = t.dataDir;
    await t.close();
    t = undefined as unknown as TestServer;

    // Nothing in any table links to the erased person: not their id, not their key or its lookup,
    // not a pseudonym that the keys still held compute from their id or event ids.
    const dump = await dumpTables(storeFile);
    const gonePseudonyms = [master, integrity].flatMap((k) => [GONE, "e-0", "e-1", "e-2"].map((v) => new Pseudonymizer(k.bytes).of(v)));
    for (const f of [GONE, lookup, String(goneKey!["key"]), ...gonePseudonyms]) expect(dump.includes(f), `the store still holds ${f}`).toBe(false);
    const keyRows = await rowsOf(storeFile, "subject_keys");
    expect(keyRows.map((r) => r["lookup"])).toEqual([subjectLookup(master, KEPT)]);

    // The chain still verifies, and replay of the exported shard reports the erased entries as erased.
    const store = await openStoreAt(dir);
    try {
      const v = await verifyStoreLog(store);
      expect(v.ok, JSON.stringify(v.shards.map(({ verify: _, ...r }) => r))).toBe(true);
      const file = join(dir, "shard-0.log");
      await exportStoreLog(store, 0, file);
      expect(verifyLog(file, { integrityKey: integrity })).toMatchObject({ ok: true, authenticated: true, entries: 4 });
      // The stored keys are wrapped under the log key: unwrap them as the log does.
      const remaining = new Map(
        keyRows.map((r) => [String(r["key_id"]), unwrapSubjectKey(master, String(r["lookup"]), String(r["key"]), String(r["key_id"]), "test")!]),
      );
      const replay = await replayLog(file, engine, master, undefined, { byId: (id) => remaining.get(id) });
      expect(replay).toMatchObject({ entries: 4, replayed: 1, identical: 1, erased: 3, differences: [] });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
