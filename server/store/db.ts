// The little the store needs from a SQL connection, so one set of SQL statements runs on both
// backends: PGlite (embedded, one connection in this process) and a `pg` pool (PostgreSQL).
// Values cross as text and numbers only (JSON is stored as text, times as epoch ms), so the two
// drivers' type parsers cannot make the backends disagree.

/** A row as the driver returns it: column name → value (bigint columns may come back as text or bigint). */
export type Row = Record<string, unknown>;

/** Runs statements (inside a transaction, or on their own). */
export interface Sql {
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

/** A connection to the store's database. */
export interface Db extends Sql {
  readonly kind: "embedded" | "postgres";
  /** Runs `fn` in one transaction: COMMIT when it returns, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Runs `fn` holding a session-level advisory lock (pg_advisory_lock) on one connection. */
  withAdvisoryLock<T>(key: number, fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Pool figures for metrics (PGlite: one connection). */
  poolStats(): { readonly total: number; readonly idle: number; readonly waiting: number };
  close(): Promise<void>;
}

/** A bigint/int column as a JS number (drivers give text, number or bigint). */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") return Number(v);
  throw new TypeError(`expected a number from the store, got ${v === null ? "null" : typeof v}`);
}

/** A nullable text column. */
export function optText(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}
