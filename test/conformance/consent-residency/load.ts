// Loads the conformance YAML files (Node only) into prepared cases with their data documents.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { catalogToData } from "../../../compiler/opa/data.ts";
import { catalogFromBits } from "../../opa/catalog-fixture.ts";
import type { PolicyRequest } from "../../../runtime/opa/input.ts";
import type { PreparedCase } from "./runner.ts";

export const CASES_DIR = dirname(fileURLToPath(import.meta.url));

interface CaseFile {
  catalog_ref?: string;
  catalog?: unknown;
  now?: string | number;
  region?: string;
  cases: { name: string; request: Record<string, unknown>; expect?: unknown[]; expect_error?: string }[];
}

export function loadCases(dir: string = CASES_DIR): PreparedCase[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") && f !== "spec-catalog.yaml")
    .sort();
  return files.flatMap((file) => {
    const doc = parse(readFileSync(join(dir, file), "utf8")) as CaseFile;
    const bits = doc.catalog_ref ? parse(readFileSync(join(dir, doc.catalog_ref), "utf8")) : doc.catalog;
    const data = catalogToData(catalogFromBits(bits));
    return doc.cases.map((c) => ({
      id: `${file}: ${c.name}`,
      data,
      request: { now: doc.now, region: doc.region, ...c.request } as unknown as PolicyRequest,
      ...(c.expect !== undefined ? { expect: c.expect } : {}),
      ...(c.expect_error !== undefined ? { expect_error: c.expect_error } : {}),
    }));
  });
}
