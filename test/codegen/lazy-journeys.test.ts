// Journeys evaluated only when first used (runtime/predicates-lazy.ts, read from the module's text
// by runtime/predicates-sections.ts): loading and building an engine evaluate nothing; a decision
// evaluates only the journeys it selects; before evaluation a journey answers its id, priority and
// trigger exactly as its evaluated metadata does, and its stand-in metadata reads like the real
// one in every way callers look at it; `when` and `reason` called before anything else agree with
// the module imported whole; a module whose text and values disagree is an error, not a guess.
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { CheckedProgram } from "../../compiler/checker/checked.ts";
import { emitPredicates } from "../../compiler/codegen/index.ts";
import type { CompiledJourney, JourneyMeta } from "../../core/artifact.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import { catalogFromJson } from "../../core/catalog/serialize.ts";
import { buildWorkload } from "../../bench/contenders/workload.ts";
import { Engine } from "../../runtime/engine.ts";
import { verifyArtifact } from "../../runtime/load.ts";
import { PolicyEngine } from "../../runtime/opa/index.ts";
import { isPending } from "../../runtime/predicates-lazy.ts";
import { evaluatePredicateSections } from "../../runtime/predicates-sections.ts";
import { compileFiles, policySources } from "../runtime/compiled.ts";
import { compileCase, compileExample, contextArb, goldenCases, importPredicates, ROOT, run } from "./helpers.ts";

interface Set {
  readonly name: string;
  readonly js: string;
  readonly program: CheckedProgram;
  readonly whole: readonly CompiledJourney[];
}

const sets: Set[] = [];
beforeAll(async () => {
  const add = async (name: string, r: ReturnType<typeof compileExample>): Promise<void> => {
    const js = emitPredicates(r.program, r.sources).js;
    sets.push({ name, js, program: r.program, whole: (await importPredicates(js)).journeys });
  };
  await add("example", compileExample());
  for (const c of goldenCases()) await add(c, compileCase(c));
});

/** A fresh lazily evaluated module (nothing evaluated yet). */
function lazy(js: string): readonly CompiledJourney[] {
  const m = evaluatePredicateSections(js);
  if (!m) throw new Error("the sectioned evaluation declined codegen's own output");
  return m.journeys;
}

describe("journeys evaluated when first used", () => {
  it("answer id, priority and trigger before evaluation exactly as their evaluated metadata", () => {
    let journeys = 0;
    let timed = 0;
    for (const s of sets) {
      const fresh = lazy(s.js);
      expect(fresh.length, s.name).toBe(s.whole.length);
      fresh.forEach((j, i) => {
        const real = s.whole[i]!.meta;
        expect(isPending(j), `${s.name}: ${real.id}`).toBe(true);
        expect([j.meta.id, j.meta.priority, JSON.stringify(j.meta.trigger)]).toEqual([real.id, real.priority, JSON.stringify(real.trigger)]);
        // Reading those three evaluated nothing.
        expect(isPending(j)).toBe(true);
        journeys++;
        if (real.trigger.timers.length > 0) timed++;
      });
    }
    expect(journeys).toBeGreaterThanOrEqual(10);
    expect(timed).toBeGreaterThan(0);
  });

  it("have a stand-in metadata that reads as the real one, before and after evaluation", () => {
    for (const s of sets) {
      const fresh = lazy(s.js);
      fresh.forEach((j, i) => {
        const real = s.whole[i]!.meta;
        const standIn: JourneyMeta = j.meta;
        // Any other read evaluates the section, and the stand-in forwards to the real metadata.
        expect(Object.keys(standIn)).toEqual(Object.keys(real));
        expect(isPending(j)).toBe(false);
        expect(Object.getPrototypeOf(standIn)).toBe(Object.prototype);
        expect(JSON.stringify(standIn)).toBe(JSON.stringify(real));
        expect(canonicalJson(standIn, 2)).toBe(canonicalJson(real, 2));
        expect(standIn).toEqual(real);
        expect("purpose" in standIn).toBe(true);
        expect(Object.getOwnPropertyDescriptor(standIn, "nodes")?.value).toEqual(real.nodes);
        // The journey itself now holds the plain metadata (the hot path reads no Proxy).
        expect(j.meta).not.toBe(standIn);
        expect(Object.getPrototypeOf(j.meta)).toBe(Object.prototype);
        expect(j.meta).toEqual(real);
        expect(standIn.nodes).toBe(j.meta.nodes);
        // Metadata is read-only.
        expect(() => {
          (standIn as { title: string }).title = "changed";
        }).toThrow(TypeError);
        expect(j.meta.title).toBe(real.title);
      });
    }
  });

  it("run `when` and `reason` called first, unbound, as the module imported whole does", () => {
    let checked = 0;
    for (const s of sets) {
      s.program.journeys.forEach((cj) => {
        const i = s.whole.findIndex((w) => w.meta.id === cj.id);
        const whole = s.whole[i]!;
        fc.assert(
          fc.property(contextArb(s.program, cj), (ctx) => {
            const fresh = lazy(s.js)[i]!;
            const when = fresh.when;
            const reason = fresh.reason;
            expect(reason === undefined).toBe(whole.reason === undefined);
            expect(isPending(fresh)).toBe(true);
            expect(run(when, ctx)).toEqual(run(whole.when, ctx));
            expect(isPending(fresh)).toBe(false);
            if (reason && whole.reason) expect(run(reason, ctx)).toEqual(run(whole.reason, ctx));
          }),
          { numRuns: 20 },
        );
        checked++;
      });
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it("refuse to evaluate a journey whose text declares another trigger than the one it was selected by", async () => {
    const js = sets[0]!.js;
    // A second \`trigger\` key at the end of the first literal: valid JavaScript, and the later key wins.
    const changed = js.replace(/\n {2}whenRoot: (\d+),\n\};/, '\n  whenRoot: $1,\n  trigger: { event: "somewhere.else", timers: [] },\n};');
    expect(changed).not.toBe(js);
    expect((await importPredicates(changed)).journeys[0]!.meta.trigger.event).toBe("somewhere.else");
    const j = lazy(changed)[0]!;
    expect(isPending(j)).toBe(true);
    expect(j.meta.trigger.event).not.toBe("somewhere.else");
    expect(() => j.meta.title).toThrow("does not match its id, priority and trigger");
    // Still refused on the next read: nothing half-evaluated is kept.
    expect(() => j.when({} as never, () => {})).toThrow("does not match its id, priority and trigger");
  });

  it("load a module whose predicate functions do not evaluate, and refuse the journey when it is used", () => {
    const s = sets[0]!;
    // A syntax error in the first journey's \`when\` (its metadata is intact): found when it is used.
    const changed = s.js.replace(/\n(function when_\w+\(c, \$\) \{\n)/, "\n$1  return )(;\n");
    expect(changed).not.toBe(s.js);
    const journeys = lazy(changed);
    expect(journeys.every(isPending)).toBe(true);
    expect(journeys[0]!.meta.id).toBe(s.whole[0]!.meta.id);
    expect(() => journeys[0]!.meta.title).toThrow(`predicates.js: the section of journey \`${s.whole[0]!.meta.id}\` does not evaluate`);
    // The other journeys are unaffected.
    expect(journeys[1]!.meta).toEqual(s.whole[1]!.meta);
  });

  it("evaluate at once a journey whose metadata does not start in codegen's layout", () => {
    const s = sets[0]!;
    // Title after purpose: the same metadata, in an order codegen does not write.
    const changed = s.js.replace(/\n {2}(title: "[^"\n]*",)\n {2}(purpose: "[^"\n]*",)\n/, "\n  $2\n  $1\n");
    expect(changed).not.toBe(s.js);
    const journeys = lazy(changed);
    const evaluatedNow = journeys.filter((j) => !isPending(j));
    expect(evaluatedNow).toHaveLength(1);
    const i = journeys.indexOf(evaluatedNow[0]!);
    expect(evaluatedNow[0]!.meta).toEqual(s.whole[i]!.meta);
    expect(Object.getPrototypeOf(evaluatedNow[0]!.meta)).toBe(Object.prototype);
  });
});

describe("an engine over lazily evaluated journeys", () => {
  it("evaluates nothing to load, and then only the journeys that decisions select", async () => {
    const files = await compileFiles(policySources(join(ROOT, "policies")));
    const manifest = verifyArtifact(files);
    const catalog = catalogFromJson(JSON.parse(new TextDecoder().decode(files.get("catalog.json")!)));
    const policy = await PolicyEngine.load(files.get("opa/bundle.tar.gz")!);
    const predicates = evaluatePredicateSections(new TextDecoder().decode(files.get("predicates.js")!))!;
    const engine = Engine.fromParts({ manifest, catalog, predicates, policy });
    expect(predicates.journeys.every(isPending)).toBe(true);
    const reference = Engine.fromParts({
      manifest,
      catalog,
      predicates: await importPredicates(new TextDecoder().decode(files.get("predicates.js")!)),
      policy: await PolicyEngine.load(files.get("opa/bundle.tar.gz")!),
    });
    // One event type: only journeys on it (or named by the requests' history) may be evaluated.
    const requests = buildWorkload(200).filter((r) => r.event.type === "daily");
    expect(requests.length).toBeGreaterThan(0);
    const named = new Set<string>();
    for (const r of requests) {
      for (const h of r.history ?? []) named.add(h.journey);
      expect(JSON.stringify(await engine.decide(r))).toBe(JSON.stringify(await reference.decide(r)));
    }
    const evaluated = predicates.journeys.filter((j) => !isPending(j));
    expect(evaluated.length).toBeGreaterThan(0);
    for (const j of evaluated) expect(j.meta.trigger.event === "daily" || named.has(j.meta.id), j.meta.id).toBe(true);
    expect(predicates.journeys.some(isPending)).toBe(true);
  });
});
