// Crash recovery at the end of a log. One append is one write of a whole line, so a crash can
// only leave a *prefix* of the last line (or, after a power loss on some file systems, NUL
// bytes where its data never reached the disk). Such a torn tail is moved to `<log>.torn-<n>`
// and the log truncated back to its last complete entry. Anything else that is wrong is
// corruption, reported and never repaired: that is what `kairos log verify` is for.
import { closeSync, constants, fdatasyncSync, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { LogError, errnoCode } from "./errors.ts";
import { GENESIS, LINE_PREFIX, LOG_SIGNATURE, hashedText, shapeProblem } from "./format.ts";
import { sha256 } from "./hash.ts";
import { readFileEnd } from "./lines.ts";

/** The head of a log: the last entry's seq and hash (0 and GENESIS when empty). */
export interface Head {
  readonly seq: number;
  readonly hash: string;
  /** File size in bytes after any repair; always at a line boundary. */
  readonly size: number;
  /** The last entry's `key_id`: which key pseudonymized the log so far. */
  readonly keyId?: string;
}

/** What bytes after the last newline are. */
export type TailKind = "none" | "entry" | "torn" | "garbage";

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * True when `text` can be what a crash leaves of a line: NUL bytes only, or a strict prefix of an
 * entry (it starts like one and does not already hold a complete JSON value).
 */
export function looksTorn(text: string): boolean {
  const t = text.replace(/\0+$/, "");
  if (t === "") return true;
  if (t.includes("\0")) return t.startsWith(LINE_PREFIX) || LINE_PREFIX.startsWith(t.slice(0, t.indexOf("\0")));
  if (!(t.startsWith(LINE_PREFIX) || LINE_PREFIX.startsWith(t))) return false;
  // `{…complete…}x`: the newline of a complete line was overwritten — not a torn write.
  return parse(t) === undefined && parse(t.slice(0, -1)) === undefined;
}

/** Classifies the unterminated tail of a log. */
export function classifyTail(tail: Buffer): TailKind {
  if (tail.length === 0) return "none";
  const text = tail.toString("utf8");
  // Entries end with `}`: `{…} ` parses but is a complete line whose newline was overwritten.
  if (text.endsWith("}") && shapeProblem(parse(text)) === undefined) return "entry";
  return looksTorn(text) ? "torn" : "garbage";
}

/** Saves bytes to the first free `<log>.torn-<n>` and returns its path. */
function saveAside(path: string, bytes: Buffer): string {
  for (let n = 1; ; n++) {
    const aside = `${path}.torn-${n}`;
    let fd: number;
    try {
      fd = openSync(aside, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (e) {
      if (errnoCode(e) === "EEXIST") continue;
      throw e;
    }
    try {
      writeSync(fd, bytes);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return aside;
  }
}

function notALog(path: string): LogError {
  return new LogError("log/not-a-log", `${path} is not a Kairos decision log (its lines are not \`${LOG_SIGNATURE}…\` entries)`, "give a log that `kairos decide --log` or `serve` wrote, or a new file name");
}

function corrupt(path: string, what: string): LogError {
  return new LogError("log/corrupt", `${path}: ${what}; the log is not extended until this is looked at`, `run \`kairos log verify ${path}\``);
}

/**
 * Brings the end of an open log (held under the lock) to a clean line boundary and returns its
 * head. A torn tail is moved aside (reported through `warn`); an unterminated but complete entry
 * gets its newline; a newline-terminated last line that is a torn write is moved aside too.
 */
export function settleTail(fd: number, path: string, warn: (message: string) => void, repairLastLine = true): Head {
  let size = fstatSync(fd).size;
  if (size === 0) return { seq: 0, hash: GENESIS, size };
  let end = readFileEnd(fd, size);
  const kind = classifyTail(end.tail);
  if (kind === "garbage") {
    throw end.last === undefined && !end.tail.toString("utf8").includes(LOG_SIGNATURE)
      ? notALog(path)
      : corrupt(path, `the log ends with ${end.tail.length} bytes that are neither an entry nor an interrupted write`);
  }
  // After a repair of the tail, a bad line before it is in the middle: corruption.
  if (kind !== "none") repairLastLine = false;
  if (kind === "entry") {
    writeSync(fd, "\n");
    fdatasyncSync(fd);
    warn(`${path}: the last entry lacked its final newline (an interrupted write); added it`);
    size += 1;
    end = readFileEnd(fd, size);
  } else if (kind === "torn") {
    const aside = saveAside(path, end.tail);
    ftruncateSync(fd, end.tailOffset);
    fdatasyncSync(fd);
    warn(`${path}: removed a torn last line of ${end.tail.length} bytes (an interrupted write), saved to ${aside}`);
    size = end.tailOffset;
    end = readFileEnd(fd, size);
  }
  const last = end.last;
  if (last === undefined) return { seq: 0, hash: GENESIS, size };
  const entry = parse(last.text);
  const problem = shapeProblem(entry);
  if (problem !== undefined) {
    if (repairLastLine && entry === undefined && looksTorn(last.text) && last.text.length > 0) {
      // A newline-terminated line that is still a torn write (its data pages were lost).
      const aside = saveAside(path, Buffer.from(last.text + "\n", "utf8"));
      ftruncateSync(fd, last.offset);
      fdatasyncSync(fd);
      warn(`${path}: removed an incomplete last line of ${last.text.length + 1} bytes (an interrupted write), saved to ${aside}`);
      // Only one such line: a second bad line before it is corruption, not a crash.
      return settleTail(fd, path, warn, false);
    }
    throw last.offset === 0 && !last.text.includes(LOG_SIGNATURE) ? notALog(path) : corrupt(path, `the last line is not a valid entry (${problem})`);
  }
  const e = entry as { seq: number; hash: string; key_id?: unknown };
  if (hashedText(last.text, e.hash) === undefined || sha256(hashedText(last.text, e.hash)!) !== e.hash) {
    throw corrupt(path, `the last entry (seq ${e.seq}) does not match its hash`);
  }
  return { seq: e.seq, hash: e.hash, size, ...(typeof e.key_id === "string" ? { keyId: e.key_id } : {}) };
}
