// A small document model between the rationale's content and its formats: the legal-review
// layout is built once as blocks, and Markdown, HTML and plain text only differ in how they
// print them (and in how they escape: each renderer escapes every string it prints). The model
// and its common blocks are core's (core/document/model.ts, shared with the governance reports);
// the rationale adds its quote and trace blocks.
import type { DocBlock, Inline, Text } from "../../core/document/model.ts";
import type { TraceLine } from "./trace-tree.ts";

export type { Inline, Text } from "../../core/document/model.ts";
export { fromBackticks, plainText } from "../../core/document/model.ts";

/** The shared blocks (core/document/model.ts), a highlighted quote and an evaluation trace. */
export type Block = DocBlock | { readonly kind: "quote"; readonly text: Text } | { readonly kind: "trace"; readonly lines: readonly TraceLine[] };

/** `a`code`b` shorthand: splits on backticks into text and code (no user text goes through here). */
export function t(strings: TemplateStringsArray, ...values: (string | number)[]): Inline[] {
  const out: Inline[] = [];
  strings.forEach((s, i) => {
    if (s) out.push(s);
    if (i < values.length) out.push({ code: String(values[i]) });
  });
  return out;
}

/** Symbols for trace marks, shared by the text and Markdown renderers. */
export const MARK_SYMBOL: Readonly<Record<TraceLine["mark"], string>> = {
  true: "✓",
  false: "✗",
  mixed: "±",
  skipped: "–",
  value: "·",
  literal: "·",
};

/** What a trace line says after its source text. */
export function traceValueText(line: TraceLine): string {
  if (line.mark === "skipped") return "not evaluated (short-circuit)";
  if (line.value === undefined) return "";
  return line.times ? `${line.value} (${line.times} evaluations)` : line.value;
}
