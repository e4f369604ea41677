// The Store on SQLite (`--store sqlite:`, docs/store.md): every method of server/store/types.ts
// on one node:sqlite database in this process. Same behaviour as SqlStore (PGlite and
// PostgreSQL) — the conformance suite runs all three — in SQLite's dialect; commits are in
// sqlite-commit.ts. Like the PGlite store it has exactly one writer (a lock file guards the
// database), so subject states are answered from memory (subject-cache.ts) once read.
// node:sqlite is synchronous: each method runs to completion on this thread (microseconds for a
// read or a statement) and returns a settled promise; a write then waits for the WAL's flush on
// the thread pool (sqlite-db.ts), so the event loop decides other requests during the fsync.
import type { Checkpoint, CheckpointSigner } from "../../runtime/log/checkpoint.ts";
import type { EntryEncoder, LoggedMemory } from "../../runtime/log/encode.ts";
import type { Decision } from "../../runtime/decision.ts";
import type { ConsentRecord, Objection } from "../../runtime/request.ts";
import { StoreError, storeFailure } from "./errors.ts";
import type { StoreKeys } from "./keys.ts";
import { commitSqlite } from "./sqlite-commit.ts";
import { SQLITE_MIGRATIONS, type SqliteDb, type SqliteRow } from "./sqlite-db.ts";
import { SubjectCache } from "./subject-cache.ts";
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

/** Subjects whose state is kept in memory (as the PGlite store). */
const CACHED_SUBJECTS = 100_000;

/** What a SqliteStore is made of (built by openStore). */
export interface SqliteStoreParts {
  readonly db: SqliteDb;
  readonly location: string;
  readonly shards: number;
  readonly keys: StoreKeys;
  readonly encoder: EntryEncoder;
  readonly signer: CheckpointSigner;
  readonly memories: readonly LoggedMemory[];
  readonly checkpointEvery: number;
  readonly historyLimit: number;
  readonly clock: () => number;
  /** Released after the database closes (the lock file). */
  readonly onClose?: () => void;
}

const WAKEUP_COLUMNS = "id, subject, journey, timer, due_at, request, scheduled_by, state, lease_owner, lease_until_ms, attempts";

function toWakeup(r: SqliteRow): StoredWakeup {
  const owner = r["lease_owner"] === null || r["lease_owner"] === undefined ? undefined : String(r["lease_owner"]);
  const until = r["lease_until_ms"] === null || r["lease_until_ms"] === undefined ? undefined : new Date(Number(r["lease_until_ms"])).toISOString();
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
    attempts: Number(r["attempts"]),
  };
}

function toReview(r: SqliteRow): StoredReview {
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

/** The store on one SQLite database. */
export class SqliteStore implements ServiceStore {
  readonly kind = "embedded" as const;
  readonly engine = "sqlite" as const;
  readonly location: string;
  readonly shards: number;
  readonly keys: StoreKeys;
  private readonly parts: SqliteStoreParts;
  private readonly cache: SubjectCache;
  private closed = false;

  constructor(parts: SqliteStoreParts) {
    this.parts = parts;
    this.location = parts.location;
    this.shards = parts.shards;
    this.keys = parts.keys;
    this.cache = new SubjectCache(CACHED_SUBJECTS, parts.historyLimit);
  }

  poolStats(): { readonly total: number; readonly idle: number; readonly waiting: number } {
    return { total: 1, idle: 1, waiting: 0 };
  }

  private get db(): SqliteDb {
    if (this.closed) throw new StoreError("store/closed", `the store ${this.location} is closed`);
    return this.parts.db;
  }

  /** Runs a read or write, turning driver failures into StoreErrors (and a settled promise). */
  private async run<T>(what: string, fn: (db: SqliteDb) => T): Promise<T> {
    const db = this.db;
    try {
      return fn(db);
    } catch (e) {
      throw storeFailure(e, this.location, what);
    }
  }

  async migrate(): Promise<void> {
    await this.run("migrations", (db) => db.migrate());
  }

  async health(): Promise<StoreHealth> {
    try {
      const applied = this.db.appliedMigrations();
      const pending = SQLITE_MIGRATIONS.filter((m) => !applied.includes(m.id)).map((m) => m.id);
      return { reachable: true, migrations: { applied, pending } };
    } catch (e) {
      return { reachable: false, migrations: { applied: [], pending: [] }, problem: storeFailure(e, this.location, "a health check").message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.parts.db.close();
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

  private records(db: SqliteDb, table: "consents" | "objections", subject: string): object[] {
    const prefix = table === "consents" ? "cr_" : "ob_";
    return db
      .all<{ id: number; record: string; recorded_at: string }>(`SELECT id, record, recorded_at FROM ${table} WHERE subject = ? ORDER BY id`, subject)
      .map((r) => ({ ...(JSON.parse(r.record) as object), id: `${prefix}${r.id}`, recorded_at: r.recorded_at }));
  }

  async state(subject: string, sinceMs?: number): Promise<SubjectState> {
    const since = sinceMs ?? Number.MIN_SAFE_INTEGER;
    const cached = this.cache.get(subject, since);
    if (cached) return cached;
    const state = await this.run("reading a subject's state", (db) => {
      const version = Number(db.get<{ version: number }>("SELECT version FROM subjects WHERE subject = ?", subject)?.version ?? 0);
      const history = db
        .all<{ journey: string; channel: string; purpose: string; at: string; decision_id: string }>(
          "SELECT journey, channel, purpose, at, decision_id FROM history WHERE subject = ? AND at_ms >= ? ORDER BY at_ms DESC, id DESC LIMIT ?",
          subject,
          since,
          this.parts.historyLimit,
        )
        .reverse()
        .map((r): StoredHistory => ({ subject, journey: r.journey, at: r.at, channel: r.channel, purpose: r.purpose, decision_id: r.decision_id }));
      return {
        consents: this.records(db, "consents", subject) as StoredConsent[],
        objections: this.records(db, "objections", subject) as StoredObjection[],
        history,
        version,
      };
    });
    this.cache.set(subject, state, since);
    return state;
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
    const p = this.parts;
    const ctx = {
      db: this.db,
      location: p.location,
      shards: p.shards,
      encoder: p.encoder,
      memories: p.memories,
      signer: p.signer,
      checkpointEvery: p.checkpointEvery,
      clock: p.clock,
    };
    let results: readonly CommitResult[];
    try {
      results = commitSqlite(ctx, items);
    } catch (e) {
      this.cache.drop(items.map((i) => i.key.subject));
      throw e;
    }
    // Committed items moved their subject's version by one each, in batch order. The cache follows
    // the database at once (the next decisions are made from it); the answers wait for the sync,
    // which also covers this batch for any later one that depends on it.
    for (const [i, item] of items.entries()) {
      if (results[i]?.status !== "committed") continue;
      const subject = item.key.subject;
      this.cache.apply(subject, item.expectedVersion + 1, { history: (item.history ?? []).map((h) => ({ ...h, subject })) });
    }
    await this.durable(`the commit of ${items.length === 1 ? "a decision" : `${items.length} decisions`}`);
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
      const r = db.get<{ decision: string; subject: string; event_id: string; timer: string; shard: number; seq: number; hash: string; line: string }>(
        `SELECT d.decision, d.subject, d.event_id, d.timer, d.shard, d.seq, e.hash, e.line
           FROM decisions d JOIN log_entries e ON e.shard = d.shard AND e.seq = d.seq
          WHERE d.decision_id = ? ORDER BY d.id LIMIT 1`,
        decisionId,
      );
      if (r === undefined) return undefined;
      return {
        decision: JSON.parse(r.decision) as Decision,
        subject: r.subject,
        key: { subject: r.subject, eventId: r.event_id, timer: r.timer },
        position: { shard: Number(r.shard), seq: Number(r.seq), hash: r.hash },
        line: r.line,
      };
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
        return rows.sort((a, b) => Number(a["due_ms"]) - Number(b["due_ms"]) || Number(a["id"]) - Number(b["id"])).map(toWakeup);
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
      db
        .all<{ shard: number; seq: number; hash: string }>("SELECT shard, seq, hash FROM log_heads ORDER BY shard")
        .map((r) => ({ shard: Number(r.shard), seq: Number(r.seq), hash: r.hash })),
    );
  }

  async logLines(shard: number, fromSeq: number, limit: number): Promise<readonly string[]> {
    return this.run("reading the log", (db) =>
      db.all<{ line: string }>("SELECT line FROM log_entries WHERE shard = ? AND seq >= ? ORDER BY seq LIMIT ?", shard, fromSeq, limit).map((r) => r.line),
    );
  }

  async checkpoints(shard: number): Promise<readonly Checkpoint[]> {
    return this.run("reading checkpoints", (db) =>
      db
        .all<{ checkpoint: string }>("SELECT checkpoint FROM log_checkpoints WHERE shard = ? ORDER BY seq", shard)
        .map((r) => JSON.parse(r.checkpoint) as Checkpoint),
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
      return { decisions: Number(r?.decisions ?? 0), matched: Number(r?.matched ?? 0) };
    });
  }
}
