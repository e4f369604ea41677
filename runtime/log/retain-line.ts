// Purging one decision log line (docs/decision-log.md#retention): the values of its committed
// members, `context` and `sealed`, are replaced by the `"sha256:<hex>"` digest of their JSON
// text, which is exactly what the entry's hash already covers in their place (hash.ts, "the
// hashed form"). Every other byte of the line stays, so `hash`, `mac` and the chain are
// unchanged — and that is checked here, for every line purged, before anyone writes it. Shared
// by the file log (retain.ts) and the service's store (server/store/retain.ts).
import { COMMITTED_MEMBERS, LOG_FORMAT, PURGED_PREFIX } from "./format.ts";
import { commitment, hashedText, sha256, stringEnd, valueEnd } from "./hash.ts";
import { LogError } from "./errors.ts";
import { entryDue, type EntryDue, type RetentionPolicy } from "./retain-policy.ts";

/** What retention does with one line. */
export type LineVerdict =
  /** Past its retention: `line` is the purged text (same hash and mac); `removed` bytes shorter. */
  | { readonly kind: "purged"; readonly line: string; readonly removed: number; readonly due: EntryDue }
  /** Context and seal are already digests (purged earlier, or erased). */
  | { readonly kind: "already" }
  /** Within its retention: due later. */
  | { readonly kind: "kept"; readonly due: EntryDue }
  /** Nothing limits it: no field of its context has a retention and there is no default. */
  | { readonly kind: "unlimited" };

/** The members of a line that retention reads. */
export interface ParsedLine {
  readonly $kairos?: unknown;
  readonly seq?: unknown;
  readonly at?: unknown;
  readonly hash?: unknown;
  readonly mac?: unknown;
  readonly context?: unknown;
  readonly sealed?: unknown;
  readonly fields?: unknown;
}

/** A line parsed for retainLine; `log/corrupt` when it is not JSON. */
export function parseLine(line: string): ParsedLine {
  try {
    return JSON.parse(line) as ParsedLine;
  } catch {
    throw new LogError("log/corrupt", "a line of the log is not valid JSON", "run `kairos log verify` on it");
  }
}

const COMMITTED: ReadonlySet<string> = new Set(COMMITTED_MEMBERS);
const isDigest = (v: unknown): boolean => typeof v === "string" && v.startsWith(PURGED_PREFIX) && v.length === PURGED_PREFIX.length + 64;

/** The paths whose values an entry's context holds (its `context` keys and its decision's `fields`). */
function pathsOf(entry: { context?: unknown; fields?: unknown }): string[] {
  const paths = new Set<string>();
  if (entry.context !== null && typeof entry.context === "object" && !Array.isArray(entry.context)) for (const k of Object.keys(entry.context)) paths.add(k);
  if (Array.isArray(entry.fields)) for (const f of entry.fields) if (typeof f === "string") paths.add(f);
  return [...paths];
}

/**
 * The line with each committed top-level member replaced by its digest (members already digests
 * stay). Undefined when the line is not one JSON object on one line as the writer makes them.
 */
export function purgeCommitted(line: string): string | undefined {
  if (line.charCodeAt(0) !== 0x7b) return undefined;
  let out = "";
  let last = 0;
  let i = 1;
  if (line.charCodeAt(i) === 0x7d) return line;
  for (;;) {
    if (line.charCodeAt(i) !== 0x22) return undefined;
    const keyEnd = stringEnd(line, i);
    if (keyEnd < 0 || line.charCodeAt(keyEnd + 1) !== 0x3a) return undefined;
    const key = line.slice(i + 1, keyEnd);
    const start = keyEnd + 2;
    const end = valueEnd(line, start);
    if (end < 0) return undefined;
    if (COMMITTED.has(key)) {
      out += line.slice(last, start) + commitment(line.slice(start, end));
      last = end;
    }
    const c = line.charCodeAt(end);
    if (c === 0x7d) return end === line.length - 1 ? out + line.slice(last) : undefined;
    if (c !== 0x2c) return undefined;
    i = end + 1;
  }
}

/**
 * What retention at `nowMs` does with one decision-log/2 line (without its newline). A purged
 * line is checked to hash to the entry's own `hash` (so its `mac` and the chain still hold);
 * a line that would not is a bug, reported as `log/corrupt` rather than written.
 */
export function retainLine(line: string, policy: RetentionPolicy, nowMs: number, parsed?: ParsedLine): LineVerdict {
  const entry = parsed ?? parseLine(line);
  if (entry.$kairos !== LOG_FORMAT) {
    throw new LogError(
      "log/old-format",
      `entry ${String(entry.seq)} is a \`${String(entry.$kairos)}\` entry: its hash covers its context in clear, so purging it would break the chain`,
      "only decision-log/2 logs can be purged; keep older logs as they are or delete them whole",
    );
  }
  const contextDone = entry.context === undefined || isDigest(entry.context);
  const sealedDone = entry.sealed === undefined || isDigest(entry.sealed);
  if (contextDone && sealedDone) return { kind: "already" };
  const due = entryDue(policy, typeof entry.at === "string" ? entry.at : "", pathsOf(entry));
  if (due === undefined) return { kind: "unlimited" };
  if (due.dueMs > nowMs) return { kind: "kept", due };
  const purged = purgeCommitted(line);
  const hash = typeof entry.hash === "string" ? entry.hash : "";
  const text = purged === undefined ? undefined : hashedText(purged, LOG_FORMAT, hash, typeof entry.mac === "string" ? entry.mac : undefined);
  if (purged === undefined || text === undefined || sha256(text) !== hash) {
    throw new LogError(
      "log/corrupt",
      `entry ${String(entry.seq)} cannot be purged without changing its hash (is it intact?)`,
      "run `kairos log verify`; nothing was rewritten",
    );
  }
  return { kind: "purged", line: purged, removed: Buffer.byteLength(line) - Buffer.byteLength(purged), due };
}
