// Group commit on the SQLite store: a batch of decisions made durable in ONE write transaction
// (BEGIN IMMEDIATE … COMMIT, one WAL sync), each item entirely or not at all — the semantics of
// commit.ts (PostgreSQL's), in SQLite's dialect. SQLite has no data-modifying CTEs, no `unnest`
// and no row locks, and needs none of them: the transaction holds the database's write lock from
// its first statement, and a prepared statement costs microseconds, so the batch is simply one
// statement per row read or written. Every item is checked before anything is written
// (idempotency by event key, the subject's version, the review it resolves), so a duplicate or a
// conflict writes nothing while the others of its batch commit.
import { formatDateTime, parseDateTimeLiteral } from "../../core/literals.ts";
import type { Decision } from "../../runtime/decision.ts";
import { makeCheckpoint, type CheckpointSigner } from "../../runtime/log/checkpoint.ts";
import type { EntryEncoder, LoggedMemory } from "../../runtime/log/encode.ts";
import { StoreError, storeFailure } from "./errors.ts";
import { shardOf } from "./shard.ts";
import type { SqliteDb } from "./sqlite-db.ts";
import type { CommitResult, PendingCommit } from "./types.ts";
import { wakeupRowId } from "./wakeup-id.ts";

/** What a commit needs from the SQLite store that runs it. */
export interface SqliteCommitContext {
  readonly db: SqliteDb;
  readonly location: string;
  readonly shards: number;
  readonly encoder: EntryEncoder;
  /** What each shard's chain has logged (journey meta, policies), as this instance knows it. */
  readonly memories: readonly LoggedMemory[];
  readonly signer: CheckpointSigner;
  readonly checkpointEvery: number;
  readonly clock: () => number;
}

interface Head {
  seq: number;
  hash: string;
  size: number;
  logId: string | null;
  checkpointSeq: number;
}

const keyOf = (i: PendingCommit): string => JSON.stringify([i.key.subject, i.key.eventId, i.key.timer]);

function ms(iso: string, what: string): number {
  const v = parseDateTimeLiteral(iso);
  if (v === undefined) throw new StoreError("store/invalid", `${what} \`${iso}\` is not an ISO 8601 datetime with an offset`);
  return v;
}

const SQL = {
  lockSubject: "INSERT INTO subjects (subject) VALUES (?) ON CONFLICT (subject) DO UPDATE SET version = subjects.version RETURNING version",
  found: "SELECT decision FROM decisions WHERE subject = ? AND event_id = ? AND timer = ? AND superseded_by IS NULL",
  review: "SELECT state FROM reviews WHERE decision_id = ?",
  head: "SELECT seq, hash, size, log_id, checkpoint_seq FROM log_heads WHERE shard = ?",
  supersede: "UPDATE decisions SET superseded_by = ? WHERE subject = ? AND event_id = ? AND timer = ? AND superseded_by IS NULL",
  entry: "INSERT INTO log_entries (shard, seq, hash, line) VALUES (?, ?, ?, ?)",
  decision: "INSERT INTO decisions (decision_id, subject, event_id, timer, decision, shard, seq, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  history: "INSERT INTO history (subject, journey, channel, purpose, at, at_ms, decision_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
  wakeup: "INSERT INTO wakeups (subject, journey, timer, due_at, due_ms, request, scheduled_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
  newReview:
    "INSERT INTO reviews (decision_id, subject, journey, purpose, action, created_at, state, reviewer, note) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
  resolve: "UPDATE reviews SET state = ?, reviewer = ?, note = ?, resolved_at = ?, resolution = ? WHERE decision_id = ?",
  wakeupDone: "UPDATE wakeups SET state = 'done', lease_owner = NULL, lease_until_ms = NULL, done_by = ? WHERE id = ? AND state = 'pending'",
  version: "UPDATE subjects SET version = ? WHERE subject = ?",
  setHead: "UPDATE log_heads SET seq = ?, hash = ?, size = ?, log_id = ?, checkpoint_seq = ? WHERE shard = ?",
  checkpoint: "INSERT INTO log_checkpoints (shard, seq, checkpoint) VALUES (?, ?, ?)",
} as const;

/** Commits a batch; see Store.commit. Synchronous inside (node:sqlite), a promise for the Store interface. */
export function commitSqlite(ctx: SqliteCommitContext, items: readonly PendingCommit[]): CommitResult[] {
  if (items.length === 0) return [];
  for (const item of items) {
    if (item.decision.decision_id !== item.entry.decision_id || item.entry.subject !== item.key.subject) {
      throw new StoreError("store/invalid", `the commit of decision ${item.decision.decision_id} names another decision or subject in its log entry (a bug)`);
    }
  }
  const forks = new Map<number, LoggedMemory>();
  let results: CommitResult[];
  try {
    results = ctx.db.transaction(() => commitIn(ctx, items, forks));
  } catch (e) {
    throw storeFailure(e, ctx.location, `the commit of ${items.length === 1 ? "a decision" : `${items.length} decisions`}`);
  }
  // Only now is it written: later entries of these shards may leave the logged meta out.
  for (const fork of forks.values()) fork.commitTo();
  return results;
}

function commitIn(ctx: SqliteCommitContext, items: readonly PendingCommit[], forks: Map<number, LoggedMemory>): CommitResult[] {
  const db = ctx.db;
  // 1. The subjects' versions (creating rows for new subjects).
  const versions = new Map<string, number>();
  for (const subject of [...new Set(items.map((i) => i.key.subject))].sort()) {
    versions.set(subject, Number(db.get<{ version: number }>(SQL.lockSubject, subject)?.version ?? 0));
  }
  // 2. What is already decided, the reviews being resolved, the heads of the batch's shards.
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

  // 3. Decide each item's fate before writing anything (as commit.ts does).
  const results: Array<CommitResult | undefined> = [];
  const committed: Array<{ index: number; item: PendingCommit }> = [];
  const doneWakeups: Array<{ id: number; by: string }> = [];
  const superseded = new Map<string, { subject: string; eventId: string; timer: string; by: string }>();
  for (const [index, item] of items.entries()) {
    const k = keyOf(item);
    const first = existing.get(k);
    if (first !== undefined && first.outcome !== "error") {
      results.push({ status: "duplicate", decision: first });
      if (item.completesWakeup) pushWakeup(doneWakeups, item.completesWakeup.id, first.decision_id);
      continue;
    }
    if ((versions.get(item.key.subject) ?? 0) !== item.expectedVersion) {
      results.push({ status: "conflict" });
      continue;
    }
    if (item.resolves) {
      const state = reviewStates.get(item.resolves.decision_id);
      if (state !== "pending") {
        results.push({ status: "review_closed", state: state ?? "unknown" });
        continue;
      }
      reviewStates.set(item.resolves.decision_id, item.resolves.verdict === "approve" ? "approved" : "rejected");
    }
    if (first !== undefined) superseded.set(k, { subject: item.key.subject, eventId: item.key.eventId, timer: item.key.timer, by: item.decision.decision_id });
    existing.set(k, item.decision);
    versions.set(item.key.subject, (versions.get(item.key.subject) ?? 0) + 1);
    if (item.completesWakeup) pushWakeup(doneWakeups, item.completesWakeup.id, item.decision.decision_id);
    results.push(undefined);
    committed.push({ index, item });
  }

  // 4. Write: superseded errors first (the new row's unique index entry needs the old one gone).
  for (const s of superseded.values()) db.run(SQL.supersede, s.by, s.subject, s.eventId, s.timer);
  if (committed.length > 0) writeCommitted(ctx, committed, results, versions, forks);
  for (const w of doneWakeups) db.run(SQL.wakeupDone, w.by, w.id);
  return results.map((r) => r!);
}

function pushWakeup(list: Array<{ id: number; by: string }>, id: string, by: string): void {
  const row = wakeupRowId(id);
  if (row !== undefined) list.push({ id: row, by });
}

function readHead(ctx: SqliteCommitContext, shard: number): Head {
  const r = ctx.db.get<{ seq: number; hash: string; size: number; log_id: string | null; checkpoint_seq: number }>(SQL.head, shard);
  if (r === undefined)
    throw new StoreError("store/corrupt", `the store ${ctx.location} has no head for log shard ${shard}`, "run `kairos log verify --store …`");
  return { seq: Number(r.seq), hash: r.hash, size: Number(r.size), logId: r.log_id, checkpointSeq: Number(r.checkpoint_seq) };
}

/** Chains each committed item's log entry to its shard's head and writes its rows. */
function writeCommitted(
  ctx: SqliteCommitContext,
  committed: ReadonlyArray<{ index: number; item: PendingCommit }>,
  results: Array<CommitResult | undefined>,
  versions: ReadonlyMap<string, number>,
  forks: Map<number, LoggedMemory>,
): void {
  const db = ctx.db;
  const now = ctx.clock();
  const heads = new Map<number, Head>();
  for (const { index, item } of committed) {
    const shard = shardOf(item.key.subject, ctx.shards);
    let head = heads.get(shard);
    if (head === undefined) {
      head = readHead(ctx, shard);
      heads.set(shard, head);
    }
    let fork = forks.get(shard);
    if (!fork) {
      fork = ctx.memories[shard]!.fork();
      forks.set(shard, fork);
    }
    const prepared = ctx.encoder.prepare(item.entry, fork);
    const encoded = ctx.encoder.chain(prepared, head);
    fork.confirm(prepared);
    head.seq = encoded.seq;
    head.hash = encoded.hash;
    head.size += Buffer.byteLength(encoded.line, "utf8");
    head.logId ??= encoded.hash;
    db.run(SQL.entry, shard, encoded.seq, encoded.hash, encoded.line.endsWith("\n") ? encoded.line.slice(0, -1) : encoded.line);
    if (ctx.checkpointEvery > 0 && head.seq - head.checkpointSeq >= ctx.checkpointEvery) {
      const cp = makeCheckpoint(ctx.signer, { log: head.logId, seq: head.seq, head: head.hash, size: head.size }, new Date(now));
      db.run(SQL.checkpoint, shard, head.seq, JSON.stringify(cp));
      head.checkpointSeq = head.seq;
    }
    results[index] = { status: "committed", position: { shard, seq: encoded.seq, hash: encoded.hash } };

    const d = item.decision;
    db.run(SQL.decision, d.decision_id, item.key.subject, item.key.eventId, item.key.timer, JSON.stringify(d), shard, encoded.seq, now);
    for (const h of item.history ?? []) {
      const atMs = ms(h.at, "the history entry's `at`");
      db.run(SQL.history, item.key.subject, h.journey, h.channel, h.purpose, formatDateTime(atMs), atMs, h.decision_id);
    }
    for (const w of item.wakeups ?? []) {
      const dueMs = ms(w.due_at, "the wake-up's `due_at`");
      db.run(SQL.wakeup, w.subject, w.journey, w.timer, formatDateTime(dueMs), dueMs, JSON.stringify(w.request), w.scheduled_by);
    }
    if (item.review) {
      const r = item.review;
      db.run(SQL.newReview, r.decision_id, r.subject, r.journey, r.purpose, JSON.stringify(r.action), item.entry.at, r.reviewer ?? null, r.note ?? null);
    }
    if (item.resolves) {
      const v = item.resolves;
      db.run(SQL.resolve, v.verdict === "approve" ? "approved" : "rejected", v.reviewer, v.note ?? null, item.entry.at, d.decision_id, v.decision_id);
    }
  }
  for (const subject of new Set(committed.map(({ item }) => item.key.subject))) db.run(SQL.version, versions.get(subject)!, subject);
  for (const [shard, h] of heads) db.run(SQL.setHead, h.seq, h.hash, h.size, h.logId, h.checkpointSeq, shard);
}
