// Catalog loading under hostile, huge and random input: bounded time, no throw, and a
// faithful split of the schema validation.
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Diagnostic } from "../../core/diagnostics.ts";
import { catalogCodes, catalogSchema, loadCatalog, MAX_CATALOG_CHARS } from "../../compiler/catalog/index.ts";
import { validateCatalog } from "../../compiler/catalog/schema-validate.ts";
import { SourceFile } from "../../core/source.ts";
import { load, minimal, POLICIES_CATALOG } from "./helpers.ts";

describe("hostile and huge input", () => {
  it("returns quickly on a 10 MB input without throwing", () => {
    const started = Date.now();
    const r = load("entities:\n  " + "x".repeat(10 * 1024 * 1024));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.shown.map((d) => d.code)).toEqual(["catalog/too-large"]);
    expect(r.shown[0]!.message).toContain(String(MAX_CATALOG_CHARS));
    expect(r.value).toBeUndefined();
  });

  it("rejects a megabyte of nested brackets before parsing it", () => {
    const started = Date.now();
    const r = load("a: " + "[".repeat(MAX_CATALOG_CHARS - 10));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.shown.map((d) => [d.code, d.under])).toEqual([["catalog/too-deep", "["]]);
  });

  it("rejects nesting deeper than the limit", () => {
    const r = load(minimal("entities: " + "[".repeat(40) + "]".repeat(40) + "\n"));
    expect(r.shown.map((d) => d.code)).toEqual(["catalog/too-deep"]);
    expect(r.value).toBeUndefined();
  });

  it("rejects aliases that expand exponentially (billion laughs)", () => {
    let text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 9; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(", ")}]\n`;
    const started = Date.now();
    const r = load(text);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.shown.map((d) => d.code)).toEqual(["catalog/too-large"]);
  });

  it("caps the number of diagnostics and says how many were left out", () => {
    let body = "entities:\n";
    for (let i = 0; i < 150; i++) body += `  e${i}: { kee: id, fields: {} }\n`;
    const r = load(minimal(body));
    expect(r.diagnostics).toHaveLength(201);
    const last = r.diagnostics[200]!;
    expect(last.code).toBe("catalog/truncated");
    expect(last.message).toBe("100 more problems in the catalog not shown");
  });

  it("loads a large valid catalog (about 600 KB) in reasonable time", () => {
    let body = "entities:\n";
    for (let i = 0; body.length < 600_000; i++) {
      body += `  e${i}:\n    key: id\n    fields:\n      id: { type: string, pii: identifier, lineage: src.e${i}.id }\n      n: { type: int }\n`;
    }
    const started = Date.now();
    const r = load(minimal(body));
    expect(r.shown).toEqual([]);
    expect(r.value!.entities.size).toBeGreaterThan(4_000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("stays linear when thousands of fields of one entity are invalid", () => {
    let body = "entities:\n  e:\n    key: id\n    fields:\n";
    for (let i = 0; i < 8_000; i++) body += `      f${i}: { type: intt, x: 1 }\n`;
    const started = Date.now();
    const r = load(minimal(body));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.diagnostics.at(-1)!.code).toBe("catalog/truncated");
  });
});

describe("properties", () => {
  const invariants = (text: string) => {
    const file = new SourceFile("catalog.yaml", text);
    const r = loadCatalog(file);
    for (const d of r.diagnostics) checkDiagnostic(d, text.length);
    if (r.value === undefined) expect(r.diagnostics.some((d) => d.severity === "error")).toBe(true);
  };

  it("never throws on arbitrary text, and every diagnostic is registered and in bounds", () => {
    const yamlish = fc
      .array(
        fc.constantFrom(
          "version: 1\n",
          "entities:",
          "  ",
          "- ",
          ": ",
          "{",
          "}",
          "[",
          "]",
          ",",
          "&a ",
          "*a",
          "!!str ",
          "'",
          '"',
          "#",
          "\n",
          "\t",
          "? ",
          "|",
          ">",
          "---\n",
          "x",
          "type: enum",
          "of:",
          "__proto__",
          "~",
          "\u0000",
          "\ud800",
        ),
        { maxLength: 60 },
      )
      .map((parts) => parts.join(""));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), yamlish), invariants), { numRuns: 400 });
  });

  it("never throws on random mutations of the example catalog", () => {
    const edit = fc.record({
      at: fc.nat(),
      drop: fc.nat({ max: 40 }),
      insert: fc.oneof(
        fc.constantFrom("", ":", " ", "\n", "- ", "[", "]", "{", "}", "enum", "list", "&a", "*a", "\t", "#", "'", "of: ", "values: "),
        fc.string({ maxLength: 8 }),
      ),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        let text = POLICIES_CATALOG;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.drop);
        }
        invariants(text);
      }),
      { numRuns: 300 },
    );
  });

  it("split validation finds exactly the errors of validating the whole document", () => {
    const whole = new Ajv2020({ allErrors: true, strict: true }).compile(catalogSchema);
    const base = parse(POLICIES_CATALOG) as unknown;
    const paths = allPaths(base);
    const replacement = fc.oneof(
      fc.constantFrom(
        "enum",
        "list",
        "int",
        "Bad",
        "P1D",
        "x.y",
        null,
        true,
        3,
        [],
        {},
        ["a", "a"],
        { type: "enum" },
        { type: "list", of: { a: "int", b: { type: "x" } } },
        { at: "datetime" },
        { type: { type: "string" }, at: "datetime" },
        { type: 5 },
      ),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const mutation = fc.record({ path: fc.constantFrom(...paths), value: replacement, mode: fc.constantFrom("set", "delete", "add") });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const doc = structuredClone(base);
        for (const m of mutations) mutate(doc, m.path, m.mode, m.value);
        whole(doc);
        const expected = signature(whole.errors ?? []);
        expect(signature(validateCatalog(doc))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

function checkDiagnostic(d: Diagnostic, length: number): void {
  const info = catalogCodes[d.code];
  expect(info, d.code).toBeDefined();
  expect(d.severity).toBe(info!.severity);
  expect(d.span.start).toBeGreaterThanOrEqual(0);
  expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
  expect(d.span.end).toBeLessThanOrEqual(length);
  expect(d.message).toMatch(/^[^A-Z]/);
  expect(d.message).not.toMatch(/\.$/);
}

function signature(errors: readonly { keyword: string; instancePath: string; params: unknown; propertyName?: string }[]): string[] {
  return [
    ...new Set(errors.filter((e) => e.keyword !== "if").map((e) => `${e.instancePath} ${e.keyword} ${e.propertyName ?? ""} ${JSON.stringify(e.params)}`)),
  ].sort();
}

function allPaths(value: unknown, prefix: string[] = []): string[][] {
  const out: string[][] = [prefix];
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...allPaths(v, [...prefix, k]));
  }
  return out;
}

function mutate(doc: unknown, path: readonly string[], mode: string, value: unknown): void {
  if (path.length === 0) return;
  let node = doc as Record<string, unknown> | undefined;
  for (const seg of path.slice(0, -1)) {
    const next = node?.[seg];
    if (next === null || typeof next !== "object") return;
    node = next as Record<string, unknown>;
  }
  if (!node) return;
  const last = path[path.length - 1]!;
  if (mode === "delete") delete node[last];
  else if (mode === "add" && !Array.isArray(node)) node[`${last}_x`] = structuredClone(value);
  else node[last] = structuredClone(value);
}
