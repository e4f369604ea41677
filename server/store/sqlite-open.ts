// Opening the SQLite store (`--store sqlite:` or `sqlite:PATH`, docs/store.md): where its file
// is, the lock file that keeps it to one process (its subject cache and group commit assume a
// single writer), the migrations, and the log's metadata — shard count and key ids recorded at
// first use, checked on every later start — exactly as index.ts does for the SQL stores.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { checkpointSigner } from "../../runtime/log/checkpoint.ts";
import { EntryEncoder, LoggedMemory } from "../../runtime/log/encode.ts";
import { LogError } from "../../runtime/log/errors.ts";
import { GENESIS } from "../../runtime/log/format.ts";
import { FileLock } from "../../runtime/log/lock.ts";
import { StoreError } from "./errors.ts";
import { checkKeyIds, loadStoreKeys, type StoreKeys } from "./keys.ts";
import { validShards } from "./shard.ts";
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
  let lock: FileLock;
  try {
    // A lifetime lock: never broken by age (only when its holder is dead on this host).
    lock = FileLock.acquire(`${file}.lock`, { timeoutMs: options.lockTimeoutMs ?? 1000, staleMs: Number.MAX_SAFE_INTEGER });
  } catch (e) {
    if (e instanceof LogError && e.code === "log/locked") {
      throw new StoreError(
        "store/locked",
        `the SQLite store ${file} is in use by another process (${e.message.replace(/^the log is locked by /, "")})`,
        "the embedded store serves one process: stop the other one, give this one another store, or share a PostgreSQL store with --store postgres://…",
        e,
      );
    }
    throw new StoreError("store/bad-location", `cannot lock the SQLite store ${file}: ${(e as Error).message}`, undefined, e);
  }
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
    const init = initLog(db, location, dataDir, options);
    const log = options.log ?? { pii: () => undefined, journeys: [] };
    const encoder = new EntryEncoder({ key: init.keys.key, integrityKey: init.keys.integrityKey, pii: log.pii, journeys: log.journeys });
    const opened = db;
    return new SqliteStore({
      db: opened,
      location,
      shards: init.shards,
      keys: init.keys,
      encoder,
      signer: checkpointSigner(init.keys.integrityKey),
      memories: Array.from({ length: init.shards }, () => new LoggedMemory()),
      checkpointEvery: Math.max(0, options.checkpointEvery ?? 1000),
      historyLimit: Math.max(1, options.historyLimit ?? 10_000),
      clock: options.clock ?? Date.now,
      onClose: () => lock.release(),
    });
  } catch (e) {
    db?.close();
    lock.release();
    if (e instanceof StoreError) throw e;
    throw new StoreError("store/unavailable", `the store ${location} could not be opened: ${(e as Error).message}`, undefined, e);
  }
}

/** Records (first open) or checks (every later open) the log's shard count and key ids. */
function initLog(db: SqliteDb, location: string, dataDir: string, options: OpenStoreOptions): { shards: number; keys: StoreKeys } {
  const hasMeta = db.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'log_meta'");
  if ((hasMeta?.n ?? 0) === 0) throw new StoreError("store/invalid", `the store ${location} has no schema yet`, "start `kairos serve` on it first");
  const readMeta = (): Map<string, string> => new Map(db.all<{ key: string; value: string }>("SELECT key, value FROM log_meta").map((r) => [r.key, r.value]));
  let meta = readMeta();
  const fresh = !meta.has("shards");
  if (fresh && options.readOnly) throw new StoreError("store/invalid", `the store ${location} has no decision log yet`, "start `kairos serve` on it first");
  const create = !options.readOnly && !meta.has("key_id");
  if (create && options.keys === undefined) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keys = options.keys ?? loadStoreKeys(dataDir, create, options.env);
  if (fresh) {
    const shards = options.shards ?? 1;
    db.transaction(() => {
      const insert = "INSERT INTO log_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING";
      db.run(insert, "shards", String(shards));
      db.run(insert, "key_id", keys.key.id);
      db.run(insert, "ikey_id", keys.integrityKey.id);
      db.run(insert, "created_at", new Date().toISOString());
    });
    meta = readMeta();
  }
  const shards = Number(meta.get("shards"));
  if (!validShards(shards)) throw new StoreError("store/corrupt", `the store ${location} records ${meta.get("shards")} log shards`);
  if (options.shards !== undefined && options.shards !== shards) {
    throw new StoreError(
      "store/shards",
      `the store ${location} was created with ${shards} log shard${shards === 1 ? "" : "s"}, not ${options.shards}`,
      "leave --log-shards out (an existing store keeps its shards), or use a new store",
    );
  }
  checkKeyIds({ keyId: meta.get("key_id"), ikeyId: meta.get("ikey_id") }, keys, location);
  if (!options.readOnly) {
    db.transaction(() => {
      for (let s = 0; s < shards; s++) db.run("INSERT INTO log_heads (shard, seq, hash, size) VALUES (?, 0, ?, 0) ON CONFLICT (shard) DO NOTHING", s, GENESIS);
    });
  }
  const count = Number(db.get<{ n: number }>("SELECT count(*) AS n FROM log_heads")?.n ?? 0);
  if (!options.readOnly && count !== shards) throw new StoreError("store/corrupt", `the store ${location} has ${count} log heads for ${shards} shards`);
  return { shards, keys };
}
