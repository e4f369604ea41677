// Canonical one-line text of expressions and reason templates: used by the formatter and for
// the `text` of trace nodes. Parentheses are exactly the `paren` nodes the author wrote; a
// pair is added only where an AST built by hand (not by the parser) would otherwise re-parse
// differently, so parse(print(e)) is e (modulo spans) for every parsed expression.
import type * as A from "./ast.ts";
import { pathText } from "./ast.ts";

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
  return new Printer(Infinity).print(e, L.or, true);
}

/**
 * `printExpr`, but a text longer than `max` characters is cut to its first `max - 1` and `…`,
 * and printing stops about there: a trace node's text is printed for every sub-expression,
 * and the full text of each would cost the size of the expression times its depth.
 */
export function printExprBounded(e: A.Expr, max: number): string {
  const printer = new Printer(max);
  const text = printer.print(e, L.or, true);
  if (!printer.truncated && text.length <= max) return text;
  // What was printed before anything was left out is exact, and that is at least `max - 1`
  // characters (a leaf cut short is exact as far as it goes).
  let cut = Math.min(text.length, Math.max(0, max - 1));
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--; // do not split a surrogate pair
  return `${text.slice(0, cut)}…`;
}

/**
 * `printExprBounded` for many sub-expressions of one tree (the trace nodes of a journey, each
 * printed with its sub-expressions' texts inside): each node's text is printed once and reused
 * by every enclosing node, rather than once per enclosing node. A text over the bound is
 * printed again by `printExprBounded` itself (rare: only long expressions have one).
 */
export class ExprTexts {
  private readonly printer = new MemoPrinter();

  /** `printExprBounded(e, max)`. */
  bounded(e: A.Expr, max: number): string {
    const text = this.printer.print(e, L.or, true);
    return text.length <= max ? text : printExprBounded(e, max);
  }
}

/** The canonical text of a `reason` template, quotes included: `"… {expr} …"`. */
export function printTemplate(t: A.Template): string {
  let out = "";
  for (const p of t.parts) {
    if (p.kind === "text")
      out += JSON.stringify(p.text)
        .slice(1, -1)
        .replace(/[{}]/g, (b) => b + b);
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
 * One print of an expression: the characters it may still spend before the rest prints as
 * nothing (see `printExprBounded`; Infinity when unbounded), and whether it left something out.
 */
class Printer {
  budget: number;
  truncated = false;

  constructor(budget: number) {
    this.budget = budget;
  }

  /**
   * `min` is the loosest level the slot accepts; `rightEdge` says nothing follows the slot up
   * to a closing delimiter, which a quantifier needs because its body extends to the right.
   */
  print(e: A.Expr, min: Level, rightEdge: boolean): string {
    // A bounded print counts a node once it is printed, one character for the node (each prints
    // at least one of its own) plus the rest of a leaf's text (in `leaf`): so the budget runs out
    // only after at least that many characters were printed, in order, and all of them exact.
    if (this.budget <= 0) {
      this.truncated = true;
      return "";
    }
    const needsParens = levelOf(e) < min || (e.kind === "quantifier" && !rightEdge);
    const text = this.bare(e, rightEdge || needsParens);
    this.budget--;
    return needsParens ? `(${text})` : text;
  }

  /** A leaf's text, counted against the budget: only as much of it as can still be shown. */
  leaf(text: string): string {
    if (text.length <= this.budget + 1) {
      this.budget -= text.length - 1;
      return text;
    }
    this.truncated = true;
    const shown = text.slice(0, this.budget + 1);
    this.budget = -1;
    return shown;
  }

  /** Items separated by `, `, up to where the budget runs out. */
  printAll(items: readonly A.Expr[]): string {
    const out: string[] = [];
    for (const i of items) {
      if (this.budget <= 0) {
        this.truncated = true;
        break;
      }
      out.push(this.print(i, L.or, true));
    }
    return out.join(", ");
  }

  bare(e: A.Expr, rightEdge: boolean): string {
    switch (e.kind) {
      case "bool":
        return e.value ? "true" : "false";
      case "int":
        return this.leaf(Object.is(e.value, -0) ? "-0" : String(e.value));
      case "decimal":
        return this.leaf(e.raw);
      case "string":
        // A long string is cut before escaping (at a whole character), not after.
        if (e.value.length > this.budget) {
          this.truncated = true;
          let cut = Math.max(0, this.budget);
          const last = e.value.charCodeAt(cut - 1);
          if (last >= 0xd800 && last <= 0xdbff) cut--;
          return this.leaf(printString(e.value.slice(0, cut)).slice(0, -1));
        }
        return this.leaf(printString(e.value));
      case "date":
      case "datetime":
      case "duration":
        return this.leaf(e.text);
      case "list":
        return `[${this.printAll(e.items)}]`;
      case "path":
        return this.leaf(pathText(e));
      case "call":
        return `${e.callee.name}(${this.printAll(e.args)})`;
      case "paren":
        return `(${this.print(e.inner, L.or, true)})`;
      case "error":
        // Only reachable for files with syntax errors, which the formatter refuses.
        return "<error>";
      case "unary":
        return e.op === "not" ? `not ${this.print(e.operand, L.not, rightEdge)}` : `-${this.print(e.operand, L.unary, rightEdge)}`;
      case "is_set":
        return `${this.print(e.operand, L.additive, false)} is ${e.negated ? "not " : ""}set`;
      case "quantifier":
        return `${e.quantifier} ${e.variable.name} in ${this.print(e.list, L.additive, false)}: ${this.print(e.body, L.or, rightEdge)}`;
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
        return `${this.print(e.left, left, false)} ${e.op} ${this.print(e.right, right, rightEdge)}`;
      }
    }
  }
}

/**
 * An unbounded Printer that keeps the text of each node it prints, by whether it was printed
 * at a right edge (the one thing besides the node that decides its text, through quantifiers).
 * A text no longer than the bound is the bounded text: a bounded print spends at most one
 * character of its budget per character printed, so it runs out only past the bound.
 */
class MemoPrinter extends Printer {
  private readonly atEdge = new Map<A.Expr, string>();
  private readonly notAtEdge = new Map<A.Expr, string>();

  constructor() {
    super(Infinity);
  }

  override print(e: A.Expr, min: Level, rightEdge: boolean): string {
    const needsParens = levelOf(e) < min || (e.kind === "quantifier" && !rightEdge);
    // Without a quantifier at the end of its right spine, a node prints the same at a right
    // edge or not: one text, kept once (rather than printed again for the other memo).
    const edge = rightEdge || needsParens || !endsInQuantifier(e);
    const memo = edge ? this.atEdge : this.notAtEdge;
    let text = memo.get(e);
    if (text === undefined) {
      text = this.bare(e, edge);
      memo.set(e, text);
    }
    return needsParens ? `(${text})` : text;
  }
}

/**
 * Whether a quantifier ends `e` (following right operands and operands of `not` and `-`): the
 * one case where its text depends on what follows it (`bare`'s `rightEdge`).
 */
function endsInQuantifier(e: A.Expr): boolean {
  let cur = e;
  for (;;) {
    switch (cur.kind) {
      case "quantifier":
        return true;
      case "binary":
        cur = cur.right;
        break;
      case "unary":
        cur = cur.operand;
        break;
      default:
        return false;
    }
  }
}
