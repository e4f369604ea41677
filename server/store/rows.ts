// What the stores read back, whatever the backend: the mappers from a row (as PGlite, `pg` or
// node:sqlite return it) to the Store interface's types, the columns they read, and the cache
// bookkeeping both embedded stores do after a commit. The SQL that produces the rows stays with
// each dialect (sql-store.ts, sqlite-store.ts); a row here is only column name → value, and
// num() reads a number whichever way a driver gives it (text, number or bigint).
import type { Checkpoint } from "../../runtime/log/checkpoint.ts";
import type { Decision } from "../../runtime/decision.ts";
import { num, optText } from "./db.ts";
import type { SubjectCache } from "./subject-cache.ts";
import type { CommitResult, PendingCommit, ShardHead, StoredDecision, StoredHistory, StoredReview, StoredWakeup } from "./types.ts";
import { wakeupId } from "./wakeup-id.ts";

/** A row as a driver returns it: column name → value. */
type AnyRow = Readonly<Record<string, unknown>>;

/** Subjects whose state an embedded store keeps in memory (see subject-cache.ts). */
export const CACHED_SUBJECTS = 100_000;

/** The columns toWakeup reads, in the order both dialects select them. */
export const WAKEUP_COLUMNS = "id, subject, journey, timer, due_at, request, scheduled_by, state, lease_owner, lease_until_ms, attempts, artifact";

/** A `wakeups` row (WAKEUP_COLUMNS) as a StoredWakeup. */
export function toWakeup(r: AnyRow): StoredWakeup {
  const owner = optText(r["lease_owner"]);
  const artifact = optText(r["artifact"]);
  const until = r["lease_until_ms"] === null || r["lease_until_ms"] === undefined ? undefined : new Date(num(r["lease_until_ms"])).toISOString();
  return {
    id: wakeupId(r["id"]),
    subject: String(r["subject"]),
    journey: String(r["journey"]),
    timer: String(r["timer"]),
    due_at: String(r["due_at"]),
    request: JSON.parse(String(r["request"])) as Record<string, unknown>,
    scheduled_by: String(r["scheduled_by"]),
    ...(artifact === undefined ? {} : { artifact }),
    state: r["state"] === "done" ? "done" : "pending",
    ...(owner === undefined ? {} : { lease_owner: owner }),
    ...(until === undefined ? {} : { lease_until: until }),
    attempts: num(r["attempts"]),
  };
}

/** Claimed wake-ups (WAKEUP_COLUMNS and `due_ms`, in whatever order UPDATE … RETURNING gave them), due first. */
export function claimedWakeups(rows: readonly AnyRow[]): StoredWakeup[] {
  return [...rows].sort((a, b) => num(a["due_ms"]) - num(b["due_ms"]) || num(a["id"]) - num(b["id"])).map(toWakeup);
}

/** A `reviews` row (`SELECT *`) as a StoredReview; NULL columns are left out. */
export function toReview(r: AnyRow): StoredReview {
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

/** The two tables of records a subject gives (consents and objections). */
export type RecordTable = "consents" | "objections";

/** The prefix of a record's id in the API: `cr_` for consents, `ob_` for objections. */
export function recordPrefix(table: RecordTable): string {
  return table === "consents" ? "cr_" : "ob_";
}

/** A `consents`/`objections` row (`id, record, recorded_at`) as the stored record: the record's JSON with its id and time. */
export function toRecord(table: RecordTable, r: { readonly id: unknown; readonly record: string; readonly recorded_at: string }): object {
  return { ...(JSON.parse(r.record) as object), id: `${recordPrefix(table)}${num(r.id)}`, recorded_at: r.recorded_at };
}

/** A `history` row (`journey, channel, purpose, at, decision_id`) of `subject`. */
export function toHistory(
  subject: string,
  r: { readonly journey: string; readonly channel: string; readonly purpose: string; readonly at: string; readonly decision_id: string },
): StoredHistory {
  return { subject, journey: r.journey, at: r.at, channel: r.channel, purpose: r.purpose, decision_id: r.decision_id };
}

/** The row getDecision selects: a decision joined with its log entry. */
export interface DecisionRow {
  readonly decision: string;
  readonly subject: string;
  readonly event_id: string;
  readonly timer: string;
  readonly shard: unknown;
  readonly seq: unknown;
  readonly hash: string;
  readonly line: string;
}

/** A decision and its log entry (DecisionRow) as a StoredDecision. */
export function toStoredDecision(r: DecisionRow): StoredDecision {
  return {
    decision: JSON.parse(r.decision) as Decision,
    subject: r.subject,
    key: { subject: r.subject, eventId: r.event_id, timer: r.timer },
    position: { shard: num(r.shard), seq: num(r.seq), hash: r.hash },
    line: r.line,
  };
}

/** A `log_heads` row (`shard, seq, hash`) as a ShardHead. */
export function toShardHead(r: { readonly shard: unknown; readonly seq: unknown; readonly hash: string }): ShardHead {
  return { shard: num(r.shard), seq: num(r.seq), hash: r.hash };
}

/** A `log_checkpoints` row's checkpoint. */
export function toCheckpoint(r: { readonly checkpoint: string }): Checkpoint {
  return JSON.parse(r.checkpoint) as Checkpoint;
}

/** decisionCounts' row: the counts as numbers (0 when the query gave no row). */
export function toCounts(r: { readonly decisions: unknown; readonly matched: unknown } | undefined): { decisions: number; matched: number } {
  return { decisions: num(r?.decisions ?? 0), matched: num(r?.matched ?? 0) };
}

/**
 * After a commit, what an embedded store's cache learns: each committed item moved its subject's
 * version by one, in batch order (both commits apply items in order), and added its history.
 */
export function applyCommitted(cache: SubjectCache, items: readonly PendingCommit[], results: readonly CommitResult[]): void {
  for (const [i, item] of items.entries()) {
    if (results[i]?.status !== "committed") continue;
    const subject = item.key.subject;
    cache.apply(subject, item.expectedVersion + 1, { history: (item.history ?? []).map((h) => ({ ...h, subject })) });
  }
}
