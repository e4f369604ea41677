// The decision contract's types (spec §4, §6): what `decide` returns, what the log records,
// and what rationale renderers read. Field names are snake_case because they are JSON.

export type { Outcome } from "../core/outcomes.ts";
import type { Outcome } from "../core/outcomes.ts";

/** One traced sub-expression value: node id (see JourneyMeta.nodes) and its value. */
export type TraceEvent = readonly [node: number, value: unknown];

/** A machine-readable reason (from the consent/residency policies or the guardrails). */
export interface Reason {
  readonly code: string;
  readonly message: string;
  readonly [detail: string]: unknown;
}

export interface Evaluation {
  readonly journey: string;
  readonly outcome: Outcome;
  readonly purpose: string;
  readonly priority: number;
  readonly basis?: string;
  readonly reasons?: readonly Reason[];
  /** The `when` trace (empty when the journey was not evaluated). */
  readonly trace: readonly TraceEvent[];
  /** The value of `when`, when it was evaluated. */
  readonly matched?: boolean;
}

export interface Action {
  readonly name: string;
  readonly channel: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
}

export interface Wakeup {
  readonly journey: string;
  readonly timer: string;
  readonly at: string;
}

export interface Decision {
  readonly decision_id: string;
  readonly outcome: Outcome;
  readonly journey?: string;
  readonly action?: Action;
  readonly basis?: string;
  /** The minimal bundle that was requested from the context provider, sorted. */
  readonly fields: readonly string[];
  readonly deferred_until?: string;
  /** The customer-facing sentence of the winner's `reason`, when it has one. */
  readonly explanation?: string;
  readonly wakeups?: readonly Wakeup[];
  readonly evaluations: readonly Evaluation[];
  /**
   * When the outcome is `stale`: what was out of date — each `stale_event` / `stale_field` reason
   * once, with its `as_of`, `age_seconds` and catalog `freshness` (docs/runtime.md#freshness).
   */
  readonly stale?: readonly Reason[];
  /** When the outcome is `error`: what failed (fail closed). */
  readonly error?: { readonly code: string; readonly message: string };
  readonly artifact: string;
}
