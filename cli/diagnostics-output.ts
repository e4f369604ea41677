// Printing diagnostics for people (code frames + summary) and machines (spec §6 JSON).
import { diagnosticToJson, renderDiagnostic, sortDiagnostics, type Diagnostic } from "../core/diagnostics.ts";
import type { SourceSet } from "../core/source.ts";
import type { Io } from "./io.ts";

export type OutputFormat = "text" | "json";

export function parseFormat(v: unknown): OutputFormat | undefined {
  return v === undefined || v === "text" ? "text" : v === "json" ? "json" : undefined;
}

/** Prints diagnostics; returns the number of errors. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], sources: SourceSet, io: Io, format: OutputFormat, summary?: string): number {
  const sorted = sortDiagnostics(diagnostics);
  const errors = sorted.filter((d) => d.severity === "error").length;
  if (format === "json") {
    io.out(JSON.stringify({ diagnostics: sorted.map((d) => diagnosticToJson(d, sources)) }, null, 2));
    return errors;
  }
  for (const d of sorted) io.err(renderDiagnostic(d, sources, { color: io.color }) + "\n");
  const warnings = sorted.filter((d) => d.severity === "warning").length;
  if (errors || warnings) io.err(`${plural(errors, "error")}, ${plural(warnings, "warning")}`);
  if (!errors && summary) io.out(summary);
  return errors;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
