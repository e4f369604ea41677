// Assembling a versioned artifact (spec §3) from its built parts: predicates (TS + JS), the
// catalog as JSON, the OPA Wasm bundle, and a manifest of content hashes. Same sources → the
// same bytes: no timestamps, sorted keys. Pure and browser-safe: the parts are built by
// compilePolicySet (compiler/compile.ts), the OPA bundle by whatever OpaBackend it was given.
import { canonicalJson } from "../../core/canonical-json.ts";
import { ARTIFACT_PART, type Manifest } from "../../core/artifact.ts";
import { catalogToJson } from "../../core/catalog/serialize.ts";
import type { CheckedProgram } from "../checker/checked.ts";
import type { PredicatesSource } from "../codegen/index.ts";
import type { OpaBundleBuilt } from "../opa/backend.ts";
import type { PolicySources } from "../pipeline.ts";
import { buildManifest } from "./manifest.ts";

export { COMPILER_VERSION } from "./manifest.ts";

/** Artifact files by relative path. */
export type ArtifactFiles = Map<string, Uint8Array>;

/** An artifact in memory: its files (manifest.json included) and the manifest they hold. */
export interface BuiltArtifact {
  readonly files: ArtifactFiles;
  readonly manifest: Manifest;
}

/** The OPA side of an artifact: the bundle, and whether it holds the standard policies. */
export interface ArtifactOpa {
  readonly built: OpaBundleBuilt;
  /** True when the policy set has no Rego of its own and the standard policies were bundled. */
  readonly standard: boolean;
}

const enc = new TextEncoder();

/** JSON with sorted object keys and a final newline, so equal values give equal bytes. */
function canonicalFile(value: unknown): string {
  return canonicalJson(value as never, 2) + "\n";
}

/**
 * The artifact of a checked program: its predicates module, its catalog, the OPA bundle (none:
 * an artifact without consent/residency policies, `opa: null` in the manifest) and the
 * manifest hashing all of them and `input`, the sources they were compiled from.
 */
export function assembleArtifact(program: CheckedProgram, input: PolicySources, predicates: PredicatesSource, opa: ArtifactOpa | null): BuiltArtifact {
  const files: ArtifactFiles = new Map();
  files.set(ARTIFACT_PART.predicatesTs, predicates.bytes("ts"));
  files.set(ARTIFACT_PART.predicates, predicates.bytes("js"));
  files.set(ARTIFACT_PART.catalog, enc.encode(canonicalFile(catalogToJson(program.catalog))));
  if (opa) files.set(ARTIFACT_PART.bundle, opa.built.bundle);
  const manifest = buildManifest(
    program,
    input,
    files,
    opa && {
      version: opa.built.opaVersion,
      entrypoints: [...opa.built.entrypoints],
      rego: opa.built.hashes.rego,
      wasm: opa.built.hashes.wasm,
      default_policies: opa.standard,
    },
  );
  files.set(ARTIFACT_PART.manifest, enc.encode(canonicalFile(manifest)));
  return { files, manifest };
}
