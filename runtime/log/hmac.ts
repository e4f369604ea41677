// HMAC-SHA256 under a key imported once: the log's one keyed hash, for pseudonyms, entry MACs
// and the seal's synthetic IV. Its own module (node:crypto only), so that the verify workers
// (verify-worker.ts) load little.
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import type { LogKey } from "./key.ts";

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

/** The decision-log/2 MAC of an entry hash under an integrity key. */
export class EntryMac {
  private readonly hmac: PrimedHmac;
  readonly keyId: string;

  constructor(key: LogKey) {
    this.hmac = new PrimedHmac(key.bytes);
    this.keyId = key.id;
  }

  of(hash: string): string {
    return this.hmac.hex(`kairos decision-log/2 entry ${hash}`);
  }
}
