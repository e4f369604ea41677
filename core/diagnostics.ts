// Diagnostics: the one shape every stage reports problems in, plus rendering for people
// (code frames) and for machines (the JSON of spec §6).
import type { Span, SourceSet } from "./source.ts";

export type Severity = "error" | "warning" | "info";

/** A problem found in a user's input. Stages return these; they never throw them. */
export interface Diagnostic {
  /** Stable, stage-prefixed, never renamed: `check/unknown-field`. */
  readonly code: string;
  readonly severity: Severity;
  /** Lowercase, no final period, user text in `backticks`. */
  readonly message: string;
  readonly span: Span;
  /** The fix: "did you mean `tenure_months`?" */
  readonly hint?: string;
  readonly related?: readonly { span: Span; message: string }[];
}

/** What a compiler stage returns: a value (possibly partial) and what it found. */
export interface StageResult<T> {
  readonly value: T;
  readonly diagnostics: Diagnostic[];
}

/** Documentation of one diagnostic code, used for `docs/diagnostics.md` and tests. */
export interface CodeInfo {
  readonly severity: Severity;
  /** One line: what is wrong. */
  readonly summary: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sort by file, then offset, then code: stable output for people and golden files. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : 0) ||
      a.span.start - b.span.start ||
      a.span.end - b.span.end ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** The machine form of spec §6: 1-based lines and columns, end exclusive. */
export interface DiagnosticJson {
  code: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  hint?: string;
}

export function diagnosticToJson(d: Diagnostic, sources: SourceSet): DiagnosticJson {
  const file = sources.get(d.span.file);
  const start = file ? file.position(d.span.start) : { line: 1, column: 1 };
  const end = file ? file.position(d.span.end) : start;
  const out: DiagnosticJson = {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.span.file,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
  };
  if (d.hint !== undefined) out.hint = d.hint;
  return out;
}

export interface RenderOptions {
  readonly color?: boolean;
}

const ansi = {
  red: (s: string) => `\x1b[1;31m${s}\x1b[0m`,
  yellow: (s: string) => `\x1b[1;33m${s}\x1b[0m`,
  blue: (s: string) => `\x1b[1;34m${s}\x1b[0m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
};

/**
 * A code frame for people:
 *
 *     policies/journeys/a.journey:3:12: error[check/unknown-field]: unknown field `tenure`
 *        |
 *      3 |   when customer.tenure >= 12
 *        |            ^^^^^^^^^^^^^^^
 *        = help: did you mean `tenure_months`?
 */
export function renderDiagnostic(d: Diagnostic, sources: SourceSet, opts: RenderOptions = {}): string {
  const c = opts.color ? ansi : { red: id, yellow: id, blue: id, bold: id };
  const file = sources.get(d.span.file);
  const pos = file ? file.position(d.span.start) : { line: 1, column: 1 };
  const sev = d.severity === "error" ? c.red : d.severity === "warning" ? c.yellow : c.blue;
  const lines = [`${d.span.file}:${pos.line}:${pos.column}: ${sev(`${d.severity}[${d.code}]`)}: ${c.bold(d.message)}`];
  if (file) lines.push(...frame(file, d.span, c.blue, sev));
  for (const r of d.related ?? []) {
    const rf = sources.get(r.span.file);
    const rp = rf ? rf.position(r.span.start) : { line: 1, column: 1 };
    lines.push(`   = note: ${r.message} (${r.span.file}:${rp.line}:${rp.column})`);
  }
  if (d.hint) lines.push(`   = ${c.bold("help")}: ${d.hint}`);
  return lines.join("\n");
}

function id(s: string): string {
  return s;
}

function frame(
  file: { position(o: number): { line: number; column: number }; lineText(l: number): string },
  span: Span,
  gutterColor: (s: string) => string,
  markColor: (s: string) => string,
): string[] {
  const start = file.position(span.start);
  const end = file.position(Math.max(span.start, span.end));
  const lastLine = Math.min(end.line, start.line + 2);
  const width = String(lastLine).length;
  const pad = " ".repeat(width);
  const out = [gutterColor(`${pad} |`)];
  for (let line = start.line; line <= lastLine; line++) {
    const raw = file.lineText(line);
    const from = line === start.line ? start.column : 1;
    const to = line === end.line ? Math.max(end.column, from + 1) : Math.max(raw.length + 1, from + 1);
    // At most SHOWN characters of a long line: from its start, or, when the span starts far
    // to the right, from a little before the span (after a `…`), so the caret is on screen.
    const skip = from > SHOWN - 20 ? from - 41 : 0;
    const head = skip > 0 ? "…" : "";
    const rest = raw.slice(skip);
    const text = head + (rest.length > SHOWN ? rest.slice(0, SHOWN) + "…" : rest);
    out.push(`${gutterColor(`${String(line).padStart(width)} |`)} ${printable(text)}`);
    const shift = skip - head.length;
    const caretFrom = Math.min(from - shift, text.length + 1);
    const caretLen = Math.max(1, Math.min(to - shift, text.length + 2) - caretFrom);
    out.push(`${gutterColor(`${pad} |`)} ${" ".repeat(caretFrom - 1)}${markColor("^".repeat(caretLen))}`);
  }
  return out;
}

/** Characters of a source line shown in a code frame. */
const SHOWN = 160;

// Tabs keep their width as one column; control characters are shown, not emitted raw.
function printable(s: string): string {
  return s.replace(/\t/g, " ").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "\u2426");
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

// Prefixes that turn a word into its opposite: `unpaid` is not a misspelt `paid`.
const NEGATIONS = ["un", "in", "im", "il", "ir", "non", "non_", "non-", "dis", "not_", "not-", "no_", "no-"];

/**
 * Whether `a` and `b` differ only by a negating prefix (`paid`/`unpaid`, `active`/`inactive`,
 * `consent`/`non_consent`): close in spelling, opposite in meaning, so never a suggestion.
 */
export function isNegation(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a.toLowerCase(), b.toLowerCase()] : [b.toLowerCase(), a.toLowerCase()];
  return short.length > 0 && NEGATIONS.some((p) => long === p + short);
}

/**
 * The closest candidate, if one is close: its edit distance is at most max(2, a third of the
 * name's length) (a prefix of the other counts as that limit at most), and it is not the name
 * with a negating prefix added or removed (see isNegation). Ties go to the first in sort order.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  const limit = Math.max(2, Math.floor(name.length / 3));
  for (const c of candidates) {
    if (isNegation(name, c)) continue;
    const d = c.startsWith(name) || name.startsWith(c) ? Math.min(editDistance(name, c), limit) : editDistance(name, c);
    if (d < bestDist || (d === bestDist && best !== undefined && c < best)) {
      best = c;
      bestDist = d;
    }
  }
  return bestDist <= limit ? best : undefined;
}

/** "did you mean `x`?" or undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const c = closest(name, candidates);
  return c === undefined ? undefined : `did you mean \`${c}\`?`;
}
