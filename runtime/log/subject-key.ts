// Per-subject keys (docs/decision-log.md#per-subject-keys): each data subject gets a key of its
// own, 32 random bytes, under which the log makes that subject's pseudonyms and seals its
// requests. Destroying one subject's key crypto-shreds that person's entries — they stay in the
// chain and verify (the MAC is under the integrity key), but nobody can link or open them any
// more — without touching anyone else's. Keys are found through a *keyed* lookup (an HMAC of the
// subject under the log's pseudonymization key), never by the subject in clear, so once a key's
// row is gone nothing that remains maps the subject to it. This file is the primitives shared by
// the file log's keyring (subject-keyring.ts) and the service's store (server/store/).
import { PrimedHmac } from "./hmac.ts";
import { createHmac, randomBytes } from "node:crypto";
import type { LogKey } from "./key.ts";

/** Bytes of a per-subject key. */
export const SUBJECT_KEY_BYTES = 32;

/**
 * The id an entry's `subject_key` member records: the first 32 hex digits (128 bits) of
 * HMAC-SHA256(key, a fixed label). Derived from the key itself, so it tells keys apart and says
 * nothing about the key or the subject; 128 bits (not the 64 of the log keys' ids) because a log
 * holds millions of subject keys and ids must not collide.
 */
export function subjectKeyId(bytes: Uint8Array): string {
  return createHmac("sha256", bytes).update("kairos decision-log/2 key id: subject").digest("hex").slice(0, 32);
}

/** A per-subject key from its bytes (`source` for messages). */
export function subjectKeyOf(bytes: Uint8Array, source: string): LogKey {
  return { bytes, id: subjectKeyId(bytes), source };
}

/** A new random per-subject key. */
export function newSubjectKey(source: string): LogKey {
  return subjectKeyOf(new Uint8Array(randomBytes(SUBJECT_KEY_BYTES)), source);
}

/**
 * The lookup under which a subject's key is kept: HMAC-SHA256(pseudonymization key, label +
 * subject), 64 hex digits. Whoever holds the log key can find a subject's key while it exists;
 * once its row is deleted, the lookup points at nothing and nothing else names the subject.
 */
export function subjectLookup(logKey: LogKey, subject: string): string {
  let memo = lookups.get(logKey);
  if (memo === undefined) {
    memo = { hmac: new PrimedHmac(logKey.bytes), known: new Map() };
    lookups.set(logKey, memo);
  }
  let out = memo.known.get(subject);
  if (out === undefined) {
    out = memo.hmac.hex(`kairos subject-key lookup v1\n${subject}`);
    if (memo.known.size >= REMEMBERED_LOOKUPS) memo.known.clear();
    memo.known.set(subject, out);
  }
  return out;
}

/**
 * Every append looks its subject's key up: the log key is imported once (a raw-key HMAC costs a
 * key import, ~9 µs) and recent lookups are remembered — in memory only, bounded, and a pure
 * function of the key and the subject, so remembering never changes one.
 */
const lookups = new WeakMap<LogKey, { readonly hmac: PrimedHmac; readonly known: Map<string, string> }>();
const REMEMBERED_LOOKUPS = 4096;

/** The pad that wraps the key stored under `lookup`: HMAC-SHA256(log key, label + lookup), 32 bytes. */
function pad(logKey: LogKey, lookup: string): Buffer {
  return createHmac("sha256", logKey.bytes).update(`kairos subject-key wrap v1\n${lookup}`).digest();
}

/**
 * A per-subject key as it is stored (64 hex digits): its bytes XOR a pad derived from the log key
 * and the row's lookup. The stored keys alone — a copy of the key file, a dump of the table, an
 * exported shard's `.subject-keys` — open nothing without the log key, as before per-subject keys;
 * deleting the row still destroys the key (the pad alone is useless).
 */
export function wrapSubjectKey(logKey: LogKey, lookup: string, key: LogKey): string {
  const p = pad(logKey, lookup);
  const out = Buffer.alloc(SUBJECT_KEY_BYTES);
  for (let i = 0; i < SUBJECT_KEY_BYTES; i++) out[i] = key.bytes[i]! ^ p[i]!;
  return out.toString("hex");
}

/**
 * The key stored (wrapped) under `lookup`; undefined when it does not unwrap to a key with id
 * `id` (another log key, or an altered row).
 */
export function unwrapSubjectKey(logKey: LogKey, lookup: string, wrapped: string, id: string, source: string): LogKey | undefined {
  const p = pad(logKey, lookup);
  const w = Buffer.from(wrapped, "hex");
  if (w.length !== SUBJECT_KEY_BYTES) return undefined;
  const bytes = new Uint8Array(SUBJECT_KEY_BYTES);
  for (let i = 0; i < SUBJECT_KEY_BYTES; i++) bytes[i] = w[i]! ^ p[i]!;
  const key = subjectKeyOf(bytes, source);
  return key.id === id ? key : undefined;
}

/** Where a writer gets the per-subject key of the subject of an entry. */
export interface SubjectKeySource {
  /** The subject's key, created (and made durable) when it has none yet. */
  keyFor(subject: string): LogKey;
}
