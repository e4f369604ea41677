// The compiler's public API: compile a policy set (in memory, browser-safe), check it on every
// keystroke, format journey files, and the diagnostic codes every stage reports. Reading
// directories, running the OPA CLI and writing artifacts are the Node adapter's
// (compiler/node/index.ts). Everything else under compiler/ is internal.

/** Compiles a policy set into `{ artifact, diagnostics }`; the one pipeline every caller runs. */
export { compilePolicySet, type CompileOptions, type CompileResult } from "./compile.ts";
/** The check stages alone, synchronous, with a cache for repeated checks of edited sources. */
export { checkSources, CheckCache, type CheckResult, type PolicySources } from "./pipeline.ts";
/** The artifact in memory: its files by path and its manifest. */
export { COMPILER_VERSION, type ArtifactFiles, type BuiltArtifact } from "./artifact/build.ts";
/** How compilePolicySet builds Rego: implemented by compiler/node (the OPA CLI) or by the caller. */
export { isBundledRego, type OpaBackend, type OpaBuildOutcome, type OpaBuildProblem, type OpaBundleBuilt, type RegoFile } from "./opa/backend.ts";
/** The formatter of `kairos fmt`. */
export { formatFile } from "./format/formatter.ts";
/** The registries of diagnostic codes, stage by stage (docs/diagnostics.md documents each). */
export { catalogCodes } from "./catalog/codes.ts";
export { checkCodes, codegenCodes, syntaxCodes } from "./checker/codes.ts";
export { opaCodes } from "./opa/codes.ts";
export { testCodes } from "./tests/codes.ts";
/** Diagnostics and sources, for rendering what compilePolicySet reports. */
export { diagnosticToJson, renderDiagnostic, type Diagnostic, type DiagnosticJson } from "../core/diagnostics.ts";
export { SourceFile, SourceSet, type Span } from "../core/source.ts";
/** The records of processing (GDPR Art. 30) of `kairos report processing` (docs/processing.md). */
export {
  buildProcessingRecord,
  processingInputOfArtifact,
  processingInputOfProgram,
  renderProcessingRecord,
  PROCESSING_FORMATS,
  type ProcessingFormat,
} from "./governance/index.ts";
