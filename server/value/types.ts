// The scoreboard's data (docs/value.md): what `kairos report value` and the service's /dashboard
// render, and what `--format json` prints. analysis.ts builds it from the store's aggregates, the
// artifact's journeys and the catalog's `value:` section; render-*.ts draw it. Plain data only
// (JSON as is): fractions are 0..1, money is in `currency`, intervals are 95% and two-sided.

/** A point estimate with its 95% interval; `null` bounds when the data cannot give one (no subject in an arm). */
export interface Estimate {
  readonly estimate: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

/** One arm of a journey's experiment, for the journey's goal. */
export interface ArmFigures {
  readonly subjects: number;
  readonly converted: number;
  /** converted / subjects (null without subjects). */
  readonly rate: number | null;
  /** Mean outcome value per subject (null without subjects). */
  readonly meanValue: number | null;
}

/** A stop-loss condition's figures now. */
export interface StopLossFigures {
  /** As written: `complaint_rate > 0.5%`. */
  readonly condition: string;
  /** The value compared with the threshold (the treated rate, or the uplift interval's lower bound), a fraction. */
  readonly value: number | null;
  readonly threshold: number;
  readonly subjects: number;
  /** The condition passes its threshold (and `min` subjects were reached). */
  readonly tripped: boolean;
}

/** One journey node's line on the scoreboard. */
export interface JourneyValue {
  readonly journey: string;
  readonly title: string;
  readonly purpose: string;
  readonly channel: string;
  /** Where it is written (`renewals.journey:6`). */
  readonly source?: string;
  /** The goal as written (`renewal within 30d`), absent when the journey has none. */
  readonly goal?: {
    readonly type: string;
    readonly within: string;
    /** The goal's outcome type is a harm (`harm: true`: complaint, unsubscribe): a fall is the good news (the scoreboard colours it so). */
    readonly harm?: boolean;
  };
  readonly holdoutPercent?: number;
  /** Decisions it won, by outcome (acted, deferred, pending_review, held_out). */
  readonly volume: Readonly<Record<string, number>>;
  /** Distinct subjects per arm (all, matured or not). */
  readonly subjects: { readonly treated: number; readonly holdout: number; readonly global_control: number };
  /** Subjects whose window has not ended yet (left out of the goal's figures). */
  readonly immature: number;
  /** Per outcome type: the share of treated (matured) subjects with it in the window. */
  readonly outcomeMix: Readonly<Record<string, number | null>>;
  /** The goal's figures; absent without a goal. */
  readonly treated?: ArmFigures;
  readonly control?: ArmFigures;
  /** Treated rate − held-out rate (Newcombe hybrid score interval). */
  readonly upliftAbs?: Estimate;
  /** Treated rate / held-out rate − 1 (Katz log interval). */
  readonly upliftRel?: Estimate;
  /** Mean value per subject, treated − held-out (Welch interval). */
  readonly upliftValue?: Estimate;
  /** upliftAbs × treated subjects. */
  readonly incrementalConversions?: Estimate;
  /** upliftValue × treated subjects. */
  readonly incrementalValue?: Estimate;
  /** Actions taken × the channel's cost. */
  readonly cost: number;
  /** Cost / incremental conversions (null when there are none). */
  readonly costPerIncremental?: number | null;
  /** Incremental value − cost. */
  readonly return?: Estimate;
  /** Return / cost (null when cost is 0). */
  readonly roi?: number | null;
  /** Whether the uplift interval excludes 0: `positive`, `negative`, or `inconclusive`. */
  readonly verdict?: "positive" | "negative" | "inconclusive" | "no_control";
  readonly stopLoss?: {
    readonly state: "running" | "stopped";
    /** When stopped: why, since when, by whom. */
    readonly stopped?: { readonly reason: string; readonly since: string; readonly by: string };
    readonly conditions: readonly StopLossFigures[];
  };
}

/** The catalog's global control group against everyone else, per goal type. */
export interface GlobalImpact {
  readonly percent: number;
  readonly salt: string;
  readonly perType: readonly {
    readonly type: string;
    readonly windowMs: number;
    readonly treated: ArmFigures;
    readonly control: ArmFigures;
    readonly upliftAbs: Estimate;
    readonly incrementalConversions: Estimate;
    readonly incrementalValue: Estimate;
  }[];
}

/** The golden signals of a running service (the dashboard only; absent in `kairos report value`). */
export interface GoldenSignals {
  /** Decision latency quantiles in milliseconds since the service started. */
  readonly latencyMs: { readonly p50: number | null; readonly p95: number | null; readonly p99: number | null };
  /** Requests answered 5xx / all requests. */
  readonly errorRate: number | null;
  /** Decisions per second over the service's life, and requests in flight now. */
  readonly throughput: number;
  readonly inflight: number;
  /** Store pool use (busy / total) and waiters: saturation. */
  readonly saturation: { readonly poolBusy: number; readonly poolTotal: number; readonly waiting: number };
  readonly uptimeSeconds: number;
}

/** Consent health: of the candidates screened, the share denied, by reason. */
export interface ConsentHealth {
  readonly decisions: number;
  readonly candidates: number;
  readonly deniedShare: number | null;
  /** Reason code → count and share of candidates. */
  readonly reasons: readonly { readonly code: string; readonly count: number; readonly share: number }[];
}

/** The whole scoreboard. */
export interface ValueReport {
  /** When the figures were computed and the time windows were judged against (ISO 8601 UTC). */
  readonly asOf: string;
  readonly artifact: string;
  readonly currency: string;
  readonly journeys: readonly JourneyValue[];
  /** Totals over the journeys with a goal: incremental conversions and value, cost, return. */
  readonly totals: { readonly incrementalConversions: number; readonly incrementalValue: number; readonly cost: number; readonly return: number };
  readonly global?: GlobalImpact;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly consent: ConsentHealth;
  readonly signals?: GoldenSignals;
}
