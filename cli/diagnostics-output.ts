// Printing diagnostics for people (code frames + summary, on stderr, coloured when stderr is a
// terminal) and machines (JSON on stdout). File names inside Kairos are the policy directory's
// own name plus the path inside it (`policies/journeys/x.journey`, stable in artifacts and
// traces); for printing they are mapped back onto the directory as the user typed it, so
// `kairos check /other/dir/policies` names files an editor opens from the current directory.
import { basename, join, resolve } from "node:path";
import { diagnosticToJson, renderDiagnostic, sortDiagnostics, type Diagnostic } from "../core/diagnostics.ts";
import { SourceFile, SourceSet, type Span } from "../core/source.ts";
import { errColor, jsonOut, type Io } from "./io.ts";

export type OutputFormat = "text" | "json";

export function parseFormat(v: unknown): OutputFormat | undefined {
  return v === undefined || v === "text" ? "text" : v === "json" ? "json" : undefined;
}

/** How printDiagnostics prints. */
export interface PrintOptions {
  /** The policy directory as the user gave it: file names are printed relative to it. */
  readonly dir?: string;
  /** Warnings count as failures (`check --strict`). */
  readonly strict?: boolean;
}

/** One internal file name (`NAME/path`) as a path under `dir` as the user gave it. */
export function shownPath(dir: string, name: string): string {
  const prefix = `${basename(resolve(dir))}/`;
  return name.startsWith(prefix) ? join(dir, name.slice(prefix.length)) : name;
}

/**
 * Maps internal file names (`NAME/path`, NAME the directory's base name) onto `dir` as given.
 * Names that are not under the directory (a generated file, a catalog named elsewhere) stay.
 */
export function displayPaths(diagnostics: readonly Diagnostic[], sources: SourceSet, dir: string): { diagnostics: Diagnostic[]; sources: SourceSet } {
  const shown = (name: string) => shownPath(dir, name);
  const mapSpan = (s: Span): Span => ({ ...s, file: shown(s.file) });
  const mapped = new SourceSet();
  for (const f of sources.all()) mapped.add(new SourceFile(shown(f.name), f.text));
  return {
    diagnostics: diagnostics.map((d) => ({
      ...d,
      span: mapSpan(d.span),
      ...(d.related ? { related: d.related.map((r) => ({ ...r, span: mapSpan(r.span) })) } : {}),
    })),
    sources: mapped,
  };
}

/** Prints diagnostics; returns the number of failures: errors (and warnings, when strict). */
export function printDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: SourceSet,
  io: Io,
  format: OutputFormat,
  summary?: string,
  options: PrintOptions = {},
): number {
  const shown = options.dir === undefined ? { diagnostics, sources } : displayPaths(diagnostics, sources, options.dir);
  const sorted = sortDiagnostics(shown.diagnostics);
  const errors = sorted.filter((d) => d.severity === "error").length;
  const warnings = sorted.filter((d) => d.severity === "warning").length;
  const failures = errors + (options.strict ? warnings : 0);
  if (format === "json") {
    io.out(jsonOut({ diagnostics: sorted.map((d) => diagnosticToJson(d, shown.sources)) }));
    return failures;
  }
  for (const d of sorted) io.err(renderDiagnostic(d, shown.sources, { color: errColor(io) }) + "\n");
  if (errors || warnings) io.err(`${plural(errors, "error")}, ${plural(warnings, "warning")}${options.strict && warnings ? " (--strict: warnings fail)" : ""}`);
  if (!failures && summary) io.out(summary);
  return failures;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
