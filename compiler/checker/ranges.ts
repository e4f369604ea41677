// Value ranges of numeric and time expressions: an interval every value of an expression lies
// in, from the ranges literals, fields and `now` can take (core/literals.ts) through the
// arithmetic. The checker rejects an expression whose whole interval is out of range — a date
// JavaScript cannot represent, an integer past 2^53 − 1, a number that is `Infinity` — so no
// accepted policy fails later with `Invalid time value`; codegen guards the rare time
// arithmetic that is in range only for some data (`predicate/date-out-of-range` at run time).
import type * as A from "../syntax/ast.ts";
import type { Type } from "./checked.ts";
import type { Site } from "../plan/trace-nodes.ts";
import { JS_DATE_LIMIT_DAYS, JS_DATE_LIMIT_MS, MAX_DATETIME_MS, MAX_DAY, MAX_DURATION_MS, MIN_DATETIME_MS, MIN_DAY, MS_PER_DAY } from "../../core/literals.ts";
import { arithmeticKind } from "../eval/semantics.ts";
import { mapped } from "../../core/arrays.ts";

/** Every value of an expression is in `[lo, hi]`; in days for dates, ms for datetimes and durations. */
export interface ValueRange {
  readonly lo: number;
  readonly hi: number;
}

const ANY: ValueRange = { lo: -Infinity, hi: Infinity };
const NATURAL: ValueRange = { lo: 0, hi: Infinity };

function range(lo: number, hi: number): ValueRange {
  // NaN (`Infinity - Infinity`, `0 * Infinity`) means the bounds say nothing.
  return Number.isNaN(lo) || Number.isNaN(hi) ? ANY : { lo, hi };
}

/** The range of a value read from data (a field, an event field, a list element, `now`) of type `t`. */
export function dataRange(t: Type): ValueRange | undefined {
  switch (t.kind) {
    case "date":
      return { lo: MIN_DAY, hi: MAX_DAY };
    case "datetime":
      return { lo: MIN_DATETIME_MS, hi: MAX_DATETIME_MS };
    case "duration":
      // The runtime reads durations as literals or ISO 8601 durations, never negative or longer than this.
      return { lo: 0, hi: MAX_DURATION_MS };
    case "int":
    case "decimal":
      return ANY;
    case "list":
      // A list's range is that of its elements.
      return dataRange(t.of);
    default:
      return undefined;
  }
}

/** The smallest range holding all of `rs` (undefined if any is unknown or there are none). */
function hull(rs: readonly (ValueRange | undefined)[]): ValueRange | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rs) {
    if (!r) return undefined;
    lo = Math.min(lo, r.lo);
    hi = Math.max(hi, r.hi);
  }
  return rs.length === 0 ? undefined : { lo, hi };
}

/**
 * The range of `e` (of type `type`) from the ranges of its operands: `kids` and `kidTypes` in
 * evaluation order — binary [left, right], unary and paren [operand], call [args], list
 * [items], quantifier [list, body]; for a quantifier variable, [the range of its list]. For a
 * list, the range of its elements. Undefined for values that are not numbers or times.
 */
export function rangeOf(e: A.Expr, type: Type, kids: readonly (ValueRange | undefined)[], kidTypes: readonly Type[]): ValueRange | undefined {
  switch (e.kind) {
    case "int":
    case "decimal":
      return { lo: e.value, hi: e.value };
    case "date":
      return { lo: e.day, hi: e.day };
    case "datetime":
    case "duration":
      return { lo: e.ms, hi: e.ms };
    case "paren":
      return kids[0];
    case "list":
      return hull(kids);
    case "path":
      // A quantifier variable's caller passes the range of the list it ranges over.
      return kids[0] ?? dataRange(type);
    case "call":
      return e.callee.name === "count" ? NATURAL : dataRange(type);
    case "quantifier":
      return e.quantifier === "count" ? NATURAL : undefined;
    case "unary": {
      const r = kids[0];
      return e.op === "neg" && r ? range(-r.hi, -r.lo) : undefined;
    }
    case "binary":
      return arithmeticRange(e, kids, kidTypes);
    default:
      return undefined;
  }
}

function arithmeticRange(e: A.BinaryExpr, kids: readonly (ValueRange | undefined)[], kidTypes: readonly Type[]): ValueRange | undefined {
  if (e.op !== "+" && e.op !== "-" && e.op !== "*" && e.op !== "/") return undefined;
  const l = kids[0];
  const r = kids[1];
  const lt = kidTypes[0];
  const rt = kidTypes[1];
  if (!l || !r || !lt || !rt) return ANY;
  switch (arithmeticKind(e.op, lt, rt)) {
    case "date_duration":
      return e.op === "+" ? add(l, days(r)) : sub(l, days(r));
    case "duration_date":
      return add(days(l), r);
    case "date_date":
      return mul(sub(l, r), { lo: MS_PER_DAY, hi: MS_PER_DAY });
    case "number":
      return e.op === "+" ? add(l, r) : e.op === "-" ? sub(l, r) : e.op === "*" ? mul(l, r) : div(l, r);
  }
}

/** Whether every, some or no value of a range is representable for its type. */
export type Fit = "in" | "partly" | "out";

/**
 * Does a value of type `t` in range `r` stay representable? Dates and datetimes must stay
 * within JavaScript `Date`; an integer must be a safe integer; a number must be finite.
 */
export function fit(t: Type, r: ValueRange): Fit {
  switch (t.kind) {
    case "date":
      return within(r, JS_DATE_LIMIT_DAYS);
    case "datetime":
      return within(r, JS_DATE_LIMIT_MS);
    case "int":
      return within(r, Number.MAX_SAFE_INTEGER);
    case "decimal":
      return within(r, Number.MAX_VALUE);
    default:
      return "in";
  }
}

function within(r: ValueRange, limit: number): Fit {
  if (r.lo > limit || r.hi < -limit) return "out";
  return r.lo >= -limit && r.hi <= limit ? "in" : "partly";
}

/** A duration's whole days, truncated toward zero, as `date ± duration` moves a date. */
function days(r: ValueRange): ValueRange {
  return range(Math.trunc(r.lo / MS_PER_DAY), Math.trunc(r.hi / MS_PER_DAY));
}

function add(a: ValueRange, b: ValueRange): ValueRange {
  return range(a.lo + b.lo, a.hi + b.hi);
}

function sub(a: ValueRange, b: ValueRange): ValueRange {
  return range(a.lo - b.hi, a.hi - b.lo);
}

function mul(a: ValueRange, b: ValueRange): ValueRange {
  const c = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
  if (c.some(Number.isNaN)) return ANY;
  return { lo: Math.min(...c), hi: Math.max(...c) };
}

function div(a: ValueRange, b: ValueRange): ValueRange {
  // Dividing by zero fails at run time (or is a compile error); a divisor range holding zero says nothing.
  if (b.lo <= 0 && b.hi >= 0) return ANY;
  const c = [a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi];
  if (c.some(Number.isNaN)) return ANY;
  return { lo: Math.min(...c), hi: Math.max(...c) };
}

/**
 * Value ranges of the sites of trace plans (compiler/plan/trace-nodes.ts), memoized (sites may be
 * shared), for the evaluators: codegen emits a range check, and the interpreter makes it,
 * exactly where `unchecked` says the checker could not prove the result in range.
 */
export class SiteRanges {
  private readonly ranges = new Map<Site, ValueRange | undefined>();
  private readonly lists = new Map<A.QuantifierExpr, Site>();

  /** Records the list a quantifier ranges over (before its body is evaluated or emitted). */
  bind(quantifier: A.QuantifierExpr, list: Site): void {
    this.lists.set(quantifier, list);
  }

  /** The kind of time value a site computes that must be checked when it runs, if any. */
  unchecked(site: Site): "date" | "datetime" | undefined {
    const t = site.type;
    if ((t.kind !== "date" && t.kind !== "datetime") || site.expr.kind !== "binary") return undefined;
    const r = this.of(site);
    return r && fit(t, r) === "in" ? undefined : t.kind;
  }

  of(site: Site): ValueRange | undefined {
    if (this.ranges.has(site)) return this.ranges.get(site);
    const e = site.expr;
    const r = site.resolution;
    let kids: readonly Site[] = site.children;
    if (e.kind === "path") {
      const list = r?.kind === "variable" && r.members.length === 0 ? this.lists.get(r.binder) : undefined;
      kids = list ? [list] : [];
    }
    const value = rangeOf(
      e,
      site.type,
      mapped(kids, (k) => this.of(k)),
      mapped(kids, (k) => k.type),
    );
    this.ranges.set(site, value);
    return value;
  }
}
