// Several instances on one PostgreSQL (a throwaway cluster the test starts): caps hold across
// instances under concurrent requests for the same subjects (0 cap violations), every event is
// decided and logged exactly once (0 lost, 0 duplicated entries, the chain verifies), wake-ups
// fire exactly once across instances, and a store that goes away mid-load fails requests closed
// with 503 and Retry-After while nothing is half written.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { verifyStoreLog } from "../../server/store/index.ts";
import type { SqlStore } from "../../server/store/sql-store.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { CUSTOMER, daily, RENEWAL_CONSENT, startTestServer, type TestServer } from "./helpers.ts";

const NOW = "2026-05-30T12:00:00Z";
let pg: TestPostgres;
const dirs: string[] = [];

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Two instances on a fresh database, sharing the log keys and the tokens file (one data directory). */
async function twoInstances(options: Parameters<typeof startTestServer>[0] = {}): Promise<[TestServer, TestServer]> {
  const url = await pg.createDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "kairos-pg-serve-"));
  dirs.push(dataDir);
  const a = await startTestServer({ store: url, dataDir, ...options });
  const b = await startTestServer({ store: url, dataDir, ...options });
  return [a, b];
}

async function logLength(t: TestServer): Promise<number> {
  return (await t.server.store.heads()).reduce((n, h) => n + h.seq, 0);
}

describe("two instances on one PostgreSQL", () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    [a, b] = await twoInstances({ clock: "request" });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  test("0 cap violations and 0 lost or duplicated log entries under concurrent requests per subject", async () => {
    const subjects = Array.from({ length: 12 }, (_, i) => `pg-${i}`);
    for (const s of subjects) expect((await a.call("POST", `/v1/subjects/${s}/consents`, { records: [RENEWAL_CONSENT] })).status).toBe(201);
    const before = await logLength(a);
    // 8 events per subject, each sent twice — once to each instance — all at once.
    const sends = subjects.flatMap((s) => Array.from({ length: 8 }, (_, i) => daily(s, `e-${i}`, NOW)));
    const answers = await Promise.all(
      sends.flatMap((body, i) => [(i % 2 ? a : b).call("POST", "/v1/decisions", body), (i % 2 ? b : a).call("POST", "/v1/decisions", body)]),
    );
    expect(answers.filter((r) => r.status !== 200).map((r) => r.text)).toEqual([]);
    for (let i = 0; i < sends.length; i++) expect(answers[2 * i]!.json.decision_id).toBe(answers[2 * i + 1]!.json.decision_id);
    // Per subject: at most one day-90 reminder acted (cap 1 per 30 days), and the store's history agrees.
    let total = 0;
    for (const s of subjects) {
      const mine = answers.filter(
        (r, i) => i % 2 === 0 && sends[i / 2]!["subject"] === s && r.json.outcome === "acted" && r.json.journey === "renewal_reminder_d90",
      );
      expect(mine.length, s).toBeLessThanOrEqual(1);
      const history = (await a.server.store.state(s)).history.filter((h) => h.journey === "renewal_reminder_d90");
      expect(
        history.map((h) => h.decision_id),
        s,
      ).toEqual(mine.map((r) => r.json.decision_id));
      total += mine.length;
    }
    expect(total).toBeGreaterThan(subjects.length / 2); // most subjects are outside the holdout
    const distinct = new Set(answers.map((r) => r.json.decision_id));
    expect(distinct.size).toBe(sends.length);
    expect((await logLength(a)) - before).toBe(sends.length);
    const verified = await verifyStoreLog(a.server.store as SqlStore);
    expect(verified.ok, JSON.stringify(verified.shards.map((s) => s.problem))).toBe(true);
  });

  test("wake-ups fire exactly once across the two instances", async () => {
    const subjects = Array.from({ length: 15 }, (_, i) => `wk-${i}`);
    for (const s of subjects) {
      const at = "2026-05-27T10:00:00Z";
      const r = await a.call("POST", "/v1/decisions", {
        event: { type: "claim.filed", id: `K-${s}`, at, payload: { claim_id: `K-${s}`, at } },
        subject: s,
        region: "eu",
        now: at,
        context: CUSTOMER,
      });
      expect(r.json.wakeups).toHaveLength(2);
    }
    const before = await logLength(a);
    const until = { until: "2026-07-01T00:00:00Z" };
    const [ra, rb] = await Promise.all([a.call("POST", "/v1/admin/wakeups/run", until), b.call("POST", "/v1/admin/wakeups/run", until)]);
    expect(ra.json.failed + rb.json.failed).toBe(0);
    expect(ra.json.ran + rb.json.ran).toBe(subjects.length * 2);
    expect((await logLength(a)) - before).toBe(subjects.length * 2);
    for (const s of subjects) {
      for (const timer of ["3d", "7d"]) expect(await a.server.store.findByEvent({ subject: s, eventId: `K-${s}`, timer })).toBeDefined();
      expect(await a.server.store.pendingWakeups(s)).toEqual([]);
    }
    expect((await b.call("POST", "/v1/admin/wakeups/run", until)).json.ran).toBe(0);
  });
});

describe("the store goes away mid-load", () => {
  test("requests fail closed with 503 and Retry-After; after it returns, nothing is lost, doubled or half written", async () => {
    const [t, spare] = await twoInstances({ clock: "request" });
    await spare.close();
    try {
      const events = Array.from({ length: 240 }, (_, i) => daily(`gone-${i % 20}`, `e-${i}`, NOW));
      const answers: { status: number; json: any; headers: Headers }[] = [];
      let interrupted = false;
      const sending = (async () => {
        for (let i = 0; i < events.length; i += 8) {
          const batch = await Promise.all(
            events.slice(i, i + 8).map((e) => t.call("POST", "/v1/decisions", e).catch(() => ({ status: 0, json: undefined, headers: new Headers() }))),
          );
          answers.push(...batch);
          if (i === 80) {
            interrupted = true;
            await pg.interrupt();
          }
          if (i === 160) await pg.resume();
        }
      })();
      await sending;
      expect(interrupted).toBe(true);
      const failed = answers.filter((r) => r.status !== 200);
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) {
        expect(f.status).toBe(503);
        expect(f.json.error.code).toBe("store_unavailable");
        expect(f.headers.get("retry-after")).toBe("1");
      }
      // Once it answers again, every event sent again gets one decision: the first one if it was committed.
      const deadline = Date.now() + 30_000;
      while ((await t.call("GET", "/readyz")).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const again = await Promise.all(events.map((e) => t.call("POST", "/v1/decisions", e)));
      expect(again.filter((r) => r.status !== 200).map((r) => r.text)).toEqual([]);
      answers.forEach((r, i) => {
        if (r.status === 200) expect(again[i]!.json.decision_id).toBe(r.json.decision_id);
      });
      expect(await logLength(t)).toBe(events.length);
      const verified = await verifyStoreLog(t.server.store as SqlStore);
      expect(verified.ok, JSON.stringify(verified.shards.map((s) => s.problem))).toBe(true);
      for (let s = 0; s < 20; s++) {
        expect((await t.server.store.state(`gone-${s}`)).history.filter((h) => h.journey === "renewal_reminder_d90").length).toBeLessThanOrEqual(1);
      }
    } finally {
      await pg.resume();
      await t.close();
    }
  });
});
