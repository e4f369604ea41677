// Completions and hovers for `.journey` files, from the loaded catalog model: entities, fields,
// events, purposes, actions and parameters. Pure functions of (text, offset, catalog), with no
// editor dependency, so they are tested in Node and adapted to Monaco in journey-language.ts.
import type { ActionDef, Catalog, EntityDef, EventDef, FieldDef, FieldType, PurposeDef } from "../../core/catalog/types.ts";
import { FUNCTIONS } from "../../compiler/checker/types.ts";
import { CLAUSE_KEYWORDS } from "../../grammar/tokens.ts";

export type ItemKind = "entity" | "field" | "event" | "purpose" | "action" | "param" | "keyword" | "function" | "value" | "condition" | "variable";

export interface CompletionItem {
  readonly label: string;
  readonly kind: ItemKind;
  /** One line shown beside the label (a type, a channel). */
  readonly detail?: string;
  /** Markdown. */
  readonly documentation?: string;
  /** Text to insert when it differs from the label. `$0` marks the cursor (a snippet). */
  readonly insert?: string;
}

export interface Completions {
  /** Offset where the replaced text starts (the cursor is the end). */
  readonly from: number;
  readonly items: readonly CompletionItem[];
}

export interface Hover {
  readonly start: number;
  readonly end: number;
  /** Markdown paragraphs. */
  readonly contents: readonly string[];
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Blanks out comments and string literals (keeping offsets) so scanning ignores their text. */
export function blankLiterals(text: string): string {
  return text.replace(/"(?:[^"\\\r\n]|\\.)*"?|#[^\r\n]*/g, (m) =>
    m.startsWith('"') ? '"' + " ".repeat(Math.max(0, m.length - 2)) + (m.length > 1 && m.endsWith('"') ? '"' : " ") : " ".repeat(m.length),
  );
}

/** The journey declaration around an offset: its body text start and its trigger event. */
interface Enclosing {
  readonly start: number;
  readonly depth: number;
  readonly trigger?: string;
}

function enclosing(clean: string, offset: number): Enclosing | undefined {
  let depth = 0;
  let start = -1;
  for (let i = 0; i < offset; i++) {
    const c = clean[i];
    if (c === "{") {
      if (depth === 0) start = i + 1;
      depth++;
    } else if (c === "}") depth = Math.max(0, depth - 1);
  }
  if (depth === 0 || start < 0) return undefined;
  let end = clean.indexOf("\n}", start);
  if (end === -1) end = clean.length;
  const body = clean.slice(start, Math.max(end, offset));
  const trigger = /(?:^|\n)\s*on\s+([A-Za-z_][\w.]*)/.exec(body)?.[1];
  return { start, depth, ...(trigger ? { trigger } : {}) };
}

export function typeText(t: FieldType): string {
  switch (t.kind) {
    case "scalar":
      return t.name;
    case "enum":
      return `enum (${t.values.map((v) => JSON.stringify(v)).join(" | ")})`;
    case "list":
      return t.of.kind === "record" ? `list of { ${[...t.of.members].map(([k, v]) => `${k}: ${typeText(v)}`).join(", ")} }` : `list of ${typeText(t.of.type)}`;
  }
}

/** Everything a policy author needs to know about a field, as Markdown. */
export function fieldDoc(f: FieldDef): string {
  const rows: [string, string][] = [
    ["type", `\`${typeText(f.type)}\`${f.optional ? " (optional: guard with `is set`)" : ""}`],
    ["PII class", `\`${f.pii}\``],
    ["labels", f.labels.length ? f.labels.map((l) => `\`${l}\``).join(", ") : "none"],
    ["lineage", f.lineage ? `\`${f.lineage}\`` : "not declared"],
    ["residency", `\`${f.residency}\``],
  ];
  if (f.retention) rows.push(["retention", `\`${f.retention}\``]);
  if (f.freshness) rows.push(["freshness", `\`${f.freshness}\``]);
  return rows.map(([k, v]) => `**${k}**: ${v}`).join("  \n");
}

function entityDoc(e: EntityDef, catalog: Catalog): string {
  const events = [...catalog.events.values()].filter((ev) => ev.binds.includes(e.name)).map((ev) => `\`${ev.name}\``);
  return `**key**: \`${e.key}\`  \n**fields**: ${[...e.fields.keys()].map((f) => `\`${f}\``).join(", ")}  \n**bound by**: ${events.join(", ") || "no event"}`;
}

function eventDoc(e: EventDef): string {
  const payload = [...e.fields].map(([k, t]) => `\`event.${k}\`: \`${typeText(t)}\``);
  const rows = [`**binds**: ${e.binds.map((b) => `\`${b}\``).join(", ") || "nothing"}`, `**payload**: ${payload.join(", ") || "none"}`];
  if (e.schedule) rows.push("**schedule**: sent by a scheduler");
  if (e.freshness) rows.push(`**freshness**: \`${e.freshness}\``);
  return rows.join("  \n");
}

function purposeDoc(p: PurposeDef): string {
  const rows = [
    `**lawful bases** (tried in order): ${p.bases.map((b) => `\`${b}\``).join(", ")}`,
    `**channels**: ${p.channels.map((c) => `\`${c}\``).join(", ")}`,
  ];
  if (p.forbids.length) rows.push(`**forbids labels**: ${p.forbids.map((l) => `\`${l}\``).join(", ")}`);
  if (p.allows.length) rows.push(`**allows sensitive labels**: ${p.allows.map((l) => `\`${l}\``).join(", ")}`);
  if (p.marketing) rows.push("**direct marketing**: an objection to direct marketing denies it");
  return rows.join("  \n");
}

function actionSignature(a: ActionDef): string {
  return `${a.name}(${[...a.params.values()].map((p) => `${p.name}: ${typeText(p.type)}`).join(", ")})`;
}

function actionDoc(a: ActionDef): string {
  return `**channel**: \`${a.channel}\`  \n**cost**: \`${a.cost}\`  \n**parameters** (all required): ${[...a.params.values()].map((p) => `\`${p.name}: ${typeText(p.type)}\``).join(", ") || "none"}`;
}

function functionSignature(name: string): string {
  const sig = FUNCTIONS[name]!;
  return `${name}(${sig.params.map((kinds) => kinds.join(" | ")).join(", ")}) → ${sig.result.kind}`;
}

/** Names declared by `condition NAME =` in any of the texts. */
export function conditionNames(texts: readonly string[]): string[] {
  const names = new Set<string>();
  for (const t of texts) for (const m of blankLiterals(t).matchAll(/(?:^|\n)\s*condition\s+([A-Za-z_]\w*)\s*=/g)) names.add(m[1]!);
  return [...names].sort();
}

/** Quantifier variables in scope: `any x in customer.recent_interactions:` → x ↦ that field. */
function quantifierVars(clean: string, from: number, to: number, catalog: Catalog): Map<string, FieldDef> {
  const vars = new Map<string, FieldDef>();
  for (const m of clean.slice(from, to).matchAll(/\b(?:any|all|count)\s+([A-Za-z_]\w*)\s+in\s+([A-Za-z_]\w*)\.([A-Za-z_]\w*)/g)) {
    const f = catalog.entities.get(m[2]!)?.fields.get(m[3]!);
    if (f) vars.set(m[1]!, f);
  }
  return vars;
}

function listMembers(f: FieldDef): [string, FieldType][] {
  return f.type.kind === "list" && f.type.of.kind === "record" ? [...f.type.of.members] : [];
}

const EXPR_KEYWORDS = ["and", "or", "not", "in", "is set", "is not set", "true", "false"];
const QUANTIFIERS = ["any", "all", "count"];

/**
 * Completions at a cursor offset. `others` are the texts of the other journey files (for
 * named conditions).
 */
export function completionsAt(text: string, offset: number, catalog: Catalog | undefined, others: readonly string[] = []): Completions {
  const clean = blankLiterals(text);
  const lineStart = clean.lastIndexOf("\n", offset - 1) + 1;
  const line = clean.slice(lineStart, offset);
  const word = /[A-Za-z_]\w*$/.exec(line)?.[0] ?? "";
  const from = offset - word.length;
  const enc = enclosing(clean, offset);
  const result = (items: CompletionItem[], start = from): Completions => ({ from: start, items });

  if (!enc) {
    if (/^\s*[A-Za-z_]*$/.test(line)) {
      return result([
        {
          label: "journey",
          kind: "keyword",
          detail: "a journey rule",
          insert: "journey ${1:name} {\n  purpose ${2}\n  on      ${3}\n  when    ${4:true}\n  do      ${5}\n}",
        },
        { label: "condition", kind: "keyword", detail: "a named, reusable condition", insert: "condition ${1:name} = ${2}" },
      ]);
    }
    return result([]);
  }
  if (!catalog) return result([]);

  // Clause heads: the first word on a line inside a journey.
  if (/^\s*[A-Za-z_]*$/.test(line) && enc.depth === 1) {
    const present = new Set([...clean.slice(enc.start, offset).matchAll(/(?:^|\n)\s*([a-z]+)\b/g)].map((m) => m[1]));
    return result(CLAUSE_KEYWORDS.filter((k) => !present.has(k) || k === word).map((k) => ({ label: k, kind: "keyword" as const, detail: "clause" })));
  }
  let m: RegExpExecArray | null;
  if ((m = /\bon\s+([A-Za-z_][\w.]*)?$/.exec(line))) {
    return result(
      [...catalog.events.values()].map((e) => ({ label: e.name, kind: "event" as const, detail: `binds ${e.binds.join(", ")}`, documentation: eventDoc(e) })),
      offset - (m[1]?.length ?? 0),
    );
  }
  if (/\bpurpose\s+\w*$/.test(line)) {
    return result(
      [...catalog.purposes.values()].map((p) => ({ label: p.name, kind: "purpose" as const, detail: p.channels.join(", "), documentation: purposeDoc(p) })),
    );
  }
  if (/\bdo\s+\w*$/.test(line)) {
    return result(
      [...catalog.actions.values()].map((a) => ({
        label: a.name,
        kind: "action" as const,
        detail: `${a.channel} · ${actionSignature(a)}`,
        documentation: actionDoc(a),
        insert: `${a.name}(${[...a.params.values()].map((p, i) => `${p.name}: ${p.type.kind === "scalar" && p.type.name === "string" ? `"\${${i + 1}}"` : `\${${i + 1}}`}`).join(", ")})`,
      })),
    );
  }
  if ((m = /\bdo\s+([A-Za-z_]\w*)\s*\(([^)]*)$/.exec(line)) && /(?:^|,)\s*\w*$/.test(m[2]!)) {
    const action = catalog.actions.get(m[1]!);
    const given = new Set([...m[2]!.matchAll(/(\w+)\s*:/g)].map((g) => g[1]));
    return result(
      [...(action?.params.values() ?? [])]
        .filter((p) => !given.has(p.name))
        .map((p) => ({
          label: p.name,
          kind: "param" as const,
          detail: typeText(p.type),
          insert: p.type.kind === "scalar" && p.type.name === "string" ? `${p.name}: "$0"` : `${p.name}: `,
        })),
    );
  }
  if (/\brisk\s+\w*$/.test(line)) return result(["low", "medium", "high"].map((v) => ({ label: v, kind: "value" as const })));
  if (/\breview\s+\w*$/.test(line)) return result([{ label: "required", kind: "value" }]);

  const vars = quantifierVars(clean, enc.start, offset, catalog);
  // Enum values after a comparison: `customer.segment != "` or `claim.status in ["filed", "`.
  const rawLine = text.slice(lineStart, offset);
  if ((m = /([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*(?:==|!=|\bin\s*\[[^\]]*)\s*"?([\w-]*)$/.exec(rawLine))) {
    const f = catalog.entities.get(m[1]!)?.fields.get(m[2]!);
    const t = f?.type ?? listMembers(vars.get(m[1]!) ?? ({} as FieldDef)).find(([k]) => k === m![2])?.[1];
    if (t?.kind === "enum") {
      const quoted = rawLine.slice(0, rawLine.length - m[3]!.length).endsWith('"');
      const start = offset - m[3]!.length - (quoted ? 1 : 0);
      const closes = text[offset] === '"';
      return result(
        t.values.map((v) => ({ label: JSON.stringify(v), kind: "value" as const, insert: JSON.stringify(v).slice(0, closes ? -1 : undefined) })),
        start,
      );
    }
  }
  if ((m = /([A-Za-z_]\w*)\.(\w*)$/.exec(line))) {
    const head = m[1]!;
    if (head === "event") {
      const ev = enc.trigger ? catalog.events.get(enc.trigger) : undefined;
      const events = ev ? [ev] : [...catalog.events.values()];
      return result(
        events.flatMap((e) => [...e.fields].map(([k, t]) => ({ label: k, kind: "field" as const, detail: `${typeText(t)} · payload of ${e.name}` }))),
      );
    }
    const entity = catalog.entities.get(head);
    if (entity)
      return result([...entity.fields.values()].map((f) => ({ label: f.name, kind: "field" as const, detail: typeText(f.type), documentation: fieldDoc(f) })));
    const v = vars.get(head);
    if (v) return result(listMembers(v).map(([k, t]) => ({ label: k, kind: "field" as const, detail: typeText(t) })));
    return result([]);
  }
  // An expression: entities the trigger binds (all when unknown), event, now, functions, conditions.
  const ev = enc.trigger ? catalog.events.get(enc.trigger) : undefined;
  const entities = [...catalog.entities.values()].filter((e) => !ev || ev.binds.includes(e.name));
  const items: CompletionItem[] = [
    ...entities.map((e) => ({ label: e.name, kind: "entity" as const, detail: `entity · key ${e.key}`, documentation: entityDoc(e, catalog) })),
    ...[...vars.keys()].map((v) => ({ label: v, kind: "variable" as const, detail: "quantifier variable" })),
    { label: "now", kind: "keyword", detail: "datetime · the request's time" },
    ...(ev && ev.fields.size > 0 ? [{ label: "event", kind: "keyword" as const, detail: `payload of ${ev.name}` }] : []),
    ...Object.entries(FUNCTIONS).map(([name, sig]) => ({
      label: name,
      kind: "function" as const,
      detail: functionSignature(name),
      documentation: sig.doc,
      insert: `${name}($0)`,
    })),
    ...conditionNames([text, ...others]).map((c) => ({ label: c, kind: "condition" as const, detail: "named condition" })),
    ...EXPR_KEYWORDS.map((k) => ({ label: k, kind: "keyword" as const })),
    ...QUANTIFIERS.map((q) => ({ label: q, kind: "keyword" as const, detail: `${q} x in list: condition`, insert: `${q} \${1:x} in \${2}: \${3}` })),
  ];
  return result(items);
}

/** The identifier at an offset (or ending at it), with its range. */
function identifierAt(text: string, offset: number): { start: number; end: number; word: string } | undefined {
  let start = offset;
  while (start > 0 && /\w/.test(text[start - 1]!)) start--;
  IDENT.lastIndex = start;
  const m = IDENT.exec(text);
  if (!m || start + m[0].length < offset) return undefined;
  return { start, end: start + m[0].length, word: m[0] };
}

/** Hover documentation for the name at an offset. */
export function hoverAt(text: string, offset: number, catalog: Catalog | undefined): Hover | undefined {
  if (!catalog) return undefined;
  const clean = blankLiterals(text);
  const id = identifierAt(clean, offset);
  if (!id) return undefined;
  const lineStart = clean.lastIndexOf("\n", id.start - 1) + 1;
  const before = clean.slice(lineStart, id.start);
  const after = clean.slice(id.end, id.end + 80);
  const hover = (start: number, end: number, ...contents: string[]): Hover => ({ start, end, contents });

  // Event names contain dots: `on claim.filed after 3d`.
  const onMatch = /\bon\s+([\w.]*)$/.exec(before);
  if (onMatch) {
    const name = onMatch[1]! + id.word + (/^[\w.]*/.exec(after)?.[0] ?? "");
    const ev = catalog.events.get(name);
    if (ev) return hover(id.start - onMatch[1]!.length, id.start - onMatch[1]!.length + name.length, `**event** \`${ev.name}\``, eventDoc(ev));
  }
  if (/\bpurpose\s+$/.test(before)) {
    const p = catalog.purposes.get(id.word);
    if (p) return hover(id.start, id.end, `**purpose** \`${p.name}\``, purposeDoc(p));
  }
  if (/\bdo\s+$/.test(before)) {
    const a = catalog.actions.get(id.word);
    if (a) return hover(id.start, id.end, `**action** \`${actionSignature(a)}\``, actionDoc(a));
  }
  const call = /\bdo\s+([A-Za-z_]\w*)\s*\([^)]*$/.exec(before);
  if (call && /^\s*:/.test(after)) {
    const p = catalog.actions.get(call[1]!)?.params.get(id.word);
    if (p) return hover(id.start, id.end, `**parameter** \`${p.name}: ${typeText(p.type)}\` of action \`${call[1]}\``);
  }
  const member = /([A-Za-z_]\w*)\.$/.exec(before);
  if (member) {
    const head = member[1]!;
    const f = catalog.entities.get(head)?.fields.get(id.word);
    if (f) return hover(id.start - head.length - 1, id.end, `**field** \`${f.path}\``, fieldDoc(f));
    if (head === "event") {
      const enc = enclosing(clean, id.start);
      const ev = enc?.trigger ? catalog.events.get(enc.trigger) : undefined;
      const t = ev?.fields.get(id.word);
      if (t) return hover(id.start - 6, id.end, `**event field** \`event.${id.word}\`: \`${typeText(t)}\``, `from the payload of \`${ev!.name}\``);
    }
    const enc = enclosing(clean, id.start);
    const v = enc ? quantifierVars(clean, enc.start, id.start, catalog).get(head) : undefined;
    const t = v ? listMembers(v).find(([k]) => k === id.word)?.[1] : undefined;
    if (t) return hover(id.start - head.length - 1, id.end, `**member** \`${head}.${id.word}\`: \`${typeText(t)}\``, `an element of \`${v!.path}\``);
  }
  const entity = catalog.entities.get(id.word);
  if (entity) return hover(id.start, id.end, `**entity** \`${entity.name}\``, entityDoc(entity, catalog));
  if (FUNCTIONS[id.word] && /^\s*\(/.test(after)) return hover(id.start, id.end, `**function** \`${functionSignature(id.word)}\``, FUNCTIONS[id.word]!.doc);
  if (id.word === "now") return hover(id.start, id.end, "**now**: `datetime`, the request's time");
  return undefined;
}
