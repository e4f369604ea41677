// The decision log's line format (docs/decision-log.md): one canonical-JSON object per line,
// chained by hashes. Everything that reads or writes lines agrees on it through this file
// (browser-safe; hashing and serializing live in hash.ts).
import type { JourneyMeta } from "../../compiler/artifact.ts";
import type { Json } from "../canonical-json.ts";
import type { Decision } from "../decision.ts";
import type { AppliedPolicies } from "../sink.ts";

/** The first member of every entry: identifies the file as a Kairos decision log and its version. */
export const LOG_FORMAT = "decision-log/1";
/** How every entry line begins; the canonical key order puts `$kairos` first. */
export const LINE_PREFIX = `{"$kairos":"${LOG_FORMAT}"`;
/** Marks a line as (probably) a Kairos entry whatever its version, to tell a log from other files. */
export const LOG_SIGNATURE = `"$kairos":"decision-log/`;
/** `prev` of the first entry. */
export const GENESIS = "0".repeat(64);

/** The request as logged: no payload (the payload fields read are in `context`), subject pseudonymized. */
export interface LoggedRequest {
  readonly event: { readonly type: string; readonly id: string; readonly at?: string; readonly timer?: string };
  readonly subject: string;
  readonly now: string;
  readonly region: string;
}

/** A consent record as the policies saw it, subject pseudonymized (spec §5). */
export interface LoggedConsent {
  readonly subject?: string;
  readonly purpose: string;
  readonly channel?: string | null;
  readonly status: string;
  readonly at: string | number;
  readonly expires_at?: string | number | null;
  readonly source?: string;
  readonly notice_version?: string;
  readonly id?: string;
}

/** An objection (GDPR Art. 21) as the policies saw it, subject pseudonymized. */
export interface LoggedObjection {
  readonly subject?: string;
  readonly scope: string;
  readonly at: string | number;
}

/** An earlier acted decision the caps were counted from, subject pseudonymized. */
export interface LoggedHistory {
  readonly subject?: string;
  readonly journey: string;
  readonly at: string;
}

/** What the log adds around a decision. */
export interface LogFields {
  readonly $kairos: typeof LOG_FORMAT;
  /** 1, 2, 3… with no gaps; line n of an intact log holds seq n. */
  readonly seq: number;
  /** The decision time: the request's `now`, as ISO 8601 UTC. */
  readonly at: string;
  /** `hash` of the previous entry, GENESIS for the first. */
  readonly prev: string;
  /** sha256 hex over the canonical JSON of this entry without `hash`. */
  readonly hash: string;
  /** First 16 hex digits of sha256(pseudonymization key): which key made the `hmac:` values. */
  readonly key_id: string;
  /** The policies applied, by content hash: the artifact, its parts, the Rego sources. */
  readonly policies: AppliedPolicies;
  readonly request: LoggedRequest;
  /** The minimal bundle's values by path (`customer.tenure_months`, `event.csat`), PII pseudonymized. */
  readonly context: Readonly<Record<string, Json>>;
  readonly consents: readonly LoggedConsent[];
  readonly objections: readonly LoggedObjection[];
  /** The cap history the guardrails counted. */
  readonly history: readonly LoggedHistory[];
  /**
   * Metadata (title, trace node texts…) of evaluated journeys that this writer has not logged
   * before: each writer stores a journey's metadata once per artifact, in the first entry that
   * needs it; later entries refer to it by `artifact` + journey id (see read.ts).
   */
  readonly meta?: Readonly<Record<string, JourneyMeta>>;
  /** The minimized request, encrypted for the key holder (see seal.ts); what `kairos replay` re-decides. */
  readonly sealed?: string;
}

/** One line of the log: the decision (PII pseudonymized) plus the log's own fields. */
export type LogEntry = Decision & LogFields;

/** An entry before it is chained: what the writer hashes after adding seq, prev and key_id. */
export type UnchainedEntry = Omit<LogEntry, "seq" | "prev" | "hash" | "at" | "$kairos">;

const LOG_ONLY_KEYS: ReadonlySet<string> = new Set([
  "$kairos", "seq", "at", "prev", "hash", "key_id", "policies", "request", "context", "consents", "objections", "history", "meta", "sealed",
]);

/** The decision inside an entry (every member the log did not add). */
export function decisionOf(entry: LogEntry): Decision {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) if (!LOG_ONLY_KEYS.has(k)) out[k] = v;
  return out as unknown as Decision;
}

/**
 * The text a line's hash is computed over: the line minus its `,"hash":"…"` member. For a line
 * written by the writer this is exactly the canonical JSON of the entry without `hash`; any other
 * byte difference (whitespace, key order) therefore shows up as a hash mismatch, which is what a
 * tamper-evident log wants. Returns undefined when the member is not there.
 */
export function hashedText(line: string, hash: string): string | undefined {
  const member = `,"hash":"${hash}"`;
  const at = line.indexOf(member);
  return at < 0 ? undefined : line.slice(0, at) + line.slice(at + member.length);
}

/** A problem with one parsed line's shape, or undefined when it looks like an entry. */
export function shapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const e = value as Record<string, unknown>;
  if (typeof e["$kairos"] !== "string" || !e["$kairos"].startsWith("decision-log/")) return "not a decision log entry (no `$kairos` member)";
  if (e["$kairos"] !== LOG_FORMAT) return `unsupported log format \`${e["$kairos"]}\` (this Kairos reads \`${LOG_FORMAT}\`)`;
  if (!Number.isSafeInteger(e["seq"]) || (e["seq"] as number) < 1) return "no valid `seq`";
  if (typeof e["prev"] !== "string" || !/^[0-9a-f]{64}$/.test(e["prev"])) return "no valid `prev` hash";
  if (typeof e["hash"] !== "string" || !/^[0-9a-f]{64}$/.test(e["hash"])) return "no valid `hash`";
  if (typeof e["decision_id"] !== "string") return "no `decision_id`";
  return undefined;
}
