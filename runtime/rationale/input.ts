// What a rationale is rendered from: a decision and the metadata of its journeys, plus, when
// known, what it was decided on (request, consents, bundle values, policies) and where it sits
// in the log. Built from a fresh decision or from a log entry; browser-safe (types only from
// the log's format, not its Node-only writer).
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Decision } from "../decision.ts";
import { decisionOf, type LogEntry } from "../log/format.ts";
import type { AppliedPolicies } from "../sink.ts";
import type { ConsentLike, ObjectionLike } from "./basis.ts";

export interface RationaleInput {
  readonly decision: Decision;
  /** Journey id → metadata (titles, trace node texts); journeys without it render a bare trace. */
  readonly journeys: ReadonlyMap<string, JourneyMeta>;
  readonly request?: {
    readonly event: { readonly type: string; readonly id: string; readonly at?: string; readonly timer?: string };
    /** As logged: pseudonymized. */
    readonly subject?: string;
    readonly now: string;
    readonly region: string;
  };
  /** Values of the minimal bundle by path (`customer.tenure_months`), as logged. */
  readonly context?: Readonly<Record<string, unknown>>;
  readonly consents?: readonly ConsentLike[];
  readonly objections?: readonly ObjectionLike[];
  readonly policies?: AppliedPolicies;
  /** Where the decision sits in the log, when it comes from one. */
  readonly log?: { readonly seq: number; readonly hash: string; readonly prev: string; readonly key_id: string; readonly intact?: boolean };
}

function toMap(journeys: ReadonlyMap<string, JourneyMeta> | readonly JourneyMeta[]): ReadonlyMap<string, JourneyMeta> {
  return "get" in journeys ? journeys : new Map(journeys.map((j) => [j.id, j]));
}

/** A rationale input for a decision just made (everything else optional). */
export function fromDecision(
  decision: Decision,
  journeys: ReadonlyMap<string, JourneyMeta> | readonly JourneyMeta[],
  extra: Omit<RationaleInput, "decision" | "journeys"> = {},
): RationaleInput {
  return { ...extra, decision, journeys: toMap(journeys) };
}

/**
 * A rationale input for a logged decision. `journeys` gives the metadata for node texts: what
 * `findDecision` gathered from the log, or an artifact's; by default the entry's own `meta`
 * (complete only in the first entry a writer logged for each journey).
 */
export function fromLogEntry(entry: LogEntry, journeys?: ReadonlyMap<string, JourneyMeta> | readonly JourneyMeta[], intact?: boolean): RationaleInput {
  return {
    decision: decisionOf(entry),
    journeys: journeys ? toMap(journeys) : new Map(Object.entries(entry.meta ?? {})),
    request: entry.request,
    // A purged context (retention) is only its digest: nothing to show.
    ...(typeof entry.context === "string" ? {} : { context: entry.context }),
    consents: entry.consents,
    objections: entry.objections,
    policies: entry.policies,
    log: { seq: entry.seq, hash: entry.hash, prev: entry.prev, key_id: entry.key_id, ...(intact === undefined ? {} : { intact }) },
  };
}
