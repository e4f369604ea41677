// The messages between the page and the compiler worker. Everything here is structured-clone
// safe (plain data, Maps), so the worker can send the loaded catalog model to the page.
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import type { Severity } from "../../core/diagnostics.ts";
import type { Decision } from "../../runtime/decision.ts";

/** A named text: a journey file or the catalog. */
export interface NamedText {
  readonly name: string;
  readonly text: string;
}

/** Which input panel a problem belongs to. */
export type InputPanel = "request" | "context" | "consents";

/** A diagnostic located for an editor: 1-based lines and columns, end exclusive. */
export interface Marker {
  readonly file: string;
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly hint?: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** The texts of the three JSON input panels, as the user typed them. */
export interface InputTexts {
  readonly request: string;
  readonly context: string;
  readonly consents: string;
}

export interface CheckRequest {
  readonly type: "check";
  readonly seq: number;
  readonly catalog: NamedText;
  readonly journeys: readonly NamedText[];
  readonly inputs: InputTexts;
}

export interface FormatRequest {
  readonly type: "format";
  readonly seq: number;
  readonly file: NamedText;
}

export interface RunRequest {
  readonly type: "run";
  readonly seq: number;
  readonly catalog: NamedText;
  readonly journeys: readonly NamedText[];
  readonly inputs: InputTexts;
  /** Absolute URL of the OPA Wasm bundle (a worker resolves relative URLs against itself). */
  readonly opaBundleUrl: string;
}

/** Runs the policy set's tests (`kairos test`) against the same compiled engine as Run. */
export interface TestsRequest {
  readonly type: "tests";
  readonly seq: number;
  readonly catalog: NamedText;
  readonly journeys: readonly NamedText[];
  readonly opaBundleUrl: string;
}

export type WorkerRequest = CheckRequest | FormatRequest | RunRequest | TestsRequest;

export interface CheckResponse {
  readonly type: "check";
  readonly seq: number;
  /** Compiler diagnostics for the journey files and the catalog. */
  readonly markers: readonly Marker[];
  /** Problems of the JSON input panels; `file` is the panel name. */
  readonly inputMarkers: readonly Marker[];
  /**
   * The loaded catalog, when it loaded and differs from the one the previous check response
   * carried (completions and hovers read it): absent, the page keeps the one it has.
   */
  readonly catalog?: Catalog;
  /** Milliseconds the check took in the worker. */
  readonly ms: number;
  /** Of those: the compiler (parse, catalog, check, markers) and the input panels. */
  readonly stages: { readonly compile: number; readonly inputs: number };
}

export interface FormatResponse {
  readonly type: "format";
  readonly seq: number;
  readonly name: string;
  /** The formatted text; undefined when the file has syntax errors. */
  readonly text?: string;
  readonly markers: readonly Marker[];
}

/** One journey's trace nodes and how it was evaluated, for the trace tree. */
export interface RunResponse {
  readonly type: "run";
  readonly seq: number;
  /** Why there is no decision: compile errors, invalid inputs, a missing engine. */
  readonly problem?: string;
  readonly markers: readonly Marker[];
  readonly inputMarkers: readonly Marker[];
  readonly decision?: Decision;
  /** The compiled journeys' metadata (trace nodes, minimal bundles). */
  readonly journeys: readonly JourneyMeta[];
  /** The generated TypeScript predicates module. */
  readonly typescript?: string;
  /** The legal-review rendering of the decision (Markdown). */
  readonly legal?: string;
  /** The customer-facing rendering, when the renderer has one. */
  readonly customer?: string;
  readonly ms: number;
}

export interface TestsResponse {
  readonly type: "tests";
  readonly seq: number;
  /** Why the tests did not run (compile errors, a missing engine). */
  readonly problem?: string;
  readonly report?: TestReport;
}

/** `kairos test --format json`'s report (testing/report.ts `renderJson`). */
export interface TestReport {
  readonly summary: {
    readonly passed: number;
    readonly failed: number;
    readonly total: number;
    readonly ms: number;
    readonly generated_cases: number;
    readonly coverage: number;
  };
  readonly tests: readonly {
    readonly name: string;
    readonly file?: string;
    readonly line?: number;
    readonly column?: number;
    readonly status: "passed" | "failed";
    readonly failures: readonly { readonly line?: number; readonly expect: string; readonly expected: string; readonly actual: string }[];
    readonly decision: { readonly outcome: string; readonly journey?: string };
  }[];
  readonly properties: readonly {
    readonly name: string;
    readonly builtin: boolean;
    readonly file?: string;
    readonly line?: number;
    readonly column?: number;
    readonly status: "passed" | "failed" | "too-strict";
    readonly runs: number;
    readonly discarded: number;
    readonly message?: string;
    readonly counterexample?: string;
    readonly diagnostic?: { readonly code: string; readonly message: string; readonly hint?: string };
  }[];
}

export type WorkerResponse =
  | CheckResponse
  | FormatResponse
  | RunResponse
  | TestsResponse
  | { readonly type: "crash"; readonly seq: number; readonly message: string };

/** The sidecar of the OPA bundle the build writes (`kairos-opa.json`): what the manifest records. */
export interface OpaBundleInfo {
  readonly opaVersion: string;
  readonly entrypoints: readonly string[];
  /** sha256 of each bundled Rego source. */
  readonly rego: Readonly<Record<string, string>>;
  /** sha256 of policy.wasm. */
  readonly wasm: string;
}
