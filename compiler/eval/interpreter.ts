// The reference interpreter: evaluates checked journeys directly over the AST, with the same
// values and the same trace as the generated predicates (see compiler/eval/semantics.ts for the
// rules both follow, and compiler/plan/trace-nodes.ts for the shared node numbering). Used by the
// conformance and property tests as the oracle, and wherever no generated module is at hand.
import type * as A from "../syntax/ast.ts";
import type { CompiledJourney, PredicateContext, Tracer } from "../../core/artifact.ts";
import type { CheckedJourney, CheckedProgram } from "../checker/checked.ts";
import { journeyMeta } from "../plan/journey-meta.ts";
import { MS_PER_DAY } from "../../core/literals.ts";
import { SiteRanges } from "../checker/ranges.ts";
import { arithmeticKind, compare, dayOf, divide, hoursSince, literalValue, PredicateError, showKind, showValue, wholeDays } from "./semantics.ts";
import type { SourceSet } from "../../core/source.ts";
import { planJourney, type PlannedCondition, type Site } from "../plan/trace-nodes.ts";

type Env = ReadonlyMap<A.QuantifierExpr, unknown>;
const EMPTY: Env = new Map();

/** One evaluation of `when` or `reason`: its input, its tracer, and each condition's value once known. */
interface Run {
  readonly ctx: PredicateContext;
  readonly trace: Tracer;
  readonly conditions: Map<PlannedCondition, unknown>;
  /** Value ranges of the journey's sites: where time arithmetic must be checked as it runs. */
  readonly ranges: SiteRanges;
}

/** Every journey of a program as interpreted `CompiledJourney`s, in the program's order (by id). */
export function interpretProgram(program: CheckedProgram, sources?: SourceSet): CompiledJourney[] {
  return program.journeys.map((j) => interpretJourney(program, j, sources));
}

/** One journey with interpreted `when` and `reason`, and the same metadata codegen writes. */
export function interpretJourney(program: CheckedProgram, journey: CheckedJourney, sources?: SourceSet): CompiledJourney {
  const plan = planJourney(program, journey, sources);
  const meta = journeyMeta(journey, plan, sources);
  const ranges = new SiteRanges();
  const when = (ctx: PredicateContext, trace: Tracer): boolean => evaluate(plan.when, { ctx, trace, conditions: new Map(), ranges }, EMPTY) as boolean;
  const parts = plan.reason;
  if (!parts) return { meta, when };
  const reason = (ctx: PredicateContext, trace: Tracer): string => {
    let out = "";
    const run: Run = { ctx, trace, conditions: new Map(), ranges };
    for (const p of parts) out += p.kind === "text" ? p.text : showValue(showKind(p.site.type, p.site.expr), evaluate(p.site, run, EMPTY));
    return out;
  };
  return { meta, when, reason };
}

/** Evaluates a site, then records its value (after its sub-sites, as compiled code does). */
function evaluate(site: Site, run: Run, env: Env): unknown {
  const v = compute(site, run, env);
  if (site.id !== undefined) run.trace(site.id, v);
  return v;
}

function compute(site: Site, run: Run, env: Env): unknown {
  const e = site.expr;
  const kid = (i: number, en: Env = env) => evaluate(site.children[i]!, run, en);
  switch (e.kind) {
    case "bool":
    case "int":
    case "decimal":
    case "string":
    case "date":
    case "datetime":
    case "duration":
      return literalValue(e);
    case "list":
      return site.children.map((_, i) => kid(i));
    case "path":
      return readPath(site, run, env);
    case "call":
      return call(e.callee.name, site, run.ctx, kid);
    case "unary":
      return e.op === "not" ? !kid(0) : -(kid(0) as number);
    case "is_set": {
      const v = kid(0);
      const set = v !== null && v !== undefined;
      return e.negated ? !set : set;
    }
    case "quantifier":
      return quantify(e, site, run, env);
    case "binary":
      return inRange(site, run, binary(e, site, kid));
    case "error":
      throw new Error("bug: an error node reached the interpreter");
  }
}

function readPath(site: Site, run: Run, env: Env): unknown {
  const r = site.resolution;
  const ctx = run.ctx;
  switch (r?.kind) {
    case "field":
      return own(own(ctx, r.def.entity), r.def.name);
    case "event":
      return own(ctx.event, r.name);
    case "now":
      return ctx.now;
    case "variable": {
      let v = env.get(r.binder);
      for (const m of r.members) v = own(v, m);
      return v;
    }
    case "condition": {
      // Evaluated (and its body traced) at most once per run; later references reuse the value.
      const planned = site.condition!;
      if (run.conditions.has(planned)) return run.conditions.get(planned);
      const v = evaluate(planned.body, run, EMPTY); // a condition sees no quantifier variable
      run.conditions.set(planned, v);
      return v;
    }
    default:
      throw new Error(`bug: unresolved path \`${site.expr.kind === "path" ? site.expr.segments.map((s) => s.name).join(".") : ""}\``);
  }
}

/**
 * A record's own property: context records are plain data, and a name every object inherits
 * (`constructor`, `toString`, …) must read as absent, as the generated `own` helper reads it.
 */
function own(record: unknown, name: string): unknown {
  return Object.hasOwn(record as object, name) ? (record as Record<string, unknown>)[name] : undefined;
}

function call(name: string, site: Site, ctx: PredicateContext, kid: (i: number) => unknown): unknown {
  switch (name) {
    case "days_since":
    case "days_until": {
      const argType = site.children[0]!.type.kind;
      const arg = kid(0) as number;
      const day = argType === "datetime" ? dayOf(arg) : arg;
      return name === "days_since" ? dayOf(ctx.now) - day : day - dayOf(ctx.now);
    }
    case "hours_since":
      return hoursSince(ctx.now, kid(0) as number);
    case "count":
      return (kid(0) as readonly unknown[]).length;
    case "lower":
      return (kid(0) as string).toLowerCase();
    case "contains": {
      const s = kid(0) as string;
      return s.includes(kid(1) as string);
    }
    default:
      throw new Error(`bug: unknown function \`${name}\``);
  }
}

function quantify(e: A.QuantifierExpr, site: Site, run: Run, env: Env): unknown {
  run.ranges.bind(e, site.children[0]!);
  const list = evaluate(site.children[0]!, run, env) as readonly unknown[];
  const body = site.children[1]!;
  const test = (x: unknown) => evaluate(body, run, new Map(env).set(e, x)) as boolean;
  switch (e.quantifier) {
    case "any":
      for (const x of list) if (test(x)) return true;
      return false;
    case "all":
      for (const x of list) if (!test(x)) return false;
      return true;
    case "count": {
      let n = 0;
      for (const x of list) if (test(x)) n++;
      return n;
    }
  }
}

/**
 * Time arithmetic the checker could not prove in range for all data fails the predicate past
 * what a JavaScript Date represents — the same check, at the same sites, as the generated
 * `dateIn`/`instantIn` (compiler/codegen/prelude.ts).
 */
function inRange(site: Site, run: Run, value: unknown): unknown {
  const kind = run.ranges.unchecked(site);
  if (kind === "date" && !(Math.abs(value as number) <= 100_000_000)) {
    throw new PredicateError("predicate/date-out-of-range", "the date is past the dates that can be represented", site.id ?? -1);
  }
  if (kind === "datetime" && !(Math.abs(value as number) <= 8_640_000_000_000_000)) {
    throw new PredicateError("predicate/date-out-of-range", "the datetime is past the instants that can be represented", site.id ?? -1);
  }
  return value;
}

function binary(e: A.BinaryExpr, site: Site, kid: (i: number) => unknown): unknown {
  switch (e.op) {
    case "and":
      return (kid(0) as boolean) && (kid(1) as boolean);
    case "or":
      return (kid(0) as boolean) || (kid(1) as boolean);
    case "in":
    case "not in": {
      const v = kid(0);
      const has = (kid(1) as readonly unknown[]).includes(v);
      return e.op === "in" ? has : !has;
    }
    default:
      break;
  }
  const l = kid(0);
  const r = kid(1);
  if (e.op === "==" || e.op === "!=" || e.op === "<" || e.op === "<=" || e.op === ">" || e.op === ">=") return compare(e.op, l, r);
  const a = l as number;
  const b = r as number;
  switch (arithmeticKind(e.op, site.children[0]!.type, site.children[1]!.type)) {
    case "date_duration":
      return e.op === "+" ? a + wholeDays(b) : a - wholeDays(b);
    case "duration_date":
      return wholeDays(a) + b;
    case "date_date":
      return (a - b) * MS_PER_DAY;
    case "number":
      switch (e.op) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return divide(a, b, site.id ?? -1);
      }
  }
}
