// What the language services say about a catalog element or a built-in, as Markdown: the
// field's type (printed exactly as the compiler's diagnostics print it), PII class, labels,
// lineage, residency and retention; events, purposes, actions, functions. Shared by hover and
// completion so an item reads the same in both.
import type { ActionDef, Catalog, EntityDef, EventDef, FieldDef, FieldType, PurposeDef } from "../../core/catalog/types.ts";
import { typeName } from "../checker/checked.ts";
import { FUNCTIONS, fromFieldType } from "../checker/types.ts";

/** A catalog type as the compiler prints it in diagnostics (`enum("retail", "sme")`, `list of …`). */
export function fieldTypeText(t: FieldType): string {
  return typeName(fromFieldType(t));
}

/** Everything a policy author needs to know about a field. */
export function fieldDoc(f: FieldDef): string {
  const rows: [string, string][] = [
    ["type", `\`${fieldTypeText(f.type)}\`${f.optional ? " (optional: guard with `is set`)" : ""}`],
    ["PII class", `\`${f.pii}\``],
    ["labels", f.labels.length ? f.labels.map((l) => `\`${l}\``).join(", ") : "none"],
    ["lineage", f.lineage ? `\`${f.lineage}\`` : "not declared"],
    ["residency", `\`${f.residency}\``],
  ];
  if (f.retention) rows.push(["retention", `\`${f.retention}\``]);
  if (f.freshness) rows.push(["freshness", `\`${f.freshness}\``]);
  return rows.map(([k, v]) => `**${k}**: ${v}`).join("  \n");
}

/** An entity: its key, fields and the events that bind it. */
export function entityDoc(e: EntityDef, catalog: Catalog): string {
  const events = [...catalog.events.values()].filter((ev) => ev.binds.includes(e.name)).map((ev) => `\`${ev.name}\``);
  return `**key**: \`${e.key}\`  \n**fields**: ${[...e.fields.keys()].map((f) => `\`${f}\``).join(", ")}  \n**bound by**: ${events.join(", ") || "no event"}`;
}

/** An event: what it binds, its payload, whether a scheduler sends it. */
export function eventDoc(e: EventDef): string {
  const payload = [...e.fields].map(([k, t]) => `\`event.${k}\`: \`${fieldTypeText(t)}\``);
  const rows = [`**binds**: ${e.binds.map((b) => `\`${b}\``).join(", ") || "nothing"}`, `**payload**: ${payload.join(", ") || "none"}`];
  if (e.schedule) rows.push("**schedule**: sent by a scheduler");
  if (e.freshness) rows.push(`**freshness**: \`${e.freshness}\``);
  return rows.join("  \n");
}

/** A purpose: lawful bases, channels, label rules. */
export function purposeDoc(p: PurposeDef): string {
  const rows = [
    `**lawful bases** (tried in order): ${p.bases.map((b) => `\`${b}\``).join(", ")}`,
    `**channels**: ${p.channels.map((c) => `\`${c}\``).join(", ")}`,
  ];
  if (p.forbids.length) rows.push(`**forbids labels**: ${p.forbids.map((l) => `\`${l}\``).join(", ")}`);
  if (p.allows.length) rows.push(`**allows sensitive labels**: ${p.allows.map((l) => `\`${l}\``).join(", ")}`);
  if (p.marketing) rows.push("**direct marketing**: an objection to direct marketing denies it");
  return rows.join("  \n");
}

/** `email(template: string)`. */
export function actionSignature(a: ActionDef): string {
  return `${a.name}(${[...a.params.values()].map((p) => `${p.name}: ${fieldTypeText(p.type)}`).join(", ")})`;
}

/** An action: channel, cost, parameters. */
export function actionDoc(a: ActionDef): string {
  const params = [...a.params.values()].map((p) => `\`${p.name}: ${fieldTypeText(p.type)}\``);
  return `**channel**: \`${a.channel}\`  \n**cost**: \`${a.cost}\`  \n**parameters** (all required): ${params.join(", ") || "none"}`;
}

/** `days_since(date | datetime) → int`, or undefined for a name that is no function. */
export function functionSignature(name: string): string | undefined {
  const sig = FUNCTIONS[name];
  if (!sig) return undefined;
  return `${name}(${sig.params.map((kinds) => kinds.join(" | ")).join(", ")}) → ${typeName(sig.result)}`;
}
