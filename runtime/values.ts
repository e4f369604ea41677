// Conversion of one JSON value to the runtime representation of its catalog type (dates →
// epoch days, datetimes → epoch ms, durations → ms, enums checked, lists of records recursively).
// A mismatch is returned, never thrown, so callers can name the field and fail closed.
import type { FieldType, ListElement } from "../core/catalog/types.ts";
import type { ContextValue } from "../core/artifact.ts";
import { parseDateLiteral, parseDateTimeLiteral, parseDurationLiteral, parseIsoDuration } from "../core/literals.ts";
import { dict, own } from "./own.ts";

/** Why a value does not fit its type, and where inside it (`[2].channel` for lists). */
export interface ValueMismatch {
  /** Suffix of the field path: `""` for the value itself, `[1].at` inside a list. */
  readonly at: string;
  readonly expected: string;
  readonly got: string;
  /** True when a required member of a list element is absent. */
  readonly missing?: boolean;
}

export type Converted = { readonly ok: true; readonly value: ContextValue } | { readonly ok: false; readonly mismatch: ValueMismatch };

const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/;

/** The type as people read it: `int`, `date (YYYY-MM-DD)`, `one of "a", "b"`. */
export function expectedText(type: FieldType): string {
  switch (type.kind) {
    case "enum":
      return `one of ${type.values.map((v) => `"${v}"`).join(", ")}`;
    case "list":
      return type.of.kind === "record" ? `a list of records {${[...type.of.members.keys()].join(", ")}}` : `a list of ${expectedText(type.of.type)}`;
    case "scalar":
      switch (type.name) {
        case "date":
          return "a date (YYYY-MM-DD)";
        case "datetime":
          return "an ISO 8601 datetime with an offset";
        case "duration":
          return "a duration (`30d` or ISO 8601 `P30D`)";
        case "int":
          return "an integer";
        case "decimal":
          return "a number";
        case "bool":
          return "`true` or `false`";
        case "string":
          return "a string";
      }
  }
}

/** A short, log-safe description of a value's shape (never the value itself: it may be PII). */
export function shapeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a non-integer number";
  if (typeof value === "string") return "a string";
  if (typeof value === "boolean") return "a boolean";
  return typeof value === "object" ? "an object" : typeof value;
}

function fail(type: FieldType, value: unknown, at = ""): Converted {
  return { ok: false, mismatch: { at, expected: expectedText(type), got: shapeOf(value) } };
}

function scalar(name: Extract<FieldType, { kind: "scalar" }>["name"], value: unknown): ContextValue | undefined {
  switch (name) {
    case "bool":
      return typeof value === "boolean" ? value : undefined;
    case "int":
      return typeof value === "number" && Number.isSafeInteger(value) ? value : undefined;
    case "decimal":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      // Money often travels as text to keep its digits; plain decimal notation only.
      return typeof value === "string" && DECIMAL_TEXT.test(value) ? Number(value) : undefined;
    case "string":
      return typeof value === "string" ? value : undefined;
    case "date":
      return typeof value === "string" ? parseDateLiteral(value) : undefined;
    case "datetime":
      return typeof value === "string" ? parseDateTimeLiteral(value) : undefined;
    case "duration":
      return typeof value === "string" ? (parseDurationLiteral(value) ?? parseIsoDuration(value)) : undefined;
  }
}

function element(of: ListElement, value: unknown, at: string): Converted {
  if (of.kind === "type") {
    const r = convertValue(of.type, value);
    return r.ok ? r : { ok: false, mismatch: { ...r.mismatch, at: at + r.mismatch.at } };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, mismatch: { at, expected: `a record {${[...of.members.keys()].join(", ")}}`, got: shapeOf(value) } };
  }
  // Members in catalog order; members the catalog does not declare are dropped. Own members
  // only, into a record without a prototype: a member named `constructor` is absent when absent.
  const out = dict<ContextValue>();
  for (const [name, type] of of.members) {
    const member = own(value, name);
    if (member === undefined || member === null) {
      return { ok: false, mismatch: { at: `${at}.${name}`, expected: expectedText(type), got: "nothing", missing: true } };
    }
    const r = convertValue(type, member);
    if (!r.ok) return { ok: false, mismatch: { ...r.mismatch, at: `${at}.${name}${r.mismatch.at}` } };
    out[name] = r.value;
  }
  return { ok: true, value: out };
}

/** Converts a present (non-null) value to the runtime representation of `type`. */
export function convertValue(type: FieldType, value: unknown): Converted {
  switch (type.kind) {
    case "enum":
      if (typeof value === "string" && type.values.includes(value)) return { ok: true, value };
      return typeof value === "string"
        ? { ok: false, mismatch: { at: "", expected: expectedText(type), got: "a string outside these values" } }
        : fail(type, value);
    case "list": {
      if (!Array.isArray(value)) return fail(type, value);
      const out: ContextValue[] = [];
      for (let i = 0; i < value.length; i++) {
        const r = element(type.of, value[i], `[${i}]`);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
    case "scalar": {
      const v = scalar(type.name, value);
      return v === undefined ? fail(type, value) : { ok: true, value: v };
    }
  }
}
