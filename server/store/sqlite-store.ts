// The Store on SQLite (`--store sqlite:`, docs/store.md): every method of server/store/types.ts
// on one node:sqlite database in this process. Same behaviour as SqlStore (PGlite and
// PostgreSQL) — the conformance suite runs all three — in SQLite's dialect; commits are in
// sqlite-commit.ts. Like the PGlite store it has exactly one writer (a lock file guards the
// database), so subject states are answered from memory (subject-cache.ts) once read.
// node:sqlite is synchronous: each method runs to completion on this thread (microseconds for a
// read or a statement) and returns a settled promise; a write then waits for the WAL's flush on
// the thread pool (sqlite-db.ts), so the event loop decides other requests during the fsync.
import type { Checkpoint } from "../../runtime/log/checkpoint.ts";
import type { Decision } from "../../runtime/decision.ts";
import { StoreError } from "./errors.ts";
import { batchName } from "./commit-plan.ts";
import { commitSqlite } from "./sqlite-commit.ts";
import { SQLITE_MIGRATIONS, type SqliteDb, type SqliteRow } from "./sqlite-db.ts";
import type { OutcomeRow } from "./outcome-rows.ts";
import type { Steps } from "./release-sql.ts";
import { CONTROL_FROM_ACTIVE_SQL, CONTROL_FROM_STOPPED_SQL, CONTROL_HISTORY_INSERT_SQL, sqliteSql } from "./value-sql.ts";
import type { StoreParts } from "./log-init.ts";
import {
  applyCommitted,
  CACHED_SUBJECTS,
  claimedWakeups,
  recordPrefix,
  toCheckpoint,
  toCounts,
  toHistory,
  toRecord,
  toReview,
  toShardHead,
  toStoredDecision,
  toWakeup,
  WAKEUP_COLUMNS,
  type DecisionRow,
  type RecordTable,
} from "./rows.ts";
import { StoreBase } from "./store-base.ts";
import { SubjectCache } from "./subject-cache.ts";
import type { RetentionPolicy, StoreRetainOptions, StoreRetainResult } from "./retain.ts";
import { retainSqlite } from "./retain-sqlite.ts";
import { cursorId, eraseSubjectSqlite, EXPORT_SQLITE, exportPage, type ExportRow, type StoreErasure, type SubjectDecisionPage } from "./subject-rights.ts";
import type {
  CommitResult,
  JourneyControl,
  EventKey,
  PendingCommit,
  ServiceStore,
  ShardHead,
  StoredConsent,
  StoredDecision,
  StoredObjection,
  StoredReview,
  StoredWakeup,
  SubjectState,
} from "./types.ts";
import { wakeupRowId } from "./wakeup-id.ts";

const SQL_INSERT_OUTCOME =
  "INSERT INTO outcomes (outcome_id, subject, type, at, at_ms, value, recorded_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (outcome_id) DO NOTHING RETURNING 1 AS x";

/** What a SqliteStore is made of (built by openStore). */
export type SqliteStoreParts = StoreParts<SqliteDb>;

/** The store on one SQLite database. */
export class SqliteStore extends StoreBase<SqliteDb> implements ServiceStore {
  readonly kind = "embedded" as const;
  readonly engine = "sqlite" as const;
  protected readonly migrations = SQLITE_MIGRATIONS;
  /** Always there: this process is the database's only writer. */
  declare protected readonly cache: SubjectCache;

  constructor(parts: SqliteStoreParts) {
    super(parts, new SubjectCache(CACHED_SUBJECTS, parts.historyLimit));
  }

  poolStats(): { readonly total: number; readonly idle: number; readonly waiting: number } {
    return { total: 1, idle: 1, waiting: 0 };
  }

  async migrate(): Promise<void> {
    await this.run("migrations", (db) => db.migrate());
  }

  protected async appliedMigrations(): Promise<string[]> {
    return this.db.appliedMigrations();
  }

  /** Appends records to `consents` or `objections` and bumps the subject's version, in one transaction. */
  protected async append(table: RecordTable, subject: string, records: readonly object[]): Promise<readonly object[]> {
    if (records.length === 0) return [];
    const recordedAt = new Date(this.parts.clock()).toISOString();
    const prefix = recordPrefix(table);
    let written: { version: number; stored: object[] };
    try {
      written = await this.run(`writing ${table}`, (db) =>
        db.transaction(() => {
          const v = db.get<{ version: number }>(
            "INSERT INTO subjects (subject, version) VALUES (?, 1) ON CONFLICT (subject) DO UPDATE SET version = subjects.version + 1 RETURNING version",
            subject,
          );
          const insert = `INSERT INTO ${table} (subject, record, recorded_at) VALUES (?, ?, ?) RETURNING id`;
          const stored = records.map((r) => {
            const id = db.get<{ id: number }>(insert, subject, JSON.stringify(r), recordedAt)?.id;
            return { ...r, id: `${prefix}${String(id)}`, recorded_at: recordedAt };
          });
          return { version: Number(v?.version), stored };
        }),
      );
    } catch (e) {
      this.cache.drop([subject]);
      throw e;
    }
    this.cache.apply(subject, written.version, { [table]: written.stored as StoredConsent[] & StoredObjection[] });
    await this.durable(`writing ${table}`);
    return written.stored;
  }

  async consents(subject: string): Promise<{ readonly consents: readonly StoredConsent[]; readonly objections: readonly StoredObjection[] }> {
    return this.run("reading consents", (db) => ({
      consents: this.records(db, "consents", subject) as StoredConsent[],
      objections: this.records(db, "objections", subject) as StoredObjection[],
    }));
  }

  private records(db: SqliteDb, table: RecordTable, subject: string): object[] {
    return db
      .all<{ id: number; record: string; recorded_at: string }>(`SELECT id, record, recorded_at FROM ${table} WHERE subject = ? ORDER BY id`, subject)
      .map((r) => toRecord(table, r));
  }

  protected load(subject: string, since: number): Promise<SubjectState> {
    return this.run("reading a subject's state", (db) => {
      // The version first (see store-base.ts): later writes can only make the commit conflict.
      const version = Number(db.get<{ version: number }>("SELECT version FROM subjects WHERE subject = ?", subject)?.version ?? 0);
      const history = db
        .all<{ journey: string; channel: string; purpose: string; at: string; decision_id: string }>(
          "SELECT journey, channel, purpose, at, decision_id FROM history WHERE subject = ? AND at_ms >= ? ORDER BY at_ms DESC, id DESC LIMIT ?",
          subject,
          since,
          this.parts.historyLimit,
        )
        .reverse()
        .map((r) => toHistory(subject, r));
      return {
        consents: this.records(db, "consents", subject) as StoredConsent[],
        objections: this.records(db, "objections", subject) as StoredObjection[],
        history,
        version,
      };
    });
  }

  async findByEvent(key: EventKey): Promise<Decision | undefined> {
    return this.run("looking up an event", (db) => {
      const row = db.get<{ decision: string }>(
        "SELECT decision FROM decisions WHERE subject = ? AND event_id = ? AND timer = ? AND superseded_by IS NULL",
        key.subject,
        key.eventId,
        key.timer,
      );
      return row === undefined ? undefined : (JSON.parse(row.decision) as Decision);
    });
  }

  async commit(items: readonly PendingCommit[]): Promise<readonly CommitResult[]> {
    const ctx = { ...this.parts, db: this.db };
    let results: readonly CommitResult[];
    try {
      results = commitSqlite(ctx, items);
    } catch (e) {
      this.cache.drop(items.map((i) => i.key.subject));
      throw e;
    }
    // The cache follows the database at once (the next decisions are made from it); the answers
    // wait for the sync, which also covers this batch for any later one that depends on it.
    applyCommitted(this.cache, items, results);
    await this.durable(`the commit of ${batchName(items.length)}`);
    return results;
  }

  /** Waits until what was committed is on disk (sqlite-db.ts's sync); a failure is `store/unavailable`. */
  private async durable(what: string): Promise<void> {
    try {
      await this.parts.db.sync();
    } catch (e) {
      throw new StoreError(
        "store/unavailable",
        `the store ${this.location} did not make ${what} durable: ${(e as Error).message}`,
        "the disk failed a flush: check it, then restart kairos serve (it recovers what is on disk)",
        e,
      );
    }
  }

  async getDecision(decisionId: string): Promise<StoredDecision | undefined> {
    return this.run("reading a decision", (db) => {
      const r = db.get<DecisionRow>(
        `SELECT d.decision, d.subject, d.event_id, d.timer, d.shard, d.seq, e.hash, e.line
           FROM decisions d JOIN log_entries e ON e.shard = d.shard AND e.seq = d.seq
          WHERE d.decision_id = ? ORDER BY d.id LIMIT 1`,
        decisionId,
      );
      return r === undefined ? undefined : toStoredDecision(r);
    });
  }

  async claimWakeups(now: string, limit: number, owner: string, leaseMs: number): Promise<readonly StoredWakeup[]> {
    const nowMs = Date.parse(now);
    if (!Number.isFinite(nowMs)) throw new StoreError("store/invalid", `claimWakeups: \`${now}\` is not an ISO 8601 time`);
    return this.run("claiming wake-ups", (db) =>
      db.transaction(() => {
        const rows = db.all(
          `UPDATE wakeups SET lease_owner = ?, lease_until_ms = ?, attempts = attempts + 1
            WHERE id IN (SELECT id FROM wakeups
                          WHERE state = 'pending' AND due_ms <= ? AND (lease_until_ms IS NULL OR lease_until_ms <= ?)
                          ORDER BY due_ms, id LIMIT ?)
           RETURNING ${WAKEUP_COLUMNS}, due_ms`,
          owner,
          nowMs + leaseMs,
          nowMs,
          nowMs,
          limit,
        );
        return claimedWakeups(rows);
      }),
    );
  }

  async releaseWakeup(id: string, owner: string): Promise<void> {
    const row = wakeupRowId(id);
    if (row === undefined) return;
    // The lease's end stays: the wake-up is retried once it has passed, not in a tight loop.
    await this.run("releasing a wake-up", (db) =>
      db.transaction(() => db.run("UPDATE wakeups SET lease_owner = NULL WHERE id = ? AND lease_owner = ? AND state = 'pending'", row, owner)),
    );
  }

  async pendingWakeups(subject?: string): Promise<readonly StoredWakeup[]> {
    return this.run("reading wake-ups", (db) =>
      (subject === undefined
        ? db.all(`SELECT ${WAKEUP_COLUMNS} FROM wakeups WHERE state = 'pending' ORDER BY due_ms, id`)
        : db.all(`SELECT ${WAKEUP_COLUMNS} FROM wakeups WHERE state = 'pending' AND subject = ? ORDER BY due_ms, id`, subject)
      ).map(toWakeup),
    );
  }

  async reviews(state?: StoredReview["state"]): Promise<readonly StoredReview[]> {
    return this.run("reading reviews", (db) =>
      (state === undefined
        ? db.all("SELECT * FROM reviews ORDER BY created_at, decision_id")
        : db.all("SELECT * FROM reviews WHERE state = ? ORDER BY created_at, decision_id", state)
      ).map(toReview),
    );
  }

  async review(decisionId: string): Promise<StoredReview | undefined> {
    return this.run("reading a review", (db) => {
      const r = db.get("SELECT * FROM reviews WHERE decision_id = ?", decisionId);
      return r === undefined ? undefined : toReview(r);
    });
  }

  async heads(): Promise<readonly ShardHead[]> {
    return this.run("reading the log heads", (db) =>
      db.all<{ shard: number; seq: number; hash: string }>("SELECT shard, seq, hash FROM log_heads ORDER BY shard").map(toShardHead),
    );
  }

  async logLines(shard: number, fromSeq: number, limit: number): Promise<readonly string[]> {
    return this.run("reading the log", (db) =>
      db.all<{ line: string }>("SELECT line FROM log_entries WHERE shard = ? AND seq >= ? ORDER BY seq LIMIT ?", shard, fromSeq, limit).map((r) => r.line),
    );
  }

  async eraseSubject(subject: string): Promise<StoreErasure> {
    let erased: StoreErasure;
    try {
      erased = await this.run("erasing a subject", (db) => eraseSubjectSqlite(db, this.parts.subjectKeys, subject));
    } finally {
      this.cache.drop([subject]);
    }
    await this.durable("erasing a subject");
    return erased;
  }

  async subjectDecisions(subject: string, page: { readonly after?: string; readonly limit: number }): Promise<SubjectDecisionPage> {
    const after = cursorId(page.after);
    return this.run("reading a subject's decisions", (db) => exportPage(db.all<ExportRow>(EXPORT_SQLITE, subject, after, page.limit + 1), page.limit));
  }

  async subjectKeysById(ids: readonly string[]): Promise<readonly { readonly id: string; readonly key: string; readonly lookup: string }[]> {
    return this.run("reading subject keys", (db) =>
      ids.flatMap((id) => db.all<{ id: string; key: string; lookup: string }>("SELECT key_id AS id, key, lookup FROM subject_keys WHERE key_id = ?", id)),
    );
  }

  async checkpoints(shard: number): Promise<readonly Checkpoint[]> {
    return this.run("reading checkpoints", (db) =>
      db.all<{ checkpoint: string }>("SELECT checkpoint FROM log_checkpoints WHERE shard = ? ORDER BY seq", shard).map(toCheckpoint),
    );
  }

  async decisionCounts(shard: number): Promise<{ decisions: number; matched: number }> {
    return this.run("counting decisions", (db) => {
      const r = db.get<{ decisions: number; matched: number }>(
        `SELECT count(*) AS decisions,
                count(*) FILTER (WHERE instr(e.line, '"decision_id":' || json_quote(d.decision_id)) > 0) AS matched
           FROM decisions d LEFT JOIN log_entries e ON e.shard = d.shard AND e.seq = d.seq
          WHERE d.shard = ?`,
        shard,
      );
      return toCounts(r);
    });
  }

  protected async select(sql: string, params: readonly (string | number)[]): Promise<readonly SqliteRow[]> {
    return this.db.all(sqliteSql(sql), ...params);
  }

  /** One statement per record in one write transaction, made durable before it resolves; ids the store has are skipped. */
  protected async insertOutcomes(rows: readonly OutcomeRow[], recordedMs: number): Promise<number> {
    const added = await this.run("adding outcomes", (db) =>
      db.transaction(() => {
        let n = 0;
        for (const r of rows) n += db.all(SQL_INSERT_OUTCOME, r.outcomeId, r.subject, r.type, r.at, r.atMs, r.value, recordedMs).length;
        return n;
      }),
    );
    if (added > 0) await this.durable("adding outcomes");
    return added;
  }

  protected async writeControl(params: readonly (string | number | null)[], expect: JourneyControl["state"]): Promise<boolean> {
    const set = await this.run("setting a journey's state", (db) =>
      db.transaction(() => {
        if (db.all(sqliteSql(expect === "active" ? CONTROL_FROM_ACTIVE_SQL : CONTROL_FROM_STOPPED_SQL), ...params).length === 0) return false;
        db.run(sqliteSql(CONTROL_HISTORY_INSERT_SQL), ...params);
        return true;
      }),
    );
    if (set) await this.durable("setting a journey's state");
    return set;
  }

  /** A write's steps (release-sql.ts) in one synchronous write transaction, made durable before it resolves. */
  protected async write<T>(what: string, steps: () => Steps<T>): Promise<T> {
    const result = await this.run(what, (db) =>
      db.transaction(() => {
        const g = steps();
        let step = g.next();
        while (!step.done) step = g.next(db.all(sqliteSql(step.value.sql), ...step.value.params));
        return step.value;
      }),
    );
    await this.durable(what);
    return result;
  }

  protected async deleteRows(what: string, sql: string, params: readonly number[]): Promise<number> {
    const n = await this.run(what, (db) => db.transaction(() => db.all(sqliteSql(sql), ...params).length));
    if (n > 0) await this.durable(what);
    return n;
  }

  /** Retention on the store's log (retain-sqlite.ts); each batch is made durable like a commit. */
  async retainLog(policy: RetentionPolicy, options: StoreRetainOptions): Promise<StoreRetainResult> {
    const ctx = { shards: this.shards, signer: this.parts.signer, location: this.location };
    return this.run("purging entries past retention", (db) => retainSqlite(db, ctx, policy, options, () => this.durable("a retention batch")));
  }
}
