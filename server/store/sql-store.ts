import type { Checkpoint } from "../../runtime/log/checkpoint.ts";
import type { Decision } from "../../runtime/decision.ts";
import { commitBatch } from "./commit.ts";
import { num, type Db, type Row } from "./db.ts";
import { StoreError } from "./errors.ts";
import { appliedMigrations, migrate, MIGRATIONS } from "./migrations.ts";
import { StoreBase } from "./store-base.ts";
import type { OutcomeRow } from "./outcome-rows.ts";
import type { Steps } from "./release-sql.ts";
import { CONTROL_FROM_ACTIVE_SQL, CONTROL_FROM_STOPPED_SQL, CONTROL_HISTORY_INSERT_SQL } from "./value-sql.ts";
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
import { SubjectCache } from "./subject-cache.ts";
import type { RetentionPolicy, StoreRetainOptions, StoreRetainResult } from "./retain.ts";
import { retainSql } from "./retain-sql.ts";
import { cursorId, eraseSubjectSql, EXPORT_SQL, exportPage, type ExportRow, type StoreErasure, type SubjectDecisionPage } from "./subject-rights.ts";

/** What a SqlStore is made of (built by openStore). */
export type SqlStoreParts = StoreParts<Db>;

/** The store on one Db. */
export class SqlStore extends StoreBase<Db> implements ServiceStore {
  readonly kind: "embedded" | "postgres";
  readonly engine: "pglite" | "postgres";
  protected readonly migrations = MIGRATIONS;

  constructor(parts: SqlStoreParts) {
    super(parts, parts.db.kind === "embedded" ? new SubjectCache(CACHED_SUBJECTS, parts.historyLimit) : undefined);
    this.kind = parts.db.kind;
    this.engine = parts.db.kind === "embedded" ? "pglite" : "postgres";
  }

  /** Pool figures (for metrics). */
  poolStats(): { readonly total: number; readonly idle: number; readonly waiting: number } {
    return this.parts.db.poolStats();
  }

  async migrate(): Promise<void> {
    await this.run("migrations", (db) => migrate(db, this.location));
  }

  protected appliedMigrations(): Promise<string[]> {
    return appliedMigrations(this.db);
  }

  /** Appends records to `consents` or `objections` and bumps the subject's version, in one transaction. */
  protected async append(table: RecordTable, subject: string, records: readonly object[]): Promise<readonly object[]> {
    if (records.length === 0) return [];
    const recordedAt = new Date(this.parts.clock()).toISOString();
    const prefix = recordPrefix(table);
    let written: { version: number; stored: object[] };
    try {
      written = await this.run(`writing ${table}`, (db) =>
        db.transaction(async (tx) => {
          const v = await tx.query<{ version: unknown }>(
            "INSERT INTO subjects (subject, version) VALUES ($1, 1) ON CONFLICT (subject) DO UPDATE SET version = subjects.version + 1 RETURNING version",
            [subject],
          );
          const rows = await tx.query<{ id: unknown }>(
            `INSERT INTO ${table} (subject, record, recorded_at) SELECT $1, r, $3 FROM unnest($2::text[]) WITH ORDINALITY AS u(r, n) ORDER BY n RETURNING id`,
            [subject, records.map((r) => JSON.stringify(r)), recordedAt],
          );
          const ids = rows.map((r) => num(r.id)).sort((a, b) => a - b);
          return { version: num(v[0]?.version), stored: records.map((r, i) => ({ ...r, id: `${prefix}${ids[i]}`, recorded_at: recordedAt })) };
        }),
      );
    } catch (e) {
      this.cache?.drop([subject]);
      throw e;
    }
    this.cache?.apply(subject, written.version, { [table]: written.stored as StoredConsent[] & StoredObjection[] });
    return written.stored;
  }

  async consents(subject: string): Promise<{ readonly consents: readonly StoredConsent[]; readonly objections: readonly StoredObjection[] }> {
    return this.run("reading consents", async (db) => {
      const [c, o] = await Promise.all([this.records(db, "consents", subject), this.records(db, "objections", subject)]);
      return { consents: c as StoredConsent[], objections: o as StoredObjection[] };
    });
  }

  private async records(db: Db, table: RecordTable, subject: string): Promise<object[]> {
    const rows = await db.query<{ id: unknown; record: string; recorded_at: string }>(
      `SELECT id, record, recorded_at FROM ${table} WHERE subject = $1 ORDER BY id`,
      [subject],
    );
    return rows.map((r) => toRecord(table, r));
  }

  protected async load(subject: string, sinceMs: number): Promise<SubjectState> {
    return this.run("reading a subject's state", async (db) => {
      // The version first (see store-base.ts): later writes can only make the commit conflict.
      const v = await db.query<{ version: unknown }>("SELECT version FROM subjects WHERE subject = $1", [subject]);
      const version = v[0] === undefined ? 0 : num(v[0].version);
      const [consents, objections, history] = await Promise.all([
        this.records(db, "consents", subject),
        this.records(db, "objections", subject),
        db.query<{ journey: string; channel: string; purpose: string; at: string; decision_id: string }>(
          "SELECT journey, channel, purpose, at, decision_id FROM history WHERE subject = $1 AND at_ms >= $2 ORDER BY at_ms DESC, id DESC LIMIT $3",
          [subject, sinceMs, this.parts.historyLimit],
        ),
      ]);
      const h = history.reverse().map((r) => toHistory(subject, r));
      return { consents: consents as StoredConsent[], objections: objections as StoredObjection[], history: h, version };
    });
  }

  async findByEvent(key: EventKey): Promise<Decision | undefined> {
    return this.run("looking up an event", async (db) => {
      const rows = await db.query<{ decision: string }>(
        "SELECT decision FROM decisions WHERE subject = $1 AND event_id = $2 AND timer = $3 AND superseded_by IS NULL",
        [key.subject, key.eventId, key.timer],
      );
      return rows[0] === undefined ? undefined : (JSON.parse(rows[0].decision) as Decision);
    });
  }

  async commit(items: readonly PendingCommit[]): Promise<readonly CommitResult[]> {
    const ctx = { ...this.parts, db: this.db };
    if (!this.cache) return commitBatch(ctx, items);
    let results: readonly CommitResult[];
    try {
      results = await commitBatch(ctx, items);
    } catch (e) {
      this.cache.drop(items.map((i) => i.key.subject));
      throw e;
    }
    applyCommitted(this.cache, items, results);
    return results;
  }

  async getDecision(decisionId: string): Promise<StoredDecision | undefined> {
    return this.run("reading a decision", async (db) => {
      const rows = await db.query<DecisionRow & Row>(
        `SELECT d.decision, d.subject, d.event_id, d.timer, d.shard, d.seq, e.hash, e.line
           FROM decisions d JOIN log_entries e ON e.shard = d.shard AND e.seq = d.seq
          WHERE d.decision_id = $1 ORDER BY d.id LIMIT 1`,
        [decisionId],
      );
      return rows[0] === undefined ? undefined : toStoredDecision(rows[0]);
    });
  }

  async claimWakeups(now: string, limit: number, owner: string, leaseMs: number): Promise<readonly StoredWakeup[]> {
    const nowMs = Date.parse(now);
    if (!Number.isFinite(nowMs)) throw new StoreError("store/invalid", `claimWakeups: \`${now}\` is not an ISO 8601 time`);
    return this.run("claiming wake-ups", async (db) => {
      const rows = await db.query(
        `WITH due AS (
           SELECT id FROM wakeups
            WHERE state = 'pending' AND due_ms <= $1 AND (lease_until_ms IS NULL OR lease_until_ms <= $1)
            ORDER BY due_ms, id LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE wakeups w SET lease_owner = $3, lease_until_ms = $4, attempts = w.attempts + 1
           FROM due WHERE w.id = due.id
         RETURNING ${WAKEUP_COLUMNS.split(", ")
           .map((c) => `w.${c}`)
           .join(", ")}, w.due_ms`,
        [nowMs, limit, owner, nowMs + leaseMs],
      );
      return claimedWakeups(rows);
    });
  }

  async releaseWakeup(id: string, owner: string): Promise<void> {
    const row = wakeupRowId(id);
    if (row === undefined) return;
    // The lease's end stays: the wake-up is retried once it has passed, not in a tight loop.
    await this.run("releasing a wake-up", (db) =>
      db.query("UPDATE wakeups SET lease_owner = NULL WHERE id = $1 AND lease_owner = $2 AND state = 'pending'", [row, owner]),
    );
  }

  async pendingWakeups(subject?: string): Promise<readonly StoredWakeup[]> {
    return this.run("reading wake-ups", async (db) => {
      const rows =
        subject === undefined
          ? await db.query(`SELECT ${WAKEUP_COLUMNS} FROM wakeups WHERE state = 'pending' ORDER BY due_ms, id`)
          : await db.query(`SELECT ${WAKEUP_COLUMNS} FROM wakeups WHERE state = 'pending' AND subject = $1 ORDER BY due_ms, id`, [subject]);
      return rows.map(toWakeup);
    });
  }

  async reviews(state?: StoredReview["state"]): Promise<readonly StoredReview[]> {
    return this.run("reading reviews", async (db) => {
      const rows =
        state === undefined
          ? await db.query("SELECT * FROM reviews ORDER BY created_at, decision_id")
          : await db.query("SELECT * FROM reviews WHERE state = $1 ORDER BY created_at, decision_id", [state]);
      return rows.map(toReview);
    });
  }

  async review(decisionId: string): Promise<StoredReview | undefined> {
    return this.run("reading a review", async (db) => {
      const rows = await db.query("SELECT * FROM reviews WHERE decision_id = $1", [decisionId]);
      return rows[0] === undefined ? undefined : toReview(rows[0]);
    });
  }

  async heads(): Promise<readonly ShardHead[]> {
    return this.run("reading the log heads", async (db) => {
      const rows = await db.query<{ shard: unknown; seq: unknown; hash: string }>("SELECT shard, seq, hash FROM log_heads ORDER BY shard");
      return rows.map(toShardHead);
    });
  }

  async logLines(shard: number, fromSeq: number, limit: number): Promise<readonly string[]> {
    return this.run("reading the log", async (db) => {
      const rows = await db.query<{ line: string }>("SELECT line FROM log_entries WHERE shard = $1 AND seq >= $2 ORDER BY seq LIMIT $3", [
        shard,
        fromSeq,
        limit,
      ]);
      return rows.map((r) => r.line);
    });
  }

  async eraseSubject(subject: string): Promise<StoreErasure> {
    try {
      return await this.run("erasing a subject", (db) => eraseSubjectSql(db, this.parts.subjectKeys, subject));
    } finally {
      this.cache?.drop([subject]);
    }
  }

  async subjectDecisions(subject: string, page: { readonly after?: string; readonly limit: number }): Promise<SubjectDecisionPage> {
    const after = cursorId(page.after);
    return this.run("reading a subject's decisions", async (db) =>
      exportPage(await db.query<ExportRow & Row>(EXPORT_SQL, [subject, after, page.limit + 1]), page.limit),
    );
  }

  async subjectKeysById(ids: readonly string[]): Promise<readonly { readonly id: string; readonly key: string; readonly lookup: string }[]> {
    if (ids.length === 0) return [];
    return this.run("reading subject keys", (db) =>
      db.query<{ id: string; key: string; lookup: string }>(
        "SELECT key_id AS id, key, lookup FROM subject_keys WHERE key_id = ANY($1::text[]) ORDER BY key_id",
        [[...ids]],
      ),
    );
  }

  /** The signed checkpoints of a shard, oldest first. */
  async checkpoints(shard: number): Promise<readonly Checkpoint[]> {
    return this.run("reading checkpoints", async (db) => {
      const rows = await db.query<{ checkpoint: string }>("SELECT checkpoint FROM log_checkpoints WHERE shard = $1 ORDER BY seq", [shard]);
      return rows.map(toCheckpoint);
    });
  }

  /** Per shard: how many decisions point into the log and whether each points at its own entry (for verification). */
  async decisionCounts(shard: number): Promise<{ decisions: number; matched: number }> {
    return this.run("counting decisions", async (db) => {
      const rows = await db.query<{ decisions: unknown; matched: unknown }>(
        `SELECT count(*) AS decisions,
                count(*) FILTER (WHERE e.line LIKE '%"decision_id":' || to_json(d.decision_id)::text || '%') AS matched
           FROM decisions d LEFT JOIN log_entries e ON e.shard = d.shard AND e.seq = d.seq
          WHERE d.shard = $1`,
        [shard],
      );
      return toCounts(rows[0]);
    });
  }

  protected select(sql: string, params: readonly (string | number)[]): Promise<readonly Row[]> {
    return this.db.query(sql, params);
  }

  /** One INSERT … ON CONFLICT DO NOTHING over unnest arrays: ids the store has are skipped, the rest written together. */
  protected async insertOutcomes(rows: readonly OutcomeRow[], recordedMs: number): Promise<number> {
    const inserted = await this.run("adding outcomes", (db) =>
      db.query(
        `INSERT INTO outcomes (outcome_id, subject, type, at, at_ms, value, recorded_ms)
           SELECT u.*, $7::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::float8[]) AS u
           ON CONFLICT (outcome_id) DO NOTHING RETURNING 1 AS x`,
        [
          rows.map((r) => r.outcomeId),
          rows.map((r) => r.subject),
          rows.map((r) => r.type),
          rows.map((r) => r.at),
          rows.map((r) => r.atMs),
          rows.map((r) => r.value),
          recordedMs,
        ],
      ),
    );
    return inserted.length;
  }

  protected writeControl(params: readonly (string | number | null)[], expect: JourneyControl["state"]): Promise<boolean> {
    return this.run("setting a journey's state", (db) =>
      db.transaction(async (tx) => {
        const set = await tx.query(expect === "active" ? CONTROL_FROM_ACTIVE_SQL : CONTROL_FROM_STOPPED_SQL, params);
        if (set.length === 0) return false;
        await tx.query(CONTROL_HISTORY_INSERT_SQL, params);
        return true;
      }),
    );
  }

  protected async deleteRows(what: string, sql: string, params: readonly number[]): Promise<number> {
    return (await this.run(what, (db) => db.query(sql, params))).length;
  }

  /** A write's steps (release-sql.ts) in one transaction: each statement awaited, its rows handed back. */
  protected write<T>(what: string, steps: () => Steps<T>): Promise<T> {
    return this.run(what, (db) =>
      db.transaction(async (tx) => {
        const g = steps();
        let step = g.next();
        while (!step.done) step = g.next(await tx.query(step.value.sql, step.value.params));
        return step.value;
      }),
    );
  }

  /** Retention on the store's log (retain-sql.ts). */
  async retainLog(policy: RetentionPolicy, options: StoreRetainOptions): Promise<StoreRetainResult> {
    const ctx = { shards: this.shards, signer: this.parts.signer, location: this.location };
    return this.run("purging entries past retention", (db) => retainSql(db, ctx, policy, options));
  }
}
