// Catalog loading: catalog.yaml text → the typed Catalog, with diagnostics on the exact YAML
// key or value. Stages: read the YAML (guarded) → JSON Schema → build the model → cross-
// reference checks. Pure and browser-safe (no file system); never throws on any input.
import { isMap, isScalar } from "yaml";
import type { StageResult } from "../../core/diagnostics.ts";
import type { SourceFile } from "../../core/source.ts";
import { buildCatalog } from "./build.ts";
import type { CatalogCode } from "./codes.ts";
import { Reporter } from "./report.ts";
import { checkSchema } from "./schema-check.ts";
import { checkReferences } from "./semantic.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import { nodeLoc, readTree, type TreeProblem } from "./yaml-tree.ts";

const PROBLEM_CODES: Record<TreeProblem["kind"], CatalogCode> = {
  "yaml-syntax": "catalog/yaml-syntax",
  "yaml-warning": "catalog/yaml-warning",
  "duplicate-key": "catalog/duplicate-key",
  "too-large": "catalog/too-large",
  "too-deep": "catalog/too-deep",
};

/**
 * Loads a catalog. `value` is undefined only when the file cannot be read as a catalog at
 * all (empty, not YAML, not a mapping, too large); otherwise it is the best model the file
 * gives, and `diagnostics` says what is wrong with it.
 */
export function loadCatalog(source: SourceFile): StageResult<Catalog | undefined> {
  const r = new Reporter(source);
  const text = source.text;
  const tree = readTree(text);

  let fatal = false;
  for (const p of tree.problems) {
    if (p.kind !== "yaml-warning" && p.kind !== "duplicate-key") fatal = true;
    const related = p.first ? [{ loc: p.first, message: "first defined here" }] : undefined;
    r.report(PROBLEM_CODES[p.kind], p.message, p.loc, p.hint, related);
  }
  if (fatal) return { value: undefined, diagnostics: r.finish() };

  const root = tree.deref(tree.root);
  if (root === null || (isScalar(root) && root.value === null)) {
    r.report("catalog/empty", "the catalog is empty", { start: 0, end: 0 }, "start with `version: 1` and an `entities:` section (see docs/catalog.md)");
    return { value: undefined, diagnostics: r.finish() };
  }
  if (!isMap(root)) {
    r.report(
      "catalog/invalid-value",
      `the catalog must be a mapping of its sections (\`version\`, \`entities\`, \`events\`, \`purposes\`, \`transfers\`, \`actions\`), not ${isScalar(root) ? "a single value" : "a list"}`,
      nodeLoc(root),
      "start with `version: 1` and an `entities:` section (see docs/catalog.md)",
    );
    return { value: undefined, diagnostics: r.finish() };
  }

  checkSchema(tree, text, r);
  const { catalog, refs } = buildCatalog(tree, text, source.name, r);
  checkReferences(catalog, refs, r);
  return { value: catalog, diagnostics: r.finish() };
}
