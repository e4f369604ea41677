// Expression checking: name resolution, types, enum values, flow-sensitive narrowing of
// optional fields, and the reads each expression makes (for binding, purpose limitation and
// the minimal context bundle).
import type * as A from "../syntax/ast.ts";
import { pathText } from "../syntax/ast.ts";
import type { Catalog, FieldDef } from "../../core/catalog/types.ts";
import type { Resolution, Type } from "./checked.ts";
import { typeName } from "./checked.ts";
import { didYouMean, type Diagnostic } from "../../core/diagnostics.ts";
import type { Span } from "../../core/source.ts";
import { printExprBounded } from "../syntax/print-expr.ts";
import { fit, rangeOf, type ValueRange } from "./ranges.ts";
import { arithmetic, equatable, FUNCTIONS, fromFieldType, isNumeric, isUnknown, orderable, T, unify } from "./types.ts";
import { mapped } from "../../core/arrays.ts";

/** Names in scope inside an expression: quantifier variables, and fields proven set. */
export interface Env {
  readonly vars: ReadonlyMap<string, { readonly binder: A.QuantifierExpr; readonly type: Type }>;
  readonly proven: ReadonlySet<string>;
}

export const emptyEnv: Env = { vars: new Map(), proven: new Set() };

/** Where an expression sits: a journey (with its trigger) or a standalone named condition. */
export type Site =
  | { readonly kind: "journey"; readonly id: string; readonly eventName?: string; readonly eventFields?: ReadonlyMap<string, Type> }
  | { readonly kind: "condition"; readonly name: string };

/** A field read, with where it was read. */
export interface FieldRead {
  readonly def: FieldDef;
  readonly span: Span;
}

/** Shared state of one check run: the catalog, conditions, and the tables the checker fills. */
export interface CheckContext {
  readonly catalog: Catalog;
  readonly conditions: ReadonlyMap<string, A.ConditionDecl>;
  readonly types: Map<A.Expr, Type>;
  readonly resolutions: Map<A.PathExpr, Resolution>;
  readonly diagnostics: Diagnostic[];
  /**
   * The first read of each catalog field by any journey (by path), with the journey: the
   * program-wide governance warnings (compiler/checker/governance.ts) point at it.
   */
  readonly firstReads?: Map<string, { readonly def: FieldDef; readonly span: Span; readonly journey: string }>;
}

/** Checks expressions of one site; collects its field reads, event reads and condition uses. */
export class ExprChecker {
  readonly reads: FieldRead[] = [];
  readonly eventReads = new Set<string>();
  readonly conditionRefs: { readonly decl: A.ConditionDecl; readonly span: Span }[] = [];
  private readonly ctx: CheckContext;
  private readonly site: Site;
  private inIsSet = false;
  /** Value ranges of the numbers and times checked so far (compiler/checker/ranges.ts). */
  private readonly ranges = new Map<A.Expr, ValueRange>();
  /** Facts of `and`/`or` nodes already computed, by truth: each chain link is folded once. */
  private readonly factsWhenTrue = new Map<A.Expr, ReadonlySet<string>>();
  private readonly factsWhenFalse = new Map<A.Expr, ReadonlySet<string>>();

  constructor(ctx: CheckContext, site: Site) {
    this.ctx = ctx;
    this.site = site;
  }

  private error(code: string, message: string, span: Span, hint?: string, severity: "error" | "warning" = "error"): void {
    const d: Diagnostic = { code, severity, message, span };
    this.ctx.diagnostics.push(hint === undefined ? d : { ...d, hint });
  }

  /** Type-checks `e` and records its type; expects a boolean when `expectBool` says why. */
  check(e: A.Expr, env: Env): Type {
    const t = this.infer(e, env);
    this.ctx.types.set(e, t);
    this.checkRange(e, t);
    return t;
  }

  /**
   * Computes the value range of `e` from its operands' (checked just before it) and reports a
   * number, date or datetime that is out of range whatever the data (compiler/checker/ranges.ts).
   * Only the innermost such expression is reported: its range is forgotten, so it tells its
   * users nothing.
   */
  private checkRange(e: A.Expr, t: Type): void {
    // Only numbers and times (and lists of them, for quantifier variables) have ranges.
    if (!RANGED.has(t.kind === "list" ? t.of.kind : t.kind)) return;
    const kids: A.Expr[] = [];
    let variableList: A.Expr | undefined;
    switch (e.kind) {
      case "paren":
        kids.push(e.inner);
        break;
      case "list":
        for (const i of e.items) kids.push(i); // not `push(...items)`: a list may be longer than the stack
        break;
      case "call":
        for (const a of e.args) kids.push(a);
        break;
      case "unary":
        kids.push(e.operand);
        break;
      case "binary":
        kids.push(e.left, e.right);
        break;
      case "quantifier":
        kids.push(e.list, e.body);
        break;
      case "path": {
        const r = this.ctx.resolutions.get(e);
        if (r?.kind === "variable" && r.members.length === 0) variableList = r.binder.list;
        break;
      }
      default:
        break;
    }
    const kidRanges = variableList ? [this.ranges.get(variableList)] : mapped(kids, (k) => this.ranges.get(k));
    const r = rangeOf(
      e,
      t,
      kidRanges,
      mapped(kids, (k) => this.ctx.types.get(k) ?? T.unknown),
    );
    if (r && fit(t, r) === "out") {
      this.error(
        "check/out-of-range",
        outOfRangeMessage(e, t, r),
        e.span,
        t.kind === "date" || t.kind === "datetime"
          ? "use shorter durations: dates are years 0000–9999 and durations at most 10,000 years"
          : "use smaller numbers",
      );
      return;
    }
    if (r) this.ranges.set(e, r);
  }

  expectBool(e: A.Expr, env: Env, what: string): Type {
    const t = this.check(e, env);
    if (!isUnknown(t) && t.kind !== "bool") {
      this.error("check/not-boolean", `${what} must be a condition (bool), but this is ${typeName(t)}`, e.span, hintForNonBool(e, t));
    }
    return t;
  }

  private infer(e: A.Expr, env: Env): Type {
    switch (e.kind) {
      case "bool":
        return T.bool;
      case "int":
        return T.int;
      case "decimal":
        return T.decimal;
      case "string":
        return T.string;
      case "date":
        return T.date;
      case "datetime":
        return T.datetime;
      case "duration":
        return T.duration;
      case "error":
        return T.unknown;
      case "paren":
        return this.check(e.inner, env);
      case "list":
        return { kind: "list", of: unify(mapped(e.items, (i) => this.check(i, env))) };
      case "path":
        return this.path(e, env);
      case "call":
        return this.call(e, env);
      case "unary":
        return this.unary(e, env);
      case "is_set":
        return this.isSet(e, env);
      case "quantifier":
        return this.quantifier(e, env);
      case "binary":
        return this.binary(e, env);
    }
  }

  // --- names ----------------------------------------------------------------------------------

  private path(e: A.PathExpr, env: Env): Type {
    const head = e.segments[0];
    if (!head) return T.unknown;
    const rest = e.segments.slice(1);
    const v = env.vars.get(head.name);
    if (v) return this.variable(e, v, rest);
    if (head.name === "now" && rest.length === 0) {
      this.ctx.resolutions.set(e, { kind: "now" });
      return T.datetime;
    }
    if (head.name === "event") return this.eventField(e, rest);
    const entity = this.ctx.catalog.entities.get(head.name);
    if (!entity) {
      const cond = rest.length === 0 ? this.ctx.conditions.get(head.name) : undefined;
      if (cond) {
        this.ctx.resolutions.set(e, { kind: "condition", decl: cond });
        this.conditionRefs.push({ decl: cond, span: e.span });
        return T.bool;
      }
      if (rest.length === 0) {
        const names = [...env.vars.keys(), ...this.ctx.conditions.keys(), "now"];
        this.error(
          "check/unknown-name",
          `unknown name \`${head.name}\``,
          head.span,
          didYouMean(head.name, names) ?? "write `entity.field`, `event.field`, `now`, or the name of a `condition`",
        );
      } else {
        this.error(
          "check/unknown-entity",
          `unknown entity \`${head.name}\``,
          head.span,
          didYouMean(head.name, [...this.ctx.catalog.entities.keys(), "event"]) ?? `the catalog defines ${list([...this.ctx.catalog.entities.keys()])}`,
        );
      }
      return T.unknown;
    }
    const fieldSeg = rest[0];
    if (!fieldSeg) {
      this.error(
        "check/whole-entity",
        `\`${head.name}\` is an entity, not a value`,
        e.span,
        `read one of its fields, e.g. \`${head.name}.${[...entity.fields.keys()][0] ?? "field"}\``,
      );
      return T.unknown;
    }
    const field = entity.fields.get(fieldSeg.name);
    if (!field) {
      this.error(
        "check/unknown-field",
        `entity \`${head.name}\` has no field \`${fieldSeg.name}\``,
        fieldSeg.span,
        didYouMean(fieldSeg.name, entity.fields.keys()) ?? `its fields are ${list([...entity.fields.keys()])}`,
      );
      return T.unknown;
    }
    this.ctx.resolutions.set(e, { kind: "field", path: field.path, def: field });
    this.reads.push({ def: field, span: e.span });
    // Flow-sensitive: an optional field is readable only where an enclosing `is set` proved it.
    if (field.optional && !this.inIsSet && !env.proven.has(field.path)) {
      this.error("check/unguarded-optional", `\`${field.path}\` is optional and may not be set here`, e.span, `guard the read: \`${field.path} is set and …\``);
    }
    if (rest.length > 1) {
      const extra = rest[1]!;
      const hint =
        field.type.kind === "list"
          ? `use a quantifier: \`any x in ${field.path}: x.${extra.name} …\``
          : `\`${field.path}\` is ${typeName(fromFieldType(field.type))}, which has no members`;
      this.error("check/unknown-member", `\`${field.path}\` has no member \`${extra.name}\``, extra.span, hint);
      return T.unknown;
    }
    return fromFieldType(field.type);
  }

  private variable(e: A.PathExpr, v: { binder: A.QuantifierExpr; type: Type }, rest: readonly A.Ident[]): Type {
    this.ctx.resolutions.set(e, { kind: "variable", binder: v.binder, members: mapped(rest, (r) => r.name) });
    let t = v.type;
    for (const seg of rest) {
      if (isUnknown(t)) return t;
      if (t.kind !== "record") {
        this.error("check/unknown-member", `\`${v.binder.variable.name}\` is ${typeName(t)}, which has no member \`${seg.name}\``, seg.span);
        return T.unknown;
      }
      const m = t.members.get(seg.name);
      if (!m) {
        this.error(
          "check/unknown-member",
          `list element has no member \`${seg.name}\``,
          seg.span,
          didYouMean(seg.name, t.members.keys()) ?? `its members are ${list([...t.members.keys()])}`,
        );
        return T.unknown;
      }
      t = m;
    }
    return t;
  }

  private eventField(e: A.PathExpr, rest: readonly A.Ident[]): Type {
    const seg = rest[0];
    if (this.site.kind === "condition") {
      this.error(
        "check/event-in-condition",
        `condition \`${this.site.name}\` reads \`${pathText(e)}\`, but named conditions are shared across triggers`,
        e.span,
        "move this comparison into the journey's `when`",
      );
      return T.unknown;
    }
    if (!seg) {
      this.error("check/whole-entity", "`event` is the trigger's payload, not a value", e.span, "read one of its fields: `event.name`");
      return T.unknown;
    }
    const fields = this.site.eventFields;
    if (!fields) return T.unknown; // trigger unknown: already reported
    const t = fields.get(seg.name);
    if (!t) {
      const names = [...fields.keys()];
      this.error(
        "check/unknown-event-field",
        `event \`${this.site.eventName}\` has no payload field \`${seg.name}\``,
        seg.span,
        didYouMean(seg.name, names) ?? (names.length ? `its payload fields are ${list(names)}` : `\`${this.site.eventName}\` declares no payload fields`),
      );
      return T.unknown;
    }
    if (rest.length > 1) {
      this.error("check/unknown-member", `\`event.${seg.name}\` has no member \`${rest[1]!.name}\``, rest[1]!.span);
      return T.unknown;
    }
    this.ctx.resolutions.set(e, { kind: "event", name: seg.name, type: t });
    this.eventReads.add(seg.name);
    return t;
  }

  // --- operators ------------------------------------------------------------------------------

  private call(e: A.CallExpr, env: Env): Type {
    // Own properties only: `toString(…)` and `constructor(…)` are unknown functions, not Object's.
    const sig = Object.hasOwn(FUNCTIONS, e.callee.name) ? FUNCTIONS[e.callee.name] : undefined;
    const argTypes = mapped(e.args, (a) => {
      return this.check(a, env);
    });
    if (!sig) {
      this.error(
        "check/unknown-function",
        `unknown function \`${e.callee.name}\``,
        e.callee.span,
        didYouMean(e.callee.name, Object.keys(FUNCTIONS)) ?? `the functions are ${list(Object.keys(FUNCTIONS))}`,
      );
      return T.unknown;
    }
    if (argTypes.length !== sig.params.length) {
      this.error(
        "check/wrong-arity",
        `\`${e.callee.name}\` takes ${sig.params.length} argument${sig.params.length === 1 ? "" : "s"}, not ${argTypes.length}`,
        e.span,
        `${e.callee.name}: ${sig.doc}`,
      );
      return sig.result;
    }
    argTypes.forEach((t, i) => {
      const allowed = sig.params[i]!;
      if (!isUnknown(t) && !allowed.includes(t.kind)) {
        this.error(
          "check/type-mismatch",
          `\`${e.callee.name}\` expects ${allowed.join(" or ")}, but this is ${typeName(t)}`,
          e.args[i]!.span,
          `${e.callee.name}: ${sig.doc}`,
        );
      }
    });
    return sig.result;
  }

  private unary(e: A.UnaryExpr, env: Env): Type {
    if (e.op === "not") {
      this.expectBool(e.operand, env, "the operand of `not`");
      return T.bool;
    }
    const t = this.check(e.operand, env);
    if (!isUnknown(t) && !isNumeric(t) && t.kind !== "duration") {
      this.error("check/type-mismatch", `cannot negate ${typeName(t)}`, e.span);
      return T.unknown;
    }
    return t;
  }

  private isSet(e: A.IsSetExpr, env: Env): Type {
    this.inIsSet = e.operand.kind === "path";
    const t = this.check(e.operand, env);
    this.inIsSet = false;
    if (e.operand.kind !== "path") {
      this.error("check/is-set-operand", "`is set` applies to a field, not to a computed value", e.operand.span, "write `entity.field is set`");
      return T.bool;
    }
    const r = this.ctx.resolutions.get(e.operand);
    if (r?.kind === "field" && !r.def.optional) {
      this.error(
        "check/always-set",
        `\`${r.path}\` is not optional, so \`is ${e.negated ? "not " : ""}set\` is always ${e.negated ? "false" : "true"}`,
        e.span,
        "drop the test, or mark the field `optional: true` in the catalog",
        "warning",
      );
    } else if (r && r.kind !== "field" && !isUnknown(t)) {
      this.error("check/is-set-operand", "`is set` applies to entity fields, which the provider may omit", e.operand.span);
    }
    return T.bool;
  }

  private quantifier(e: A.QuantifierExpr, env: Env): Type {
    const lt = this.check(e.list, env);
    const name = e.variable.name;
    if (env.vars.has(name) || this.ctx.catalog.entities.has(name) || name === "now" || name === "event" || this.ctx.conditions.has(name)) {
      this.error("check/shadowed-variable", `quantifier variable \`${name}\` hides another name`, e.variable.span, "choose another variable name");
    }
    let elem: Type = T.unknown;
    if (lt.kind === "list") elem = lt.of;
    else if (!isUnknown(lt)) this.error("check/not-a-list", `\`${e.quantifier}\` ranges over a list, but this is ${typeName(lt)}`, e.list.span);
    const vars = new Map(env.vars);
    vars.set(name, { binder: e, type: elem });
    this.expectBool(e.body, { vars, proven: env.proven }, `the body of \`${e.quantifier}\``);
    return e.quantifier === "count" ? T.int : T.bool;
  }

  private binary(e: A.BinaryExpr, env: Env): Type {
    switch (e.op) {
      case "and":
      case "or": {
        this.expectBool(e.left, env, `the left side of \`${e.op}\``);
        // Flow-sensitive narrowing: the right side runs only when the left is true (and) / false (or).
        const facts = this.facts(e.left, e.op === "and");
        const right: Env = facts.size === 0 ? env : { vars: env.vars, proven: union(env.proven, facts) };
        this.expectBool(e.right, right, `the right side of \`${e.op}\``);
        return T.bool;
      }
      case "in":
      case "not in":
        return this.membership(e, env);
      default:
        break;
    }
    const lt = this.check(e.left, env);
    const rt = this.check(e.right, env);
    switch (e.op) {
      case "==":
      case "!=":
        if (!equatable(lt, rt)) this.mismatch(e, lt, rt);
        else this.enumLiterals(e.left, lt, e.right, rt);
        return T.bool;
      case "<":
      case "<=":
      case ">":
      case ">=":
        if (!orderable(lt, rt)) this.mismatch(e, lt, rt);
        return T.bool;
      default: {
        const r = arithmetic(e.op, lt, rt);
        if (r === undefined) {
          const bad = !isNumeric(lt) && !isUnknown(lt) ? lt : rt;
          this.error(
            "check/type-mismatch",
            `\`${e.op}\` cannot combine ${typeName(lt)} and ${typeName(rt)}`,
            e.opSpan,
            bad.kind === "string" || bad.kind === "enum" ? "arithmetic applies to numbers, dates and durations; text goes in a `reason` template" : undefined,
          );
          return T.unknown;
        }
        if (e.op === "/" && isZero(e.right)) this.error("check/division-by-zero", "division by zero", e.right.span);
        return r;
      }
    }
  }

  private membership(e: A.BinaryExpr, env: Env): Type {
    const lt = this.check(e.left, env);
    const rt = this.check(e.right, env);
    if (isUnknown(rt)) return T.bool;
    if (rt.kind !== "list") {
      this.error(
        "check/not-a-list",
        `the right side of \`${e.op}\` must be a list, but this is ${typeName(rt)}`,
        e.right.span,
        'write a list literal: `x in ["a", "b"]`',
      );
      return T.bool;
    }
    if (!equatable(lt, rt.of)) this.mismatch(e, lt, rt.of);
    else if (e.right.kind === "list" && lt.kind === "enum")
      for (const item of e.right.items) this.enumLiterals(e.left, lt, item, this.ctx.types.get(item) ?? T.unknown);
    return T.bool;
  }

  private mismatch(e: A.BinaryExpr, lt: Type, rt: Type): void {
    let hint: string | undefined;
    if ((lt.kind === "date" && rt.kind === "datetime") || (lt.kind === "datetime" && rt.kind === "date"))
      hint = "dates and datetimes do not compare; write both as dates (`2026-05-30`) or both as datetimes";
    else if (isNumeric(lt) && (rt.kind === "string" || rt.kind === "enum")) hint = "remove the quotes around the number";
    else if ((lt.kind === "date" || lt.kind === "datetime") && isNumeric(rt)) hint = "compare `days_since(…)` or `days_until(…)` with a number";
    this.error("check/type-mismatch", `\`${e.op}\` cannot compare ${typeName(lt)} with ${typeName(rt)}`, e.span, hint);
  }

  /** A string literal compared with an enum must be one of its values. */
  private enumLiterals(l: A.Expr, lt: Type, r: A.Expr, rt: Type): void {
    // The message names the enum (the expression on the other side) and lists its values; the
    // hint suggests one only when it is close and not an opposite (core/diagnostics.ts closest).
    const check = (enumSide: Type, enumExpr: A.Expr, lit: A.Expr) => {
      const inner = lit.kind === "paren" ? lit.inner : lit;
      if (enumSide.kind !== "enum" || inner.kind !== "string") return;
      if (!enumSide.values.includes(inner.value)) {
        this.error(
          "check/unknown-enum-value",
          `\`"${inner.value}"\` is not a value of \`${printExprBounded(enumExpr, 60)}\`, whose values are ${list(enumSide.values.map((v) => `"${v}"`))}`,
          inner.span,
          didYouMean(inner.value, enumSide.values) ?? "use one of its values",
        );
      }
    };
    check(lt, l, r);
    check(rt, r, l);
  }

  // --- narrowing --------------------------------------------------------------------------------

  /** Field paths proven set when `e` evaluates to `truth`. */
  facts(e: A.Expr, truth: boolean): ReadonlySet<string> {
    switch (e.kind) {
      case "paren":
        return this.facts(e.inner, truth);
      case "is_set": {
        const r = e.operand.kind === "path" ? this.ctx.resolutions.get(e.operand) : undefined;
        return r?.kind === "field" && truth !== e.negated ? new Set([r.path]) : NO_FACTS;
      }
      case "unary":
        return e.op === "not" ? this.facts(e.operand, !truth) : NO_FACTS;
      case "binary": {
        if (e.op !== "and" && e.op !== "or") return NO_FACTS;
        // Memoized: `binary` asks for the facts of every `and`/`or` left side, and a chain
        // `a and b and c …` has each link inside the next one's left side.
        const memo = truth ? this.factsWhenTrue : this.factsWhenFalse;
        let f = memo.get(e);
        if (f === undefined) {
          const l = this.facts(e.left, truth);
          const r = this.facts(e.right, truth);
          f = (e.op === "and") === truth ? union(l, r) : intersect(l, r);
          memo.set(e, f);
        }
        return f;
      }
      case "path": {
        const r = this.ctx.resolutions.get(e);
        return r?.kind === "condition" ? conditionFacts(this.ctx, r.decl, truth, (body) => this.facts(body, truth)) : NO_FACTS;
      }
      default:
        return NO_FACTS;
    }
  }
}

/** The kinds of value that have a range (compiler/checker/ranges.ts). */
const RANGED: ReadonlySet<Type["kind"]> = new Set(["int", "decimal", "date", "datetime", "duration"]);

/** Why a value is out of range: past what a date, an exact integer or a number can hold. */
function outOfRangeMessage(e: A.Expr, t: Type, r: ValueRange): string {
  const shown = `\`${printExprBounded(e, 61)}\``;
  switch (t.kind) {
    case "date":
    case "datetime":
      return `${shown} is always ${r.lo > 0 ? "after the last" : "before the first"} ${t.kind} that can be represented (about 270,000 years from 1970)`;
    case "int":
      return `${shown} is always beyond the largest exact integer (${Number.MAX_SAFE_INTEGER})`;
    default:
      return `${shown} is too large to compute: it is always infinite`;
  }
}

/** Fact sets are never changed once made, so the empty one and unions with it are shared. */
const NO_FACTS: ReadonlySet<string> = new Set();

/**
 * The facts of each named condition, computed once per check run (per context) and then read
 * at every use: a condition refers to others, and following each reference into the body
 * again would cost 2^n for `c1 = c0 and c0`, `c2 = c1 and c1`, …. The checker checks
 * conditions before their users (compiler/checker/check.ts), so a body's resolutions are
 * final when its facts are first asked for. A condition met again while its own facts are
 * being computed (a cycle, reported elsewhere) proves nothing.
 */
// Process-wide and safe: keyed weakly by the check run's context, so each run sees only its
// own facts and they go with it.
const conditionFactCache = new WeakMap<
  CheckContext,
  Map<A.ConditionDecl, { whenTrue?: ReadonlySet<string>; whenFalse?: ReadonlySet<string>; pending: number }>
>();

function conditionFacts(ctx: CheckContext, decl: A.ConditionDecl, truth: boolean, compute: (body: A.Expr) => ReadonlySet<string>): ReadonlySet<string> {
  let byDecl = conditionFactCache.get(ctx);
  if (!byDecl) conditionFactCache.set(ctx, (byDecl = new Map()));
  let entry = byDecl.get(decl);
  if (!entry) byDecl.set(decl, (entry = { pending: 0 }));
  const known = truth ? entry.whenTrue : entry.whenFalse;
  if (known) return known;
  const bit = truth ? 1 : 2;
  if (entry.pending & bit) return NO_FACTS;
  entry.pending |= bit;
  const f = compute(decl.body);
  entry.pending &= ~bit;
  if (truth) entry.whenTrue = f;
  else entry.whenFalse = f;
  return f;
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}
function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (a.size === 0 || b.size === 0) return NO_FACTS;
  return new Set([...a].filter((x) => b.has(x)));
}
function isZero(e: A.Expr): boolean {
  return (e.kind === "int" || e.kind === "decimal") && e.value === 0;
}
function hintForNonBool(e: A.Expr, t: Type): string | undefined {
  if (t.kind === "int" && e.kind === "quantifier") return "compare the count with a number: `(count x in … : …) >= 2`";
  if (isNumeric(t) || t.kind === "string" || t.kind === "enum") return "compare it with a value, e.g. `… == …` or `… >= …`";
  return undefined;
}
/** `a`, `a` and `b`, `a`, `b` and `c` — names in backticks. */
export function list(names: readonly string[]): string {
  const q = names.slice(0, 8).map((n) => `\`${n}\``);
  const more = names.length > 8 ? `, … (${names.length - 8} more)` : "";
  if (q.length <= 1) return (q[0] ?? "nothing") + more;
  return `${q.slice(0, -1).join(", ")} and ${q[q.length - 1]}${more}`;
}
