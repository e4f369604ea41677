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

const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval undefined NaN Infinity".split(
    " ",
  ),
);

/** Whether `name` can be written as a bare identifier (and so as `.name` or a bare key). */
export function isIdentifier(name: string): boolean {
  // `/^[A-Za-z_$][A-Za-z0-9_$]*$/` as a loop: this runs for every key and member written.
  const n = name.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
    if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

/** A binding or reference. Throws on anything but a plain, non-reserved identifier (a bug). */
export function ident(name: string): Code {
  if (!isIdentifier(name) || RESERVED.has(name)) throw new Error(`codegen: \`${JSON.stringify(name)}\` is not a safe identifier`);
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
  if (Array.isArray(value)) {
    const items: Code[] = [];
    for (const v of value) items.push(data(v));
    return array(items);
  }
  if (typeof value === "object") {
    const entries: (readonly [string, Code])[] = [];
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      const v = record[k];
      if (v !== undefined) entries.push([k, data(v)]);
    }
    return object(entries);
  }
  throw new Error(`codegen: cannot write ${typeof value} as data`);
}

/**
 * Plain data as one atom: the same text `flat(data(value))` gives, written directly. For the
 * large metadata tables, where building and measuring a Code tree per value was most of the
 * cost of codegen.
 */
export function dataAtom(value: unknown): Code {
  count = 0;
  dataText(value);
  parts.length = count;
  return { k: "atom", text: parts.join("") };
}

/** Scratch space of `dataAtom`: the pieces of one literal (the first `count`), joined once. */
const parts: string[] = [];
let count = 0;

function part(text: string): void {
  parts[count++] = text;
}

/** Appends the literal text of `value` to `parts`. */
function dataText(value: unknown): void {
  if (value === null) {
    part("null");
    return;
  }
  switch (typeof value) {
    case "string":
      part(JSON.stringify(value));
      return;
    case "number":
      if (!Number.isFinite(value)) throw new Error(`codegen: non-finite number ${value}`);
      part(Object.is(value, -0) ? "-0" : String(value));
      return;
    case "boolean":
      part(value ? "true" : "false");
      return;
    case "object": {
      if (Array.isArray(value)) {
        part("[");
        for (let i = 0; i < value.length; i++) {
          if (i > 0) part(", ");
          dataText(value[i]);
        }
        part("]");
        return;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const v = record[k];
        if (v === undefined) continue;
        part(first ? "{ " : ", ");
        part(key(k));
        part(": ");
        first = false;
        dataText(v);
      }
      part(first ? "{}" : " }");
      return;
    }
  }
  throw new Error(`codegen: cannot write ${typeof value} as data`);
}

/**
 * A property key: bare when an identifier, else a string literal. `__proto__` is computed
 * (`["__proto__"]`): written bare or quoted in an object literal it would set the prototype.
 */
export function key(name: string): string {
  if (name === "__proto__") return '["__proto__"]';
  return isIdentifier(name) ? name : JSON.stringify(name);
}

// ---------------------------------------------------------------------------------------------
// Layout

/** Lines longer than this are broken where the tree allows. */
export const WIDTH = 100;
/** A call hugs its last argument, or an arrow its body, only when it starts left of this. */
const HUG_COLUMN = 60;
const STEP = "  ";
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

/** An atom that starts like a number (`-1`, `2`) needs parentheses before `.member`. */
const NUMERIC_START_RE = /^[-\d]/;

function targetNeedsParens(c: Code, mode: Mode): boolean {
  if (c.k === "nonNull") return targetNeedsParens(c.operand, mode);
  if (c.k === "as") return mode === "ts" || targetNeedsParens(c.operand, mode);
  return !isSimple(c) || (c.k === "atom" && NUMERIC_START_RE.test(c.text));
}

// ---------------------------------------------------------------------------------------------
// Measuring and writing

// `layout` only needs to know whether an expression fits on the rest of the line, so it
// measures (without building text, and stopping once past the limit) before it writes.

/**
 * The width of `c` on one line when it is at most `limit`; otherwise some number above
 * `limit` (measuring stops as soon as the limit is passed).
 */
function width(c: Code, mode: Mode, limit: number): number {
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

function operandWidth(c: Code, mode: Mode, parent: BinaryOp | undefined, side: "left" | "right", limit: number): number {
  return operandNeedsParens(c, mode, parent, side) ? width(c, mode, limit - 2) + 2 : width(c, mode, limit);
}

function targetWidth(c: Code, mode: Mode, limit: number): number {
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
function prefixWraps(operand: Code, mode: Mode): boolean {
  return operandNeedsParens(operand, mode) || operand.k === "prefix" || startsWithMinus(operand, mode);
}

/** Where laid-out text goes: the finished lines, and the line being written. */
interface Sink {
  readonly lines: string[];
  cur: string;
}

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

function putOperand(c: Code, mode: Mode, parent: BinaryOp | undefined, side: "left" | "right", s: Sink): void {
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
 * Lays `c` out starting at column `col`: the first line continues the current line, later
 * lines carry their own indentation (`indent` plus one step per level of nesting).
 */
export function layout(c: Code, indent: string, col: number, mode: Mode): string[] {
  const s: Sink = { lines: [], cur: " ".repeat(col) };
  lay(c, indent, mode, s);
  s.lines.push(s.cur);
  s.lines[0] = s.lines[0]!.slice(col);
  return s.lines;
}

/**
 * Writes `c` into `s`, continuing its current line (whose length is the column) and breaking
 * where the tree allows when it does not fit in WIDTH.
 */
function lay(c: Code, indent: string, mode: Mode, s: Sink): void {
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

// ---------------------------------------------------------------------------------------------
// Lines

/**
 * Lines are joined into chunks of about this many characters (see `flush`): well below the
 * size from which V8 allocates a string as a large object, in fresh (unpooled) memory.
 */
const CHUNK_CHARS = 32 * 1024;

/** Accumulates lines with indentation; `toString` gives the module text (LF, final newline). */
export class CodeWriter {
  readonly mode: Mode;
  /** The latest lines; earlier ones are in `chunks`. */
  private readonly out: string[] = [];
  /** Finished text, each chunk some whole lines joined with LF (no final LF). */
  private readonly chunks: string[] = [];
  private readonly sink: Sink = { lines: this.out, cur: "" };
  /** About how many characters `out` holds. */
  private pending = 0;
  private depth = 0;
  private padText = "";

  constructor(mode: Mode) {
    this.mode = mode;
  }

  get ts(): boolean {
    return this.mode === "ts";
  }

  private get pad(): string {
    return this.padText;
  }

  private indent(delta: number): void {
    this.depth += delta;
    this.padText = STEP.repeat(this.depth);
  }

  /**
   * Joins all but the last non-empty line (and the blank lines after it, which `blank` and
   * `toString` look at) into one chunk. A module has tens of thousands of lines, each built
   * from many small strings; joining them as they are written keeps only flat text alive.
   */
  private flush(): void {
    const out = this.out;
    let k = out.length - 1;
    while (k > 0 && out[k] === "") k--;
    if (k > 0) this.chunks.push(out.splice(0, k).join("\n"));
    this.pending = out.length === 0 ? 0 : out[out.length - 1]!.length;
  }

  private push(line: string): void {
    this.out.push(line);
    this.pending += line.length + 1;
    if (this.pending >= CHUNK_CHARS) this.flush();
  }

  /** One line of fixed compiler text at the current indentation. */
  line(text: string): this {
    this.push(text === "" ? "" : this.pad + text);
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
    this.indent(1);
    body();
    this.indent(-1);
    return this.line(close);
  }

  /** `before` + the laid-out expression + `after`, broken over lines when long. */
  code(before: string, c: Code, after = ""): this {
    const s = this.sink;
    const first = this.out.length;
    s.cur = this.pad + before;
    lay(c, this.pad, this.mode, s);
    s.cur += after;
    this.out.push(s.cur);
    s.cur = "";
    for (let i = first; i < this.out.length; i++) this.pending += this.out[i]!.length + 1;
    if (this.pending >= CHUNK_CHARS) this.flush();
    return this;
  }

  toString(): string {
    const out = this.out;
    let end = out.length;
    while (end > 0 && out[end - 1] === "") end--;
    const tail = end === out.length ? out : out.slice(0, end);
    if (this.chunks.length === 0 && tail.length === 0) return "\n";
    // The final "" gives the final LF in the same join: the result is one flat string.
    return [...this.chunks, ...tail, ""].join("\n");
  }
}
