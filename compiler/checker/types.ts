// Language types: conversion from catalog field types, compatibility and arithmetic rules.
import type { FieldType } from "../../core/catalog/types.ts";
import type { Type } from "./checked.ts";
import { kept } from "../../core/arrays.ts";

export const T = {
  bool: { kind: "bool" } as Type,
  int: { kind: "int" } as Type,
  decimal: { kind: "decimal" } as Type,
  string: { kind: "string" } as Type,
  date: { kind: "date" } as Type,
  datetime: { kind: "datetime" } as Type,
  duration: { kind: "duration" } as Type,
  unknown: { kind: "unknown" } as Type,
} as const;

// Keyed by the catalog's own (immutable) field types, so an entry lives as long as its catalog
// and can never describe another one.
const converted = new WeakMap<FieldType, Type>();

/**
 * The language type of a catalog field type. Types are immutable values, so each field type is
 * converted once: every read of a field asks for its type.
 */
export function fromFieldType(ft: FieldType): Type {
  let t = converted.get(ft);
  if (t === undefined) {
    t = convert(ft);
    converted.set(ft, t);
  }
  return t;
}

function convert(ft: FieldType): Type {
  switch (ft.kind) {
    case "scalar":
      return T[ft.name];
    case "enum":
      return { kind: "enum", values: ft.values };
    case "list":
      if (ft.of.kind === "record") {
        const members = new Map<string, Type>();
        for (const [k, v] of ft.of.members) members.set(k, fromFieldType(v));
        return { kind: "list", of: { kind: "record", members } };
      }
      return { kind: "list", of: fromFieldType(ft.of.type) };
  }
}

export const isNumeric = (t: Type) => t.kind === "int" || t.kind === "decimal";
export const isUnknown = (t: Type) => t.kind === "unknown";
export const isStringy = (t: Type) => t.kind === "string" || t.kind === "enum";

/** Can values of these types be compared with `==` / `!=`? */
export function equatable(a: Type, b: Type): boolean {
  if (isUnknown(a) || isUnknown(b)) return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (isStringy(a) && isStringy(b)) return true;
  return a.kind === b.kind && (a.kind === "bool" || a.kind === "date" || a.kind === "datetime" || a.kind === "duration");
}

/** Can values of these types be ordered with `<`, `<=`, `>`, `>=`? */
export function orderable(a: Type, b: Type): boolean {
  if (isUnknown(a) || isUnknown(b)) return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  return a.kind === b.kind && (a.kind === "date" || a.kind === "datetime" || a.kind === "duration");
}

/** The result type of an arithmetic operation, or undefined when not allowed. */
export function arithmetic(op: "+" | "-" | "*" | "/", a: Type, b: Type): Type | undefined {
  if (isUnknown(a) || isUnknown(b)) return T.unknown;
  if (isNumeric(a) && isNumeric(b)) {
    if (op === "/") return T.decimal;
    return a.kind === "int" && b.kind === "int" ? T.int : T.decimal;
  }
  if (op === "+") {
    if ((a.kind === "datetime" && b.kind === "duration") || (a.kind === "duration" && b.kind === "datetime")) return T.datetime;
    if ((a.kind === "date" && b.kind === "duration") || (a.kind === "duration" && b.kind === "date")) return T.date;
    if (a.kind === "duration" && b.kind === "duration") return T.duration;
  }
  if (op === "-") {
    if (a.kind === "datetime" && b.kind === "duration") return T.datetime;
    if (a.kind === "date" && b.kind === "duration") return T.date;
    if (a.kind === "datetime" && b.kind === "datetime") return T.duration;
    if (a.kind === "date" && b.kind === "date") return T.duration;
    if (a.kind === "duration" && b.kind === "duration") return T.duration;
  }
  return undefined;
}

/** The common element type of a list literal's items (first known one wins). */
export function unify(types: readonly Type[]): Type {
  const known = kept(types, (t) => !isUnknown(t));
  if (known.length === 0) return T.unknown;
  if (known.every(isNumeric)) return known.some((t) => t.kind === "decimal") ? T.decimal : T.int;
  return known[0]!;
}

/** Built-in functions: parameter kinds and result. */
export interface FunctionSig {
  readonly params: readonly (readonly Type["kind"][])[];
  readonly result: Type;
  readonly doc: string;
}

/**
 * The functions by name, in a null-prototype object: a lookup by the name a user wrote
 * (`toString`, `constructor`) finds nothing rather than one of Object's methods.
 */
export const FUNCTIONS: Readonly<Record<string, FunctionSig>> = Object.assign(Object.create(null) as Record<string, FunctionSig>, {
  days_since: { params: [["date", "datetime"]], result: T.int, doc: "whole UTC calendar days from the date to `now`'s date" },
  days_until: { params: [["date", "datetime"]], result: T.int, doc: "whole UTC calendar days from `now`'s date to the date" },
  hours_since: { params: [["datetime"]], result: T.int, doc: "whole hours elapsed from the datetime to `now`" },
  count: { params: [["list"]], result: T.int, doc: "the number of elements of a list" },
  lower: { params: [["string", "enum"]], result: T.string, doc: "the string in lower case" },
  contains: {
    params: [
      ["string", "enum"],
      ["string", "enum"],
    ],
    result: T.bool,
    doc: "whether the first string contains the second",
  },
} satisfies Record<string, FunctionSig>);
