// The artifact manifest (spec §3), assembled the same way by `kairos compile` and the
// playground: content hashes of every part and source, per-journey minimal field sets,
// purposes, triggers, compiler and OPA versions. Browser-safe (no node: imports).
import { sha256Hex } from "../../core/sha256.ts";
import { ARTIFACT_VERSION, artifactIdentity, type Manifest } from "../../core/artifact.ts";
import type { CheckedProgram } from "../checker/checked.ts";
import type { PolicySources } from "../pipeline.ts";
import { journeyContentHash } from "./content-hash.ts";

export const COMPILER_VERSION = "0.1.0";

/** The OPA side of a manifest: version, entrypoints and content hashes. */
export type OpaManifest = NonNullable<Manifest["opa"]>;

/**
 * The manifest of an artifact whose files (every part except manifest.json) are `files`.
 * The artifact's identity, `hash`, is sha256 over the sorted `path:hash` lines of its parts.
 */
export function buildManifest(program: CheckedProgram, input: PolicySources, files: ReadonlyMap<string, Uint8Array>, opa: OpaManifest | null): Manifest {
  const parts: Record<string, string> = {};
  for (const [path, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) parts[path] = sha256Hex(bytes);
  const sources: Record<string, string> = {};
  for (const f of [input.catalog, ...input.journeys, ...input.rego]) sources[f.name] = sha256Hex(f.text);
  // Keyed by event names the catalog's author chose (`constructor` is one): a Map, never `{}`,
  // then a null-prototype record for the manifest.
  const byEvent = new Map<string, string[]>();
  for (const j of program.journeys) {
    const list = byEvent.get(j.trigger.event);
    if (list) list.push(j.id);
    else byEvent.set(j.trigger.event, [j.id]);
  }
  const triggers: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [event, ids] of byEvent) triggers[event] = ids;
  return {
    artifact_version: ARTIFACT_VERSION,
    compiler: { name: "kairos", version: COMPILER_VERSION },
    hash: artifactIdentity(parts, sha256Hex),
    parts,
    sources,
    opa,
    journeys: program.journeys.map((j) => ({
      id: j.id,
      purpose: j.purpose.name,
      trigger: j.trigger.event,
      timers: j.trigger.timers.map((t) => t.label),
      fields: [...j.fields],
      content: journeyContentHash(j, program),
    })),
    purposes: [...new Set(program.journeys.map((j) => j.purpose.name))].sort(),
    triggers,
  };
}
