// What stands at an offset of a parsed journey file: a path segment (with the quantifier
// variables in scope there and the enclosing journey's trigger), a function name, a clause's
// purpose, event or action, an action argument, a condition's name, a goal's outcome type or a
// stop-loss metric. Hover and go to
// definition read it. From the syntax tree, so it sees exactly what the compiler sees.
import type { Span } from "../../core/source.ts";
import type * as A from "../syntax/ast.ts";

/** The syntax at an offset. */
export type Target =
  | {
      readonly kind: "path";
      readonly path: A.PathExpr;
      /** The segment under the cursor. */
      readonly segment: number;
      /** Quantifier variables in scope: name → the quantifier that binds it. */
      readonly vars: ReadonlyMap<string, A.QuantifierExpr>;
      readonly trigger?: string;
    }
  | { readonly kind: "function"; readonly ident: A.Ident }
  | { readonly kind: "purpose"; readonly ident: A.Ident }
  | { readonly kind: "event"; readonly ident: A.Ident }
  | { readonly kind: "action"; readonly ident: A.Ident }
  | { readonly kind: "argument"; readonly action: A.Ident; readonly ident: A.Ident }
  | { readonly kind: "condition-name"; readonly decl: A.ConditionDecl }
  /** The outcome type of a `goal`. */
  | { readonly kind: "outcome-type"; readonly ident: A.Ident }
  /** A metric of a `stop_loss` (`complaint_rate`). */
  | { readonly kind: "metric"; readonly ident: A.Ident }
  | { readonly kind: "variable"; readonly ident: A.Ident; readonly list: A.Expr };

const inside = (s: Span, offset: number) => s.start <= offset && offset <= s.end;

/** The target at `offset` of `file`, if any. */
export function targetAt(file: A.JourneyFile, offset: number): Target | undefined {
  for (const d of file.decls) {
    if (!inside(d.span, offset)) continue;
    if (d.kind === "condition") {
      if (inside(d.name.span, offset)) return { kind: "condition-name", decl: d };
      return inExpr(d.body, offset, new Map(), undefined);
    }
    const on = d.clauses.find((c) => c.kind === "on");
    const trigger = on?.kind === "on" ? on.event.name : undefined;
    for (const c of d.clauses) {
      if (!inside(c.span, offset)) continue;
      switch (c.kind) {
        case "purpose":
          return inside(c.name.span, offset) ? { kind: "purpose", ident: c.name } : undefined;
        case "on":
          return inside(c.event.span, offset) ? { kind: "event", ident: c.event } : undefined;
        case "when":
          return inExpr(c.expr, offset, new Map(), trigger);
        case "do": {
          if (inside(c.action.span, offset)) return { kind: "action", ident: c.action };
          for (const arg of c.args) {
            if (inside(arg.name.span, offset)) return { kind: "argument", action: c.action, ident: arg.name };
            if (inside(arg.value.span, offset)) return inExpr(arg.value, offset, new Map(), trigger);
          }
          return undefined;
        }
        case "goal":
          return inside(c.type.span, offset) ? { kind: "outcome-type", ident: c.type } : undefined;
        case "stop_loss": {
          const m = c.conditions.find((x) => inside(x.metric.span, offset));
          return m ? { kind: "metric", ident: m.metric } : undefined;
        }
        case "reason":
          for (const p of c.template.parts) if (p.kind === "expr" && inside(p.expr.span, offset)) return inExpr(p.expr, offset, new Map(), trigger);
          return undefined;
        default:
          return undefined;
      }
    }
  }
  return undefined;
}

/** Descends into the innermost expression at `offset`, tracking quantifier variables. */
function inExpr(root: A.Expr, offset: number, outer: ReadonlyMap<string, A.QuantifierExpr>, trigger: string | undefined): Target | undefined {
  let e: A.Expr = root;
  let vars = outer;
  const extra = trigger ? { trigger } : {};
  for (;;) {
    if (e.kind === "path") {
      const segment = e.segments.findIndex((s) => inside(s.span, offset));
      return segment === -1 ? undefined : { kind: "path", path: e, segment, vars, ...extra };
    }
    if (e.kind === "call" && inside(e.callee.span, offset)) return { kind: "function", ident: e.callee };
    if (e.kind === "quantifier") {
      if (inside(e.variable.span, offset)) return { kind: "variable", ident: e.variable, list: e.list };
      if (inside(e.body.span, offset)) {
        const next = new Map(vars);
        next.set(e.variable.name, e);
        vars = next;
        e = e.body;
        continue;
      }
    }
    const kids: readonly A.Expr[] =
      e.kind === "list"
        ? e.items
        : e.kind === "call"
          ? e.args
          : e.kind === "unary" || e.kind === "is_set"
            ? [e.operand]
            : e.kind === "binary"
              ? [e.left, e.right]
              : e.kind === "quantifier"
                ? [e.list]
                : e.kind === "paren"
                  ? [e.inner]
                  : [];
    const next = kids.find((k) => inside(k.span, offset));
    if (!next) return undefined;
    e = next;
  }
}

/** The dotted path of a list expression, when it is a path (`customer.recent_interactions`). */
export function listPath(e: A.Expr): string[] | undefined {
  return e.kind === "path" ? e.segments.map((s) => s.name) : undefined;
}
