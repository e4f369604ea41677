// Retention on the SQLite store: each batch of retain.ts in one write transaction (BEGIN
// IMMEDIATE holds the database's write lock, what PostgreSQL's row lock on the shard head is
// for), reading the cursor and the rows after it and writing the purged lines, their decision
// rows, the head's new size, the re-signed checkpoints and the cursor. The caller waits for the WAL's sync after each
// batch (sqlite-store.ts), like a commit. What to purge is retain.ts's.
import type { Checkpoint } from "../../runtime/log/checkpoint.ts";
import { policyFingerprint, type RetentionPolicy } from "../../runtime/log/retain-policy.ts";
import { StoreError } from "./errors.ts";
import { cursorKey, planBatch, readCursor, resizedStoreCheckpoints, runRetention, type StoreRetainOptions, type StoreRetainResult } from "./retain.ts";
import type { RetainContext } from "./retain-sql.ts";
import type { SqliteDb } from "./sqlite-db.ts";

const SQL = {
  head: "SELECT size FROM log_heads WHERE shard = ?",
  cursor: "SELECT value FROM log_meta WHERE key = ?",
  rows: "SELECT seq, line FROM log_entries WHERE shard = ? AND seq >= ? ORDER BY seq LIMIT ?",
  checkpoints: "SELECT seq, checkpoint FROM log_checkpoints WHERE shard = ? AND seq >= ? ORDER BY seq",
  line: "UPDATE log_entries SET line = ? WHERE shard = ? AND seq = ?",
  decision: "UPDATE decisions SET decision = ? WHERE shard = ? AND seq = ?",
  size: "UPDATE log_heads SET size = size - ? WHERE shard = ?",
  checkpoint: "UPDATE log_checkpoints SET checkpoint = ? WHERE shard = ? AND seq = ?",
  setCursor: "INSERT INTO log_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
} as const;

/** Runs retention on a SQLite store; `durable` waits for a batch's sync. */
export function retainSqlite(
  db: SqliteDb,
  ctx: RetainContext,
  policy: RetentionPolicy,
  options: StoreRetainOptions,
  durable: () => Promise<void>,
): Promise<StoreRetainResult> {
  const fingerprint = policyFingerprint(policy);
  const limit = Math.max(1, options.batch ?? 500);
  const at = (options.clock ?? (() => new Date()))();
  return runRetention(ctx.shards, options, async (shard, override) => {
    const plan = db.transaction(() => {
      if (db.get(SQL.head, shard) === undefined) {
        throw new StoreError("store/corrupt", `the store ${ctx.location} has no head for log shard ${shard}`, "run `kairos log verify --store …`");
      }
      const stored = override ? undefined : db.get<{ value: string }>(SQL.cursor, cursorKey(shard))?.value;
      const cursor = override ?? readCursor(stored, fingerprint);
      const rows = db.all<{ seq: number; line: string }>(SQL.rows, shard, cursor.next, limit);
      const p = planBatch({ rows: rows.map((r) => ({ seq: Number(r.seq), line: r.line })), cursor, policy, now: options.now, limit });
      const resized =
        p.updates.length === 0
          ? []
          : resizedStoreCheckpoints(
              db
                .all<{ seq: number; checkpoint: string }>(SQL.checkpoints, shard, p.updates[0]!.seq)
                .map((c) => ({ seq: Number(c.seq), checkpoint: JSON.parse(c.checkpoint) as Checkpoint })),
              p.updates,
              ctx.signer,
              at,
            );
      if (!options.dryRun) {
        for (const u of p.updates) {
          db.run(SQL.line, u.line, shard, u.seq);
          db.run(SQL.decision, u.decision, shard, u.seq);
        }
        if (p.removed > 0) db.run(SQL.size, p.removed, shard);
        for (const c of resized) db.run(SQL.checkpoint, c.json, shard, c.seq);
        const cursorText = JSON.stringify(p.cursor);
        if (cursorText !== stored) db.run(SQL.setCursor, cursorKey(shard), cursorText);
      }
      return { ...p, checkpointsResigned: resized.length };
    });
    if (!options.dryRun) await durable();
    return plan;
  });
}
