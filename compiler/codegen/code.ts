// The expression tree of generated code and its checked constructors. A `Code` value is the
// only way an expression reaches a predicates module: identifiers are validated here, strings
// JSON-escaped, numbers finite, so no user text is ever pasted into source. Plain data (the
// journey metadata) is written as literals here too. How a tree reads on one line is
// measure.ts, how it is broken over lines layout.ts, and the module's lines writer.ts.

/** Output flavour: TypeScript (types, `!`, `as`) or plain JavaScript (the same without them). */
export type Mode = "ts" | "js";

/** An expression of generated code, built only through the constructors below. */
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

/** The binary operators the emitter writes. */
export type BinaryOp = "&&" | "||" | "===" | "!==" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/";

/** Reserved words, and globals a binding must not shadow (`undefined`, `NaN`, `eval`, …). */
const RESERVED: ReadonlySet<string> = new Set(
  [
    "break case catch class const continue debugger default delete do else enum",
    "export extends false finally for function if import in instanceof new null",
    "return super switch this throw true try typeof var void while with yield let",
    "static implements interface package private protected public await arguments",
    "eval undefined NaN Infinity",
  ]
    .join(" ")
    .split(" "),
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

/**
 * A property key: bare when an identifier, else a string literal. `__proto__` is computed
 * (`["__proto__"]`): written bare or quoted in an object literal it would set the prototype.
 */
export function key(name: string): string {
  if (name === "__proto__") return '["__proto__"]';
  return isIdentifier(name) ? name : JSON.stringify(name);
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

/** A number literal (`-0` kept); throws on NaN and the infinities, which have no literal. */
export function num(value: number): Code {
  if (!Number.isFinite(value)) throw new Error(`codegen: non-finite number ${value}`);
  return { k: "atom", text: Object.is(value, -0) ? "-0" : String(value) };
}

/** `true` or `false`. */
export function bool(value: boolean): Code {
  return { k: "atom", text: value ? "true" : "false" };
}

/** The `null` literal. */
export const NULL: Code = { k: "atom", text: "null" };

/** `fn(args…)`; a string `fn` must be a safe identifier. */
export function call(fn: string | Code, args: readonly Code[]): Code {
  return { k: "call", fn: typeof fn === "string" ? ident(fn) : fn, args };
}

/** `left op right`, parenthesized by layout where precedence needs it. */
export function binary(op: BinaryOp, left: Code, right: Code): Code {
  return { k: "binary", op, left, right };
}

/** `!operand` or `-operand`. */
export function prefix(op: "!" | "-", operand: Code): Code {
  return { k: "prefix", op, operand };
}

/** `target.name`, or `target["name"]` when the name is not an identifier. */
export function member(target: Code, name: string): Code {
  return { k: "member", target, name };
}

/** `(params…) => body`; each parameter must be a safe identifier. */
export function arrow(params: readonly string[], body: Code): Code {
  for (const p of params) ident(p);
  return { k: "arrow", params, body };
}

/** `[items…]`. */
export function array(items: readonly Code[]): Code {
  return { k: "array", items };
}

/** `{ key: value, … }` in the given order; keys are written by `key`. */
export function object(entries: readonly (readonly [string, Code])[]): Code {
  return { k: "object", entries };
}

/** `operand!` in TypeScript, `operand` in JavaScript. */
export function nonNull(operand: Code): Code {
  return { k: "nonNull", operand };
}

/** `operand as T1 as T2…` in TypeScript, `operand` in JavaScript; types are identifiers. */
export function as(operand: Code, ...types: string[]): Code {
  for (const t of types) ident(t);
  return { k: "as", operand, types };
}

// ---------------------------------------------------------------------------------------------
// Plain data

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
 * Plain data as one atom: the same text `flat(data(value))` gives (layout.ts), written
 * directly and never broken over lines. For the large metadata tables, where building and
 * measuring a Code tree per value was most of the cost of codegen.
 */
export function dataAtom(value: unknown): Code {
  // The pieces of this one literal, joined once: a flat string, not a rope of small ones.
  const parts: string[] = [];
  dataText(value, parts);
  return { k: "atom", text: parts.join("") };
}

/** Appends the literal text of `value` to `parts`. */
function dataText(value: unknown, parts: string[]): void {
  if (value === null) {
    parts.push("null");
    return;
  }
  switch (typeof value) {
    case "string":
      parts.push(JSON.stringify(value));
      return;
    case "number":
      if (!Number.isFinite(value)) throw new Error(`codegen: non-finite number ${value}`);
      parts.push(Object.is(value, -0) ? "-0" : String(value));
      return;
    case "boolean":
      parts.push(value ? "true" : "false");
      return;
    case "object": {
      if (Array.isArray(value)) {
        parts.push("[");
        for (let i = 0; i < value.length; i++) {
          if (i > 0) parts.push(", ");
          dataText(value[i], parts);
        }
        parts.push("]");
        return;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const v = record[k];
        if (v === undefined) continue;
        parts.push(first ? "{ " : ", ", key(k), ": ");
        first = false;
        dataText(v, parts);
      }
      parts.push(first ? "{}" : " }");
      return;
    }
  }
  throw new Error(`codegen: cannot write ${typeof value} as data`);
}

/**
 * Whether `c` has no TypeScript-only part (`!`, `as`): then it reads, measures and lays out the
 * same in both flavours (measure.ts and layout.ts look at the mode only for those two).
 */
export function sameInBothModes(c: Code): boolean {
  switch (c.k) {
    case "atom":
      return true;
    case "call":
      if (!sameInBothModes(c.fn)) return false;
      for (const a of c.args) if (!sameInBothModes(a)) return false;
      return true;
    case "binary":
      return sameInBothModes(c.left) && sameInBothModes(c.right);
    case "prefix":
      return sameInBothModes(c.operand);
    case "member":
      return sameInBothModes(c.target);
    case "arrow":
      return sameInBothModes(c.body);
    case "array":
      for (const i of c.items) if (!sameInBothModes(i)) return false;
      return true;
    case "object":
      for (const [, v] of c.entries) if (!sameInBothModes(v)) return false;
      return true;
    case "nonNull":
    case "as":
      return false;
  }
}
