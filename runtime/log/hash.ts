// Hashing, authenticating and serializing entries (docs/decision-log.md#entry-format): sha256
// from node:crypto over the canonical JSON that format.ts describes, with the committed members
// counted by digest, and the keyed MAC of decision-log/2. Every reader derives the hashed text
// from a line through the same function here (hashedText), and the writer checks each line it
// assembles against that derivation (or against a cheaper proof that it gives the same text,
// readersAgree), so they cannot disagree.
import { canonicalJson, sortKeys } from "../../core/canonical-json.ts";
import { sha256Hex } from "../../core/sha256.ts";
import { LogError } from "./errors.ts";
import { COMMITTED_MEMBERS, LOG_FORMAT_V1, PURGED_PREFIX, type LogEntry } from "./format.ts";
import { EntryMac } from "./hmac.ts";

export { EntryMac };

/** sha256 hex of a string's UTF-8 bytes, or of bytes (core's one definition; native in Node). */
export const sha256 = (text: string | Uint8Array): string => sha256Hex(text);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Index of the quote that closes the JSON string opening at `i`, or -1. */
export function stringEnd(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let b = q - 1; text.charCodeAt(b) === BACKSLASH; b--) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}

/** Index just after the JSON value starting at `i`, or -1 (scans nesting, jumps over strings). */
export function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) {
    const e = stringEnd(text, i);
    return e < 0 ? -1 : e + 1;
  }
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        j = stringEnd(text, j);
        if (j < 0) return -1;
      } else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET) break;
    j++;
  }
  return j === i ? -1 : j;
}

const COMMITTED: ReadonlySet<string> = new Set(COMMITTED_MEMBERS);

/**
 * The value spans of the committed top-level members of a one-line JSON object, or undefined
 * when the text is not shaped like one.
 */
function committedSpans(text: string): Array<[number, number]> | undefined {
  if (text.charCodeAt(0) !== OPEN_BRACE) return undefined;
  const spans: Array<[number, number]> = [];
  let i = 1;
  if (text.charCodeAt(i) === CLOSE_BRACE) return spans;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0 || text.charCodeAt(keyEnd + 1) !== COLON) return undefined;
    const key = text.slice(i + 1, keyEnd);
    const start = keyEnd + 2;
    const end = valueEnd(text, start);
    if (end < 0) return undefined;
    if (COMMITTED.has(key)) spans.push([start, end]);
    const c = text.charCodeAt(end);
    if (c === CLOSE_BRACE) return end === text.length - 1 ? spans : undefined;
    if (c !== COMMA) return undefined;
    i = end + 1;
  }
}

/** `sha256:<hex>` of a committed member's JSON text (a purged member already is one). */
export function commitment(valueText: string): string {
  if (valueText.startsWith(`"${PURGED_PREFIX}`) && valueText.length === PURGED_PREFIX.length + 66) return valueText;
  return `"${PURGED_PREFIX}${sha256(valueText)}"`;
}

/** The line without one `,"name":"value"` member, or undefined when it is not there. */
function without(line: string, name: string, value: string): string | undefined {
  const member = `,"${name}":"${value}"`;
  const at = line.indexOf(member);
  return at < 0 ? undefined : line.slice(0, at) + line.slice(at + member.length);
}

/**
 * The text a line's `hash` is computed over, or undefined when the line's own `hash` (or, in
 * decision-log/2, `mac`) member is not where it must be. For a line the writer wrote this is
 * exactly the canonical JSON of the entry without `hash` (/1), or without `hash` and `mac` and
 * with the committed members replaced by their digests (/2); any other byte difference
 * (whitespace, key order) shows up as a hash mismatch, which is what a tamper-evident log wants.
 */
export function hashedText(line: string, format: string, hash: string, mac: string | undefined): string | undefined {
  const noHash = without(line, "hash", hash);
  if (noHash === undefined || format === LOG_FORMAT_V1) return noHash;
  if (mac === undefined) return undefined;
  const text = without(noHash, "mac", mac);
  if (text === undefined) return undefined;
  const spans = committedSpans(text);
  if (spans === undefined) return undefined;
  let out = "";
  let last = 0;
  for (const [start, end] of spans) {
    out += text.slice(last, start) + commitment(text.slice(start, end));
    last = end;
  }
  return out + text.slice(last);
}

/**
 * The members of an entry (or of part of one) serialized once, sorted by key: each member's text
 * as the line holds it and as the hashed form holds it (a committed member by its digest).
 */
export interface SerializedMembers {
  readonly keys: readonly string[];
  readonly members: readonly string[];
  readonly hashed: readonly string[];
  /**
   * Each member's name and value read back by the readers' scanner (`stringEnd`, `valueEnd`)
   * as exactly that name and value: checked once, when the member is serialized, so that
   * assembling a line need not scan it again (see `readersAgree`). Absent: not checked.
   */
  readonly scans?: readonly boolean[];
}

/** Serializes the defined members of `record` other than `hash` and `mac`; a LogError when one is not plain data. */
export function serializeMembers(record: Readonly<Record<string, unknown>>): SerializedMembers {
  const keys = Object.keys(record).filter((k) => record[k] !== undefined && k !== "hash" && k !== "mac");
  sortKeys(keys);
  const members: string[] = new Array<string>(keys.length);
  const hashed: string[] = new Array<string>(keys.length);
  const scans: boolean[] = new Array<boolean>(keys.length);
  try {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const name = JSON.stringify(k);
      const text = canonicalJson(record[k]);
      members[i] = `${name}:${text}`;
      hashed[i] = COMMITTED.has(k) ? `${name}:${commitment(text)}` : members[i]!;
      scans[i] = stringEnd(name, 0) === name.length - 1 && valueEnd(text, 0) === text.length;
    }
  } catch (e) {
    throw new LogError("log/unserializable", `the entry cannot be written as JSON: ${(e as Error).message}`, undefined, e);
  }
  return { keys, members, hashed, scans };
}

/** Two sets of members with no key in common, as one (sorted). */
export function mergeMembers(a: SerializedMembers, b: SerializedMembers): SerializedMembers {
  const keys: string[] = [];
  const members: string[] = [];
  const hashed: string[] = [];
  const scans: boolean[] = [];
  let i = 0;
  let j = 0;
  while (i < a.keys.length || j < b.keys.length) {
    const fromA = j >= b.keys.length || (i < a.keys.length && a.keys[i]! < b.keys[j]!);
    const from = fromA ? a : b;
    const k = fromA ? i++ : j++;
    keys.push(from.keys[k]!);
    members.push(from.members[k]!);
    hashed.push(from.hashed[k]!);
    scans.push(from.scans?.[k] === true);
  }
  return { keys, members, hashed, scans };
}

/**
 * Serializes a chained decision-log/2 entry: computes its hash over the canonical JSON without
 * `hash` and `mac` (committed members by digest) and its MAC, and returns the line exactly as
 * canonicalJson({...entry, hash, mac}) would print it. Each member is serialized once: its text
 * goes into the hashed form (by digest for a committed member) and into the line, where `hash`
 * and `mac` are merged in at their sorted places. The line is checked against the readers'
 * derivation before it is returned, so a line that verifiers would misread is never written
 * (cheaply when every member was checked to scan as itself: `readersAgree`; else by deriving it).
 */
export function serializeEntry(entry: Omit<LogEntry, "hash" | "mac">, mac: EntryMac): { line: string; hash: string; mac: string } {
  return assembleEntry(serializeMembers(entry as unknown as Record<string, unknown>), entry.$kairos, mac);
}

/** serializeEntry from members already serialized (the writer's body is serialized once, its chain members per line). */
export function assembleEntry(serialized: SerializedMembers, format: string, mac: EntryMac): { line: string; hash: string; mac: string } {
  const { keys, members } = serialized;
  const hashed = `{${serialized.hashed.join(",")}}`;
  const hash = sha256(hashed);
  const tag = mac.of(hash);
  let line = "{";
  let sep = "";
  let hashDone = false;
  let macDone = false;
  // Where the `,"hash":…` and `,"mac":…` members start in the line (-1: not after a comma).
  let hashAt = -1;
  let macAt = -1;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (!hashDone && k > "hash") {
      if (sep !== "") hashAt = line.length;
      line += `${sep}"hash":"${hash}"`;
      sep = ",";
      hashDone = true;
    }
    if (!macDone && k > "mac") {
      if (sep !== "") macAt = line.length;
      line += `${sep}"mac":"${tag}"`;
      sep = ",";
      macDone = true;
    }
    line += sep + members[i]!;
    sep = ",";
  }
  if (!hashDone) {
    if (sep !== "") hashAt = line.length;
    line += `${sep}"hash":"${hash}"`;
  }
  if (!macDone) {
    macAt = line.length;
    line += `,"mac":"${tag}"`;
  }
  // The newline is added here, not to a copy afterwards: the line is flattened (copied) once.
  line += "}\n";
  const agreed = format !== LOG_FORMAT_V1 && readersAgree(serialized, line, `,"hash":"${hash}"`, hashAt, `,"mac":"${tag}"`, macAt);
  if (!agreed && hashedText(line.slice(0, -1), format, hash, tag) !== hashed) {
    throw new LogError("log/unserializable", "the entry's serialization is not one the log's readers would hash the same way (a bug in Kairos)");
  }
  return { line, hash, mac: tag };
}

/**
 * True when `hashedText` surely derives the hashed form of `serialized` from the decision-log/2
 * `line` assembled from it, without deriving it (which re-hashes the committed members and
 * copies the line twice). The readers drop the first `hashMember` (it must be ours, at
 * `hashAt`), then the first `macMember` of what is left (ours, at `macAt` in the line, and none
 * made across the gap the hash member leaves); what is left is `{` + the members + `}`, which
 * their scanner reads member by member, each from where the previous one ended: when it reads
 * every member alone as exactly its name and value (`scans`, checked at serialization), it
 * finds exactly the members, so the committed values it replaces by their digests are those
 * the hashed form has digests of. False says only "not sure": the caller then derives the
 * text as the readers do and compares.
 */
function readersAgree(serialized: SerializedMembers, line: string, hashMember: string, hashAt: number, macMember: string, macAt: number): boolean {
  const { scans } = serialized;
  if (scans === undefined || scans.length !== serialized.keys.length || !scans.every(Boolean)) return false;
  if (hashAt < 0 || macAt < hashAt || line.indexOf(hashMember) !== hashAt || line.indexOf(macMember) !== macAt) return false;
  // An occurrence of the mac member across the gap: it starts before hashAt and ends after it.
  const reach = macMember.length - 1;
  const after = hashAt + hashMember.length;
  const gap = line.slice(Math.max(0, hashAt - reach), hashAt) + line.slice(after, after + reach);
  return !gap.includes(macMember);
}

/**
 * Checks one parsed line against its own hash (and, given the integrity MAC, its `mac`).
 * Returns the problem, or undefined when it is intact.
 */
export function entryProblem(line: string, entry: { $kairos: string; hash: string; mac?: string; ikey_id?: string }, mac?: EntryMac): string | undefined {
  const text = hashedText(line, entry.$kairos, entry.hash, entry.mac);
  if (text === undefined || sha256(text) !== entry.hash) return "its contents do not match its hash: the entry (or its hash) was edited";
  if (mac !== undefined && entry.$kairos !== LOG_FORMAT_V1) {
    if (entry.ikey_id !== mac.keyId) return `its mac was made with integrity key ${entry.ikey_id}, not with the key given (${mac.keyId})`;
    if (mac.of(entry.hash) !== entry.mac) return "its mac does not match: the entry was written or rewritten without the log's integrity key";
  }
  return undefined;
}
