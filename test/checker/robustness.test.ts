// Properties: the parser, checker and formatter never throw — on arbitrary text, and on
// grammar-aware mutations of the example journeys (tokens deleted, duplicated, swapped,
// inserted; files cut short) — and every diagnostic they report is well-formed: a registered
// code, a span inside its file, a message.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogCodes } from "../../compiler/catalog/index.ts";
import { checkCodes, syntaxCodes } from "../../compiler/checker/index.ts";
import { formatFile } from "../../compiler/format/formatter.ts";
import { checkSources, type CheckResult } from "../../compiler/pipeline.ts";
import { SourceFile } from "../../core/source.ts";
import { testCodes } from "../../compiler/tests/codes.ts";
import { exampleMutant, INSERTS } from "../helpers/journey-mutations.ts";

const CATALOG = readFileSync("policies/catalog.yaml", "utf8");
const EXAMPLES = readdirSync("policies/journeys")
  .filter((f) => f.endsWith(".journey"))
  .map((f) => readFileSync(join("policies/journeys", f), "utf8"));
const REGISTERED = new Set([...Object.keys(syntaxCodes), ...Object.keys(checkCodes), ...Object.keys(catalogCodes), ...Object.keys(testCodes)]);

function check(text: string): CheckResult {
  return checkSources({ catalog: { name: "catalog.yaml", text: CATALOG }, journeys: [{ name: "fuzz.journey", text }], rego: [] });
}

/** Every diagnostic names a registered code and a span inside its file. */
function wellFormed(r: CheckResult, text: string): void {
  for (const d of r.diagnostics) {
    expect(REGISTERED.has(d.code), d.code).toBe(true);
    expect(d.message.length).toBeGreaterThan(0);
    const len = d.span.file === "fuzz.journey" ? text.length : CATALOG.length;
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
    expect(d.span.end).toBeLessThanOrEqual(len);
  }
}

/** A token-level edit of one of the example files. */
const mutant = exampleMutant(EXAMPLES);

describe("robustness", () => {
  it("never throws on arbitrary text, and reports well-formed diagnostics", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 }), fc.string({ unit: fc.constantFrom(...INSERTS), maxLength: 60 })),
        (text) => {
          const r = check(text);
          wellFormed(r, text);
          expect(() => formatFile(new SourceFile("fuzz.journey", text))).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on grammar-aware mutations of the example journeys, and keeps reporting where the mistake is", () => {
    fc.assert(
      fc.property(mutant, (text) => {
        const r = check(text);
        wellFormed(r, text);
        const formatted = formatFile(new SourceFile("fuzz.journey", text));
        // A file the formatter accepts has no syntax errors, and formats to itself once more.
        if (formatted.value !== undefined) {
          expect(formatFile(new SourceFile("fuzz.journey", formatted.value)).value).toBe(formatted.value);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("really mutates: most mutants of the examples are rejected with a diagnostic", () => {
    const samples = fc.sample(mutant, { numRuns: 200, seed: 42 });
    const rejected = samples.filter((t) => check(t).diagnostics.some((d) => d.severity === "error")).length;
    expect(rejected).toBeGreaterThan(100);
  });
});

describe("the check cache", () => {
  it("gives the same diagnostics and program as a fresh check, re-parsing only changed files", async () => {
    const { CheckCache } = await import("../../compiler/pipeline.ts");
    const cache = new CheckCache();
    const base = EXAMPLES.map((text, i) => ({ name: `f${i}.journey`, text }));
    const input = (journeys: typeof base) => ({ catalog: { name: "catalog.yaml", text: CATALOG }, journeys, rego: [] });
    const first = checkSources(input(base), cache);
    const parsed = cache.journeys.get("f1.journey")!.result;
    const edited = base.map((f, i) =>
      i === 0 ? { ...f, text: `${f.text}\n# edited\njourney extra { purpose nope on daily when true do email(template: "t") }\n` } : f,
    );
    const again = checkSources(input(edited), cache);
    expect(cache.journeys.get("f1.journey")!.result).toBe(parsed);
    const fresh = checkSources(input(edited));
    expect(again.diagnostics).toEqual(fresh.diagnostics);
    expect(again.program?.journeys.map((j) => [j.id, j.fields])).toEqual(fresh.program?.journeys.map((j) => [j.id, j.fields]));
    expect(again.diagnostics.some((d) => d.code === "check/unknown-purpose")).toBe(true);
    expect(first.diagnostics).toEqual(checkSources(input(base)).diagnostics);
  });
});
