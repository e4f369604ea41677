// HMAC-SHA256 under a key imported once: the log's one keyed hash, for pseudonyms, entry MACs
// and the seal's synthetic IV. Its own module (node:crypto only), so that the verify workers
// (verify-worker.ts) load little.
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";

/**
 * HMAC-SHA256 (RFC 2104) under a key imported once as a KeyObject: each MAC then costs one
 * `createHmac` (~1.4 µs) instead of a key import (~9 µs, which once dominated the cost of an
 * append) or two copied hash states (~2.5 µs, the previous design).
 */
export class PrimedHmac {
  private readonly key: KeyObject;

  constructor(key: Uint8Array) {
    this.key = createSecretKey(Buffer.from(key));
  }

  digest(data: string | Uint8Array): Buffer {
    return createHmac("sha256", this.key).update(data).digest();
  }

  /** The MAC as lowercase hex. */
  hex(data: string | Uint8Array): string {
    return createHmac("sha256", this.key).update(data).digest("hex");
  }
}
