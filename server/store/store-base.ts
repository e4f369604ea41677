// What the two store classes do alike, whatever their connection: SqlStore (PGlite and
// PostgreSQL, sql-store.ts) and SqliteStore (sqlite-store.ts) keep their SQL — reads, appends,
// commits — and share here the bookkeeping around it: the store's identity, refusing work once
// closed, turning driver failures into StoreErrors, closing (then releasing the lock file), the
// consent and objection entry points, health from the migrations applied, and answering a
// subject's state from the embedded stores' cache (subject-cache.ts) before reading it.
// Commits and appends stay in each class: SQLite's must update the cache in the same tick as its
// synchronous transaction, PostgreSQL's after an awaited one.
import type { ConsentRecord, Objection } from "../../runtime/request.ts";
import { StoreError, storeFailure } from "./errors.ts";
import type { StoreKeys } from "./keys.ts";
import type { StoreParts } from "./log-init.ts";
import { compareMigrations } from "./migrations.ts";
import type { RecordTable } from "./rows.ts";
import type { SubjectCache } from "./subject-cache.ts";
import type { StoreHealth, StoredConsent, StoredObjection, SubjectState } from "./types.ts";

/** A store on a connection of type `D` (PGlite/`pg`'s Db or SqliteDb). */
export abstract class StoreBase<D extends { close(): void | Promise<void> }> {
  readonly location: string;
  /** The number of log shards (fixed when the store was created). */
  readonly shards: number;
  /** The log's keys (what verification and export need). */
  readonly keys: StoreKeys;
  protected readonly parts: StoreParts<D>;
  /** The embedded stores' subject states (they are their only writer); none on PostgreSQL. */
  protected readonly cache: SubjectCache | undefined;
  private closed = false;

  constructor(parts: StoreParts<D>, cache: SubjectCache | undefined) {
    this.parts = parts;
    this.cache = cache;
    this.location = parts.location;
    this.shards = parts.shards;
    this.keys = parts.keys;
  }

  /** The connection; a `store/closed` error once the store is closed. */
  protected get db(): D {
    if (this.closed) throw new StoreError("store/closed", `the store ${this.location} is closed`);
    return this.parts.db;
  }

  /** Runs `fn` on the connection, turning driver failures into StoreErrors. */
  protected async run<T>(what: string, fn: (db: D) => T | Promise<T>): Promise<T> {
    const db = this.db;
    try {
      return await fn(db);
    } catch (e) {
      throw storeFailure(e, this.location, what);
    }
  }

  /** The ids of the migrations applied to the database. */
  protected abstract appliedMigrations(): Promise<string[]>;

  /** The migrations this Kairos has for the backend (their ids are the same on every backend). */
  protected abstract readonly migrations: readonly { readonly id: string }[];

  async health(): Promise<StoreHealth> {
    try {
      const applied = await this.appliedMigrations();
      const { pending } = compareMigrations(applied, this.migrations);
      return { reachable: true, migrations: { applied, pending } };
    } catch (e) {
      return { reachable: false, migrations: { applied: [], pending: [] }, problem: storeFailure(e, this.location, "a health check").message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.parts.db.close();
    } finally {
      this.parts.onClose?.();
    }
  }

  addConsents(subject: string, records: readonly ConsentRecord[]): Promise<readonly StoredConsent[]> {
    return this.append("consents", subject, records) as Promise<readonly StoredConsent[]>;
  }

  addObjections(subject: string, records: readonly Objection[]): Promise<readonly StoredObjection[]> {
    return this.append("objections", subject, records) as Promise<readonly StoredObjection[]>;
  }

  /** Appends records to `consents` or `objections` and bumps the subject's version, in one transaction. */
  protected abstract append(table: RecordTable, subject: string, records: readonly object[]): Promise<readonly object[]>;

  async state(subject: string, sinceMs?: number): Promise<SubjectState> {
    const since = sinceMs ?? Number.MIN_SAFE_INTEGER;
    const cached = this.cache?.get(subject, since);
    if (cached) return cached;
    const state = await this.load(subject, since);
    this.cache?.set(subject, state, since);
    return state;
  }

  /**
   * Reads a subject's state from the database, history from `sinceMs` on. The version FIRST:
   * anything written after it moves the version, so a decision made from a state newer than its
   * version can only be refused (`conflict`), never committed on stale caps.
   */
  protected abstract load(subject: string, sinceMs: number): Promise<SubjectState>;
}
