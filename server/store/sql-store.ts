// The Store on SQL: every method of server/store/types.ts as statements that run unchanged on
// PGlite and PostgreSQL (the Db in db.ts hides the driver). Commits are in commit.ts; opening,
// keys and migrations in index.ts. Reads that a decision is made from read the subject's
// version FIRST: anything written after it moves the version, so a decision made from a state
// newer than its version can only be refused (`conflict`), never committed on stale caps.
import type { CheckpointSigner } from "../../runtime/log/checkpoint.ts";
import type { Checkpoint } from "../../runtime/log/checkpoint.ts";
import type { EntryEncoder, LoggedMemory } from "../../runtime/log/encode.ts";
import type { Decision } from "../../runtime/decision.ts";
import type { ConsentRecord, Objection } from "../../runtime/request.ts";
import { commitBatch } from "./commit.ts";
import { num, optText, type Db, type Row } from "./db.ts";
import { StoreError, storeFailure } from "./errors.ts";
import type { StoreKeys } from "./keys.ts";
import { appliedMigrations, compareMigrations, migrate } from "./migrations.ts";
import type {
  CommitResult,
  EventKey,
  PendingCommit,
  ServiceStore,
  ShardHead,
  StoreHealth,
  StoredConsent,
  StoredDecision,
  StoredHistory,
  StoredObjection,
  StoredReview,
  StoredWakeup,
  SubjectState,
} from "./types.ts";
import { wakeupId, wakeupRowId } from "./wakeup-id.ts";
import { SubjectCache } from "./subject-cache.ts";

/** Subjects whose state the embedded store keeps in memory (see subject-cache.ts). */
const CACHED_SUBJECTS = 100_000;

/** What a SqlStore is made of (built by openStore). */
export interface SqlStoreParts {
  readonly db: Db;
  readonly location: string;
  readonly shards: number;
  readonly keys: StoreKeys;
  readonly encoder: EntryEncoder;
  readonly signer: CheckpointSigner;
  readonly memories: readonly LoggedMemory[];
  readonly checkpointEvery: number;
  readonly historyLimit: number;
  readonly clock: () => number;
  /** Released after the database closes (the embedded store's lock file). */
  readonly onClose?: () => void;
}

const WAKEUP_COLUMNS = "id, subject, journey, timer, due_at, request, scheduled_by, state, lease_owner, lease_until_ms, attempts";

function toWakeup(r: Row): StoredWakeup {
  const owner = optText(r["lease_owner"]);
  const until = r["lease_until_ms"] === null || r["lease_until_ms"] === undefined ? undefined : new Date(num(r["lease_until_ms"])).toISOString();
  return {
    id: wakeupId(r["id"]),
    subject: String(r["subject"]),
    journey: String(r["journey"]),
    timer: String(r["timer"]),
    due_at: String(r["due_at"]),
    request: JSON.parse(String(r["request"])) as Record<string, unknown>,
    scheduled_by: String(r["scheduled_by"]),
    state: r["state"] === "done" ? "done" : "pending",
    ...(owner === undefined ? {} : { lease_owner: owner }),
    ...(until === undefined ? {} : { lease_until: until }),
    attempts: num(r["attempts"]),
  };
}

function toReview(r: Row): StoredReview {
  const opt = (k: string) => (r[k] === null || r[k] === undefined ? {} : { [k]: String(r[k]) });
  return {
    decision_id: String(r["decision_id"]),
    subject: String(r["subject"]),
    journey: String(r["journey"]),
    purpose: String(r["purpose"]),
    action: JSON.parse(String(r["action"])) as StoredReview["action"],
    created_at: String(r["created_at"]),
    state: String(r["state"]) as StoredReview["state"],
    ...opt("reviewer"),
    ...opt("note"),
    ...opt("resolved_at"),
    ...opt("resolution"),
  };
}

/** The store on one Db. */
export class SqlStore implements ServiceStore {
  readonly kind: "embedded" | "postgres";
  readonly engine: "pglite" | "postgres";
  readonly location: string;
  /** The number of log shards (fixed when the store was created). */
  readonly shards: number;
  /** The log's keys (what verification and export need). */
  readonly keys: StoreKeys;
  private readonly parts: SqlStoreParts;
  private closed = false;
  /** The embedded store's subject states (it is their only writer); none on PostgreSQL. */
  private readonly cache: SubjectCache | undefined;

  constructor(parts: SqlStoreParts) {
    this.parts = parts;
    this.cache = parts.db.kind === "embedded" ? new SubjectCache(CACHED_SUBJECTS, parts.historyLimit) : undefined;
    this.kind = parts.db.kind;
    this.engine = parts.db.kind === "embedded" ? "pglite" : "postgres";
    this.location = parts.location;
    this.shards = parts.shards;
    this.keys = parts.keys;
  }

  /** Pool figures (for metrics). */
  poolStats(): { readonly total: number; readonly idle: number; readonly waiting: number } {
    return this.parts.db.poolStats();
  }

  private get db(): Db {
    if (this.closed) throw new StoreError("store/closed", `the store ${this.location} is closed`);
    return this.parts.db;
  }

  /** Runs a read, turning driver failures into StoreErrors. */
  private async run<T>(what: string, fn: (db: Db) => Promise<T>): Promise<T> {
    const db = this.db;
    try {
      return await fn(db);
    } catch (e) {
      throw storeFailure(e, this.location, what);
    }
  }

  async migrate(): Promise<void> {
    await this.run("migrations", (db) => migrate(db, this.location));
  }

  async health(): Promise<StoreHealth> {
    try {
      const applied = await appliedMigrations(this.db);
      const { pending } = compareMigrations(applied);
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
  private async append(table: "consents" | "objections", subject: string, records: readonly object[]): Promise<readonly object[]> {
    if (records.length === 0) return [];
    const recordedAt = new Date(this.parts.clock()).toISOString();
    const prefix = table === "consents" ? "cr_" : "ob_";
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

  private async records(db: Db, table: "consents" | "objections", subject: string): Promise<object[]> {
    const prefix = table === "consents" ? "cr_" : "ob_";
    const rows = await db.query<{ id: unknown; record: string; recorded_at: string }>(
      `SELECT id, record, recorded_at FROM ${table} WHERE subject = $1 ORDER BY id`,
      [subject],
    );
    return rows.map((r) => ({ ...(JSON.parse(r.record) as object), id: `${prefix}${num(r.id)}`, recorded_at: r.recorded_at }));
  }

  async state(subject: string, sinceMs?: number): Promise<SubjectState> {
    const since = sinceMs ?? Number.MIN_SAFE_INTEGER;
    const cached = this.cache?.get(subject, since);
    if (cached) return cached;
    const state = await this.load(subject, sinceMs);
    this.cache?.set(subject, state, since);
    return state;
  }

  private async load(subject: string, sinceMs?: number): Promise<SubjectState> {
    return this.run("reading a subject's state", async (db) => {
      // The version first (see the header): later writes can only make the commit conflict.
      const v = await db.query<{ version: unknown }>("SELECT version FROM subjects WHERE subject = $1", [subject]);
      const version = v[0] === undefined ? 0 : num(v[0].version);
      const [consents, objections, history] = await Promise.all([
        this.records(db, "consents", subject),
        this.records(db, "objections", subject),
        db.query<{ journey: string; channel: string; purpose: string; at: string; decision_id: string }>(
          "SELECT journey, channel, purpose, at, decision_id FROM history WHERE subject = $1 AND at_ms >= $2 ORDER BY at_ms DESC, id DESC LIMIT $3",
          [subject, sinceMs ?? Number.MIN_SAFE_INTEGER, this.parts.historyLimit],
        ),
      ]);
      const h: StoredHistory[] = history.reverse().map((r) => ({
        subject,
        journey: r.journey,
        at: r.at,
        channel: r.channel,
        purpose: r.purpose,
        decision_id: r.decision_id,
      }));
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
    const db = this.db;
    const p = this.parts;
    if (!this.cache) return this.commitBatch(db, p, items);
    let results: readonly CommitResult[];
    try {
      results = await this.commitBatch(db, p, items);
    } catch (e) {
      this.cache.drop(items.map((i) => i.key.subject));
      throw e;
    }
    // Committed items moved their subject's version by one each, in batch order (commit.ts).
    for (const [i, item] of items.entries()) {
      if (results[i]?.status !== "committed") continue;
      const subject = item.key.subject;
      const history = (item.history ?? []).map((h) => ({ ...h, subject }));
      this.cache.apply(subject, item.expectedVersion + 1, { history });
    }
    return results;
  }

  private commitBatch(db: Db, p: SqlStoreParts, items: readonly PendingCommit[]): Promise<readonly CommitResult[]> {
    return commitBatch(
      {
        db,
        location: p.location,
        shards: p.shards,
        encoder: p.encoder,
        memories: p.memories,
        signer: p.signer,
        checkpointEvery: p.checkpointEvery,
        clock: p.clock,
      },
      items,
    );
  }

  async getDecision(decisionId: string): Promise<StoredDecision | undefined> {
    return this.run("reading a decision", async (db) => {
      const rows = await db.query<{
        decision: string;
        subject: string;
        event_id: string;
        timer: string;
        shard: unknown;
        seq: unknown;
        hash: string;
        line: string;
      }>(
        `SELECT d.decision, d.subject, d.event_id, d.timer, d.shard, d.seq, e.hash, e.line
           FROM decisions d JOIN log_entries e ON e.shard = d.shard AND e.seq = d.seq
          WHERE d.decision_id = $1 ORDER BY d.id LIMIT 1`,
        [decisionId],
      );
      const r = rows[0];
      if (r === undefined) return undefined;
      return {
        decision: JSON.parse(r.decision) as Decision,
        subject: r.subject,
        key: { subject: r.subject, eventId: r.event_id, timer: r.timer },
        position: { shard: num(r.shard), seq: num(r.seq), hash: r.hash },
        line: r.line,
      };
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
      return rows.sort((a, b) => num(a["due_ms"]) - num(b["due_ms"]) || num(a["id"]) - num(b["id"])).map(toWakeup);
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
      return rows.map((r) => ({ shard: num(r.shard), seq: num(r.seq), hash: r.hash }));
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

  /** The signed checkpoints of a shard, oldest first. */
  async checkpoints(shard: number): Promise<readonly Checkpoint[]> {
    return this.run("reading checkpoints", async (db) => {
      const rows = await db.query<{ checkpoint: string }>("SELECT checkpoint FROM log_checkpoints WHERE shard = $1 ORDER BY seq", [shard]);
      return rows.map((r) => JSON.parse(r.checkpoint) as Checkpoint);
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
      return { decisions: num(rows[0]?.decisions ?? 0), matched: num(rows[0]?.matched ?? 0) };
    });
  }
}
