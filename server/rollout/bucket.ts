// Which version decides for a subject during a canary (docs/rollout.md#canary): a bucket
// 0..9999 from sha256("rollout:" + salt + ":" + subject), the candidate deciding when the bucket
// is below percent × 100. Deterministic and stateless, so every instance puts a subject in the
// same arm and a subject sees one version for the whole rollout; a new salt per rollout, so the
// same subjects are not always the first to get a new version. Anyone can recompute a bucket.
import { randomBytes } from "node:crypto";
import { sha256Hex } from "../../core/sha256.ts";

/** Buckets per rollout: a percent with two decimals selects a whole number of them. */
export const BUCKETS = 10_000;

/** The bucket of a subject under a rollout's salt: 0..9999. */
export function bucketOf(salt: string, subject: string): number {
  return Number.parseInt(sha256Hex(`rollout:${salt}:${subject}`).slice(0, 8), 16) % BUCKETS;
}

/** True when a subject in `bucket` is in the canary of `percent` (0 < percent ≤ 100). */
export function inCanary(bucket: number, percent: number): boolean {
  return bucket < Math.round(percent * 100);
}

/** A fresh salt for a new rollout (16 random bytes, hex). */
export function newSalt(): string {
  return randomBytes(16).toString("hex");
}
