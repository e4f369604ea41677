// Checking one `property` block: its trigger, the inputs it fixes, and its `assume`/`expect`
// expressions — checked by the language's own expression checker against the catalog plus a
// synthetic `decision` entity, so they get the same names, types, enum values, optional-field
// guards and diagnostics as a journey's `when`.
import type * as A from "../syntax/ast.ts";
import { pathText, walkExpr } from "../syntax/ast.ts";
import { LAWFUL_BASES, type Catalog, type EntityDef, type FieldDef, type FieldType } from "../../core/catalog/types.ts";
import type { Type } from "../checker/checked.ts";
import { emptyEnv, ExprChecker, list, type CheckContext } from "../checker/expr.ts";
import { fromFieldType } from "../checker/types.ts";
import { didYouMean } from "../../core/diagnostics.ts";
import type { Span } from "../../core/source.ts";
import { Args, type Timestamp } from "./args.ts";
import { eventName, RequestInputs, warnNoListener, type SuiteContext } from "./inputs.ts";
import { DEFAULT_RUNS, MAX_RUNS, OUTCOMES, type CheckedProperty } from "./model.ts";

export const PROPERTY_STATEMENTS = ["on", "now", "region", "subject", "given", "consent", "objection", "history", "assume", "expect", "runs"] as const;

/** The entity name property expressions read the decision through. */
export const DECISION = "decision";

function field(name: string, type: FieldType, optional = false): FieldDef {
  return { entity: DECISION, name, path: `${DECISION}.${name}`, type, pii: "none", labels: [], residency: "any", optional, loc: { start: 0, end: 0 } };
}

/**
 * The catalog plus `decision`: outcome, journey (the winner), purpose, basis, action, channel,
 * deferred_until (optional), fields (the bundle requested), and candidates (one record per
 * evaluated journey). Names are enums, so a misspelt value is a compile error.
 */
export function decisionScope(catalog: Catalog, journeyIds: readonly string[]): Catalog {
  const e = (values: readonly string[]): FieldType => ({ kind: "enum", values: [...values] });
  const purposes = [...catalog.purposes.keys()].sort();
  const channels = [...new Set([...catalog.actions.values()].map((a) => a.channel))].sort();
  const fields: FieldDef[] = [
    field("outcome", e(OUTCOMES)),
    field("journey", e(journeyIds)),
    field("purpose", e(purposes)),
    field("basis", e(LAWFUL_BASES)),
    field("action", e([...catalog.actions.keys()].sort())),
    field("channel", e(channels)),
    field("deferred_until", { kind: "scalar", name: "datetime" }, true),
    field("fields", { kind: "list", of: { kind: "type", type: { kind: "scalar", name: "string" } } }),
    field("candidates", {
      kind: "list",
      of: {
        kind: "record",
        members: new Map<string, FieldType>([
          ["journey", e(journeyIds)],
          ["outcome", e(OUTCOMES)],
          ["purpose", e(purposes)],
          ["basis", e(LAWFUL_BASES)],
        ]),
      },
    }),
  ];
  const decision: EntityDef = { name: DECISION, key: "decision_id", fields: new Map(fields.map((f) => [f.name, f])), loc: { start: 0, end: 0 } };
  return { ...catalog, entities: new Map([...catalog.entities, [DECISION, decision]]) };
}

/** Paths starting with `head` (`decision.outcome`, `event.csat`) in an expression. */
function pathsFrom(e: A.Expr, head: string): A.PathExpr[] {
  const out: A.PathExpr[] = [];
  walkExpr(e, (x) => {
    if (x.kind === "path" && x.segments[0]?.name === head && x.segments.length > 1) out.push(x);
  });
  return out;
}

/** Checks a property block; returns it ready to run, or undefined when it has errors. */
export function checkProperty(block: A.PropertyDecl, sc: SuiteContext, ctx: CheckContext, errorCount: () => number): CheckedProperty | undefined {
  const before = errorCount();
  const once = new Map<string, Span>();
  const single = (s: A.TestStatement): boolean => {
    if (once.has(s.keyword.name)) {
      sc.report("test/duplicate-statement", `\`${s.keyword.name}\` is given twice in property "${block.name.value}"`, s.keyword.span, "keep one of them");
      return false;
    }
    once.set(s.keyword.name, s.keyword.span);
    return true;
  };
  let trigger: CheckedProperty["trigger"];
  let now: Timestamp | undefined;
  let runs = DEFAULT_RUNS;
  const inputs = new RequestInputs(sc, false);
  const { context, givenSpans, consents, objections, history } = inputs;
  const assumes: A.TestStatement[] = [];
  const expects: A.TestStatement[] = [];

  for (const s of block.statements) {
    const args = new Args(s, sc.report);
    if (inputs.read(s, args, single)) continue;
    const kw = s.keyword.name;
    switch (kw) {
      case "on": {
        if (!single(s) || !s.trigger) break;
        const type = eventName({ name: s.trigger.event.name, span: s.trigger.event.span }, sc);
        const timers = s.trigger.timers;
        if (timers.length > 1)
          sc.report(
            "test/bad-argument",
            "a property follows one timer",
            timers[1]!.span,
            "write one property per timer, or leave `after` out to test the event itself",
          );
        if (!type) break;
        const t = timers[0];
        trigger = { event: type, ...(t ? { timer: { label: t.text, ms: t.ms } } : {}) };
        warnNoListener(sc, type, trigger.timer, s.trigger.event.span);
        break;
      }
      case "now":
        if (!single(s)) break;
        now = args.datetime("the request's time");
        args.finish("the time");
        break;
      case "assume":
        assumes.push(s);
        break;
      case "expect":
        expects.push(s);
        break;
      case "runs": {
        if (!single(s)) break;
        const n = args.integer("a number of generated cases, e.g. `runs 300`");
        args.finish("the number of runs");
        if (n && (n.value < 1 || n.value > MAX_RUNS))
          sc.report("test/invalid-runs", `\`runs ${n.value}\` is out of range`, n.span, `give a number from 1 to ${MAX_RUNS}`);
        else if (n) runs = n.value;
        break;
      }
      case "event":
        sc.report(
          "test/event-in-property",
          "a property generates its events: say which with `on`",
          s.keyword.span,
          `write \`on ${s.args[0]?.kind === "word" ? s.args[0].text : "daily"}\`; constrain the payload with \`assume event.<field> …\``,
        );
        break;
      default:
        sc.report(
          "test/unknown-statement",
          `unknown statement \`${kw}\` in a property`,
          s.keyword.span,
          didYouMean(kw, PROPERTY_STATEMENTS) ?? `a property's statements are ${list([...PROPERTY_STATEMENTS])}`,
        );
    }
  }

  if (expects.length === 0)
    sc.report(
      "test/missing-statement",
      `property "${block.name.value}" has no \`expect\``,
      block.name.span,
      'add the invariant, e.g. `expect decision.outcome != "acted" or decision.purpose != "renewal_marketing"`',
    );

  // Expressions, once the trigger (and so `event.*`) is known.
  const eventDef = trigger ? sc.catalog.events.get(trigger.event) : undefined;
  const eventFields = new Map<string, Type>();
  if (eventDef) for (const [k, v] of eventDef.fields) eventFields.set(k, fromFieldType(v));
  const site = { kind: "journey" as const, id: `property "${block.name.value}"`, ...(eventDef ? { eventName: eventDef.name, eventFields } : {}) };
  const check = (s: A.TestStatement, what: "assume" | "expect"): A.Expr | undefined => {
    const e = s.expr;
    if (!e) return undefined;
    if (what === "assume") {
      for (const p of pathsFrom(e, DECISION))
        sc.report(
          "test/decision-in-assume",
          `\`assume\` is checked before deciding, so it cannot read \`${pathText(p)}\``,
          p.span,
          "move this condition into `expect` (`expect … or …`)",
        );
    }
    if (!eventDef) {
      for (const p of pathsFrom(e, "event"))
        sc.report("test/event-without-on", `\`${pathText(p)}\` needs to know the event`, p.span, "add `on EVENT` to the property");
    }
    const xc = new ExprChecker(ctx, site);
    xc.expectBool(e, emptyEnv, `\`${what}\``);
    if (eventDef) {
      for (const r of xc.reads) {
        if (r.def.entity !== DECISION && !eventDef.binds.includes(r.def.entity)) {
          sc.report(
            "test/unbound-entity",
            `\`${eventDef.name}\` does not bind \`${r.def.entity}\`, so no journey on it reads \`${r.def.path}\``,
            r.span,
            `\`${eventDef.name}\` binds ${list([...eventDef.binds])}`,
            "warning",
          );
        }
      }
    }
    return e;
  };
  const assumeExprs = assumes.flatMap((s) => check(s, "assume") ?? []);
  const expectExprs = expects.flatMap((s) => check(s, "expect") ?? []);

  if (eventDef) {
    for (const [entity, span] of givenSpans) {
      if (!eventDef.binds.includes(entity))
        sc.report(
          "test/unbound-entity",
          `event \`${eventDef.name}\` does not bind \`${entity}\`, so no journey can read this data`,
          span,
          `\`${eventDef.name}\` binds ${list([...eventDef.binds])}`,
          "warning",
        );
    }
  }
  if (errorCount() > before) return undefined;
  return {
    kind: "property",
    name: block.name.value,
    file: block.span.file,
    span: block.span,
    ...(trigger ? { trigger } : {}),
    fixed: {
      ...(now ? { now: now.text } : {}),
      ...(inputs.region ? { region: inputs.region } : {}),
      ...(inputs.subject !== undefined ? { subject: inputs.subject } : {}),
      context,
      consents,
      objections,
      history,
    },
    assumes: assumeExprs,
    expects: expectExprs,
    runs,
    assumeSpan: assumes[0]?.span ?? block.name.span,
  };
}
