// What the commit's statement split guarantees on PostgreSQL, where commits of two instances
// wait for each other's subject locks (server/store/commit.ts): the statement that looks up
// event keys runs AFTER the lock statement, so its snapshot sees a decision another instance
// committed while this one waited. Were the look-up part of the lock statement, its snapshot
// would predate the wait, the second commit of one event would be reported as a `conflict`
// (or fail on the unique key), not as the `duplicate` it is. A third connection holds the
// subject's row lock so that both commits are queued behind it before either runs.
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openStore, type SqlStore } from "../../server/store/index.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { KEYS, LOG, pending, removeTempDirs, tempDir } from "./helpers.ts";

let postgres: TestPostgres | undefined;
const opened: SqlStore[] = [];
const clients: pg.Client[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
});

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => {});
  for (const c of clients.splice(0)) await c.end().catch(() => {});
});

afterAll(async () => {
  await postgres?.stop();
  removeTempDirs();
});

/** Resolves once `n` sessions of the database wait for a lock (a deadline, not a timing assumption). */
async function waitForLockWaiters(admin: pg.Client, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    if (Number(r.rows[0]?.n ?? 0) >= n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} sessions waiting for a lock within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("commit on PostgreSQL: event keys are read after the subject locks", () => {
  it("reports the second commit of one event as a duplicate when it waited for the first", async () => {
    const url = await postgres!.createDatabase();
    const dataDir = tempDir();
    const a = await openStore(url, { dataDir, keys: KEYS, log: LOG });
    opened.push(a);
    const b = await openStore(url, { dataDir, keys: KEYS, log: LOG });
    opened.push(b);
    // The subject exists at version 1.
    expect((await a.commit([pending({ subject: "cust-lock", version: 0 })]))[0]?.status).toBe("committed");

    const holder = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    clients.push(holder);
    await holder.connect();
    const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    clients.push(admin);
    await admin.connect();
    await holder.query("BEGIN");
    await holder.query("SELECT version FROM subjects WHERE subject = 'cust-lock' FOR UPDATE");

    // The same event, decided from the same version by two instances (two different decisions).
    const first = pending({ subject: "cust-lock", eventId: "ev-locked", version: 1 });
    const second = pending({ subject: "cust-lock", eventId: "ev-locked", version: 1 });
    const results = Promise.all([a.commit([first]), b.commit([second])]);
    await waitForLockWaiters(admin, 2);
    await holder.query("COMMIT");
    const [ra, rb] = await results;

    const statuses = [ra[0]?.status, rb[0]?.status].sort();
    expect(statuses).toEqual(["committed", "duplicate"]);
    const winner = ra[0]?.status === "committed" ? first : second;
    const loser = ra[0]?.status === "committed" ? rb[0] : ra[0];
    expect(loser).toEqual({ status: "duplicate", decision: winner.decision });
    const stored = await a.findByEvent({ subject: "cust-lock", eventId: "ev-locked", timer: "" });
    expect(stored?.decision_id).toBe(winner.decision.decision_id);
  }, 60_000);
});
