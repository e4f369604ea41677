// `POST /v1/outcomes` on a real service (its default SQLite store, and a real PostgreSQL this file
// starts): decisions the service commits write their assignment rows (a treated subject, a
// held-out one with the journey's channel); outcomes — one, or a batch — are added idempotently
// (201, then 200 with `duplicates`), and count in the per-arm aggregates; a batch with one bad
// record (an unknown type, a time without an offset, too many, both forms at once) is refused
// whole with problems naming each record and field, and writes nothing; the `decide` scope is needed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Db } from "../../server/store/db.ts";
import type { SqliteDb } from "../../server/store/sqlite-db.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { daily, RENEWAL_CONSENT, startTestServer, type TestServer } from "./helpers.ts";

const NOW = "2026-05-30T12:00:00Z";
const J = "renewal_reminder_d90";
let pg: TestPostgres | undefined;
const dirs: string[] = [];

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const BACKENDS = [
  { name: "sqlite (the default)", store: async (): Promise<string | undefined> => undefined },
  { name: "postgres", store: async (): Promise<string | undefined> => pg!.createDatabase() },
] as const;

/** The assignments table, in row order, through the store's own connection (SQLite or PostgreSQL). */
async function assignments(store: ServiceStore): Promise<Record<string, unknown>[]> {
  const db = (store as unknown as { parts: { db: Db | SqliteDb } }).parts.db;
  const sql = "SELECT subject, journey, arm, outcome, channel, at, decision_id FROM assignments ORDER BY id";
  return "all" in db ? db.all(sql) : db.query(sql);
}

describe.each(BACKENDS)("POST /v1/outcomes on $name", (backend) => {
  let t: TestServer;
  let store: ServiceStore;
  beforeAll(async () => {
    const url = await backend.store();
    const dataDir = mkdtempSync(join(tmpdir(), "kairos-outcomes-"));
    dirs.push(dataDir);
    t = await startTestServer({ clock: "request", dataDir, ...(url === undefined ? {} : { store: url }) });
    store = t.server.store as ServiceStore;
  });
  afterAll(async () => {
    await t?.close();
  });

  test("decisions write their assignment rows: the treated subject, and the held-out one with the journey's channel", async () => {
    expect((await t.call("POST", "/v1/subjects/s-acted/consents", { records: [RENEWAL_CONSENT] })).status).toBe(201);
    const acted = await t.call("POST", "/v1/decisions", daily("s-acted", "e-1", NOW));
    expect(acted.json).toMatchObject({ outcome: "acted", journey: J });
    // c-10 is in the day-90 reminder's 10% holdout (the conformance corpus decides it too).
    const held = await t.call("POST", "/v1/decisions", daily("c-10", "e-1", NOW));
    expect(held.json).toMatchObject({ outcome: "held_out", journey: J });
    const [volume] = await store.journeyVolumes();
    expect(volume).toMatchObject({ journey: J, outcomes: { acted: 1, held_out: 1 }, subjects: { treated: 1, holdout: 1 }, actions: { email: 1 } });
    const rows = await assignments(store);
    expect(rows).toEqual([
      { subject: "s-acted", journey: J, arm: "treated", outcome: "acted", channel: "email", at: NOW, decision_id: acted.json.decision_id },
      { subject: "c-10", journey: J, arm: "holdout", outcome: "held_out", channel: "email", at: NOW, decision_id: held.json.decision_id },
    ]);
  });

  test("adds one outcome (201), then counts it as a duplicate when it comes again (200); a batch too", async () => {
    const one = { subject: "s-acted", type: "renewal", at: "2026-06-10T09:00:00+02:00", value: 1200.5 };
    expect(await t.call("POST", "/v1/outcomes", one)).toMatchObject({ status: 201, json: { added: 1, duplicates: 0 } });
    expect(await t.call("POST", "/v1/outcomes", one)).toMatchObject({ status: 200, json: { added: 0, duplicates: 1 } });
    const batch = {
      outcomes: [
        { id: "crm-1", subject: "c-10", type: "renewal", at: "2026-06-12T00:00:00Z", value: 900 },
        { id: "crm-2", subject: "c-10", type: "complaint", at: "2026-06-12T00:00:00Z" },
        { id: "crm-1", subject: "c-10", type: "renewal", at: "2026-06-12T00:00:00Z", value: 900 },
      ],
    };
    expect(await t.call("POST", "/v1/outcomes", batch)).toMatchObject({ status: 201, json: { added: 2, duplicates: 1 } });
    const rows = await store.valueAggregates([{ key: "goal", journey: J, type: "renewal", windowMs: 30 * 86_400_000 }]);
    expect(rows.map((r) => [r.arm, r.subjects, r.converted, r.valueSum])).toEqual([
      ["holdout", 1, 1, 900],
      ["treated", 1, 1, 1200.5],
    ]);
  });

  test("refuses a batch with one bad record whole, naming each record and field, and writes nothing", async () => {
    const before = await store.outcomeCounts();
    const bad = await t.call("POST", "/v1/outcomes", {
      outcomes: [
        { subject: "s-acted", type: "renewal", at: "2026-06-10T09:00:00Z" },
        { subject: "s-acted", type: "refund", at: "2026-06-10T09:00:00Z" },
        { subject: "s-acted", type: "renewal", at: "2026-06-10T09:00:00" },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: "invalid_outcome", message: expect.stringContaining("nothing was written") });
    expect(bad.json.error.problems).toEqual([
      {
        path: "outcomes[1].type",
        message: "`refund` is not an outcome type of the policy set",
        hint: "use one of `complaint`, `conversion`, `renewal`, `unsubscribe`, or declare it under `value: outcomes:` in catalog.yaml",
      },
      { path: "outcomes[2].at", message: "`2026-06-10T09:00:00` is not an ISO 8601 datetime with an offset (`2026-05-30T09:00:00Z`)" },
    ]);
    const single = await t.call("POST", "/v1/outcomes", { subject: "s-acted", type: "renewal", at: "soon", value: 3 });
    expect(single.json.error.problems).toEqual([{ path: "at", message: expect.stringContaining("`soon` is not an ISO 8601 datetime") }]);
    const schema = await t.call("POST", "/v1/outcomes", { subject: "s-acted", type: "renewal", at: NOW, value: "12" });
    expect(schema.status).toBe(400);
    expect(schema.json.error.problems).toContainEqual(expect.objectContaining({ path: "value", message: "expected a number" }));
    const many = Array.from({ length: 1001 }, (_, i) => ({ subject: `m-${i}`, type: "conversion", at: NOW }));
    const tooMany = await t.call("POST", "/v1/outcomes", { outcomes: many });
    expect(tooMany.json.error.problems).toEqual([{ path: "outcomes", message: "has more than 1000 items", hint: "send the records in batches" }]);
    const both = await t.call("POST", "/v1/outcomes", { outcomes: [{ subject: "x", type: "renewal", at: NOW }], subject: "y" });
    expect(both).toMatchObject({ status: 400, json: { error: { problems: [{ path: "subject", message: "not allowed next to `outcomes`" }] } } });
    expect(await store.outcomeCounts()).toEqual(before);
  });

  test("needs the `decide` scope", async () => {
    const reader = t.token(`reader-${Math.random().toString(36).slice(2)}`, ["audit:read"]);
    const r = await t.call("POST", "/v1/outcomes", { subject: "s-acted", type: "renewal", at: NOW }, { token: reader });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe("forbidden");
  });
});
