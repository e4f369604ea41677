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
//   3. write: data-modifying CTEs fed by unnest arrays (log entries, decisions, history,
//      wake-ups, reviews, subject versions, shard heads, checkpoints, completed wake-ups), only
//      the parts the batch needs. No two parts touch the same row.
import { formatDateTime, parseDateTimeLiteral } from "../../core/literals.ts";
import { makeCheckpoint, type CheckpointSigner } from "../../runtime/log/checkpoint.ts";
import type { Decision } from "../../runtime/decision.ts";
import type { EntryEncoder, LoggedMemory } from "../../runtime/log/encode.ts";
import { num, type Db, type Sql } from "./db.ts";
import { StoreError, storeFailure } from "./errors.ts";
import { shardOf } from "./shard.ts";
import type { CommitResult, LogPosition, PendingCommit } from "./types.ts";
import { wakeupRowId } from "./wakeup-id.ts";

/** What a commit needs from the store that runs it. */
export interface CommitContext {
  readonly db: Db;
  readonly location: string;
  readonly shards: number;
  readonly encoder: EntryEncoder;
  /** What each shard's chain has logged (journey meta, policies), as this instance knows it. */
  readonly memories: readonly LoggedMemory[];
  readonly signer: CheckpointSigner;
  /** A signed checkpoint per shard every this many entries. */
  readonly checkpointEvery: number;
  /** Wall clock (epoch ms), for created_ms and checkpoint times. */
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

/** Commits a batch; see Store.commit. */
export async function commitBatch(ctx: CommitContext, items: readonly PendingCommit[]): Promise<CommitResult[]> {
  if (items.length === 0) return [];
  for (const item of items) {
    if (item.decision.decision_id !== item.entry.decision_id || item.entry.subject !== item.key.subject) {
      throw new StoreError("store/invalid", `the commit of decision ${item.decision.decision_id} names another decision or subject in its log entry (a bug)`);
    }
  }
  const forks = new Map<number, LoggedMemory>();
  let results: CommitResult[];
  try {
    results = await ctx.db.transaction((tx) => commitIn(tx, ctx, items, forks));
  } catch (e) {
    throw storeFailure(e, ctx.location, `the commit of ${items.length === 1 ? "a decision" : `${items.length} decisions`}`);
  }
  // Only now is it written: later entries of these shards may leave the logged meta out.
  for (const fork of forks.values()) fork.commitTo();
  return results;
}

async function commitIn(tx: Sql, ctx: CommitContext, items: readonly PendingCommit[], forks: Map<number, LoggedMemory>): Promise<CommitResult[]> {
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
  const [read] = await tx.query<{ found: string | null; reviews: string | null; heads: string | null }>(
    `WITH h AS (SELECT shard, seq, hash, size, log_id, checkpoint_seq FROM log_heads WHERE shard = ANY($4::int[]) ORDER BY shard FOR UPDATE),
          r AS (SELECT decision_id, state FROM reviews WHERE decision_id = ANY($5::text[]) ORDER BY decision_id FOR UPDATE)
     SELECT (SELECT json_agg(json_build_array(d.subject, d.event_id, d.timer, d.decision))::text FROM decisions d
               JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(subject, event_id, timer)
                 ON d.subject = k.subject AND d.event_id = k.event_id AND d.timer = k.timer AND d.superseded_by IS NULL) AS found,
            (SELECT json_agg(json_build_array(r.decision_id, r.state))::text FROM r) AS reviews,
            (SELECT json_agg(json_build_array(h.shard, h.seq, h.hash, h.size, h.log_id, h.checkpoint_seq))::text FROM h) AS heads`,
    [items.map((i) => i.key.subject), items.map((i) => i.key.eventId), items.map((i) => i.key.timer), shardList, resolving],
  );
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

  // 3. Decide each item's fate before writing anything.
  const results: Array<CommitResult | undefined> = [];
  const committed: Array<{ index: number; item: PendingCommit }> = [];
  const doneWakeups: Array<{ id: number; by: string }> = [];
  // Event keys whose `error` decision this batch answers again (see migration 0002).
  const superseded = new Map<string, { subject: string; eventId: string; timer: string; by: string }>();
  for (const [index, item] of items.entries()) {
    const k = keyOf(item);
    const first = existing.get(k);
    if (first !== undefined && first.outcome !== "error") {
      results.push({ status: "duplicate", decision: first });
      // A wake-up that fired again (its lease ran out mid-decision) is done: its decision exists.
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
  if (committed.length > 0 || doneWakeups.length > 0) {
    const w = new Writes();
    if (committed.length > 0) gatherCommitted(w, ctx, committed, results, versions, heads, forks);
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
  return results.map((r) => r!);
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

function pushWakeup(list: Array<{ id: number; by: string }>, id: string, by: string): void {
  const row = wakeupRowId(id);
  if (row !== undefined) list.push({ id: row, by });
}

/** Chains each committed item's log entry to its shard's head and adds the rows to write (step 3). */
function gatherCommitted(
  w: Writes,
  ctx: CommitContext,
  committed: ReadonlyArray<{ index: number; item: PendingCommit }>,
  results: Array<CommitResult | undefined>,
  versions: ReadonlyMap<string, number>,
  heads: Map<number, Head>,
  forks: Map<number, LoggedMemory>,
): void {
  const shardOfItem = committed.map(({ item }) => shardOf(item.key.subject, ctx.shards));
  // Chain each entry and gather the rows.
  const now = ctx.clock();
  const log = { shard: [] as number[], seq: [] as number[], hash: [] as string[], line: [] as string[] };
  const dec = {
    id: [] as string[],
    subject: [] as string[],
    event: [] as string[],
    timer: [] as string[],
    json: [] as string[],
    shard: [] as number[],
    seq: [] as number[],
  };
  const hist = {
    subject: [] as string[],
    journey: [] as string[],
    channel: [] as string[],
    purpose: [] as string[],
    at: [] as string[],
    atMs: [] as number[],
    id: [] as string[],
  };
  const wk = {
    subject: [] as string[],
    journey: [] as string[],
    timer: [] as string[],
    due: [] as string[],
    dueMs: [] as number[],
    request: [] as string[],
    by: [] as string[],
  };
  const checkpoints = { shard: [] as number[], seq: [] as number[], json: [] as string[] };
  const rv = {
    id: [] as string[],
    subject: [] as string[],
    journey: [] as string[],
    purpose: [] as string[],
    action: [] as string[],
    at: [] as string[],
    reviewer: [] as Array<string | null>,
    note: [] as Array<string | null>,
  };
  const rs = {
    id: [] as string[],
    state: [] as string[],
    reviewer: [] as string[],
    note: [] as Array<string | null>,
    at: [] as string[],
    by: [] as string[],
  };
  for (const [n, { index, item }] of committed.entries()) {
    const shard = shardOfItem[n]!;
    const head = heads.get(shard)!;
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
    log.shard.push(shard);
    log.seq.push(encoded.seq);
    log.hash.push(encoded.hash);
    log.line.push(encoded.line.endsWith("\n") ? encoded.line.slice(0, -1) : encoded.line);
    if (ctx.checkpointEvery > 0 && head.seq - head.checkpointSeq >= ctx.checkpointEvery) {
      const cp = makeCheckpoint(ctx.signer, { log: head.logId, seq: head.seq, head: head.hash, size: head.size }, new Date(now));
      checkpoints.shard.push(shard);
      checkpoints.seq.push(head.seq);
      checkpoints.json.push(JSON.stringify(cp));
      head.checkpointSeq = head.seq;
    }
    const position: LogPosition = { shard, seq: encoded.seq, hash: encoded.hash };
    results[index] = { status: "committed", position };

    const d = item.decision;
    dec.id.push(d.decision_id);
    dec.subject.push(item.key.subject);
    dec.event.push(item.key.eventId);
    dec.timer.push(item.key.timer);
    dec.json.push(JSON.stringify(d));
    dec.shard.push(shard);
    dec.seq.push(encoded.seq);
    for (const h of item.history ?? []) {
      hist.subject.push(item.key.subject);
      hist.journey.push(h.journey);
      hist.channel.push(h.channel);
      hist.purpose.push(h.purpose);
      const atMs = ms(h.at, "the history entry's `at`");
      hist.at.push(formatDateTime(atMs));
      hist.atMs.push(atMs);
      hist.id.push(h.decision_id);
    }
    for (const w of item.wakeups ?? []) {
      const dueMs = ms(w.due_at, "the wake-up's `due_at`");
      wk.subject.push(w.subject);
      wk.journey.push(w.journey);
      wk.timer.push(w.timer);
      wk.due.push(formatDateTime(dueMs));
      wk.dueMs.push(dueMs);
      wk.request.push(JSON.stringify(w.request));
      wk.by.push(w.scheduled_by);
    }
    if (item.review) {
      const r = item.review;
      rv.id.push(r.decision_id);
      rv.subject.push(r.subject);
      rv.journey.push(r.journey);
      rv.purpose.push(r.purpose);
      rv.action.push(JSON.stringify(r.action));
      rv.at.push(item.entry.at);
      rv.reviewer.push(r.reviewer ?? null);
      rv.note.push(r.note ?? null);
    }
    if (item.resolves) {
      const v = item.resolves;
      rs.id.push(v.decision_id);
      rs.state.push(v.verdict === "approve" ? "approved" : "rejected");
      rs.reviewer.push(v.reviewer);
      rs.note.push(v.note ?? null);
      rs.at.push(item.entry.at);
      rs.by.push(d.decision_id);
    }
  }

  // The rows, as parts of the write statement.
  w.add(
    (p) =>
      `INSERT INTO log_entries (shard, seq, hash, line) SELECT * FROM unnest(${p(log.shard)}::int[], ${p(log.seq)}::bigint[], ${p(log.hash)}::text[], ${p(log.line)}::text[])`,
  );
  w.add(
    (p) => `INSERT INTO decisions (decision_id, subject, event_id, timer, decision, shard, seq, created_ms)
              SELECT d.*, ${p(now)}::bigint FROM unnest(${p(dec.id)}::text[], ${p(dec.subject)}::text[], ${p(dec.event)}::text[], ${p(dec.timer)}::text[],
                                                   ${p(dec.json)}::text[], ${p(dec.shard)}::int[], ${p(dec.seq)}::bigint[]) AS d`,
  );
  if (hist.subject.length > 0) {
    w.add(
      (p) => `INSERT INTO history (subject, journey, channel, purpose, at, at_ms, decision_id)
                SELECT * FROM unnest(${p(hist.subject)}::text[], ${p(hist.journey)}::text[], ${p(hist.channel)}::text[], ${p(hist.purpose)}::text[],
                                     ${p(hist.at)}::text[], ${p(hist.atMs)}::bigint[], ${p(hist.id)}::text[])`,
    );
  }
  if (wk.subject.length > 0) {
    w.add(
      (p) => `INSERT INTO wakeups (subject, journey, timer, due_at, due_ms, request, scheduled_by)
                SELECT * FROM unnest(${p(wk.subject)}::text[], ${p(wk.journey)}::text[], ${p(wk.timer)}::text[], ${p(wk.due)}::text[],
                                     ${p(wk.dueMs)}::bigint[], ${p(wk.request)}::text[], ${p(wk.by)}::text[])`,
    );
  }
  if (rv.id.length > 0) {
    w.add(
      (p) => `INSERT INTO reviews (decision_id, subject, journey, purpose, action, created_at, state, reviewer, note)
                SELECT v.decision_id, v.subject, v.journey, v.purpose, v.action, v.created_at, 'pending', v.reviewer, v.note
                  FROM unnest(${p(rv.id)}::text[], ${p(rv.subject)}::text[], ${p(rv.journey)}::text[], ${p(rv.purpose)}::text[], ${p(rv.action)}::text[],
                              ${p(rv.at)}::text[], ${p(rv.reviewer)}::text[], ${p(rv.note)}::text[])
                    AS v(decision_id, subject, journey, purpose, action, created_at, reviewer, note)`,
    );
  }
  if (rs.id.length > 0) {
    // Each review at most once (a second resolution in the batch was review_closed), none of them inserted above.
    w.add(
      (p) => `UPDATE reviews r SET state = v.state, reviewer = v.reviewer, note = v.note, resolved_at = v.resolved_at, resolution = v.resolution
                FROM unnest(${p(rs.id)}::text[], ${p(rs.state)}::text[], ${p(rs.reviewer)}::text[], ${p(rs.note)}::text[], ${p(rs.at)}::text[],
                            ${p(rs.by)}::text[]) AS v(decision_id, state, reviewer, note, resolved_at, resolution)
               WHERE r.decision_id = v.decision_id`,
    );
  }
  const touched = [...new Set(committed.map(({ item }) => item.key.subject))].sort();
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
                          ${p(hs.map(([, h]) => h.size))}::bigint[], ${p(hs.map(([, h]) => h.logId))}::text[], ${p(hs.map(([, h]) => h.checkpointSeq))}::bigint[])
                AS v(shard, seq, hash, size, log_id, cp)
             WHERE h.shard = v.shard`,
  );
  if (checkpoints.shard.length > 0) {
    w.add(
      (p) =>
        `INSERT INTO log_checkpoints (shard, seq, checkpoint) SELECT * FROM unnest(${p(checkpoints.shard)}::int[], ${p(checkpoints.seq)}::bigint[], ${p(checkpoints.json)}::text[])`,
    );
  }
}
