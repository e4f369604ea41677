// Building a versioned artifact (spec §3) from a checked program: predicates (TS + JS), the
// catalog as JSON, the OPA Wasm bundle, and a manifest of content hashes. Same sources → the
// same bytes: no timestamps, sorted keys, deterministic tarball.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACT_VERSION, type Manifest } from "./artifact.ts";
import { catalogToJson } from "./catalog/serialize.ts";
import type { CheckedProgram } from "./checked.ts";
import { emitPredicates } from "./codegen/index.ts";
import { buildOpaBundle, DEFAULT_REGO_DIR } from "./opa/index.ts";
import type { PolicySources } from "./pipeline.ts";
import type { SourceSet } from "./source.ts";

export const COMPILER_VERSION = "0.1.0";

/** Artifact files by relative path. */
export type ArtifactFiles = Map<string, Uint8Array>;

export interface BuiltArtifact {
  readonly files: ArtifactFiles;
  readonly manifest: Manifest;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const enc = new TextEncoder();

/** JSON with sorted object keys and a final newline, so equal values give equal bytes. */
export function canonicalJson(value: unknown, indent = 2): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === "object") return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sort(value), null, indent) + "\n";
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
  files.set("predicates.ts", enc.encode(ts));
  files.set("predicates.js", enc.encode(js));
  files.set("catalog.json", enc.encode(canonicalJson(catalogToJson(program.catalog))));

  const regoDir = opts.dir && existsSync(join(opts.dir, "rego")) && input.rego.length > 0 ? join(opts.dir, "rego") : DEFAULT_REGO_DIR;
  const opa = await buildOpaBundle({ catalog: program.catalog, regoDir, ...(opts.opaPath ? { opaPath: opts.opaPath } : {}) });
  files.set("opa/bundle.tar.gz", opa.bundle);

  const parts: Record<string, string> = {};
  for (const [path, bytes] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) parts[path] = sha256Hex(bytes);
  const sourceHashes: Record<string, string> = {};
  for (const f of [input.catalog, ...input.journeys, ...input.rego]) sourceHashes[f.name] = sha256Hex(f.text);
  const triggers: Record<string, string[]> = {};
  for (const j of program.journeys) (triggers[j.trigger.event] ??= []).push(j.id);
  const hash = sha256Hex(Object.entries(parts).map(([p, h]) => `${p}:${h}`).join("\n"));
  const manifest: Manifest = {
    artifact_version: ARTIFACT_VERSION,
    compiler: { name: "kairos", version: COMPILER_VERSION },
    hash,
    parts,
    sources: sourceHashes,
    opa: { version: opa.opaVersion, entrypoints: [...opa.entrypoints], rego: opa.hashes.rego, wasm: opa.hashes.wasm, default_policies: regoDir === DEFAULT_REGO_DIR },
    journeys: program.journeys.map((j) => ({ id: j.id, purpose: j.purpose.name, trigger: j.trigger.event, timers: j.trigger.timers.map((t) => t.label), fields: [...j.fields] })),
    purposes: [...new Set(program.journeys.map((j) => j.purpose.name))].sort(),
    triggers,
  };
  files.set("manifest.json", enc.encode(canonicalJson(manifest)));
  return { files, manifest };
}
