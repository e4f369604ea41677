// The playground's completions and hovers for `.journey` files: the compiler's language
// services (compiler/services, the same ones `kairos lsp` serves to editors) over the page's
// loaded catalog model and the journey texts in its editors. Pure functions of (text, offset,
// catalog, other files), with no editor dependency, so they are tested in Node and adapted to
// Monaco in journey-language.ts.
import type { Catalog } from "../../core/catalog/types.ts";
import {
  analyzeJourneys,
  completionsAt as serviceCompletions,
  hoverAt as serviceHover,
  type Analysis,
  type CompletionItem,
  type Completions,
  type Hover,
} from "../../compiler/services/index.ts";

export type { CompletionItem, Completions, Hover, ItemKind } from "../../compiler/services/index.ts";

/** The name the services know the edited file by. */
const CURRENT = "current.journey";

function analysis(text: string, catalog: Catalog | undefined, others: readonly string[]): Analysis {
  return analyzeJourneys(catalog, [{ name: CURRENT, text }, ...others.map((t, i) => ({ name: `other-${i + 1}.journey`, text: t }))]);
}

/**
 * Completions at a cursor offset. `others` are the texts of the other journey files (for
 * named conditions).
 */
export function completionsAt(text: string, offset: number, catalog: Catalog | undefined, others: readonly string[] = []): Completions {
  return serviceCompletions(analysis(text, catalog, others), CURRENT, text, offset);
}

/** Hover documentation for the name at an offset. */
export function hoverAt(text: string, offset: number, catalog: Catalog | undefined, others: readonly string[] = []): Hover | undefined {
  return serviceHover(analysis(text, catalog, others), CURRENT, offset);
}

/** Whether an item's insert text is a snippet (`${1:name}`, `$0`). */
export const isSnippet = (item: CompletionItem): boolean => item.snippet === true;
