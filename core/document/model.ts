// The document model that Kairos' human-readable reports share (a decision's rationale in
// runtime/rationale, the records of processing in compiler/governance): a layout is built once
// as blocks, and each format (Markdown, HTML, plain text) only differs in how it prints and
// escapes them. It lives in core so that the compiler and the runtime, which may not import
// each other, use one model; a report adds its own block kinds (the rationale's quote and
// trace) on top of these.

/** Inline content: plain text, code (names, paths, values, ids) or emphasis. */
export type Inline = string | { readonly code: string } | { readonly strong: string };

/** A run of inline content (a heading's text, a paragraph, a table cell). */
export type Text = readonly Inline[];

/** The block kinds every report has; `id` on a heading becomes an HTML anchor. */
export type DocBlock =
  | { readonly kind: "heading"; readonly level: 1 | 2 | 3; readonly text: Text; readonly id?: string }
  | { readonly kind: "paragraph"; readonly text: Text }
  /** Label → value rows. */
  | { readonly kind: "fields"; readonly rows: readonly (readonly [string, Text])[] }
  | { readonly kind: "table"; readonly head: readonly string[]; readonly rows: readonly (readonly Text[])[] }
  | { readonly kind: "list"; readonly items: readonly Text[] };

/**
 * A message in the house style (names and user text in `backticks`, as engine reasons, errors
 * and diagnostics write it) as inline text: backticked parts become code, so that every format
 * shows them as such.
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
