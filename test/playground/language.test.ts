// The playground's `.journey` language support against the real example catalog: the Monarch
// tokenizer comes from the grammar's token table, completions and hovers from the compiler's
// language services (compiler/services, also behind `kairos lsp`), types printed as the
// compiler prints them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Catalog } from "../../core/catalog/types.ts";
import { checkSources } from "../../compiler/pipeline.ts";
import { highlightRules, KEYWORD_SPECS } from "../../grammar/tokens.ts";
import { completionsAt, hoverAt } from "../../playground/src/catalog-help.ts";
import { journeyMonarch, TOKEN_NAMES } from "../../playground/src/monarch.ts";

const catalog: Catalog = checkSources({
  catalog: { name: "catalog.yaml", text: readFileSync(new URL("../../policies/catalog.yaml", import.meta.url), "utf8") },
  journeys: [],
  rego: [],
}).catalog!;

/** Completions at the `|` in `text`. */
function complete(text: string): { labels: string[]; from: number; at: number; details: Record<string, string | undefined> } {
  const at = text.indexOf("|");
  const src = text.slice(0, at) + text.slice(at + 1);
  const r = completionsAt(src, at, catalog);
  return { labels: r.items.map((i) => i.label), from: r.from, at, details: Object.fromEntries(r.items.map((i) => [i.label, i.detail])) };
}

function hover(text: string): string | undefined {
  const at = text.indexOf("|");
  return hoverAt(text.slice(0, at) + text.slice(at + 1), at, catalog)?.contents.join("\n");
}

const journey = (body: string, on = "daily") => `journey j {\n  purpose renewal_marketing\n  on      ${on}\n${body}\n}\n`;

describe("the Monarch tokenizer", () => {
  it("lists every keyword of the grammar's table under its highlighting class", () => {
    const monarch = journeyMonarch() as unknown as Record<string, unknown>;
    for (const k of KEYWORD_SPECS) expect(monarch[`${k.cls}Words`]).toContain(k.word);
  });

  it("has a rule for every literal and operator pattern of the grammar", () => {
    const root = (journeyMonarch().tokenizer["root"] ?? []) as unknown as [RegExp, unknown][];
    const sources = root.map((r) => r[0].source);
    for (const p of highlightRules().patterns) {
      expect(sources).toContain(new RegExp(p.regex).source);
      expect(root.find((r) => r[0].source === new RegExp(p.regex).source)?.[1]).toBe(TOKEN_NAMES[p.cls]);
    }
  });
});

describe("completions from the catalog", () => {
  it("offers an entity's fields with their types after `entity.`", () => {
    const c = complete(journey("  when    customer.|"));
    expect(c.labels).toContain("tenure_months");
    expect(c.details["tenure_months"]).toBe("int");
    expect(c.details["segment"]).toBe('enum("retail", "sme", "corporate")');
  });

  it("offers events, replacing a dotted name typed so far", () => {
    const text = "journey j {\n  on claim.fi|";
    const c = complete(text);
    expect(c.labels).toEqual([...catalog.events.keys()]);
    expect(c.at - c.from).toBe("claim.fi".length);
  });

  it("offers purposes, actions and an action's parameters", () => {
    expect(complete("journey j {\n  purpose |").labels).toEqual([...catalog.purposes.keys()]);
    expect(complete("journey j {\n  do |").labels).toEqual([...catalog.actions.keys()]);
    expect(complete("journey j {\n  do email(|").labels).toEqual(["template"]);
    expect(complete("journey j {\n  do agent_callback(|").labels).toEqual(["queue"]);
  });

  it("offers an enum field's values after a comparison", () => {
    expect(complete(journey('  when    customer.segment != "|')).labels).toEqual(['"retail"', '"sme"', '"corporate"']);
  });

  it("offers the trigger's payload fields after `event.`", () => {
    expect(complete(journey("  when    event.|", "ticket.resolved")).labels).toEqual(["ticket_id", "csat"]);
  });

  it("offers only the entities the trigger binds in an expression", () => {
    const c = complete(journey("  when    |", "ticket.resolved"));
    expect(c.labels).toContain("customer");
    expect(c.labels).not.toContain("policy");
    expect(c.labels).toContain("days_since");
  });

  it("offers the clauses not yet written at the start of a clause", () => {
    const c = complete(journey("  |"));
    expect(c.labels).toContain("when");
    expect(c.labels).not.toContain("purpose");
  });
});

describe("hovers from the catalog", () => {
  it("shows a field's type, PII class, labels, lineage and residency", () => {
    const text = hover(journey('  when    customer.em|ail == "x"'))!;
    expect(text).toContain("`customer.email`");
    expect(text).toContain("**type**: `string`");
    expect(text).toContain("**PII class**: `direct`");
    expect(text).toContain("**lineage**: `crm.contacts.email`");
    expect(text).toContain("**residency**: `eu`");
  });

  it("shows a sensitive field's labels", () => {
    const text = hover(journey('  when    claim.diag|nosis == "x"', "claim.filed"))!;
    expect(text).toContain("**PII class**: `sensitive`");
    expect(text).toContain("**labels**: `health`");
  });

  it("describes events, purposes and actions", () => {
    expect(hover("journey j {\n  on claim.fi|led after 3d\n")).toContain("**binds**: `customer`, `claim`");
    expect(hover("journey j {\n  purpose renewal_mar|keting\n")).toContain("**lawful bases** (tried in order): `consent`, `legitimate_interest`");
    expect(hover('journey j {\n  do agent_cal|lback(queue: "x")\n')).toContain("**cost**: `high`");
  });
});
