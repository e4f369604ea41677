// The decision log's line format (docs/decision-log.md): one canonical-JSON object per line,
// chained by hashes and, since decision-log/2, authenticated by a keyed MAC. Everything that
// reads or writes lines agrees on it through this file (browser-safe; hashing and serializing
// live in hash.ts).
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Json } from "../../core/canonical-json.ts";
import type { Decision } from "../decision.ts";
import type { AppliedPolicies } from "../sink.ts";

/** The format this Kairos writes. */
export const LOG_FORMAT = "decision-log/2";
/** The first format: a plain sha256 chain, no MAC; still read and verified. */
export const LOG_FORMAT_V1 = "decision-log/1";
/** Every format this Kairos reads. */
export type LogFormat = typeof LOG_FORMAT | typeof LOG_FORMAT_V1;
/** How every entry line this Kairos writes begins; the canonical key order puts `$kairos` first. */
export const LINE_PREFIX = `{"$kairos":"${LOG_FORMAT}"`;
/** How every line of a decision-log/1 log begins. */
export const LINE_PREFIX_V1 = `{"$kairos":"${LOG_FORMAT_V1}"`;
/** Marks a line as (probably) a Kairos entry whatever its version, to tell a log from other files. */
export const LOG_SIGNATURE = `"$kairos":"decision-log/`;
/** `prev` of the first entry. */
export const GENESIS = "0".repeat(64);
/**
 * Members committed by digest (decision-log/2): the entry's hash covers `sha256:<hex>` of their
 * JSON text instead of the text itself, so retention can later replace a value by its digest
 * and the chain still verifies. `sealed` holds the person's data in clear for the key holder;
 * `context` the minimal bundle's values.
 */
export const COMMITTED_MEMBERS = ["context", "sealed"] as const;
/** A committed member whose value was removed (by retention) and only its digest is left. */
export const PURGED_PREFIX = "sha256:";

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
  /** The action's channel and the journey's purpose, when the history entry named them (channel caps count them). */
  readonly channel?: string;
  readonly purpose?: string;
}

/** What the log adds around a decision. */
export interface LogFields {
  readonly $kairos: LogFormat;
  /** 1, 2, 3… with no gaps; line n of an intact log holds seq n. */
  readonly seq: number;
  /** The decision time: the request's `now`, as ISO 8601 UTC. */
  readonly at: string;
  /** `hash` of the previous entry, GENESIS for the first. */
  readonly prev: string;
  /**
   * sha256 hex over the canonical JSON of this entry without `hash` and `mac`, the committed
   * members (COMMITTED_MEMBERS) counted by their digest (decision-log/2; all of it in /1).
   */
  readonly hash: string;
  /** decision-log/2: HMAC-SHA256 hex of `hash` under the integrity key: only its holder can make one. */
  readonly mac?: string;
  /** decision-log/2: which integrity key made `mac`. */
  readonly ikey_id?: string;
  /**
   * Which pseudonymization key made the `hmac:` values (see key.ts); under per-subject keys, the
   * log key whose HMAC finds each subject's key.
   */
  readonly key_id: string;
  /**
   * The per-subject key that made this entry's pseudonyms and seal (subject-key.ts), by id; absent
   * in logs that pseudonymize under the log key alone. Destroying that key erases the subject.
   */
  readonly subject_key?: string;
  /** The id of the DPO approval that covered the decided journey (docs/approvals.md), when one did. */
  readonly approval?: string;
  /**
   * The journeys the deciding service had left inactive for want of a DPO approval (sorted ids),
   * only when there were some: `kairos replay` decides that entry without them too.
   */
  readonly inactive?: readonly string[];
  /**
   * The rollout the entry was decided under (docs/rollout.md#in-the-decision-log): its generation and the arm
   * (`stable`, `canary`, or `pinned` for a wake-up kept on the version that scheduled it); only
   * while a rollout is active.
   */
  readonly rollout?: { readonly generation: number; readonly arm: string };
  /**
   * The policies applied, by content hash: the artifact, its parts, the Rego sources. In
   * decision-log/2 only in the first entry a writer logs for an artifact (like `meta`): later
   * entries of the same artifact refer to it through `artifact` (see read.ts).
   */
  readonly policies?: AppliedPolicies;
  readonly request: LoggedRequest;
  /**
   * The minimal bundle's values by path (`customer.tenure_months`, `event.csat`), PII
   * pseudonymized; `sha256:<hex>` once purged by retention.
   */
  readonly context: Readonly<Record<string, Json>> | string;
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
export type UnchainedEntry = Omit<LogEntry, "seq" | "prev" | "hash" | "mac" | "ikey_id" | "at" | "$kairos">;

const LOG_ONLY_KEYS: ReadonlySet<string> = new Set([
  "$kairos",
  "seq",
  "at",
  "prev",
  "hash",
  "mac",
  "ikey_id",
  "key_id",
  "subject_key",
  "approval",
  "inactive",
  "rollout",
  "policies",
  "request",
  "context",
  "consents",
  "objections",
  "history",
  "meta",
  "sealed",
]);

/** The decision inside an entry (every member the log did not add). */
export function decisionOf(entry: LogEntry): Decision {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) if (!LOG_ONLY_KEYS.has(k)) out[k] = v;
  return out as unknown as Decision;
}

/** A problem with one parsed line's shape, or undefined when it looks like an entry. */
export function shapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const e = value as Record<string, unknown>;
  const format = e["$kairos"];
  if (typeof format !== "string" || !format.startsWith("decision-log/")) return "not a decision log entry (no `$kairos` member)";
  if (format !== LOG_FORMAT && format !== LOG_FORMAT_V1)
    return `unsupported log format \`${format}\` (this Kairos reads \`${LOG_FORMAT}\` and \`${LOG_FORMAT_V1}\`)`;
  if (!Number.isSafeInteger(e["seq"]) || (e["seq"] as number) < 1) return "no valid `seq`";
  if (typeof e["prev"] !== "string" || !HEX64.test(e["prev"])) return "no valid `prev` hash";
  if (typeof e["hash"] !== "string" || !HEX64.test(e["hash"])) return "no valid `hash`";
  if (typeof e["decision_id"] !== "string") return "no `decision_id`";
  if (format === LOG_FORMAT) {
    if (typeof e["mac"] !== "string" || !HEX64.test(e["mac"])) return "no valid `mac`";
    if (typeof e["ikey_id"] !== "string") return "no `ikey_id`";
    if (typeof e["sealed"] !== "string") return "no `sealed` request";
  }
  return undefined;
}

const HEX64 = /^[0-9a-f]{64}$/;
