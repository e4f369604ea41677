// The fast path of verification (issue 13): one decision-log/2 line checked against its own hash
// and MAC without JSON.parse — its top-level members found by position (the line is canonical
// JSON that the writer made), the hashed form derived exactly as hash.ts's `hashedText` derives
// it, `seq` and `prev` read from their members for the chain check. Anything it does not expect
// (another format, a member out of order, an escape in a key, a hash or MAC that does not match,
// a value not in the writer's form) is not judged here: the caller falls back to the slow path
// (JSON.parse, shapeProblem, entryProblem), which gives the precise verdict and message.
//
// Why "fast says intact" implies "the slow path says intact": the fast path accepts a line only
// when the sha256 of the hashed form it derived is the line's `hash` and the MAC of that hash
// under the integrity key is the line's `mac`. Only the key holder (a writer) makes MACs, and a
// writer MACs only hashes of the hashed form of lines it checked against the readers' derivation
// (serializeEntry); so the derived form is a writer's (sha256 collisions aside), and the line,
// whose members the scan found at the top level, in order, with no duplicate, is that writer's
// line — which the slow path accepts. Without the integrity key there is no such argument: the
// fast path is used only to authenticate (see verify-parallel.ts).
import { LINE_PREFIX, PURGED_PREFIX } from "./format.ts";
import { type EntryMac, sha256 } from "./hash.ts";

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

/** Index of the byte after the JSON string opening at `i` (a quote), or -1. */
function stringEnd(buf: Buffer, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const b = buf[j]!;
    if (b === BACKSLASH) j++;
    else if (b === QUOTE) return j + 1;
  }
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
      return a === 0x73 && b === 0x65 && same(buf, i, SEALED) ? COMMITTED : 0;
    case 7:
      if (a === 0x63) return same(buf, i, CONTEXT) ? COMMITTED : 0;
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
const COMMITTED = 6;
const SEALED = Buffer.from("sealed", "latin1");
const CONTEXT = Buffer.from("context", "latin1");
const IKEY_ID = Buffer.from("ikey_id", "latin1");

/**
 * The seq, prev and hash of the line `buf[start, end)` (no newline) when its bytes match its
 * hash and its MAC matches under `mac` (and its `ikey_id` is that key's); undefined when the slow
 * path must look at it. `scratch` is a buffer at least as long as the line, reused across calls.
 */
export function fastLineCheck(buf: Buffer, start: number, end: number, mac: EntryMac, scratch: Buffer): FastLine | undefined {
  if (end - start <= PREFIX.length || buf.compare(PREFIX, 0, PREFIX.length, start, start + PREFIX.length) !== 0) return undefined;
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
  const committed: number[] = [];
  let i = start + 1;
  for (;;) {
    if (buf[i] !== QUOTE) return undefined;
    const keyEnd = stringEnd(buf, i, end) - 1;
    if (keyEnd < 0 || buf[keyEnd + 1] !== COLON) return undefined;
    const from = keyEnd + 2;
    const to = valueEnd(buf, from, end);
    if (to < 0) return undefined;
    switch (memberOf(buf, i + 1, keyEnd - i - 1)) {
      case HASH:
        hashAt = i - 1;
        hashStart = from;
        hashEnd = to;
        break;
      case MAC:
        macAt = i - 1;
        macStart = from;
        macEnd = to;
        break;
      case SEQ_MEMBER:
        seqStart = from;
        seqEnd = to;
        break;
      case PREV:
        prevStart = from;
        prevEnd = to;
        break;
      case IKEY:
        ikeyStart = from;
        ikeyEnd = to;
        break;
      case COMMITTED:
        committed.push(from, to);
        break;
    }
    const c = buf[to];
    if (c === CLOSE_BRACE) {
      if (to !== end - 1) return undefined;
      break;
    }
    if (c !== COMMA) return undefined;
    i = to + 1;
  }
  if (hashAt < 0 || macAt < 0 || seqStart < 0 || prevStart < 0 || ikeyStart < 0) return undefined;
  if (hashEnd - hashStart !== 66 || macEnd - macStart !== 66 || prevEnd - prevStart !== 66 || seqEnd - seqStart > 15) return undefined;
  let seq = 0;
  for (let k = seqStart; k < seqEnd; k++) {
    const d = buf[k]! - 0x30;
    if (d < 0 || d > 9 || (d === 0 && k === seqStart)) return undefined;
    seq = seq * 10 + d;
  }
  if (seq === 0 || ikeyEnd - ikeyStart !== mac.keyId.length + 2 || buf.toString("latin1", ikeyStart, ikeyEnd) !== `"${mac.keyId}"`) return undefined;
  // The hashed form: the line without `hash` and `mac`, committed members by their digest. In a
  // line the writer wrote they come in this order (keys sorted): context, hash, mac, sealed.
  const [contextStart = -1, contextEnd = -1, sealedStart = -1, sealedEnd = -1] = committed;
  if (committed.length !== 4 || !(contextEnd < hashAt && hashEnd <= macAt && macEnd < sealedStart)) return undefined;
  let n = buf.copy(scratch, 0, start, contextStart);
  n += scratch.write(commitmentOf(buf, contextStart, contextEnd), n, "latin1");
  n += buf.copy(scratch, n, contextEnd, hashAt);
  n += buf.copy(scratch, n, hashEnd, macAt);
  n += buf.copy(scratch, n, macEnd, sealedStart);
  n += scratch.write(commitmentOf(buf, sealedStart, sealedEnd), n, "latin1");
  n += buf.copy(scratch, n, sealedEnd, end);
  const hash = buf.toString("latin1", hashStart + 1, hashEnd - 1);
  if (sha256(scratch.subarray(0, n)) !== hash) return undefined;
  if (mac.of(hash) !== buf.toString("latin1", macStart + 1, macEnd - 1)) return undefined;
  return { seq, prev: buf.toString("latin1", prevStart + 1, prevEnd - 1), hash };
}
