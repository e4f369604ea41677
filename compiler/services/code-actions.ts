// Quick fixes for the compiler's "did you mean `x`?" hints: replace the misspelt name (or
// quoted enum value) the diagnostic points at with the suggestion. Only where the diagnostic's
// range is exactly one name or string, so the fix cannot clobber anything else.
import type { Diagnostic } from "../../core/diagnostics.ts";
import type { Analysis } from "./analysis.ts";
import type { TextEdit } from "./formatting.ts";

/** A quick fix: its title, the diagnostic it fixes, and the edit in that diagnostic's file. */
export interface QuickFix {
  readonly title: string;
  readonly diagnostic: Diagnostic;
  readonly edit: TextEdit;
}

const SUGGESTION = /did you mean `([^`]+)`\?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const STRING = /^"(?:[^"\\]|\\.)*"$/;

/** The fix a diagnostic suggests, if it is a one-name replacement. */
export function quickFixFor(a: Analysis, d: Diagnostic): QuickFix | undefined {
  const m = SUGGESTION.exec(d.hint ?? "") ?? SUGGESTION.exec(d.message);
  if (!m) return undefined;
  const suggestion = m[1]!;
  const written = a.sources.get(d.span.file)?.slice(d.span);
  if (written === undefined || written === suggestion) return undefined;
  let text: string;
  if (NAME.test(written) && NAME.test(suggestion)) text = suggestion;
  else if (STRING.test(written)) text = STRING.test(suggestion) ? suggestion : JSON.stringify(suggestion);
  else return undefined;
  if (text === written) return undefined;
  return { title: `Replace \`${written}\` with \`${text}\``, diagnostic: d, edit: { start: d.span.start, end: d.span.end, text } };
}

/** The quick fixes for the diagnostics of `file` that overlap `[start, end]`. */
export function quickFixesIn(a: Analysis, file: string, start: number, end: number): QuickFix[] {
  const out: QuickFix[] = [];
  for (const d of a.diagnostics) {
    if (d.span.file !== file || d.span.end < start || d.span.start > end) continue;
    const fix = quickFixFor(a, d);
    if (fix) out.push(fix);
  }
  return out;
}
