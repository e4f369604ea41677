// The bound on what a policy set compiles to. Each journey's evaluation plan (trace nodes,
// generated code, the artifact's `meta.nodes`) holds the body of every named condition it
// uses, once per journey (compiler/plan/trace-nodes.ts): one large condition used by many journeys
// is written once but compiled many times, so the compiled size could grow with the product of
// the two and exhaust memory. The checker counts the operations the journeys compile to and
// reports a policy set past a bound linear in what is written (`check/too-large`). Counting
// stops at the bound, so checking costs no more than the text.
import { walkExpr, type Expr } from "../syntax/ast.ts";
import type { CheckedJourney } from "./checked.ts";
import type { CheckContext } from "./expr.ts";
import type { ConditionInfo } from "./journey.ts";
import { mapped } from "../../core/arrays.ts";

/** Operations any policy set may compile to, whatever it repeats. */
export const BASE_OPERATIONS = 200_000;
/** And how many times the operations written it may compile to on top of that. */
export const OPERATIONS_PER_WRITTEN = 8;

/** Operations of one expression, without the bodies of the conditions it uses (parentheses are free). */
export function operationCount(root: Expr): number {
  let n = 0;
  walkExpr(root, (e) => {
    if (e.kind !== "paren") n++;
  });
  return n;
}

/**
 * The operations of some expressions (as `operationCount` adds them up) and the conditions they
 * refer to (resolved, in walk order, a name once per reference): one walk for both.
 */
function measure(exprs: readonly Expr[], ctx: CheckContext): { count: number; refs: string[] } {
  let count = 0;
  const refs: string[] = [];
  const visit = (e: Expr) => {
    if (e.kind === "paren") return;
    count++;
    if (e.kind !== "path") return;
    const r = ctx.resolutions.get(e);
    if (r?.kind === "condition") refs.push(r.decl.name.name);
  };
  for (const root of exprs) walkExpr(root, visit);
  return { count, refs };
}

/**
 * Reports `check/too-large` at the first journey (in source order) with which the operations
 * the journeys compile to pass BASE_OPERATIONS + OPERATIONS_PER_WRITTEN × the operations
 * written (journeys and conditions). `when` and `reason` are planned separately, so a
 * condition used in both counts twice.
 */
export function checkCompiledSize(journeys: readonly CheckedJourney[], conditions: ConditionInfo, ctx: CheckContext): void {
  const own = mapped(journeys, (j) => {
    const parts = [measure([j.when], ctx)];
    if (j.reason) {
      const exprs = j.reason.parts.flatMap((p) => (p.kind === "expr" ? [p.expr] : []));
      parts.push(measure(exprs, ctx));
    }
    return { parts, count: parts.reduce((n, p) => n + p.count, 0) };
  });
  let written = own.reduce((n, o) => n + o.count, 0);
  for (const size of conditions.sizes.values()) written += size;
  const limit = BASE_OPERATIONS + OPERATIONS_PER_WRITTEN * written;
  let total = 0;
  for (let k = 0; k < journeys.length; k++) {
    const j = journeys[k]!;
    total += own[k]!.count;
    for (const part of own[k]!.parts) {
      const pending = part.refs;
      const planned = new Set<string>();
      while (pending.length > 0 && total <= limit) {
        const name = pending.pop()!;
        if (planned.has(name)) continue;
        planned.add(name);
        total += conditions.sizes.get(name) ?? 1;
        for (const r of conditions.refs.get(name) ?? []) pending.push(r);
      }
    }
    if (total > limit) {
      ctx.diagnostics.push({
        code: "check/too-large",
        severity: "error",
        message: `the journeys up to \`${j.id}\` use named conditions so often that they compile to more than ${limit} operations (${OPERATIONS_PER_WRITTEN} times the ${written} written, and ${BASE_OPERATIONS})`,
        span: j.decl.name.span,
        hint: "every journey that uses a condition compiles its whole body: use large conditions in fewer journeys, make them smaller, or split the policy set",
      });
      return;
    }
  }
}
