// Group commit on the SQLite store: a batch of decisions made durable in ONE write transaction
// (BEGIN IMMEDIATE … COMMIT, one WAL sync), each item entirely or not at all — the semantics of
// commit.ts (PostgreSQL's), in SQLite's dialect. SQLite has no data-modifying CTEs, no `unnest`
// and no row locks, and needs none of them: the transaction holds the database's write lock from
// its first statement, and a prepared statement costs microseconds, so the batch is simply one
// statement per row read or written. Every item is checked before anything is written
// (idempotency by event key, the subject's version, the review it resolves), so a duplicate or a
// conflict writes nothing while the others of its batch commit. What the commit decides and chains
// between the reads and the writes is commit-plan.ts's, shared with commit.ts.
import type { Decision } from "../../runtime/decision.ts";
import { StoreError } from "./errors.ts";
import { chainCommitted, checkBatch, commitFailure, keyOf, planCommit, ShardForks, type CommitContext, type Head, type Plan } from "./commit-plan.ts";
import type { SqliteDb } from "./sqlite-db.ts";
import { CommitSubjectKeys, type SubjectKeyRow } from "./subject-keys.ts";
import type { CommitResult, PendingCommit } from "./types.ts";

/** What a commit needs from the SQLite store that runs it. */
export type SqliteCommitContext = CommitContext<SqliteDb>;

const SQL = {
  lockSubject: "INSERT INTO subjects (subject) VALUES (?) ON CONFLICT (subject) DO UPDATE SET version = subjects.version RETURNING version",
  found: "SELECT decision FROM decisions WHERE subject = ? AND event_id = ? AND timer = ? AND superseded_by IS NULL",
  review: "SELECT state FROM reviews WHERE decision_id = ?",
  head: "SELECT seq, hash, size, log_id, checkpoint_seq FROM log_heads WHERE shard = ?",
  supersede: "UPDATE decisions SET superseded_by = ? WHERE subject = ? AND event_id = ? AND timer = ? AND superseded_by IS NULL",
  entry: "INSERT INTO log_entries (shard, seq, hash, line) VALUES (?, ?, ?, ?)",
  decision: "INSERT INTO decisions (decision_id, subject, event_id, timer, decision, shard, seq, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  history: "INSERT INTO history (subject, journey, channel, purpose, at, at_ms, decision_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
  assignment: "INSERT INTO assignments (subject, journey, arm, outcome, channel, at, at_ms, decision_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  wakeup: "INSERT INTO wakeups (subject, journey, timer, due_at, due_ms, request, scheduled_by, artifact) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  newReview:
    "INSERT INTO reviews (decision_id, subject, journey, purpose, action, created_at, state, reviewer, note) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
  resolve: "UPDATE reviews SET state = ?, reviewer = ?, note = ?, resolved_at = ?, resolution = ? WHERE decision_id = ?",
  wakeupDone: "UPDATE wakeups SET state = 'done', lease_owner = NULL, lease_until_ms = NULL, done_by = ? WHERE id = ? AND state = 'pending'",
  version: "UPDATE subjects SET version = ? WHERE subject = ?",
  setHead: "UPDATE log_heads SET seq = ?, hash = ?, size = ?, log_id = ?, checkpoint_seq = ? WHERE shard = ?",
  checkpoint: "INSERT INTO log_checkpoints (shard, seq, checkpoint) VALUES (?, ?, ?)",
  subjectKey: "SELECT lookup, key_id AS keyId, key FROM subject_keys WHERE lookup = ?",
  newSubjectKey: "INSERT INTO subject_keys (lookup, key_id, key, created_ms) VALUES (?, ?, ?, ?)",
} as const;

/** Commits a batch; see Store.commit. Synchronous inside (node:sqlite), a promise for the Store interface. */
export function commitSqlite(ctx: SqliteCommitContext, items: readonly PendingCommit[]): CommitResult[] {
  if (items.length === 0) return [];
  checkBatch(items);
  const forks = new ShardForks(ctx.memories);
  let results: CommitResult[];
  try {
    results = ctx.db.transaction(() => commitIn(ctx, items, forks));
  } catch (e) {
    throw commitFailure(e, ctx.location, items);
  }
  // Only now is it written: later entries of these shards may leave the logged meta out.
  forks.commitAll();
  return results;
}

function commitIn(ctx: SqliteCommitContext, items: readonly PendingCommit[], forks: ShardForks): CommitResult[] {
  const db = ctx.db;
  // 1. The subjects' versions (creating rows for new subjects).
  const versions = new Map<string, number>();
  for (const subject of [...new Set(items.map((i) => i.key.subject))].sort()) {
    versions.set(subject, Number(db.get<{ version: number }>(SQL.lockSubject, subject)?.version ?? 0));
  }
  // 2. What is already decided, the reviews being resolved (the heads of the batch's shards are
  // read as the entries are chained).
  const existing = new Map<string, Decision>();
  for (const item of items) {
    const k = keyOf(item);
    if (existing.has(k)) continue;
    const row = db.get<{ decision: string }>(SQL.found, item.key.subject, item.key.eventId, item.key.timer);
    if (row !== undefined) existing.set(k, JSON.parse(row.decision) as Decision);
  }
  const reviewStates = new Map<string, string>();
  for (const item of items) {
    const id = item.resolves?.decision_id;
    if (id === undefined || reviewStates.has(id)) continue;
    const row = db.get<{ state: string }>(SQL.review, id);
    if (row !== undefined) reviewStates.set(id, row.state);
  }

  // 3. Decide each item's fate before writing anything (commit-plan.ts).
  const plan = planCommit(items, { existing, versions, reviewStates });

  // 4. Write: superseded errors first (the new row's unique index entry needs the old one gone).
  for (const s of plan.superseded.values()) db.run(SQL.supersede, s.by, s.subject, s.eventId, s.timer);
  if (plan.committed.length > 0) writeCommitted(ctx, plan, versions, forks);
  for (const w of plan.doneWakeups) db.run(SQL.wakeupDone, w.by, w.id);
  return plan.results.map((r) => r!);
}

function readHead(ctx: SqliteCommitContext, shard: number): Head {
  const r = ctx.db.get<{ seq: number; hash: string; size: number; log_id: string | null; checkpoint_seq: number }>(SQL.head, shard);
  if (r === undefined)
    throw new StoreError("store/corrupt", `the store ${ctx.location} has no head for log shard ${shard}`, "run `kairos log verify --store …`");
  return { seq: Number(r.seq), hash: r.hash, size: Number(r.size), logId: r.log_id, checkpointSeq: Number(r.checkpoint_seq) };
}

/** Chains each committed item's log entry to its shard's head (commit-plan.ts) and writes its rows, item by item. */
function writeCommitted(ctx: SqliteCommitContext, plan: Plan, versions: ReadonlyMap<string, number>, forks: ShardForks): void {
  const db = ctx.db;
  const heads = new Map<number, Head>();
  const headOf = (shard: number): Head => {
    let head = heads.get(shard);
    if (head === undefined) {
      head = readHead(ctx, shard);
      heads.set(shard, head);
    }
    return head;
  };
  // Per-subject keys are read (or created) inside this transaction, under its write lock.
  const keys = ctx.subjectKeys ? new CommitSubjectKeys(ctx.subjectKeys, new Map(), (lookup) => db.get<SubjectKeyRow>(SQL.subjectKey, lookup)) : undefined;
  const { now, rows } = chainCommitted(ctx, plan, headOf, forks, keys?.keyFor);
  for (const k of keys?.created ?? []) db.run(SQL.newSubjectKey, k.lookup, k.keyId, k.key, now);
  for (const r of rows) {
    db.run(SQL.entry, r.entry.shard, r.entry.seq, r.entry.hash, r.entry.line);
    if (r.checkpoint) db.run(SQL.checkpoint, r.checkpoint.shard, r.checkpoint.seq, r.checkpoint.json);
    const d = r.decision;
    db.run(SQL.decision, d.id, d.subject, d.eventId, d.timer, d.json, d.shard, d.seq, now);
    for (const h of r.history) db.run(SQL.history, h.subject, h.journey, h.channel, h.purpose, h.at, h.atMs, h.decisionId);
    for (const w of r.wakeups) db.run(SQL.wakeup, w.subject, w.journey, w.timer, w.dueAt, w.dueMs, w.request, w.scheduledBy, w.artifact);
    const a = r.assignment;
    if (a) db.run(SQL.assignment, a.subject, a.journey, a.arm, a.outcome, a.channel, a.at, a.atMs, a.decisionId);
    const v = r.review;
    if (v) db.run(SQL.newReview, v.decisionId, v.subject, v.journey, v.purpose, v.action, v.createdAt, v.reviewer, v.note);
    const s = r.resolution;
    if (s) db.run(SQL.resolve, s.state, s.reviewer, s.note, s.resolvedAt, s.by, s.decisionId);
  }
  for (const subject of new Set(plan.committed.map(({ item }) => item.key.subject))) db.run(SQL.version, versions.get(subject)!, subject);
  for (const [shard, h] of heads) db.run(SQL.setHead, h.seq, h.hash, h.size, h.logId, h.checkpointSeq, shard);
}
