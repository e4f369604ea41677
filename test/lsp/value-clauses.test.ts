// Editor support for `goal` and `stop_loss` (the language services behind `kairos lsp` and the
// playground, and the shared highlighting): completion of the clauses, of the catalog's outcome
// types after `goal`, of the metrics in a stop-loss; hover and go to definition on them; and
// `kairos fmt`'s layout of both clauses.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatFile } from "../../compiler/format/formatter.ts";
import { analyzeJourneys, completionsAt, definitionAt, hoverAt, LanguageService } from "../../compiler/services/index.ts";
import { highlightRules } from "../../grammar/tokens.ts";
import { SourceFile } from "../../core/source.ts";

const catalogText = readFileSync(new URL("../../policies/catalog.yaml", import.meta.url), "utf8");
const catalog = new LanguageService().analyze({ catalog: { name: "catalog.yaml", text: catalogText }, journeys: [], rego: [] }).catalog!;

function at(withCursor: string): { text: string; offset: number } {
  const offset = withCursor.indexOf("|");
  return { text: withCursor.slice(0, offset) + withCursor.slice(offset + 1), offset };
}

function labels(withCursor: string): string[] {
  const { text, offset } = at(withCursor);
  return completionsAt(analyzeJourneys(catalog, [{ name: "j.journey", text }]), "j.journey", text, offset).items.map((i) => i.label);
}

const journey = (body: string) => `journey j {\n  purpose renewal_marketing\n  on      daily\n  when    true\n  do      email(template: "t")\n${body}\n}\n`;

describe("completion", () => {
  it("offers `goal` and `stop_loss` as clauses, and not once written", () => {
    expect(labels(journey("  |"))).toEqual(expect.arrayContaining(["goal", "stop_loss"]));
    expect(labels(journey("  goal renewal within 30d\n  |"))).not.toContain("goal");
  });

  it("offers the catalog's outcome types after `goal`, the declared one too, then `within`", () => {
    expect(labels(journey("  goal |"))).toEqual(["conversion", "renewal", "complaint", "unsubscribe", "claim_closed"]);
    expect(labels(journey("  goal renewal |"))).toEqual(["within"]);
  });

  it("offers the metrics of every type in a stop-loss (harms first), then `or` and `min` after a threshold", () => {
    const first = labels(journey("  stop_loss |"));
    expect(first.slice(0, 4)).toEqual(["complaint_rate", "complaint_uplift", "unsubscribe_rate", "unsubscribe_uplift"]);
    expect(first).toContain("claim_closed_rate");
    expect(labels(journey("  stop_loss complaint_rate > 3% or |"))).toEqual(first);
    expect(labels(journey("  stop_loss complaint_rate > 3% |"))).toEqual(["or", "min"]);
  });
});

describe("hover and go to definition", () => {
  const files = (text: string) =>
    new LanguageService().analyze({ catalog: { name: "catalog.yaml", text: catalogText }, journeys: [{ name: "j.journey", text }], rego: [] });

  it("describe an outcome type and a metric", () => {
    const { text, offset } = at(journey("  holdout 10%\n  goal renewal within 30d\n  stop_loss complaint_ra|te > 3%"));
    const a = files(text);
    const goalAt = text.indexOf("renewal within") + 2;
    expect(hoverAt(a, "j.journey", goalAt)?.contents.join("\n")).toContain("**outcome type** `renewal`");
    const metric = hoverAt(a, "j.journey", offset)?.contents.join("\n");
    expect(metric).toContain("**stop-loss metric** `complaint_rate`");
    expect(metric).toContain("the share of treated subjects with a `complaint` outcome");
  });

  it("go from a declared outcome type to its entry in catalog.yaml", () => {
    const text = journey("  holdout 10%\n  goal claim_closed within 14d");
    const span = definitionAt(files(text), "j.journey", text.indexOf("claim_closed") + 3);
    expect(span && catalogText.slice(span.start, span.end)).toBe("claim_closed");
  });
});

describe("kairos fmt", () => {
  it("pads both clauses like the others, keeps `stop_loss` one space from its body, and is idempotent", () => {
    const messy =
      'journey j {\npurpose renewal_marketing\non daily\nwhen true\ndo email(template: "t")\nholdout 10%\ngoal   renewal   within 30d\nstop_loss   complaint_rate>0.50%   or complaint_uplift >1% min   200\n}\n';
    const once = formatFile(new SourceFile("j.journey", messy)).value!;
    expect(once).toContain("\n  goal     renewal within 30d\n");
    expect(once).toContain("\n  stop_loss complaint_rate > 0.50% or complaint_uplift > 1% min 200\n");
    expect(formatFile(new SourceFile("j.journey", once)).value).toBe(once);
  });
});

describe("highlighting", () => {
  it("colours the new words as keywords, in the playground and in editors alike", () => {
    expect(highlightRules().keywords.keyword).toEqual(expect.arrayContaining(["goal", "within", "stop_loss", "min"]));
  });
});
