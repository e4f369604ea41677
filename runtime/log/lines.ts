// Reading a log's lines without loading the whole file: forward in large chunks (verify,
// lookups) and backward from the end (a writer finding the head). Lines are byte ranges ending
// at a `\n`; bytes after the last `\n` are the tail, which only a crash mid-write leaves.
import { readSync } from "node:fs";

const CHUNK = 1 << 20;
const BACK_CHUNK = 1 << 16;
const NL = 0x0a;

/** One line: its text (without the newline), 1-based number and byte offset. */
export interface Line {
  readonly text: string;
  readonly number: number;
  readonly offset: number;
  /** False only for the tail: bytes after the last newline. */
  readonly terminated: boolean;
  /** Its bytes, for the tail only (which may not be valid UTF-8). */
  readonly bytes?: Buffer;
  /**
   * For a complete line: the buffer that holds its bytes at [`start`, `end`) (newline excluded).
   * Valid only during the visit (the buffer is reused): for byte-level checks without decoding.
   */
  readonly buffer?: Buffer;
  readonly start?: number;
  readonly end?: number;
}

/**
 * Calls `visit` for each line of an open file in order; stops early when it returns false.
 * `from` starts at a byte offset that begins a line, counting lines from `firstNumber`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a visitor without a return statement is typed `void`
export function forEachLine(fd: number, visit: (line: Line) => boolean | void, from = 0, firstNumber = 1): void {
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = from;
  let position = from;
  let number = firstNumber - 1;
  const chunk = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    const n = readSync(fd, chunk, 0, CHUNK, position);
    if (n === 0) break;
    position += n;
    const buf: Buffer = carry.length === 0 ? chunk.subarray(0, n) : Buffer.concat([carry, chunk.subarray(0, n)]);
    const base = carry.length === 0 ? position - n : carryOffset;
    let start = 0;
    for (let nl = buf.indexOf(NL, start); nl >= 0; nl = buf.indexOf(NL, start)) {
      number++;
      if (visit({ text: buf.toString("utf8", start, nl), number, offset: base + start, terminated: true, buffer: buf, start, end: nl }) === false) return;
      start = nl + 1;
    }
    // Copy: `chunk` is reused by the next read.
    carry = Buffer.from(buf.subarray(start));
    carryOffset = base + start;
  }
  if (carry.length > 0) {
    visit({ text: carry.toString("utf8"), number: number + 1, offset: carryOffset, terminated: false, bytes: carry });
  }
}

/** The offset of the last newline strictly before `end`, or -1. */
export function lastNewlineBefore(fd: number, end: number): number {
  const buf = Buffer.allocUnsafe(BACK_CHUNK);
  let hi = end;
  while (hi > 0) {
    const lo = Math.max(0, hi - BACK_CHUNK);
    const n = readSync(fd, buf, 0, hi - lo, lo);
    const at = buf.subarray(0, n).lastIndexOf(NL);
    if (at >= 0) return lo + at;
    hi = lo;
  }
  return -1;
}

/** Reads `length` bytes at `offset`. */
export function readRange(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** The end of a file: its last complete line (if any) and the unterminated tail bytes after it. */
export interface FileEnd {
  readonly last?: { readonly text: string; readonly offset: number };
  /** Offset where the tail starts (= end of the last complete line + 1, or 0). */
  readonly tailOffset: number;
  readonly tail: Buffer;
}

/** Finds the last complete line and the tail of a file of `size` bytes, reading from the end. */
export function readFileEnd(fd: number, size: number): FileEnd {
  const lastNl = lastNewlineBefore(fd, size);
  const tailOffset = lastNl + 1;
  const tail = readRange(fd, tailOffset, size - tailOffset);
  if (lastNl < 0) return { tailOffset, tail };
  const start = lastNewlineBefore(fd, lastNl) + 1;
  return { last: { text: readRange(fd, start, lastNl - start).toString("utf8"), offset: start }, tailOffset, tail };
}
