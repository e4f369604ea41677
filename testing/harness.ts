// What `kairos test` runs tests against (Node only): the policy set compiled in memory —
// generated predicates (the JavaScript `kairos compile` writes) or the reference interpreter —
// behind the real decision engine and the real OPA Wasm consent/residency policies. The
// policies depend only on the catalog and the Rego, so they are built once and reused across
// recompiles (the mutation check recompiles journeys dozens of times).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACT_VERSION, type CompiledJourney, type JourneyMeta, type Manifest } from "../core/artifact.ts";
import { COMPILER_VERSION } from "../compiler/artifact/build.ts";
import type { Catalog } from "../core/catalog/types.ts";
import type { CheckedProgram } from "../compiler/checker/checked.ts";
import { emitPredicates } from "../compiler/codegen/index.ts";
import { interpretProgram } from "../compiler/eval/interpreter.ts";
import { buildOpaBundle, DEFAULT_REGO_DIR } from "../compiler/opa/index.ts";
import type { PolicySources } from "../compiler/pipeline.ts";
import type { SourceSet } from "../core/source.ts";
import { Engine } from "../runtime/engine.ts";
import { importPredicates } from "../runtime/load.ts";
import { sha256Hex } from "../core/sha256.ts";
import { PolicyEngine } from "../runtime/opa/index.ts";
import type { PolicyEvaluator } from "../runtime/policy.ts";

/** Which evaluation path runs the journeys' `when`. */
export type PredicatePath = "compiled" | "interpreted";

/** The consent/residency policies of a policy set: its own `rego/`, else the standard ones. */
export async function loadPolicies(catalog: Catalog, sources: PolicySources, dir?: string): Promise<{ policy: PolicyEvaluator; hash: string }> {
  const regoDir = dir && existsSync(join(dir, "rego")) && sources.rego.length > 0 ? join(dir, "rego") : DEFAULT_REGO_DIR;
  const built = await buildOpaBundle({ catalog, regoDir });
  return { policy: await PolicyEngine.load(built.bundle), hash: built.hashes.bundle };
}

/** An engine over a checked program and already loaded policies. */
export async function engineFor(
  program: CheckedProgram,
  sources: SourceSet,
  policy: PolicyEvaluator,
  options: { path?: PredicatePath; policyHash?: string } = {},
): Promise<Engine> {
  let journeys: readonly CompiledJourney[];
  let identity: string;
  if (options.path === "interpreted") {
    journeys = interpretProgram(program, sources);
    identity = sha256Hex(JSON.stringify(journeys.map((j) => j.meta)));
  } else {
    const { js } = emitPredicates(program, sources);
    journeys = (await importPredicates(js)).journeys;
    identity = sha256Hex(js);
  }
  const hash = sha256Hex(`${identity}\n${options.policyHash ?? ""}`);
  const manifest: Manifest = {
    artifact_version: ARTIFACT_VERSION,
    compiler: { name: "kairos", version: COMPILER_VERSION },
    hash,
    parts: { "predicates.js": identity },
    sources: {},
    opa: null,
    journeys: journeys.map((j) => ({
      id: j.meta.id,
      purpose: j.meta.purpose,
      trigger: j.meta.trigger.event,
      timers: j.meta.trigger.timers.map((t) => t.label),
      fields: [...j.meta.fields],
    })),
    purposes: [...new Set(journeys.map((j) => j.meta.purpose))].sort(),
    triggers: {},
  };
  return Engine.fromParts({ manifest, catalog: program.catalog, predicates: { journeys }, policy });
}

/** Journey id → metadata, for rendering traces. */
export function journeyMetas(engine: Engine): ReadonlyMap<string, JourneyMeta> {
  return new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta]));
}
