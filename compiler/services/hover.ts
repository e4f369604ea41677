// Hover: what the name under the cursor is. A field shows its type (as the compiler prints it),
// PII class, labels, lineage, residency and retention; a named condition its body; events,
// purposes, actions, parameters, functions, quantifier variables and `now` what they are; a
// goal's outcome type and a stop-loss metric what they measure.
import type { Catalog, OutcomeTypeDef } from "../../core/catalog/types.ts";
import { outcomeTypes } from "../../core/catalog/value.ts";
import { parseMetric } from "../checker/value.ts";
import type { Span } from "../../core/source.ts";
import { typeName } from "../checker/checked.ts";
import { FUNCTIONS } from "../checker/types.ts";
import type { Analysis } from "./analysis.ts";
import { actionDoc, actionSignature, entityDoc, eventDoc, fieldDoc, fieldTypeText, functionSignature, purposeDoc } from "./describe.ts";
import { listPath, targetAt, type Target } from "./locate.ts";
import { resolvePath } from "./scope.ts";

/** A hover: the range it describes and Markdown paragraphs. */
export interface Hover {
  readonly start: number;
  readonly end: number;
  readonly contents: readonly string[];
}

/** The hover at `offset` of the journey file `name`. */
export function hoverAt(a: Analysis, name: string, offset: number): Hover | undefined {
  const file = a.journeys.get(name);
  const target = file && targetAt(file, offset);
  if (!target) return undefined;
  const h = (s: Span, ...contents: string[]): Hover => ({ start: s.start, end: s.end, contents });
  if (target.kind === "condition-name") return h(target.decl.name.span, ...conditionDoc(a, target.decl.name.name));
  if (target.kind === "function") {
    const sig = functionSignature(target.ident.name);
    return sig ? h(target.ident.span, `**function** \`${sig}\``, FUNCTIONS[target.ident.name]!.doc) : undefined;
  }
  const catalog = a.catalog;
  if (!catalog) return undefined;
  switch (target.kind) {
    case "purpose": {
      const p = catalog.purposes.get(target.ident.name);
      return p && h(target.ident.span, `**purpose** \`${p.name}\``, purposeDoc(p));
    }
    case "event": {
      const ev = catalog.events.get(target.ident.name);
      return ev && h(target.ident.span, `**event** \`${ev.name}\``, eventDoc(ev));
    }
    case "action": {
      const act = catalog.actions.get(target.ident.name);
      return act && h(target.ident.span, `**action** \`${actionSignature(act)}\``, actionDoc(act));
    }
    case "argument": {
      const p = catalog.actions.get(target.action.name)?.params.get(target.ident.name);
      return p && h(target.ident.span, `**parameter** \`${p.name}: ${fieldTypeText(p.type)}\` of action \`${target.action.name}\``);
    }
    case "variable": {
      const t = resolvePath(listPath(target.list) ?? [], catalog, new Map(), undefined)?.type;
      return h(target.ident.span, `**variable** \`${target.ident.name}\`${t?.kind === "list" ? `: \`${typeName(t.of)}\`` : ""}`, "an element of the list");
    }
    case "path":
      return pathHover(a, catalog, target);
    case "outcome-type": {
      const o = outcomeTypes(catalog).get(target.ident.name);
      return o && h(target.ident.span, `**outcome type** \`${o.name}\`${o.harm ? " (harm)" : ""}`, outcomeDoc(o));
    }
    case "metric": {
      const m = parseMetric(target.ident.name);
      const o = m && outcomeTypes(catalog).get(m.type);
      if (!m || !o) return undefined;
      const what =
        m.kind === "rate"
          ? `the share of treated subjects with a \`${o.name}\` outcome within the window`
          : `the lower bound of the 95% interval of the treated minus the held-out share with a \`${o.name}\` outcome`;
      return h(
        target.ident.span,
        `**stop-loss metric** \`${target.ident.name}\``,
        `${what}; past the threshold, the service stops the journey until a person resumes it`,
      );
    }
  }
}

function outcomeDoc(o: OutcomeTypeDef): string {
  const kind = o.loc ? "declared in the catalog (`value: outcomes:`)" : "built in";
  return `${o.description ?? "an outcome reported to `POST /v1/outcomes`"} — ${kind}${o.harm ? "; a bad result: uplift in it is harm" : ""}`;
}

function conditionDoc(a: Analysis, name: string): string[] {
  const decl = a.conditions.get(name);
  if (!decl) return [];
  const body = a.sources.get(decl.span.file)?.slice(decl.body.span) ?? "";
  return [`**condition** \`${name}\``, "```journey\n" + `condition ${name} = ${body}` + "\n```", `defined in \`${decl.span.file}\``];
}

function pathHover(a: Analysis, catalog: Catalog, t: Extract<Target, { kind: "path" }>): Hover | undefined {
  const segs = t.path.segments;
  const head = segs[0]!;
  const upTo = segs.slice(0, t.segment + 1);
  const span = { file: head.span.file, start: head.span.start, end: segs[t.segment]!.span.end };
  const h = (...contents: string[]): Hover => ({ start: span.start, end: span.end, contents });
  const vars = new Map<string, string[]>();
  for (const [v, binder] of t.vars) {
    const p = listPath(binder.list);
    if (p) vars.set(v, p);
  }
  if (t.vars.has(head.name)) {
    const m = resolvePath(
      upTo.map((s) => s.name),
      catalog,
      vars,
      t.trigger,
    );
    return m && h(`**${t.segment === 0 ? "variable" : "member"}** \`${upTo.map((s) => s.name).join(".")}\`: \`${typeName(m.type)}\``);
  }
  if (segs.length === 1 && a.conditions.has(head.name)) return h(...conditionDoc(a, head.name));
  if (head.name === "now") return h("**now**: `datetime`, the request's time");
  if (head.name === "event") {
    if (t.segment === 0) return undefined;
    const m = resolvePath(
      upTo.map((s) => s.name),
      catalog,
      vars,
      t.trigger,
    );
    return m?.event && h(`**event field** \`event.${segs[1]!.name}\`: \`${typeName(m.type)}\``, `from the payload of \`${m.event.name}\``);
  }
  const entity = catalog.entities.get(head.name);
  if (!entity) return undefined;
  if (t.segment === 0) return h(`**entity** \`${entity.name}\``, entityDoc(entity, catalog));
  const f = entity.fields.get(segs[1]!.name);
  return f && h(`**field** \`${f.path}\``, fieldDoc(f));
}
