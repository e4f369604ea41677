// Which log chain a subject's decisions go to: shard = first byte of sha256(subject) mod the
// store's shard count (fixed when the store is created). One subject always lands on one shard,
// so its decisions stay in order in one chain; more shards let instances append in parallel.
import { createHash } from "node:crypto";

/** The shard of `subject` among `shards` (1…256). */
export function shardOf(subject: string, shards: number): number {
  if (shards <= 1) return 0;
  return createHash("sha256").update(subject, "utf8").digest()[0]! % shards;
}

/** Checks a shard count given by a user: 1…256 (one byte of the hash picks the shard). */
export function validShards(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1 && n <= 256;
}
