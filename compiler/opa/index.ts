// Compiling the consent and residency policies into an OPA Wasm bundle. build.ts runs the OPA
// CLI (Node); the rest of the folder is browser-safe, and the compiler imports those files
// directly, never this index.
export {
  buildOpaBundle,
  opaVersion,
  regoSources,
  OpaBuildError,
  PINNED_OPA_VERSION,
  DEFAULT_OPA_PATH,
  DEFAULT_REGO_DIR,
  type OpaBuildOptions,
  type OpaBuildResult,
  type OpaBuildErrorCode,
  type OpaBundleParts,
} from "./build.ts";
export { catalogToData, dataDocumentBytes } from "./data.ts";
export { isBundledRego, type OpaBackend, type OpaBuildOutcome, type OpaBuildProblem, type OpaBundleBuilt, type RegoFile } from "./backend.ts";
export { opaCodes, type OpaCode } from "./codes.ts";
export { opaProblemDiagnostics, parseOpaOutput, type OpaReport } from "./diagnostics.ts";
