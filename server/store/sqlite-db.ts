// The second embedded backend's connection: SQLite through `node:sqlite` (built into Node 24: no
// native build, no Wasm, no experimental warning) on one file in this process. PGlite runs
// PostgreSQL compiled to Wasm, and every statement pays the extended protocol, parse and plan in
// Wasm (~0.2 ms of CPU each, docs/store.md "Measured"); SQLite runs prepared statements natively
// for a few microseconds each, so the commit can simply be one statement per row.
//
// Durability: WAL journal, and the WAL file fdatasync'd after every write transaction before it
// is acknowledged — what `synchronous=FULL` does, but off the event loop. node:sqlite is
// synchronous: with FULL, SQLite's own fsync inside COMMIT blocks this thread for the whole
// flush (measured: a third of the wall time of a loaded service), so nothing else is decided
// meanwhile. Instead the database runs with `synchronous=NORMAL` (in WAL mode: consistent after a
// power loss, the last commits possibly lost; checkpoints still sync the WAL before copying it and
// the database after) and `sync()` flushes the WAL file with an asynchronous fdatasync on libuv's
// thread pool, which covers every frame written before it started. The store awaits it before a
// commit resolves, so an acknowledged decision survives a power loss, and the event loop decides
// the next batch while the disk flushes. A failed sync poisons the database (a lost fsync cannot
// be retried: the page cache may have dropped the dirty pages): every later write is refused
// until the store is reopened, which recovers from the WAL what is really on disk.
//
// One writer: the data is guarded by a lock file (sqlite-open.ts), and writes run in `BEGIN
// IMMEDIATE` transactions (SQLite has no advisory locks or row locks; the write lock of the whole
// database is what PostgreSQL's row locks were for, and this process is its only user).
import { closeSync, fdatasync, fstatSync, fsyncSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type * as NodeSqlite from "node:sqlite";
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { compareMigrations, unknownMigrations } from "./migrations.ts";

/** One schema change of the SQLite store. Ids are those of the PostgreSQL migrations it mirrors. */
export interface SqliteMigration {
  readonly id: string;
  readonly sql: string;
}

/**
 * The schema of docs/store.md in SQLite's dialect, one migration per PostgreSQL migration with the
 * same id (so /readyz reports the same list): integer primary keys for `bigserial`, the unique
 * event key as a partial index from the start of 0002. Never edit one that shipped: add another.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    id: "0001_initial",
    sql: `
CREATE TABLE subjects (subject TEXT PRIMARY KEY, version INTEGER NOT NULL DEFAULT 0);
CREATE TABLE consents (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, record TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE INDEX consents_by_subject ON consents (subject, id);
CREATE TABLE objections (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, record TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE INDEX objections_by_subject ON objections (subject, id);
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  decision_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  event_id TEXT NOT NULL,
  timer TEXT NOT NULL,
  decision TEXT NOT NULL,
  shard INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  UNIQUE (shard, seq)
);
CREATE UNIQUE INDEX decisions_by_event_0001 ON decisions (subject, event_id, timer);
CREATE INDEX decisions_by_id ON decisions (decision_id);
CREATE TABLE history (
  id INTEGER PRIMARY KEY,
  subject TEXT NOT NULL,
  journey TEXT NOT NULL,
  channel TEXT NOT NULL,
  purpose TEXT NOT NULL,
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  decision_id TEXT NOT NULL
);
CREATE INDEX history_by_subject ON history (subject, at_ms);
CREATE TABLE wakeups (
  id INTEGER PRIMARY KEY,
  subject TEXT NOT NULL,
  journey TEXT NOT NULL,
  timer TEXT NOT NULL,
  due_at TEXT NOT NULL,
  due_ms INTEGER NOT NULL,
  request TEXT NOT NULL,
  scheduled_by TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  lease_owner TEXT,
  lease_until_ms INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  done_by TEXT
);
CREATE INDEX wakeups_due ON wakeups (due_ms, id) WHERE state = 'pending';
CREATE INDEX wakeups_by_subject ON wakeups (subject, id);
CREATE TABLE reviews (
  decision_id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  journey TEXT NOT NULL,
  purpose TEXT NOT NULL,
  action TEXT NOT NULL,
  created_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  reviewer TEXT,
  note TEXT,
  resolved_at TEXT,
  resolution TEXT
);
CREATE INDEX reviews_by_state ON reviews (state, created_at);
CREATE TABLE log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE log_heads (
  shard INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL DEFAULT 0,
  hash TEXT NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  log_id TEXT,
  checkpoint_seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE log_entries (shard INTEGER NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (shard, seq));
CREATE TABLE log_checkpoints (shard INTEGER NOT NULL, seq INTEGER NOT NULL, checkpoint TEXT NOT NULL, PRIMARY KEY (shard, seq));
`,
  },
  {
    id: "0002_errors_retry",
    sql: `
ALTER TABLE decisions ADD COLUMN superseded_by TEXT;
DROP INDEX decisions_by_event_0001;
CREATE UNIQUE INDEX decisions_by_event ON decisions (subject, event_id, timer) WHERE superseded_by IS NULL;
`,
  },
  {
    id: "0003_subject_keys",
    sql: `
CREATE TABLE subject_keys (lookup TEXT PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, key TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE INDEX decisions_by_subject ON decisions (subject, id);
`,
  },
  {
    id: "0004_value",
    sql: `
CREATE TABLE assignments (
  id INTEGER PRIMARY KEY,
  subject TEXT NOT NULL,
  journey TEXT NOT NULL,
  arm TEXT NOT NULL,
  outcome TEXT NOT NULL,
  channel TEXT NOT NULL,
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  decision_id TEXT NOT NULL
);
CREATE INDEX assignments_by_journey ON assignments (journey, subject, id);
CREATE INDEX assignments_by_subject ON assignments (subject, id);
CREATE TABLE outcomes (
  id INTEGER PRIMARY KEY,
  outcome_id TEXT NOT NULL UNIQUE,
  subject TEXT NOT NULL,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  value REAL,
  recorded_ms INTEGER NOT NULL
);
CREATE INDEX outcomes_by_subject ON outcomes (subject, type, at_ms);
CREATE TABLE journey_controls (
  journey TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  set_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT,
  since TEXT NOT NULL,
  since_id INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE journey_control_history (
  id INTEGER PRIMARY KEY,
  journey TEXT NOT NULL,
  state TEXT NOT NULL,
  set_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT,
  since TEXT NOT NULL,
  since_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX journey_control_history_by_journey ON journey_control_history (journey, id);
`,
  },
  {
    id: "0005_releases",
    sql: `
CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  version TEXT NOT NULL UNIQUE,
  signature TEXT,
  signer TEXT,
  approvals TEXT NOT NULL,
  published_by TEXT NOT NULL,
  published_at TEXT NOT NULL,
  activated_at TEXT
);
CREATE TABLE artifact_files (hash TEXT NOT NULL, path TEXT NOT NULL, bytes TEXT NOT NULL, PRIMARY KEY (hash, path));
CREATE TABLE rollout (
  id INTEGER PRIMARY KEY,
  generation INTEGER NOT NULL,
  stable TEXT,
  mode TEXT NOT NULL,
  candidate TEXT,
  percent REAL,
  salt TEXT,
  budget TEXT,
  action TEXT NOT NULL,
  set_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT,
  since TEXT NOT NULL
);
CREATE TABLE rollout_history (
  id INTEGER PRIMARY KEY,
  generation INTEGER NOT NULL UNIQUE,
  stable TEXT,
  mode TEXT NOT NULL,
  candidate TEXT,
  percent REAL,
  salt TEXT,
  budget TEXT,
  action TEXT NOT NULL,
  set_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT,
  since TEXT NOT NULL
);
CREATE TABLE shadow_results (
  id INTEGER PRIMARY KEY,
  generation INTEGER NOT NULL,
  decision_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  at TEXT NOT NULL,
  stable TEXT NOT NULL,
  candidate TEXT NOT NULL,
  same INTEGER NOT NULL
);
CREATE INDEX shadow_results_by_generation ON shadow_results (generation, id);
CREATE INDEX shadow_results_by_subject ON shadow_results (subject);
CREATE TABLE kill_switches (
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  set_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  since TEXT NOT NULL,
  PRIMARY KEY (kind, name)
);
CREATE TABLE kill_switch_history (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  set_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  since TEXT NOT NULL
);
CREATE INDEX kill_switch_history_by_name ON kill_switch_history (kind, name, id);
ALTER TABLE wakeups ADD COLUMN artifact TEXT;
`,
  },
];

/** A row as node:sqlite returns it. */
export type SqliteRow = Record<string, SQLInputValue>;

/** Write transactions committed, and WAL flushes completed, by the SQLite stores of this process (what the durability test counts). */
const counts = { commits: 0, syncs: 0 };

/** Write transactions committed by the SQLite stores of this process. */
export function sqliteCommits(): number {
  return counts.commits;
}

/** WAL flushes (fdatasync) completed by the SQLite stores of this process. */
export function sqliteSyncs(): number {
  return counts.syncs;
}

/** One SQLite database: prepared statements cached by their text, write transactions. */
export class SqliteDb {
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  /** Our descriptor of the WAL file (`<file>-wal`), what sync() flushes. */
  private walFd: number | undefined;
  /** Set when a sync failed: the database refuses writes until reopened. */
  private poisoned: Error | undefined;

  private constructor(file: string, db: DatabaseSync) {
    this.file = file;
    this.db = db;
  }

  /**
   * Opens (creating when needed) the database in `file` — WAL, synchronous=NORMAL plus our own flush
   * (see the header) — and applies the migrations. `sqlite` is the `node:sqlite` module, loaded by
   * the caller only when a SQLite store is used (Node 22 warns that it is experimental on load).
   */
  static open(sqlite: typeof NodeSqlite, file: string, options: { readonly readOnly?: boolean; readonly migrate?: boolean } = {}): SqliteDb {
    const db = new sqlite.DatabaseSync(file, { readOnly: options.readOnly === true, timeout: 5000 });
    try {
      if (!options.readOnly) {
        const mode = db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode?: string } | undefined;
        if (mode?.journal_mode !== "wal") throw new Error(`SQLite would not switch ${file} to WAL (journal_mode ${String(mode?.journal_mode)})`);
        // NORMAL, not FULL: sync() flushes the WAL after each write transaction, off this thread (see the header).
        db.exec("PRAGMA synchronous = NORMAL");
        // Bound the WAL file after a checkpoint (it is reused, not deleted, while the store is open).
        db.exec("PRAGMA journal_size_limit = 67108864");
      }
      db.exec("PRAGMA foreign_keys = OFF");
      const store = new SqliteDb(file, db);
      if (!options.readOnly && options.migrate !== false) store.migrate();
      if (!options.readOnly) {
        store.openWal();
        syncDirectory(dirname(file));
      }
      return store;
    } catch (e) {
      if (db.isOpen) db.close();
      throw e;
    }
  }

  /** The cached prepared statement for `sql`. */
  statement(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  all<R = SqliteRow>(sql: string, ...params: SQLInputValue[]): R[] {
    return this.statement(sql).all(...params) as R[];
  }

  get<R = SqliteRow>(sql: string, ...params: SQLInputValue[]): R | undefined {
    return this.statement(sql).get(...params) as R | undefined;
  }

  run(sql: string, ...params: SQLInputValue[]): void {
    this.statement(sql).run(...params);
  }

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE: the database's write lock from the start,
   * so a read inside it is never stale); COMMIT when it returns, ROLLBACK when it throws.
   * Synchronous: nothing else runs on this thread meanwhile. The commit is written, not yet
   * durable: await sync() before acknowledging it.
   */
  transaction<T>(fn: () => T): T {
    if (this.poisoned) throw this.poisoned;
    this.db.exec("BEGIN IMMEDIATE");
    let result: T;
    try {
      result = fn();
    } catch (e) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw e;
    }
    try {
      this.db.exec("COMMIT");
    } catch (e) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw e;
    }
    counts.commits++;
    return result;
  }

  /** Opens our descriptor of the WAL file (it exists once the database has been written in WAL mode). */
  private openWal(): void {
    this.walFd = openSync(`${this.file}-wal`, "r");
  }

  /**
   * Makes every transaction committed so far durable: an fdatasync of the WAL file on libuv's
   * thread pool (the event loop goes on meanwhile). Rejects — and poisons the database — when the
   * flush fails.
   */
  sync(): Promise<void> {
    if (this.poisoned) return Promise.reject(this.poisoned);
    if (this.walFd === undefined) return Promise.reject(new Error(`${this.file} was opened read-only: nothing to sync`));
    // SQLite keeps the WAL file while a connection is open; should it ever have been replaced,
    // flush the new one (and its directory entry) instead.
    try {
      const now = statSync(`${this.file}-wal`);
      const ours = fstatSync(this.walFd);
      if (now.ino !== ours.ino || now.dev !== ours.dev) {
        closeSync(this.walFd);
        this.openWal();
        syncDirectory(dirname(this.file));
      }
    } catch (e) {
      return Promise.reject(this.poison(e));
    }
    const fd = this.walFd!;
    return new Promise<void>((resolve, reject) => {
      fdatasync(fd, (e) => {
        if (e) return reject(this.poison(e));
        counts.syncs++;
        resolve();
      });
    });
  }

  private poison(e: unknown): Error {
    this.poisoned ??= new Error(
      `syncing the write-ahead log of ${this.file} failed (${e instanceof Error ? e.message : String(e)}); writes are refused until the store is reopened`,
    );
    return this.poisoned;
  }

  /** The ids of the migrations applied ([] for a new database). */
  appliedMigrations(): string[] {
    const t = this.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'kairos_migrations'");
    if ((t?.n ?? 0) === 0) return [];
    return this.all<{ id: string }>("SELECT id FROM kairos_migrations ORDER BY id").map((r) => r.id);
  }

  /** Applies the migrations this database lacks, all in one write transaction (its lock keeps a second opener waiting); refuses unknown ones. */
  migrate(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS kairos_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
    this.transaction(() => {
      const { pending, unknown } = compareMigrations(this.appliedMigrations(), SQLITE_MIGRATIONS);
      if (unknown.length > 0) throw unknownMigrations(this.file, unknown);
      for (const m of SQLITE_MIGRATIONS) {
        if (!pending.includes(m.id)) continue;
        this.db.exec(m.sql);
        this.run("INSERT INTO kairos_migrations (id, applied_at) VALUES (?, ?)", m.id, new Date().toISOString());
      }
    });
  }

  /** A PRAGMA's current value (`journal_mode`, `synchronous`…), for tests and /readyz. */
  pragma(name: "journal_mode" | "synchronous" | "wal_autocheckpoint"): string | number | undefined {
    const row = this.db.prepare(`PRAGMA ${name}`).get() as Record<string, string | number> | undefined;
    return row?.[name];
  }

  /** Closes the database (SQLite checkpoints and removes the WAL as the last connection closes). */
  close(): void {
    if (this.walFd !== undefined) {
      closeSync(this.walFd);
      this.walFd = undefined;
    }
    if (!this.db.isOpen) return;
    this.statements.clear();
    this.db.close();
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }
}

/** fsyncs a directory, so a file created in it survives a power loss. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some file systems refuse to sync a directory; SQLite synced it when it created the journal.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
