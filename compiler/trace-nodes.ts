// The one numbering of a journey's traced sub-expressions. Codegen and the reference
// interpreter both walk the site tree built here, so a compiled predicate and the interpreter
// record the same node ids in the same order, and the artifact's `meta.nodes` describe them.
//
// Numbering: pre-order over `when`, with the body of a named condition inlined below each
// reference to it (so a condition used twice gets two sets of ids), then each `{…}` of the
// `reason` template in order. Parentheses are transparent (the node is the inner expression).
// Constants — literals and list literals of constants — are not traced, except when they are
// the root of `when` or of an interpolation, which always have an id.
import type * as A from "./ast.ts";
import type { TraceNode } from "./artifact.ts";
import type { CheckedJourney, CheckedProgram, Resolution, Type } from "./checked.ts";
import { printExpr } from "./print-expr.ts";
import { spanLoc } from "./journey-meta.ts";
import type { SourceSet } from "./source.ts";

/** One evaluation site: an expression (never a `paren`) with its trace id and sub-sites. */
export interface Site {
  readonly expr: Exclude<A.Expr, A.ParenExpr>;
  /** Trace node id; undefined for constants, which are not traced. */
  readonly id: number | undefined;
  readonly type: Type;
  /**
   * Sub-sites in evaluation order: binary [left, right]; unary, is_set [operand]; call [args];
   * list [items]; quantifier [list, body]; a path naming a condition [body]; other paths [].
   */
  readonly children: readonly Site[];
  /** What a path refers to (undefined for other kinds). */
  readonly resolution?: Resolution;
}

export type ReasonPart = { readonly kind: "text"; readonly text: string } | { readonly kind: "expr"; readonly site: Site };

/** A journey's evaluation plan: the `when` tree, the `reason` parts, and the trace nodes. */
export interface TracePlan {
  readonly when: Site;
  readonly reason?: readonly ReasonPart[];
  /** Indexed by id: `nodes[i].id === i`. */
  readonly nodes: readonly TraceNode[];
}

const UNKNOWN: Type = { kind: "unknown" };

/** Drops `( … )`: a paren node has the value of its inner expression. */
export function unparen(e: A.Expr): Exclude<A.Expr, A.ParenExpr> {
  let cur = e;
  while (cur.kind === "paren") cur = cur.inner;
  return cur;
}

/** Literals and list literals of literals: values fixed at compile time, never traced. */
export function isConstant(e: A.Expr): boolean {
  const u = unparen(e);
  switch (u.kind) {
    case "bool":
    case "int":
    case "decimal":
    case "string":
    case "date":
    case "datetime":
    case "duration":
      return true;
    case "list":
      return u.items.every(isConstant);
    default:
      return false;
  }
}

/** The short type name shown with a traced value: `int`, `date`, `enum`, `list of record`. */
export function traceTypeName(t: Type): string {
  switch (t.kind) {
    case "list":
      return `list of ${traceTypeName(t.of)}`;
    default:
      return t.kind;
  }
}

/**
 * Builds the evaluation plan of one journey. `sources` gives line and column for each node's
 * `loc`; without it (or for a file it does not hold) positions are 1:1.
 */
export function planJourney(program: CheckedProgram, journey: CheckedJourney, sources?: SourceSet): TracePlan {
  const nodes: TraceNode[] = [];

  // `inlining` holds the conditions being expanded, to turn a cycle (a checker bug) into an error.
  const build = (raw: A.Expr, root: boolean, inlining: readonly A.ConditionDecl[]): Site => {
    const expr = unparen(raw);
    const type = program.types.get(expr) ?? program.types.get(raw) ?? UNKNOWN;
    const traced = root || !isConstant(expr);
    let id: number | undefined;
    const childIds: number[] = [];
    if (traced) {
      id = nodes.length;
      const op = opOf(expr);
      const n: TraceNode = {
        id,
        kind: expr.kind,
        ...(op !== undefined ? { op } : {}),
        text: printExpr(expr),
        loc: spanLoc(expr.span, sources),
        type: traceTypeName(type),
        children: childIds,
      };
      nodes.push(n);
    }
    let resolution: Resolution | undefined;
    const kids: A.Expr[] = [];
    let inlined: Site | undefined;
    switch (expr.kind) {
      case "binary":
        kids.push(expr.left, expr.right);
        break;
      case "unary":
      case "is_set":
        kids.push(expr.operand);
        break;
      case "call":
        kids.push(...expr.args);
        break;
      case "list":
        kids.push(...expr.items);
        break;
      case "quantifier":
        kids.push(expr.list, expr.body);
        break;
      case "path": {
        resolution = program.resolutions.get(expr);
        if (resolution?.kind === "condition") {
          const decl = resolution.decl;
          if (inlining.includes(decl)) throw new Error(`bug: condition \`${decl.name.name}\` refers to itself`);
          inlined = build(decl.body, true, [...inlining, decl]);
        }
        break;
      }
      default:
        break;
    }
    const children = inlined ? [inlined] : kids.map((k) => build(k, false, inlining));
    for (const c of children) if (c.id !== undefined) childIds.push(c.id);
    return resolution ? { expr, id, type, children, resolution } : { expr, id, type, children };
  };

  const when = build(journey.when, true, []);
  let reason: ReasonPart[] | undefined;
  if (journey.reason) {
    reason = journey.reason.parts.map((p): ReasonPart => (p.kind === "text" ? { kind: "text", text: p.text } : { kind: "expr", site: build(p.expr, true, []) }));
  }
  return reason ? { when, reason, nodes } : { when, nodes };
}

/** The operator shown with a node: binary and unary operators, the function, the quantifier. */
function opOf(e: A.Expr): string | undefined {
  switch (e.kind) {
    case "binary":
      return e.op;
    case "unary":
      return e.op;
    case "call":
      return e.callee.name;
    case "quantifier":
      return e.quantifier;
    case "is_set":
      return e.negated ? "is not set" : "is set";
    default:
      return undefined;
  }
}
