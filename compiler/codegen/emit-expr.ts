// Sites (compiler/trace-nodes.ts) → code. Every traced site becomes `t($, id, <value>)`, so
// the predicate reports each sub-expression's value as it computes it; the operations are
// those of compiler/semantics.ts, which the reference interpreter implements.
import type * as A from "../ast.ts";
import { arithmeticKind, disjointEnums, literalValue, showKind, type ShowKind } from "../semantics.ts";
import type { ReasonPart, Site } from "../trace-nodes.ts";
import { arrow, binary, bool, call, ident, member, nonNull, NULL, num, prefix, str, array, type Code } from "./writer.ts";

const CTX = ident("c");
const TRACER = ident("$");

/** Emits the expressions of one module; quantifier variables get module-unique names. */
export class ExprEmitter {
  private readonly vars = new Map<A.QuantifierExpr, string>();

  /** The value of a site, traced when it has an id. */
  emit(site: Site): Code {
    const value = this.value(site);
    return site.id === undefined ? value : call("t", [TRACER, num(site.id), value]);
  }

  /** A `reason` sentence: its text parts and rendered interpolations, concatenated. */
  reason(parts: readonly ReasonPart[]): Code {
    const pieces = parts.map((p) => (p.kind === "text" ? str(p.text) : show(showKind(p.site.type), this.emit(p.site))));
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
        return array(site.children.map((c) => this.emit(c)));
      case "path":
        return this.path(site, false);
      case "call":
        return this.call(e.callee.name, site);
      case "unary":
        return prefix(e.op === "not" ? "!" : "-", this.kid(site, 0));
      case "is_set": {
        const operand = site.children[0]!;
        // The operand is read without asserting it is set: that is what is being tested.
        const v = operand.expr.kind === "path" && operand.resolution?.kind !== "condition" ? this.traced(operand, this.path(operand, true)) : this.emit(operand);
        return binary(e.negated ? "==" : "!=", v, NULL);
      }
      case "quantifier": {
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
    return site.id === undefined ? value : call("t", [TRACER, num(site.id), value]);
  }

  private path(site: Site, presenceTest: boolean): Code {
    const r = site.resolution;
    switch (r?.kind) {
      case "field": {
        const read = member(member(CTX, r.def.entity), r.def.name);
        // The checker proved an optional field set wherever it is read; TypeScript cannot see
        // through the tracer calls, so the read carries `!` (nothing at run time).
        return r.def.optional && !presenceTest ? nonNull(read) : read;
      }
      case "event":
        return member(member(CTX, "event"), r.name);
      case "now":
        return member(CTX, "now");
      case "variable": {
        let v = ident(this.variable(r.binder));
        for (const m of r.members) v = member(v, m);
        return v;
      }
      case "condition":
        return this.kid(site, 0);
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
        return binary(e.op === "-" ? "-" : "+", l, call("wholeDays", [r]));
      case "duration_date":
        return binary("+", call("wholeDays", [l]), r);
      case "date_date":
        return binary("*", binary("-", l, r), ident("MS_PER_DAY"));
      case "number":
        if (e.op === "/") return call("div", [l, r, num(site.id ?? -1)]);
        return binary(e.op, l, r);
    }
  }
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
    case "text":
      return call("String", [v]);
  }
}
