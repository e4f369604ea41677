// What the records of processing are made from, whichever way the policy set comes: checked from
// its sources (`kairos report processing DIR`) or as a compiled artifact (`… ARTIFACT`: the
// catalog it carries and its journeys' metadata, the same minimal bundles the engine fetches).
// Both give the same input for the same policy set, so both give the same record, byte for byte.
import type { JourneyMeta, Manifest } from "../../core/artifact.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import { sha256Hex } from "../../core/sha256.ts";
import type { SourceSet } from "../../core/source.ts";
import type { CheckedProgram } from "../checker/checked.ts";
import { isBundledRego } from "../opa/backend.ts";
import type { PolicySources } from "../pipeline.ts";

/** A journey as the record lists it. */
export interface JourneyRecord {
  readonly id: string;
  readonly title: string;
  readonly purpose: string;
  readonly risk: "low" | "medium" | "high";
  readonly review: boolean;
  readonly trigger: string;
  /** `after` timers as written (`3d`). */
  readonly timers: readonly string[];
  readonly action: string;
  readonly channel: string;
  /** The minimal bundle: catalog field paths, sorted. */
  readonly fields: readonly string[];
  /** Event payload fields read, sorted. */
  readonly eventFields: readonly string[];
  /** `file:line` of the journey's declaration. */
  readonly source: string;
}

/** A policy-set file and the sha256 of its text: which version the record describes. */
export interface SourceHash {
  readonly path: string;
  readonly sha256: string;
}

/** Everything a record is built from. */
export interface ProcessingInput {
  readonly catalog: Catalog;
  /** Sorted by id. */
  readonly journeys: readonly JourneyRecord[];
  /** Every file of the policy set (catalog, journeys, Rego), sorted by path. */
  readonly sources: readonly SourceHash[];
  /** Whether consent and residency run the policy set's own Rego or the standard policies. */
  readonly rego: "own" | "standard";
}

function byPath(a: SourceHash, b: SourceHash): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function byId(a: JourneyRecord, b: JourneyRecord): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The input of a checked policy set: `input` is the text it was checked from, `sources` its source set (for lines). */
export function processingInputOfProgram(program: CheckedProgram, input: PolicySources, sources: SourceSet): ProcessingInput {
  const journeys = program.journeys.map((j): JourneyRecord => {
    const file = sources.get(j.decl.span.file);
    const line = file ? file.position(j.decl.span.start).line : 1;
    return {
      id: j.id,
      title: j.title,
      purpose: j.purpose.name,
      risk: j.risk,
      review: j.review,
      trigger: j.trigger.event,
      timers: j.trigger.timers.map((t) => t.label),
      action: j.action.def.name,
      channel: j.action.def.channel,
      fields: [...j.fields],
      eventFields: [...j.eventFields],
      source: `${j.decl.span.file}:${line}`,
    };
  });
  const files = [input.catalog, ...input.journeys, ...input.rego].map((f) => ({ path: f.name, sha256: sha256Hex(f.text) }));
  return {
    catalog: program.catalog,
    journeys: journeys.sort(byId),
    sources: files.sort(byPath),
    // As the compiler decides (compile.ts): any Rego that is not a test is built instead of the standard policies.
    rego: input.rego.some((r) => isBundledRego(r.name)) ? "own" : "standard",
  };
}

/**
 * The input of a compiled artifact: the catalog it carries, its journeys' metadata (from its
 * predicates module) and its manifest (the source hashes, and whether its OPA bundle was built
 * from the policy set's own Rego).
 */
export function processingInputOfArtifact(catalog: Catalog, metas: readonly JourneyMeta[], manifest: Manifest): ProcessingInput {
  const journeys = metas.map(
    (m): JourneyRecord => ({
      id: m.id,
      title: m.title,
      purpose: m.purpose,
      risk: m.risk,
      review: m.review,
      trigger: m.trigger.event,
      timers: m.trigger.timers.map((t) => t.label),
      action: m.action.name,
      channel: m.action.channel,
      fields: [...m.fields],
      eventFields: [...m.eventFields],
      source: `${m.loc.file}:${m.loc.line}`,
    }),
  );
  return {
    catalog,
    journeys: journeys.sort(byId),
    sources: Object.entries(manifest.sources)
      .map(([path, sha256]) => ({ path, sha256 }))
      .sort(byPath),
    rego: manifest.opa !== null && !manifest.opa.default_policies ? "own" : "standard",
  };
}
