// What checking `test` and `property` blocks produces: for each test, the request it sends
// (spec §6's request file, without the file) and its expectations; for each property, its
// trigger, the inputs it fixes and its checked expressions. Browser-safe.
import type * as A from "../syntax/ast.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import type { Resolution, Type } from "../checker/checked.ts";
import type { Span } from "../../core/source.ts";

/** The outcomes a test may expect: every outcome of the contract, in its order. */
export { OUTCOMES } from "../../core/outcomes.ts";
import type { Outcome } from "../../core/outcomes.ts";
export type OutcomeName = Outcome;

/** Consent statuses of spec §5. */
export const CONSENT_STATUSES = ["granted", "withdrawn", "denied"] as const;

/** Defaults of a test that does not say: documented in docs/testing.md. */
export const TEST_DEFAULTS = { region: "eu", subject: "subject-1", eventId: "test-event" } as const;

export interface ConsentInput {
  readonly purpose: string;
  readonly channel?: string;
  readonly status: (typeof CONSENT_STATUSES)[number];
  /** Absent in a property: generated before `now`. In a test it defaults to `now`. */
  readonly at?: string;
  readonly expires_at?: string;
}

export interface ObjectionInput {
  /** `direct_marketing` or `purpose:<id>`. */
  readonly scope: string;
  readonly at?: string;
}

export interface HistoryInput {
  readonly journey: string;
  readonly at?: string;
}

/** A decision request (spec §6) as a test sends it. */
export interface TestRequest {
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
  readonly consents: readonly (ConsentInput & { readonly at: string })[];
  readonly objections: readonly (ObjectionInput & { readonly at: string })[];
  readonly history: readonly (HistoryInput & { readonly at: string })[];
}

/**
 * One `expect` line of a test. `source` is the line as `kairos fmt` prints it. The first kind,
 * `outcome`, is `expect acted [journey] [until T]`: the decision's outcome, its winner, its deferral.
 */
export type Expectation = {
  readonly span: Span;
  readonly source: string;
} & (
  | { readonly kind: "outcome"; readonly outcome: OutcomeName; readonly journey?: string; readonly until?: { readonly text: string; readonly ms: number } }
  /** `expect journey outcome`: one candidate's own outcome. */
  | { readonly kind: "candidate"; readonly journey: string; readonly outcome: OutcomeName }
  | { readonly kind: "basis"; readonly basis: string }
  | { readonly kind: "action"; readonly action: string; readonly params?: Readonly<Record<string, string | number | boolean>> }
  | { readonly kind: "channel"; readonly channel: string }
  /** `expect reason "…"`: the customer-facing sentence of the winner. */
  | { readonly kind: "reason"; readonly text: string }
  /** `expect wakeup journey 3d [at T]`: a timed follow-up the decision schedules. */
  | {
      readonly kind: "wakeup";
      readonly journey: string;
      readonly timer: { readonly label: string; readonly ms: number };
      readonly at?: { readonly text: string; readonly ms: number };
    }
);

export interface CheckedTest {
  readonly kind: "test";
  readonly name: string;
  readonly file: string;
  readonly span: Span;
  readonly request: TestRequest;
  readonly expectations: readonly Expectation[];
}

/** What a property fixes; everything else is generated. */
export interface FixedInputs {
  readonly now?: string;
  readonly region?: string;
  readonly subject?: string;
  /** Entity → field → JSON value. */
  readonly context: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly consents: readonly ConsentInput[];
  readonly objections: readonly ObjectionInput[];
  readonly history: readonly HistoryInput[];
}

export interface CheckedProperty {
  readonly kind: "property";
  readonly name: string;
  readonly file: string;
  readonly span: Span;
  /** `on E [after D]`; absent: any event some journey listens to. */
  readonly trigger?: { readonly event: string; readonly timer?: { readonly label: string; readonly ms: number } };
  readonly fixed: FixedInputs;
  readonly assumes: readonly A.Expr[];
  readonly expects: readonly A.Expr[];
  readonly runs: number;
  /** Where `assume` is (for the "too strict" diagnostic), else the property's name. */
  readonly assumeSpan: Span;
}

/** Every test and property of a policy set, ready to run. */
export interface CheckedSuite {
  readonly tests: readonly CheckedTest[];
  readonly properties: readonly CheckedProperty[];
  /**
   * The catalog property expressions were checked against: the policy set's, plus the
   * `decision` entity (docs/testing.md) that `expect` reads.
   */
  readonly scope: Catalog;
  /** Types and resolutions of property expressions, for evaluating them. */
  readonly types: ReadonlyMap<A.Expr, Type>;
  readonly resolutions: ReadonlyMap<A.PathExpr, Resolution>;
}

export const DEFAULT_RUNS = 200;
export const MAX_RUNS = 100_000;
