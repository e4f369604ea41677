// Where decisions go after they are made (spec §4 step 8): the engine hands every decision to
// an attached DecisionSink as one self-contained entry. The immutable, hash-chained decision log
// (runtime/log/) is the real sink; it pseudonymizes PII and chains entries — the engine does not.
import type { Decision, Outcome } from "./decision.ts";
import type { ConsentRecord, HistoryEntry, Objection } from "./request.ts";

/**
 * The request as the log keeps it: the subject's own consent records, objections and cap
 * history only, the event payload cut to the fields journeys read, and the context cut to
 * the minimal bundle that was fetched (values as the provider gave them). Deciding this
 * request again gives the same decision, id included.
 */
export interface MinimizedRequest {
  readonly event: {
    readonly type: string;
    readonly id: string;
    readonly at?: string;
    readonly timer?: string;
    readonly payload?: Readonly<Record<string, unknown>>;
  };
  readonly subject: string;
  readonly now: string;
  readonly region: string;
  readonly context: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** `entity.field` → when the value was read, for the fields whose `freshness` was checked against a given age (runtime/freshness.ts). */
  readonly context_as_of?: Readonly<Record<string, string>>;
  readonly consents: readonly ConsentRecord[];
  readonly objections: readonly Objection[];
  readonly history: readonly HistoryEntry[];
}

/** The policies a decision was made under, by content hash. */
export interface AppliedPolicies {
  /** The artifact's identity (manifest `hash`). */
  readonly artifact: string;
  readonly artifact_version: number;
  readonly compiler: string;
  /** Every artifact part → sha256 (predicates, catalog, OPA bundle, …). */
  readonly parts: Readonly<Record<string, string>>;
  /** Rego source file → sha256, from the manifest; empty when the artifact has no OPA bundle. */
  readonly rego: Readonly<Record<string, string>>;
  readonly opa_version?: string;
  /** True when the standard consent/residency policies were used. */
  readonly default_policies?: boolean;
}

/** One decision as the log receives it. */
export interface DecisionLogEntry {
  readonly decision_id: string;
  /** The request's `now`: when the decision was made, in the request's own terms. */
  readonly at: string;
  readonly subject: string;
  readonly outcome: Outcome;
  readonly journey?: string;
  /** The lawful basis of the winner, when there is one. */
  readonly basis?: string;
  readonly request: MinimizedRequest;
  /**
   * `canonicalJson(request)`, when the engine already computed it (the decision id is a hash of
   * `{"artifact":…,"request":<this text>}`): the log seals exactly this text instead of
   * serializing the request again. Optional; when present it must be that text, byte for byte.
   */
  readonly requestJson?: string;
  readonly policies: AppliedPolicies;
  /** The decision as returned, evaluations and traces included. */
  readonly decision: Decision;
  /**
   * The id (`apr_…`) of the DPO approval that covered the winning journey (docs/approvals.md),
   * set by the service when that journey needed one; absent otherwise (the log writes member
   * `approval` only when set).
   */
  readonly approval?: string;
  /**
   * The journeys the deciding service had left inactive for want of a DPO approval (sorted ids),
   * set only when there were some: a replay must decide without them too (docs/approvals.md).
   */
  readonly inactive?: readonly string[];
}

/** What a sink is told besides the entry. */
export interface AppendOptions {
  /**
   * Aborts when the engine stops waiting (its sink deadline, default 2 s): an asynchronous sink
   * should then give up writing the entry, since the engine is about to offer the `error` entry
   * that replaces it.
   */
  readonly signal?: AbortSignal;
}

/**
 * Receives every decision an engine makes. `append` may be async and may return anything (the
 * log returns its chained entry; the engine ignores it); if it throws, rejects or does not
 * settle within the sink deadline, the engine fails closed and returns an `error` decision
 * with no action (an unlogged action is not allowed), after offering that error decision to
 * the sink once more. Every entry is plain data that canonical JSON can serialize.
 */
export interface DecisionSink {
  append(entry: DecisionLogEntry, options?: AppendOptions): unknown;
}

/** A sink that keeps entries in memory (tests, the playground). */
export class MemorySink implements DecisionSink {
  readonly entries: DecisionLogEntry[] = [];

  append(entry: DecisionLogEntry): void {
    this.entries.push(entry);
  }
}
