// Completion: what may be written at the cursor, from the catalog and the checker's scope —
// clause keywords not yet written, events after `on`, purposes, actions and their parameters,
// an entity's fields after `entity.`, the trigger's payload after `event.`, a quantifier
// variable's members, an enum's values after `==`/`!=`/`in [`, and in an expression the
// entities the trigger binds, functions, named conditions and keywords. In test blocks:
// channels, purposes, actions and events after the statement words that take them. After `goal`
// the outcome types; in `stop_loss` the metrics, then `or` and `min`.
import type { IToken } from "chevrotain";
import type { Catalog } from "../../core/catalog/types.ts";
import { CLAUSE_KEYWORDS, Dot, Identifier, LParen, PercentLit, RParen, StringLit } from "../../grammar/tokens.ts";
import { outcomeTypes } from "../../core/catalog/value.ts";
import { typeName } from "../checker/checked.ts";
import { FUNCTIONS } from "../checker/types.ts";
import type { Analysis } from "./analysis.ts";
import { actionDoc, actionSignature, entityDoc, eventDoc, fieldDoc, fieldTypeText, functionSignature, purposeDoc } from "./describe.ts";
import { type CursorContext, cursorContext, isWord, resolvePath, tokenEnd } from "./scope.ts";

/** What a completion item is, for the editor's icon. */
export type ItemKind = "entity" | "field" | "event" | "purpose" | "action" | "param" | "keyword" | "function" | "value" | "condition" | "variable" | "channel";

/** One completion. */
export interface CompletionItem {
  readonly label: string;
  readonly kind: ItemKind;
  /** One line beside the label: a type (as the compiler prints it), a channel. */
  readonly detail?: string;
  /** Markdown. */
  readonly documentation?: string;
  /** Text to insert when it differs from the label. */
  readonly insert?: string;
  /** `insert` is a snippet (`${1:name}`, `$0`). */
  readonly snippet?: boolean;
}

/** The completions at a cursor: they replace the text from `from` to the cursor. */
export interface Completions {
  readonly from: number;
  readonly items: readonly CompletionItem[];
}

const CONTINUATIONS = new Set(["and", "or", "not", "in", "is", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "(", "[", ",", ":", "=", "."]);
const EXPR_KEYWORDS = ["and", "or", "not", "in", "is set", "is not set", "true", "false"];

/** Completions at `offset` of the journey file `name` whose current text is `text`. */
export function completionsAt(a: Analysis, name: string, text: string, offset: number): Completions {
  const ctx = cursorContext(name, text, offset);
  const done = (items: CompletionItem[], from = ctx.from): Completions => ({ from, items });
  const before = ctx.before;
  const prev = before[before.length - 1];
  const catalog = a.catalog;

  if (ctx.block === "top" || (ctx.block === "condition" && !before.some((t, i) => i > 0 && t.image === "=" && before[i - 2]?.image === "condition"))) {
    if (!ctx.lineStart) return done([]);
    return done(TOP_LEVEL);
  }
  if (!catalog) return done([]);
  if (ctx.block === "test" || ctx.block === "property") return done(testCompletions(ctx, catalog));

  if (ctx.inString) return done(enumValues(ctx, catalog) ?? []);
  // Clause heads: the first word on a line inside a journey, unless the line continues an expression.
  if (ctx.block === "journey" && ctx.depth === 1 && ctx.lineStart && !(prev && CONTINUATIONS.has(prev.image))) {
    const present = new Set(ctx.clauses);
    const clauses = CLAUSE_KEYWORDS.filter((k) => !present.has(k) || k === ctx.partial);
    return done(clauses.map((k) => ({ label: k, kind: "keyword" as const, detail: "clause" })));
  }
  // `on claim.fi|`: a dotted event name typed so far.
  let k = before.length;
  while (k > 0 && (isWord(before[k - 1]) || before[k - 1]!.tokenType === Dot) && before[k - 1]!.image !== "on") k--;
  if (before[k - 1]?.image === "on" && before[k - 1]?.tokenType !== Identifier && ctx.clause === "on") {
    const from = k < before.length ? before[k]!.startOffset : ctx.from;
    return done(events(catalog), from);
  }
  if (ctx.clause === "purpose" && prev?.image === "purpose") return done(purposes(catalog));
  if (ctx.clause === "risk" && prev?.image === "risk") return done(["low", "medium", "high"].map((v) => ({ label: v, kind: "value" as const })));
  if (ctx.clause === "review" && prev?.image === "review") return done([{ label: "required", kind: "value" }]);
  if (ctx.clause === "goal") {
    if (prev?.image === "goal") return done(outcomeItems(catalog));
    if (prev && isWord(prev) && before[before.length - 2]?.image === "goal")
      return done([{ label: "within", kind: "keyword", detail: "the window after the action" }]);
    return done([]);
  }
  if (ctx.clause === "stop_loss") {
    if (prev?.image === "stop_loss" || prev?.image === "or") return done(metricItems(catalog));
    if (prev?.tokenType === PercentLit)
      return done([
        { label: "or", kind: "keyword", detail: "another condition" },
        { label: "min", kind: "keyword", detail: "treated subjects before judging (default 100)" },
      ]);
    return done([]);
  }
  if (ctx.clause === "do") {
    if (prev?.image === "do") return done(actions(catalog, true));
    const open = before.findLastIndex((t) => t.tokenType === LParen);
    const closed = before.findLastIndex((t) => t.tokenType === RParen);
    if (open > closed && (prev?.tokenType === LParen || prev?.image === ",")) {
      const action = catalog.actions.get(before[open - 1]?.image ?? "");
      const given = new Set(before.slice(open).flatMap((t, i, all) => (isWord(t) && all[i + 1]?.image === ":" ? [t.image] : [])));
      return done(
        [...(action?.params.values() ?? [])]
          .filter((p) => !given.has(p.name))
          .map((p) => {
            const str = p.type.kind === "scalar" && p.type.name === "string";
            return { label: p.name, kind: "param" as const, detail: fieldTypeText(p.type), insert: str ? `${p.name}: "$0"` : `${p.name}: `, snippet: str };
          }),
      );
    }
    return done([]);
  }
  if (ctx.clause !== "when" && ctx.clause !== "reason" && ctx.block !== "condition") return done([]);
  const values = enumValues(ctx, catalog);
  if (values) return done(values);
  if (prev?.tokenType === Dot) return done(members(ctx, catalog));
  return done(expressionItems(a, ctx, catalog));
}

const TOP_LEVEL: CompletionItem[] = [
  {
    label: "journey",
    kind: "keyword",
    detail: "a journey rule",
    insert: "journey ${1:name} {\n  purpose ${2}\n  on      ${3}\n  when    ${4:true}\n  do      ${5}\n}",
    snippet: true,
  },
  { label: "condition", kind: "keyword", detail: "a named, reusable condition", insert: "condition ${1:name} = ${2}", snippet: true },
  { label: "test", kind: "keyword", detail: "an example request and its expected decision", insert: 'test "${1:name}" {\n  $0\n}', snippet: true },
  { label: "property", kind: "keyword", detail: "an invariant over generated requests", insert: 'property "${1:name}" {\n  $0\n}', snippet: true },
];

function events(catalog: Catalog): CompletionItem[] {
  return [...catalog.events.values()].map((e) => ({
    label: e.name,
    kind: "event" as const,
    detail: `binds ${e.binds.join(", ")}`,
    documentation: eventDoc(e),
  }));
}

function purposes(catalog: Catalog): CompletionItem[] {
  return [...catalog.purposes.values()].map((p) => ({ label: p.name, kind: "purpose" as const, detail: p.channels.join(", "), documentation: purposeDoc(p) }));
}

function actions(catalog: Catalog, withArgs: boolean): CompletionItem[] {
  return [...catalog.actions.values()].map((a) => {
    const params = [...a.params.values()].map(
      (p, i) => `${p.name}: ${p.type.kind === "scalar" && p.type.name === "string" ? `"\${${i + 1}}"` : `\${${i + 1}}`}`,
    );
    return {
      label: a.name,
      kind: "action" as const,
      detail: `${a.channel} · ${actionSignature(a)}`,
      documentation: actionDoc(a),
      ...(withArgs ? { insert: `${a.name}(${params.join(", ")})`, snippet: true } : {}),
    };
  });
}

/** After `goal`: the catalog's outcome types. */
function outcomeItems(catalog: Catalog): CompletionItem[] {
  return [...outcomeTypes(catalog).values()].map((o) => ({
    label: o.name,
    kind: "value" as const,
    detail: o.harm ? "outcome type · harm" : "outcome type",
    ...(o.description ? { documentation: o.description } : {}),
  }));
}

/** After `stop_loss` or `or` in it: `<type>_rate` and `<type>_uplift` of every outcome type, harms first. */
function metricItems(catalog: Catalog): CompletionItem[] {
  const types = [...outcomeTypes(catalog).values()].sort((a, b) => Number(b.harm) - Number(a.harm));
  return types.flatMap((o) => [
    { label: `${o.name}_rate`, kind: "value" as const, detail: "share of treated subjects", insert: `${o.name}_rate > \${1:1}%`, snippet: true },
    {
      label: `${o.name}_uplift`,
      kind: "value" as const,
      detail: "treated minus held out (needs holdout)",
      insert: `${o.name}_uplift > \${1:1}%`,
      snippet: true,
    },
  ]);
}

function channels(catalog: Catalog): CompletionItem[] {
  const names = [...new Set([...catalog.actions.values()].map((a) => a.channel))];
  return names.map((c) => ({
    label: c,
    kind: "channel" as const,
    detail: `channel of ${[...catalog.actions.values()]
      .filter((a) => a.channel === c)
      .map((a) => a.name)
      .join(", ")}`,
  }));
}

/** Test and property statements: the words that take a catalog name. */
function testCompletions(ctx: CursorContext, catalog: Catalog): CompletionItem[] {
  const prev = ctx.before[ctx.before.length - 1];
  switch (prev?.image) {
    case "channel":
      return channels(catalog);
    case "consent":
    case "purpose":
      return purposes(catalog);
    case "action":
      return actions(catalog, false);
    case "on":
      return events(catalog);
    default:
      return [];
  }
}

/** The path ending just before token index `end` (exclusive): `customer.segment`. */
function pathBefore(before: readonly IToken[], end: number): string[] | undefined {
  const segs: string[] = [];
  let k = end - 1;
  while (isWord(before[k])) {
    segs.unshift(before[k]!.image);
    if (before[k - 1]?.tokenType !== Dot || tokenEnd(before[k - 2] ?? before[k]!) !== before[k - 1]!.startOffset) break;
    k -= 2;
  }
  return segs.length ? segs : undefined;
}

/** An enum's values after `path ==`, `path !=` or `path in [ … ,`, quoted. */
function enumValues(ctx: CursorContext, catalog: Catalog): CompletionItem[] | undefined {
  const b = ctx.before;
  let k = b.length - 1;
  let path: string[] | undefined;
  if (b[k]?.image === "==" || b[k]?.image === "!=") path = pathBefore(b, k);
  else {
    while (k >= 0 && (b[k]!.tokenType === StringLit || b[k]!.image === ",")) k--;
    if (b[k]?.image === "[" && b[k - 1]?.image === "in") path = pathBefore(b, k - 1);
  }
  if (!path) return undefined;
  const meaning = resolvePath(path, catalog, ctx.vars, ctx.trigger);
  if (meaning?.type.kind !== "enum") return undefined;
  return meaning.type.values.map((v) => {
    const quoted = JSON.stringify(v);
    return { label: quoted, kind: "value" as const, detail: typeName(meaning.type), insert: ctx.closingQuote ? quoted.slice(0, -1) : quoted };
  });
}

/** After `head.`: an entity's fields, the trigger's payload, a quantifier variable's members. */
function members(ctx: CursorContext, catalog: Catalog): CompletionItem[] {
  const head = pathBefore(ctx.before, ctx.before.length - 1);
  if (!head) return [];
  if (head.length === 1 && head[0] === "event") {
    const ev = ctx.trigger ? catalog.events.get(ctx.trigger) : undefined;
    const evs = ev ? [ev] : [...catalog.events.values()];
    return evs.flatMap((e) => [...e.fields].map(([k, t]) => ({ label: k, kind: "field" as const, detail: `${fieldTypeText(t)} · payload of ${e.name}` })));
  }
  const entity = head.length === 1 && !ctx.vars.has(head[0]!) ? catalog.entities.get(head[0]!) : undefined;
  if (entity)
    return [...entity.fields.values()].map((f) => ({ label: f.name, kind: "field" as const, detail: fieldTypeText(f.type), documentation: fieldDoc(f) }));
  const t = resolvePath(head, catalog, ctx.vars, ctx.trigger)?.type;
  if (t?.kind !== "record") return [];
  return [...t.members].map(([k, mt]) => ({ label: k, kind: "field" as const, detail: typeName(mt) }));
}

/** An expression: the entities in scope, variables, `now`, `event`, functions, conditions, keywords. */
function expressionItems(a: Analysis, ctx: CursorContext, catalog: Catalog): CompletionItem[] {
  const ev = ctx.trigger ? catalog.events.get(ctx.trigger) : undefined;
  const entities = [...catalog.entities.values()].filter((e) => !ev || ev.binds.includes(e.name));
  return [
    ...entities.map((e) => ({ label: e.name, kind: "entity" as const, detail: `entity · key ${e.key}`, documentation: entityDoc(e, catalog) })),
    ...[...ctx.vars.keys()].map((v) => ({ label: v, kind: "variable" as const, detail: "quantifier variable" })),
    { label: "now", kind: "keyword", detail: "datetime · the request's time" },
    ...(ev && ev.fields.size > 0 ? [{ label: "event", kind: "keyword" as const, detail: `payload of ${ev.name}` }] : []),
    ...Object.keys(FUNCTIONS).map((f) => ({
      label: f,
      kind: "function" as const,
      detail: functionSignature(f)!,
      documentation: FUNCTIONS[f]!.doc,
      insert: `${f}($0)`,
      snippet: true,
    })),
    ...[...a.conditions.keys()].sort().map((c) => ({ label: c, kind: "condition" as const, detail: "named condition" })),
    ...EXPR_KEYWORDS.map((w) => ({ label: w, kind: "keyword" as const })),
    ...["any", "all", "count"].map((q) => ({
      label: q,
      kind: "keyword" as const,
      detail: `${q} x in list: condition`,
      insert: `${q} \${1:x} in \${2}: \${3}`,
      snippet: true,
    })),
  ];
}
