// The contract between the runtime and the consent/residency policies (docs/opa-contract.md):
// the data document built from the catalog, the Wasm input and the per-candidate verdicts.

/** The data document (`data.json` of the bundle); everything lives under `data.catalog`. */
export interface OpaDataDocument {
  readonly catalog: {
    readonly purposes: Readonly<Record<string, OpaPurposeData>>;
    /** Keyed by `entity.field`. */
    readonly fields: Readonly<Record<string, { readonly residency: string }>>;
    /** Region → regions it may also be processed in. */
    readonly transfers: Readonly<Record<string, readonly string[]>>;
  };
}

export interface OpaPurposeData {
  readonly bases: readonly string[];
  readonly channels: readonly string[];
  readonly marketing: boolean;
}

export type ConsentStatus = "granted" | "withdrawn" | "denied";
export const CONSENT_STATUSES: readonly ConsentStatus[] = ["granted", "withdrawn", "denied"];

/** The input sent to Wasm: minimal (no context values), times in epoch milliseconds. */
export interface WasmInput {
  readonly now_ms: number;
  readonly region: string;
  readonly candidates: readonly WasmCandidate[];
  readonly consents: readonly WasmConsent[];
  readonly objections: readonly WasmObjection[];
}

export interface WasmCandidate {
  readonly journey: string;
  readonly purpose: string;
  readonly channel: string;
  /** The candidate's minimal field set, `entity.field` paths only (never `event.*`). */
  readonly fields: readonly string[];
}

export interface WasmConsent {
  readonly purpose: string;
  /** null: the record covers every channel of its purpose. */
  readonly channel: string | null;
  readonly status: ConsentStatus;
  readonly at_ms: number;
  readonly expires_at_ms: number | null;
}

export interface WasmObjection {
  /** `direct_marketing` or `purpose:<id>`. */
  readonly scope: string;
  readonly at_ms: number;
}

/** A machine-readable reason; `record`/`objection` index input.consents/input.objections. */
export interface Reason {
  readonly code: string;
  readonly record?: number;
  readonly objection?: number;
  readonly channel?: string;
  readonly purpose?: string;
}

export interface BasisAttempt {
  readonly basis: string;
  readonly satisfied: boolean;
  readonly reasons: readonly Reason[];
}

export interface ConsentVerdict {
  readonly allowed: boolean;
  /** The basis used, null when denied. */
  readonly basis: string | null;
  /** Bases in the purpose's order, up to and including the first satisfied one. */
  readonly tried: readonly BasisAttempt[];
  /** What denies the candidate whatever its basis (objection to direct marketing, …). */
  readonly reasons: readonly Reason[];
}

export interface DeniedField {
  readonly path: string;
  readonly residency: string | null;
  readonly code: "region_not_allowed" | "unknown_field";
}

export interface ResidencyVerdict {
  readonly allowed: boolean;
  /** Sorted by path. */
  readonly denied_fields: readonly DeniedField[];
}

export interface CandidateVerdict {
  readonly journey: string;
  readonly consent: ConsentVerdict;
  readonly residency: ResidencyVerdict;
}

export const ENTRYPOINTS = {
  decision: "kairos/decision",
  consent: "kairos/consent",
  residency: "kairos/residency",
} as const;
export const ALL_ENTRYPOINTS: readonly string[] = Object.values(ENTRYPOINTS);
