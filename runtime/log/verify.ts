// Verification of a decision log, read-only and streaming: every line must be a canonical entry
// whose bytes match its hash, numbered 1, 2, 3… and chained to its predecessor's hash. The
// first line that is not names the damage: a changed byte, a removed, reordered or repeated
// entry, an edited hash. Removing entries at the very end leaves a shorter but valid chain:
// anchor the printed head hash elsewhere and check it with `contains`.
import { closeSync, openSync, statSync } from "node:fs";
import { errnoCode } from "./errors.ts";
import { GENESIS, LINE_PREFIX, LOG_SIGNATURE, hashedText, shapeProblem } from "./format.ts";
import { sha256 } from "./hash.ts";
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

export interface VerifyResult {
  /** True when every entry is intact and chained (a torn tail alone does not make it false). */
  readonly ok: boolean;
  /** Intact entries before the first bad line (all of them when ok). */
  readonly entries: number;
  /** The last intact entry: its seq and hash (0 and GENESIS when there is none). */
  readonly head: { readonly seq: number; readonly hash: string };
  readonly firstBad?: BadEntry;
  /** Set when the path is not a decision log at all (missing, a directory, another kind of file). */
  readonly notALog?: string;
  /** Bytes after the last newline that an interrupted write left; the next writer moves them aside. */
  readonly torn?: { readonly line: number; readonly bytes: number };
  /** `contains` was given: whether an intact entry has that hash. */
  readonly containsFound?: boolean;
}

export interface VerifyOptions {
  /** A head hash recorded earlier: verification also fails when no intact entry has it. */
  readonly contains?: string;
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

/** Checks one complete line against the chain so far; returns the problem or the entry's hash. */
function checkLine(text: string, expected: number, prev: string): { problem: string; seq?: number } | { hash: string } {
  const value = parse(text);
  if (value === undefined) return { problem: "not valid JSON (bytes were changed, added or removed)" };
  const shape = shapeProblem(value);
  const claimed = (value as { seq?: unknown }).seq;
  const seq = typeof claimed === "number" && Number.isSafeInteger(claimed) ? claimed : undefined;
  if (shape !== undefined) return { problem: shape, ...(seq === undefined ? {} : { seq }) };
  const e = value as { seq: number; prev: string; hash: string };
  const hashed = hashedText(text, e.hash);
  if (hashed === undefined || sha256(hashed) !== e.hash) {
    return { seq: e.seq, problem: "its contents do not match its hash: the entry (or its hash) was edited" };
  }
  if (e.seq !== expected) return { seq: e.seq, problem: seqProblem(e.seq, expected) };
  if (e.prev !== prev) {
    return {
      seq: e.seq,
      problem: expected === 1 ? "the first entry's prev is not the genesis hash (0…0)" : `its prev is not the hash of entry ${expected - 1}: the chain is broken`,
    };
  }
  return { hash: e.hash };
}

/** Verifies the log at `path`; never throws for a user's file (missing, unreadable, not a log). */
export function verifyLog(path: string, options: VerifyOptions = {}): VerifyResult {
  const empty = { ok: false, entries: 0, head: { seq: 0, hash: GENESIS } } as const;
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
  let entries = 0;
  let head = { seq: 0, hash: GENESIS };
  let firstBad: BadEntry | undefined;
  let torn: VerifyResult["torn"];
  let sawSignature = false;
  let containsFound = false;
  try {
    forEachLine(fd, (line) => {
      if (firstBad) {
        // Only to tell a damaged log from a file that never was one.
        sawSignature ||= line.text.includes(LOG_SIGNATURE);
        return !sawSignature;
      }
      sawSignature ||= line.text.startsWith(LINE_PREFIX) || line.text.includes(LOG_SIGNATURE);
      const expected = head.seq + 1;
      if (!line.terminated) {
        const kind = classifyTail(line.bytes!);
        if (kind === "torn") {
          torn = { line: line.number, bytes: line.bytes!.length };
          return false;
        }
        if (kind === "garbage") {
          const problem = shapeProblem(parse(line.text.slice(0, -1))) === undefined
            ? `the line ends with ${JSON.stringify(line.text.slice(-1))} instead of a newline`
            : "not valid JSON, and not an interrupted write either";
          firstBad = { line: line.number, seq: expected, problem };
          return;
        }
        // Otherwise a complete entry that only lacks its newline: checked like the others.
      }
      const r = checkLine(line.text, expected, head.hash);
      if ("problem" in r) {
        firstBad = { line: line.number, seq: r.seq ?? expected, problem: r.problem };
        return;
      }
      entries++;
      head = { seq: expected, hash: r.hash };
      if (r.hash === options.contains) containsFound = true;
      return;
    });
  } finally {
    closeSync(fd);
  }
  const bad = firstBad as BadEntry | undefined;
  if (bad && bad.line === 1 && !sawSignature) {
    return { ...empty, firstBad: bad, notALog: `${path} is not a Kairos decision log: line 1 is ${bad.problem.startsWith("not") ? bad.problem.replace(/ \(.*\)$/, "") : `not an entry (${bad.problem})`}` };
  }
  const missingAnchor = options.contains !== undefined && !containsFound;
  return {
    ok: bad === undefined && !missingAnchor,
    entries,
    head,
    ...(bad ? { firstBad: bad } : {}),
    ...(torn ? { torn } : {}),
    ...(options.contains !== undefined ? { containsFound } : {}),
  };
}
