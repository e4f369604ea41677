// Layout of generated expressions: writing a Code tree on one line, or, when it does not fit
// in WIDTH columns, breaking it where the tree allows (before a method call, after an
// operator, one argument, item or entry per line) with one indentation step per level.
// The rules for parentheses and widths are measure.ts; the lines themselves go to writer.ts.
import { isIdentifier, key, type BinaryOp, type Code, type Mode } from "./code.ts";
import { operandNeedsParens, prefixWraps, targetNeedsParens, targetWidth, width, type Side } from "./measure.ts";

/** Lines longer than this are broken where the tree allows. */
export const WIDTH = 100;
/** A call hugs its last argument, or an arrow its body, only when it starts left of this. */
const HUG_COLUMN = 60;
/** One level of indentation. */
export const STEP = "  ";
/**
 * Indentation stops growing past this many columns: each level of a deeply nested expression
 * would otherwise indent every line below it once more, and the module would grow with the
 * expression's size times its depth (a `when` 250 levels deep around a long list: 35 MB).
 */
const MAX_INDENT = 40;

/** `a`, `a.b.c`: short enough never to break before a method call on it. */
function isSimplePath(c: Code): boolean {
  return c.k === "atom" || (c.k === "member" && isSimplePath(c.target));
}

/**
 * Where laid-out text goes: the finished lines, and the line being written. Its owner (a
 * CodeWriter, or `flat`) passes it down every call, so layout itself keeps no state.
 */
export interface Sink {
  readonly lines: string[];
  cur: string;
}

/** Ends the current line of `s` and starts the next with `start`. */
function newline(s: Sink, start: string): void {
  s.lines.push(s.cur);
  s.cur = start;
}

/** Writes `c` on one line, continuing the current line. */
function put(c: Code, mode: Mode, s: Sink): void {
  switch (c.k) {
    case "atom":
      s.cur += c.text;
      return;
    case "call":
      putTarget(c.fn, mode, s);
      s.cur += "(";
      for (let i = 0; i < c.args.length; i++) {
        if (i > 0) s.cur += ", ";
        put(c.args[i]!, mode, s);
      }
      s.cur += ")";
      return;
    case "binary":
      putOperand(c.left, mode, c.op, "left", s);
      s.cur += ` ${c.op} `;
      putOperand(c.right, mode, c.op, "right", s);
      return;
    case "prefix": {
      s.cur += c.op;
      if (prefixWraps(c.operand, mode)) {
        s.cur += "(";
        put(c.operand, mode, s);
        s.cur += ")";
      } else put(c.operand, mode, s);
      return;
    }
    case "member":
      putTarget(c.target, mode, s);
      s.cur += isIdentifier(c.name) ? `.${c.name}` : `[${JSON.stringify(c.name)}]`;
      return;
    case "arrow":
      s.cur += `(${c.params.join(", ")}) => `;
      if (c.body.k === "object") {
        s.cur += "(";
        put(c.body, mode, s);
        s.cur += ")";
      } else put(c.body, mode, s);
      return;
    case "array":
      s.cur += "[";
      for (let i = 0; i < c.items.length; i++) {
        if (i > 0) s.cur += ", ";
        put(c.items[i]!, mode, s);
      }
      s.cur += "]";
      return;
    case "object":
      if (c.entries.length === 0) {
        s.cur += "{}";
        return;
      }
      s.cur += "{ ";
      for (let i = 0; i < c.entries.length; i++) {
        const [k, v] = c.entries[i]!;
        s.cur += i > 0 ? `, ${key(k)}: ` : `${key(k)}: `;
        put(v, mode, s);
      }
      s.cur += " }";
      return;
    case "nonNull":
      if (mode === "ts") {
        putTarget(c.operand, mode, s);
        s.cur += "!";
      } else put(c.operand, mode, s);
      return;
    case "as":
      if (mode === "ts") {
        putOperand(c.operand, mode, undefined, "right", s);
        for (const t of c.types) s.cur += ` as ${t}`;
      } else put(c.operand, mode, s);
      return;
  }
}

function putOperand(c: Code, mode: Mode, parent: BinaryOp | undefined, side: Side, s: Sink): void {
  if (operandNeedsParens(c, mode, parent, side)) {
    s.cur += "(";
    put(c, mode, s);
    s.cur += ")";
  } else put(c, mode, s);
}

function putTarget(c: Code, mode: Mode, s: Sink): void {
  if (targetNeedsParens(c, mode)) {
    s.cur += "(";
    put(c, mode, s);
    s.cur += ")";
  } else put(c, mode, s);
}

/** The expression on one line. */
export function flat(c: Code, mode: Mode): string {
  const s: Sink = { lines: [], cur: "" };
  put(c, mode, s);
  return s.cur;
}

/**
 * Writes `c` into `s`, continuing its current line (whose length is the column) and breaking
 * where the tree allows when it does not fit in WIDTH. Lines after the first start with
 * `indent` plus one step per level of nesting.
 */
export function lay(c: Code, indent: string, mode: Mode, s: Sink): void {
  const col = s.cur.length;
  const room = WIDTH - col;
  if (width(c, mode, room) <= room) {
    put(c, mode, s);
    return;
  }
  const inner = indent.length < MAX_INDENT ? indent + STEP : indent;
  switch (c.k) {
    case "call": {
      // `<long target>.method(args)`: break before `.method`.
      if (c.fn.k === "member" && !isSimplePath(c.fn.target) && targetWidth(c.fn, mode, HUG_COLUMN - col) > HUG_COLUMN - col) {
        if (targetNeedsParens(c.fn.target, mode)) {
          s.cur += "(";
          lay(c.fn.target, indent, mode, s);
          s.cur += ")";
        } else lay(c.fn.target, indent, mode, s);
        const suffix = isIdentifier(c.fn.name) ? `.${c.fn.name}` : `[${JSON.stringify(c.fn.name)}]`;
        newline(s, inner);
        lay({ k: "call", fn: { k: "atom", text: suffix }, args: c.args }, inner, mode, s);
        return;
      }
      const n = c.args.length;
      if (n === 0) {
        put(c, mode, s);
        return;
      }
      let shortLeading = true;
      let startWidth = 0;
      for (let i = 0; i < n - 1; i++) {
        const w = width(c.args[i]!, mode, 12);
        if (w > 12) {
          shortLeading = false;
          break;
        }
        startWidth += w + 2;
      }
      if (shortLeading) {
        // Hug the last argument when the others are short: `t($, 3, <broken last>)`. Its
        // continuation lines keep this line's indentation, so nested hugs do not drift right.
        const hug = col + startWidth + 1 + targetWidth(c.fn, mode, HUG_COLUMN - col - startWidth - 1) <= HUG_COLUMN;
        if (hug || n > 1) {
          putTarget(c.fn, mode, s);
          s.cur += "(";
          for (let i = 0; i < n - 1; i++) {
            put(c.args[i]!, mode, s);
            s.cur += hug || i < n - 2 ? ", " : ",";
          }
          if (hug) lay(c.args[n - 1]!, indent, mode, s);
          else {
            // Short leading arguments stay on the call's line; the last one goes below.
            newline(s, inner);
            lay(c.args[n - 1]!, inner, mode, s);
          }
          s.cur += ")";
          return;
        }
      }
      putTarget(c.fn, mode, s);
      s.cur += "(";
      for (const a of c.args) {
        newline(s, inner);
        lay(a, inner, mode, s);
        s.cur += ",";
      }
      newline(s, `${indent})`);
      return;
    }
    case "binary": {
      if (operandNeedsParens(c.left, mode, c.op, "left")) {
        s.cur += "(";
        lay(c.left, indent, mode, s);
        s.cur += ")";
      } else lay(c.left, indent, mode, s);
      newline(s, `${inner}${c.op} `);
      if (operandNeedsParens(c.right, mode, c.op, "right")) {
        s.cur += "(";
        lay(c.right, inner, mode, s);
        s.cur += ")";
      } else lay(c.right, inner, mode, s);
      return;
    }
    case "arrow": {
      const head = `(${c.params.join(", ")}) => `;
      if (c.body.k === "object") {
        s.cur += `${head}(`;
        lay(c.body, indent, mode, s);
        s.cur += ")";
      } else if (col + head.length > HUG_COLUMN) {
        s.cur += head.trimEnd();
        newline(s, inner);
        lay(c.body, inner, mode, s);
      } else {
        s.cur += head;
        lay(c.body, indent, mode, s);
      }
      return;
    }
    case "array": {
      if (c.items.length === 0) {
        s.cur += "[]";
        return;
      }
      s.cur += "[";
      for (const v of c.items) {
        newline(s, inner);
        lay(v, inner, mode, s);
        s.cur += ",";
      }
      newline(s, `${indent}]`);
      return;
    }
    case "object": {
      if (c.entries.length === 0) {
        s.cur += "{}";
        return;
      }
      s.cur += "{";
      for (const [k, v] of c.entries) {
        newline(s, `${inner}${key(k)}: `);
        lay(v, inner, mode, s);
        s.cur += ",";
      }
      newline(s, `${indent}}`);
      return;
    }
    case "prefix": {
      const wrapIt = operandNeedsParens(c.operand, mode) || c.operand.k === "prefix";
      s.cur += wrapIt ? `${c.op}(` : c.op;
      lay(c.operand, indent, mode, s);
      if (wrapIt) s.cur += ")";
      return;
    }
    default:
      put(c, mode, s);
  }
}
