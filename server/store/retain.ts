// Retention on the service's store (docs/decision-log.md#retention, docs/service.md#retention):
// the same purge as `kairos log retain` (runtime/log/retain-line.ts) applied to the `log_entries`
// rows of each shard, in bounded batches, each batch ONE transaction that locks the shard's head
// row (FOR UPDATE on PostgreSQL, the write lock on SQLite) — the lease that keeps two instances
// (and the commits of that shard) from working on the same rows at once. The head's `size` and
// the shard's signed checkpoints follow the bytes removed (re-signed with `retained_at`), so an
// export of the shard is byte for byte what a file log purged the same way would be, and
// `kairos log verify --store` still passes. The entry's `decisions` row, which keeps the engine's
// decision as made (trace values and the customer sentence in clear, for idempotent replies and
// GET /v1/decisions), gets the decision as the log keeps it instead: personal data pseudonymized.
//
// Where to look: a cursor per shard in `log_meta` (`retention:<shard>`): every entry below
// `settled` is purged or never due under the policy (its fingerprint is kept with it, so a new
// policy starts over), and `next` is where the last run stopped. A run reads from `next` in log
// order and stops at the first entry decided less than the policy's shortest retention ago (no
// later one can be due: entries are in decision order on the system clock) or after
// `maxBatches`; then the next run goes on from there. Getting to the end, a run goes round once
// more from `settled` (batches permitting): an entry within its retention is read again each run
// until it is due. This file is the dialect-free part; retain-sql.ts and retain-sqlite.ts run it.
import { checkSignature, parsePublicKey, resizeCheckpoint, type Checkpoint, type CheckpointSigner } from "../../runtime/log/checkpoint.ts";
import { decisionOf, type LogEntry } from "../../runtime/log/format.ts";
import { parseLine, retainLine } from "../../runtime/log/retain-line.ts";
import { shortestRetentionMs, type RetentionPolicy } from "../../runtime/log/retain-policy.ts";

export type { RetentionPolicy } from "../../runtime/log/retain-policy.ts";

/** How a store retention run is bounded. */
export interface StoreRetainOptions {
  /** The time retention is judged at (epoch ms). */
  readonly now: number;
  /** Entries read per transaction (default 500). */
  readonly batch?: number;
  /** Transactions per shard in one run (default 20). */
  readonly maxBatches?: number;
  /** Count what would be purged; write nothing (the cursor stays where it was). */
  readonly dryRun?: boolean;
  /** The wall clock for checkpoints' `retained_at` (tests). */
  readonly clock?: () => Date;
}

/** What one run did on one shard. */
export interface ShardRetainResult {
  readonly shard: number;
  /** Entries read (past the cursor). */
  readonly examined: number;
  readonly purged: number;
  /** Checkpoints signed again with the shard's new sizes. */
  readonly checkpointsResigned: number;
  /**
   * True when the run got to the end of what can be due (the log's end, or entries younger than
   * the shortest retention) at least once; false: it stopped after `maxBatches`, with more to read.
   */
  readonly complete: boolean;
}

/** What one run did (or, dry, would do). */
export interface StoreRetainResult {
  readonly purged: number;
  readonly examined: number;
  /** Purged entries by the rule that made them due (`customer.email`, `default`). */
  readonly bySource: Readonly<Record<string, number>>;
  readonly shards: readonly ShardRetainResult[];
  readonly dryRun: boolean;
}

/** Where a shard's scan is, as kept in `log_meta`. */
export interface RetainCursor {
  /** The policy's fingerprint: another policy starts the scan over. */
  readonly policy: string;
  /** Every entry below this seq is purged or never due under the policy. */
  readonly settled: number;
  /** Where the next batch reads from. */
  readonly next: number;
}

/** The `log_meta` key of a shard's cursor. */
export const cursorKey = (shard: number): string => `retention:${shard}`;

/** A stored cursor, or the start for this policy when there is none or it was another policy's. */
export function readCursor(text: string | undefined, fingerprint: string): RetainCursor {
  const start = { policy: fingerprint, settled: 1, next: 1 };
  if (text === undefined) return start;
  try {
    const c = JSON.parse(text) as Partial<RetainCursor>;
    if (c.policy !== fingerprint || !Number.isSafeInteger(c.settled) || !Number.isSafeInteger(c.next)) return start;
    return { policy: fingerprint, settled: Math.max(1, c.settled!), next: Math.max(c.settled!, c.next!) };
  } catch {
    return start;
  }
}

/** The lines one batch rewrites, and everything else it changes. */
export interface BatchPlan {
  /**
   * The purged lines, and each one's decision as the log keeps it (`decisionOf`: personal data
   * pseudonymized), which replaces the decision row's (the engine's decision as made, in clear).
   */
  readonly updates: ReadonlyArray<{ readonly seq: number; readonly line: string; readonly removed: number; readonly decision: string }>;
  /** Bytes the shard's log got shorter. */
  readonly removed: number;
  readonly cursor: RetainCursor;
  /** The cursor the batch started from. */
  readonly from: RetainCursor;
  readonly examined: number;
  readonly bySource: Readonly<Record<string, number>>;
  readonly complete: boolean;
}

/** What a batch is planned from: the rows read from the cursor on, the cursor, and the run's policy and time. */
export interface BatchInput {
  readonly rows: ReadonlyArray<{ readonly seq: number; readonly line: string }>;
  readonly cursor: RetainCursor;
  readonly policy: RetentionPolicy;
  readonly now: number;
  /** How many rows were asked for: fewer means the end of the log. */
  readonly limit: number;
}

/** Plans one batch (see the file header). */
export function planBatch(input: BatchInput): BatchPlan {
  const shortest = shortestRetentionMs(input.policy);
  const boundary = shortest === undefined ? Number.NEGATIVE_INFINITY : input.now - shortest;
  const updates: Array<{ seq: number; line: string; removed: number; decision: string }> = [];
  const bySource: Record<string, number> = {};
  let { settled, next } = input.cursor;
  let contiguous = next === settled;
  let reachedBoundary = false;
  let examined = 0;
  for (const row of input.rows) {
    const parsed = parseLine(row.line);
    const atMs = typeof parsed.at === "string" ? Date.parse(parsed.at) : Number.NaN;
    if (Number.isFinite(atMs) && atMs > boundary) {
      reachedBoundary = true;
      break;
    }
    examined++;
    const v = retainLine(row.line, input.policy, input.now, parsed);
    if (v.kind === "purged") {
      updates.push({ seq: row.seq, line: v.line, removed: v.removed, decision: JSON.stringify(decisionOf(parsed as LogEntry)) });
      bySource[v.due.source] = (bySource[v.due.source] ?? 0) + 1;
    }
    if (contiguous && v.kind !== "kept" && row.seq === settled) settled = row.seq + 1;
    else contiguous = false;
    next = row.seq + 1;
  }
  const complete = reachedBoundary || input.rows.length < input.limit;
  return {
    updates,
    removed: updates.reduce((n, u) => n + u.removed, 0),
    cursor: { policy: input.cursor.policy, settled, next: complete ? settled : next },
    from: input.cursor,
    examined,
    bySource,
    complete,
  };
}

/**
 * The shard's checkpoints after a batch removed `updates`' bytes: each one at or after the first
 * purged entry and signed by the store's key gets its size reduced by the bytes removed up to its
 * entry and is signed again; returns only those that changed.
 */
export function resizedStoreCheckpoints(
  rows: ReadonlyArray<{ readonly seq: number; readonly checkpoint: Checkpoint }>,
  updates: BatchPlan["updates"],
  signer: CheckpointSigner,
  at: Date,
): Array<{ seq: number; json: string }> {
  if (updates.length === 0) return [];
  const trusted = parsePublicKey(signer.publicKey);
  const out: Array<{ seq: number; json: string }> = [];
  for (const { seq, checkpoint } of rows) {
    const removed = updates.reduce((n, u) => (u.seq <= seq ? n + u.removed : n), 0);
    if (removed === 0 || !checkSignature(checkpoint, trusted).ok) continue;
    out.push({ seq, json: JSON.stringify(resizeCheckpoint(signer, checkpoint, checkpoint.size - removed, at)) });
  }
  return out;
}

/** What a dialect gives the shared loop: one batch on one shard, in one transaction. */
export type BatchRunner = (shard: number, cursorOverride: RetainCursor | undefined) => Promise<BatchPlan & { readonly checkpointsResigned: number }>;

/** Runs retention on every shard, batch by batch (see the file header). */
export async function runRetention(shards: number, options: StoreRetainOptions, runBatch: BatchRunner): Promise<StoreRetainResult> {
  const maxBatches = Math.max(1, options.maxBatches ?? 20);
  const results: ShardRetainResult[] = [];
  const bySource: Record<string, number> = {};
  for (let shard = 0; shard < shards; shard++) {
    let examined = 0;
    let purged = 0;
    let checkpointsResigned = 0;
    let complete = false;
    // A dry run writes no cursor: it carries its own from batch to batch.
    let cursor: RetainCursor | undefined;
    // A run that started in the middle (where the last one stopped) goes round once more from the
    // first unsettled entry when it gets to the end, batches permitting.
    let wrapped = false;
    let startedMidway = false;
    let reachedEnd = false;
    for (let b = 0; b < maxBatches && !complete; b++) {
      const plan = await runBatch(shard, options.dryRun ? cursor : undefined);
      if (b === 0) startedMidway = plan.from.next > plan.from.settled;
      examined += plan.examined;
      purged += plan.updates.length;
      checkpointsResigned += plan.checkpointsResigned;
      for (const [k, n] of Object.entries(plan.bySource)) bySource[k] = (bySource[k] ?? 0) + n;
      complete = plan.complete;
      reachedEnd ||= plan.complete;
      cursor = plan.cursor;
      if (complete && startedMidway && !wrapped) {
        wrapped = true;
        complete = false;
      }
    }
    results.push({ shard, examined, purged, checkpointsResigned, complete: reachedEnd });
  }
  return {
    purged: results.reduce((n, r) => n + r.purged, 0),
    examined: results.reduce((n, r) => n + r.examined, 0),
    bySource,
    shards: results,
    dryRun: options.dryRun === true,
  };
}
