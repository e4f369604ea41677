// Opening the decision service's store (docs/store.md): no URL → the embedded store in the data
// directory: SQLite (`<data-dir>/store.sqlite`, sqlite-open.ts) for a new one, or the engine an
// existing directory already holds; `sqlite:` / `sqlite:PATH` → SQLite; `pglite:` → PGlite (PostgreSQL
// in Wasm) in `<data-dir>/store`, guarded by a lock file so a second process gets a clear error
// instead of two PostgreSQL instances on one directory; `postgres://…` → a `pg`
// pool with deadlines, and a server that does not answer is a `store/unreachable` error within
// the connect timeout, its password never printed. Then the migrations, then the log (log-init.ts,
// shared with SQLite): shard count and key ids recorded at first use, checked on every later start.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import { GENESIS } from "../../runtime/log/format.ts";
import type { PiiLookup } from "../../runtime/log/pseudonymize.ts";
import { num, type Db } from "./db.ts";
import { lockEmbedded } from "./embedded-lock.ts";
import { codeOf, isConnectionLoss, StoreError } from "./errors.ts";
import type { StoreKeys } from "./keys.ts";
import { initLog, storeParts, type LogMetaSql } from "./log-init.ts";
import { migrate } from "./migrations.ts";
import { openPg } from "./pg-db.ts";
import { openPglite } from "./pglite-db.ts";
import { validShards } from "./shard.ts";
import { SqlStore as SqlDbStore } from "./sql-store.ts";
import { isSqliteUrl, openSqliteStore, SQLITE_FILE } from "./sqlite-open.ts";
import type { ServiceStore } from "./types.ts";

export { StoreError, type StoreErrorCode } from "./errors.ts";
export { isSqliteUrl, sqliteFile, SQLITE_FILE } from "./sqlite-open.ts";
/**
 * What `openStore` returns, whichever backend (SqlStore on PGlite or PostgreSQL, SqliteStore):
 * the name callers have always used for it.
 */
export type SqlStore = ServiceStore;
export { shardOf } from "./shard.ts";
export { MIGRATIONS } from "./migrations.ts";
export { verifyStoreLog, exportStoreLog, type StoreVerifyResult, type ShardVerifyResult } from "./log-export.ts";
export type * from "./types.ts";

/** The default data directory (relative to the working directory). */
export const DEFAULT_DATA_DIR = ".kairos";

/**
 * The engine of a NEW embedded store (no `--store`, nothing in the data directory yet). A data
 * directory that already holds a store keeps its engine (embeddedEngine), so changing this
 * default never strands existing data: PGlite stores in `<data-dir>/store` keep opening as PGlite.
 */
export const EMBEDDED_DEFAULT: "pglite" | "sqlite" = "sqlite";

/** True for `pglite:`, the embedded PGlite store in the data directory (`<dataDir>/store`). */
export function isPgliteUrl(text: string): boolean {
  return /^pglite:/i.test(text);
}

/**
 * Which embedded engine `openStore` without a URL uses for `dataDir`: PGlite when
 * `<dataDir>/store` holds a PostgreSQL cluster, SQLite when `<dataDir>/store.sqlite` exists (a
 * store started with `--store sqlite:` opens without the flag afterwards), else EMBEDDED_DEFAULT.
 */
export function embeddedEngine(dataDir: string): "pglite" | "sqlite" {
  if (existsSync(join(dataDir, "store", "PG_VERSION"))) return "pglite";
  if (existsSync(join(dataDir, SQLITE_FILE))) return "sqlite";
  return EMBEDDED_DEFAULT;
}

export interface OpenStoreOptions {
  /** Where the embedded store (`<dataDir>/store`) and the log key files live (default `.kairos`). */
  readonly dataDir?: string;
  /** Log shards for a NEW store (default 1; 1…256); an existing store keeps its own, and a different explicit value is refused. */
  readonly shards?: number;
  /** What log entries are built from: the catalog's `pii` tags and the artifact's journey metadata. */
  readonly log?: { readonly pii: Catalog | PiiLookup; readonly journeys: readonly JourneyMeta[] };
  /** The log keys; default: KAIROS_LOG_KEY / KAIROS_LOG_INTEGRITY_KEY, else key files in the data directory. */
  readonly keys?: StoreKeys;
  /** Environment to read key variables from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** PostgreSQL: connections in the pool (default 10). */
  readonly poolSize?: number;
  /** PostgreSQL: how long to wait for a connection (default 5,000 ms). */
  readonly connectTimeoutMs?: number;
  /** PostgreSQL: the longest a statement may run (default 10,000 ms). */
  readonly statementTimeoutMs?: number;
  /** Embedded: how long to wait for another process to release the data directory (default 1,000 ms). */
  readonly lockTimeoutMs?: number;
  /** A signed checkpoint per shard every this many entries (default 1,000). */
  readonly checkpointEvery?: number;
  /** Cap history rows `state` returns at most (default 10,000, newest kept). */
  readonly historyLimit?: number;
  /** Apply pending migrations on open (default true). */
  readonly migrate?: boolean;
  /** Open only to read (verify, export): keys are never created and an uninitialized log is an error. */
  readonly readOnly?: boolean;
  /**
   * Per-subject keys for a NEW store's log (default true: docs/store.md#per-subject-keys); an
   * existing store keeps the mode it was created with, and a different explicit value is refused.
   */
  readonly subjectKeys?: boolean;
  /** Wall clock in epoch ms (default Date.now). */
  readonly clock?: () => number;
}

/** `postgres://user:***@host:port/db` — what messages show. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "the store URL given";
  }
}

/** `pglite:` → "" (the embedded PGlite store in the data directory); anything after the colon is refused. */
function pgliteLocation(url: string): string {
  if (/^pglite:$/i.test(url)) return "";
  throw new StoreError(
    "store/bad-location",
    `\`${url}\`: the PGlite store lives in the data directory and takes no path`,
    "give `--store pglite:` and choose the directory with --data-dir",
  );
}

/** True for a URL the PostgreSQL backend takes. */
export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/**
 * Opens the store: embedded without `url` (the engine embeddedEngine picks), SQLite with
 * `sqlite:` / `sqlite:PATH`, PGlite with `pglite:`, PostgreSQL with `postgres://…`. Throws
 * StoreError with a clear message.
 */
export async function openStore(given: string | undefined, options: OpenStoreOptions = {}): Promise<ServiceStore> {
  const url = given !== undefined && isPgliteUrl(given) ? pgliteLocation(given) : given;
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  if (options.shards !== undefined && !validShards(options.shards)) {
    throw new StoreError("store/shards", `${options.shards} is not a number of log shards`, "give a whole number from 1 to 256");
  }
  if (url !== undefined && isSqliteUrl(url)) return openSqliteStore(url, dataDir, options);
  if ((given === undefined || given === "") && embeddedEngine(dataDir) === "sqlite") return openSqliteStore("sqlite:", dataDir, options);
  let db: Db;
  let location: string;
  let release: (() => void) | undefined;
  if (url === undefined || url === "") {
    location = `embedded:${join(dataDir, "store")}`;
    ({ db, release } = await openEmbedded(dataDir, options));
  } else {
    if (!isPostgresUrl(url)) {
      throw new StoreError(
        "store/bad-location",
        `\`${redactUrl(url)}\` is not a PostgreSQL or SQLite store URL`,
        "give postgres://USER:PASSWORD@HOST:PORT/DATABASE, sqlite: (a SQLite store in the data directory), sqlite:PATH, pglite: (PGlite in the data directory), or leave --store out for the embedded store",
      );
    }
    location = redactUrl(url);
    db = await openPostgres(url, location, options);
  }
  try {
    if (options.migrate !== false) await migrate(db, location);
    const init = await initLog(logMetaSql(db), location, dataDir, options);
    return new SqlDbStore(storeParts(db, location, init, options, release));
  } catch (e) {
    await db.close().catch(() => {});
    release?.();
    if (e instanceof StoreError) throw e;
    if (isConnectionLoss(e)) throw unreachable(location, e);
    throw new StoreError("store/unavailable", `the store ${location} could not be opened: ${(e as Error).message}`, undefined, e);
  }
}

async function openEmbedded(dataDir: string, options: OpenStoreOptions): Promise<{ db: Db; release: () => void }> {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new StoreError(
      "store/bad-location",
      `cannot create the data directory ${dataDir}: ${(e as Error).message}`,
      "give --data-dir a directory you can write",
    );
  }
  const lock = lockEmbedded(join(dataDir, "store.lock"), options.lockTimeoutMs, {
    store: `the embedded store in ${dataDir}`,
    target: `the data directory ${dataDir}`,
    elsewhere: "another --data-dir",
  });
  try {
    return { db: await openPglite(join(dataDir, "store")), release: () => lock.release() };
  } catch (e) {
    lock.release();
    throw new StoreError(
      "store/unavailable",
      `the embedded store in ${join(dataDir, "store")} could not be opened: ${(e as Error).message}`,
      "if the directory is damaged, restore it from a backup (docs/store.md#backups)",
      e,
    );
  }
}

function unreachable(location: string, e: unknown): StoreError {
  const code = codeOf(e);
  const message = (e as Error).message ?? String(e);
  let hint = "check that PostgreSQL runs there and that this host may connect (host, port, firewall, pg_hba.conf)";
  if (code === "28P01" || code === "28000") hint = "check the user name and password in the URL";
  if (code === "3D000") hint = "create the database first (createdb), or name an existing one in the URL";
  return new StoreError("store/unreachable", `cannot connect to the store ${location}: ${message.replaceAll(/:\/\/[^@\s]*@/g, "://***@")}`, hint, e);
}

async function openPostgres(url: string, location: string, options: OpenStoreOptions): Promise<Db> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  let db: Db;
  try {
    db = openPg({ url, poolSize: options.poolSize ?? 10, connectTimeoutMs, statementTimeoutMs: options.statementTimeoutMs ?? 10_000 });
  } catch (e) {
    throw new StoreError("store/bad-location", `\`${location}\` is not a usable PostgreSQL URL: ${(e as Error).message}`, undefined, e);
  }
  // The pool's own timeout covers connecting; this one also covers a name lookup that hangs.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${connectTimeoutMs} ms`), { code: "ETIMEDOUT" })), connectTimeoutMs + 500);
  });
  try {
    await Promise.race([db.query("SELECT 1"), deadline]);
  } catch (e) {
    void db.close().catch(() => {});
    throw unreachable(location, e);
  } finally {
    clearTimeout(timer);
  }
  return db;
}

/** The log's statements (initLog) in the SQL of PGlite and PostgreSQL. */
function logMetaSql(db: Db): LogMetaSql {
  return {
    readMeta: async () => new Map((await db.query<{ key: string; value: string }>("SELECT key, value FROM log_meta")).map((r) => [r.key, r.value])),
    recordMeta: async (rows) => {
      await db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO log_meta (key, value) VALUES ${rows.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(", ")} ON CONFLICT (key) DO NOTHING`,
          rows.flat(),
        );
      });
    },
    createHeads: async (shards) => {
      await db.query(
        "INSERT INTO log_heads (shard, seq, hash, size) SELECT s, 0, $2, 0 FROM generate_series(0, $1::int - 1) AS s ON CONFLICT (shard) DO NOTHING",
        [shards, GENESIS],
      );
    },
    countHeads: async () => num((await db.query<{ n: unknown }>("SELECT count(*) AS n FROM log_heads"))[0]?.n ?? 0),
  };
}
