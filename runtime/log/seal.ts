// The sealed request: each log entry also carries its minimized request encrypted under a key
// derived from the log key (AES-256-GCM). The readable parts of the entry stay pseudonymized;
// the key holder — the controller — can open the seal to replay a decision exactly (same
// inputs, same id), which keyed hashes alone could not allow. The IV is synthetic (an HMAC of
// the plaintext), so the same request under the same key seals to the same bytes and the log
// stays deterministic. Rules in docs/decision-log.md.
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from "node:crypto";
import { canonicalJson } from "../../core/canonical-json.ts";
import type { MinimizedRequest } from "../sink.ts";
import { LogError } from "./errors.ts";
import type { LogKey } from "./key.ts";
import { PrimedHmac } from "./hmac.ts";

const PREFIX = "aes256gcm:";

// Process-wide and safe: a cache of subkeys derived deterministically from each key, weakly
// held, so it never outlives the key nor changes an answer.
const derived = new WeakMap<LogKey, { mac: PrimedHmac; enc: KeyObject }>();

/** The two subkeys of a log key (derived once per key): one for the synthetic IV, one for encryption. */
function subkeys(key: LogKey): { mac: PrimedHmac; enc: KeyObject } {
  let k = derived.get(key);
  if (!k) {
    const okm = Buffer.from(hkdfSync("sha256", key.bytes, Buffer.alloc(0), "kairos decision-log seal v1", 64));
    k = { mac: new PrimedHmac(okm.subarray(0, 32)), enc: createSecretKey(okm.subarray(32, 64)) };
    derived.set(key, k);
  }
  return k;
}

/**
 * Seals a request: `aes256gcm:` + base64url(iv ‖ ciphertext ‖ tag). `requestJson`, when given,
 * must be `canonicalJson(request)` already computed (the engine hashes that same text for the
 * decision id: see DecisionLogEntry.requestJson); it is sealed as is instead of serializing the
 * request a second time.
 */
export function sealRequest(key: LogKey, request: MinimizedRequest, requestJson?: string): string {
  const { mac, enc } = subkeys(key);
  const plain = Buffer.from(requestJson ?? canonicalJson(request as never), "utf8");
  const iv = mac.digest(plain).subarray(0, 12);
  const cipher = createCipheriv("aes-256-gcm", enc, iv);
  const body = cipher.update(plain);
  const last = cipher.final();
  return PREFIX + Buffer.concat([iv, body, last, cipher.getAuthTag()]).toString("base64url");
}

/** Opens a seal; a wrong key or edited bytes fail authentication with a clear error. */
export function unsealRequest(key: LogKey, sealed: string): MinimizedRequest {
  if (!sealed.startsWith(PREFIX)) throw new LogError("log/seal", `unknown seal format \`${sealed.slice(0, 16)}…\``);
  const raw = Buffer.from(sealed.slice(PREFIX.length), "base64url");
  if (raw.length < 12 + 16) throw new LogError("log/seal", "the sealed request is truncated");
  const { enc } = subkeys(key);
  const decipher = createDecipheriv("aes-256-gcm", enc, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  try {
    const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    return JSON.parse(plain.toString("utf8")) as MinimizedRequest;
  } catch (e) {
    throw new LogError("log/seal", `the sealed request does not open with the key from ${key.source} (wrong key, or the entry was altered)`, undefined, e);
  }
}
