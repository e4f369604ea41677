// Crash recovery at the end of a log. One append is one write of a whole line, so a crash can
// only leave a *prefix* of the last line (or, after a power loss on some file systems, NUL
// bytes where its data never reached the disk). Such a torn tail is moved to `<log>.torn-<n>`
// and the log truncated back to its last complete entry. Anything else that is wrong is
// corruption, reported and never repaired: that is what `kairos log verify` is for. Repairs are
// planned first and made only when the log they leave ends with an intact entry, so a log that
// is refused is refused untouched.
import { closeSync, constants, fdatasyncSync, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { LogError, errnoCode } from "./errors.ts";
import { GENESIS, LINE_PREFIX, LINE_PREFIX_V1, LOG_SIGNATURE, shapeProblem, type LogFormat } from "./format.ts";
import { entryProblem, type EntryMac } from "./hash.ts";
import { readFileEnd } from "./lines.ts";

/** The head of a log: the last entry's seq and hash (0 and GENESIS when empty). */
export interface Head {
  readonly seq: number;
  readonly hash: string;
  /** File size in bytes after any repair; always at a line boundary. */
  readonly size: number;
  /** The last entry's `key_id`: which key pseudonymized the log so far. */
  readonly keyId?: string;
  /** The last entry's format. */
  readonly format?: LogFormat;
  /** True when the last entry was made under a per-subject key (`subject_key`): the log's mode. */
  readonly subjectKeys?: boolean;
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

const startsLikeEntry = (t: string): boolean =>
  t.startsWith(LINE_PREFIX) || LINE_PREFIX.startsWith(t) || t.startsWith(LINE_PREFIX_V1) || LINE_PREFIX_V1.startsWith(t);

/**
 * True when `text` can be what a crash leaves of a line: NUL bytes only, or a strict prefix of an
 * entry (it starts like one and does not already hold a complete JSON value).
 */
export function looksTorn(text: string): boolean {
  const t = text.replace(/\0+$/, "");
  if (t === "") return true;
  if (t.includes("\0")) return startsLikeEntry(t.slice(0, t.indexOf("\0")));
  if (!startsLikeEntry(t)) return false;
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

/** The error for a file that is not a decision log. */
export function notALog(path: string): LogError {
  return new LogError(
    "log/not-a-log",
    `${path} is not a Kairos decision log (its lines are not \`${LOG_SIGNATURE}…\` entries)`,
    "give a log that Kairos wrote, or a new file name",
  );
}

function corrupt(path: string, what: string): LogError {
  return new LogError("log/corrupt", `${path}: ${what}; the log is not extended until this is looked at`, `run \`kairos log verify ${path}\``);
}

/** One repair to make: bytes from `offset` to the end moved aside, or a newline added. */
type Repair = { kind: "aside"; offset: number; bytes: Buffer; message: (aside: string) => string } | { kind: "newline"; message: string };

/**
 * Brings the end of an open log (held under the lock) to a clean line boundary and returns its
 * head. A torn tail is moved aside (reported through `warn`); an unterminated but complete entry
 * gets its newline; one newline-terminated last line that is a torn write is moved aside too.
 * The last entry left must match its hash (and, given `mac`, its MAC): otherwise nothing is
 * changed and `log/corrupt` is thrown.
 */
export function settleTail(fd: number, path: string, warn: (message: string) => void, mac?: EntryMac): Head {
  const size = fstatSync(fd).size;
  if (size === 0) return { seq: 0, hash: GENESIS, size };
  const end = readFileEnd(fd, size);
  const kind = classifyTail(end.tail);
  if (kind === "garbage") {
    throw end.last === undefined && !end.tail.toString("utf8").includes(LOG_SIGNATURE)
      ? notALog(path)
      : corrupt(path, `the log ends with ${end.tail.length} bytes that are neither an entry nor an interrupted write`);
  }
  const repairs: Repair[] = [];
  // The last complete line once the tail is dealt with, and where the log would end.
  let last: { text: string; offset: number } | undefined = end.last;
  let newSize = size;
  if (kind === "entry") {
    repairs.push({ kind: "newline", message: `${path}: the last entry lacked its final newline (an interrupted write); added it` });
    last = { text: end.tail.toString("utf8"), offset: end.tailOffset };
    newSize = size + 1;
  } else if (kind === "torn") {
    const bytes = end.tail;
    repairs.push({
      kind: "aside",
      offset: end.tailOffset,
      bytes,
      message: (aside) => `${path}: removed a torn last line of ${bytes.length} bytes (an interrupted write), saved to ${aside}`,
    });
    newSize = end.tailOffset;
  } else if (last !== undefined) {
    // No tail: a newline-terminated last line may still be a torn write (its data pages were
    // lost while the newline reached the disk). Only one such line: a second bad line is corruption.
    const entry = parse(last.text);
    if (shapeProblem(entry) !== undefined && entry === undefined && last.text.length > 0 && looksTorn(last.text)) {
      const bytes = Buffer.from(last.text + "\n", "utf8");
      repairs.push({
        kind: "aside",
        offset: last.offset,
        bytes,
        message: (aside) => `${path}: removed an incomplete last line of ${bytes.length} bytes (an interrupted write), saved to ${aside}`,
      });
      newSize = last.offset;
      last = readFileEnd(fd, last.offset).last;
    }
  }
  const head = headOf(path, last, newSize, mac);
  for (const r of repairs) {
    if (r.kind === "newline") {
      writeSync(fd, "\n");
      fdatasyncSync(fd);
      warn(r.message);
    } else {
      const aside = saveAside(path, r.bytes);
      ftruncateSync(fd, r.offset);
      fdatasyncSync(fd);
      warn(r.message(aside));
    }
  }
  return head;
}

/** The head a log ending with `last` has, or the error that forbids extending it. */
function headOf(path: string, last: { text: string; offset: number } | undefined, size: number, mac: EntryMac | undefined): Head {
  if (last === undefined) {
    if (size === 0) return { seq: 0, hash: GENESIS, size };
    throw corrupt(path, "the log has bytes but no complete entry");
  }
  const entry = parse(last.text);
  const problem = shapeProblem(entry);
  if (problem !== undefined) {
    throw last.offset === 0 && !last.text.includes(LOG_SIGNATURE) ? notALog(path) : corrupt(path, `the last line is not a valid entry (${problem})`);
  }
  const e = entry as { $kairos: LogFormat; seq: number; hash: string; mac?: string; ikey_id?: string; key_id?: unknown; subject_key?: unknown };
  if (mac !== undefined && e.ikey_id !== undefined && e.ikey_id !== mac.keyId) {
    throw new LogError(
      "log/key-mismatch",
      `${path} is authenticated with integrity key ${e.ikey_id}, but the integrity key given is ${mac.keyId}`,
      "set KAIROS_LOG_INTEGRITY_KEY to the log's integrity key (or restore its key file), or start a new log",
    );
  }
  const bad = entryProblem(last.text, e, mac);
  if (bad !== undefined) throw corrupt(path, `the last entry (seq ${e.seq}): ${bad}`);
  return {
    seq: e.seq,
    hash: e.hash,
    size,
    format: e.$kairos,
    ...(typeof e.key_id === "string" ? { keyId: e.key_id } : {}),
    ...(typeof e.subject_key === "string" ? { subjectKeys: true } : {}),
  };
}
