// Canonical JSON: object keys in code-unit order at every depth, so the same value prints the
// same bytes in every process. Decisions, decision ids and log entries are built on it.
// It refuses what JSON cannot represent faithfully — functions, symbols, BigInts, NaN and
// ±Infinity, cycles, class instances, absurd nesting — with a CanonicalJsonError that says what
// and where, instead of printing `null` or `{}` in its place: a log entry must say what happened.
//
// Two paths, one output (issue 13). The fast path checks the value in one walk — plain data
// only, keys already in order or put in order in a copy — and hands it to the native
// `JSON.stringify`, which prints exactly the canonical form once every object's own key order is
// the code-unit order. It gives up (and the careful writer below takes over, producing the same
// text or the precise error) on anything it does not vouch for: a value it would refuse, a copy
// that would need integer-like keys (JS objects enumerate them first whatever the insertion
// order) or a `__proto__` key, an indent JSON.stringify would clamp. The careful writer is the
// previous implementation; test/log/canonical-json-reference.ts keeps a frozen copy as the oracle
// of the property tests.

/** A JSON value as the runtime prints it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Deeper than this is not data a decision or a log entry holds (requests are limited far lower). */
export const MAX_JSON_DEPTH = 256;

/** A value that has no canonical JSON form; `path` says where (`decision.evaluations[0].trace[3][1]`). */
export class CanonicalJsonError extends TypeError {
  readonly path: string;
  /** What was found: `a function`, `a BigInt`, `a cycle`, … */
  readonly found: string;

  constructor(found: string, path: string) {
    super(`canonical JSON: cannot encode ${found} at \`${path}\``);
    this.name = "CanonicalJsonError";
    this.found = found;
    this.path = path;
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `["decision", "evaluations", 0, "trace"]` → `decision.evaluations[0].trace`. */
function pathText(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === "" ? "(the value)" : out;
}

function kindOf(value: object): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
  const name = proto && Object.hasOwn(proto, "constructor") && typeof proto.constructor?.name === "string" ? proto.constructor.name : "";
  return name === "" ? "an object that is not plain data" : `an instance of ${name} (not plain data)`;
}

/** One serialization: the ancestors (for cycles) and the path (for messages) of the value being written. */
class Writer {
  private readonly indent: string;
  private readonly path: (string | number)[];
  private readonly open = new Set<object>();

  constructor(indent: string, root: readonly (string | number)[]) {
    this.indent = indent;
    this.path = [...root];
  }

  private fail(found: string): never {
    throw new CanonicalJsonError(found, pathText(this.path));
  }

  write(value: unknown, depth: number, inArray: boolean): string | undefined {
    if (value === undefined) return inArray ? "null" : undefined;
    if (value === null) return "null";
    switch (typeof value) {
      case "boolean":
        return value ? "true" : "false";
      case "string":
        return JSON.stringify(value);
      case "number":
        // -0 prints as 0, as JSON.stringify does.
        return Number.isFinite(value) ? JSON.stringify(value) : this.fail(`the non-finite number ${String(value)}`);
      case "bigint":
        return this.fail("a BigInt");
      case "function":
        return this.fail("a function");
      case "symbol":
        return this.fail("a symbol");
      case "object":
        return this.object(value, depth);
      default:
        return this.fail(`a ${typeof value}`);
    }
  }

  private object(value: object, depth: number): string {
    if (depth >= MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
    if (this.open.has(value)) this.fail("a cycle (the value contains itself)");
    const isArray = Array.isArray(value);
    if (!isArray && !isPlainObject(value)) this.fail(kindOf(value));
    const { indent } = this;
    const pad = indent === "" ? "" : "\n" + indent.repeat(depth + 1);
    const end = indent === "" ? "" : "\n" + indent.repeat(depth);
    this.open.add(value);
    let text: string;
    if (isArray) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        this.path.push(i);
        items.push(pad + this.write(value[i], depth + 1, true)!);
        this.path.pop();
      }
      text = items.length === 0 ? "[]" : `[${items.join(",")}${end}]`;
    } else {
      const sep = indent === "" ? ":" : ": ";
      const members: string[] = [];
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record).sort(compareKeys)) {
        this.path.push(key);
        const member = this.write(record[key], depth + 1, false);
        this.path.pop();
        if (member !== undefined) members.push(pad + JSON.stringify(key) + sep + member);
      }
      text = members.length === 0 ? "{}" : `{${members.join(",")}${end}}`;
    }
    this.open.delete(value);
    return text;
  }
}

/** Thrown inside the fast path when the careful writer must decide (never escapes this module). */
const GIVE_UP: unique symbol = Symbol("canonical JSON: careful path");

const OBJECT_PROTO: object = Object.prototype;

/** True for keys JS objects enumerate before all others, in numeric order (array indices). */
function isIndexKey(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295;
}

/** Past this many keys, Array.prototype.sort; below it, an insertion sort (the native sort's set-up dominates for a few keys). */
const FEW_KEYS = 24;

/** Sorts distinct keys in code-unit order, in place: what `keys.sort()` gives, faster for the few keys of most objects. */
export function sortKeys(keys: string[]): void {
  const n = keys.length;
  if (n > FEW_KEYS) {
    keys.sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
}

/**
 * The value itself when JSON.stringify already prints it canonically, else a copy that it
 * prints canonically (objects whose keys were out of order re-created in order); throws GIVE_UP
 * on anything the careful writer must look at.
 */
function ordered(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return value;
    case "number":
      if (Number.isFinite(value)) return value;
      throw GIVE_UP;
    case "object": {
      if (value === null) return value;
      if (depth >= MAX_JSON_DEPTH) throw GIVE_UP;
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const out = ordered(item, depth + 1);
          if (out !== item) copy ??= value.slice(0, i);
          if (copy !== undefined) copy.push(out);
        }
        return copy ?? value;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== OBJECT_PROTO && proto !== null) throw GIVE_UP;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      const n = keys.length;
      let inOrder = true;
      for (let i = 1; i < n; i++) {
        if (keys[i - 1]! > keys[i]!) {
          inOrder = false;
          break;
        }
      }
      let copy: Record<string, unknown> | undefined;
      if (!inOrder) {
        sortKeys(keys);
        copy = {};
      }
      for (let i = 0; i < n; i++) {
        const key = keys[i]!;
        const item = record[key];
        const out = ordered(item, depth + 1);
        if (out !== item && copy === undefined) {
          copy = {};
          for (let j = 0; j < i; j++) copy[keys[j]!] = record[keys[j]!];
        }
        if (copy !== undefined) {
          // A copy enumerates integer-like keys first and treats `__proto__` as the prototype.
          if (key === "__proto__" || (n > 1 && isIndexKey(key))) throw GIVE_UP;
          copy[key] = out;
        }
      }
      return copy ?? value;
    }
    default:
      throw GIVE_UP;
  }
}

/**
 * Canonical JSON text of plain data: keys sorted by code unit, `undefined` properties dropped,
 * `undefined` inside arrays printed as `null`. `indent` 0 gives the compact form that ids are
 * hashed over; the CLI prints with 2. Objects may have `Object.prototype` or no prototype.
 * Throws a CanonicalJsonError naming the path on anything else: functions, symbols, BigInts,
 * non-finite numbers, cycles, class instances (Date, Map, …), nesting deeper than
 * MAX_JSON_DEPTH. `root` names the value in those paths (default: none, `(the value)`).
 */
export function canonicalJson(value: unknown, indent = 0, root: readonly (string | number)[] = []): string {
  if (Number.isInteger(indent) && indent >= 0 && indent <= 10) {
    let prepared: unknown;
    try {
      prepared = ordered(value, 0);
    } catch (e) {
      if (e !== GIVE_UP) throw e;
      return carefulCanonicalJson(value, indent, root);
    }
    return JSON.stringify(prepared, null, indent) ?? "null";
  }
  return carefulCanonicalJson(value, indent, root);
}

/** The careful writer: the same text as canonicalJson, or the precise error. */
function carefulCanonicalJson(value: unknown, indent: number, root: readonly (string | number)[]): string {
  return new Writer(" ".repeat(indent), root).write(value, 0, false) ?? "null";
}

/** True for a CanonicalJsonError (also across module copies, by name). */
export function isCanonicalJsonError(e: unknown): e is CanonicalJsonError {
  return e instanceof CanonicalJsonError || (e instanceof Error && e.name === "CanonicalJsonError");
}
