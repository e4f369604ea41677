// The compiled artifact's contract: what `kairos compile` writes and what the runtime, the
// playground and tests load. The generated predicates module exports exactly `journeys`.

/** Artifact format version; bumped on any incompatible change. */
export const ARTIFACT_VERSION = 1;

/** A source location in 1-based lines and columns. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** One traced sub-expression of a journey's `when` (or `reason`), numbered in pre-order. */
export interface TraceNode {
  readonly id: number;
  /** The AST kind (`binary`, `path`, `call`, …) and, for operators, the operator. */
  readonly kind: string;
  readonly op?: string;
  /** The source text of the sub-expression, as the author wrote it (cut to 500 characters, ending in `…`). */
  readonly text: string;
  readonly loc: SourceLoc;
  /** The language type of its value (`int`, `date`, `enum`, …), for rendering values. */
  readonly type: string;
  /**
   * Ids of its direct sub-expressions. A use of a named condition has the condition's body as
   * its child; the body is one node shared by every use in the journey (numbered under the first).
   */
  readonly children: readonly number[];
}

/**
 * Records a sub-expression's value and returns it. Every traced node calls it once per
 * evaluation (short-circuited nodes are not called; quantifier bodies once per element).
 */
export type Tracer = (id: number, value: unknown) => unknown;

/** Runtime representation of context values: dates are epoch days, datetimes epoch ms. */
export type ContextValue = boolean | number | string | null | undefined | ContextValue[] | { [k: string]: ContextValue };

/** What a journey predicate receives: entity records, the event payload, and `now` (epoch ms). */
export interface PredicateContext {
  readonly now: number;
  readonly event: Readonly<Record<string, ContextValue>>;
  readonly [entity: string]: unknown;
}

export interface JourneyMeta {
  readonly id: string;
  readonly title: string;
  readonly purpose: string;
  readonly risk: "low" | "medium" | "high";
  readonly priority: number;
  readonly trigger: { readonly event: string; readonly timers: readonly { readonly label: string; readonly ms: number }[] };
  readonly action: { readonly name: string; readonly channel: string; readonly params: Readonly<Record<string, string | number | boolean>> };
  readonly cap?: { readonly count: number; readonly windowMs: number; readonly window: string };
  readonly quiet?: { readonly from: string; readonly to: string; readonly fromMinutes: number; readonly toMinutes: number };
  readonly holdout?: { readonly percent: number; readonly salt: string };
  /** `goal renewal within 30d`: what the journey is judged on, and in what window after it acted (docs/value.md). */
  readonly goal?: JourneyGoal;
  /** `stop_loss complaint_rate > 0.5% [or …] [min N]`: when the service stops the journey (docs/value.md#stop-loss). */
  readonly stopLoss?: StopLoss;
  readonly review: boolean;
  /** The minimal context bundle, sorted. */
  readonly fields: readonly string[];
  readonly eventFields: readonly string[];
  readonly loc: SourceLoc;
  /** Trace nodes of `when` then of each `reason` interpolation, ids 0..n-1. */
  readonly nodes: readonly TraceNode[];
  /** Id of the root node of `when`. */
  readonly whenRoot: number;
}

/** A journey's `goal TYPE within DURATION`. */
export interface JourneyGoal {
  /** An outcome type of the catalog (built-in or declared in `value: outcomes:`). */
  readonly type: string;
  /** The window as written (`30d`). */
  readonly within: string;
  readonly windowMs: number;
}

/** One condition of a `stop_loss` clause: `complaint_rate > 0.5%` or `complaint_uplift > 1%`. */
export interface StopLossCondition {
  /** As written: `<type>_rate` or `<type>_uplift`. */
  readonly metric: string;
  /** The outcome type the metric is about. */
  readonly type: string;
  /**
   * `rate`: the share of treated subjects with the outcome within the window passes the threshold;
   * `uplift`: the lower bound of the 95% interval of (treated rate − held-out rate) passes it.
   */
  readonly kind: "rate" | "uplift";
  /** The threshold in percent as written (0.5 for `0.5%`). */
  readonly percent: number;
}

/** A journey's `stop_loss` clause. */
export interface StopLoss {
  /** Any one passing its threshold stops the journey. */
  readonly conditions: readonly StopLossCondition[];
  /** Treated subjects needed before any condition is judged (`min N`, default 100). */
  readonly min: number;
  /** The window outcomes are counted in after each subject's first decision: the goal's, else 30d. */
  readonly window: string;
  readonly windowMs: number;
}

/** A journey as the runtime runs it. */
export interface CompiledJourney {
  readonly meta: JourneyMeta;
  /** Evaluates `when`; values of sub-expressions go to `trace`. */
  readonly when: (ctx: PredicateContext, trace: Tracer) => boolean;
  /** Renders `reason` (undefined when the journey has none). */
  readonly reason?: (ctx: PredicateContext, trace: Tracer) => string;
}

/** The generated module's one export. */
export interface PredicatesModule {
  readonly journeys: readonly CompiledJourney[];
}

/** `manifest.json` of an artifact directory. */
export interface Manifest {
  readonly artifact_version: number;
  readonly compiler: { readonly name: "kairos"; readonly version: string };
  /** sha256 over the sorted part hashes: the artifact's identity. */
  readonly hash: string;
  /** Relative path → sha256 hex of its bytes. */
  readonly parts: Readonly<Record<string, string>>;
  readonly sources: Readonly<Record<string, string>>;
  readonly opa: {
    readonly version: string;
    readonly entrypoints: readonly string[];
    readonly rego: Readonly<Record<string, string>>;
    readonly wasm: string;
    readonly default_policies: boolean;
  } | null;
  readonly journeys: readonly {
    readonly id: string;
    readonly purpose: string;
    readonly trigger: string;
    readonly timers: readonly string[];
    readonly fields: readonly string[];
    /** The journey's content hash (`sha256:…`), which DPO approvals bind to (docs/approvals.md); absent in older artifacts. */
    readonly content?: string;
  }[];
  readonly purposes: readonly string[];
  readonly triggers: Readonly<Record<string, readonly string[]>>;
}

/** The parts of an artifact directory, by role: one definition for every writer and reader. */
export const ARTIFACT_PART = {
  manifest: "manifest.json",
  /** The generated predicates module, JavaScript: what the runtime imports. */
  predicates: "predicates.js",
  /** The same module in TypeScript, for people and type checkers (never read at run time). */
  predicatesTs: "predicates.ts",
  catalog: "catalog.json",
  /** The OPA consent/residency bundle, when the policy set has one. */
  bundle: "opa/bundle.tar.gz",
} as const;

/**
 * An artifact's identity (the manifest's `hash`): `sha256` over the sorted `path:hash` lines of
 * its parts. `sha256` is passed in, so that this contract stays free of any hashing library.
 */
export function artifactIdentity(parts: Readonly<Record<string, string>>, sha256: (text: string) => string): string {
  const lines = Object.entries(parts)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([p, h]) => `${p}:${h}`);
  return sha256(lines.join("\n"));
}
