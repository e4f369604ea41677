// Group commit: a batch of decisions made durable in ONE transaction, each item entirely or not
// at all. Locks are always taken in the same order — subject rows (sorted), then shard heads
// (ascending) — so two instances committing overlapping batches cannot deadlock. Every item is
// checked before anything is written (idempotency by event key, the subject's version, the
// review it resolves), so an item that is a duplicate or a conflict writes nothing while the
// others of its batch commit. Then each committed item's log entry is chained to its shard's
// head (the head row locked FOR UPDATE, so every instance extends one chain), and everything the
// batch writes goes in one statement.
//
// Three statements between BEGIN and COMMIT whatever the batch holds, because each statement has
// a cost of its own — ~0.2 ms of CPU on PGlite (the extended protocol through Wasm, parse, plan),
// a network round trip on PostgreSQL — that small batches pay per statement, not per row
// (docs/store.md "Measured"):
//   1. lock: INSERT … ON CONFLICT DO UPDATE (a no-op update) creates missing subject rows and
//      locks all of them in sorted order, returning each one's current version;
//   2. read: a NEW statement, so its snapshot is taken after the locks were granted and sees
//      every decision committed before them — existing decisions for the batch's event keys,
//      the reviews being resolved and the heads of every shard the batch touches (both locked,
//      heads ascending; a batch that turns out to commit nothing still locked its heads);
//   3. write: data-modifying CTEs fed by unnest arrays (log entries, decisions, history, assignments,
//      wake-ups, reviews, subject versions, shard heads, checkpoints, completed wake-ups), only
//      the parts the batch needs. No two parts touch the same row.
//
// What the commit decides and chains between the reads and the writes is commit-plan.ts's, shared
// with sqlite-commit.ts.
import type { Decision } from "../../runtime/decision.ts";
import {
  chainCommitted,
  checkBatch,
  commitFailure,
  planCommit,
  ShardForks,
  type CommitContext as Context,
  type Head,
  type ItemRows,
  type Plan,
} from "./commit-plan.ts";
import { num, type Db, type Sql } from "./db.ts";
import { StoreError } from "./errors.ts";
import { shardOf } from "./shard.ts";
import { CommitSubjectKeys } from "./subject-keys.ts";
import type { CommitResult, PendingCommit } from "./types.ts";

/** What a commit needs from the store that runs it. */
export type CommitContext = Context<Db>;

/** Commits a batch; see Store.commit. */
export async function commitBatch(ctx: CommitContext, items: readonly PendingCommit[]): Promise<CommitResult[]> {
  if (items.length === 0) return [];
  checkBatch(items);
  const forks = new ShardForks(ctx.memories);
  let results: CommitResult[];
  try {
    results = await ctx.db.transaction((tx) => commitIn(tx, ctx, items, forks));
  } catch (e) {
    throw commitFailure(e, ctx.location, items);
  }
  // Only now is it written: later entries of these shards may leave the logged meta out.
  forks.commitAll();
  return results;
}

async function commitIn(tx: Sql, ctx: CommitContext, items: readonly PendingCommit[], forks: ShardForks): Promise<CommitResult[]> {
  // 1. Lock the subjects, sorted (creating rows for new subjects so there is a row to lock).
  const subjects = [...new Set(items.map((i) => i.key.subject))].sort();
  const versionRows = await tx.query<{ subject: string; version: unknown }>(
    `INSERT INTO subjects AS s (subject) SELECT u FROM unnest($1::text[]) AS u ORDER BY u
       ON CONFLICT (subject) DO UPDATE SET version = s.version RETURNING s.subject, s.version`,
    [subjects],
  );
  const versions = new Map(versionRows.map((r) => [r.subject, num(r.version)]));

  // 2. What is already decided, the reviews being resolved (rows locked: subject locks cover them
  // too) and the heads of the batch's shards (locked, ascending), read in one statement.
  const resolving = [...new Set(items.flatMap((i) => (i.resolves ? [i.resolves.decision_id] : [])))].sort();
  const shardList = [...new Set(items.map((i) => shardOf(i.key.subject, ctx.shards)))].sort((a, b) => a - b);
  // The per-subject keys of the batch's subjects (their rows are covered by the subject locks).
  const lookups = ctx.subjectKeys ? [...new Set(subjects.map((s) => ctx.subjectKeys!.lookup(s)))] : [];
  const [read] = await tx.query<{ found: string | null; reviews: string | null; heads: string | null; keys: string | null }>(
    `WITH h AS (SELECT shard, seq, hash, size, log_id, checkpoint_seq FROM log_heads WHERE shard = ANY($4::int[]) ORDER BY shard FOR UPDATE),
          r AS (SELECT decision_id, state FROM reviews WHERE decision_id = ANY($5::text[]) ORDER BY decision_id FOR UPDATE)
     SELECT (SELECT json_agg(json_build_array(d.subject, d.event_id, d.timer, d.decision))::text FROM decisions d
               JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(subject, event_id, timer)
                 ON d.subject = k.subject AND d.event_id = k.event_id AND d.timer = k.timer AND d.superseded_by IS NULL) AS found,
            (SELECT json_agg(json_build_array(r.decision_id, r.state))::text FROM r) AS reviews,
            (SELECT json_agg(json_build_array(h.shard, h.seq, h.hash, h.size, h.log_id, h.checkpoint_seq))::text FROM h) AS heads,
            ${ctx.subjectKeys ? "(SELECT json_agg(json_build_array(k.lookup, k.key_id, k.key))::text FROM subject_keys k WHERE k.lookup = ANY($6::text[]))" : "$6::text"} AS keys`,
    [items.map((i) => i.key.subject), items.map((i) => i.key.eventId), items.map((i) => i.key.timer), shardList, resolving, ctx.subjectKeys ? lookups : null],
  );
  const keys = ctx.subjectKeys
    ? new CommitSubjectKeys(
        ctx.subjectKeys,
        new Map(parseRows<[string, string, string]>(read?.keys).map(([lookup, keyId, key]) => [lookup, { lookup, keyId, key }])),
      )
    : undefined;
  const existing = new Map<string, Decision>();
  for (const [subject, eventId, timer, decision] of parseRows<[string, string, string, string]>(read?.found)) {
    existing.set(JSON.stringify([subject, eventId, timer]), JSON.parse(decision) as Decision);
  }
  const reviewStates = new Map<string, string>(parseRows<[string, string]>(read?.reviews));
  const heads = new Map<number, Head>();
  for (const [shard, seq, hash, size, logId, checkpointSeq] of parseRows<[unknown, unknown, string, unknown, string | null, unknown]>(read?.heads)) {
    heads.set(num(shard), { seq: num(seq), hash, size: num(size), logId, checkpointSeq: num(checkpointSeq) });
  }
  for (const s of shardList) {
    if (!heads.has(s)) throw new StoreError("store/corrupt", `the store ${ctx.location} has no head for log shard ${s}`, "run `kairos log verify --store …`");
  }

  // 3. Decide each item's fate before writing anything (commit-plan.ts).
  const plan = planCommit(items, { existing, versions, reviewStates });
  const { superseded, doneWakeups } = plan;

  if (superseded.size > 0) {
    // Its own statement, before the write: the new row's unique index entry needs the old one gone.
    const rows = [...superseded.values()];
    await tx.query(
      `UPDATE decisions d SET superseded_by = x.by
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(subject, event_id, timer, by)
        WHERE d.subject = ANY($1::text[]) AND d.subject = x.subject AND d.event_id = x.event_id AND d.timer = x.timer AND d.superseded_by IS NULL`,
      [rows.map((r) => r.subject), rows.map((r) => r.eventId), rows.map((r) => r.timer), rows.map((r) => r.by)],
    );
  }
  if (plan.committed.length > 0 || doneWakeups.length > 0) {
    const w = new Writes();
    if (plan.committed.length > 0) gatherCommitted(w, ctx, plan, versions, heads, forks, keys);
    if (doneWakeups.length > 0) {
      w.add((p) => {
        const ids = p(doneWakeups.map((x) => x.id));
        return `UPDATE wakeups w SET state = 'done', lease_owner = NULL, lease_until_ms = NULL, done_by = d.by
                  FROM unnest(${ids}::bigint[], ${p(doneWakeups.map((x) => x.by))}::text[]) AS d(id, by)
                 WHERE w.id = ANY(${ids}::bigint[]) AND w.id = d.id AND w.state = 'pending'`;
      });
    }
    await w.run(tx);
  }
  return plan.results.map((r) => r!);
}

/** The rows of a `json_agg(json_build_array(…))::text` column (NULL when there were none). */
function parseRows<T>(text: string | null | undefined): T[] {
  return text === null || text === undefined ? [] : (JSON.parse(text) as T[]);
}

/**
 * The write statement being built: one data-modifying CTE per part, parameters numbered as they
 * are added (`p(value)` gives the placeholder), so a batch sends only the parts it needs.
 */
class Writes {
  private readonly parts: string[] = [];
  private readonly params: unknown[] = [];
  add(build: (p: (value: unknown) => string) => string): void {
    this.parts.push(
      build((value) => {
        this.params.push(value);
        return `$${this.params.length}`;
      }),
    );
  }
  async run(tx: Sql): Promise<void> {
    if (this.parts.length === 0) return;
    const ctes = this.parts.map((part, n) => `w${n} AS (${part})`).join(",\n");
    await tx.query(`WITH ${ctes}\nSELECT 1 AS done`, this.params);
  }
}

/** The values of one column of `rows` (a parameter array of an unnest). */
function col<T, K extends keyof T>(rows: readonly T[], key: K): Array<T[K]> {
  return rows.map((r) => r[key]);
}

/** Chains each committed item's log entry to its shard's head (commit-plan.ts) and adds the rows to write (step 3). */
function gatherCommitted(
  w: Writes,
  ctx: CommitContext,
  plan: Plan,
  versions: ReadonlyMap<string, number>,
  heads: Map<number, Head>,
  forks: ShardForks,
  keys: CommitSubjectKeys | undefined,
): void {
  const { now, rows } = chainCommitted(ctx, plan, (shard) => heads.get(shard)!, forks, keys?.keyFor);
  const created = keys?.created ?? [];
  if (created.length > 0) {
    // A plain INSERT: a second key for one subject would be a bug (the subject's row is locked), and fails the batch.
    w.add(
      (p) => `INSERT INTO subject_keys (lookup, key_id, key, created_ms)
                SELECT k.*, ${p(now)}::bigint FROM unnest(${p(col(created, "lookup"))}::text[], ${p(col(created, "keyId"))}::text[], ${p(col(created, "key"))}::text[]) AS k`,
    );
  }
  const entries = col(rows, "entry");
  const decisions = col(rows, "decision");
  const history = rows.flatMap((r) => r.history);
  const wakeups = rows.flatMap((r) => r.wakeups);
  const reviews = rows.flatMap((r) => (r.review ? [r.review] : []));
  const assignments = rows.flatMap((r): Array<NonNullable<ItemRows["assignment"]>> => (r.assignment ? [r.assignment] : []));
  const resolutions = rows.flatMap((r) => (r.resolution ? [r.resolution] : []));
  const checkpoints = rows.flatMap((r): Array<NonNullable<ItemRows["checkpoint"]>> => (r.checkpoint ? [r.checkpoint] : []));

  // The rows, as parts of the write statement.
  w.add(
    (p) => `INSERT INTO log_entries (shard, seq, hash, line)
              SELECT * FROM unnest(${p(col(entries, "shard"))}::int[], ${p(col(entries, "seq"))}::bigint[], ${p(col(entries, "hash"))}::text[],
                                   ${p(col(entries, "line"))}::text[])`,
  );
  w.add(
    (p) => `INSERT INTO decisions (decision_id, subject, event_id, timer, decision, shard, seq, created_ms)
              SELECT d.*, ${p(now)}::bigint
                FROM unnest(${p(col(decisions, "id"))}::text[], ${p(col(decisions, "subject"))}::text[], ${p(col(decisions, "eventId"))}::text[],
                            ${p(col(decisions, "timer"))}::text[], ${p(col(decisions, "json"))}::text[], ${p(col(decisions, "shard"))}::int[],
                            ${p(col(decisions, "seq"))}::bigint[]) AS d`,
  );
  if (history.length > 0) {
    w.add(
      (p) => `INSERT INTO history (subject, journey, channel, purpose, at, at_ms, decision_id)
                SELECT * FROM unnest(${p(col(history, "subject"))}::text[], ${p(col(history, "journey"))}::text[], ${p(col(history, "channel"))}::text[],
                                     ${p(col(history, "purpose"))}::text[], ${p(col(history, "at"))}::text[], ${p(col(history, "atMs"))}::bigint[],
                                     ${p(col(history, "decisionId"))}::text[])`,
    );
  }
  if (wakeups.length > 0) {
    w.add(
      (p) => `INSERT INTO wakeups (subject, journey, timer, due_at, due_ms, request, scheduled_by, artifact)
                SELECT * FROM unnest(${p(col(wakeups, "subject"))}::text[], ${p(col(wakeups, "journey"))}::text[], ${p(col(wakeups, "timer"))}::text[],
                                     ${p(col(wakeups, "dueAt"))}::text[], ${p(col(wakeups, "dueMs"))}::bigint[], ${p(col(wakeups, "request"))}::text[],
                                     ${p(col(wakeups, "scheduledBy"))}::text[], ${p(col(wakeups, "artifact"))}::text[])`,
    );
  }
  if (assignments.length > 0) {
    w.add(
      (p) => `INSERT INTO assignments (subject, journey, arm, outcome, channel, at, at_ms, decision_id)
                SELECT * FROM unnest(${p(col(assignments, "subject"))}::text[], ${p(col(assignments, "journey"))}::text[], ${p(col(assignments, "arm"))}::text[],
                                     ${p(col(assignments, "outcome"))}::text[], ${p(col(assignments, "channel"))}::text[], ${p(col(assignments, "at"))}::text[],
                                     ${p(col(assignments, "atMs"))}::bigint[], ${p(col(assignments, "decisionId"))}::text[])`,
    );
  }
  if (reviews.length > 0) {
    w.add(
      (p) => `INSERT INTO reviews (decision_id, subject, journey, purpose, action, created_at, state, reviewer, note)
                SELECT v.decision_id, v.subject, v.journey, v.purpose, v.action, v.created_at, 'pending', v.reviewer, v.note
                  FROM unnest(${p(col(reviews, "decisionId"))}::text[], ${p(col(reviews, "subject"))}::text[], ${p(col(reviews, "journey"))}::text[],
                              ${p(col(reviews, "purpose"))}::text[], ${p(col(reviews, "action"))}::text[], ${p(col(reviews, "createdAt"))}::text[],
                              ${p(col(reviews, "reviewer"))}::text[], ${p(col(reviews, "note"))}::text[])
                    AS v(decision_id, subject, journey, purpose, action, created_at, reviewer, note)`,
    );
  }
  if (resolutions.length > 0) {
    // Each review at most once (a second resolution in the batch was review_closed), none of them inserted above.
    w.add(
      (p) => `UPDATE reviews r SET state = v.state, reviewer = v.reviewer, note = v.note, resolved_at = v.resolved_at, resolution = v.resolution
                FROM unnest(${p(col(resolutions, "decisionId"))}::text[], ${p(col(resolutions, "state"))}::text[], ${p(col(resolutions, "reviewer"))}::text[],
                            ${p(col(resolutions, "note"))}::text[], ${p(col(resolutions, "resolvedAt"))}::text[], ${p(col(resolutions, "by"))}::text[])
                  AS v(decision_id, state, reviewer, note, resolved_at, resolution)
               WHERE r.decision_id = v.decision_id`,
    );
  }
  const touched = [...new Set(plan.committed.map(({ item }) => item.key.subject))].sort();
  // `s.subject = ANY(…)` as well: an index condition, so the planner probes the key instead of
  // hashing a scan of the whole table (what it chose for the join alone on a small store).
  w.add((p) => {
    const names = p(touched);
    const next = p(touched.map((s) => versions.get(s)!));
    return `UPDATE subjects s SET version = v.version FROM unnest(${names}::text[], ${next}::bigint[]) AS v(subject, version)
             WHERE s.subject = ANY(${names}::text[]) AND s.subject = v.subject`;
  });
  const hs = [...heads.entries()].filter(([s]) => forks.has(s));
  w.add(
    (p) => `UPDATE log_heads h SET seq = v.seq, hash = v.hash, size = v.size, log_id = v.log_id, checkpoint_seq = v.cp
              FROM unnest(${p(hs.map(([s]) => s))}::int[], ${p(hs.map(([, h]) => h.seq))}::bigint[], ${p(hs.map(([, h]) => h.hash))}::text[],
                          ${p(hs.map(([, h]) => h.size))}::bigint[], ${p(hs.map(([, h]) => h.logId))}::text[],
                          ${p(hs.map(([, h]) => h.checkpointSeq))}::bigint[])
                AS v(shard, seq, hash, size, log_id, cp)
             WHERE h.shard = v.shard`,
  );
  if (checkpoints.length > 0) {
    w.add(
      (p) => `INSERT INTO log_checkpoints (shard, seq, checkpoint)
                SELECT * FROM unnest(${p(col(checkpoints, "shard"))}::int[], ${p(col(checkpoints, "seq"))}::bigint[], ${p(col(checkpoints, "json"))}::text[])`,
    );
  }
}
