// Sites (compiler/plan/trace-nodes.ts) → code. Every traced site becomes `t($, id, <value>)`, so
// the predicate reports each sub-expression's value as it computes it; the operations are
// those of compiler/eval/semantics.ts, which the reference interpreter implements. A named
// condition's body is emitted once per evaluation it is planned for: in place when it runs at
// most once, else as a function `cond_<journey>_<index>(c, $, m)` that keeps its value in the
// evaluation's memo array `m` (compiler/codegen/module.ts writes those functions).
import type * as A from "../syntax/ast.ts";
import { arithmeticKind, disjointEnums, literalValue, showKind, type ShowKind } from "../eval/semantics.ts";
import type { PlannedCondition, ReasonPart, Site } from "../plan/trace-nodes.ts";
import { SiteRanges } from "../checker/ranges.ts";
import { arrow, binary, bool, call, ident, member, nonNull, NULL, num, prefix, str, array, type Code } from "./code.ts";
import { mapped } from "../../core/arrays.ts";

const CTX = ident("c");
const TRACER = ident("$");
/** The prelude's tracing call, `t($, id, value)`: around every traced sub-expression. */
const TRACE = ident("t");
/** The memo array of one evaluation: slot `index` holds a shared condition's value once known. */
export const MEMO = "m";

/** The function that evaluates a shared named condition of a journey (validated identifier). */
export function conditionFunction(journeyId: string, planned: PlannedCondition): string {
  const name = `cond_${journeyId}_${planned.index}`;
  ident(name);
  return name;
}

/** Emits the expressions of one module; quantifier variables get module-unique names. */
export class ExprEmitter {
  private readonly vars = new Map<A.QuantifierExpr, string>();
  /** Value ranges of the sites, for the range checks of time arithmetic. */
  private readonly ranges = new SiteRanges();
  /** The journey whose sites are being emitted: names its condition functions. */
  journeyId = "";

  /** The value of a site, traced when it has an id. */
  emit(site: Site): Code {
    const value = this.value(site);
    return site.id === undefined ? value : call(TRACE, [TRACER, num(site.id), value]);
  }

  /** A `reason` sentence: its text parts and rendered interpolations, concatenated. */
  reason(parts: readonly ReasonPart[]): Code {
    const pieces = mapped(parts, (p) => (p.kind === "text" ? str(p.text) : show(showKind(p.site.type, p.site.expr), this.emit(p.site))));
    if (pieces.length === 0) return str("");
    // A leading string literal makes every `+` a string concatenation.
    const all = pieces[0]!.k === "atom" && pieces[0]!.text.startsWith('"') ? pieces : [str(""), ...pieces];
    return all.slice(1).reduce((acc, p) => binary("+", acc, p), all[0]!);
  }

  private variable(binder: A.QuantifierExpr): string {
    let name = this.vars.get(binder);
    if (name === undefined) {
      // `_<n>` keeps the name clear of reserved words and of the module's own names.
      name = `${binder.variable.name}_${this.vars.size}`;
      ident(name);
      this.vars.set(binder, name);
    }
    return name;
  }

  private kid(site: Site, i: number): Code {
    const k = site.children[i];
    if (!k) throw new Error(`bug: ${site.expr.kind} site without child ${i}`);
    return this.emit(k);
  }

  private value(site: Site): Code {
    const e = site.expr;
    switch (e.kind) {
      case "bool":
      case "int":
      case "decimal":
      case "string":
      case "date":
      case "datetime":
      case "duration": {
        const v = literalValue(e);
        return typeof v === "boolean" ? bool(v) : typeof v === "number" ? num(v) : str(v);
      }
      case "list":
        return array(mapped(site.children, (c) => this.emit(c)));
      case "path":
        return this.path(site, false);
      case "call":
        return this.call(e.callee.name, site);
      case "unary":
        return prefix(e.op === "not" ? "!" : "-", this.kid(site, 0));
      case "is_set": {
        const operand = site.children[0]!;
        // The operand is read without asserting it is set: that is what is being tested.
        const v =
          operand.expr.kind === "path" && operand.resolution?.kind !== "condition" ? this.traced(operand, this.path(operand, true)) : this.emit(operand);
        return binary(e.negated ? "==" : "!=", v, NULL);
      }
      case "quantifier": {
        this.ranges.bind(e, site.children[0]!);
        const list = this.kid(site, 0);
        const x = this.variable(e);
        const body = arrow([x], this.kid(site, 1));
        if (e.quantifier === "count") return call("countWhere", [list, body]);
        return call(member(list, e.quantifier === "any" ? "some" : "every"), [body]);
      }
      case "binary":
        return this.binary(e, site);
      case "error":
        throw new Error("bug: an error node reached codegen");
    }
  }

  private traced(site: Site, value: Code): Code {
    return site.id === undefined ? value : call(TRACE, [TRACER, num(site.id), value]);
  }

  private path(site: Site, presenceTest: boolean): Code {
    const r = site.resolution;
    switch (r?.kind) {
      case "field": {
        const read = dataMember(ownAsserted(dataMember(CTX, r.def.entity)), r.def.name);
        // The checker proved an optional field set wherever it is read; TypeScript cannot see
        // through the tracer calls, so the read carries `!` (nothing at run time). An `own`
        // read may be undefined to TypeScript, so it carries `!` too, unless it is tested.
        return (r.def.optional || isOwnRead(read)) && !presenceTest ? nonNull(read) : read;
      }
      case "event":
        return ownAsserted(dataMember(member(CTX, "event"), r.name));
      case "now":
        return member(CTX, "now");
      case "variable": {
        let v = ident(this.variable(r.binder));
        for (const m of r.members) v = ownAsserted(dataMember(v, m));
        return v;
      }
      case "condition": {
        const planned = site.condition;
        if (!planned) throw new Error("bug: a condition reference without a plan reached codegen");
        if (!planned.shared) return this.emit(planned.body);
        return call(conditionFunction(this.journeyId, planned), [CTX, TRACER, ident(MEMO)]);
      }
      default:
        throw new Error("bug: unresolved path reached codegen");
    }
  }

  private call(name: string, site: Site): Code {
    const arg = (i: number) => this.kid(site, i);
    const today = call("dayOf", [member(CTX, "now")]);
    const day = () => (site.children[0]!.type.kind === "datetime" ? call("dayOf", [arg(0)]) : arg(0));
    switch (name) {
      case "days_since":
        return binary("-", today, day());
      case "days_until":
        return binary("-", day(), today);
      case "hours_since":
        return call("hoursSince", [member(CTX, "now"), arg(0)]);
      case "count":
        return member(arg(0), "length");
      case "lower":
        return call(member(arg(0), "toLowerCase"), []);
      case "contains":
        return call(member(arg(0), "includes"), [arg(1)]);
      default:
        throw new Error(`bug: unknown function \`${name}\` reached codegen`);
    }
  }

  private binary(e: A.BinaryExpr, site: Site): Code {
    const l = this.kid(site, 0);
    const r = this.kid(site, 1);
    const lt = site.children[0]!.type;
    const rt = site.children[1]!.type;
    switch (e.op) {
      case "and":
        return binary("&&", l, r);
      case "or":
        return binary("||", l, r);
      case "in":
        return call("isIn", [l, r]);
      case "not in":
        return prefix("!", call("isIn", [l, r]));
      case "==":
        return disjointEnums(lt, rt) ? call("eq", [l, r]) : binary("===", l, r);
      case "!=":
        return disjointEnums(lt, rt) ? prefix("!", call("eq", [l, r])) : binary("!==", l, r);
      case "<":
      case "<=":
      case ">":
      case ">=":
        return binary(e.op, l, r);
      default:
        break;
    }
    switch (arithmeticKind(e.op, lt, rt)) {
      case "date_duration":
        return this.inRange(site, binary(e.op === "-" ? "-" : "+", l, call("wholeDays", [r])));
      case "duration_date":
        return this.inRange(site, binary("+", call("wholeDays", [l]), r));
      case "date_date":
        return binary("*", binary("-", l, r), ident("MS_PER_DAY"));
      case "number":
        if (e.op === "/") return call("div", [l, r, num(site.id ?? -1)]);
        return this.inRange(site, binary(e.op, l, r));
    }
  }

  /**
   * Time arithmetic the checker could not prove in range for all data (compiler/checker/
   * ranges.ts; rare: long chains of long durations) is checked when it runs: past what a
   * JavaScript Date represents it fails the predicate (`predicate/date-out-of-range`), and the
   * runtime fails closed, instead of an `Invalid time value` later.
   */
  private inRange(site: Site, value: Code): Code {
    const kind = this.ranges.unchecked(site);
    if (kind === undefined) return value;
    return call(kind === "date" ? "dateIn" : "instantIn", [value, num(site.id ?? -1)]);
  }
}

/**
 * Names every plain object inherits (`constructor`, `toString`, `__proto__`, …). A context
 * record is plain data, so reading an absent field of such a name with `.` would find the
 * inherited value (`constructor` is a function, so `is set` would be true): those names are
 * read with `own(record, "name")`, which sees own properties only.
 */
const INHERITED: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), "__proto__"]);

/** `target.name`, or `own(target, "name")` for a name plain objects inherit. */
function dataMember(target: Code, name: string): Code {
  return INHERITED.has(name) ? call("own", [target, str(name)]) : member(target, name);
}

function isOwnRead(c: Code): boolean {
  return c.k === "call" && c.fn.k === "atom" && c.fn.text === "own";
}

/** An `own` read asserted set for TypeScript (the value is what the catalog type says). */
function ownAsserted(c: Code): Code {
  return isOwnRead(c) ? nonNull(c) : c;
}

/** Renders a value for a `reason`, as semantics.showValue does. */
function show(kind: ShowKind, v: Code): Code {
  if (typeof kind === "object") return call("fmtList", [v, arrow(["x"], show(kind.list, ident("x")))]);
  switch (kind) {
    case "date":
      return call("fmtDate", [v]);
    case "datetime":
      return call("fmtDateTime", [v]);
    case "duration":
      return call("fmtDuration", [v]);
    case "decimal":
      return call("fmtDecimal", [v]);
    case "text":
      return call("String", [v]);
  }
}
