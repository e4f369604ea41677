// Constant folding and contradiction detection for `when`: finds conditions that can never
// be true (or are always true) without knowing any data.
import type * as A from "../syntax/ast.ts";
import { pathText } from "../syntax/ast.ts";
import type { Diagnostic } from "../../core/diagnostics.ts";
import { compare, literalValue } from "../eval/semantics.ts";
import { kept, mapped } from "../../core/arrays.ts";

const NOT_CONST = Symbol("not-const");
type Const = boolean | number | string | Const[] | typeof NOT_CONST;

/** The value of an expression that depends on no data, or NOT_CONST. */
export function constValue(e: A.Expr): Const {
  switch (e.kind) {
    case "bool":
    case "int":
    case "decimal":
    case "string":
    case "date":
    case "datetime":
    case "duration":
      return literalValue(e);
    case "paren":
      return constValue(e.inner);
    case "list": {
      const items = mapped(e.items, (i) => constValue(i));
      return items.includes(NOT_CONST) ? NOT_CONST : items;
    }
    case "unary": {
      const v = constValue(e.operand);
      if (v === NOT_CONST) return NOT_CONST;
      return e.op === "not" ? (typeof v === "boolean" ? !v : NOT_CONST) : typeof v === "number" ? -v : NOT_CONST;
    }
    case "binary": {
      const l = constValue(e.left);
      if (e.op === "and" && l === false) return false;
      if (e.op === "or" && l === true) return true;
      const r = constValue(e.right);
      if (e.op === "and" && r === false) return false;
      if (e.op === "or" && r === true) return true;
      if (l === NOT_CONST || r === NOT_CONST) return NOT_CONST;
      return applyConst(e.op, l, r);
    }
    default:
      return NOT_CONST;
  }
}

function applyConst(op: A.BinaryOp, l: Const, r: Const): Const {
  switch (op) {
    case "and":
      return l === true && r === true;
    case "or":
      return l === true || r === true;
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
      return compare(op, l, r);
    case "in":
      return Array.isArray(r) && r.includes(l);
    case "not in":
      return Array.isArray(r) && !r.includes(l);
    case "+":
      return typeof l === "number" && typeof r === "number" ? l + r : NOT_CONST;
    case "-":
      return typeof l === "number" && typeof r === "number" ? l - r : NOT_CONST;
    case "*":
      return typeof l === "number" && typeof r === "number" ? l * r : NOT_CONST;
    case "/":
      return typeof l === "number" && typeof r === "number" && r !== 0 ? l / r : NOT_CONST;
  }
}

function strip(e: A.Expr): A.Expr {
  return e.kind === "paren" ? strip(e.inner) : e;
}

/** The operands of a top-level `and` chain. */
function conjuncts(e: A.Expr): A.Expr[] {
  const s = strip(e);
  return s.kind === "binary" && s.op === "and" ? [...conjuncts(s.left), ...conjuncts(s.right)] : [s];
}

interface Constraint {
  /** Allowed values (equality / membership), or numeric bounds. */
  readonly allowed?: readonly (string | number | boolean)[];
  readonly lo?: { v: number; strict: boolean };
  readonly hi?: { v: number; strict: boolean };
  readonly span: A.Expr["span"];
  readonly text: string;
}

function atom(e: A.Expr, source: (e: A.Expr) => string): { path: string; c: Constraint } | undefined {
  if (e.kind !== "binary") return undefined;
  let l = strip(e.left);
  let r = strip(e.right);
  let op = e.op;
  if (l.kind !== "path" && r.kind === "path" && ["==", "<", "<=", ">", ">="].includes(op)) {
    [l, r] = [r, l];
    op = ({ "<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==" } as Record<string, A.BinaryOp>)[op]!;
  }
  if (l.kind !== "path") return undefined;
  const v = constValue(r);
  if (v === NOT_CONST) return undefined;
  const base = { span: e.span, text: source(e) };
  const path = pathText(l);
  if (op === "==" && !Array.isArray(v)) return { path, c: { ...base, allowed: [v] } };
  if (op === "in" && Array.isArray(v)) return { path, c: { ...base, allowed: kept(v, (x) => !Array.isArray(x)) as (string | number | boolean)[] } };
  if (typeof v !== "number") return undefined;
  if (op === ">" || op === ">=") return { path, c: { ...base, lo: { v, strict: op === ">" } } };
  if (op === "<" || op === "<=") return { path, c: { ...base, hi: { v, strict: op === "<" } } };
  return undefined;
}

/** Two constraints on the same path that no value satisfies together. */
function contradicts(a: Constraint, b: Constraint): boolean {
  if (a.allowed && b.allowed) return !a.allowed.some((x) => b.allowed!.includes(x));
  const allowed = a.allowed ?? b.allowed;
  const bound = a.allowed ? b : a;
  if (allowed) return !allowed.some((x) => typeof x === "number" && within(x, bound));
  const lo = a.lo ?? b.lo;
  const hi = a.hi ?? b.hi;
  if (lo && hi) return lo.v > hi.v || (lo.v === hi.v && (lo.strict || hi.strict));
  return false;
}

function within(x: number, c: Constraint): boolean {
  if (c.lo && (c.lo.strict ? x <= c.lo.v : x < c.lo.v)) return false;
  if (c.hi && (c.hi.strict ? x >= c.hi.v : x > c.hi.v)) return false;
  return true;
}

/** Warnings for a journey's `when`: always-false journeys, contradictions, constant parts. */
export function foldWhen(journeyId: string, when: A.Expr, source: (e: A.Expr) => string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const whole = constValue(when);
  if (whole === false) {
    out.push({
      code: "check/unreachable-journey",
      severity: "warning",
      message: `journey \`${journeyId}\` can never act: its \`when\` is always false`,
      span: when.span,
      hint: "fix the condition, or delete the journey",
    });
    return out;
  }
  // Constant operands of and/or (but not a bare top-level `when true`).
  const visit = (e: A.Expr) => {
    const s = strip(e);
    if (s.kind === "binary" && (s.op === "and" || s.op === "or")) {
      for (const side of [s.left, s.right]) {
        const v = constValue(side);
        if (typeof v === "boolean") {
          out.push({
            code: "check/constant-condition",
            severity: "warning",
            message: `this condition is always ${v}`,
            span: side.span,
            hint: v ? "remove it: it does not change the result" : "it makes the surrounding `and` always false; fix or remove it",
          });
        } else visit(side);
      }
    } else if (s.kind === "unary" && s.op === "not") visit(s.operand);
  };
  visit(when);
  // Contradictions between conjuncts on the same path.
  const seen = new Map<string, Constraint[]>();
  for (const c of conjuncts(when)) {
    const a = atom(c, source);
    if (!a) continue;
    const prior = seen.get(a.path) ?? [];
    const clash = prior.find((p) => contradicts(p, a.c));
    if (clash) {
      out.push({
        code: "check/unreachable-journey",
        severity: "warning",
        message: `journey \`${journeyId}\` can never act: \`${clash.text}\` and \`${a.c.text}\` contradict each other`,
        span: a.c.span,
        hint: "one of the two comparisons is wrong; did you mean `or`?",
        related: [{ span: clash.span, message: "the other comparison" }],
      });
      break;
    }
    prior.push(a.c);
    seen.set(a.path, prior);
  }
  return out;
}
