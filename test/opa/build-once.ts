// One build of the standard policies against the spec catalog, shared by the OPA tests of a
// file (a build runs the OPA CLI and takes about a second).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { buildOpaBundle, type OpaBuildResult } from "../../compiler/opa/index.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import { catalogFromBits } from "./catalog-fixture.ts";

export const SPEC_CATALOG_FILE = fileURLToPath(new URL("../conformance/consent-residency/spec-catalog.yaml", import.meta.url));

export function specCatalog(): Catalog {
  return catalogFromBits(parse(readFileSync(SPEC_CATALOG_FILE, "utf8")));
}

let cached: Promise<OpaBuildResult> | undefined;

export function defaultBuild(): Promise<OpaBuildResult> {
  cached ??= buildOpaBundle({ catalog: specCatalog() });
  return cached;
}
