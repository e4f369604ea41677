// Evaluating a property's `assume` and `expect` with the reference interpreter, the same
// evaluator (and the same trace) as a journey's `when`. The context is the generated request's
// data in the runtime representation, plus `decision` (docs/testing.md).
import type * as A from "../compiler/syntax/ast.ts";
import type { ContextValue, JourneyMeta, PredicateContext } from "../core/artifact.ts";
import type { Catalog, PurposeDef } from "../core/catalog/types.ts";
import type { CheckedJourney, CheckedProgram } from "../compiler/checker/checked.ts";
import { interpretJourney } from "../compiler/eval/interpreter.ts";
import { parseDateTimeLiteral } from "../core/literals.ts";
import type { SourceSet } from "../core/source.ts";
import type { CheckedSuite, TestRequest } from "../compiler/tests/model.ts";
import type { Decision, TraceEvent } from "../runtime/decision.ts";
import { dict, own } from "../runtime/own.ts";
import { convertValue } from "../runtime/values.ts";

/** A compiled property expression: its trace metadata and a traced evaluation. */
export interface PropertyExpr {
  readonly meta: JourneyMeta;
  evaluate(ctx: PredicateContext, trace?: TraceEvent[]): boolean;
}

const LOC = { start: 0, end: 0 };
const PURPOSE: PurposeDef = { name: "property", bases: [], channels: [], forbids: [], allows: [], marketing: false, loc: LOC };

/** Compiles property expressions against a program (for named conditions) and the suite's tables. */
export function expressionCompiler(program: CheckedProgram, suite: CheckedSuite, sources?: SourceSet): (expr: A.Expr, label: string) => PropertyExpr {
  const merged: CheckedProgram = {
    ...program,
    catalog: suite.scope,
    types: new Map([...program.types, ...suite.types]),
    resolutions: new Map([...program.resolutions, ...suite.resolutions]),
  };
  return (expr, label) => {
    const journey: CheckedJourney = {
      decl: { kind: "journey", name: { kind: "ident", name: label, span: expr.span }, clauses: [], span: expr.span },
      id: label,
      title: label,
      purpose: PURPOSE,
      risk: "low",
      priority: 0,
      trigger: { event: "", timers: [] },
      when: expr,
      action: { def: { name: "none", channel: "none", params: new Map(), cost: "low", loc: LOC }, params: {} },
      review: false,
      fields: [],
      eventFields: [],
    };
    const compiled = interpretJourney(merged, journey, sources);
    return {
      meta: compiled.meta,
      evaluate: (ctx, trace) => {
        const t: TraceEvent[] = trace ?? [];
        return compiled.when(ctx, (id, value) => {
          if (trace) t.push([id, value]);
          return value;
        });
      },
    };
  };
}

/** The request's data as predicates see it: every entity record converted, the payload too. */
export function requestContext(catalog: Catalog, r: TestRequest): PredicateContext {
  // Records without a prototype, read by own property (runtime/own.ts), as the engine does.
  const ctx = dict<unknown>();
  for (const [name, entity] of catalog.entities) {
    const out = dict<ContextValue>();
    const raw = own(r.context, name);
    for (const [field, def] of entity.fields) {
      const v = own(raw, field);
      if (v === undefined || v === null) continue;
      const c = convertValue(def.type, v);
      if (c.ok) out[field] = c.value;
    }
    ctx[name] = out;
  }
  const event = dict<ContextValue>();
  const def = catalog.events.get(r.event.type);
  for (const [field, type] of def?.fields ?? []) {
    const v = own(r.event.payload, field);
    if (v === undefined || v === null) continue;
    const c = convertValue(type, v);
    if (c.ok) event[field] = c.value;
  }
  ctx["now"] = parseDateTimeLiteral(r.now) ?? 0;
  ctx["event"] = event;
  return ctx as PredicateContext;
}

/** `decision.*` for property expressions: the winner's purpose, action and channel, every candidate. */
export function decisionValues(d: Decision, metas: ReadonlyMap<string, JourneyMeta>): Record<string, ContextValue> {
  const winner = d.journey ? metas.get(d.journey) : undefined;
  const out: Record<string, ContextValue> = {
    outcome: d.outcome,
    fields: [...d.fields],
    candidates: d.evaluations.map((e) => {
      const c: Record<string, ContextValue> = { journey: e.journey, outcome: e.outcome, purpose: e.purpose };
      if (e.basis !== undefined) c["basis"] = e.basis;
      return c;
    }),
  };
  if (d.journey !== undefined) out["journey"] = d.journey;
  if (winner) {
    out["purpose"] = winner.purpose;
    out["action"] = winner.action.name;
    out["channel"] = winner.action.channel;
  }
  if (d.basis !== undefined) out["basis"] = d.basis;
  if (d.deferred_until !== undefined) out["deferred_until"] = parseDateTimeLiteral(d.deferred_until) ?? null;
  return out;
}
