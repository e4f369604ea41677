// Running properties with fast-check: the author's (`assume` filters generated requests,
// `expect` must hold for each decision) and the built-in ones. A failure is shrunk and printed
// as a ready-to-paste `test`; a property whose `assume` rejects nearly everything is reported
// as too strict instead of passing on a handful of cases.
import fc from "fast-check";
import type { JourneyMeta } from "../core/artifact.ts";
import type { Expr } from "../compiler/syntax/ast.ts";
import type { CheckedProgram } from "../compiler/checker/checked.ts";
import type { Diagnostic } from "../core/diagnostics.ts";
import type { SourceSet, Span } from "../core/source.ts";
import type { CheckedProperty, CheckedSuite, TestRequest } from "../compiler/tests/model.ts";
import type { Decision } from "../runtime/decision.ts";
import type { Engine } from "../runtime/engine.ts";
import { traceTree, type TraceLine } from "../runtime/rationale/trace-tree.ts";
import { BUILTIN_PROPERTIES, type BuiltinProperty } from "./builtins.ts";
import { counterexampleTest } from "./counterexample.ts";
import { decisionValues, expressionCompiler, requestContext, type PropertyExpr } from "./expressions.ts";
import { caseArbitrary, mineHints, triggersOf, type Hints, type Trigger } from "./generate.ts";

/** More than this share of generated cases discarded by `assume` makes a property too strict. */
export const MAX_DISCARD_RATIO = 0.95;
/** fast-check stops after this many discards per run; 20/21 > 95%, so it stops only past the limit. */
const MAX_SKIPS_PER_RUN = 20;

export interface PropertyFailure {
  readonly message: string;
  readonly request: TestRequest;
  readonly decision: Decision;
  /** The shrunk counterexample as a `test` block. */
  readonly test: string;
  /** The failing `expect`, traced, when the property is the author's. */
  readonly trace?: readonly TraceLine[];
}

export interface PropertyResult {
  readonly name: string;
  readonly builtin: boolean;
  readonly file?: string;
  readonly span?: Span;
  readonly status: "passed" | "failed" | "too-strict";
  /** Cases that reached `expect`, and cases `assume` discarded. */
  readonly runs: number;
  readonly discarded: number;
  readonly seed: number;
  readonly ms: number;
  readonly failure?: PropertyFailure;
  /** For `too-strict`: the diagnostic, pointing at `assume`. */
  readonly diagnostic?: Diagnostic;
}

/** Everything properties run against. */
export interface PropertyEnv {
  readonly engine: Engine;
  readonly program: CheckedProgram;
  readonly suite: CheckedSuite;
  readonly sources?: SourceSet;
  readonly metas: ReadonlyMap<string, JourneyMeta>;
  readonly triggers: readonly Trigger[];
  readonly hints: Hints;
  readonly compile: (expr: Expr, label: string) => PropertyExpr;
}

export function propertyEnv(engine: Engine, program: CheckedProgram, suite: CheckedSuite, sources?: SourceSet): PropertyEnv {
  const metas = new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta]));
  const exprs = [
    ...program.journeys.map((j) => j.when),
    ...[...program.conditions.values()].map((c) => c.body),
    ...suite.properties.flatMap((p) => [...p.assumes, ...p.expects]),
  ];
  return {
    engine,
    program,
    suite,
    ...(sources ? { sources } : {}),
    metas,
    triggers: triggersOf([...metas.values()]),
    hints: mineHints(exprs, new Map([...program.resolutions, ...suite.resolutions])),
    compile: expressionCompiler(program, suite, sources),
  };
}

/** A stable seed per property name, so runs repeat; `base` varies them all at once. */
export function seedFor(name: string, base = 0): number {
  let h = 2166136261 ^ base;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h | 0;
}

export interface RunOptions {
  /** Varies every property's seed (`kairos test --seed N`). */
  readonly seed?: number;
  /** Overrides each property's `runs`. */
  readonly runs?: number;
}

/** Paths a property reads (printed in its counterexample besides the decision's bundle). */
function readPaths(p: CheckedProperty, suite: CheckedSuite): string[] {
  const out = new Set<string>();
  for (const [path, r] of suite.resolutions) {
    if (r.kind !== "field" || r.def.entity === "decision") continue;
    if ([...p.assumes, ...p.expects].some((e) => e.span.file === path.span.file && e.span.start <= path.span.start && path.span.end <= e.span.end))
      out.add(r.path);
  }
  return [...out];
}

/** Runs one of the author's properties. */
export async function runProperty(p: CheckedProperty, env: PropertyEnv, options: RunOptions = {}): Promise<PropertyResult> {
  const start = performance.now();
  const seed = seedFor(p.name, options.seed);
  const numRuns = options.runs ?? p.runs;
  const catalog = env.program.catalog;
  const assumes = p.assumes.map((e, i) => env.compile(e, `assume#${i}`));
  const expects = p.expects.map((e, i) => env.compile(e, `expect#${i}`));
  const triggers = p.trigger ? [p.trigger] : env.triggers;
  const arb = caseArbitrary({ catalog, journeys: [...env.metas.values()], triggers, fixed: p.fixed, hints: env.hints });
  // An expression that cannot be evaluated (`lower()` of a decision field without a value)
  // fails the case, with the reason, rather than the run.
  const holds = async (r: TestRequest): Promise<{ ok: boolean; decision: Decision; failed?: { expr: PropertyExpr; index: number }; error?: string }> => {
    const base = requestContext(catalog, r);
    const decision = await env.engine.decide(r);
    const ctx = { ...base, decision: decisionValues(decision, env.metas) };
    for (let i = 0; i < expects.length; i++) {
      try {
        if (!expects[i]!.evaluate(ctx)) return { ok: false, decision, failed: { expr: expects[i]!, index: i } };
      } catch (e) {
        return { ok: false, decision, error: `\`expect\` could not be evaluated: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    return { ok: true, decision };
  };
  const assumed = (base: ReturnType<typeof requestContext>): boolean => {
    try {
      return assumes.every((a) => a.evaluate(base));
    } catch {
      return false; // an `assume` that cannot be evaluated on a case does not select it
    }
  };
  const details = await fc.check(
    fc.asyncProperty(arb, async (r) => {
      const base = requestContext(catalog, r);
      fc.pre(assumed(base));
      return (await holds(r)).ok;
    }),
    { numRuns, seed, maxSkipsPerRun: MAX_SKIPS_PER_RUN },
  );
  const ms = performance.now() - start;
  const common = { name: p.name, builtin: false, file: p.file, span: p.span, seed, ms };
  const total = details.numRuns + details.numSkips;
  const ratio = total === 0 ? 0 : details.numSkips / total;
  if ((details.failed && details.counterexample === null && details.numSkips > 0) || ratio > MAX_DISCARD_RATIO) {
    const diagnostic: Diagnostic = {
      code: "test/property-vacuous",
      severity: "error",
      message: `property "${p.name}" is too strict: \`assume\` discarded ${details.numSkips} of ${total} generated cases (${(ratio * 100).toFixed(1)}%)`,
      span: p.assumeSpan,
      hint: "loosen `assume`, or fix what it filters with `given`, `consent`, `objection` or `on` so that cases are generated that way",
    };
    return { ...common, status: "too-strict", runs: details.numRuns, discarded: details.numSkips, diagnostic };
  }
  if (!details.failed) return { ...common, status: "passed", runs: details.numRuns, discarded: details.numSkips };
  const request = details.counterexample?.[0];
  if (!request) throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  const again = await holds(request);
  let trace: readonly TraceLine[] | undefined;
  let message: string;
  if (again.failed) {
    const events: [number, unknown][] = [];
    again.failed.expr.evaluate({ ...requestContext(catalog, request), decision: decisionValues(again.decision, env.metas) }, events);
    const lines = traceTree(again.failed.expr.meta, events).when;
    trace = lines;
    message = `\`${lines[0]?.source ?? "expect"}\` is false`;
  } else {
    message =
      again.error ?? (details.errorInstance instanceof Error ? `evaluating the property failed: ${details.errorInstance.message}` : "the property failed");
  }
  const test = counterexampleTest(catalog, request, again.decision, {
    name: `${p.name}: counterexample`,
    alsoFields: readPaths(p, env.suite),
    comments: [
      `counterexample to property "${p.name}" (seed ${seed}, ${details.numShrinks} shrinks): ${message.replace(/`/g, "")}`,
      "the expectations below are what the decision was; change them to what it should be",
    ],
  });
  return {
    ...common,
    status: "failed",
    runs: details.numRuns,
    discarded: details.numSkips,
    failure: { message, request, decision: again.decision, test, ...(trace ? { trace } : {}) },
  };
}

/** Runs one built-in property over every trigger of the policy set. */
export async function runBuiltin(b: BuiltinProperty, env: PropertyEnv, options: RunOptions & { readonly builtinRuns?: number } = {}): Promise<PropertyResult> {
  const start = performance.now();
  const seed = seedFor(b.id, options.seed);
  const catalog = env.program.catalog;
  const arb = caseArbitrary({
    catalog,
    journeys: [...env.metas.values()],
    triggers: env.triggers,
    fixed: { context: {}, consents: [], objections: [], history: [] },
    hints: env.hints,
  });
  const details = await fc.check(
    fc.asyncProperty(arb, async (r) => (await b.check(env.engine, r, env.metas)).problem === undefined),
    { numRuns: options.builtinRuns ?? options.runs ?? 200, seed },
  );
  const common = { name: b.name, builtin: true, seed, ms: performance.now() - start, runs: details.numRuns, discarded: details.numSkips };
  if (!details.failed) return { ...common, status: "passed" };
  const request = details.counterexample?.[0];
  if (!request) throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  const again = await b.check(env.engine, request, env.metas);
  const message = again.problem ?? (details.errorInstance instanceof Error ? details.errorInstance.message : "the property failed");
  const test = counterexampleTest(catalog, request, again.decision, {
    name: `${b.id}: counterexample`,
    comments: [`counterexample to the built-in property "${b.id}" (seed ${seed}): ${message.replace(/`/g, "")}`],
  });
  return { ...common, status: "failed", failure: { message, request, decision: again.decision, test } };
}

/** Every built-in property, in a fixed order. */
export async function runBuiltins(env: PropertyEnv, options: RunOptions & { readonly builtinRuns?: number } = {}): Promise<PropertyResult[]> {
  const out: PropertyResult[] = [];
  for (const b of BUILTIN_PROPERTIES) out.push(await runBuiltin(b, env, options));
  return out;
}
