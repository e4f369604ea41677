// Compiling the consent and residency policies into an OPA Wasm bundle.
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
