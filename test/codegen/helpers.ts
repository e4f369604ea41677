// Helpers for codegen tests: compile journey text, load the generated JavaScript as a real
// module, run both evaluation paths with recording tracers, and generate contexts from the
// catalog types of a journey's minimal bundle.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import type { PredicateContext, PredicatesModule, Tracer } from "../../core/artifact.ts";
import { walkExpr } from "../../compiler/syntax/ast.ts";
import type { FieldType } from "../../core/catalog/types.ts";
import type { CheckedJourney, CheckedProgram } from "../../compiler/checker/checked.ts";
import { MS_PER_DAY } from "../../core/literals.ts";
import { checkSources, type CheckResult } from "../../compiler/pipeline.ts";
import { isPredicateError } from "../../compiler/eval/semantics.ts";
import { planJourney, type Site } from "../../compiler/plan/trace-nodes.ts";
import { SPEC_CATALOG } from "../helpers/spec-catalog.ts";

export const ROOT = join(import.meta.dirname, "../..");

/** Checks a set of journey files (name → text); throws with the diagnostics if it does not check. */
export function compile(journeys: Record<string, string>, catalog: string = SPEC_CATALOG): CheckResult & { program: CheckedProgram } {
  const r = checkSources({
    catalog: { name: "catalog.yaml", text: catalog },
    journeys: Object.entries(journeys).map(([name, text]) => ({ name, text })),
    rego: [],
  });
  if (!r.program) throw new Error(`does not check:\n${r.diagnostics.map((d) => `${d.span.file}: ${d.code} ${d.message}`).join("\n")}`);
  return r as CheckResult & { program: CheckedProgram };
}

/** The example policy set of `policies/` (its catalog, or the spec's while it has none). */
export function compileExample(): CheckResult & { program: CheckedProgram } {
  const dir = join(ROOT, "policies");
  const catalogPath = join(dir, "catalog.yaml");
  const catalog = existsSync(catalogPath) ? readFileSync(catalogPath, "utf8") : SPEC_CATALOG;
  const journeys: Record<string, string> = {};
  for (const f of readdirSync(join(dir, "journeys")).sort()) {
    if (f.endsWith(".journey")) journeys[`journeys/${f}`] = readFileSync(join(dir, "journeys", f), "utf8");
  }
  return compile(journeys, catalog);
}

/** Imports generated JavaScript as a real ES module file, the way the runtime loads it. */
export async function importPredicates(js: string): Promise<PredicatesModule & Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "kairos-codegen-"));
  try {
    const file = join(dir, "predicates.mjs");
    writeFileSync(file, js);
    return (await import(pathToFileURL(file).href)) as PredicatesModule & Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type Run =
  | { readonly value: unknown; readonly events: [number, unknown][] }
  | { readonly error: string; readonly node?: number; readonly events: [number, unknown][] };

/** Runs a predicate with a recording tracer; a thrown error becomes its code (or class name). */
export function run(fn: (ctx: PredicateContext, trace: Tracer) => unknown, ctx: PredicateContext): Run {
  const events: [number, unknown][] = [];
  const trace: Tracer = (id, v) => {
    events.push([id, v]);
    return v;
  };
  try {
    return { value: fn(ctx, trace), events };
  } catch (e) {
    if (isPredicateError(e)) return { error: e.code, node: e.node, events };
    return { error: e instanceof Error ? e.constructor.name : String(e), events };
  }
}

// ---------------------------------------------------------------------------------------------
// Golden cases

export const GOLDEN = join(ROOT, "test/golden");
export function goldenCases(): string[] {
  return readdirSync(GOLDEN, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(GOLDEN, d.name, "input.journey")))
    .map((d) => d.name)
    .sort();
}

/** Compiles one golden case; file names are relative, so output does not depend on the checkout. */
export function compileCase(name: string) {
  const dir = join(GOLDEN, name);
  const catalogPath = join(dir, "catalog.yaml");
  const catalog = existsSync(catalogPath) ? readFileSync(catalogPath, "utf8") : SPEC_CATALOG;
  return compile({ "input.journey": readFileSync(join(dir, "input.journey"), "utf8") }, catalog);
}

// ---------------------------------------------------------------------------------------------
// Contexts

/** Mid-day on 2026-05-30 (UTC); generated `now`s fall on that day. */
export const BASE_DAY = Math.floor(Date.UTC(2026, 4, 30) / MS_PER_DAY);

interface Literals {
  readonly ints: number[];
  readonly strings: string[];
}

function sitesOf(s: Site, out: Site[], seen = new Set<Site>()): Site[] {
  // A named condition's body is one site shared by its uses: visit it once.
  if (seen.has(s)) return out;
  seen.add(s);
  out.push(s);
  for (const c of s.children) sitesOf(c, out, seen);
  return out;
}

/** Integer and string literals a journey compares with, so generated values hit its thresholds. */
function literalsOf(program: CheckedProgram, j: CheckedJourney): Literals {
  const plan = planJourney(program, j);
  const sites = sitesOf(plan.when, []);
  for (const p of plan.reason ?? []) if (p.kind === "expr") sitesOf(p.site, sites, new Set(sites));
  const ints = new Set<number>([0, 1]);
  const strings = new Set<string>([""]);
  for (const s of sites) {
    walkExpr(s.expr, (e) => {
      if (e.kind === "int") ints.add(e.value);
      if (e.kind === "string") strings.add(e.value);
      if (e.kind === "duration") ints.add(Math.round(e.ms / MS_PER_DAY));
    });
  }
  return { ints: [...ints], strings: [...strings] };
}

/** A literal of the journey, or one off it (either side of a threshold). */
function near(ints: readonly number[]): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(...ints),
    fc.tuple(fc.constantFrom(...ints), fc.constantFrom(-1, 1)).map(([n, d]) => n + d),
  );
}

function valueFor(t: FieldType, lits: Literals): fc.Arbitrary<unknown> {
  switch (t.kind) {
    case "enum":
      return fc.constantFrom(...t.values);
    case "list":
      return fc.array(t.of.kind === "record" ? recordOf(t.of.members, lits) : valueFor(t.of.type, lits), { maxLength: 5 });
    case "scalar":
      switch (t.name) {
        case "bool":
          return fc.boolean();
        case "int":
          return fc.oneof({ arbitrary: near(lits.ints), weight: 3 }, { arbitrary: fc.integer({ min: -5, max: 200 }), weight: 1 });
        case "decimal":
          return fc.oneof(near(lits.ints), fc.double({ min: -1000, max: 1000, noNaN: true }));
        case "string":
          return fc.oneof(fc.constantFrom(...lits.strings), fc.string({ maxLength: 8 }));
        case "date":
          return fc.oneof(
            { arbitrary: near(lits.ints.flatMap((n) => [n, -n])).map((d) => BASE_DAY + d), weight: 3 },
            { arbitrary: fc.integer({ min: -400, max: 400 }).map((d) => BASE_DAY + d), weight: 1 },
          );
        case "datetime":
          // Minute resolution within ±40 days: crosses midnights and hour thresholds both ways.
          return fc.integer({ min: -40 * 24 * 60, max: 40 * 24 * 60 }).map((m) => (BASE_DAY + 0.5) * MS_PER_DAY + m * 60_000);
        case "duration":
          return fc.integer({ min: 0, max: 60 * 24 }).map((h) => h * 3_600_000);
      }
  }
}

function recordOf(members: ReadonlyMap<string, FieldType>, lits: Literals): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, t] of members) shape[k] = valueFor(t, lits);
  return fc.record(shape);
}

/**
 * Contexts holding exactly a journey's minimal bundle and event fields, with values of their
 * catalog types (optional fields sometimes absent or null) and `now` at any time of BASE_DAY.
 */
export function contextArb(program: CheckedProgram, j: CheckedJourney): fc.Arbitrary<PredicateContext> {
  const lits = literalsOf(program, j);
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const path of j.fields) {
    const [entity, field] = path.split(".") as [string, string];
    const def = program.catalog.entities.get(entity)!.fields.get(field)!;
    const v = valueFor(def.type, lits);
    fields[path] = def.optional ? fc.oneof(v, fc.constant(undefined), fc.constant(null)) : v;
  }
  const ev = program.catalog.events.get(j.trigger.event);
  const eventFields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of j.eventFields) eventFields[f] = valueFor(ev!.fields.get(f)!, lits);
  return fc.tuple(fc.integer({ min: 0, max: MS_PER_DAY - 1 }), fc.record(fields), fc.record(eventFields)).map(([ms, values, event]) => {
    const ctx: Record<string, unknown> = { now: BASE_DAY * MS_PER_DAY + ms, event };
    for (const [path, v] of Object.entries(values)) {
      const [entity, field] = path.split(".") as [string, string];
      // Own records only: an entity named `constructor` must not find Object's constructor.
      if (!Object.hasOwn(ctx, entity)) ctx[entity] = {};
      const rec = ctx[entity] as Record<string, unknown>;
      if (v !== undefined) rec[field] = v;
    }
    return ctx as unknown as PredicateContext;
  });
}
