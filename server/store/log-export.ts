// The store's decision log out of the store: `exportStoreLog` writes one shard's chain as the
// JSON Lines file the file log writes (plus `<file>.checkpoints` with its signed checkpoints),
// which `kairos log verify FILE` verifies offline with the integrity key; `verifyStoreLog`
// verifies every shard by exactly that path (export to a temporary file, runtime/log's
// verifyLog) and also checks what only the store knows: the head row matches the chain's end,
// and every entry has its decision row and every decision row its entry (nothing half written).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJson } from "../../core/canonical-json.ts";
import { checkpointFileFor, type Checkpoint } from "../../runtime/log/checkpoint.ts";
import { replaceFileFrom } from "../../runtime/log/durable-file.ts";
import { writeSubjectKeysFile } from "../../runtime/log/subject-keyring.ts";
import { verifyLog, type VerifyResult } from "../../runtime/log/verify.ts";
import { StoreError } from "./errors.ts";
import type { ServiceStore } from "./types.ts";

const PAGE = 2000;
/** An entry's top-level `subject_key` member (a nested one could only be inside a string, escaped). */
const SUBJECT_KEY = /"subject_key":"([0-9a-f]{32})"/g;

/** What one shard's verification found. */
export interface ShardVerifyResult {
  readonly shard: number;
  readonly ok: boolean;
  readonly entries: number;
  readonly head: { readonly seq: number; readonly hash: string };
  readonly checkpoints: number;
  /** What is wrong, in words (first problem only); absent when ok. */
  readonly problem?: string;
  /** The file verification's full result. */
  readonly verify: VerifyResult;
}

export interface StoreVerifyResult {
  readonly ok: boolean;
  readonly shards: readonly ShardVerifyResult[];
}

/**
 * Writes shard `shard` of the store's log to `file` (JSON Lines, byte for byte the file log's
 * format) and its checkpoints to `<file>.checkpoints`, up to the head at the time of the call —
 * and, when its entries were made under per-subject keys, the keys of those that still exist to
 * `<file>.subject-keys` (mode 0600; still wrapped under the log key), so that the export replays and
 * answers access requests like a file log (`subjectKeys: false` leaves them out: verification
 * needs none). Returns the head exported.
 */
export async function exportStoreLog(
  store: ServiceStore,
  shard: number,
  file: string,
  options: { readonly subjectKeys?: boolean } = {},
): Promise<{ seq: number; hash: string; checkpoints: number }> {
  if (!Number.isSafeInteger(shard) || shard < 0 || shard >= store.shards) {
    throw new StoreError(
      "store/invalid",
      `the store ${store.location} has no log shard ${shard}`,
      `its shards are 0${store.shards > 1 ? `…${store.shards - 1}` : ""}`,
    );
  }
  const head = (await store.heads()).find((h) => h.shard === shard);
  if (!head) throw new StoreError("store/corrupt", `the store ${store.location} has no head for log shard ${shard}`);
  const keyIds = new Set<string>();
  const withKeys = options.subjectKeys !== false;
  async function* lines(): AsyncIterable<string> {
    for (let from = 1; from <= head!.seq; from += PAGE) {
      const page = await store.logLines(shard, from, Math.min(PAGE, head!.seq - from + 1));
      if (page.length === 0) break;
      if (withKeys) for (const l of page) for (const m of l.matchAll(SUBJECT_KEY)) keyIds.add(m[1]!);
      yield page.map((l) => `${l}\n`).join("");
    }
  }
  await replaceFileFrom(file, lines());
  if (keyIds.size > 0) writeSubjectKeysFile(file, store.keys.key.id, await store.subjectKeysById([...keyIds]));
  const checkpoints: Checkpoint[] = (await store.checkpoints(shard)).filter((c) => c.seq <= head.seq);
  async function* cps(): AsyncIterable<string> {
    for (const c of checkpoints) yield `${canonicalJson(c)}\n`;
  }
  await replaceFileFrom(checkpointFileFor(file), cps());
  return { seq: head.seq, hash: head.hash, checkpoints: checkpoints.length };
}

/** Verifies one shard, or every shard, of the store's log (see the file header). */
export async function verifyStoreLog(store: ServiceStore, options: { readonly shard?: number } = {}): Promise<StoreVerifyResult> {
  const shards = options.shard === undefined ? Array.from({ length: store.shards }, (_, i) => i) : [options.shard];
  const dir = mkdtempSync(join(tmpdir(), "kairos-verify-"));
  try {
    const results: ShardVerifyResult[] = [];
    for (const shard of shards) {
      const file = join(dir, `shard-${shard}.jsonl`);
      const head = await exportStoreLog(store, shard, file, { subjectKeys: false });
      const checkpoints = (await store.checkpoints(shard)).filter((c) => c.seq <= head.seq);
      const r = verifyLog(file, { integrityKey: store.keys.integrityKey, ...(checkpoints.length > 0 ? { checkpoints } : {}) });
      let problem: string | undefined;
      if (r.firstBad) problem = `entry seq ${r.firstBad.seq}: ${r.firstBad.problem}`;
      else if (r.notALog && head.seq > 0) problem = r.notALog;
      else if (r.torn) problem = `entry ${r.torn.line} is cut short`;
      else if (r.checkpoints?.some((c) => c.problem)) problem = r.checkpoints.find((c) => c.problem)!.problem;
      else if (head.seq > 0 && (r.head.seq !== head.seq || r.head.hash !== head.hash)) {
        problem = `the head row says entry ${head.seq} (${head.hash}) but the chain ends at entry ${r.head.seq} (${r.head.hash})`;
      } else if (head.seq > 0 && !r.authenticated) problem = "the entries could not be authenticated with the integrity key";
      if (problem === undefined) {
        const counts = await store.decisionCounts(shard);
        if (counts.decisions !== head.seq) problem = `the shard has ${head.seq} log entries but ${counts.decisions} decision rows`;
        else if (counts.matched !== counts.decisions) problem = `${counts.decisions - counts.matched} decision rows do not point at their own log entry`;
      }
      results.push({
        shard,
        ok: problem === undefined,
        entries: r.entries,
        head: { seq: head.seq, hash: head.hash },
        checkpoints: checkpoints.length,
        ...(problem === undefined ? {} : { problem }),
        verify: r,
      });
    }
    return { ok: results.every((r) => r.ok), shards: results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
