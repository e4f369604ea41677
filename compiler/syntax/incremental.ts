// Incremental reparsing of a journey file after an edit (the playground on every keystroke):
// only the top-level declarations the edit touches are lexed and parsed again; the ones before
// it are reused as they are, the ones after it with their spans moved by the edit's length.
//
// The result must be exactly what a full parse gives (test/checker/incremental.test.ts checks
// this on random edits), so the shortcut is taken only where that is guaranteed:
// - the previous parse it starts from had no diagnostics at all (so its declaration spans are
//   the file's real structure), and
// - the re-parsed range — from the end of the last untouched declaration before the edit to the
//   start of the first untouched one after it — parses with no diagnostics. A declaration that
//   ends or starts right at the edit counts as touched, so no token can run across the range's
//   edges (strings and comments end within a line; a top-level keyword cannot continue an
//   expression); as a second guard, the range must also start and end at whitespace.
// Anything else (a syntax error anywhere, an edit at the very edge of a token) falls back to a
// full parse, which then reports the errors.
import type * as A from "./ast.ts";
import type { Diagnostic } from "../../core/diagnostics.ts";
import { MAX_SOURCE_BYTES, parseJourneyRange } from "./lower.ts";
import type { SourceFile, Span } from "../../core/source.ts";

/** A parse with no diagnostics, to reparse the next edit from. */
export interface CleanParse {
  readonly text: string;
  readonly value: A.JourneyFile;
}

type Item = { readonly span: Span };

/**
 * Reparses `file` from an earlier clean parse of the same file, or returns `undefined` when the
 * edit cannot be reparsed on its own (the caller then parses the whole file).
 */
export function reparseJourneyFile(prev: CleanParse, file: SourceFile): { value: A.JourneyFile; diagnostics: Diagnostic[] } | undefined {
  const oldText = prev.text;
  const newText = file.text;
  if (prev.value.name !== file.name || newText.length > MAX_SOURCE_BYTES) return undefined;
  // The edit: old [p, oldEnd) became new [p, newEnd).
  const max = Math.min(oldText.length, newText.length);
  let p = 0;
  while (p < max && oldText.charCodeAt(p) === newText.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && oldText.charCodeAt(oldText.length - 1 - s) === newText.charCodeAt(newText.length - 1 - s)) s++;
  const oldEnd = oldText.length - s;
  const delta = newText.length - oldText.length;

  const decls = prev.value.decls;
  const tests = prev.value.tests ?? [];
  // Untouched items end strictly before the edit or start strictly after it.
  const before = (i: Item) => i.span.end < p;
  const after = (i: Item) => i.span.start > oldEnd;
  let start = 0;
  for (const i of [...decls, ...tests]) if (before(i) && i.span.end > start) start = i.span.end;
  let endOld = oldText.length;
  for (const i of [...decls, ...tests]) if (after(i) && i.span.start < endOld) endOld = i.span.start;
  const end = endOld + delta;
  if (!bounded(newText, start, end)) return undefined;

  const chunk = parseJourneyRange(file, start, end);
  if (chunk.diagnostics.length > 0) return undefined;
  const moved = <T extends Item>(items: readonly T[]) => items.filter(after).map((i) => shiftSpans(i, delta));
  const newTests = [...tests.filter(before), ...chunk.tests, ...moved(tests)];
  const value: A.JourneyFile = {
    kind: "file",
    name: file.name,
    decls: [...decls.filter(before), ...chunk.decls, ...moved(decls)],
    ...(newTests.length > 0 ? { tests: newTests } : {}),
    span: file.span(0, newText.length),
  };
  return { value, diagnostics: [] };
}

/**
 * The range starts at the file's start or end or at whitespace, and ends at the file's start or
 * end or after whitespace: the tokens on either side of it are then the old parse's.
 */
function bounded(text: string, start: number, end: number): boolean {
  if (end < start) return false;
  const space = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
  const startOk = start === 0 || start === text.length || space(text.charCodeAt(start));
  const endOk = end === 0 || end === text.length || space(text.charCodeAt(end - 1));
  return startOk && endOk;
}

/** A copy of an AST subtree with every span moved by `delta`. */
function shiftSpans<T>(node: T, delta: number): T {
  if (delta === 0) return node;
  return shift(node, delta) as T;
}

// Clones by spread so that every copy keeps its original's hidden class (V8 clones the shape
// with the object): the checker then sees one shape per node kind, as after a full parse.
function shift(node: unknown, delta: number): unknown {
  if (Array.isArray(node)) return node.map((n) => shift(n, delta));
  if (node === null || typeof node !== "object") return node;
  const out = { ...(node as Record<string, unknown>) };
  if (typeof out["start"] === "number" && typeof out["end"] === "number" && typeof out["file"] === "string") {
    out["start"] = (out["start"] as number) + delta;
    out["end"] = (out["end"] as number) + delta;
    return out;
  }
  for (const k in out) {
    const v = out[k];
    if (v !== null && typeof v === "object") out[k] = shift(v, delta);
  }
  return out;
}
