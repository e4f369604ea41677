// The embedded store is durable against a power loss, not only against `kill -9`: PGlite 0.6.1
// runs PostgreSQL with fsync off and its Node file system has no fsync, so server/store/
// pglite-db.ts turns fsync on and supplies the sync. A power cut cannot be simulated here; what
// can be checked is what the guarantee rests on — PostgreSQL's settings and one real sync of the
// WAL per committed transaction, before the commit returns (docs/store.md#measured).
import { afterAll, describe, expect, test } from "vitest";
import { embeddedSyncs, openPglite } from "../../server/store/pglite-db.ts";
import { removeTempDirs, tempDir } from "./helpers.ts";

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
