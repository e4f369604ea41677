// The one numbering of a journey's traced sub-expressions. Codegen and the reference
// interpreter both walk the site graph built here, so a compiled predicate and the interpreter
// record the same node ids in the same order, and the artifact's `meta.nodes` describe them.
//
// Numbering: pre-order over `when`, with the body of a named condition numbered once, below
// the first reference to it; every later reference is a node of its own whose child is that
// same body (so `meta.nodes` is a graph whose size is linear in the text, even for conditions
// built from conditions: `c2 = c1 and c1`, `c1 = c0 and c0`). Then each `{…}` of the `reason`
// in order, where conditions are numbered afresh (the reason is a separate evaluation).
// Parentheses are transparent (the node is the inner expression). Constants — literals and
// list literals of constants — are not traced, except when they are the root of `when` or of
// an interpolation, which always have an id.
//
// Evaluation (compiler/eval/semantics.ts): a named condition is evaluated at most once per
// evaluation of `when` (and of `reason`); the first reference that runs evaluates and traces
// its body, every reference traces its own node with the value.
import type * as A from "../syntax/ast.ts";
import type { TraceNode } from "../../core/artifact.ts";
import type { CheckedJourney, CheckedProgram, Resolution, Type } from "../checker/checked.ts";
import { ExprTexts } from "../syntax/print-expr.ts";
import { spanLoc } from "./journey-meta.ts";
import type { SourceSet } from "../../core/source.ts";
import { mapped } from "../../core/arrays.ts";

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
  /** For a path naming a condition: the condition as planned (its body is `children[0]`). */
  readonly condition?: PlannedCondition;
}

/** A named condition as planned for one evaluation (`when`, or `reason`) of a journey. */
export interface PlannedCondition {
  readonly decl: A.ConditionDecl;
  /** Its position in `TracePlan.conditions`: unique within the journey. */
  readonly index: number;
  /** Which evaluation it belongs to; each evaluates its conditions at most once. */
  readonly part: "when" | "reason";
  /** The body's sites, numbered once, shared by every reference. */
  readonly body: Site;
  /**
   * Whether the body may be asked for more than once in one evaluation (referenced twice, or
   * inside a quantifier body), so its value must be kept after the first. A condition that is
   * not shared runs at most once: evaluating it in place is the same.
   */
  readonly shared: boolean;
}

export type ReasonPart = { readonly kind: "text"; readonly text: string } | { readonly kind: "expr"; readonly site: Site };

/** A journey's evaluation plan: the `when` tree, the `reason` parts, and the trace nodes. */
export interface TracePlan {
  readonly when: Site;
  readonly reason?: readonly ReasonPart[];
  /** Indexed by id: `nodes[i].id === i`. */
  readonly nodes: readonly TraceNode[];
  /** Every named condition planned, by `index`. */
  readonly conditions: readonly PlannedCondition[];
}

const UNKNOWN: Type = { kind: "unknown" };

/**
 * The longest `text` of a trace node; a longer sub-expression shows its first characters and
 * `…`. Every node's text holds its sub-expressions' texts, so without a bound the texts of a
 * deep expression would grow with its size times its depth (a 700 KB `when` made 200 MB).
 */
export const MAX_NODE_TEXT = 500;

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
  const conditions: { decl: A.ConditionDecl; index: number; part: "when" | "reason"; body: Site | undefined; shared: boolean }[] = [];
  // The conditions planned for the evaluation being planned, and those whose body is being
  // built (a reference to one of those is a cycle: a checker bug).
  let planned = new Map<A.ConditionDecl, (typeof conditions)[number]>();
  let part: "when" | "reason" = "when";
  const building = new Set<A.ConditionDecl>();
  // Each node's text holds its sub-expressions' texts: printed once each, not once per ancestor.
  const texts = new ExprTexts();

  /** `repeated`: the site may be evaluated more than once per evaluation (a quantifier body). */
  const build = (raw: A.Expr, root: boolean, repeated: boolean): Site => {
    const expr = unparen(raw);
    const type = program.types.get(expr) ?? program.types.get(raw) ?? UNKNOWN;
    const traced = root || !isConstant(expr);
    let id: number | undefined;
    const childIds: number[] = [];
    if (traced) {
      id = nodes.length;
      const op = opOf(expr);
      const text = texts.bounded(expr, MAX_NODE_TEXT);
      const loc = spanLoc(expr.span, sources);
      const typeName = traceTypeName(type);
      // Two literals rather than a spread of `op`: the members in the same order, without a
      // temporary object per node.
      const n: TraceNode =
        op !== undefined
          ? { id, kind: expr.kind, op, text, loc, type: typeName, children: childIds }
          : { id, kind: expr.kind, text, loc, type: typeName, children: childIds };
      nodes.push(n);
    }
    let resolution: Resolution | undefined;
    let condition: (typeof conditions)[number] | undefined;
    let children: Site[];
    switch (expr.kind) {
      case "binary":
        children = [build(expr.left, false, repeated), build(expr.right, false, repeated)];
        break;
      case "unary":
      case "is_set":
        children = [build(expr.operand, false, repeated)];
        break;
      case "call":
        children = mapped(expr.args, (a) => build(a, false, repeated));
        break;
      case "list":
        children = mapped(expr.items, (i) => build(i, false, repeated));
        break;
      case "quantifier":
        children = [build(expr.list, false, repeated), build(expr.body, false, true)];
        break;
      case "path": {
        resolution = program.resolutions.get(expr);
        children = [];
        if (resolution?.kind === "condition") {
          const decl = resolution.decl;
          if (building.has(decl)) throw new Error(`bug: condition \`${decl.name.name}\` refers to itself`);
          condition = planned.get(decl);
          if (condition) condition.shared = true;
          else {
            condition = { decl, index: conditions.length, part, body: undefined, shared: repeated };
            conditions.push(condition);
            planned.set(decl, condition);
            building.add(decl);
            condition.body = build(decl.body, true, repeated);
            building.delete(decl);
          }
          children = [condition.body!];
        }
        break;
      }
      default:
        children = [];
        break;
    }
    for (const c of children) if (c.id !== undefined) childIds.push(c.id);
    if (!resolution) return { expr, id, type, children };
    return condition ? { expr, id, type, children, resolution, condition: condition as PlannedCondition } : { expr, id, type, children, resolution };
  };

  const when = build(journey.when, true, false);
  let reason: ReasonPart[] | undefined;
  if (journey.reason) {
    planned = new Map();
    part = "reason";
    reason = mapped(
      journey.reason.parts,
      (p): ReasonPart => (p.kind === "text" ? { kind: "text", text: p.text } : { kind: "expr", site: build(p.expr, true, false) }),
    );
  }
  const all = conditions as readonly PlannedCondition[];
  return reason ? { when, reason, nodes, conditions: all } : { when, nodes, conditions: all };
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
