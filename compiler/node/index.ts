// The compiler's Node adapter: compile a policy directory on disk with the pinned OPA CLI, and
// write an artifact directory safely and atomically. The browser-safe API is compiler/index.ts.

/** Reads and compiles a policy directory (compilePolicySet with the OPA CLI backend). */
export { compilePolicyDir, nodeCompileOptions, type NodeCompileOptions, type NotAPolicyDir, type PolicyDirCompiled } from "./compile-dir.ts";
/** Reads a policy directory into sources (catalog.yaml, journeys/*.journey, rego/*.rego). */
export { readPolicyDir, type ReadResult } from "./policy-dir.ts";
/** The OPA backend that runs the pinned OPA CLI. */
export { opaCliBackend, type OpaCliOptions } from "./opa-backend.ts";
/** Writes an artifact's files as a directory, refusing any path it should not replace. */
export { checkArtifactOut, writeArtifactDir, OutputRefusedError, type ArtifactOutOptions, type OutputRefusedCode } from "./artifact-write.ts";
