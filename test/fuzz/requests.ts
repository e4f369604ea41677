// Decision requests for the fuzz target: valid requests derived from a policy set's catalog
// and journeys (testing/generate.ts's caseArbitrary, the generator `kairos test` uses),
// then made hostile — huge and non-finite-looking numbers, far and impossible dates, absurd
// durations, prototype names as keys and values, wrong types, very long lists.
import fc from "fast-check";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import type { CheckedProgram } from "../../compiler/checker/checked.ts";
import { journeyMeta } from "../../compiler/plan/journey-meta.ts";
import { checkSources } from "../../compiler/pipeline.ts";
import { readPolicyDir } from "../../compiler/node/policy-dir.ts";
import { planJourney } from "../../compiler/plan/trace-nodes.ts";
import type { Engine } from "../../runtime/engine.ts";
import { caseArbitrary, mineHints, triggersOf } from "../../testing/generate.ts";

/** Names that mean something to JavaScript objects: as keys they must stay plain data. */
export const PROTOTYPE_NAMES = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "then",
  "length",
] as const;

export const HOSTILE_NUMBERS: readonly number[] = [
  1e308,
  -1e308,
  Number.MAX_VALUE,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e21,
  5e-324,
  0.1,
  -1,
  0,
  99_999_999_999,
  104_249_991,
];

export const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "\u0000",
  "\ud800",
  "9999-12-31",
  "0000-01-01",
  "2026-02-30",
  "+275760-09-13T00:00:00Z",
  "-271821-04-20T00:00:00Z",
  "275760-09-13T00:00:00.001Z",
  "9999-12-31T23:59:59.999+14:00",
  "0001-01-01T00:00:00-23:59",
  "2026-02-30T00:00:00Z",
  "2026-05-30T24:00:00Z",
  "99999999d",
  "104249991d",
  "P99999999D",
  "P1000000Y",
  "PT0S",
  "0d",
  "-1d",
  "NaN",
  "Infinity",
  "1e309",
  "9".repeat(309),
  "99999999999999999999",
  "Not/AZone",
  "Etc/GMT+14",
  "purpose:constructor",
  "purpose:__proto__",
  ...PROTOTYPE_NAMES,
];

const HOSTILE_VALUES: readonly unknown[] = [null, true, false, [], {}, [[]], [null], { "": 1 }, ...HOSTILE_NUMBERS, ...HOSTILE_STRINGS];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One edit of a request's JSON. */
export interface RequestEdit {
  readonly op: "replace" | "add-key" | "lengthen" | "remove" | "wrap" | "long-string";
  readonly at: number;
  readonly value: number;
  readonly key: number;
  readonly length: number;
}

const editArb: fc.Arbitrary<RequestEdit> = fc.record({
  op: fc.constantFrom("replace", "replace", "replace", "add-key", "add-key", "lengthen", "remove", "wrap", "long-string"),
  at: fc.nat(),
  value: fc.nat(),
  key: fc.nat(),
  length: fc.constantFrom(10, 100, 1000, 3000),
});

function containers(v: Json, out: { parent: Json[] | { [k: string]: Json }; key: string | number }[], limit: number): void {
  if (out.length >= limit || v === null || typeof v !== "object") return;
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push({ parent: v, key: i });
      containers(x, out, limit);
    });
  } else {
    for (const k of Object.keys(v)) {
      out.push({ parent: v, key: k });
      containers(v[k]!, out, limit);
    }
  }
}

/** Sets an own data property, even `__proto__` (assignment would set the prototype instead). */
function setOwn(o: { [k: string]: Json }, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function clone(v: Json): Json {
  return JSON.parse(JSON.stringify(v)) as Json;
}

/** Applies edits to a copy of a request; the result is JSON text. */
export function applyEdits(request: unknown, edits: readonly RequestEdit[]): string {
  const root = { r: clone(request as Json) } as { [k: string]: Json };
  for (const e of edits) {
    const slots: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = [];
    containers(root, slots, 4000);
    const slot = slots[e.at % slots.length];
    if (!slot) continue;
    const { parent, key } = slot;
    const current = (parent as Record<string | number, Json>)[key]!;
    const hostile = HOSTILE_VALUES[e.value % HOSTILE_VALUES.length] as Json;
    const put = (v: Json) => (Array.isArray(parent) ? (parent[key as number] = v) : setOwn(parent, key as string, v));
    switch (e.op) {
      case "replace":
        put(clone(hostile));
        break;
      case "add-key": {
        const target = current !== null && typeof current === "object" && !Array.isArray(current) ? current : Array.isArray(parent) ? undefined : parent;
        if (target) setOwn(target, PROTOTYPE_NAMES[e.key % PROTOTYPE_NAMES.length]!, clone(hostile));
        break;
      }
      case "lengthen": {
        const list = Array.isArray(current) ? current : Array.isArray(parent) ? parent : undefined;
        if (list && list.length > 0) {
          const items = list.slice();
          for (let i = 0; list.length < e.length; i++) list.push(clone(items[i % items.length]!));
        }
        break;
      }
      case "remove":
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else if (key !== "r") delete parent[key as string];
        break;
      case "wrap":
        put(e.key % 2 === 0 ? [current] : { value: current });
        break;
      case "long-string":
        put(typeof current === "string" ? current.repeat(Math.max(1, Math.ceil((e.length * 50) / Math.max(1, current.length)))) : "x".repeat(e.length * 50));
        break;
    }
  }
  return JSON.stringify(root["r"] ?? null);
}

/** Valid requests for a checked policy set: what `kairos test` properties would send. */
export function validRequests(catalog: Catalog, journeys: readonly JourneyMeta[], program: CheckedProgram): fc.Arbitrary<unknown> {
  const hints = mineHints(
    program.journeys.map((j) => j.when),
    program.resolutions,
  );
  // Every event too, not only those with journeys: plain events of a timed journey list wake-ups.
  const triggers = [...triggersOf(journeys), ...[...catalog.events.keys()].map((event) => ({ event }))];
  return caseArbitrary({ catalog, journeys, triggers, fixed: { context: {}, consents: [], objections: [], history: [] }, hints });
}

/** Valid requests for the policy set in a directory (checked here, in the calling process). */
export function validRequestsForDir(dir: string): fc.Arbitrary<unknown> {
  const read = readPolicyDir(dir);
  const checked = read.sources && checkSources(read.sources);
  const program = checked?.program;
  if (!program || !checked) throw new Error(`${dir} does not check`);
  const metas = program.journeys.map((j) => journeyMeta(j, planJourney(program, j), checked.sources));
  return validRequests(program.catalog, metas, program);
}

/** Valid requests with 0–3 hostile edits, as JSON text (shrinks toward the valid request). */
export function hostileRequests(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.array(editArb, { maxLength: 3 })).map(([r, edits]) => applyEdits(r, edits));
}

/** `count` requests for a policy set, reproducible from `seed`. */
export function generatedRequests(engine: Engine, program: CheckedProgram, seed: number, count: number, hostile: boolean): string[] {
  const valid = validRequests(
    engine.catalog,
    engine.predicates.journeys.map((j) => j.meta),
    program,
  );
  const arb = hostile ? hostileRequests(valid) : valid.map((r) => JSON.stringify(r));
  return fc.sample(arb, { seed, numRuns: count });
}
