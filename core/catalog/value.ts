// The outcome types a catalog knows (docs/value.md#outcomes): the built-in ones, plus those its
// `value:` section declares. One definition for the checker (`goal`, `stop_loss`), the service's
// outcome intake and the scoreboard, so "a known outcome type" means the same thing everywhere.
import { BUILTIN_OUTCOME_TYPES, type Catalog, type OutcomeTypeDef } from "./types.ts";

/** Built-in outcome types that are a bad result (shown red, judged as harm). */
const BUILTIN_HARM: ReadonlySet<string> = new Set(["complaint", "unsubscribe"]);

const BUILTIN_DESCRIPTIONS: Readonly<Record<string, string>> = {
  conversion: "the subject bought, signed up or did what the journey asked",
  renewal: "the subject renewed their policy or contract",
  complaint: "the subject complained",
  unsubscribe: "the subject unsubscribed or withdrew consent for a channel",
};

/** The built-in outcome types, by name, in BUILTIN_OUTCOME_TYPES order. */
export function builtinOutcomeTypes(): Map<string, OutcomeTypeDef> {
  const out = new Map<string, OutcomeTypeDef>();
  for (const name of BUILTIN_OUTCOME_TYPES) {
    const description = BUILTIN_DESCRIPTIONS[name];
    out.set(name, { name, harm: BUILTIN_HARM.has(name), ...(description !== undefined ? { description } : {}) });
  }
  return out;
}

/**
 * Every outcome type of `catalog`, by name: its `value: outcomes` (which include the built-in
 * ones), or the built-in ones alone when the catalog has no `value:` section.
 */
export function outcomeTypes(catalog: Catalog): ReadonlyMap<string, OutcomeTypeDef> {
  return catalog.value?.outcomes ?? builtinOutcomeTypes();
}

/** The cost of one action on `channel` (0 when the catalog names no cost for it). */
export function channelCost(catalog: Catalog, channel: string): number {
  return catalog.value?.costs.get(channel) ?? 0;
}
