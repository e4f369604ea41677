// What a group commit decides and chains, whatever the SQL dialect: commit.ts (PGlite and
// PostgreSQL: a few set-based statements) and sqlite-commit.ts (SQLite: a statement per row) read
// and write differently, but between the reads and the writes they do the same thing, here once:
// check the batch, decide each item's fate from what the reads found (duplicate, conflict, review
// already closed, or committed — superseding an `error` decision of its event), chain each
// committed item's log entry to its shard's head (checkpoints included) and turn it into the rows
// to write. The reads, the locks and the SQL of the writes stay with each dialect.
import { formatDateTime, parseDateTimeLiteral } from "../../core/literals.ts";
import type { Decision } from "../../runtime/decision.ts";
import { makeCheckpoint } from "../../runtime/log/checkpoint.ts";
import type { LoggedMemory } from "../../runtime/log/encode.ts";
import type { LogKey } from "../../runtime/log/key.ts";
import { assignmentOf } from "./assignments.ts";
import { StoreError, storeFailure } from "./errors.ts";
import type { StoreParts } from "./log-init.ts";
import { shardOf } from "./shard.ts";
import type { CommitResult, PendingCommit } from "./types.ts";
import { wakeupRowId } from "./wakeup-id.ts";

/** What a commit needs from the store that runs it, on a connection of type `D`. */
export type CommitContext<D> = Pick<
  StoreParts<D>,
  "db" | "location" | "shards" | "encoder" | "memories" | "signer" | "checkpointEvery" | "clock" | "subjectKeys"
>;

/** A shard's log head as the commit reads and moves it. */
export interface Head {
  seq: number;
  hash: string;
  size: number;
  logId: string | null;
  checkpointSeq: number;
}

/** An item's event key as a map key. */
export const keyOf = (i: PendingCommit): string => JSON.stringify([i.key.subject, i.key.eventId, i.key.timer]);

/** The epoch ms of an ISO datetime the commit writes; a `store/invalid` error naming `what` otherwise. */
export function ms(iso: string, what: string): number {
  const v = parseDateTimeLiteral(iso);
  if (v === undefined) throw new StoreError("store/invalid", `${what} \`${iso}\` is not an ISO 8601 datetime with an offset`);
  return v;
}

/** "a decision" or "N decisions": what messages about a batch of `n` call it. */
export function batchName(n: number): string {
  return n === 1 ? "a decision" : `${n} decisions`;
}

/** Refuses a batch whose log entries name another decision or subject than their item (a bug in the caller). */
export function checkBatch(items: readonly PendingCommit[]): void {
  for (const item of items) {
    if (item.decision.decision_id !== item.entry.decision_id || item.entry.subject !== item.key.subject) {
      throw new StoreError("store/invalid", `the commit of decision ${item.decision.decision_id} names another decision or subject in its log entry (a bug)`);
    }
  }
}

/** A failure of the transaction committing `items`, as the StoreError callers get. */
export function commitFailure(e: unknown, location: string, items: readonly PendingCommit[]): StoreError {
  return storeFailure(e, location, `the commit of ${batchName(items.length)}`);
}

/**
 * Each shard's logged memory as the batch extends it: forked on first use, confirmed entry by
 * entry, and committed to the shard's memory only once the transaction has (commitAll), so a
 * failed batch leaves the memories as they were.
 */
export class ShardForks {
  private readonly forks = new Map<number, LoggedMemory>();
  private readonly memories: readonly LoggedMemory[];

  constructor(memories: readonly LoggedMemory[]) {
    this.memories = memories;
  }

  /** The fork of `shard`'s memory (made on first use). */
  get(shard: number): LoggedMemory {
    let fork = this.forks.get(shard);
    if (!fork) {
      fork = this.memories[shard]!.fork();
      this.forks.set(shard, fork);
    }
    return fork;
  }

  /** True when the batch wrote to `shard`. */
  has(shard: number): boolean {
    return this.forks.has(shard);
  }

  /** After COMMIT: later entries of these shards may leave the logged meta out. */
  commitAll(): void {
    for (const fork of this.forks.values()) fork.commitTo();
  }
}

/** What the reads found, by the dialect's statements; planCommit updates them as items commit. */
export interface Found {
  /** Event key (keyOf) → its current decision (not superseded). */
  readonly existing: Map<string, Decision>;
  /** Subject → its version. */
  readonly versions: Map<string, number>;
  /** Decision id → the state of its review, for the reviews the batch resolves. */
  readonly reviewStates: Map<string, string>;
}

/** A committed item and its place in the batch. */
export interface Committed {
  readonly index: number;
  readonly item: PendingCommit;
}

/** Each item's fate, decided before anything is written. */
export interface Plan {
  /** Per item: its result, undefined for the committed ones until chainCommitted. */
  readonly results: Array<CommitResult | undefined>;
  readonly committed: Committed[];
  /** Wake-up rows to mark done, with the decision that answered them. */
  readonly doneWakeups: Array<{ id: number; by: string }>;
  /** Event keys whose `error` decision this batch answers again (migration 0002), with the new decision. */
  readonly superseded: Map<string, { subject: string; eventId: string; timer: string; by: string }>;
}

/**
 * Decides each item's fate, in batch order: a duplicate of a decided event (not an error), a
 * conflict (the subject's version moved), a review already closed, or committed — which moves its
 * subject's version and its event's decision for the items after it.
 */
export function planCommit(items: readonly PendingCommit[], found: Found): Plan {
  const { existing, versions, reviewStates } = found;
  const plan: Plan = { results: [], committed: [], doneWakeups: [], superseded: new Map() };
  for (const [index, item] of items.entries()) {
    const k = keyOf(item);
    const first = existing.get(k);
    if (first !== undefined && first.outcome !== "error") {
      plan.results.push({ status: "duplicate", decision: first });
      // A wake-up that fired again (its lease ran out mid-decision) is done: its decision exists.
      if (item.completesWakeup) pushWakeup(plan.doneWakeups, item.completesWakeup.id, first.decision_id);
      continue;
    }
    if ((versions.get(item.key.subject) ?? 0) !== item.expectedVersion) {
      plan.results.push({ status: "conflict" });
      continue;
    }
    if (item.resolves) {
      const state = reviewStates.get(item.resolves.decision_id);
      if (state !== "pending") {
        plan.results.push({ status: "review_closed", state: state ?? "unknown" });
        continue;
      }
      reviewStates.set(item.resolves.decision_id, item.resolves.verdict === "approve" ? "approved" : "rejected");
    }
    if (first !== undefined) {
      plan.superseded.set(k, { subject: item.key.subject, eventId: item.key.eventId, timer: item.key.timer, by: item.decision.decision_id });
    }
    existing.set(k, item.decision);
    versions.set(item.key.subject, (versions.get(item.key.subject) ?? 0) + 1);
    if (item.completesWakeup) pushWakeup(plan.doneWakeups, item.completesWakeup.id, item.decision.decision_id);
    plan.results.push(undefined);
    plan.committed.push({ index, item });
  }
  return plan;
}

function pushWakeup(list: Array<{ id: number; by: string }>, id: string, by: string): void {
  const row = wakeupRowId(id);
  if (row !== undefined) list.push({ id: row, by });
}

/** The rows one committed item writes, in the columns of its tables. */
export interface ItemRows {
  readonly entry: { readonly shard: number; readonly seq: number; readonly hash: string; readonly line: string };
  /** The shard's signed checkpoint when this entry is due one. */
  readonly checkpoint?: { readonly shard: number; readonly seq: number; readonly json: string };
  readonly decision: {
    readonly id: string;
    readonly subject: string;
    readonly eventId: string;
    readonly timer: string;
    readonly json: string;
    readonly shard: number;
    readonly seq: number;
  };
  readonly history: ReadonlyArray<{
    readonly subject: string;
    readonly journey: string;
    readonly channel: string;
    readonly purpose: string;
    readonly at: string;
    readonly atMs: number;
    readonly decisionId: string;
  }>;
  readonly wakeups: ReadonlyArray<{
    readonly subject: string;
    readonly journey: string;
    readonly timer: string;
    readonly dueAt: string;
    readonly dueMs: number;
    readonly request: string;
    readonly scheduledBy: string;
    /** The artifact hash of the decision that scheduled it (null: not recorded). */
    readonly artifact: string | null;
  }>;
  /** A new pending review. */
  readonly review?: {
    readonly decisionId: string;
    readonly subject: string;
    readonly journey: string;
    readonly purpose: string;
    readonly action: string;
    readonly createdAt: string;
    readonly reviewer: string | null;
    readonly note: string | null;
  };
  /** The decision's assignment row (assignments.ts), when its winner treated the subject or held them out. */
  readonly assignment?: {
    readonly subject: string;
    readonly journey: string;
    readonly arm: string;
    readonly outcome: string;
    readonly channel: string;
    readonly at: string;
    readonly atMs: number;
    readonly decisionId: string;
  };
  /** The review this decision resolves. */
  readonly resolution?: {
    readonly decisionId: string;
    readonly state: "approved" | "rejected";
    readonly reviewer: string;
    readonly note: string | null;
    readonly resolvedAt: string;
    readonly by: string;
  };
}

/**
 * Chains each committed item's log entry to its shard's head (`head(shard)` gives the head as
 * read, and is moved here), signs a checkpoint where one is due, records each item's result, and
 * gives the rows to write, in batch order, with the time they are written at (epoch ms).
 * `keyFor` gives the subject's per-subject key when the store's log uses them.
 */
export function chainCommitted<D>(
  ctx: CommitContext<D>,
  plan: Plan,
  head: (shard: number) => Head,
  forks: ShardForks,
  keyFor?: (subject: string) => LogKey,
): { readonly now: number; readonly rows: ItemRows[] } {
  const now = ctx.clock();
  const rows: ItemRows[] = [];
  for (const { index, item } of plan.committed) {
    const shard = shardOf(item.key.subject, ctx.shards);
    const h = head(shard);
    const fork = forks.get(shard);
    const prepared = ctx.encoder.prepare(item.entry, fork, keyFor?.(item.key.subject));
    const encoded = ctx.encoder.chain(prepared, h);
    fork.confirm(prepared);
    h.seq = encoded.seq;
    h.hash = encoded.hash;
    h.size += Buffer.byteLength(encoded.line, "utf8");
    h.logId ??= encoded.hash;
    let checkpoint: ItemRows["checkpoint"];
    if (ctx.checkpointEvery > 0 && h.seq - h.checkpointSeq >= ctx.checkpointEvery) {
      const cp = makeCheckpoint(ctx.signer, { log: h.logId, seq: h.seq, head: h.hash, size: h.size }, new Date(now));
      checkpoint = { shard, seq: h.seq, json: JSON.stringify(cp) };
      h.checkpointSeq = h.seq;
    }
    plan.results[index] = { status: "committed", position: { shard, seq: encoded.seq, hash: encoded.hash } };

    const d = item.decision;
    const subject = item.key.subject;
    const r = item.review;
    const v = item.resolves;
    const a = assignmentOf(d, item.channel);
    const atMs = a === undefined ? 0 : ms(item.entry.at, "the decision's `at`");
    rows.push({
      entry: { shard, seq: encoded.seq, hash: encoded.hash, line: encoded.line.endsWith("\n") ? encoded.line.slice(0, -1) : encoded.line },
      ...(checkpoint ? { checkpoint } : {}),
      decision: { id: d.decision_id, subject, eventId: item.key.eventId, timer: item.key.timer, json: JSON.stringify(d), shard, seq: encoded.seq },
      history: (item.history ?? []).map((x) => {
        const atMs = ms(x.at, "the history entry's `at`");
        return { subject, journey: x.journey, channel: x.channel, purpose: x.purpose, at: formatDateTime(atMs), atMs, decisionId: x.decision_id };
      }),
      wakeups: (item.wakeups ?? []).map((w) => {
        const dueMs = ms(w.due_at, "the wake-up's `due_at`");
        const request = JSON.stringify(w.request);
        const artifact = w.artifact ?? null;
        return { subject: w.subject, journey: w.journey, timer: w.timer, dueAt: formatDateTime(dueMs), dueMs, request, scheduledBy: w.scheduled_by, artifact };
      }),
      ...(r
        ? {
            review: {
              decisionId: r.decision_id,
              subject: r.subject,
              journey: r.journey,
              purpose: r.purpose,
              action: JSON.stringify(r.action),
              createdAt: item.entry.at,
              reviewer: r.reviewer ?? null,
              note: r.note ?? null,
            },
          }
        : {}),
      ...(a ? { assignment: { subject, ...a, at: formatDateTime(atMs), atMs } } : {}),
      ...(v
        ? {
            resolution: {
              decisionId: v.decision_id,
              state: v.verdict === "approve" ? "approved" : "rejected",
              reviewer: v.reviewer,
              note: v.note ?? null,
              resolvedAt: item.entry.at,
              by: d.decision_id,
            },
          }
        : {}),
    });
  }
  return { now, rows };
}
