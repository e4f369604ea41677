// Checking one journey: required and duplicate clauses, names against the catalog, action
// parameters, oversight, channel allow-list, binding and purpose limitation of every read,
// and the minimal context bundle.
import * as A from "../syntax/ast.ts";
import type { ActionDef, EventDef, FieldDef, PurposeDef } from "../../core/catalog/types.ts";
import type { CheckedJourney, Type } from "./checked.ts";
import { closest, didYouMean, type Diagnostic } from "../../core/diagnostics.ts";
import type { Span } from "../../core/source.ts";
import { emptyEnv, ExprChecker, list, type CheckContext, type FieldRead } from "./expr.ts";
import { foldWhen } from "./fold.ts";
import { checkPurposeDuties } from "./governance.ts";
import { fromFieldType } from "./types.ts";
import { checkValueClauses } from "./value.ts";

/** Deepest expression (named conditions counted where used) that codegen and evaluation support. */
export const MAX_DEPTH = 300;

/**
 * Depth of an expression tree with each named condition it uses counted at the place of use
 * (as evaluation nests): a reference adds the depth of the condition's body, taken from
 * `conditionDepths` (a condition missing there — one in a cycle — counts as its name alone).
 * Linear in the expression, without recursion.
 */
export function nestingDepth(root: A.Expr, ctx: CheckContext, conditionDepths: ReadonlyMap<A.ConditionDecl, number>): number {
  let max = 0;
  // A stack of (expression, depth), as two parallel arrays.
  const exprs: A.Expr[] = [root];
  const depths: number[] = [1];
  while (exprs.length > 0) {
    const e = exprs.pop()!;
    const d = depths.pop()!;
    if (d > max) max = d;
    if (e.kind === "path") {
      const r = ctx.resolutions.get(e);
      if (r?.kind === "condition") max = Math.max(max, d + (conditionDepths.get(r.decl) ?? 0));
    }
    const from = exprs.length;
    A.pushSubExpressions(e, exprs);
    for (let i = from; i < exprs.length; i++) depths.push(d + 1);
  }
  return max;
}

// Keyed by the catalog's own (immutable) events: an entry lives as long as its catalog.
const eventTypes = new WeakMap<EventDef, ReadonlyMap<string, Type>>();

/** The language types of an event's payload fields, by name: the same for every journey on it. */
function eventFieldTypes(event: EventDef): ReadonlyMap<string, Type> {
  let types = eventTypes.get(event);
  if (!types) {
    const byName = new Map<string, Type>();
    for (const [k, v] of event.fields) byName.set(k, fromFieldType(v));
    types = byName;
    eventTypes.set(event, types);
  }
  return types;
}

export const REQUIRED_CLAUSES = ["purpose", "on", "when", "do"] as const;
export const NAME_RE = /^[a-z][a-z0-9_]*$/;

/** What is known of each named condition once checked, computed once per program. */
export interface ConditionInfo {
  /** Field reads of each condition (transitively), by name. */
  readonly reads: ReadonlyMap<string, readonly FieldDef[]>;
  /** Each condition's nesting depth, the conditions it uses counted in place. */
  readonly depths: ReadonlyMap<A.ConditionDecl, number>;
  /** The conditions each condition refers to (resolved), by name. */
  readonly refs: ReadonlyMap<string, readonly string[]>;
  /** How many operations each condition's own body has (its references count one each). */
  readonly sizes: ReadonlyMap<string, number>;
}

export function checkJourney(j: A.JourneyDecl, ctx: CheckContext, conditions: ConditionInfo, source: (s: Span) => string): CheckedJourney | undefined {
  const diags = ctx.diagnostics;
  // Diagnostics are only ever appended: an error from this journey is one at `start` or later.
  const start = diags.length;
  const err = (code: string, message: string, span: Span, hint?: string, related?: Diagnostic["related"]) => {
    const d: Diagnostic = { code, severity: "error", message, span, ...(hint !== undefined ? { hint } : {}), ...(related ? { related } : {}) };
    diags.push(d);
  };
  const warn = (code: string, message: string, span: Span, hint?: string) =>
    diags.push({ code, severity: "warning", message, span, ...(hint !== undefined ? { hint } : {}) });
  const id = j.name.name;
  if (!NAME_RE.test(id)) err("check/invalid-name", `journey id \`${id}\` must be lowercase snake_case`, j.name.span, `rename it to \`${snake(id)}\``);

  // One of each clause.
  const byKind = new Map<A.ClauseKind, A.Clause>();
  for (const c of j.clauses) {
    const first = byKind.get(c.kind);
    if (first)
      err("check/duplicate-clause", `\`${c.kind}\` is given twice in journey \`${id}\``, c.keywordSpan, "keep one of them", [
        { span: first.keywordSpan, message: "first given here" },
      ]);
    else byKind.set(c.kind, c);
  }
  const clause = <K extends A.ClauseKind>(k: K) => byKind.get(k) as Extract<A.Clause, { kind: K }> | undefined;
  for (const k of REQUIRED_CLAUSES) {
    if (!byKind.has(k)) err("check/missing-clause", `journey \`${id}\` has no \`${k}\` clause`, j.name.span, REQUIRED_HINTS[k]);
  }

  // Purpose, trigger, action.
  const pc = clause("purpose");
  let purpose: PurposeDef | undefined;
  if (pc) {
    purpose = ctx.catalog.purposes.get(pc.name.name);
    if (!purpose)
      err(
        "check/unknown-purpose",
        `unknown purpose \`${pc.name.name}\``,
        pc.name.span,
        didYouMean(pc.name.name, ctx.catalog.purposes.keys()) ?? `the catalog defines ${list([...ctx.catalog.purposes.keys()])}`,
      );
  }
  const oc = clause("on");
  let event: EventDef | undefined;
  const timers: { label: string; ms: number }[] = [];
  if (oc) {
    event = ctx.catalog.events.get(oc.event.name);
    if (!event)
      err(
        "check/unknown-event",
        `unknown event \`${oc.event.name}\``,
        oc.event.span,
        didYouMean(oc.event.name, ctx.catalog.events.keys()) ?? `the catalog defines ${list([...ctx.catalog.events.keys()])}`,
      );
    for (const t of oc.timers) {
      if (timers.some((x) => x.ms === t.ms)) err("check/duplicate-timer", `timer \`${t.text}\` is listed twice`, t.span, "list each follow-up once");
      else if (t.ms <= 0) err("check/duplicate-timer", "a follow-up timer must be longer than zero", t.span);
      else timers.push({ label: t.text, ms: t.ms });
    }
  }
  const action = checkAction(clause("do"), ctx, err);

  // Oversight and channel allow-list.
  const rc = clause("risk");
  let risk: "low" | "medium" | "high" = "low";
  if (rc) {
    if (rc.level.name === "low" || rc.level.name === "medium" || rc.level.name === "high") risk = rc.level.name;
    else
      err(
        "check/invalid-risk",
        `unknown risk tier \`${rc.level.name}\``,
        rc.level.span,
        didYouMean(rc.level.name, ["low", "medium", "high"]) ?? "write `risk low`, `risk medium` or `risk high`",
      );
  }
  const rv = clause("review");
  if (rv && rv.mode.name !== "required")
    err("check/invalid-review", `\`review ${rv.mode.name}\` is not a review mode`, rv.mode.span, "write `review required`, or remove the clause");
  const review = rv !== undefined;
  if (risk === "high" && !review)
    err(
      "check/review-required",
      `journey \`${id}\` is \`risk high\` but has no \`review required\``,
      rc!.level.span,
      "add `review required` so a person approves each action (human oversight)",
    );
  if (action && risk === "low" && action.def.cost === "high")
    warn(
      "check/high-cost-low-risk",
      `action \`${action.def.name}\` has \`cost: high\` but journey \`${id}\` is \`risk low\``,
      clause("do")!.action.span,
      "raise the journey to `risk medium` or `risk high`",
    );
  if (action && purpose && !purpose.channels.includes(action.def.channel)) {
    err(
      "check/channel-not-allowed",
      `purpose \`${purpose.name}\` does not allow channel \`${action.def.channel}\` (action \`${action.def.name}\`)`,
      clause("do")!.action.span,
      `its channels are ${list(purpose.channels)}`,
    );
  }

  // Guardrails.
  const cc = clause("cap");
  if (cc && (cc.count.value < 1 || cc.window.ms <= 0))
    err("check/invalid-cap", "a cap needs at least 1 decision per a non-empty window", cc.span, "write e.g. `cap 1 per 30d`");
  const qc = clause("quiet");
  if (qc && qc.from.minutes === qc.to.minutes)
    err(
      "check/empty-quiet",
      `quiet hours \`${qc.from.text} .. ${qc.to.text}\` are empty`,
      qc.span,
      "give different start and end times, e.g. `21:00 .. 08:00`",
    );

  // Proof of value: what the journey is judged on, and when it is stopped (compiler/checker/value.ts).
  const value = checkValueClauses(id, clause("goal"), clause("stop_loss"), clause("holdout"), ctx.catalog, (d) => diags.push(d));

  // Expressions: `when`, then `reason` (which may use what `when` proved set).
  const xc = new ExprChecker(ctx, { kind: "journey", id, ...(event ? { eventName: event.name, eventFields: eventFieldTypes(event) } : {}) });
  const wc = clause("when");
  if (wc) {
    xc.expectBool(wc.expr, emptyEnv, "`when`");
    for (const d of foldWhen(id, wc.expr, (e) => source(e.span))) diags.push(d);
    const depth = nestingDepth(wc.expr, ctx, conditions.depths);
    if (depth > MAX_DEPTH)
      err(
        "check/too-deep",
        `\`when\` of \`${id}\` nests ${depth} operations deep (named conditions included), more than ${MAX_DEPTH}`,
        wc.keywordSpan,
        "split the condition into named `condition`s combined with fewer operators, or into several journeys",
      );
  }
  const reason = clause("reason");
  if (reason) {
    const proven = wc ? xc.facts(wc.expr, true) : new Set<string>();
    for (const part of reason.template.parts) {
      if (part.kind !== "expr") continue;
      const firstRead = xc.reads.length;
      const firstRef = xc.conditionRefs.length;
      xc.check(part.expr, { vars: new Map(), proven });
      checkReasonPii(xc.reads.slice(firstRead), xc.conditionRefs.slice(firstRef), conditions, err);
    }
    // The same bound as `when`: an interpolation is evaluated (and planned) like one.
    for (const part of reason.template.parts) {
      if (part.kind !== "expr") continue;
      const depth = nestingDepth(part.expr, ctx, conditions.depths);
      if (depth > MAX_DEPTH)
        err(
          "check/too-deep",
          `\`{…}\` in the \`reason\` of \`${id}\` nests ${depth} operations deep (named conditions included), more than ${MAX_DEPTH}`,
          part.expr.span,
          "interpolate a simpler expression",
        );
    }
  }

  // Every field the journey can read: direct reads, named conditions, and the timezone for quiet hours.
  const reads: FieldRead[] = [...xc.reads];
  for (const ref of xc.conditionRefs) for (const def of conditions.reads.get(ref.decl.name.name) ?? []) reads.push({ def, span: ref.span });
  if (qc) {
    const tz = ctx.catalog.entities.get("customer")?.fields.get("timezone");
    if (!tz || !event?.binds.includes("customer")) {
      err(
        "check/quiet-needs-timezone",
        `quiet hours need \`customer.timezone\`, which ${tz ? `event \`${event?.name ?? "?"}\` does not bind` : "the catalog does not define"}`,
        qc.keywordSpan,
        tz ? "trigger on an event that binds `customer`, or remove `quiet`" : "add `timezone: { type: string }` to the `customer` entity",
      );
    } else reads.push({ def: tz, span: qc.keywordSpan });
  }
  checkReads(reads, event, purpose, id, ctx, err);

  let failed = false;
  for (let i = start; i < diags.length; i++) if (diags[i]!.severity === "error") failed = true;
  if (failed || !pc || !purpose || !oc || !event || !wc || !action) return undefined;
  const fields = [...new Set(reads.map((r) => r.def.path))].sort();
  const hc = clause("holdout");
  return {
    decl: j,
    id,
    title: clause("title")?.value.value ?? id,
    purpose,
    risk,
    priority: clause("priority")?.value ?? 0,
    trigger: { event: event.name, timers },
    when: wc.expr,
    action,
    ...(cc ? { cap: { count: cc.count.value, windowMs: cc.window.ms, window: cc.window.text } } : {}),
    ...(qc ? { quiet: { from: qc.from.text, to: qc.to.text, fromMinutes: qc.from.minutes, toMinutes: qc.to.minutes } } : {}),
    ...(hc ? { holdout: { percent: hc.percent, salt: hc.salt?.value ?? "" } } : {}),
    ...(value.goal ? { goal: value.goal } : {}),
    ...(value.stopLoss ? { stopLoss: value.stopLoss } : {}),
    review,
    ...(reason ? { reason: reason.template } : {}),
    fields,
    eventFields: [...xc.eventReads].sort(),
  };
}

/**
 * Binding (spec §2.5), purpose limitation (§2.6) and the purpose's governance duties
 * (compiler/checker/governance.ts) for every field the journey reads.
 */
function checkReads(
  reads: readonly FieldRead[],
  event: EventDef | undefined,
  purpose: PurposeDef | undefined,
  id: string,
  ctx: CheckContext,
  err: (code: string, message: string, span: Span, hint?: string) => void,
): void {
  // Each field once per place it is read: the offsets reported, by field path.
  const reported = new Map<string, number[]>();
  for (const { def, span } of reads) {
    const starts = reported.get(def.path);
    if (starts?.includes(span.start)) continue;
    if (starts) starts.push(span.start);
    else reported.set(def.path, [span.start]);
    if (event && !event.binds.includes(def.entity)) {
      err(
        "check/unbound-entity",
        `journey \`${id}\` reads \`${def.path}\`, but its trigger \`${event.name}\` binds only ${list([...event.binds])}`,
        span,
        `trigger on an event that binds \`${def.entity}\`${bindingEvents(def.entity, ctx)}, or do not read \`${def.entity}\``,
      );
    }
    if (ctx.firstReads && !ctx.firstReads.has(def.path)) ctx.firstReads.set(def.path, { def, span, journey: id });
    if (!purpose) continue;
    const lineage = def.lineage ? `, lineage \`${def.lineage}\`` : "";
    let forbidden = false;
    for (const label of def.labels) {
      if (!purpose.forbids.includes(label)) continue;
      forbidden = true;
      err(
        "check/forbidden-label",
        `\`${def.path}\` carries label \`${label}\`${lineage}, which purpose \`${purpose.name}\` forbids`,
        span,
        `purpose limitation: do not use \`${label}\` data for \`${purpose.name}\`; remove this read or use a purpose that permits it`,
      );
    }
    if (def.pii === "sensitive" && !forbidden && !def.labels.some((l) => purpose.allows.includes(l))) {
      const labels = def.labels.length ? def.labels.map((l) => `\`${l}\``).join(", ") : "no label";
      err(
        "check/sensitive-field",
        `\`${def.path}\` is special-category data (pii: sensitive, labels ${labels}${lineage}), which purpose \`${purpose.name}\` does not allow`,
        span,
        def.labels.length
          ? `GDPR Art. 9: only a purpose whose \`allows\` lists ${labels} may read it`
          : "GDPR Art. 9: label the field and allow that label on a purpose that needs it",
      );
    }
    checkPurposeDuties(def, span, purpose, forbidden, err);
  }
}

/**
 * A `reason` is shown to the customer and kept in the decision log, so an interpolation must
 * not read personal data — directly, through a function or a quantifier, or through a named
 * condition — unless the catalog allows that field in reasons (`reason_allowed: true`).
 */
function checkReasonPii(
  reads: readonly FieldRead[],
  refs: readonly { readonly decl: A.ConditionDecl; readonly span: Span }[],
  conditions: ConditionInfo,
  err: (code: string, message: string, span: Span, hint?: string) => void,
): void {
  const all: FieldRead[] = [...reads];
  for (const ref of refs) for (const def of conditions.reads.get(ref.decl.name.name) ?? []) all.push({ def, span: ref.span });
  const reported = new Set<string>();
  for (const { def, span } of all) {
    if (def.pii === "none" || def.reasonAllowed) continue;
    const key = `${def.path}@${span.start}`;
    if (reported.has(key)) continue;
    reported.add(key);
    err(
      "check/pii-in-reason",
      `this \`reason\` reads \`${def.path}\`, which is personal data (pii: ${def.pii})`,
      span,
      `a reason is shown to the customer and kept in the decision log: leave \`${def.path}\` out of it, or mark the field \`reason_allowed: true\` in the catalog if showing it is intended`,
    );
  }
}

function bindingEvents(entity: string, ctx: CheckContext): string {
  const evs = [...ctx.catalog.events.values()].filter((e) => e.binds.includes(entity)).map((e) => e.name);
  return evs.length ? ` (${list(evs)})` : "";
}

function checkAction(
  dc: Extract<A.Clause, { kind: "do" }> | undefined,
  ctx: CheckContext,
  err: (code: string, message: string, span: Span, hint?: string) => void,
): { def: ActionDef; params: Record<string, string | number | boolean> } | undefined {
  if (!dc) return undefined;
  const def = ctx.catalog.actions.get(dc.action.name);
  if (!def) {
    err(
      "check/unknown-action",
      `unknown action \`${dc.action.name}\``,
      dc.action.span,
      didYouMean(dc.action.name, ctx.catalog.actions.keys()) ?? `the catalog defines ${list([...ctx.catalog.actions.keys()])}`,
    );
    return undefined;
  }
  // A null-prototype record: a parameter named like an inherited property (`constructor`) is
  // not "given" before it is.
  const params = Object.create(null) as Record<string, string | number | boolean>;
  const misspelt = new Set<string>();
  let ok = true;
  for (const a of dc.args) {
    const p = def.params.get(a.name.name);
    if (!p) {
      const hint = didYouMean(a.name.name, def.params.keys());
      const target = closest(a.name.name, def.params.keys());
      if (target) misspelt.add(target);
      err(
        "check/unknown-parameter",
        `action \`${def.name}\` has no parameter \`${a.name.name}\``,
        a.name.span,
        hint ?? (def.params.size ? `its parameters are ${list([...def.params.keys()])}` : `\`${def.name}\` takes no parameters`),
      );
      ok = false;
      continue;
    }
    if (Object.hasOwn(params, a.name.name)) {
      err("check/duplicate-parameter", `parameter \`${a.name.name}\` is given twice`, a.name.span);
      ok = false;
      continue;
    }
    // A value that did not parse is reported already: no second error about its type.
    if (a.value.kind === "error") {
      ok = false;
      continue;
    }
    const v = literalParam(a.value, fromFieldType(p.type));
    if (v === undefined) {
      err(
        "check/parameter-type",
        `parameter \`${p.name}\` of \`${def.name}\` takes a ${fromFieldType(p.type).kind} literal`,
        a.value.span,
        fromFieldType(p.type).kind === "string" ? 'write a string: `template: "renewal-d90"`' : undefined,
      );
      ok = false;
      continue;
    }
    params[a.name.name] = v;
  }
  for (const name of def.params.keys()) {
    // A misspelt argument already got a "did you mean" for this parameter: no second error.
    if (!Object.hasOwn(params, name) && !misspelt.has(name) && !dc.args.some((a) => a.name.name === name)) {
      err(
        "check/missing-parameter",
        `action \`${def.name}\` needs parameter \`${name}\``,
        dc.action.span,
        `write \`${def.name}(${[...def.params.keys()].map((k) => `${k}: …`).join(", ")})\``,
      );
      ok = false;
    }
  }
  return ok ? { def, params } : undefined;
}

function literalParam(e: A.Expr, t: Type): string | number | boolean | undefined {
  const x = e.kind === "paren" ? e.inner : e;
  switch (t.kind) {
    case "string":
      return x.kind === "string" ? x.value : undefined;
    case "enum":
      return x.kind === "string" && t.values.includes(x.value) ? x.value : undefined;
    case "int":
      return x.kind === "int" ? x.value : undefined;
    case "decimal":
      return x.kind === "int" || x.kind === "decimal" ? x.value : undefined;
    case "bool":
      return x.kind === "bool" ? x.value : undefined;
    default:
      return x.kind === "string" ? x.value : undefined;
  }
}

const REQUIRED_HINTS: Record<(typeof REQUIRED_CLAUSES)[number], string> = {
  purpose: "add `purpose <name>` naming a purpose from the catalog",
  on: "add `on <event>` naming the event that triggers the journey",
  when: "add `when <condition>` (use `when true` to act on every trigger)",
  do: "add `do <action>(…)` naming an action from the catalog",
};

function snake(s: string): string {
  return (
    s
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/[^A-Za-z0-9_]/g, "_")
      .replace(/^[^a-z]+/, "")
      .toLowerCase() || "journey"
  );
}
