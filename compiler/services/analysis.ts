// One analysis of a policy set for the language services: the compiler's own check stage
// (compiler/pipeline.ts, with its cache, so an edit reparses only the declarations it touched)
// plus the indexes the services look things up in. The language server and the playground's
// worker both make one per edit; every service is a pure function of it.
import type { Catalog } from "../../core/catalog/types.ts";
import type { Diagnostic } from "../../core/diagnostics.ts";
import { SourceFile, SourceSet } from "../../core/source.ts";
import { CheckCache, checkSources, type PolicySources } from "../pipeline.ts";
import type { ConditionDecl, JourneyFile } from "../syntax/ast.ts";
import { parseJourneyFile } from "../syntax/lower.ts";

/** A checked policy set and its lookups. */
export interface Analysis {
  /** Every file's text (catalog, journeys), for positions and slices. */
  readonly sources: SourceSet;
  /** Every diagnostic of the check, sorted (empty for {@link analyzeJourneys}). */
  readonly diagnostics: readonly Diagnostic[];
  /** The loaded catalog; undefined while catalog.yaml has errors. */
  readonly catalog: Catalog | undefined;
  /** Each journey file's (possibly partial, after an error) syntax tree, by file name. */
  readonly journeys: ReadonlyMap<string, JourneyFile>;
  /** Every named condition of the set by name (the first of duplicates). */
  readonly conditions: ReadonlyMap<string, ConditionDecl>;
}

/**
 * Analyses a policy set again and again as it is edited. Keeps the compiler's check cache, so
 * an unchanged catalog is not reloaded and an edited journey file is reparsed incrementally.
 */
export class LanguageService {
  private readonly cache = new CheckCache();
  private last: Analysis | undefined;

  /** Checks `input` (the whole policy set, open editors' texts included). */
  analyze(input: PolicySources): Analysis {
    const result = checkSources(input, this.cache);
    const journeys = new Map<string, JourneyFile>();
    const conditions = new Map<string, ConditionDecl>();
    for (const f of result.files) {
      journeys.set(f.name, f);
      for (const d of f.decls) if (d.kind === "condition" && !conditions.has(d.name.name)) conditions.set(d.name.name, d);
    }
    this.last = { sources: result.sources, diagnostics: result.diagnostics, catalog: result.catalog, journeys, conditions };
    return this.last;
  }

  /** The latest analysis, if any. */
  get current(): Analysis | undefined {
    return this.last;
  }
}

/**
 * An analysis of journey texts against an already loaded catalog, without checking: what a
 * caller that holds the catalog model but not its text (the playground's page) needs for
 * completion, hover and definition. Syntax only; diagnostics come from a full check.
 */
export function analyzeJourneys(catalog: Catalog | undefined, files: readonly { readonly name: string; readonly text: string }[]): Analysis {
  const sources = new SourceSet();
  const journeys = new Map<string, JourneyFile>();
  const conditions = new Map<string, ConditionDecl>();
  for (const f of files) {
    const file = sources.add(new SourceFile(f.name, f.text));
    let parsed: JourneyFile;
    try {
      parsed = parseJourneyFile(file).value;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e; // too deep to parse: no tree, as the check reports
      parsed = { kind: "file", name: f.name, decls: [], span: file.span(0, 0) };
    }
    journeys.set(f.name, parsed);
    for (const d of parsed.decls) if (d.kind === "condition" && !conditions.has(d.name.name)) conditions.set(d.name.name, d);
  }
  return { sources, diagnostics: [], catalog, journeys, conditions };
}
