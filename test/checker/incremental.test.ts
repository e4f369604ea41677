// Incremental reparsing (compiler/syntax/incremental.ts) must give exactly what a full parse gives: on
// random sequences of edits to the example journeys and a generated 500-line file, whenever the
// incremental path answers, its AST equals the full parse's and the full parse is clean; and the
// whole pipeline with a CheckCache reports the same diagnostics as a run without one.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateJourneys } from "../../bench/generate.ts";
import { reparseJourneyFile, type CleanParse } from "../../compiler/syntax/incremental.ts";
import { parseJourneyFile } from "../../compiler/syntax/lower.ts";
import { CheckCache, checkSources } from "../../compiler/pipeline.ts";
import { SourceFile } from "../../core/source.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dir = join(root, "policies/journeys");
const examples = readdirSync(dir)
  .filter((f) => f.endsWith(".journey"))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(dir, f), "utf8") }));
const catalog = { name: "catalog.yaml", text: readFileSync(join(root, "policies/catalog.yaml"), "utf8") };
const generated = generateJourneys(60)[0]!.text;

/** What an author types: bits of tokens, whole lines, stray characters, whitespace. */
const pieces = fc.constantFrom(
  "x",
  "e",
  " ",
  "\n",
  "  ",
  "}",
  "{",
  "(",
  ")",
  '"',
  "#",
  "#note\n",
  ".",
  ",",
  "=",
  "1",
  "0",
  "-",
  ":",
  "%",
  "and ",
  "or ",
  "not ",
  "when ",
  "true",
  "customer.",
  "tenure_months",
  " >= 12",
  '\njourney j2 {\n  purpose service\n  on ticket.resolved\n  when true\n  do agent_callback(queue: "q")\n}\n',
  "\ncondition c2 = true\n",
  '\ntest "t" {\n  on daily\n  expect no_match\n}\n',
  "journey",
  "condition",
  "test",
  "2026-01-01",
  "T10:00:00Z",
  "90 days",
);

type Edit = { at: number; del: number; insert: string };
const edit = fc.record({ at: fc.nat(), del: fc.oneof(fc.constant(0), fc.constant(0), fc.nat(3), fc.nat(40)), insert: fc.oneof(fc.constant(""), pieces) });

function apply(text: string, e: Edit): string {
  const at = e.at % (text.length + 1);
  return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.del));
}

describe("incremental reparsing", () => {
  it("gives the full parse's AST whenever it answers", () => {
    let answered = 0;
    const base = fc.constantFrom(...examples.map((e) => e.text), generated);
    fc.assert(
      fc.property(base, fc.array(edit, { minLength: 1, maxLength: 12 }), (start, edits) => {
        let clean: CleanParse | undefined;
        const first = parseJourneyFile(new SourceFile("f.journey", start));
        if (first.diagnostics.length === 0 && first.value) clean = { text: start, value: first.value };
        let text = start;
        for (const e of edits) {
          text = apply(text, e);
          const file = new SourceFile("f.journey", text);
          const full = parseJourneyFile(file);
          const inc = clean ? reparseJourneyFile(clean, file) : undefined;
          if (inc) {
            answered++;
            expect(full.diagnostics).toEqual([]);
            expect(inc.diagnostics).toEqual([]);
            expect(inc.value).toEqual(full.value);
          }
          if (full.diagnostics.length === 0 && full.value) clean = { text, value: full.value };
        }
      }),
      { numRuns: 300 },
    );
    // The property must not hold just because the shortcut never answers.
    expect(answered).toBeGreaterThan(100);
  });

  it("answers for a keystroke inside a journey, reusing the declarations the edit does not touch", () => {
    const full = parseJourneyFile(new SourceFile("g.journey", generated));
    expect(full.diagnostics).toEqual([]);
    const at = generated.indexOf("customer.tenure_months", generated.length / 2) + "customer.tenure_months".length;
    const edited = generated.slice(0, at) + "x" + generated.slice(at);
    const inc = reparseJourneyFile({ text: generated, value: full.value }, new SourceFile("g.journey", edited));
    expect(inc).toBeDefined();
    const decls = inc!.value.decls;
    expect(decls).toHaveLength(full.value.decls.length);
    // Before the edit: the very same objects; after it: moved by one character.
    expect(decls[0]).toBe(full.value.decls[0]);
    const last = decls[decls.length - 1]!;
    expect(last.span.start).toBe(full.value.decls[decls.length - 1]!.span.start + 1);
    expect(inc!.value).toEqual(parseJourneyFile(new SourceFile("g.journey", edited)).value);
  });

  it("falls back to a full parse on a syntax error, which then reports it", () => {
    const full = parseJourneyFile(new SourceFile("g.journey", generated));
    const at = generated.indexOf("journey", 10);
    const broken = generated.slice(0, at) + "{" + generated.slice(at);
    expect(reparseJourneyFile({ text: generated, value: full.value }, new SourceFile("g.journey", broken))).toBeUndefined();
    const cache = new CheckCache();
    const input = (t: string) => ({ catalog, journeys: [...examples, { name: "g.journey", text: t }], rego: [] });
    checkSources(input(generated), cache);
    const r = checkSources(input(broken), cache);
    expect(r.diagnostics.some((d) => d.code.startsWith("syntax/") && d.span.file === "g.journey")).toBe(true);
  });

  it("does not answer when an edit joins two tokens across the reparsed range's edges", () => {
    const text = 'condition a = true\n\njourney j {\n  purpose service\n  on ticket.resolved\n  when a\n  do agent_callback(queue: "q")\n}\n';
    const full = parseJourneyFile(new SourceFile("j.journey", text));
    expect(full.diagnostics).toEqual([]);
    // Deleting the blank lines makes `truejourney` one identifier: a syntax error.
    const joined = text.replace("true\n\n", "true");
    expect(parseJourneyFile(new SourceFile("j.journey", joined)).diagnostics.length).toBeGreaterThan(0);
    expect(reparseJourneyFile({ text, value: full.value }, new SourceFile("j.journey", joined))).toBeUndefined();
  });

  it("a cached pipeline reports what an uncached one does, edit after edit", () => {
    fc.assert(
      fc.property(fc.nat(examples.length - 1), fc.array(edit, { minLength: 1, maxLength: 8 }), (which, edits) => {
        const cache = new CheckCache();
        let journeys = examples;
        checkSources({ catalog, journeys, rego: [] }, cache);
        for (const e of edits) {
          journeys = journeys.map((j, i) => (i === which ? { ...j, text: apply(j.text, e) } : j));
          const input = { catalog, journeys, rego: [] };
          const cached = checkSources(input, cache);
          const fresh = checkSources(input);
          expect(cached.diagnostics).toEqual(fresh.diagnostics);
          expect(cached.files).toEqual(fresh.files);
        }
      }),
      { numRuns: 60 },
    );
  });
});
