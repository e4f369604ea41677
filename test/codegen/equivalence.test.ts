// Compiled ≡ interpreted: on contexts generated from the catalog types of each journey's
// minimal bundle, the generated JavaScript (imported as a real module) and the reference
// interpreter give the same value or the same error, the same trace event by event, and the
// same `reason` — for the example policy set and every golden case.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { CompiledJourney } from "../../core/artifact.ts";
import type { CheckedProgram } from "../../compiler/checker/checked.ts";
import { emitPredicates } from "../../compiler/codegen/index.ts";
import { interpretProgram } from "../../compiler/eval/interpreter.ts";
import type { SourceSet } from "../../core/source.ts";
import { compileCase, compileExample, contextArb, goldenCases, importPredicates, run } from "./helpers.ts";

interface Loaded {
  readonly name: string;
  readonly program: CheckedProgram;
  readonly compiled: readonly CompiledJourney[];
  readonly interpreted: readonly CompiledJourney[];
}

async function load(name: string, r: { program: CheckedProgram; sources: SourceSet }): Promise<Loaded> {
  const mod = await importPredicates(emitPredicates(r.program, r.sources).js);
  return { name, program: r.program, compiled: mod.journeys, interpreted: interpretProgram(r.program, r.sources) };
}

const sets: Loaded[] = [];
beforeAll(async () => {
  sets.push(await load("example", compileExample()));
  for (const c of goldenCases()) sets.push(await load(c, compileCase(c)));
});

describe("compiled predicates and the reference interpreter", () => {
  it("describe the same journeys with the same metadata and trace nodes", () => {
    expect(sets.length).toBeGreaterThan(1);
    for (const s of sets) {
      expect(s.compiled.map((j) => j.meta)).toEqual(s.interpreted.map((j) => j.meta));
      // Not the same objects: the compiled path is the generated module.
      for (let i = 0; i < s.compiled.length; i++) expect(s.compiled[i]!.when).not.toBe(s.interpreted[i]!.when);
    }
  });

  it("agree on value, error and trace for generated contexts", () => {
    let journeys = 0;
    for (const s of sets) {
      s.program.journeys.forEach((j, i) => {
        journeys++;
        const compiled = s.compiled[i]!;
        const interpreted = s.interpreted[i]!;
        expect(compiled.meta.id).toBe(j.id);
        const seen = new Set<string>();
        fc.assert(
          fc.property(contextArb(s.program, j), (ctx) => {
            const a = run(compiled.when, ctx);
            const b = run(interpreted.when, ctx);
            expect(a).toEqual(b);
            // The compiled path really ran: it reported values, ending with the root's.
            expect(a.events.length).toBeGreaterThan(0);
            if ("value" in a) {
              expect(a.events[a.events.length - 1]).toEqual([compiled.meta.whenRoot, a.value]);
              seen.add(String(a.value));
            } else seen.add(`error:${a.error}`);
            if (compiled.reason && interpreted.reason) {
              const ra = run(compiled.reason, ctx);
              const rb = run(interpreted.reason, ctx);
              expect(ra).toEqual(rb);
            } else expect(compiled.reason).toBe(interpreted.reason);
          }),
          { numRuns: 1000 },
        );
        // Generated contexts exercise both outcomes of every journey.
        expect([...seen].sort(), `${s.name}/${j.id}`).toEqual(expect.arrayContaining(["false", "true"]));
      });
    }
    expect(journeys).toBeGreaterThanOrEqual(10);
  });
});
