// The row mappers every backend shares (server/store/rows.ts) and the migration bookkeeping both
// dialects share (server/store/migrations.ts's compareMigrations, used by sqlite-db.ts too). One
// mapper serves three drivers because the numbers a driver returns — text from `pg` for bigint
// columns, numbers from node:sqlite and PGlite, bigint where a driver is asked to — are read the
// same way: these tests give the same row in each representation and expect one result.
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, StoreError } from "../../server/store/index.ts";
import { compareMigrations, MIGRATIONS, unknownMigrations } from "../../server/store/migrations.ts";
import { claimedWakeups, toCounts, toShardHead, toStoredDecision, toWakeup } from "../../server/store/rows.ts";
import { SQLITE_MIGRATIONS } from "../../server/store/sqlite-db.ts";
import { KEYS, LOG, removeTempDirs, tempDir } from "./helpers.ts";

afterEach(removeTempDirs);

/** A whole number as each driver may give it. */
const asDriver = (n: number, how: number): unknown => [n, String(n), BigInt(n)][how % 3];

const wakeupRow = fc.record({
  id: fc.integer({ min: 1, max: 2 ** 40 }),
  dueMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  leaseUntil: fc.option(fc.integer({ min: 0, max: 4_000_000_000_000 }), { nil: null }),
  owner: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
  attempts: fc.nat(50),
  done: fc.boolean(),
});

describe("row mappers", () => {
  it("map a wake-up row to one StoredWakeup whether its numbers come as numbers, text or bigints", () => {
    fc.assert(
      fc.property(wakeupRow, fc.nat(), (w, how) => {
        const row = (h: number) => ({
          id: asDriver(w.id, h),
          subject: "s1",
          journey: "renewal_reminder_d90",
          timer: "t1",
          due_at: new Date(w.dueMs).toISOString(),
          request: JSON.stringify({ subject: "s1", n: w.attempts }),
          scheduled_by: "d_1",
          state: w.done ? "done" : "pending",
          lease_owner: w.owner,
          lease_until_ms: w.leaseUntil === null ? null : asDriver(w.leaseUntil, h + 1),
          attempts: asDriver(w.attempts, h + 2),
        });
        const reference = toWakeup(row(0));
        expect(toWakeup(row(how))).toEqual(reference);
        expect(reference.id).toBe(`wk_${w.id}`);
        expect(reference.attempts).toBe(w.attempts);
        expect("lease_owner" in reference).toBe(w.owner !== null);
        expect(reference.lease_until).toBe(w.leaseUntil === null ? undefined : new Date(w.leaseUntil).toISOString());
      }),
    );
  });

  it("orders claimed wake-ups by due time, then id, whatever order the update returned them in", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.record({ id: fc.integer({ min: 1, max: 10_000 }), due: fc.nat(5) }), { selector: (r) => r.id }), (rows) => {
        const driverRows = rows.map((r, i) => ({
          id: asDriver(r.id, i),
          due_ms: asDriver(r.due, i + 1),
          subject: "s",
          journey: "j",
          timer: "t",
          due_at: "x",
          request: "{}",
          scheduled_by: "d",
          state: "pending",
          lease_owner: null,
          lease_until_ms: null,
          attempts: 0,
        }));
        const expected = [...rows].sort((a, b) => a.due - b.due || a.id - b.id).map((r) => `wk_${r.id}`);
        expect(claimedWakeups(driverRows).map((w) => w.id)).toEqual(expected);
      }),
    );
  });

  it("reads heads, decisions and counts the same from text and numbers", () => {
    expect(toShardHead({ shard: "3", seq: "41", hash: "h" })).toEqual(toShardHead({ shard: 3, seq: 41, hash: "h" }));
    const decision = { decision: '{"decision_id":"d_1"}', subject: "s", event_id: "e", timer: "", shard: 0, seq: 7, hash: "h", line: "{}" };
    expect(toStoredDecision({ ...decision, shard: "0", seq: BigInt(7) })).toEqual(toStoredDecision(decision));
    expect(toStoredDecision(decision).position).toEqual({ shard: 0, seq: 7, hash: "h" });
    expect(toCounts(undefined)).toEqual({ decisions: 0, matched: 0 });
    expect(toCounts({ decisions: "4", matched: 3 })).toEqual({ decisions: 4, matched: 3 });
  });
});

describe("migrations on every backend", () => {
  it("SQLite has a migration for each PostgreSQL one, with the same id in the same order (so /readyz lists the same)", () => {
    expect(SQLITE_MIGRATIONS.map((m) => m.id)).toEqual(MIGRATIONS.map((m) => m.id));
  });

  it("compares what a store applied with the backend's own list: pending in order, unknown ones named", () => {
    expect(compareMigrations([], SQLITE_MIGRATIONS)).toEqual({ pending: SQLITE_MIGRATIONS.map((m) => m.id), unknown: [] });
    expect(compareMigrations(["0001_initial", "0002_errors_retry", "0003_other"], [{ id: "0001_initial" }, { id: "0003_other" }, { id: "0004_next" }])).toEqual(
      {
        pending: ["0004_next"],
        unknown: ["0002_errors_retry"],
      },
    );
    expect(compareMigrations(["0001_initial"])).toEqual({ pending: MIGRATIONS.slice(1).map((m) => m.id), unknown: [] });
  });

  it("refuses a store a newer Kairos migrated, saying which migrations and what to do", () => {
    const e = unknownMigrations("sqlite:/data/store.sqlite", ["9998_a", "9999_b"]);
    expect(e.code).toBe("store/migration");
    expect(e.message).toBe("the store sqlite:/data/store.sqlite has migrations this Kairos does not know (9998_a, 9999_b): a newer Kairos made it");
    expect(e.hint).toBe("run the Kairos version that manages this store (or a newer one)");
  });

  it("refuses to open a SQLite store with a migration this Kairos does not know, and leaves it as it was", async () => {
    const dataDir = tempDir();
    await (await openStore("sqlite:", { dataDir, keys: KEYS, log: LOG })).close();
    const file = join(dataDir, "store.sqlite");
    const raw = new DatabaseSync(file);
    raw.prepare("INSERT INTO kairos_migrations (id, applied_at) VALUES (?, ?)").run("9999_future", "2030-01-01T00:00:00.000Z");
    raw.close();
    const refused = await openStore("sqlite:", { dataDir, keys: KEYS, log: LOG }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).code).toBe("store/migration");
    expect((refused as StoreError).message).toBe(`the store ${file} has migrations this Kairos does not know (9999_future): a newer Kairos made it`);
    const check = new DatabaseSync(file, { readOnly: true });
    expect(
      check
        .prepare("SELECT id FROM kairos_migrations ORDER BY id")
        .all()
        .map((r) => r["id"]),
    ).toEqual([...MIGRATIONS.map((m) => m.id), "9999_future"]);
    check.close();
  });
});
