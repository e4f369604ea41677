// Shared helpers of the catalog tests: load a text and look at diagnostics as people see them.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { loadCatalog, type Catalog } from "../../compiler/catalog/index.ts";
import { SourceFile } from "../../core/source.ts";

export const SPEC_EXAMPLE = readFileSync(new URL("./fixtures/spec-example.yaml", import.meta.url), "utf8");
export const POLICIES_CATALOG = readFileSync(new URL("../../policies/catalog.yaml", import.meta.url), "utf8");

/** Loads a catalog text; `shown` is each diagnostic as code, underlined text, hint, message. */
export function load(text: string) {
  const file = new SourceFile("policies/catalog.yaml", text);
  const result = loadCatalog(file);
  const shown = result.diagnostics.map((d) => ({ code: d.code, under: file.slice(d.span), hint: d.hint, message: d.message }));
  return { ...result, file, shown };
}

/** The only diagnostic with `code` (asserted to be the only one), with the whole result. */
export function only(text: string, code: string) {
  const r = load(text);
  const found = r.shown.filter((d) => d.code === code);
  expect(found, JSON.stringify(r.shown, null, 2)).toHaveLength(1);
  return { ...found[0]!, result: r };
}

/** The catalog of a text that must load without any diagnostic. */
export function catalogOf(text: string): Catalog {
  const r = load(text);
  expect(r.diagnostics).toEqual([]);
  expect(r.value).toBeDefined();
  return r.value!;
}

export const minimal = (body: string): string => `version: 1\n${body}`;
