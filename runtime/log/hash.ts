// Hashing and serializing entries: sha256 from node:crypto (verification of a large log is
// bound by it), over the canonical JSON that format.ts describes.
import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json.ts";
import type { LogEntry } from "./format.ts";

/** sha256 hex of a string's UTF-8 bytes. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Serializes a chained entry: its hash is computed here, over the canonical JSON without `hash`. */
export function serializeEntry(entry: Omit<LogEntry, "hash">): { line: string; hash: string } {
  const body = canonicalJson(entry);
  const hash = sha256(body);
  // Inserting `"hash"` keeps the canonical key order, so the line is canonicalJson({...entry, hash}).
  const line = canonicalJson({ ...entry, hash });
  return { line: line + "\n", hash };
}
