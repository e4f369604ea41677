// Canonical one-line text of expressions and reason templates: used by the formatter and for
// the `text` of trace nodes. Parentheses are exactly the `paren` nodes the author wrote; a
// pair is added only where an AST built by hand (not by the parser) would otherwise re-parse
// differently, so parse(print(e)) is e (modulo spans) for every parsed expression.
import type * as A from "./ast.ts";

/** Binding strength, loosest first, as in the grammar (grammar/parser.ts). */
const L = {
  or: 1,
  and: 2,
  not: 3,
  comparison: 4,
  additive: 5,
  multiplicative: 6,
  unary: 7,
  primary: 8,
} as const;
type Level = (typeof L)[keyof typeof L];

/** A string literal in canonical form: JSON escapes, double quotes. */
export function printString(value: string): string {
  return JSON.stringify(value);
}

/** The canonical one-line text of an expression. */
export function printExpr(e: A.Expr): string {
  return print(e, L.or, true);
}

/** The canonical text of a `reason` template, quotes included: `"… {expr} …"`. */
export function printTemplate(t: A.Template): string {
  let out = "";
  for (const p of t.parts) {
    if (p.kind === "text") out += JSON.stringify(p.text).slice(1, -1).replace(/[{}]/g, (b) => b + b);
    else out += `{${printExpr(p.expr)}}`;
  }
  return `"${out}"`;
}

function levelOf(e: A.Expr): Level {
  switch (e.kind) {
    case "binary":
      switch (e.op) {
        case "or":
          return L.or;
        case "and":
          return L.and;
        case "+":
        case "-":
          return L.additive;
        case "*":
        case "/":
          return L.multiplicative;
        default:
          return L.comparison;
      }
    case "is_set":
      return L.comparison;
    case "unary":
      return e.op === "not" ? L.not : L.unary;
    case "int":
    case "decimal":
      return e.value < 0 || Object.is(e.value, -0) || (e.kind === "decimal" && e.raw.startsWith("-")) ? L.unary : L.primary;
    default:
      return L.primary;
  }
}

/**
 * `min` is the loosest level the slot accepts; `rightEdge` says nothing follows the slot up
 * to a closing delimiter, which a quantifier needs because its body extends to the right.
 */
function print(e: A.Expr, min: Level, rightEdge: boolean): string {
  const needsParens = levelOf(e) < min || (e.kind === "quantifier" && !rightEdge);
  const text = bare(e, rightEdge || needsParens);
  return needsParens ? `(${text})` : text;
}

function bare(e: A.Expr, rightEdge: boolean): string {
  switch (e.kind) {
    case "bool":
      return e.value ? "true" : "false";
    case "int":
      return Object.is(e.value, -0) ? "-0" : String(e.value);
    case "decimal":
      return e.raw;
    case "string":
      return printString(e.value);
    case "date":
    case "datetime":
    case "duration":
      return e.text;
    case "list":
      return `[${e.items.map((i) => print(i, L.or, true)).join(", ")}]`;
    case "path":
      return e.segments.map((s) => s.name).join(".");
    case "call":
      return `${e.callee.name}(${e.args.map((a) => print(a, L.or, true)).join(", ")})`;
    case "paren":
      return `(${print(e.inner, L.or, true)})`;
    case "error":
      // Only reachable for files with syntax errors, which the formatter refuses.
      return "<error>";
    case "unary":
      return e.op === "not" ? `not ${print(e.operand, L.not, rightEdge)}` : `-${print(e.operand, L.unary, rightEdge)}`;
    case "is_set":
      return `${print(e.operand, L.additive, false)} is ${e.negated ? "not " : ""}set`;
    case "quantifier":
      return `${e.quantifier} ${e.variable.name} in ${print(e.list, L.additive, false)}: ${print(e.body, L.or, rightEdge)}`;
    case "binary": {
      const lvl = levelOf(e);
      let left: Level;
      let right: Level;
      if (lvl === L.comparison) {
        // Comparisons do not chain: both sides are additive expressions.
        left = L.additive;
        right = L.additive;
      } else {
        // Left-associative: the left side may be the same level, the right must bind tighter.
        left = lvl;
        right = (lvl + 1) as Level;
      }
      return `${print(e.left, left, false)} ${e.op} ${print(e.right, right, rightEdge)}`;
    }
  }
}
