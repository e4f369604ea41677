// The life cycle of the stores a test file opens on the three backends (PGlite, SQLite and a
// real PostgreSQL the file starts, test/helpers/postgres.ts): every store opened through it is
// closed after each test, the PostgreSQL cluster is stopped and the data directories removed
// after the file. Call `storeLifecycle()` once at a test file's top level: it registers the hooks.
import { afterAll, afterEach, beforeAll } from "vitest";
import { openStore, type OpenStoreOptions, type SqlStore } from "../../server/store/index.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { KEYS, LOG, removeTempDirs } from "./helpers.ts";

/** What a test file opens its stores with. */
export interface StoreLifecycle {
  /**
   * Opens the store at `url` (`pglite:`, `sqlite:` or a PostgreSQL URL) with its data in
   * `dataDir`, the test keys and log set-up, and `options` over those; closed after the test.
   */
  open(url: string, dataDir: string, options?: Partial<OpenStoreOptions>): Promise<SqlStore>;
  /** A fresh, empty database on the file's PostgreSQL cluster (started before the file's tests). */
  createPostgresDatabase(): Promise<string>;
}

/** Registers the hooks (start PostgreSQL; close stores after each test; stop and clean up after all). */
export function storeLifecycle(): StoreLifecycle {
  let postgres: TestPostgres | undefined;
  const opened: SqlStore[] = [];
  beforeAll(async () => {
    postgres = await startPostgres();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close().catch(() => {});
  });
  afterAll(async () => {
    await postgres?.stop();
    removeTempDirs();
  });
  return {
    async open(url, dataDir, options = {}) {
      const store = await openStore(url, { dataDir, keys: KEYS, log: LOG, ...options });
      opened.push(store);
      return store;
    },
    createPostgresDatabase() {
      if (postgres === undefined) throw new Error("PostgreSQL is not started: create a database inside a test, not at a file's top level");
      return postgres.createDatabase();
    },
  };
}
