// docs/diagnostics.md documents every code, its examples really produce their code, and no
// source file emits a code that is not registered.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalogCodes } from "../../compiler/catalog/index.ts";
import { checkCodes, codegenCodes, syntaxCodes } from "../../compiler/checker/index.ts";
import { EXAMPLES } from "../../docs/src/diagnostic-examples.ts";
import { opaCodes } from "../../compiler/opa/codes.ts";
import { testCodes } from "../../compiler/tests/codes.ts";
import { catalogExamples, DOC_PATH, renderDiagnosticsDoc, runExample, testCodeExamples } from "../../docs/src/gen-diagnostics.ts";
import { SPEC_CATALOG } from "../helpers/spec-catalog.ts";

const registered = new Set([
  ...Object.keys(syntaxCodes),
  ...Object.keys(checkCodes),
  ...Object.keys(catalogCodes),
  ...Object.keys(codegenCodes),
  ...Object.keys(testCodes),
  ...Object.keys(opaCodes),
]);

describe("docs/diagnostics.md", () => {
  it("has an example or a note for every syntax and check code", () => {
    const missing = [...Object.keys(syntaxCodes), ...Object.keys(checkCodes)].filter((c) => !EXAMPLES[c]);
    expect(missing).toEqual([]);
  });

  it.each(Object.entries(EXAMPLES).filter(([, ex]) => ex.journey !== undefined))("example of %s produces that code", (code, ex) => {
    const catalog = ex.catalogPatch ? SPEC_CATALOG.replace(ex.catalogPatch[0], ex.catalogPatch[1]) : SPEC_CATALOG;
    expect(runExample(code, ex.journey, catalog).length).toBeGreaterThan(0);
  });

  it("has an example for every catalog code", () => {
    const examples = catalogExamples();
    expect(Object.keys(catalogCodes).filter((c) => !examples.has(c))).toEqual([]);
  });

  it.each([...catalogExamples()].filter(([, ex]) => ex.yaml !== undefined))("catalog example of %s produces that code", (code, ex) => {
    expect(runExample(code, undefined, ex.yaml!).length).toBeGreaterThan(0);
  });

  it("has an example and a fix for every test code (from docs/testing.md)", () => {
    const examples = testCodeExamples();
    expect(Object.keys(testCodes).filter((c) => !examples.has(c))).toEqual([]);
  });

  it("has a note and a fix for every opa code", () => {
    expect(Object.keys(opaCodes).filter((c) => !EXAMPLES[c]?.note || !EXAMPLES[c]?.fix)).toEqual([]);
  });

  it("is up to date with the registries and examples (run `node docs/src/gen-diagnostics.ts`)", () => {
    expect(readFileSync(DOC_PATH, "utf8")).toBe(renderDiagnosticsDoc());
  });

  it("lists every registered code", () => {
    const doc = readFileSync(DOC_PATH, "utf8");
    expect([...registered].filter((c) => !doc.includes(`### \`${c}\``))).toEqual([]);
  });
});

describe("diagnostic codes in the source", () => {
  it("are all registered", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts")) files.push(p);
      }
    };
    for (const d of ["grammar", "compiler"]) walk(d);
    const used = new Set<string>();
    for (const f of files) for (const m of readFileSync(f, "utf8").matchAll(/code: "((?:syntax|check|catalog|codegen|test|opa)\/[a-z-]+)"/g)) used.add(m[1]!);
    expect([...used].filter((c) => !registered.has(c)).sort()).toEqual([]);
  });
});
