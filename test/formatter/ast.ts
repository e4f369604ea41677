// AST comparison for formatter tests: two parses are "the same" when they differ only in spans.
import type { JourneyFile } from "../../compiler/syntax/ast.ts";
import { lex } from "../../grammar/lexer.ts";
import { parseJourneyFile } from "../../compiler/syntax/lower.ts";
import { SourceFile } from "../../core/source.ts";

const SPAN_KEYS = new Set(["span", "opSpan", "keywordSpan", "valueSpan", "percentSpan"]);

/** The value with every span removed, for deep equality. */
export function withoutSpans(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutSpans);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !SPAN_KEYS.has(k))
        .map(([k, x]) => [k, withoutSpans(x)]),
    );
  }
  return v;
}

export function parse(text: string, name = "t.journey"): { ast: JourneyFile; errors: number } {
  const r = parseJourneyFile(new SourceFile(name, text));
  return { ast: r.value, errors: r.diagnostics.filter((d) => d.severity === "error").length };
}

/** The comments of a text, trailing blanks trimmed, sorted (the formatter may move them). */
export function commentsOf(text: string): string[] {
  return lex(new SourceFile("t.journey", text))
    .comments.map((c) => c.image.trimEnd())
    .sort();
}
