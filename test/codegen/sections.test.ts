// The predicates module evaluated section by section (runtime/predicates-sections.ts, the
// memory-saving load path) against the same module imported whole (the reference): the same
// journeys with the same metadata and entry shape, the same value, error and trace on generated
// contexts, the same `reason`. And any module not in codegen's exact layout is declined (so the
// loader imports it whole) rather than evaluated differently.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { CheckedProgram } from "../../compiler/checker/checked.ts";
import { emitPredicates } from "../../compiler/codegen/index.ts";
import type { CompiledJourney, PredicatesModule } from "../../core/artifact.ts";
import type { SourceSet } from "../../core/source.ts";
import { evaluatePredicateSections } from "../../runtime/predicates-sections.ts";
import { importPredicates as loaderImport } from "../../runtime/load.ts";
import { compile, compileCase, compileExample, contextArb, goldenCases, importPredicates, ROOT, run } from "./helpers.ts";

interface Both {
  readonly name: string;
  readonly js: string;
  readonly program: CheckedProgram;
  readonly whole: readonly CompiledJourney[];
  readonly sections: readonly CompiledJourney[];
}

/** A policy set (over the example catalog) with named conditions used twice in a journey (memoized `cond_` functions) and a reason. */
const SHARED = {
  "shared.journey": `condition loyal = customer.tenure_months >= 24
condition active = policy.status == "active" and loyal

journey a_shared {
  purpose  renewal_marketing
  on       daily
  when     active and (loyal or customer.nps is set)
  do       email(template: "a")
  reason   "tenure {customer.tenure_months} months"
}

journey b_plain {
  purpose  renewal_marketing
  on       daily
  when     active
  do       email(template: "b")
}
`,
};

async function both(name: string, r: { program: CheckedProgram; sources: SourceSet }): Promise<Both> {
  const js = emitPredicates(r.program, r.sources).js;
  const sections = evaluatePredicateSections(js);
  if (!sections) throw new Error(`${name}: the sectioned evaluation declined codegen's own output`);
  return { name, js, program: r.program, whole: (await importPredicates(js)).journeys, sections: sections.journeys };
}

const sets: Both[] = [];
beforeAll(async () => {
  sets.push(await both("example", compileExample()));
  sets.push(await both("shared", compile(SHARED, readFileSync(join(ROOT, "policies/catalog.yaml"), "utf8"))));
  for (const c of goldenCases()) sets.push(await both(c, compileCase(c)));
});

describe("predicates evaluated section by section", () => {
  it("give the same journeys, metadata and entry shape as the module imported whole", () => {
    expect(sets.length).toBeGreaterThan(3);
    let withReason = 0;
    let withShared = 0;
    for (const s of sets) {
      expect(
        s.sections.map((j) => j.meta),
        s.name,
      ).toEqual(s.whole.map((j) => j.meta));
      s.sections.forEach((j, i) => {
        expect(Object.keys(j), s.name).toEqual(Object.keys(s.whole[i]!));
        // Not the same objects: the sectioned path evaluated its own copy.
        expect(j.meta).not.toBe(s.whole[i]!.meta);
        if (j.reason) withReason++;
      });
      if (/^function cond_/m.test(s.js)) withShared++;
    }
    // The sets exercise reasons and shared conditions, not only plain `when`s.
    expect(withReason).toBeGreaterThan(0);
    expect(withShared).toBeGreaterThan(0);
  });

  it("agree with the whole module on value, error, trace and reason for generated contexts", () => {
    let journeys = 0;
    for (const s of sets) {
      s.program.journeys.forEach((j) => {
        const i = s.whole.findIndex((w) => w.meta.id === j.id);
        const whole = s.whole[i]!;
        const sectioned = s.sections[i]!;
        expect(sectioned.meta.id).toBe(j.id);
        journeys++;
        fc.assert(
          fc.property(contextArb(s.program, j), (ctx) => {
            const a = run(sectioned.when, ctx);
            expect(a).toEqual(run(whole.when, ctx));
            expect(a.events.length).toBeGreaterThan(0);
            if (whole.reason) expect(run(sectioned.reason!, ctx)).toEqual(run(whole.reason, ctx));
          }),
          { numRuns: 200 },
        );
      });
    }
    expect(journeys).toBeGreaterThanOrEqual(10);
  });

  it("is what the loader uses for codegen's output", async () => {
    const s = sets[0]!;
    const loaded = await loaderImport(s.js);
    // A module imported whole has a module namespace (an object with a null prototype); the
    // sectioned result is a plain object.
    expect(Object.getPrototypeOf(loaded)).toBe(Object.prototype);
    expect(loaded.journeys.map((j) => j.meta)).toEqual(s.whole.map((j) => j.meta));
  });
});

describe("a module not in codegen's exact layout", () => {
  const example = (): string => sets[0]!.js;
  const firstSection = (js: string): number => js.indexOf("\n// ---- journey ");

  const variants: [string, (js: string) => string][] = [
    ["an extra statement in the prelude", (js) => js.slice(0, firstSection(js)) + "\nglobalThis.x = 1;\n" + js.slice(firstSection(js))],
    ["an extra export", (js) => js + "export const other = 1;\n"],
    [
      "an export entry that is not the canonical one",
      (js) => js.replace(/when: \(ctx, trace\) => when_(\w+)\(ctx, trace\)/, "when: (ctx) => when_$1(ctx, ctx)"),
    ],
    [
      "an export entry without its section",
      (js) => js.replace("export const journeys = [", "export const journeys = [\n  { meta: meta_zz, when: (ctx, trace) => when_zz(ctx, trace) },"),
    ],
    ["a section without its export entry", (js) => js.replace(/\n {2}\{\n {4}meta: meta_\w+,\n {4}when: [^\n]*\n(?: {4}reason: [^\n]*\n)? {2}\},/, "")],
    ["a section declaring another journey's name", (js) => js.replace(/\n(\/\/ ---- journey (\w+) ----\n)/, "\n$1\nfunction when_someone_else() {}\n")],
    ["a section with a top-level statement", (js) => js.replace(/\n(\/\/ ---- journey (\w+) ----\n)/, "\n$1\nglobalThis.y = 2;\n")],
    ["a section that does not evaluate", (js) => js.replace(/\nconst meta_(\w+) = \{/, "\nconst meta_$1 = {{")],
  ];

  for (const [what, change] of variants) {
    it(`is declined: ${what}`, () => {
      const changed = change(example());
      expect(changed).not.toBe(example());
      expect(evaluatePredicateSections(changed)).toBeUndefined();
    });
  }

  it("still loads whole when it is a valid module (the loader falls back)", async () => {
    const changed = example() + "export const other = 1;\n";
    expect(evaluatePredicateSections(changed)).toBeUndefined();
    const loaded = (await loaderImport(changed)) as PredicatesModule & { other?: unknown };
    expect(loaded.other).toBe(1);
    expect(loaded.journeys.map((j) => j.meta.id)).toEqual(sets[0]!.whole.map((j) => j.meta.id));
  });

  it("an empty policy set evaluates to no journeys", () => {
    const js = example();
    const empty = js.slice(0, firstSection(js)) + js.slice(js.lastIndexOf("\n// The module's one export")).replace(/\[[\s\S]*\];/, "[];");
    expect(evaluatePredicateSections(empty)).toEqual({ journeys: [] });
  });
});
