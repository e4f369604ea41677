// Retention on the PostgreSQL-dialect store (PGlite and PostgreSQL): each batch of retain.ts in
// one transaction that first locks the shard's head row FOR UPDATE — so commits of that shard,
// and another instance's retention, wait for it (a batch is a few hundred rows: milliseconds) —
// then reads the cursor and the rows after it, and writes the purged lines, their decision rows,
// the head's new size, the re-signed checkpoints and the cursor. What to purge is retain.ts's.
import type { CheckpointSigner } from "../../runtime/log/checkpoint.ts";
import type { Checkpoint } from "../../runtime/log/checkpoint.ts";
import { policyFingerprint, type RetentionPolicy } from "../../runtime/log/retain-policy.ts";
import { num, type Db } from "./db.ts";
import { StoreError } from "./errors.ts";
import { cursorKey, planBatch, readCursor, resizedStoreCheckpoints, runRetention, type StoreRetainOptions, type StoreRetainResult } from "./retain.ts";

/** What a retention run needs from the store that runs it. */
export interface RetainContext {
  readonly shards: number;
  readonly signer: CheckpointSigner;
  readonly location: string;
}

/** Runs retention on a PGlite or PostgreSQL store (Store.retainLog). */
export function retainSql(db: Db, ctx: RetainContext, policy: RetentionPolicy, options: StoreRetainOptions): Promise<StoreRetainResult> {
  const fingerprint = policyFingerprint(policy);
  const limit = Math.max(1, options.batch ?? 500);
  const at = (options.clock ?? (() => new Date()))();
  return runRetention(ctx.shards, options, (shard, override) =>
    db.transaction(async (tx) => {
      const head = await tx.query<{ size: unknown }>("SELECT size FROM log_heads WHERE shard = $1 FOR UPDATE", [shard]);
      if (head[0] === undefined) {
        throw new StoreError("store/corrupt", `the store ${ctx.location} has no head for log shard ${shard}`, "run `kairos log verify --store …`");
      }
      const stored = override ? [] : await tx.query<{ value: string }>("SELECT value FROM log_meta WHERE key = $1", [cursorKey(shard)]);
      const cursor = override ?? readCursor(stored[0]?.value, fingerprint);
      const rows = await tx.query<{ seq: unknown; line: string }>("SELECT seq, line FROM log_entries WHERE shard = $1 AND seq >= $2 ORDER BY seq LIMIT $3", [
        shard,
        cursor.next,
        limit,
      ]);
      const plan = planBatch({ rows: rows.map((r) => ({ seq: num(r.seq), line: r.line })), cursor, policy, now: options.now, limit });
      let resized: Array<{ seq: number; json: string }> = [];
      if (plan.updates.length > 0) {
        const cps = await tx.query<{ seq: unknown; checkpoint: string }>(
          "SELECT seq, checkpoint FROM log_checkpoints WHERE shard = $1 AND seq >= $2 ORDER BY seq",
          [shard, plan.updates[0]!.seq],
        );
        resized = resizedStoreCheckpoints(
          cps.map((c) => ({ seq: num(c.seq), checkpoint: JSON.parse(c.checkpoint) as Checkpoint })),
          plan.updates,
          ctx.signer,
          at,
        );
      }
      if (options.dryRun) return { ...plan, checkpointsResigned: resized.length };
      if (plan.updates.length > 0) {
        await tx.query(
          `UPDATE log_entries e SET line = v.line FROM unnest($2::bigint[], $3::text[]) AS v(seq, line)
            WHERE e.shard = $1 AND e.seq = v.seq`,
          [shard, plan.updates.map((u) => u.seq), plan.updates.map((u) => u.line)],
        );
        await tx.query("UPDATE log_heads SET size = size - $2 WHERE shard = $1", [shard, plan.removed]);
        await tx.query(
          `UPDATE decisions d SET decision = v.decision FROM unnest($2::bigint[], $3::text[]) AS v(seq, decision)
            WHERE d.shard = $1 AND d.seq = v.seq`,
          [shard, plan.updates.map((u) => u.seq), plan.updates.map((u) => u.decision)],
        );
      }
      if (resized.length > 0) {
        await tx.query(
          `UPDATE log_checkpoints c SET checkpoint = v.checkpoint FROM unnest($2::bigint[], $3::text[]) AS v(seq, checkpoint)
            WHERE c.shard = $1 AND c.seq = v.seq`,
          [shard, resized.map((c) => c.seq), resized.map((c) => c.json)],
        );
      }
      const cursorText = JSON.stringify(plan.cursor);
      if (cursorText !== stored[0]?.value) {
        await tx.query("INSERT INTO log_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [
          cursorKey(shard),
          cursorText,
        ]);
      }
      return { ...plan, checkpointsResigned: resized.length };
    }),
  );
}
