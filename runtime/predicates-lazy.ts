// Journeys of the predicates module evaluated only when first used. Why: an engine over 10,000
// journeys needs, before an event selects a journey, only its id, priority and trigger (the
// trigger index, runtime/triggers.ts), yet evaluating every journey's metadata and functions at
// load costs much resident memory (10,000 journeys: +255–278 MB above a bare process evaluated at
// load, ~+100 MB this way, of which ~75 MB is what 10 journeys cost too). So a journey starts as
// a stand-in holding those three values, parsed from the verified module text
// (runtime/predicates-sections.ts), and its section is evaluated the first time anything else
// about it is read (~50 µs CPU, once per journey). A stand-in costs ~250 bytes.
//
// What callers see stays what the module imported whole gives them: each journey is a plain
// `{ meta, when, reason? }` object. Before evaluation, `meta` is a Proxy that answers `id`,
// `priority` and `trigger` from the stand-in and, for anything else (any other key, `Object.keys`,
// a property descriptor, the prototype), evaluates the section and answers from the real metadata
// from then on; `when` and `reason` evaluate it and call the real functions. Evaluation replaces
// the journey's own `meta`, `when` and `reason` with the real ones, so later reads pay nothing;
// only a meta captured before (the engine's id → meta map) keeps the Proxy, which forwards. The
// three values used before evaluation are checked against the real metadata when it is
// evaluated: should they differ (a module not written by codegen), evaluation throws. (A journey
// that such a module gives another trigger than its text's first lines say, and that is never
// selected, is not checked: this holds for codegen's output, which never repeats a key.)
import type { CompiledJourney, JourneyMeta, PredicateContext, Tracer } from "../core/artifact.ts";

/** A section evaluated: its metadata and predicate functions. */
export interface EvaluatedSection {
  readonly meta: JourneyMeta;
  readonly when: CompiledJourney["when"];
  readonly reason: CompiledJourney["reason"];
}

/** Evaluates the section of a pending journey (one per module: holds the module text and helpers). */
export interface SectionSource {
  evaluate(pending: Pending): EvaluatedSection;
}

type MutableJourney = { meta: JourneyMeta; when: CompiledJourney["when"]; reason?: CompiledJourney["reason"] };

/**
 * A journey not evaluated yet: the Proxy's target (never seen by callers). Its id, priority and
 * trigger are what the journey answers before evaluation (the trigger index's inputs).
 */
export interface Pending {
  readonly id: string;
  readonly priority: number;
  readonly trigger: JourneyMeta["trigger"];
  /** Where its section lies in the module text (offsets; see runtime/predicates-sections.ts). */
  readonly start: number;
  readonly metaAt: number;
  readonly source: SectionSource;
  journey: MutableJourney;
  evaluated: EvaluatedSection | undefined;
}

/** The key under which a stand-in meta gives its Pending (module-private: no one else can ask). */
const PENDING: unique symbol = Symbol("pending journey");

function evaluated(p: Pending): EvaluatedSection {
  if (p.evaluated) return p.evaluated;
  let e: EvaluatedSection;
  try {
    e = p.source.evaluate(p);
  } catch (err) {
    throw new Error(`predicates.js: the section of journey \`${p.id}\` does not evaluate: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const { meta } = e;
  if (
    meta === null ||
    typeof meta !== "object" ||
    meta.id !== p.id ||
    !Object.is(meta.priority, p.priority) ||
    JSON.stringify(meta.trigger) !== JSON.stringify(p.trigger)
  ) {
    throw new Error(`predicates.js: the metadata of journey \`${p.id}\` does not match its id, priority and trigger as written in the module's layout`);
  }
  p.evaluated = e;
  const j = p.journey;
  j.meta = meta;
  j.when = e.when;
  if (e.reason !== undefined) j.reason = e.reason;
  return e;
}

const refuse = (): boolean => false;

/** The stand-in meta's behaviour: its id, priority and trigger, everything else from the real metadata. */
const handler: ProxyHandler<Pending> = {
  get(p, key) {
    if (key === PENDING) return p;
    if (p.evaluated === undefined && (key === "id" || key === "priority" || key === "trigger")) return p[key];
    return Reflect.get(evaluated(p).meta, key);
  },
  has: (p, key) => Reflect.has(evaluated(p).meta, key),
  ownKeys: (p) => Reflect.ownKeys(evaluated(p).meta),
  getOwnPropertyDescriptor: (p, key) => Reflect.getOwnPropertyDescriptor(evaluated(p).meta, key),
  getPrototypeOf: (p) => Reflect.getPrototypeOf(evaluated(p).meta),
  // Metadata is read-only (core/artifact.ts): writes are refused rather than split between objects.
  set: refuse,
  defineProperty: refuse,
  deleteProperty: refuse,
  setPrototypeOf: refuse,
  preventExtensions: refuse,
};

/** `when` of a pending journey, bound to it (a bound function is smaller than a closure and its scope). */
function pendingWhen(this: Pending, ctx: PredicateContext, trace: Tracer): boolean {
  return evaluated(this).when(ctx, trace);
}

/** `reason` of a pending journey, bound to it. */
function pendingReason(this: Pending, ctx: PredicateContext, trace: Tracer): string {
  return evaluated(this).reason!(ctx, trace);
}

/**
 * A journey whose section is evaluated when first used (see the file header), known until then by
 * its id, priority and trigger. `reason` says whether it has one (the module's export list says so
 * without evaluating anything); `start` and `metaAt` are its section's offsets, for `source`.
 */
export function lazyJourney(
  id: string,
  priority: number,
  trigger: JourneyMeta["trigger"],
  reason: boolean,
  start: number,
  metaAt: number,
  source: SectionSource,
): CompiledJourney {
  const p: Pending = { id, priority, trigger, start, metaAt, source, journey: undefined as unknown as MutableJourney, evaluated: undefined };
  const meta = new Proxy(p, handler) as unknown as JourneyMeta;
  // Keys in the order of the module's export entries, so the object looks like theirs.
  const journey: MutableJourney = reason ? { meta, when: pendingWhen.bind(p), reason: pendingReason.bind(p) } : { meta, when: pendingWhen.bind(p) };
  p.journey = journey;
  return journey;
}

/** Whether a journey of a lazily evaluated module has not been evaluated yet (for tests and measurements). */
export function isPending(journey: CompiledJourney): boolean {
  const p = (journey.meta as unknown as { [PENDING]?: Pending })[PENDING];
  return p !== undefined && p.evaluated === undefined;
}
