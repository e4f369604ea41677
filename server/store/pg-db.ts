// The PostgreSQL backend's connection: a `pg` pool with deadlines on everything — connecting
// (connectTimeoutMs), each statement (statement_timeout on the server, query_timeout on the
// client, so a server that stops answering cannot hang a request) and idle transactions. A
// connection that broke mid-transaction is destroyed, never given back to the pool.
import pg from "pg";
import type { Db, Row, Sql } from "./db.ts";

export interface PgOptions {
  readonly url: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** A pool on `url` (does not connect until the first query). */
export function openPg(options: PgOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1_000,
    idle_in_transaction_session_timeout: Math.max(options.statementTimeoutMs * 2, 10_000),
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: "kairos",
  });
  // An idle connection the server closed (restart, failover) must not crash the process: the
  // pool drops it and the next query opens a new one.
  pool.on("error", () => {});
  // The same for a checked-out client whose connection breaks between statements.
  pool.on("connect", (client) => client.on("error", () => {}));
  const on = (client: pg.PoolClient | pg.Pool): Sql => ({
    async query<R extends Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
      const r = await client.query<R>(text, params ? [...params] : undefined);
      return r.rows;
    },
  });
  const sql = on(pool);
  /** Runs `fn` on one client; a client that failed at the connection level is destroyed. */
  const withClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (e) {
      broken = e as Error;
      throw e;
    } finally {
      client.release(broken);
    }
  };
  return {
    kind: "postgres",
    query: sql.query,
    transaction: <T>(fn: (tx: Sql) => Promise<T>): Promise<T> =>
      withClient(async (client) => {
        await client.query("BEGIN");
        try {
          const out = await fn(on(client));
          await client.query("COMMIT");
          return out;
        } catch (e) {
          try {
            await client.query("ROLLBACK");
          } catch {
            // The connection is gone: the server rolled back already.
          }
          throw e;
        }
      }),
    withAdvisoryLock: <T>(key: number, fn: (s: Sql) => Promise<T>): Promise<T> =>
      withClient(async (client) => {
        await client.query("SELECT pg_advisory_lock($1)", [key]);
        try {
          return await fn(on(client));
        } finally {
          await client.query("SELECT pg_advisory_unlock($1)", [key]);
        }
      }),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
