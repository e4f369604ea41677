// The run-time meaning of expressions, in one place: which variant of an operator applies to
// which operand types, and the helper functions (calendar days, rendering values in a
// `reason`). The reference interpreter calls these; codegen emits the same operations into the
// predicates module (compiler/codegen/prelude.ts mirrors the helpers line for line), and the
// property tests hold the two equal on generated contexts.
//
// Values at run time: bool, number (int, decimal), string (string, enum), date = whole UTC days
// since 1970-01-01, datetime = epoch milliseconds, duration = milliseconds, list = array,
// record = plain object, absent optional field = null or undefined.
//
// - `and`/`or` short-circuit: the right side is not evaluated (nor traced) when the left side
//   decides. `not` negates.
// - `== !=` compare with `===` (strings, enums, bools, numbers, dates, datetimes, durations);
//   `< <= > >=` compare numbers and epoch values. The checker rejects other combinations
//   (a date never meets a datetime).
// - `in` / `not in`: list membership with `Array.prototype.includes`.
// - `+ - * /` on numbers are IEEE double operations; `/` is real division (`7 / 2` is 3.5);
//   division by zero throws a `PredicateError`, which the runtime turns into a fail-closed
//   `error` outcome. `datetime ± duration` adds milliseconds; `date ± duration` moves by the
//   duration's whole days (truncated toward zero: `+ 36h` is one day); `datetime - datetime`
//   and `duration ± duration` give a duration; `date - date` gives a duration of whole days.
//   Unary `-` negates a number or a duration.
// - `days_since(d)` = now's UTC day - d's UTC day; `days_until(d)` = d's UTC day - now's UTC
//   day (d a date or a datetime); `hours_since(t)` = floor((now - t) / 1h); `count(list)` is its
//   length; `lower(s)` is `toLowerCase()` (locale-independent); `contains(s, part)` is
//   `s.includes(part)`.
// - `any`/`all x in list: body` short-circuit like `Array.prototype.some`/`every` (an empty
//   list gives false/true); `count x in list: body` evaluates the body for every element.
// - `x is set` is true when x is neither null nor undefined.
// - A named condition is evaluated at most once per evaluation of `when` (and of `reason`):
//   the first reference that runs evaluates (and traces) its body, every later one reuses the
//   value. A condition reads no quantifier variable and no event field, so its value is the
//   same wherever it is used; this keeps a condition built from conditions (`c2 = c1 and c1`,
//   `c1 = c0 and c0`, …) linear to evaluate.
// - Evaluation order is left to right; a node's value is traced after its sub-expressions'.
import type * as A from "../syntax/ast.ts";
import type { Type } from "../checker/checked.ts";
import { formatDate, formatDateTime, formatDecimal, formatDuration, MS_PER_DAY } from "../../core/literals.ts";
import { PredicateError } from "../../core/predicate-error.ts";

export { isPredicateError, PredicateError } from "../../core/predicate-error.ts";

export const MS_PER_HOUR = 3_600_000;

/** Which arithmetic applies to `left op right`. */
export type ArithmeticKind =
  /** Plain number operation (numbers, and every millisecond quantity). */
  | "number"
  /** `date ± duration`: the date moves by the duration's whole days. */
  | "date_duration"
  /** `duration + date`. */
  | "duration_date"
  /** `date - date`: a duration of whole days. */
  | "date_date";

export function arithmeticKind(op: A.ArithmeticOp, left: Type, right: Type): ArithmeticKind {
  if (left.kind === "date" && right.kind === "duration") return "date_duration";
  if (left.kind === "duration" && right.kind === "date" && op === "+") return "duration_date";
  if (left.kind === "date" && right.kind === "date" && op === "-") return "date_date";
  return "number";
}

/** `==` between two enums that share no value: always false, and generated TS must not compare them directly. */
export function disjointEnums(a: Type, b: Type): boolean {
  return a.kind === "enum" && b.kind === "enum" && !a.values.some((v) => b.values.includes(v));
}

/** A literal's value at run time: dates as epoch days, datetimes and durations in ms. */
export function literalValue(e: A.LiteralExpr): boolean | number | string {
  switch (e.kind) {
    case "date":
      return e.day;
    case "datetime":
    case "duration":
      return e.ms;
    default:
      return e.value;
  }
}

/** The UTC day of an epoch-ms instant. */
export function dayOf(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/** A duration's whole days, truncated toward zero. */
export function wholeDays(ms: number): number {
  return Math.trunc(ms / MS_PER_DAY);
}

export function hoursSince(now: number, at: number): number {
  return Math.floor((now - at) / MS_PER_HOUR);
}

export function divide(a: number, b: number, node: number): number {
  if (b === 0) throw new PredicateError("predicate/division-by-zero", "division by zero", node);
  return a / b;
}

/** How a value of a type is written into a `reason` sentence. */
export type ShowKind = "text" | "decimal" | "date" | "datetime" | "duration" | { readonly list: ShowKind };

/**
 * The rendering of a value of type `t` read by `expr`. A decimal *field* (a catalog value, such
 * as an amount) reads with two fraction digits at least; a computed decimal (a ratio) as computed.
 */
export function showKind(t: Type, expr?: { readonly kind: string }): ShowKind {
  switch (t.kind) {
    case "decimal":
      return expr?.kind === "path" ? "decimal" : "text";
    case "date":
    case "datetime":
    case "duration":
      return t.kind;
    case "list":
      return { list: showKind(t.of, expr) };
    default:
      return "text";
  }
}

/**
 * Renders a value for a `reason`: decimal fields with at least two fraction digits (`49.90`), dates
 * `2026-05-30`, datetimes ISO UTC, durations `90d`, lists `a, b`.
 */
export function showValue(kind: ShowKind, v: unknown): string {
  if (typeof kind === "object") return (v as readonly unknown[]).map((x) => showValue(kind.list, x)).join(", ");
  switch (kind) {
    case "date":
      return formatDate(v as number);
    case "datetime":
      return formatDateTime(v as number);
    case "duration":
      return formatDuration(v as number);
    case "decimal":
      return formatDecimal(v as number);
    case "text":
      return String(v);
  }
}

/** `==`, `!=`, `<`, `<=`, `>`, `>=` on run-time values (numbers, epoch values, strings, booleans). */
export function compare(op: A.ComparisonOp, l: unknown, r: unknown): boolean {
  switch (op) {
    case "==":
      return l === r;
    case "!=":
      return l !== r;
    case "<":
      return (l as number) < (r as number);
    case "<=":
      return (l as number) <= (r as number);
    case ">":
      return (l as number) > (r as number);
    case ">=":
      return (l as number) >= (r as number);
  }
}
