// How an expression reads on one line: where it needs parentheses (JavaScript precedence, and
// TypeScript's `!` and `as` binding tighter or looser than they look) and how wide it is.
// Layout (layout.ts) asks these questions before writing anything, so they are answered
// without building text, and measuring stops as soon as the answer is "too wide".
import { isIdentifier, key, type BinaryOp, type Code, type Mode } from "./code.ts";

/** Either side of a binary operator. */
export type Side = "left" | "right";

function isSimple(c: Code): boolean {
  return c.k === "atom" || c.k === "call" || c.k === "member" || c.k === "array" || (c.k === "nonNull" && isSimple(c.operand));
}

/** JavaScript binding strength of the operators the emitter uses. */
const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  "||": 3,
  "&&": 4,
  "===": 8,
  "!==": 8,
  "==": 8,
  "!=": 8,
  "<": 9,
  "<=": 9,
  ">": 9,
  ">=": 9,
  "+": 11,
  "-": 11,
  "*": 12,
  "/": 12,
};

/**
 * Does `c` need parentheses as an operand (`side`) of `parent`? Left-associative chains of one
 * strength need none on the left (`a + b + c`); `&&` inside `||` keeps them, for the reader.
 */
export function operandNeedsParens(c: Code, mode: Mode, parent?: BinaryOp, side: Side = "right"): boolean {
  if (c.k === "binary") {
    if (parent === undefined) return true;
    const p = PRECEDENCE[parent];
    const q = PRECEDENCE[c.op];
    if (q !== p && (parent === "||" || parent === "&&")) return true;
    return side === "left" ? q < p : q <= p;
  }
  if (c.k === "arrow" || c.k === "object") return true;
  if (c.k === "as") return mode === "ts" || operandNeedsParens(c.operand, mode, parent, side);
  if (c.k === "nonNull") return operandNeedsParens(c.operand, mode, parent, side);
  return false;
}

/** An atom that starts like a number (`-1`, `2`) needs parentheses before `.member`. */
const NUMERIC_START_RE = /^[-\d]/;

/** Does `c` need parentheses as the target of a call or a member access? */
export function targetNeedsParens(c: Code, mode: Mode): boolean {
  if (c.k === "nonNull") return targetNeedsParens(c.operand, mode);
  if (c.k === "as") return mode === "ts" || targetNeedsParens(c.operand, mode);
  return !isSimple(c) || (c.k === "atom" && NUMERIC_START_RE.test(c.text));
}

/**
 * The width of `c` on one line when it is at most `limit`; otherwise some number above
 * `limit` (measuring stops as soon as the limit is passed).
 */
export function width(c: Code, mode: Mode, limit: number): number {
  switch (c.k) {
    case "atom":
      return c.text.length;
    case "call": {
      let w = targetWidth(c.fn, mode, limit) + 2;
      for (let i = 0; i < c.args.length; i++) {
        if (w > limit) return w;
        if (i > 0) w += 2;
        w += width(c.args[i]!, mode, limit - w);
      }
      return w;
    }
    case "binary": {
      let w = operandWidth(c.left, mode, c.op, "left", limit) + c.op.length + 2;
      if (w > limit) return w;
      w += operandWidth(c.right, mode, c.op, "right", limit - w);
      return w;
    }
    case "prefix": {
      const extra = prefixWraps(c.operand, mode) ? 3 : 1;
      return extra + width(c.operand, mode, limit - extra);
    }
    case "member": {
      const w = targetWidth(c.target, mode, limit);
      return isIdentifier(c.name) ? w + 1 + c.name.length : w + 2 + JSON.stringify(c.name).length;
    }
    case "arrow": {
      let w = 6; // `(` + `) => `
      for (let i = 0; i < c.params.length; i++) w += (i > 0 ? 2 : 0) + c.params[i]!.length;
      if (c.body.k === "object") w += 2;
      if (w > limit) return w;
      return w + width(c.body, mode, limit - w);
    }
    case "array": {
      let w = 2;
      for (let i = 0; i < c.items.length; i++) {
        if (w > limit) return w;
        if (i > 0) w += 2;
        w += width(c.items[i]!, mode, limit - w);
      }
      return w;
    }
    case "object": {
      if (c.entries.length === 0) return 2;
      let w = 4;
      for (let i = 0; i < c.entries.length; i++) {
        if (w > limit) return w;
        const [k, v] = c.entries[i]!;
        w += (i > 0 ? 2 : 0) + key(k).length + 2;
        w += width(v, mode, limit - w);
      }
      return w;
    }
    case "nonNull":
      return mode === "ts" ? targetWidth(c.operand, mode, limit - 1) + 1 : width(c.operand, mode, limit);
    case "as": {
      if (mode !== "ts") return width(c.operand, mode, limit);
      let w = 0;
      for (const t of c.types) w += 4 + t.length;
      return w + operandWidth(c.operand, mode, undefined, "right", limit - w);
    }
  }
}

function operandWidth(c: Code, mode: Mode, parent: BinaryOp | undefined, side: Side, limit: number): number {
  return operandNeedsParens(c, mode, parent, side) ? width(c, mode, limit - 2) + 2 : width(c, mode, limit);
}

/** `width` of `c` as the target of a call or member access, parentheses included. */
export function targetWidth(c: Code, mode: Mode, limit: number): number {
  return targetNeedsParens(c, mode) ? width(c, mode, limit - 2) + 2 : width(c, mode, limit);
}

/** Whether the one-line text of `c` starts with `-`. */
function startsWithMinus(c: Code, mode: Mode): boolean {
  switch (c.k) {
    case "atom":
      return c.text.startsWith("-");
    case "call":
      return !targetNeedsParens(c.fn, mode) && startsWithMinus(c.fn, mode);
    case "binary":
      return !operandNeedsParens(c.left, mode, c.op, "left") && startsWithMinus(c.left, mode);
    case "prefix":
      return c.op === "-";
    case "member":
      return !targetNeedsParens(c.target, mode) && startsWithMinus(c.target, mode);
    case "nonNull":
      return mode === "ts" ? !targetNeedsParens(c.operand, mode) && startsWithMinus(c.operand, mode) : startsWithMinus(c.operand, mode);
    case "as":
      return mode === "ts" ? !operandNeedsParens(c.operand, mode) && startsWithMinus(c.operand, mode) : startsWithMinus(c.operand, mode);
    default:
      return false;
  }
}

/** On one line, a prefix operator parenthesizes what would otherwise misread (`!(a && b)`, `-(-1)`). */
export function prefixWraps(operand: Code, mode: Mode): boolean {
  return operandNeedsParens(operand, mode) || operand.k === "prefix" || startsWithMinus(operand, mode);
}
