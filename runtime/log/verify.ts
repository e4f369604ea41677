// Verification of a decision log, read-only and streaming: every line must be an entry whose
// bytes match its hash, numbered 1, 2, 3… and chained to its predecessor's hash; given the
// integrity key, every decision-log/2 entry's MAC must match too (nobody without the key can
// make one); and every signed checkpoint must still be in the chain (nothing cut off the end,
// nothing rewritten before it). The first line that breaks the log names the damage.
import type { KeyObject } from "node:crypto";
import { closeSync, openSync, statSync } from "node:fs";
import { checkpointSigner, checkSignature, parsePublicKey, type Checkpoint } from "./checkpoint.ts";
import { errnoCode } from "./errors.ts";
import { fastLineCheck } from "./fast-check.ts";
import { GENESIS, LINE_PREFIX, LINE_PREFIX_V1, LOG_FORMAT, LOG_FORMAT_V1, LOG_SIGNATURE, shapeProblem, type LogFormat } from "./format.ts";
import { EntryMac, entryProblem } from "./hash.ts";
import type { LogKey } from "./key.ts";
import { forEachLine } from "./lines.ts";
import { classifyTail } from "./tail.ts";

/** The first line that breaks the log. */
export interface BadEntry {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The seq the line claims, or the one expected there when it has none. */
  readonly seq: number;
  readonly problem: string;
}

/** What one checkpoint says about the log. */
export interface CheckpointCheck {
  readonly seq: number;
  readonly head: string;
  /** When it was signed. */
  readonly at: string;
  /**
   * When retention purged entries before it and signed it again with the log's new size (its
   * `retained_at`); absent when it never was. Its size is not judged (docs/decision-log.md#retention).
   */
  readonly retained_at?: string;
  /** Signed by the trusted key (pinned or derived from the integrity key); false: only self-consistent. */
  readonly trusted: boolean;
  /** Why the log does not match it; absent when it does. */
  readonly problem?: string;
}

export interface VerifyResult {
  /** True when every entry is intact and chained (a torn tail alone does not make it false), and every checkpoint matches. */
  readonly ok: boolean;
  /** Intact entries before the first bad line (all of them when ok). */
  readonly entries: number;
  /** The last intact entry: its seq and hash (0 and GENESIS when there is none). */
  readonly head: { readonly seq: number; readonly hash: string };
  /** The log's format (its first entry's). */
  readonly format?: LogFormat;
  /** The hash of the first entry: the log's identity in checkpoints. */
  readonly log?: string;
  /** True when every entry's MAC was checked under the integrity key (decision-log/2 with a key). */
  readonly authenticated: boolean;
  readonly firstBad?: BadEntry;
  /** Set when the path is not a decision log at all (missing, a directory, another kind of file). */
  readonly notALog?: string;
  /** Bytes after the last newline that an interrupted write left; the next writer moves them aside. */
  readonly torn?: { readonly line: number; readonly bytes: number };
  /** `contains` was given: whether an intact entry has that hash. */
  readonly containsFound?: boolean;
  /** One result per checkpoint given. */
  readonly checkpoints?: readonly CheckpointCheck[];
}

export interface VerifyOptions {
  /** A head hash recorded earlier: verification also fails when no intact entry has it. */
  readonly contains?: string;
  /** The log's integrity key: decision-log/2 entries are authenticated, not only hashed. */
  readonly integrityKey?: LogKey;
  /** Signed checkpoints the log must still contain (from `--checkpoint` and `<log>.checkpoints`). */
  readonly checkpoints?: readonly Checkpoint[];
  /** The key checkpoints must be signed with; default: the one derived from `integrityKey`. */
  readonly publicKey?: KeyObject;
  /** Start at a trusted position (a checkpoint the caller checked) instead of the first line. */
  readonly from?: { readonly offset: number; readonly seq: number; readonly hash: string; readonly log: string; readonly format: LogFormat };
  /**
   * With `from`: what a verification of the lines before it found (verify-parallel.ts checks a
   * prefix itself and resumes here): whether `contains` was seen, and the hash of every
   * checkpointed seq before `from`.
   */
  readonly earlier?: { readonly containsFound: boolean; readonly hashes: ReadonlyMap<number, string> };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function seqProblem(seq: number, expected: number): string {
  if (seq > expected) {
    const missing = seq - expected === 1 ? `entry ${expected} is` : `entries ${expected}–${seq - 1} are`;
    return `seq ${seq} where ${expected} was expected: ${missing} missing, or entries were reordered`;
  }
  return `seq ${seq} where ${expected} was expected: entries were reordered or repeated`;
}

type LineResult = { problem: string; seq?: number } | { hash: string; format: LogFormat };

/** Checks one complete line against the chain so far; returns the problem or the entry's hash. */
function checkLine(text: string, expected: number, prev: string, format: LogFormat | undefined, mac: EntryMac | undefined): LineResult {
  const value = parse(text);
  if (value === undefined) return { problem: "not valid JSON (bytes were changed, added or removed)" };
  const shape = shapeProblem(value);
  const claimed = (value as { seq?: unknown }).seq;
  const seq = typeof claimed === "number" && Number.isSafeInteger(claimed) ? claimed : undefined;
  if (shape !== undefined) return { problem: shape, ...(seq === undefined ? {} : { seq }) };
  const e = value as { $kairos: LogFormat; seq: number; prev: string; hash: string; mac?: string; ikey_id?: string };
  if (format !== undefined && e.$kairos !== format) {
    return { seq: e.seq, problem: `a \`${e.$kairos}\` entry in a \`${format}\` log: Kairos never mixes formats in one log` };
  }
  const bad = entryProblem(text, e, mac);
  if (bad !== undefined) return { seq: e.seq, problem: bad };
  if (e.seq !== expected) return { seq: e.seq, problem: seqProblem(e.seq, expected) };
  if (e.prev !== prev) {
    return {
      seq: e.seq,
      problem:
        expected === 1 ? "the first entry's prev is not the genesis hash (0…0)" : `its prev is not the hash of entry ${expected - 1}: the chain is broken`,
    };
  }
  return { hash: e.hash, format: e.$kairos };
}

/** A buffer reused for the fast path's hashed form, grown to the longest line seen. */
class Scratch {
  private buf = Buffer.allocUnsafe(1 << 16);

  for(length: number): Buffer {
    if (this.buf.length < length) this.buf = Buffer.allocUnsafe(length);
    return this.buf;
  }
}

/** Verifies the log at `path`; never throws for a user's file (missing, unreadable, not a log). */
export function verifyLog(path: string, options: VerifyOptions = {}): VerifyResult {
  const empty = { ok: false, entries: 0, head: { seq: 0, hash: GENESIS }, authenticated: false } as const;
  try {
    if (statSync(path).isDirectory()) return { ...empty, notALog: `${path} is a directory, not a decision log` };
  } catch (e) {
    return { ...empty, notALog: errnoCode(e) === "ENOENT" ? `${path} does not exist` : `cannot read ${path}: ${(e as Error).message}` };
  }
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    return { ...empty, notALog: `cannot read ${path}: ${(e as Error).message}` };
  }
  const mac = options.integrityKey ? new EntryMac(options.integrityKey) : undefined;
  const scratch = new Scratch();
  const from = options.from;
  let entries = from?.seq ?? 0;
  let head = from ? { seq: from.seq, hash: from.hash } : { seq: 0, hash: GENESIS };
  let format: LogFormat | undefined = from?.format;
  let logId: string | undefined = from?.log;
  let firstBad: BadEntry | undefined;
  let torn: VerifyResult["torn"];
  let sawSignature = from !== undefined;
  let containsFound = options.earlier?.containsFound ?? false;
  // The hash of every checkpointed seq, as the log has it.
  const wanted = new Map<number, string | undefined>((options.checkpoints ?? []).map((c) => [c.seq, options.earlier?.hashes.get(c.seq)]));
  try {
    forEachLine(
      fd,
      (line) => {
        if (firstBad) {
          // Only to tell a damaged log from a file that never was one.
          sawSignature ||= line.text.includes(LOG_SIGNATURE);
          return !sawSignature;
        }
        sawSignature ||= line.text.startsWith(LINE_PREFIX) || line.text.startsWith(LINE_PREFIX_V1) || line.text.includes(LOG_SIGNATURE);
        const expected = head.seq + 1;
        if (!line.terminated) {
          const kind = classifyTail(line.bytes!);
          if (kind === "torn") {
            torn = { line: line.number, bytes: line.bytes!.length };
            return false;
          }
          if (kind === "garbage") {
            const problem =
              shapeProblem(parse(line.text.slice(0, -1))) === undefined
                ? `the line ends with ${JSON.stringify(line.text.slice(-1))} instead of a newline`
                : "not valid JSON, and not an interrupted write either";
            firstBad = { line: line.number, seq: expected, problem };
            return;
          }
          // Otherwise a complete entry that only lacks its newline: checked like the others.
        }
        // The fast path (fast-check.ts) vouches for most lines without JSON.parse; anything it
        // does not vouch for gets the full check, which names the problem.
        const fast =
          mac !== undefined && line.buffer !== undefined && format !== LOG_FORMAT_V1
            ? fastLineCheck(line.buffer, line.start!, line.end!, mac, scratch.for(line.end! - line.start!))
            : undefined;
        const r: LineResult =
          fast !== undefined && fast.seq === expected && fast.prev === head.hash
            ? { hash: fast.hash, format: LOG_FORMAT }
            : checkLine(line.text, expected, head.hash, format, mac);
        if ("problem" in r) {
          firstBad = { line: line.number, seq: r.seq ?? expected, problem: r.problem };
          return;
        }
        format ??= r.format;
        logId ??= r.hash;
        entries++;
        head = { seq: expected, hash: r.hash };
        if (r.hash === options.contains) containsFound = true;
        if (wanted.has(expected)) wanted.set(expected, r.hash);
        return;
      },
      from?.offset ?? 0,
      (from?.seq ?? 0) + 1,
    );
  } finally {
    closeSync(fd);
  }
  const bad = firstBad as BadEntry | undefined;
  if (bad && bad.line === 1 && !sawSignature) {
    return {
      ...empty,
      firstBad: bad,
      notALog: `${path} is not a Kairos decision log: line 1 is ${bad.problem.startsWith("not") ? bad.problem.replace(/ \(.*\)$/, "") : `not an entry (${bad.problem})`}`,
    };
  }
  const trustedKey = options.publicKey ?? (options.integrityKey ? parsePublicKey(checkpointSigner(options.integrityKey).publicKey) : undefined);
  const checkpoints = (options.checkpoints ?? []).map((cp) => checkCheckpoint(cp, logId, entries, wanted.get(cp.seq), trustedKey));
  const missingAnchor = options.contains !== undefined && !containsFound;
  const authenticated = mac !== undefined && format !== undefined && format !== LOG_FORMAT_V1 && bad === undefined;
  return {
    ok: bad === undefined && !missingAnchor && checkpoints.every((c) => c.problem === undefined),
    entries,
    head,
    authenticated,
    ...(format ? { format } : {}),
    ...(logId ? { log: logId } : {}),
    ...(bad ? { firstBad: bad } : {}),
    ...(torn ? { torn } : {}),
    ...(options.contains !== undefined ? { containsFound } : {}),
    ...(options.checkpoints !== undefined ? { checkpoints } : {}),
  };
}

/** Compares one checkpoint with what the log holds. */
function checkCheckpoint(
  cp: Checkpoint,
  logId: string | undefined,
  entries: number,
  hashThere: string | undefined,
  trustedKey: KeyObject | undefined,
): CheckpointCheck {
  const base = { seq: cp.seq, head: cp.head, at: cp.at, ...(typeof cp.retained_at === "string" ? { retained_at: cp.retained_at } : {}) };
  const sig = checkSignature(cp, trustedKey);
  const result = (problem?: string): CheckpointCheck => ({ ...base, trusted: sig.trusted && sig.ok, ...(problem === undefined ? {} : { problem }) });
  if (!sig.ok) {
    return result(
      sig.trusted
        ? `the checkpoint of entry ${cp.seq} is not signed by the log's key (forged, altered, or from another log)`
        : `the checkpoint of entry ${cp.seq} was altered after it was signed`,
    );
  }
  if (logId !== undefined && cp.log !== logId && cp.seq > 0)
    return result(`the checkpoint of entry ${cp.seq} belongs to another log (first entry ${cp.log.slice(0, 12)}…)`);
  if (cp.seq > entries) {
    return result(`entries were removed: a checkpoint signed at ${cp.at} covers ${cp.seq} entries, but the log has ${entries} intact`);
  }
  if (cp.seq > 0 && hashThere !== cp.head) {
    return result(`entry ${cp.seq} is not the one signed at ${cp.at} (hash ${cp.head.slice(0, 12)}…): the log was rewritten up to there`);
  }
  return result();
}
