// The fuzz target's cases and verdicts: what the parent sends to the sandbox child and what
// comes back. Plain data (structured-clone safe); requests travel as JSON text so that keys such
// as `__proto__` arrive as the own properties a request file would give.

/** A named text: a catalog, journey or Rego file as diagnostics name it. */
export interface Source {
  readonly name: string;
  readonly text: string;
}

/** A policy set through parse → check → format → codegen → load → decide (→ log). */
export interface PolicyCase {
  readonly kind: "policies";
  /** What the case is, for reports (`seed requests/huge.json`, `mutant of claims.journey`). */
  readonly label: string;
  readonly catalog?: Source;
  readonly journeys?: readonly Source[];
  readonly rego?: readonly Source[];
  /** A policy directory on disk, read the way the CLI reads it (instead of the fields above). */
  readonly dir?: string;
  /** Requests to decide, as JSON text. */
  readonly requests?: readonly string[];
  /** Per request (same index): decision members it must have, e.g. `{ "outcome": "no_match" }`. */
  readonly expectations?: readonly (Readonly<Record<string, unknown>> | undefined)[];
  /** The set must compile (it ships requests to decide): diagnostics are then a finding. */
  readonly mustCompile?: boolean;
  /** Also decide `count` requests generated from the catalog with this seed (hostile values unless `hostile: false`). */
  readonly generate?: { readonly seed: number; readonly count: number; readonly hostile?: boolean };
  /** Also append every decision to a real decision log and verify it afterwards. */
  readonly log?: boolean;
  /** `hang`: a context provider that never answers. */
  readonly provider?: "hang";
  /** Also run the set's `test` and `property` blocks as `kairos test` does (few runs), and its reports. */
  readonly runTests?: boolean;
  /** Keep the compiled engine for later cases with the same sources (the example set). */
  readonly cache?: boolean;
}

/** One `kairos` command line, run in process in a throw-away copy of a policy directory. */
export interface CliCase {
  readonly kind: "cli";
  readonly label: string;
  readonly argv: readonly string[];
  /** The exit code it must have; absent: any of 0, 1, 2 (never a crash or another code). */
  readonly expectExit?: number;
  /** Extra files to create in the sandbox (relative path → text). */
  readonly files?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
  /** The policy directory copied to `policies/` in the sandbox; default: the example set. */
  readonly policies?: string;
  /** The command may change `policies/` (otherwise changing or deleting a file there is a finding). */
  readonly mayModifyPolicies?: boolean;
  /** More paths (relative to the sandbox) whose existing files must stay as they were. */
  readonly protect?: readonly string[];
  /** `demo`: the sandbox also holds `d/`, the output of a small `kairos demo` (artifact, log, keys, checkpoints). */
  readonly fixture?: "demo";
  /** The deadline for this case, when it legitimately needs more than the default. */
  readonly timeoutMs?: number;
}

/** Cases that misbehave on purpose, to prove the harness notices: a hang, a crash, pollution. */
export interface SelfTestCase {
  readonly kind: "selftest";
  readonly label: string;
  readonly what: "loop" | "exit" | "pollute" | "reject";
}

export type FuzzCase = PolicyCase | CliCase | SelfTestCase;

export type Stage =
  | "read"
  | "check"
  | "diagnostics"
  | "format"
  | "codegen"
  | "load"
  | "interpreter"
  | "decide"
  | "generate"
  | "tests"
  | "differential"
  | "render"
  | "log"
  | "cli"
  | "pollution"
  | "hang"
  | "crash"
  | "blowup"
  | "harness";

export interface Failure {
  readonly stage: Stage;
  readonly message: string;
  readonly stack?: string;
  /** The journey file it concerns. */
  readonly file?: string;
  /** The request (JSON text) that made it fail. */
  readonly request?: string;
}

/** Cheap, deterministic cost measures: compared at n and 2n for the blow-up checks. */
export interface Metrics {
  textBytes: number;
  diagnostics: number;
  formattedBytes: number;
  jsBytes: number;
  traceNodes: number;
  decisions: number;
  decisionBytes: number;
  /** The log entries as canonical JSON (the minimized request included). */
  entryBytes: number;
  traceEvents: number;
}

export interface Verdict {
  readonly failures: readonly Failure[];
  readonly metrics: Metrics;
  /** The child's state can no longer be trusted (a polluted prototype): start a new one. */
  readonly restart?: boolean;
  /** Wall time of the case in the child, for reports only (never compared). */
  readonly ms?: number;
}
