// The embedded stores are durable against a power loss, not only against `kill -9`: PGlite 0.6.1
// runs PostgreSQL with fsync off and its Node file system has no fsync, so server/store/
// pglite-db.ts turns fsync on and supplies the sync; the SQLite store runs WAL with
// synchronous=NORMAL and flushes the WAL itself (server/store/sqlite-db.ts) before a write is
// acknowledged. A power cut cannot be simulated here; what can be checked is what the guarantee
// rests on — the settings, and one real sync of the WAL per committed transaction, completed
// before the commit returns (docs/store.md#measured) — and that a failed sync loses nothing
// acknowledged: the store refuses every later write until it is reopened.
import { closeSync } from "node:fs";
import { afterAll, describe, expect, test } from "vitest";
import { openStore, StoreError } from "../../server/store/index.ts";
import { embeddedSyncs, openPglite } from "../../server/store/pglite-db.ts";
import { sqliteCommits, sqliteSyncs, type SqliteDb } from "../../server/store/sqlite-db.ts";
import type { SqliteStore } from "../../server/store/sqlite-store.ts";
import { KEYS, LOG, pending, removeTempDirs, tempDir } from "./helpers.ts";

afterAll(removeTempDirs);

describe("the embedded store syncs every commit to disk", () => {
  test("PostgreSQL runs with fsync on and syncs the WAL by fsync", async () => {
    const db = await openPglite(tempDir());
    try {
      expect((await db.query<{ fsync: string }>("SHOW fsync"))[0]?.fsync).toBe("on");
      expect((await db.query<{ wal_sync_method: string }>("SHOW wal_sync_method"))[0]?.wal_sync_method).toBe("fsync");
      expect((await db.query<{ synchronous_commit: string }>("SHOW synchronous_commit"))[0]?.synchronous_commit).toBe("on");
    } finally {
      await db.close();
    }
  });

  test("every committed transaction syncs before it returns; one transaction of many rows syncs once or so", async () => {
    const db = await openPglite(tempDir());
    try {
      await db.query("CREATE TABLE t (id serial PRIMARY KEY, v text)");
      const before = embeddedSyncs();
      for (let i = 0; i < 20; i++) await db.transaction((tx) => tx.query("INSERT INTO t (v) VALUES ($1)", [`row ${i}`]));
      const perCommit = embeddedSyncs() - before;
      expect(perCommit).toBeGreaterThanOrEqual(20);
      const batchStart = embeddedSyncs();
      await db.transaction(async (tx) => {
        for (let i = 0; i < 50; i++) await tx.query("INSERT INTO t (v) VALUES ($1)", [`batch ${i}`]);
      });
      const batch = embeddedSyncs() - batchStart;
      expect(batch).toBeGreaterThanOrEqual(1);
      expect(batch).toBeLessThan(10);
    } finally {
      await db.close();
    }
  });
});

/** The SQLite store's database (private: the test looks at what the store runs on). */
const dbOf = (store: unknown): SqliteDb => (store as { parts: { db: SqliteDb } }).parts.db;

describe("the SQLite store syncs every write to disk before it is acknowledged", () => {
  test("runs WAL with synchronous=NORMAL (its own flush replaces FULL's, off the event loop)", async () => {
    const store = (await openStore("sqlite:", { dataDir: tempDir(), keys: KEYS, log: LOG })) as SqliteStore;
    try {
      expect(dbOf(store).pragma("journal_mode")).toBe("wal");
      expect(dbOf(store).pragma("synchronous")).toBe(1); // NORMAL
    } finally {
      await store.close();
    }
  });

  test("a commit resolves only after a completed WAL flush; a batch of 50 flushes once", async () => {
    const store = await openStore("sqlite:", { dataDir: tempDir(), keys: KEYS, log: LOG });
    try {
      for (let i = 0; i < 10; i++) {
        const syncs = sqliteSyncs();
        const commits = sqliteCommits();
        const [r] = await store.commit([pending({ subject: `dur-${i}`, version: 0 })]);
        expect(r?.status).toBe("committed");
        expect(sqliteCommits()).toBe(commits + 1);
        expect(sqliteSyncs()).toBeGreaterThanOrEqual(syncs + 1);
      }
      const consents = sqliteSyncs();
      await store.addConsents("dur-0", [{ purpose: "renewal_marketing", status: "granted", at: "2026-05-30T09:00:00Z" }]);
      expect(sqliteSyncs()).toBe(consents + 1);
      const before = sqliteSyncs();
      const batch = Array.from({ length: 50 }, (_, i) => pending({ subject: `batch-${i}`, version: 0 }));
      expect((await store.commit(batch)).every((r) => r.status === "committed")).toBe(true);
      expect(sqliteSyncs() - before).toBe(1);
    } finally {
      await store.close();
    }
  });

  test("a failed flush fails its commit and every later write until the store is reopened; what was acknowledged is kept", async () => {
    const dataDir = tempDir();
    const store = await openStore("sqlite:", { dataDir, keys: KEYS, log: LOG });
    const kept = pending({ subject: "before", version: 0 });
    expect((await store.commit([kept]))[0]?.status).toBe("committed");
    // Take the WAL's descriptor away from under the store: its next flush fails (EBADF; a number
    // far above any open descriptor, so that a reused one cannot make it succeed by accident).
    const db = dbOf(store) as unknown as { walFd: number | undefined };
    closeSync(db.walFd!);
    db.walFd = 1_000_000;
    const failed = await store.commit([pending({ subject: "lost", version: 0 })]).then(
      () => undefined,
      (e: unknown) => e as StoreError,
    );
    expect(failed).toBeInstanceOf(StoreError);
    expect(failed?.code).toBe("store/unavailable");
    expect(failed?.message).toMatch(/did not make the commit of a decision durable: syncing the write-ahead log of .* failed/);
    expect(failed?.hint).toContain("restart kairos serve");
    const laterItem = pending({ subject: "later", version: 0 });
    const later = await store.commit([laterItem]).then(
      () => undefined,
      (e: unknown) => e as StoreError,
    );
    expect(later?.code).toBe("store/unavailable");
    const consents = await store.addConsents("later", [{ purpose: "p", status: "granted", at: "2026-05-30T09:00:00Z" }]).then(
      () => undefined,
      (e: unknown) => e as StoreError,
    );
    expect(consents?.code).toBe("store/unavailable");
    db.walFd = undefined; // closed above
    await store.close();
    const again = await openStore("sqlite:", { dataDir, keys: KEYS, log: LOG });
    try {
      expect(await again.getDecision(kept.decision.decision_id)).toBeDefined();
      // Refused before anything was written (the flush that failed may or may not have kept `lost`: never acknowledged).
      expect(await again.getDecision(laterItem.decision.decision_id)).toBeUndefined();
      const { version } = await again.state("after");
      expect((await again.commit([pending({ subject: "after", version })]))[0]?.status).toBe("committed");
    } finally {
      await again.close();
    }
  });
});
