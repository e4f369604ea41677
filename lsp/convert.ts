// Conversions between the language services' offsets and the protocol's positions, and from
// compiler diagnostics to LSP diagnostics (the hint on its own line, related locations kept).
// Positions are UTF-16 code units, as both the protocol and JavaScript strings count.
import { pathToFileURL } from "node:url";
import type { Diagnostic } from "../core/diagnostics.ts";
import type { SourceFile, Span } from "../core/source.ts";
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type Location, type Range } from "vscode-languageserver/node";

/** The file URI of an absolute path (the services' file names). */
export const uriOf = (path: string): string => pathToFileURL(path).href;

/** The protocol range of a span of `file`. */
export function rangeOf(file: SourceFile, start: number, end: number): Range {
  const a = file.position(start);
  const b = file.position(end);
  return { start: { line: a.line - 1, character: a.column - 1 }, end: { line: b.line - 1, character: b.column - 1 } };
}

/** The protocol location of a span, given the files it may point into. */
export function locationOf(span: Span, file: (name: string) => SourceFile | undefined): Location | undefined {
  const f = file(span.file);
  return f ? { uri: uriOf(span.file), range: rangeOf(f, span.start, span.end) } : undefined;
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** A compiler diagnostic for the protocol: code, range, message with its `help:` line. */
export function toLspDiagnostic(d: Diagnostic, file: (name: string) => SourceFile | undefined): LspDiagnostic {
  const f = file(d.span.file);
  const related = (d.related ?? []).flatMap((r) => {
    const location = locationOf(r.span, file);
    return location ? [{ location, message: r.message }] : [];
  });
  return {
    range: f ? rangeOf(f, d.span.start, d.span.end) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: SEVERITY[d.severity],
    code: d.code,
    source: "kairos",
    message: d.hint ? `${d.message}\nhelp: ${d.hint}` : d.message,
    ...(related.length ? { relatedInformation: related } : {}),
  };
}
