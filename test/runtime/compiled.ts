// Real artifacts for runtime tests: a policy set compiled by the compiler (codegen + the OPA
// Wasm bundle built with the pinned OPA CLI) and loaded by the runtime's own loader, the same
// path `kairos decide` takes. Cached per policy set, since building the bundle takes a second.
import { join } from "node:path";
import { compilePolicySet, type ArtifactFiles, type PolicySources } from "../../compiler/index.ts";
import { nodeCompileOptions, readPolicyDir } from "../../compiler/node/index.ts";
import type { Engine } from "../../runtime/engine.ts";
import { loadEngine } from "../../runtime/load.ts";

/** The conformance corpus's copy of the spec's example policy set. */
export const SPEC_POLICY_DIR = join(import.meta.dirname, "../conformance/decisions/policies/spec");

const cache = new Map<string, Promise<{ files: ArtifactFiles; engine: Engine }>>();

/** Compiles sources into artifact files; throws with the diagnostics when they do not compile. */
export async function compileFiles(sources: PolicySources): Promise<ArtifactFiles> {
  const compiled = await compilePolicySet(sources, nodeCompileOptions());
  if (!compiled.artifact) {
    const errors = compiled.diagnostics.filter((d) => d.severity === "error");
    throw new Error(`policy set does not compile:\n${errors.map((d) => `${d.span.file}: ${d.code}: ${d.message}`).join("\n")}`);
  }
  return compiled.artifact.files;
}

/** Sources of a policy directory, optionally with its journeys replaced. */
export function policySources(dir: string, journeys?: Readonly<Record<string, string>>): PolicySources {
  const read = readPolicyDir(dir);
  if (!read.sources) throw new Error(read.usage ?? `cannot read ${dir}`);
  if (!journeys) return read.sources;
  return { ...read.sources, journeys: Object.entries(journeys).map(([name, text]) => ({ name, text })) };
}

/** A loaded engine (and its files) for a policy set, compiled once per distinct sources. */
export function compiledEngine(dir: string = SPEC_POLICY_DIR, journeys?: Readonly<Record<string, string>>): Promise<{ files: ArtifactFiles; engine: Engine }> {
  const key = JSON.stringify([dir, journeys ?? null]);
  let hit = cache.get(key);
  if (!hit) {
    hit = (async () => {
      const files = await compileFiles(policySources(dir, journeys));
      return { files, engine: await loadEngine(files) };
    })();
    cache.set(key, hit);
  }
  return hit;
}
