// Hashing and serializing entries: sha256 from node:crypto (verification of a large log is
// bound by it), over the canonical JSON that format.ts describes.
import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json.ts";
import type { LogEntry } from "./format.ts";

/** sha256 hex of a string's UTF-8 bytes. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Serializes a chained entry and computes its hash over the canonical JSON without `hash`.
 * Members are serialized once and joined twice (without and with `hash`, in key order), so the
 * line is exactly canonicalJson({...entry, hash}).
 */
export function serializeEntry(entry: Omit<LogEntry, "hash">): { line: string; hash: string } {
  const record = entry as unknown as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined && k !== "hash").sort();
  const members = keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
  const hash = sha256(`{${members.join(",")}}`);
  const at = keys.findIndex((k) => k > "hash");
  const member = `"hash":"${hash}"`;
  if (at < 0) members.push(member);
  else members.splice(at, 0, member);
  return { line: `{${members.join(",")}}\n`, hash };
}
