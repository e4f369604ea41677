// Building a versioned artifact (spec §3) from a checked program: predicates (TS + JS), the
// catalog as JSON, the OPA Wasm bundle, and a manifest of content hashes. Same sources → the
// same bytes: no timestamps, sorted keys, deterministic tarball.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson } from "../../core/canonical-json.ts";
import { ARTIFACT_PART, type Manifest } from "../../core/artifact.ts";
import { catalogToJson } from "../../core/catalog/serialize.ts";
import type { CheckedProgram } from "../checker/checked.ts";
import { buildManifest } from "./manifest.ts";
import { emitPredicates } from "../codegen/index.ts";
import { buildOpaBundle, DEFAULT_REGO_DIR } from "../opa/index.ts";
import type { PolicySources } from "../pipeline.ts";
import type { SourceSet } from "../../core/source.ts";

export { COMPILER_VERSION } from "./manifest.ts";

/** Artifact files by relative path. */
export type ArtifactFiles = Map<string, Uint8Array>;

export interface BuiltArtifact {
  readonly files: ArtifactFiles;
  readonly manifest: Manifest;
}

const enc = new TextEncoder();

/** JSON with sorted object keys and a final newline, so equal values give equal bytes. */
function canonicalFile(value: unknown): string {
  return canonicalJson(value as never, 2) + "\n";
}

export interface BuildOptions {
  /** The policy set's directory, for its `rego/` folder; without one the standard policies are used. */
  readonly dir?: string;
  readonly opaPath?: string;
}

/** Builds every part of the artifact in memory. Throws OpaBuildError when OPA is missing or fails. */
export async function buildArtifact(program: CheckedProgram, sources: SourceSet, input: PolicySources, opts: BuildOptions = {}): Promise<BuiltArtifact> {
  const files: ArtifactFiles = new Map();
  const { ts, js } = emitPredicates(program, sources);
  files.set(ARTIFACT_PART.predicatesTs, enc.encode(ts));
  files.set(ARTIFACT_PART.predicates, enc.encode(js));
  files.set(ARTIFACT_PART.catalog, enc.encode(canonicalFile(catalogToJson(program.catalog))));

  const regoDir = opts.dir && existsSync(join(opts.dir, "rego")) && input.rego.length > 0 ? join(opts.dir, "rego") : DEFAULT_REGO_DIR;
  const opa = await buildOpaBundle({ catalog: program.catalog, regoDir, ...(opts.opaPath ? { opaPath: opts.opaPath } : {}) });
  files.set(ARTIFACT_PART.bundle, opa.bundle);

  const manifest = buildManifest(program, input, files, {
    version: opa.opaVersion,
    entrypoints: [...opa.entrypoints],
    rego: opa.hashes.rego,
    wasm: opa.hashes.wasm,
    default_policies: regoDir === DEFAULT_REGO_DIR,
  });
  files.set(ARTIFACT_PART.manifest, enc.encode(canonicalFile(manifest)));
  return { files, manifest };
}
