// The check stages over in-memory sources (browser-safe: no node: imports). Stages run in
// order and each keeps going where it can: parse every file, load the catalog, check.
// compilePolicySet (compile.ts) runs these, then codegen, OPA and the artifact.
import type { JourneyFile } from "./syntax/ast.ts";
import { loadCatalog } from "./catalog/index.ts";
import type { Catalog } from "../core/catalog/types.ts";
import type { CheckedProgram } from "./checker/checked.ts";
import { checkProgram } from "./checker/index.ts";
import { sortDiagnostics, type Diagnostic } from "../core/diagnostics.ts";
import { reparseJourneyFile, type CleanParse } from "./syntax/incremental.ts";
import { parseJourneyFile } from "./syntax/lower.ts";
import { SourceFile, SourceSet } from "../core/source.ts";
import { checkTests, type CheckedSuite } from "./tests/index.ts";

/** A policy set's text: what a directory holds, or what the playground has in its editors. */
export interface PolicySources {
  /** The catalog's file name as diagnostics show it, and its text. */
  readonly catalog: { readonly name: string; readonly text: string };
  readonly journeys: readonly { readonly name: string; readonly text: string }[];
  /** Rego sources; empty means "use the built-in standard policies". */
  readonly rego: readonly { readonly name: string; readonly text: string }[];
}

/** What checking a policy set found: the parsed files, the catalog, the checked program. */
export interface CheckResult {
  /** Every file of the policy set (catalog, journeys, Rego), for rendering diagnostics. */
  readonly sources: SourceSet;
  readonly catalog: Catalog | undefined;
  readonly files: readonly JourneyFile[];
  readonly program: CheckedProgram | undefined;
  /** The `test` and `property` blocks, checked (docs/testing.md); run by `kairos test`. */
  readonly tests?: CheckedSuite;
  /** Sorted by file and position. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Results of the per-file stages (catalog loading, parsing) by file name and text, for callers
 * that check the same sources again and again with small edits (the playground on every
 * keystroke, mutation testing): an unchanged file is not loaded or parsed twice. The results
 * are immutable, so sharing them across runs is safe.
 */
export class CheckCache {
  readonly catalogs = new Map<string, { text: string; file: SourceFile; result: ReturnType<typeof loadCatalog> }>();
  readonly journeys = new Map<string, { text: string; file: SourceFile; result: { value: JourneyFile | undefined; diagnostics: Diagnostic[] } }>();
  /** Each journey file's latest parse without diagnostics: an edit to it reparses only what it touched. */
  readonly clean = new Map<string, CleanParse>();
}

/**
 * Parses and checks a policy set: the synchronous check stage of compilePolicySet
 * (compiler/compile.ts), for callers that check on every keystroke. Never throws on a user's
 * mistake.
 */
export function checkSources(input: PolicySources, cache?: CheckCache): CheckResult {
  const sources = new SourceSet();
  const diagnostics: Diagnostic[] = [];
  let catEntry = cache?.catalogs.get(input.catalog.name);
  if (!catEntry || catEntry.text !== input.catalog.text) {
    const file = new SourceFile(input.catalog.name, input.catalog.text);
    catEntry = { text: input.catalog.text, file, result: loadCatalog(file) };
    cache?.catalogs.set(input.catalog.name, catEntry);
  }
  sources.add(catEntry.file);
  const cat = catEntry.result;
  diagnostics.push(...cat.diagnostics);
  const files: JourneyFile[] = [];
  for (const j of [...input.journeys].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    let entry = cache?.journeys.get(j.name);
    if (!entry || entry.text !== j.text) {
      const file = new SourceFile(j.name, j.text);
      const prev = cache?.clean.get(j.name);
      const result = guardDepth(file.name, () => (prev && reparseJourneyFile(prev, file)) || parseJourneyFile(file));
      entry = { text: j.text, file, result };
      if (cache) {
        cache.journeys.set(j.name, entry);
        if (result.value && result.diagnostics.length === 0) cache.clean.set(j.name, { text: j.text, value: result.value });
      }
    }
    const sf = sources.add(entry.file);
    diagnostics.push(...entry.result.diagnostics);
    files.push(entry.result.value ?? { kind: "file", name: sf.name, decls: [], span: sf.span(0, 0) });
  }
  // Rego is built by OPA, not checked here; its files are registered so that OPA's errors
  // (compiler/opa/diagnostics.ts) render with a code frame like any other.
  for (const r of input.rego) sources.add(new SourceFile(r.name, r.text));
  let program: CheckedProgram | undefined;
  let tests: CheckedSuite | undefined;
  if (cat.value) {
    const catalog = cat.value;
    const checked = guardDepth(files[0]?.name ?? input.catalog.name, () => checkProgram(files, catalog, sources));
    diagnostics.push(...checked.diagnostics);
    const suite = guardDepth(files[0]?.name ?? input.catalog.name, () => checkTests(files, catalog));
    diagnostics.push(...suite.diagnostics);
    tests = suite.value;
    // Syntax errors make the program unusable even when what parsed checks clean.
    program = diagnostics.some((d) => d.severity === "error") ? undefined : checked.value;
  }
  return { sources, catalog: cat.value, files, program, ...(tests ? { tests } : {}), diagnostics: sortDiagnostics(diagnostics) };
}

/**
 * Nesting is capped by the parser, but a very long operator chain (`a and a and …` × 100k)
 * can still exhaust the stack in the recursive stages: that is a limit of the input, reported
 * as one diagnostic rather than a crash.
 */
function guardDepth<T>(file: string, run: () => { value: T; diagnostics: Diagnostic[] }): { value: T | undefined; diagnostics: Diagnostic[] } {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return {
      value: undefined,
      diagnostics: [
        {
          code: "syntax/too-complex",
          severity: "error",
          message: "an expression is too long to check",
          span: { file, start: 0, end: 0 },
          hint: "split long conditions into named `condition`s",
        },
      ],
    };
  }
}
