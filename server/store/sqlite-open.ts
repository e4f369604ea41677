// Opening the SQLite store (`--store sqlite:` or `sqlite:PATH`, docs/store.md): where its file
// is, the lock file that keeps it to one process (its subject cache and group commit assume a
// single writer), the migrations, and the log's metadata — shard count and key ids recorded at
// first use, checked on every later start — by log-init.ts, as for the SQL stores.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { GENESIS } from "../../runtime/log/format.ts";
import { lockEmbedded } from "./embedded-lock.ts";
import { StoreError } from "./errors.ts";
import { initLog, storeParts, type LogMetaSql } from "./log-init.ts";
import { SqliteDb } from "./sqlite-db.ts";
import { SqliteStore } from "./sqlite-store.ts";
import type { OpenStoreOptions } from "./index.ts";

/** The file name of the SQLite store inside a data directory (`--store sqlite:`). */
export const SQLITE_FILE = "store.sqlite";

/** True for a `--store` value naming a SQLite store: `sqlite:` (in the data directory) or `sqlite:PATH`. */
export function isSqliteUrl(text: string): boolean {
  return /^sqlite:/i.test(text);
}

/** The database file a `sqlite:` location names: `sqlite:` → `<dataDir>/store.sqlite`; `sqlite:PATH` → PATH. */
export function sqliteFile(url: string, dataDir: string): string {
  const path = url.replace(/^sqlite:(\/\/)?/i, "");
  return path === "" ? join(dataDir, SQLITE_FILE) : resolve(path);
}

/** Opens the SQLite store at `url` (see sqliteFile); throws StoreError with a clear message. */
export async function openSqliteStore(url: string, dataDir: string, options: OpenStoreOptions): Promise<SqliteStore> {
  const file = sqliteFile(url, dataDir);
  const location = `sqlite:${file}`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new StoreError("store/bad-location", `cannot create the directory of ${file}: ${(e as Error).message}`, "give a path you can write");
  }
  const lock = lockEmbedded(`${file}.lock`, options.lockTimeoutMs, {
    store: `the SQLite store ${file}`,
    target: `the SQLite store ${file}`,
    elsewhere: "another store",
  });
  let db: SqliteDb | undefined;
  try {
    try {
      db = SqliteDb.open(await import("node:sqlite"), file, {
        readOnly: options.readOnly === true,
        migrate: options.migrate !== false && options.readOnly !== true,
      });
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(
        "store/unavailable",
        `the SQLite store ${file} could not be opened: ${(e as Error).message}`,
        "if the file is damaged, restore it from a backup (docs/store.md#backups)",
        e,
      );
    }
    const init = await initLog(logMetaSql(db, location), location, dataDir, options);
    return new SqliteStore(storeParts(db, location, init, options, () => lock.release()));
  } catch (e) {
    db?.close();
    lock.release();
    if (e instanceof StoreError) throw e;
    throw new StoreError("store/unavailable", `the store ${location} could not be opened: ${(e as Error).message}`, undefined, e);
  }
}

/**
 * The log's statements (initLog) in SQLite's dialect, after checking that the schema exists (a
 * read-only open applies no migrations).
 */
function logMetaSql(db: SqliteDb, location: string): LogMetaSql {
  const hasMeta = db.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'log_meta'");
  if ((hasMeta?.n ?? 0) === 0) throw new StoreError("store/invalid", `the store ${location} has no schema yet`, "start `kairos serve` on it first");
  return {
    readMeta: async () => new Map(db.all<{ key: string; value: string }>("SELECT key, value FROM log_meta").map((r) => [r.key, r.value])),
    recordMeta: async (rows) => {
      db.transaction(() => {
        for (const [key, value] of rows) db.run("INSERT INTO log_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, value);
      });
    },
    createHeads: async (shards) => {
      db.transaction(() => {
        for (let s = 0; s < shards; s++)
          db.run("INSERT INTO log_heads (shard, seq, hash, size) VALUES (?, 0, ?, 0) ON CONFLICT (shard) DO NOTHING", s, GENESIS);
      });
    },
    countHeads: async () => Number(db.get<{ n: number }>("SELECT count(*) AS n FROM log_heads")?.n ?? 0),
  };
}
