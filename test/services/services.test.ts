// The language services (compiler/services) against the example policy set's real catalog:
// completion from the checker's scope, hover, go to definition, formatting edits and the
// "did you mean" quick fixes. The language server and the playground adapt exactly these.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatFile } from "../../compiler/format/formatter.ts";
import { SourceFile } from "../../core/source.ts";
import {
  analyzeJourneys,
  completionsAt,
  definitionAt,
  formattingEdits,
  hoverAt,
  LanguageService,
  quickFixesIn,
  type Analysis,
} from "../../compiler/services/index.ts";

const catalogText = readFileSync(new URL("../../policies/catalog.yaml", import.meta.url), "utf8");
const base = new LanguageService().analyze({ catalog: { name: "catalog.yaml", text: catalogText }, journeys: [], rego: [] });
const catalog = base.catalog!;

/** Splits `|` out of a text: the text and the cursor offset. */
function cursor(text: string): { text: string; at: number } {
  const at = text.indexOf("|");
  return { text: text.slice(0, at) + text.slice(at + 1), at };
}

function complete(withCursor: string, others: { name: string; text: string }[] = []) {
  const { text, at } = cursor(withCursor);
  const a = analyzeJourneys(catalog, [{ name: "j.journey", text }, ...others]);
  const r = completionsAt(a, "j.journey", text, at);
  return { labels: r.items.map((i) => i.label), from: r.from, at, details: Object.fromEntries(r.items.map((i) => [i.label, i.detail])) };
}

function analyse(files: Record<string, string>): Analysis {
  return new LanguageService().analyze({
    catalog: { name: "catalog.yaml", text: catalogText },
    journeys: Object.entries(files).map(([name, text]) => ({ name, text })),
    rego: [],
  });
}

function hover(withCursor: string): string | undefined {
  const { text, at } = cursor(withCursor);
  return hoverAt(analyse({ "j.journey": text }), "j.journey", at)?.contents.join("\n");
}

const journey = (body: string, on = "daily") => `journey j {\n  purpose renewal_marketing\n  on      ${on}\n${body}\n}\n`;

describe("completion", () => {
  it("offers an entity's fields after `entity.`, typed as the compiler prints types", () => {
    const c = complete(journey("  when    customer.|"));
    expect(c.labels).toEqual([...catalog.entities.get("customer")!.fields.keys()]);
    expect(c.details["tenure_months"]).toBe("int");
    expect(c.details["segment"]).toBe('enum("retail", "sme", "corporate")');
    expect(c.details["recent_interactions"]).toBe("list of record {at, channel, sentiment}");
  });

  it("offers events, replacing a dotted name typed so far", () => {
    const c = complete("journey j {\n  on claim.fi|");
    expect(c.labels).toEqual([...catalog.events.keys()]);
    expect(c.at - c.from).toBe("claim.fi".length);
  });

  it("offers purposes, actions and an action's parameters not yet given", () => {
    expect(complete("journey j {\n  purpose |").labels).toEqual([...catalog.purposes.keys()]);
    expect(complete("journey j {\n  do |").labels).toEqual([...catalog.actions.keys()]);
    expect(complete("journey j {\n  do email(|").labels).toEqual(["template"]);
    expect(complete('journey j {\n  do email(template: "x", |').labels).toEqual([]);
  });

  it("offers an enum field's values after a comparison, inside a string and in a list", () => {
    expect(complete(journey('  when    customer.segment != "|')).labels).toEqual(['"retail"', '"sme"', '"corporate"']);
    expect(complete(journey("  when    customer.segment == |")).labels).toEqual(['"retail"', '"sme"', '"corporate"']);
    expect(complete(journey('  when    policy.product in ["home", |', "daily")).labels).toEqual(['"motor"', '"home"', '"health"', '"life"']);
  });

  it("offers a quantifier variable's members", () => {
    const c = complete(journey("  when    any i in customer.recent_interactions: i.|"));
    expect(c.labels).toEqual(["at", "channel", "sentiment"]);
    expect(c.details["sentiment"]).toBe('enum("positive", "neutral", "negative")');
    expect(complete(journey('  when    any i in customer.recent_interactions: i.sentiment == "|')).labels).toEqual(['"positive"', '"neutral"', '"negative"']);
  });

  it("offers the trigger's payload fields after `event.`", () => {
    expect(complete(journey("  when    event.|", "ticket.resolved")).labels).toEqual(["ticket_id", "csat"]);
  });

  it("offers only the entities the trigger binds, functions and named conditions from every file", () => {
    const c = complete(journey("  when    |", "ticket.resolved"), [{ name: "c.journey", text: "condition loyal = customer.tenure_months > 24\n" }]);
    expect(c.labels).toContain("customer");
    expect(c.labels).not.toContain("policy");
    expect(c.labels).toContain("days_since");
    expect(c.labels).toContain("loyal");
    expect(c.details["days_since"]).toBe("days_since(date | datetime) → int");
  });

  it("offers the clauses not yet written at the start of a clause, and declarations at the top", () => {
    const c = complete(journey("  |"));
    expect(c.labels).toContain("when");
    expect(c.labels).not.toContain("purpose");
    expect(complete("|").labels).toEqual(["journey", "condition", "test", "property"]);
  });

  it("offers channels and purposes in test statements", () => {
    const channels = [...new Set([...catalog.actions.values()].map((x) => x.channel))];
    expect(complete('test "t" {\n  expect channel |\n}').labels).toEqual(channels);
    expect(complete('test "t" {\n  consent |\n}').labels).toEqual([...catalog.purposes.keys()]);
  });
});

describe("hover", () => {
  it("shows a field's type, PII class, labels, lineage, residency and retention", () => {
    const text = hover(journey('  when    customer.em|ail == "x"'))!;
    expect(text).toContain("`customer.email`");
    expect(text).toContain("**type**: `string`");
    expect(text).toContain("**PII class**: `direct`");
    expect(text).toContain("**lineage**: `crm.contacts.email`");
    expect(text).toContain("**residency**: `eu`");
    expect(text).toContain("**retention**: `P7Y`");
    expect(hover(journey('  when    customer.seg|ment == "sme"'))).toContain('**type**: `enum("retail", "sme", "corporate")`');
  });

  it("shows a named condition's body where it is used", () => {
    const { text, at } = cursor(journey("  when    loy|al"));
    const a = analyse({ "j.journey": text, "c.journey": "condition loyal = customer.tenure_months > 24\n" });
    const h = hoverAt(a, "j.journey", at)!.contents.join("\n");
    expect(h).toContain("condition loyal = customer.tenure_months > 24");
    expect(h).toContain("`c.journey`");
  });

  it("describes events, purposes, actions and functions", () => {
    expect(hover(journey('  when    true\n  do      email(template: "x")', "claim.fi|led after 3d"))).toContain("**binds**: `customer`, `claim`");
    expect(hover("journey j {\n  purpose renewal_mar|keting\n}\n")).toContain("**lawful bases** (tried in order): `consent`, `legitimate_interest`");
    expect(hover('journey j {\n  do agent_cal|lback(queue: "x")\n}\n')).toContain("**cost**: `high`");
    expect(hover(journey("  when    days_si|nce(customer.birth_date) > 3"))).toContain("days_since(date | datetime) → int");
  });
});

describe("go to definition", () => {
  it("goes from a named condition's use to its declaration in another file", () => {
    const { text, at } = cursor(journey("  when    loy|al"));
    const cond = "# loyal customers\ncondition loyal = customer.tenure_months > 24\n";
    const def = definitionAt(analyse({ "j.journey": text, "c.journey": cond }), "j.journey", at)!;
    expect(def.file).toBe("c.journey");
    expect(cond.slice(def.start, def.end)).toBe("loyal");
  });

  it("goes from a quantifier variable's use to where it is bound", () => {
    const { text, at } = cursor(journey('  when    any i in customer.recent_interactions: |i.channel == "call"'));
    const def = definitionAt(analyse({ "j.journey": text }), "j.journey", at)!;
    expect(def.start).toBe(text.indexOf("any i") + 4);
    expect(def.end).toBe(def.start + 1);
  });

  it("goes from a catalog field to its node in catalog.yaml", () => {
    const { text, at } = cursor(journey("  when    customer.tenure_mo|nths > 3"));
    const def = definitionAt(analyse({ "j.journey": text }), "j.journey", at)!;
    expect(def.file).toBe("catalog.yaml");
    expect(catalogText.slice(def.start, def.end)).toMatch(/^\{ type: int, lineage: billing\.accounts\.tenure_months \}|^tenure_months/);
    expect(catalogText.slice(0, def.start).split("\n").length).toBe(catalogText.slice(0, catalogText.indexOf("tenure_months:")).split("\n").length);
  });
});

describe("formatting edits", () => {
  it("turns a file into the formatter's output with one minimal edit", () => {
    const text = 'journey j {\n  purpose renewal_marketing\n  on daily\n  when true\n  do email(template: "x")\n}\n';
    const edits = formattingEdits("j.journey", text)!;
    expect(edits.length).toBe(1);
    const e = edits[0]!;
    const out = text.slice(0, e.start) + e.text + text.slice(e.end);
    expect(out).toBe(formatFile(new SourceFile("j.journey", text)).value);
    expect(out).not.toBe(text);
    expect(formattingEdits("j.journey", out)).toEqual([]);
  });

  it("refuses a file with syntax errors", () => {
    expect(formattingEdits("j.journey", "journey j {\n  when (\n")).toBeUndefined();
  });
});

describe("quick fixes", () => {
  it("replaces a misspelt field with the suggestion", () => {
    const text = journey('  when    customer.tenure_monts > 3\n  do      email(template: "x")');
    const a = analyse({ "j.journey": text });
    const fixes = quickFixesIn(a, "j.journey", 0, text.length);
    const fix = fixes.find((f) => f.diagnostic.code === "check/unknown-field")!;
    expect(text.slice(fix.edit.start, fix.edit.end)).toBe("tenure_monts");
    expect(fix.edit.text).toBe("tenure_months");
  });

  it("keeps the quotes of a misspelt enum value", () => {
    const text = journey('  when    customer.segment == "smee"\n  do      email(template: "x")');
    const a = analyse({ "j.journey": text });
    const fix = quickFixesIn(a, "j.journey", 0, text.length).find((f) => f.diagnostic.code === "check/unknown-enum-value")!;
    expect(text.slice(fix.edit.start, fix.edit.end)).toBe('"smee"');
    expect(fix.edit.text).toBe('"sme"');
  });
});
