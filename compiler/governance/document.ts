// A small document model for the governance reports (the records of processing): the layout is
// built once as blocks, and Markdown and HTML only differ in how they print and escape them.
// It mirrors runtime/rationale/document.ts, which the compiler may not import (layers: the
// compiler stands on core alone), without the rationale's trace blocks.

/** Inline content: plain text, code (names, paths, durations) or emphasis. */
export type Inline = string | { readonly code: string } | { readonly strong: string };
export type Text = readonly Inline[];

export type Block =
  | { readonly kind: "heading"; readonly level: 1 | 2 | 3; readonly text: Text; readonly id?: string }
  | { readonly kind: "paragraph"; readonly text: Text }
  /** Label → value rows. */
  | { readonly kind: "fields"; readonly rows: readonly (readonly [string, Text])[] }
  | { readonly kind: "table"; readonly head: readonly string[]; readonly rows: readonly (readonly Text[])[] }
  | { readonly kind: "list"; readonly items: readonly Text[] };

/**
 * A message in the house style (names in `backticks`) as inline text: backticked parts become
 * code. An odd number of backticks leaves the text as it is (no pairing to trust).
 */
export function fromBackticks(message: string): Inline[] {
  const parts = message.split("`");
  if (parts.length % 2 === 0) return [message];
  return parts.map((p, i) => (i % 2 === 1 ? { code: p } : p)).filter((x) => x !== "");
}

/** Code items joined by `, ` (or `none` in plain text when empty). */
export function codeList(items: readonly string[], empty = "none"): Inline[] {
  if (items.length === 0) return [empty];
  const out: Inline[] = [];
  items.forEach((item, i) => {
    if (i > 0) out.push(", ");
    out.push({ code: item });
  });
  return out;
}

/** The plain characters of a text (titles). */
export function plainText(text: Text): string {
  return text.map((x) => (typeof x === "string" ? x : "code" in x ? x.code : x.strong)).join("");
}
