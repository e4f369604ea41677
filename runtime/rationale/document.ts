// A small document model between the rationale's content and its formats: the legal-review
// layout is built once as blocks, and Markdown, HTML and plain text only differ in how they
// print them (and in how they escape: each renderer escapes every string it prints).
import type { TraceLine } from "./trace-tree.ts";

/** Inline content: plain text, code (source text, values, ids) or emphasis. */
export type Inline = string | { readonly code: string } | { readonly strong: string };
export type Text = readonly Inline[];

export type Block =
  | { readonly kind: "heading"; readonly level: 1 | 2 | 3; readonly text: Text }
  | { readonly kind: "paragraph"; readonly text: Text }
  | { readonly kind: "quote"; readonly text: Text }
  /** Label → value rows. */
  | { readonly kind: "fields"; readonly rows: readonly (readonly [string, Text])[] }
  | { readonly kind: "table"; readonly head: readonly string[]; readonly rows: readonly (readonly Text[])[] }
  | { readonly kind: "list"; readonly items: readonly Text[] }
  | { readonly kind: "trace"; readonly lines: readonly TraceLine[] };

/** `a`code`b` shorthand: splits on backticks into text and code (no user text goes through here). */
export function t(strings: TemplateStringsArray, ...values: (string | number)[]): Inline[] {
  const out: Inline[] = [];
  strings.forEach((s, i) => {
    if (s) out.push(s);
    if (i < values.length) out.push({ code: String(values[i]) });
  });
  return out;
}

/**
 * A message in the house style (user text in `backticks`, as engine reasons and errors write
 * it) as inline text: backticked parts become code, so that every format shows them as such.
 */
export function fromBackticks(message: string): Inline[] {
  const parts = message.split("`");
  // An odd number of backticks: no pairing to trust, keep the text as it is.
  if (parts.length % 2 === 0) return [message];
  return parts.map((p, i) => (i % 2 === 1 ? { code: p } : p)).filter((x) => x !== "");
}

/** The plain characters of a text (for titles, alt text, measuring). */
export function plainText(text: Text): string {
  return text.map((x) => (typeof x === "string" ? x : "code" in x ? x.code : x.strong)).join("");
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
