// The OPA layer of the runtime: bundle opening, the typed Wasm wrapper and the contract types.
// Browser-safe; Node-only file reading lives in ./node.ts.
export { PolicyEngine, checkDataDocument, type PolicyEngineOptions } from "./evaluate.ts";
export { openBundle, type BundleParts, type OpaManifest } from "./bundle.ts";
export { OpaError, type OpaErrorCode } from "./errors.ts";
export type { EvaluationStats } from "./sdk.ts";
export { toWasmInput, toEpochMs } from "./input.ts";
export type { PolicyRequest, CandidateInput, ConsentRecordInput, ObjectionInput, Timestamp } from "./input.ts";
export { readTar, writeTar, type TarEntry } from "../../core/tar.ts";
export * from "../../core/opa-contract.ts";
