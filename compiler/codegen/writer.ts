// The code writer of codegen: a small tree of JavaScript/TypeScript expressions built only
// through checked constructors (identifiers are validated, strings are JSON-escaped), a
// layout that breaks long expressions over indented lines, and a line writer. Generated code
// is assembled from these pieces, never by pasting user text into source.

/** Output flavour: TypeScript (types, `!`, `as`) or plain JavaScript (the same without them). */
export type Mode = "ts" | "js";

export type Code =
  | { readonly k: "atom"; readonly text: string }
  | { readonly k: "call"; readonly fn: Code; readonly args: readonly Code[] }
  | { readonly k: "binary"; readonly op: BinaryOp; readonly left: Code; readonly right: Code }
  | { readonly k: "prefix"; readonly op: "!" | "-"; readonly operand: Code }
  | { readonly k: "member"; readonly target: Code; readonly name: string }
  | { readonly k: "arrow"; readonly params: readonly string[]; readonly body: Code }
  | { readonly k: "array"; readonly items: readonly Code[] }
  | { readonly k: "object"; readonly entries: readonly (readonly [string, Code])[] }
  /** TypeScript's non-null assertion `x!`; plain `x` in JavaScript. */
  | { readonly k: "nonNull"; readonly operand: Code }
  /** TypeScript's `x as A as B`; plain `x` in JavaScript. Types are built from identifiers. */
  | { readonly k: "as"; readonly operand: Code; readonly types: readonly string[] };

export type BinaryOp = "&&" | "||" | "===" | "!==" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/";

const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval undefined NaN Infinity".split(
    " ",
  ),
);

/** Whether `name` can be written as a bare identifier (and so as `.name` or a bare key). */
export function isIdentifier(name: string): boolean {
  return IDENT_RE.test(name);
}

/** A binding or reference. Throws on anything but a plain, non-reserved identifier (a bug). */
export function ident(name: string): Code {
  if (!IDENT_RE.test(name) || RESERVED.has(name)) throw new Error(`codegen: \`${JSON.stringify(name)}\` is not a safe identifier`);
  return { k: "atom", text: name };
}

/** A string literal: the only way text reaches generated code. */
export function str(value: string): Code {
  return { k: "atom", text: JSON.stringify(value) };
}

export function num(value: number): Code {
  if (!Number.isFinite(value)) throw new Error(`codegen: non-finite number ${value}`);
  return { k: "atom", text: Object.is(value, -0) ? "-0" : String(value) };
}

export function bool(value: boolean): Code {
  return { k: "atom", text: value ? "true" : "false" };
}

export const NULL: Code = { k: "atom", text: "null" };

export function call(fn: string | Code, args: readonly Code[]): Code {
  return { k: "call", fn: typeof fn === "string" ? ident(fn) : fn, args };
}

export function binary(op: BinaryOp, left: Code, right: Code): Code {
  return { k: "binary", op, left, right };
}

export function prefix(op: "!" | "-", operand: Code): Code {
  return { k: "prefix", op, operand };
}

/** `target.name`, or `target["name"]` when the name is not an identifier. */
export function member(target: Code, name: string): Code {
  return { k: "member", target, name };
}

export function arrow(params: readonly string[], body: Code): Code {
  for (const p of params) ident(p);
  return { k: "arrow", params, body };
}

export function array(items: readonly Code[]): Code {
  return { k: "array", items };
}

export function object(entries: readonly (readonly [string, Code])[]): Code {
  return { k: "object", entries };
}


export function nonNull(operand: Code): Code {
  return { k: "nonNull", operand };
}

export function as(operand: Code, ...types: string[]): Code {
  for (const t of types) ident(t);
  return { k: "as", operand, types };
}

/** Plain data (JSON-like, undefined members skipped) as a literal, keys in insertion order. */
export function data(value: unknown): Code {
  if (value === null) return NULL;
  if (typeof value === "string") return str(value);
  if (typeof value === "number") return num(value);
  if (typeof value === "boolean") return bool(value);
  if (Array.isArray(value)) return array(value.map(data));
  if (typeof value === "object") {
    return object(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => [k, data(v)] as const));
  }
  throw new Error(`codegen: cannot write ${typeof value} as data`);
}

/**
 * Plain data as one atom: the same text `flat(data(value))` gives, written directly. For the
 * large metadata tables, where building and measuring a Code tree per value was most of the
 * cost of codegen.
 */
export function dataAtom(value: unknown): Code {
  return { k: "atom", text: dataText(value) };
}

function dataText(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`codegen: non-finite number ${value}`);
    return Object.is(value, -0) ? "-0" : String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map(dataText).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${key(k)}: ${dataText(v)}`).join(", ")} }`;
  }
  throw new Error(`codegen: cannot write ${typeof value} as data`);
}

/** A property key: bare when an identifier, else a string literal. */
export function key(name: string): string {
  return IDENT_RE.test(name) ? name : JSON.stringify(name);
}

// ---------------------------------------------------------------------------------------------
// Layout

/** Lines longer than this are broken where the tree allows. */
export const WIDTH = 100;
/** A call hugs its last argument, or an arrow its body, only when it starts left of this. */
const HUG_COLUMN = 60;
const STEP = "  ";

/** `a`, `a.b.c`: short enough never to break before a method call on it. */
function isSimplePath(c: Code): boolean {
  return c.k === "atom" || (c.k === "member" && isSimplePath(c.target));
}

function isSimple(c: Code): boolean {
  return c.k === "atom" || c.k === "call" || c.k === "member" || c.k === "array" || (c.k === "nonNull" && isSimple(c.operand));
}

/** JavaScript binding strength of the operators the emitter uses. */
const PRECEDENCE: Record<BinaryOp, number> = {
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
function operandNeedsParens(c: Code, mode: Mode, parent?: BinaryOp, side: "left" | "right" = "right"): boolean {
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

function targetNeedsParens(c: Code, mode: Mode): boolean {
  if (c.k === "nonNull") return targetNeedsParens(c.operand, mode);
  if (c.k === "as") return mode === "ts" || targetNeedsParens(c.operand, mode);
  return !isSimple(c) || (c.k === "atom" && /^[-\d]/.test(c.text));
}

// `layout` only needs to know whether an expression fits on the rest of the line. Rendering a
// whole subtree at every level to find out was quadratic (and allocation-heavy) for the large
// metadata literals, so the check renders under a budget and stops as soon as it is exceeded.
const TOO_WIDE = Symbol("too-wide");
let budget = Infinity;

/** The expression on one line. */
export function flat(c: Code, mode: Mode): string {
  const text = flatUncached(c, mode);
  if (text.length > budget) throw TOO_WIDE;
  return text;
}

/** The one-line text when it is at most `limit` characters, else undefined (cheaply). */
function flatWithin(c: Code, mode: Mode, limit: number): string | undefined {
  const saved = budget;
  budget = Math.min(budget, limit);
  try {
    return flat(c, mode);
  } catch (e) {
    if (e === TOO_WIDE) return undefined;
    throw e;
  } finally {
    budget = saved;
  }
}

function flatUncached(c: Code, mode: Mode): string {
  switch (c.k) {
    case "atom":
      return c.text;
    case "call":
      return `${flatTarget(c.fn, mode)}(${c.args.map((a) => flat(a, mode)).join(", ")})`;
    case "binary":
      return `${flatOperand(c.left, mode, c.op, "left")} ${c.op} ${flatOperand(c.right, mode, c.op, "right")}`;
    case "prefix": {
      const inner = flat(c.operand, mode);
      const wrap = operandNeedsParens(c.operand, mode) || c.operand.k === "prefix" || inner.startsWith("-");
      return `${c.op}${wrap ? `(${inner})` : inner}`;
    }
    case "member":
      return IDENT_RE.test(c.name) ? `${flatTarget(c.target, mode)}.${c.name}` : `${flatTarget(c.target, mode)}[${JSON.stringify(c.name)}]`;
    case "arrow":
      return `(${c.params.join(", ")}) => ${c.body.k === "object" ? `(${flat(c.body, mode)})` : flat(c.body, mode)}`;
    case "array":
      return `[${c.items.map((i) => flat(i, mode)).join(", ")}]`;
    case "object":
      return c.entries.length === 0 ? "{}" : `{ ${c.entries.map(([k, v]) => `${key(k)}: ${flat(v, mode)}`).join(", ")} }`;
    case "nonNull":
      return mode === "ts" ? `${flatTarget(c.operand, mode)}!` : flat(c.operand, mode);
    case "as":
      return mode === "ts" ? `${flatOperand(c.operand, mode)} as ${c.types.join(" as ")}` : flat(c.operand, mode);
  }
}

function flatOperand(c: Code, mode: Mode, parent?: BinaryOp, side?: "left" | "right"): string {
  return operandNeedsParens(c, mode, parent, side) ? `(${flat(c, mode)})` : flat(c, mode);
}

function flatTarget(c: Code, mode: Mode): string {
  return targetNeedsParens(c, mode) ? `(${flat(c, mode)})` : flat(c, mode);
}

function wrap(lines: string[]): string[] {
  const out = [...lines];
  out[0] = `(${out[0]}`;
  out[out.length - 1] = `${out[out.length - 1]})`;
  return out;
}

/**
 * Lays `c` out starting at column `col`: the first line continues the current line, later
 * lines carry their own indentation (`indent` plus one step per level of nesting).
 */
export function layout(c: Code, indent: string, col: number, mode: Mode): string[] {
  const fits = flatWithin(c, mode, WIDTH - col);
  if (fits !== undefined) return [fits];

  switch (c.k) {
    case "call": {
      // `<long target>.method(args)`: break before `.method`.
      if (c.fn.k === "member" && !isSimplePath(c.fn.target) && col + flatTarget(c.fn, mode).length > HUG_COLUMN) {
        const target = targetNeedsParens(c.fn.target, mode) ? wrap(layout(c.fn.target, indent, col + 1, mode)) : layout(c.fn.target, indent, col, mode);
        const suffix = IDENT_RE.test(c.fn.name) ? `.${c.fn.name}` : `[${JSON.stringify(c.fn.name)}]`;
        const rest = layout({ k: "call", fn: { k: "atom", text: suffix }, args: c.args }, indent + STEP, indent.length + STEP.length, mode);
        return [...target, indent + STEP + rest[0], ...rest.slice(1)];
      }
      if (c.args.length === 0) return [flat(c, mode)];
      const head = `${flatTarget(c.fn, mode)}(`;
      const leading = c.args.slice(0, -1).map((a) => flat(a, mode));
      const last = c.args[c.args.length - 1]!;
      // Hug the last argument when the others are short: `t($, 3, <broken last>)`. Its
      // continuation lines keep this line's indentation, so nested hugs do not drift right.
      const start = head + leading.map((a) => `${a}, `).join("");
      if (leading.every((a) => a.length <= 12) && col + start.length <= HUG_COLUMN) {
        const inner = layout(last, indent, col + start.length, mode);
        inner[0] = start + inner[0];
        inner[inner.length - 1] += ")";
        return inner;
      }
      if (leading.every((a) => a.length <= 12) && leading.length > 0) {
        // Short leading arguments stay on the call's line; the last one goes below.
        const inner = layout(last, indent + STEP, indent.length + STEP.length, mode);
        inner[0] = indent + STEP + inner[0];
        inner[inner.length - 1] += ")";
        return [start.trimEnd(), ...inner];
      }
      const lines = [head];
      c.args.forEach((a) => {
        const sub = layout(a, indent + STEP, indent.length + STEP.length, mode);
        sub[0] = indent + STEP + sub[0];
        sub[sub.length - 1] += ",";
        lines.push(...sub);
      });
      lines.push(`${indent})`);
      return lines;
    }
    case "binary": {
      const l = operandNeedsParens(c.left, mode, c.op, "left") ? wrap(layout(c.left, indent, col + 1, mode)) : layout(c.left, indent, col, mode);
      const opCol = indent.length + STEP.length + c.op.length + 1;
      const rParen = operandNeedsParens(c.right, mode, c.op, "right");
      const r0 = layout(c.right, indent + STEP, opCol + (rParen ? 1 : 0), mode);
      const r = rParen ? wrap(r0) : r0;
      return [...l, `${indent}${STEP}${c.op} ${r[0]}`, ...r.slice(1)];
    }
    case "arrow": {
      const head = `(${c.params.join(", ")}) => `;
      if (col + head.length > HUG_COLUMN && c.body.k !== "object") {
        const body = layout(c.body, indent + STEP, indent.length + STEP.length, mode);
        return [head.trimEnd(), indent + STEP + body[0], ...body.slice(1)];
      }
      const body = c.body.k === "object" ? wrap(layout(c.body, indent, col + head.length + 1, mode)) : layout(c.body, indent, col + head.length, mode);
      return [head + body[0], ...body.slice(1)];
    }
    case "array":
    case "object": {
      const entries: readonly (readonly [string | undefined, Code])[] = c.k === "array" ? c.items.map((i) => [undefined, i] as const) : c.entries;
      if (entries.length === 0) return [flat(c, mode)];
      const lines = [c.k === "array" ? "[" : "{"];
      for (const [k, v] of entries) {
        const prefixText = indent + STEP + (k === undefined ? "" : `${key(k)}: `);
        const sub = layout(v, indent + STEP, prefixText.length, mode);
        sub[0] = prefixText + sub[0];
        sub[sub.length - 1] += ",";
        lines.push(...sub);
      }
      lines.push(indent + (c.k === "array" ? "]" : "}"));
      return lines;
    }
    case "prefix": {
      const wrapIt = operandNeedsParens(c.operand, mode) || c.operand.k === "prefix";
      const inner = layout(c.operand, indent, col + 1 + (wrapIt ? 1 : 0), mode);
      const body = wrapIt ? wrap(inner) : inner;
      return [c.op + body[0], ...body.slice(1)];
    }
    default:
      return [flat(c, mode)];
  }
}

// ---------------------------------------------------------------------------------------------
// Lines

/** Accumulates lines with indentation; `toString` gives the module text (LF, final newline). */
export class CodeWriter {
  readonly mode: Mode;
  private readonly out: string[] = [];
  private depth = 0;

  constructor(mode: Mode) {
    this.mode = mode;
  }

  get ts(): boolean {
    return this.mode === "ts";
  }

  private get pad(): string {
    return STEP.repeat(this.depth);
  }

  /** One line of fixed compiler text at the current indentation. */
  line(text: string): this {
    this.out.push(text === "" ? "" : this.pad + text);
    return this;
  }

  /** A blank line, never two in a row. */
  blank(): this {
    if (this.out.length > 0 && this.out[this.out.length - 1] !== "") this.out.push("");
    return this;
  }

  /** `// text` lines; callers pass compiler text only, never user text. */
  comment(...lines: string[]): this {
    for (const l of lines) this.line(l === "" ? "//" : `// ${l}`);
    return this;
  }

  /** `open`, the body one level deeper, then `close`. */
  block(open: string, body: () => void, close = "}"): this {
    this.line(open);
    this.depth++;
    body();
    this.depth--;
    return this.line(close);
  }

  /** `before` + the laid-out expression + `after`, broken over lines when long. */
  code(before: string, c: Code, after = ""): this {
    const lines = layout(c, this.pad, this.pad.length + before.length, this.mode);
    lines[0] = this.pad + before + lines[0];
    lines[lines.length - 1] += after;
    this.out.push(...lines);
    return this;
  }

  toString(): string {
    let end = this.out.length;
    while (end > 0 && this.out[end - 1] === "") end--;
    return (end === this.out.length ? this.out : this.out.slice(0, end)).join("\n") + "\n";
  }
}
