// Signed checkpoints of a decision log (docs/decision-log.md#checkpoints): "entry N of the log
// that starts with entry F has hash H, and the log was S bytes long", signed with Ed25519 under
// a key derived from the log's integrity key. A checkpoint kept outside the log's file system
// (a ticket, another system, a WORM bucket) makes truncation and wholesale rewrites of
// everything before it detectable by anyone holding the public key, without any secret.
// The writer appends one to `<log>.checkpoints` every so many entries and when it closes.
import { createPrivateKey, createPublicKey, hkdfSync, sign, verify, type KeyObject } from "node:crypto";
import { appendFileSync, closeSync, fdatasyncSync, openSync, readFileSync } from "node:fs";
import { canonicalJson } from "../../core/canonical-json.ts";
import { replaceFile } from "./durable-file.ts";
import { errnoCode, LogError } from "./errors.ts";
import type { LogKey } from "./key.ts";

/** The first member of every checkpoint. */
export const CHECKPOINT_FORMAT = "decision-log-checkpoint/1";

export interface Checkpoint {
  readonly $kairos: typeof CHECKPOINT_FORMAT;
  /** The hash of the log's first entry: which log this is a checkpoint of. */
  readonly log: string;
  /** The entry checkpointed: its seq and hash (the head at the time). */
  readonly seq: number;
  readonly head: string;
  /** The log's size in bytes up to the end of that entry. */
  readonly size: number;
  /** When the checkpoint was made (wall clock, ISO 8601 UTC). */
  readonly at: string;
  /** The integrity key it was signed under (its id), and that key's Ed25519 public key (base64url). */
  readonly ikey_id: string;
  readonly public_key: string;
  /**
   * Set when retention (retain.ts) purged entries up to this one and signed the checkpoint again
   * with the log's new `size`: when that happened (ISO 8601 UTC). `seq`, `head`, `log` and `at`
   * are the checkpoint's first signing's; a copy exported before still verifies (verify judges
   * a checkpoint by its entry and hash, never by `size`: docs/decision-log.md#retention).
   */
  readonly retained_at?: string;
  /** Ed25519 signature (base64url) over the canonical JSON of every other member. */
  readonly sig: string;
}

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The Ed25519 key pair of an integrity key (derived, never stored). */
export interface CheckpointSigner {
  readonly privateKey: KeyObject;
  /** Raw 32-byte public key, base64url: what to pin with `--public-key`. */
  readonly publicKey: string;
  readonly keyId: string;
}

// Process-wide and safe: a cache of values derived deterministically from each key, weakly
// held, so it never outlives the key nor changes an answer.
const signers = new WeakMap<LogKey, CheckpointSigner>();

/** The checkpoint signing key derived from an integrity key (HKDF-SHA256). */
export function checkpointSigner(key: LogKey): CheckpointSigner {
  let s = signers.get(key);
  if (!s) {
    const seed = Buffer.from(hkdfSync("sha256", key.bytes, Buffer.alloc(0), "kairos decision-log checkpoint signing v1", 32));
    const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
    const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
    s = { privateKey, publicKey: spki.subarray(SPKI_ED25519_PREFIX.length).toString("base64url"), keyId: key.id };
    signers.set(key, s);
  }
  return s;
}

/** A public key from its base64url (or base64, or 64 hex digits) text. */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  const raw = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, "hex") : Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (raw.length !== 32) {
    throw new LogError(
      "log/checkpoint",
      `\`${t.slice(0, 20)}${t.length > 20 ? "…" : ""}\` is not an Ed25519 public key (32 bytes as base64url or hex)`,
      "print the log's key with `kairos log public-key LOG`",
    );
  }
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
}

/** Makes a signed checkpoint of a head. */
export function makeCheckpoint(signer: CheckpointSigner, at: { log: string; seq: number; head: string; size: number }, now = new Date()): Checkpoint {
  const body = {
    $kairos: CHECKPOINT_FORMAT,
    log: at.log,
    seq: at.seq,
    head: at.head,
    size: at.size,
    at: now.toISOString(),
    ikey_id: signer.keyId,
    public_key: signer.publicKey,
  } as const;
  const sig = sign(null, Buffer.from(canonicalJson(body), "utf8"), signer.privateKey).toString("base64url");
  return { ...body, sig };
}

/**
 * The same checkpoint with the log's size after retention purged entries before it (`size`),
 * signed again by `signer`, with `retained_at` saying when. The statement "entry `seq` has hash
 * `head`" is unchanged: only the byte count it carries as a position hint moves.
 */
export function resizeCheckpoint(signer: CheckpointSigner, cp: Checkpoint, size: number, retainedAt: Date): Checkpoint {
  const { sig: _old, ...rest } = cp;
  const body = { ...rest, size, retained_at: retainedAt.toISOString() };
  const sig = sign(null, Buffer.from(canonicalJson(body), "utf8"), signer.privateKey).toString("base64url");
  return { ...body, sig };
}

/**
 * Replaces a checkpoints file by `cps` (one JSON line each) atomically: a temporary file beside
 * it, synced, renamed over it, the directory synced. The caller holds the log's lock.
 */
export function replaceCheckpoints(file: string, cps: readonly Checkpoint[]): void {
  replaceFile(file, cps.map((c) => canonicalJson(c) + "\n").join(""));
}

/** The problem with a checkpoint's shape, or undefined. */
function checkpointShape(v: unknown): string | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return "not a JSON object";
  const c = v as Record<string, unknown>;
  if (c["$kairos"] !== CHECKPOINT_FORMAT) return `not a decision log checkpoint (\`$kairos\` is not \`${CHECKPOINT_FORMAT}\`)`;
  for (const k of ["log", "head"]) if (typeof c[k] !== "string" || !/^[0-9a-f]{64}$/.test(c[k] as string)) return `no valid \`${k}\``;
  for (const k of ["seq", "size"]) if (!Number.isSafeInteger(c[k]) || (c[k] as number) < 0) return `no valid \`${k}\``;
  for (const k of ["at", "ikey_id", "public_key", "sig"]) if (typeof c[k] !== "string") return `no \`${k}\``;
  return undefined;
}

/**
 * Checks a checkpoint's signature. `trusted` is the public key to check it against (pinned by
 * the user, or derived from the integrity key); without one the checkpoint's own key is used,
 * which proves only that it was not altered since signing, not who signed it.
 */
export function checkSignature(cp: Checkpoint, trusted?: KeyObject): { ok: boolean; trusted: boolean } {
  const { sig, ...body } = cp;
  let key: KeyObject;
  try {
    key = trusted ?? parsePublicKey(cp.public_key);
  } catch {
    return { ok: false, trusted: trusted !== undefined };
  }
  let ok = false;
  try {
    ok = verify(null, Buffer.from(canonicalJson(body), "utf8"), key, Buffer.from(sig, "base64url"));
  } catch {
    ok = false;
  }
  return { ok, trusted: trusted !== undefined };
}

/** The checkpoints file beside a log. */
export function checkpointFileFor(logPath: string): string {
  return `${logPath}.checkpoints`;
}

/** Appends a checkpoint to a checkpoints file (one JSON line) and syncs it. */
export function appendCheckpoint(file: string, cp: Checkpoint): void {
  appendFileSync(file, canonicalJson(cp) + "\n", { mode: 0o644 });
  const fd = openSync(file, "r");
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads checkpoints from a file (JSON Lines, or one JSON object as `kairos log checkpoint`
 * prints it). Missing file → []; a line that is not a checkpoint is an error naming it.
 */
export function readCheckpoints(file: string, missingOk = true): Checkpoint[] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file));
  } catch (e) {
    if (errnoCode(e) === "ENOENT" && missingOk) return [];
    const what = errnoCode(e) === "ENOENT" ? "does not exist" : e instanceof TypeError ? "is not UTF-8 text" : `cannot be read (${(e as Error).message})`;
    throw new LogError("log/checkpoint", `the checkpoint file ${file} ${what}`);
  }
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const chunks = trimmed.startsWith("{") && !trimmed.includes("\n{") ? [trimmed] : trimmed.split("\n").filter((l) => l.trim() !== "");
  return chunks.map((chunk, i) => {
    let v: unknown;
    try {
      v = JSON.parse(chunk);
    } catch {
      v = undefined;
    }
    const problem = v === undefined ? "not valid JSON" : checkpointShape(v);
    if (problem !== undefined) throw new LogError("log/checkpoint", `${file}:${i + 1}: ${problem}`, "give a file that `kairos log checkpoint` wrote");
    return v as Checkpoint;
  });
}
