// compilePolicySet for a policy directory on disk (Node only): read the directory
// (policy-dir.ts), compile with the OPA CLI as the OPA backend (opa-backend.ts). What the
// CLI commands, the benchmarks and the tests call; `kairos compile` then writes the artifact
// with artifact-write.ts.
import { compilePolicySet, type CompileOptions, type CompileResult } from "../compile.ts";
import type { OpaBackend } from "../opa/backend.ts";
import type { PolicySources } from "../pipeline.ts";
import { opaCliBackend } from "./opa-backend.ts";
import { readPolicyDir } from "./policy-dir.ts";

export interface NodeCompileOptions extends Omit<CompileOptions, "opa"> {
  /** The OPA CLI to build with. Default: `$KAIROS_OPA`, else `.tools/bin/opa` (`npm run setup`). */
  readonly opaPath?: string;
  /** Another OPA backend instead of the CLI (tests wrap the CLI's in a cache). */
  readonly opa?: OpaBackend;
}

/** CompileOptions whose OPA backend runs the OPA CLI. */
export function nodeCompileOptions(options: NodeCompileOptions = {}): CompileOptions {
  const { opaPath, opa, ...rest } = options;
  return { ...rest, opa: opa ?? opaCliBackend(opaPath !== undefined ? { opaPath } : {}) };
}

/** A policy directory compiled: the result, and the sources it was compiled from. */
export interface PolicyDirCompiled extends CompileResult {
  readonly input: PolicySources;
}

/** A directory that is not a policy set (missing, not a directory, no catalog.yaml): a usage problem. */
export interface NotAPolicyDir {
  readonly usage: string;
}

/**
 * Reads and compiles the policy set in `dir`. Reading problems (bad encoding) come first in
 * the diagnostics, as `kairos check` prints them; a directory that is no policy set is
 * returned as `{ usage }`. Node's own errors reading a file (permission denied) are thrown.
 */
export async function compilePolicyDir(dir: string, options: NodeCompileOptions = {}): Promise<PolicyDirCompiled | NotAPolicyDir> {
  const read = readPolicyDir(dir);
  if (!read.sources) return { usage: read.usage ?? `cannot read the policy directory \`${dir}\`` };
  const result = await compilePolicySet(read.sources, nodeCompileOptions({ ...options, diagnostics: [...read.diagnostics, ...(options.diagnostics ?? [])] }));
  return { ...result, input: read.sources };
}
