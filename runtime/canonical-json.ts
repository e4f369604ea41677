// Canonical JSON: object keys in code-unit order at every depth, so the same value prints the
// same bytes in every process. Decisions, decision ids and log entries are built on it.
// (A serializer of its own: JS objects put integer-like keys first whatever the insertion order.)

/** A JSON value as the runtime prints it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function write(value: unknown, indent: string, depth: number, inArray: boolean): string | undefined {
  if (value === undefined) return inArray ? "null" : undefined;
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      // Non-finite numbers become null (as JSON.stringify does); -0 prints as 0.
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "object": {
      const pad = indent === "" ? "" : "\n" + indent.repeat(depth + 1);
      const end = indent === "" ? "" : "\n" + indent.repeat(depth);
      const sep = indent === "" ? ":" : ": ";
      if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        const items = value.map((v) => pad + write(v, indent, depth + 1, true));
        return `[${items.join(",")}${end}]`;
      }
      if (!isPlainObject(value)) {
        throw new TypeError(`canonical JSON: not plain data (${(value as object).constructor?.name ?? "object"})`);
      }
      const members: string[] = [];
      for (const key of Object.keys(value).sort(compareKeys)) {
        const text = write((value as Record<string, unknown>)[key], indent, depth + 1, false);
        if (text !== undefined) members.push(pad + JSON.stringify(key) + sep + text);
      }
      return members.length === 0 ? "{}" : `{${members.join(",")}${end}}`;
    }
    default:
      throw new TypeError(`canonical JSON: cannot encode a ${typeof value}`);
  }
}

/**
 * Canonical JSON text of plain data: keys sorted by code unit, `undefined` properties dropped,
 * `undefined` and non-finite numbers inside arrays printed as `null`. `indent` 0 gives the
 * compact form that ids are hashed over; the CLI prints with 2. Throws on anything that is not
 * plain data (a bug in the caller, never a user mistake).
 */
export function canonicalJson(value: unknown, indent = 0): string {
  return write(value, " ".repeat(indent), 0, false) ?? "null";
}

