// Retention of a file decision log (`kairos log retain`, docs/decision-log.md#retention): every
// entry past its retention (retain-policy.ts) has its `context` and `sealed` replaced by their
// digests (retain-line.ts), which leaves its hash, MAC and the chain as they were. The log is
// rewritten whole — a temporary file beside it, synced, renamed over it, the directory synced —
// under the log's lock, and only after it verified with the integrity key, so a crash leaves
// either the old log or the new one and a damaged log is never rewritten. The checkpoints the
// log's key signed get the log's new size (re-signed, `retained_at`), so a writer opening the
// log still resumes verification from its last checkpoint. Running it again purges nothing new.
import { closeSync, constants, fchmodSync, fdatasyncSync, fstatSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import {
  checkpointFileFor,
  checkpointSigner,
  checkSignature,
  parsePublicKey,
  readCheckpoints,
  replaceCheckpoints,
  resizeCheckpoint,
  type Checkpoint,
} from "./checkpoint.ts";
import { syncDirectory } from "./durable-file.ts";
import { errnoCode, LogError } from "./errors.ts";
import { LOG_FORMAT_V1 } from "./format.ts";
import type { LogKey } from "./key.ts";
import { forEachLine } from "./lines.ts";
import { FileLock, type LockOptions } from "./lock.ts";
import { retainLine } from "./retain-line.ts";
import { classifyTail } from "./tail.ts";
import type { RetentionPolicy } from "./retain-policy.ts";
import { verifyLogParallel } from "./verify-parallel.ts";

export interface RetainOptions {
  readonly policy: RetentionPolicy;
  /** The time retention is judged at (epoch ms): an entry is purged when its due time is at or before it. */
  readonly now: number;
  /** The log's integrity key: the log is verified (authenticated) before anything is rewritten, and checkpoints are re-signed with it. */
  readonly integrityKey: LogKey;
  /** Count what would be purged; write nothing. */
  readonly dryRun?: boolean;
  readonly lock?: LockOptions;
  /** The wall clock for `retained_at` (tests). */
  readonly clock?: () => Date;
}

/** What a retention run did (or, dry, would do). */
export interface RetainResult {
  /** Entries in the log. */
  readonly entries: number;
  /** Entries whose context and seal this run replaced by their digests. */
  readonly purged: number;
  /** Entries purged before (by an earlier run or an erasure). */
  readonly alreadyPurged: number;
  /** Entries within their retention. */
  readonly kept: number;
  /** Entries nothing limits (no field of their context has a retention, and no default was given). */
  readonly unlimited: number;
  /** Purged entries by the rule that made them due (`customer.email`, `default`). */
  readonly bySource: Readonly<Record<string, number>>;
  /** The earliest time a kept entry becomes due (ISO 8601), if any is kept. */
  readonly nextDue?: string;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Checkpoints signed again with the log's new size. */
  readonly checkpointsResigned: number;
  readonly dryRun: boolean;
}

/** Buffered writes to a file descriptor (the rewritten log), in blocks of about 1 MiB. */
class Output {
  private parts: string[] = [];
  private pending = 0;
  private readonly fd: number | undefined;

  constructor(fd: number | undefined) {
    this.fd = fd;
  }

  /** Bytes as they are (a torn tail need not be UTF-8). */
  raw(bytes: Buffer): void {
    if (this.fd === undefined) return;
    this.flush();
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }

  write(text: string): void {
    if (this.fd === undefined) return;
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.parts.length === 0) return;
    const bytes = Buffer.from(this.parts.join(""), "utf8");
    this.parts = [];
    this.pending = 0;
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }
}

/**
 * A writer in another process that appends with `shared: true` keeps its file open between
 * appends, and after the rename that descriptor is the old file, which no name reaches any more:
 * its next append would be lost without a word. So the old file, once nothing but open
 * descriptors holds it (no other hard link: never a backup someone made with `ln`), gets one
 * last line that is not an entry — and that writer's next append fails (`log/corrupt`, naming
 * this line) instead of vanishing; reopening the log goes on with the new file.
 */
function markReplaced(fd: number): void {
  try {
    if (fstatSync(fd).nlink !== 0) return;
    const note = { $kairos: "decision-log/replaced", by: "kairos log retain", note: "this file was replaced by a copy with purged values: reopen the log" };
    writeSync(fd, `${JSON.stringify(note)}\n`);
  } catch {
    // Best effort: the new log is in place whatever happens to the old file.
  }
}

/** The verified log, or the LogError that says why it is not rewritten. */
async function verified(path: string, key: LogKey, checkpoints: readonly Checkpoint[]): Promise<{ log?: string; entries: number }> {
  const r = await verifyLogParallel(path, { integrityKey: key, ...(checkpoints.length > 0 ? { checkpoints } : {}) });
  if (r.notALog) throw new LogError("log/not-a-log", r.notALog, "give a decision log that Kairos wrote");
  if (r.format === LOG_FORMAT_V1) {
    throw new LogError(
      "log/old-format",
      `${path} is a \`${LOG_FORMAT_V1}\` log: its hashes cover the context in clear, so no value can be purged without breaking the chain`,
      "keep it as it is, or delete it whole when its retention has passed",
    );
  }
  if (!r.ok) {
    const b = r.firstBad;
    const what = b
      ? `${path}:${b.line}: entry seq ${b.seq}: ${b.problem}`
      : `${path}: ${r.checkpoints?.find((c) => c.problem)?.problem ?? "the log does not verify"}`;
    throw new LogError("log/corrupt", `${what}; retention rewrites only a log that verifies, so nothing was changed`, `run \`kairos log verify ${path}\``);
  }
  return { ...(r.log === undefined ? {} : { log: r.log }), entries: r.entries };
}

/**
 * Purges the context and seal of every entry of the log at `path` past its retention at
 * `options.now` (see the file header). Throws a LogError — and changes nothing — for a missing
 * file or one that is not a log, a decision-log/1 log, a log that does not verify, or a held lock.
 */
export async function retainLog(path: string, options: RetainOptions): Promise<RetainResult> {
  const lock = FileLock.acquire(`${path}.lock`, options.lock);
  try {
    let mode: number;
    try {
      const st = statSync(path);
      if (st.isDirectory()) throw new LogError("log/not-a-log", `${path} is a directory, not a decision log`, "give the log file");
      mode = st.mode & 0o777;
    } catch (e) {
      if (e instanceof LogError) throw e;
      throw new LogError("log/not-a-log", errnoCode(e) === "ENOENT" ? `${path} does not exist` : `cannot read ${path}: ${(e as Error).message}`);
    }
    const cpFile = checkpointFileFor(path);
    const checkpoints = readCheckpoints(cpFile);
    const { log: logId } = await verified(path, options.integrityKey, checkpoints);
    const dryRun = options.dryRun === true;
    const tmp = `${path}.retain-tmp`;
    const fd = dryRun ? undefined : openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    const out = new Output(fd);
    const wanted = new Set(checkpoints.map((c) => c.seq));
    const newEnds = new Map<number, number>();
    const bySource: Record<string, number> = {};
    let entries = 0;
    let purged = 0;
    let alreadyPurged = 0;
    let kept = 0;
    let unlimited = 0;
    let nextDue: number | undefined;
    let bytesBefore = 0;
    let bytesAfter = 0;
    let renamed = false;
    try {
      const input = openSync(path, "r");
      try {
        forEachLine(input, (line) => {
          if (!line.terminated && line.bytes !== undefined && classifyTail(line.bytes) !== "entry") {
            // A torn tail (an interrupted write; verification allows nothing else here): kept
            // byte for byte, for the next writer to move aside as it would have.
            out.raw(line.bytes);
            bytesBefore += line.bytes.length;
            bytesAfter += line.bytes.length;
            return;
          }
          const nl = line.terminated ? "\n" : "";
          const size = Buffer.byteLength(line.text) + nl.length;
          bytesBefore += size;
          entries++;
          const v = retainLine(line.text, options.policy, options.now);
          let text = line.text;
          if (v.kind === "purged") {
            purged++;
            bySource[v.due.source] = (bySource[v.due.source] ?? 0) + 1;
            text = v.line;
          } else if (v.kind === "already") alreadyPurged++;
          else if (v.kind === "unlimited") unlimited++;
          else {
            kept++;
            if (nextDue === undefined || v.due.dueMs < nextDue) nextDue = v.due.dueMs;
          }
          out.write(text + nl);
          bytesAfter += size - (v.kind === "purged" ? v.removed : 0);
          if (wanted.has(entries)) newEnds.set(entries, bytesAfter);
        });
      } finally {
        closeSync(input);
      }
      if (fd !== undefined && purged > 0) {
        out.flush();
        fdatasyncSync(fd);
        fchmodSync(fd, mode);
        closeSync(fd);
        const replaced = openSync(path, constants.O_WRONLY | constants.O_APPEND);
        try {
          renameSync(tmp, path);
          renamed = true;
          syncDirectory(path);
          markReplaced(replaced);
        } finally {
          closeSync(replaced);
        }
      }
    } finally {
      if (fd !== undefined && !renamed) {
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
        rmSync(tmp, { force: true });
      }
    }
    const resized = purged > 0 ? resizedCheckpoints(checkpoints, logId, newEnds, options) : [];
    const checkpointsResigned = resized.filter((c, i) => c !== checkpoints[i]).length;
    if (!dryRun && checkpointsResigned > 0) replaceCheckpoints(cpFile, resized);
    return {
      entries,
      purged,
      alreadyPurged,
      kept,
      unlimited,
      bySource,
      ...(nextDue === undefined ? {} : { nextDue: new Date(nextDue).toISOString() }),
      bytesBefore,
      bytesAfter: dryRun || purged > 0 ? bytesAfter : bytesBefore,
      checkpointsResigned,
      dryRun,
    };
  } finally {
    lock.release();
  }
}

/**
 * The checkpoints with the log's new sizes: each one this log's key signed whose entry now ends
 * elsewhere is signed again (resizeCheckpoint); the others stay as they are (another key's: not
 * ours to sign; another log's: not about these bytes).
 */
function resizedCheckpoints(
  checkpoints: readonly Checkpoint[],
  logId: string | undefined,
  newEnds: ReadonlyMap<number, number>,
  options: RetainOptions,
): Checkpoint[] {
  const signer = checkpointSigner(options.integrityKey);
  const trusted = parsePublicKey(signer.publicKey);
  const at = (options.clock ?? (() => new Date()))();
  return checkpoints.map((cp) => {
    const size = newEnds.get(cp.seq);
    if (size === undefined || size === cp.size || cp.log !== logId || !checkSignature(cp, trusted).ok) return cp;
    return resizeCheckpoint(signer, cp, size, at);
  });
}
