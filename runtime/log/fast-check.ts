// The fast path of verification (issue 13): one decision-log/2 line checked against its own hash
// and MAC without JSON.parse, and without reading most of it. The line is canonical JSON that a
// writer made, so its top-level members come in key order:
//   $kairos, …, consents, context, decision_id, evaluations, …, hash, ikey_id, …, mac, …, prev, …, sealed, seq, …
// The check reads members forward from the start up to `context`, and backward from the end
// down to the member before `hash`; the bytes between (`decision_id`, `evaluations`: most of a
// line) are hashed but never scanned. From what it read it derives the hashed form exactly as
// hash.ts's `hashedText` does, and reads `seq` and `prev` for the chain check. Anything it does
// not expect (another format, members out of order, an escape in a key, a hash or MAC that does
// not match, a value not in the writer's form) is not judged here: the caller falls back to the
// slow path (JSON.parse, shapeProblem, entryProblem), which gives the precise verdict and message.
//
// Why "fast says intact" implies "the slow path says intact". The fast path accepts a line only
// when the sha256 of the hashed form H it derived is the line's `hash` and the MAC of that hash
// under the integrity key is the line's `mac`. Only the key holder (a writer) makes MACs, and a
// writer MACs only hashes of the hashed form of lines it checked against the readers'
// derivation (serializeEntry); so H is the hashed form of a line W that a writer wrote (sha256
// collisions aside), and H is valid JSON. Every byte of the checked line L is either copied into
// H verbatim, or is the `hash` or `mac` member, or is a committed member's value, whose sha256 is
// the digest H holds in its place (so it is W's value). What is left to show is that the
// members were found where W has them:
// - Forward from the start, L and H agree up to the end of `context`'s value, so the forward
//   scan reads H's top-level members, as any scan of valid JSON from its start does.
// - Backward from the end, L is H's tail with `hash` and `mac` (each a whole, balanced member)
//   inserted and `sealed` expanded. JSON can be read backward (a quote delimits a string exactly
//   when an even number of backslashes precedes it), so the backward scan reads H's top-level
//   members too, and finds `hash` and `mac` at top-level member boundaries.
// - The keys it read are strictly in order around `hash` and `mac`, and W's keys are sorted, so
//   those boundaries are the ones where W has the members: L is W, which the slow path accepts.
// A scan by text search (the first `"hash":` in the line) would not do: `hash` and `mac` moved
// into a nested object derive the same H. Without the integrity key there is no such argument:
// the fast path is used only to authenticate (see verify-parallel.ts).
import { LINE_PREFIX, PURGED_PREFIX } from "./format.ts";
import { sha256Hex as sha256 } from "../../core/sha256.ts";
import type { EntryMac } from "./hmac.ts";

/** What the chain check needs of a line the fast path found intact. */
export interface FastLine {
  readonly seq: number;
  readonly prev: string;
  readonly hash: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const PREFIX = Buffer.from(`${LINE_PREFIX},`, "latin1");
const PURGED = Buffer.from(`"${PURGED_PREFIX}`, "latin1");
/** Strings longer than this are searched natively (indexOf) rather than byte by byte. */
const SHORT = 24;

/** True when the quote at `q` delimits a string: an even number of backslashes precedes it (back to `from`). */
function delimits(buf: Buffer, q: number, from: number): boolean {
  let k = q - 1;
  while (k > from && buf[k] === BACKSLASH) k--;
  return (q - 1 - k) % 2 === 0;
}

/** Index of the byte after the JSON string opening at `i` (a quote), or -1. */
function stringEnd(buf: Buffer, i: number, end: number): number {
  const short = Math.min(end, i + SHORT);
  let j = i + 1;
  for (; j < short; j++) {
    const b = buf[j]!;
    if (b === BACKSLASH) j++;
    else if (b === QUOTE) return j + 1;
  }
  for (let q = buf.indexOf(QUOTE, j); q >= 0 && q < end; q = buf.indexOf(QUOTE, q + 1)) if (delimits(buf, q, i)) return q + 1;
  return -1;
}

/** Index of the quote opening the JSON string whose closing quote is at `q`, or -1 (nothing before `from`). */
function stringStart(buf: Buffer, q: number, from: number): number {
  const short = Math.max(from, q - SHORT);
  let p = q - 1;
  for (; p > short; p--) if (buf[p] === QUOTE && delimits(buf, p, from)) return p;
  for (p = buf.lastIndexOf(QUOTE, p); p > from; p = buf.lastIndexOf(QUOTE, p - 1)) if (delimits(buf, p, from)) return p;
  return -1;
}

/** Index just after the JSON value starting at `i`, or -1: the same reading as hash.ts's valueEnd, on bytes. */
function valueEnd(buf: Buffer, i: number, end: number): number {
  const c = buf[i];
  if (c === QUOTE) return stringEnd(buf, i, end);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < end; j++) {
      const d = buf[j]!;
      if (d === QUOTE) {
        j = stringEnd(buf, j, end) - 1;
        if (j < 0) return -1;
      } else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < end) {
    const d = buf[j];
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET) break;
    j++;
  }
  return j === i ? -1 : j;
}

/** Index of the first byte of the JSON value whose last byte is at `e`, or -1: valueEnd read backward. */
function valueStart(buf: Buffer, e: number, from: number): number {
  const c = buf[e];
  if (c === QUOTE) return stringStart(buf, e, from);
  if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
    let depth = 0;
    for (let j = e; j > from; j--) {
      const d = buf[j]!;
      if (d === QUOTE) {
        j = stringStart(buf, j, from);
        if (j < 0) return -1;
      } else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) depth++;
      else if (d === OPEN_BRACE || d === OPEN_BRACKET) {
        if (--depth === 0) return j;
      }
    }
    return -1;
  }
  let j = e;
  while (j > from) {
    const d = buf[j];
    if (d === COLON || d === COMMA || d === OPEN_BRACE || d === OPEN_BRACKET) break;
    j--;
  }
  return j === e ? -1 : j + 1;
}

/** Compares the keys `buf[a, a + aLen)` and `buf[b, b + bLen)` byte by byte, as sorted keys compare. */
function compareKeys(buf: Buffer, a: number, aLen: number, b: number, bLen: number): number {
  const n = Math.min(aLen, bLen);
  for (let k = 0; k < n; k++) {
    const d = buf[a + k]! - buf[b + k]!;
    if (d !== 0) return d;
  }
  return aLen - bLen;
}

/** True when the key `buf[i, i + len)` sorts before `word`. */
function keyBefore(buf: Buffer, i: number, len: number, word: Buffer): boolean {
  const n = Math.min(len, word.length);
  for (let k = 0; k < n; k++) {
    const d = buf[i + k]! - word[k]!;
    if (d !== 0) return d < 0;
  }
  return len < word.length;
}

/** True when the key `buf[i, i + len)` holds a backslash (the writer's top-level keys never do). */
function escaped(buf: Buffer, i: number, len: number): boolean {
  for (let k = i; k < i + len; k++) if (buf[k] === BACKSLASH) return true;
  return false;
}

/** hash.ts's `commitment`, on bytes: a purged member already is its digest string. */
function commitmentOf(buf: Buffer, from: number, to: number): string {
  if (to - from === PURGED.length + 65 && buf.compare(PURGED, 0, PURGED.length, from, from + PURGED.length) === 0) return buf.toString("latin1", from, to);
  return `"${PURGED_PREFIX}${sha256(buf.subarray(from, to))}"`;
}

/** Which member a top-level key of `len` bytes at `i` names (the ones the check needs), else 0. */
function memberOf(buf: Buffer, i: number, len: number): number {
  const a = buf[i];
  const b = buf[i + 1];
  switch (len) {
    case 3:
      if (a === 0x6d && b === 0x61 && buf[i + 2] === 0x63) return MAC; // mac
      if (a === 0x73 && b === 0x65 && buf[i + 2] === 0x71) return SEQ_MEMBER; // seq
      return 0;
    case 4:
      if (a === 0x68 && b === 0x61 && buf[i + 2] === 0x73 && buf[i + 3] === 0x68) return HASH; // hash
      if (a === 0x70 && b === 0x72 && buf[i + 2] === 0x65 && buf[i + 3] === 0x76) return PREV; // prev
      return 0;
    case 6:
      return a === 0x73 && b === 0x65 && same(buf, i, SEALED) ? SEALED_MEMBER : 0;
    case 7:
      if (a === 0x63) return same(buf, i, CONTEXT) ? CONTEXT_MEMBER : 0;
      if (a === 0x69) return same(buf, i, IKEY_ID) ? IKEY : 0;
      return 0;
    default:
      return 0;
  }
}

/** True when `buf` holds `word` at `i` (short words: a loop beats a native call). */
function same(buf: Buffer, i: number, word: Buffer): boolean {
  for (let k = 0; k < word.length; k++) if (buf[i + k] !== word[k]) return false;
  return true;
}

const HASH = 1;
const MAC = 2;
const SEQ_MEMBER = 3;
const PREV = 4;
const IKEY = 5;
const CONTEXT_MEMBER = 6;
const SEALED_MEMBER = 7;
const SEALED = Buffer.from("sealed", "latin1");
const CONTEXT = Buffer.from("context", "latin1");
const IKEY_ID = Buffer.from("ikey_id", "latin1");
const HASH_KEY = Buffer.from("hash", "latin1");

/** What fastLineSpans found: the line's seq, where its prev's 64 hex digits start, its hash. */
export interface FastSpans {
  readonly seq: number;
  readonly prevAt: number;
  readonly hash: string;
}

/** fastLineCheck without making a string of `prev` (the verify workers compare it in place). */
export function fastLineSpans(buf: Buffer, start: number, end: number, mac: EntryMac, scratch: Buffer): FastSpans | undefined {
  if (end - start <= PREFIX.length || buf.compare(PREFIX, 0, PREFIX.length, start, start + PREFIX.length) !== 0) return undefined;
  if (buf[end - 1] !== CLOSE_BRACE) return undefined;
  // Where the members start (the comma before them), where their values start and end.
  let hashAt = -1;
  let hashStart = -1;
  let hashEnd = -1;
  let macAt = -1;
  let macStart = -1;
  let macEnd = -1;
  let seqStart = -1;
  let seqEnd = -1;
  let prevStart = -1;
  let prevEnd = -1;
  let ikeyStart = -1;
  let ikeyEnd = -1;
  let contextStart = -1;
  let contextEnd = -1;
  let sealedStart = -1;
  let sealedEnd = -1;

  // Backward from the end, member by member, down to the one before `hash`.
  /** The first byte of the earliest member read backward (its comma). */
  let backStart = -1;
  let laterKey = -1;
  let laterLen = 0;
  for (let e = end - 2; ; ) {
    const from = valueStart(buf, e, start);
    if (from < 0 || buf[from - 1] !== COLON || buf[from - 2] !== QUOTE) return undefined;
    const keyOpen = stringStart(buf, from - 2, start);
    if (keyOpen < 0) return undefined;
    const key = keyOpen + 1;
    const len = from - 2 - key;
    if (escaped(buf, key, len)) return undefined;
    if (laterKey >= 0 && compareKeys(buf, key, len, laterKey, laterLen) >= 0) return undefined;
    const at = keyOpen - 1;
    switch (memberOf(buf, key, len)) {
      case HASH:
        hashAt = at;
        hashStart = from;
        hashEnd = e + 1;
        break;
      case MAC:
        macAt = at;
        macStart = from;
        macEnd = e + 1;
        break;
      case SEQ_MEMBER:
        seqStart = from;
        seqEnd = e + 1;
        break;
      case PREV:
        prevStart = from;
        prevEnd = e + 1;
        break;
      case IKEY:
        ikeyStart = from;
        ikeyEnd = e + 1;
        break;
      case CONTEXT_MEMBER:
        contextStart = from;
        contextEnd = e + 1;
        break;
      case SEALED_MEMBER:
        sealedStart = from;
        sealedEnd = e + 1;
        break;
    }
    backStart = at;
    if (hashAt >= 0 && keyBefore(buf, key, len, HASH_KEY)) break;
    // The first member is reached with no member before `hash`: not a line the writer wrote.
    if (buf[at] !== COMMA) return undefined;
    laterKey = key;
    laterLen = len;
    e = at - 1;
  }

  // Forward from the start up to `context`, unless the backward scan got to it.
  if (contextStart < 0) {
    let earlierKey = -1;
    let earlierLen = 0;
    for (let i = start + PREFIX.length; ; ) {
      if (buf[i] !== QUOTE) return undefined;
      const keyEnd = stringEnd(buf, i, end) - 1;
      if (keyEnd < 0 || buf[keyEnd + 1] !== COLON) return undefined;
      const key = i + 1;
      const len = keyEnd - key;
      if (escaped(buf, key, len)) return undefined;
      if (earlierKey >= 0 && compareKeys(buf, key, len, earlierKey, earlierLen) <= 0) return undefined;
      const from = keyEnd + 2;
      const to = valueEnd(buf, from, end);
      if (to < 0 || buf[to] !== COMMA) return undefined;
      if (memberOf(buf, key, len) === CONTEXT_MEMBER) {
        contextStart = from;
        contextEnd = to;
        break;
      }
      // Past where `context` sorts, or into what the backward scan read: not a line the writer wrote.
      if (!keyBefore(buf, key, len, CONTEXT) || to >= backStart) return undefined;
      earlierKey = key;
      earlierLen = len;
      i = to + 1;
    }
    if (contextEnd > backStart) return undefined;
  }

  if (macAt < 0 || seqStart < 0 || prevStart < 0 || ikeyStart < 0 || sealedStart < 0) return undefined;
  if (hashEnd - hashStart !== 66 || macEnd - macStart !== 66 || prevEnd - prevStart !== 66 || seqEnd - seqStart > 15) return undefined;
  let seq = 0;
  for (let k = seqStart; k < seqEnd; k++) {
    const d = buf[k]! - 0x30;
    if (d < 0 || d > 9 || (d === 0 && k === seqStart)) return undefined;
    seq = seq * 10 + d;
  }
  if (seq === 0 || ikeyEnd - ikeyStart !== mac.keyId.length + 2 || !sameText(buf, ikeyStart + 1, mac.keyId)) return undefined;
  // The hashed form: the line without `hash` and `mac`, committed members by their digest, in
  // the order the keys sort: context, hash, mac, sealed.
  let n = buf.copy(scratch, 0, start, contextStart);
  n += scratch.write(commitmentOf(buf, contextStart, contextEnd), n, "latin1");
  n += buf.copy(scratch, n, contextEnd, hashAt);
  n += buf.copy(scratch, n, hashEnd, macAt);
  n += buf.copy(scratch, n, macEnd, sealedStart);
  n += scratch.write(commitmentOf(buf, sealedStart, sealedEnd), n, "latin1");
  n += buf.copy(scratch, n, sealedEnd, end);
  const hash = sha256(scratch.subarray(0, n));
  if (!sameText(buf, hashStart + 1, hash) || !sameText(buf, macStart + 1, mac.of(hash))) return undefined;
  return { seq, prevAt: prevStart + 1, hash };
}

/**
 * The seq, prev and hash of the line `buf[start, end)` (no newline) when its bytes match its
 * hash and its MAC matches under `mac` (and its `ikey_id` is that key's); undefined when the slow
 * path must look at it. `scratch` is a buffer at least as long as the line, reused across calls.
 */
export function fastLineCheck(buf: Buffer, start: number, end: number, mac: EntryMac, scratch: Buffer): FastLine | undefined {
  const r = fastLineSpans(buf, start, end, mac, scratch);
  return r && { seq: r.seq, prev: buf.toString("latin1", r.prevAt, r.prevAt + 64), hash: r.hash };
}

/** True when `buf` holds the ASCII `text` at `at` (a short compare in place: no string made of the bytes). */
export function sameText(buf: Buffer, at: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (buf[at + k] !== text.charCodeAt(k)) return false;
  return true;
}
