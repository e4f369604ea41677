// The rationale of a decision the store logged, rendered as `kairos explain` renders it from a
// log file: the entry (PII pseudonymized as logged) with the metadata of its journeys — from
// the artifact this server runs when the decision was made by it, else from the entry itself —
// checked against its own hash first, so an altered entry is never explained as intact.
import type { JourneyMeta } from "../core/artifact.ts";
import { entryProblem } from "../runtime/log/hash.ts";
import type { LogEntry } from "../runtime/log/format.ts";
import { fromLogEntry, renderRationale, type RationaleFormat } from "../runtime/rationale/index.ts";
import type { StoredDecision } from "./store/types.ts";

/** Media types of the rendered formats. */
export const RATIONALE_MEDIA: Readonly<Record<RationaleFormat, string>> = {
  md: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  text: "text/plain; charset=utf-8",
  customer: "text/plain; charset=utf-8",
};

/** The rendered rationale and whether the entry matched its hash. */
export function renderStoredRationale(
  stored: StoredDecision,
  artifact: string,
  journeys: ReadonlyMap<string, JourneyMeta>,
  format: RationaleFormat,
): { text: string; intact: boolean } {
  const entry = JSON.parse(stored.line) as LogEntry;
  const intact = entryProblem(stored.line, entry) === undefined;
  const own = new Map(Object.entries(entry.meta ?? {}));
  const metas = entry.artifact === artifact ? new Map([...own, ...journeys]) : own;
  return { text: renderRationale(fromLogEntry(entry, metas, intact), format), intact };
}
