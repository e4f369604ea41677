// Markdown (CommonMark + GFM tables) of the shared document model (model.ts). Every string is
// escaped: plain text backslash-escapes Markdown punctuation, code spans use a fence longer
// than any backtick run inside them, table cells escape `|`; line breaks in a value become
// spaces, so one value never breaks a table row or a list item. Each report renders its own
// extra block kinds with these helpers.
import type { DocBlock, Text } from "./model.ts";

// Shared though global (`/g`): `replace` resets its lastIndex, so it carries no state between
// calls (never use it with `test` or `exec`).
const PUNCT = /[\\`*_[\]<>|~#&!]/g;
// CommonMark ends a line at `\n`, `\r\n` and a lone `\r`.
const LINE_BREAK = /\r?\n|\r/g;

/** Plain text for Markdown: punctuation backslash-escaped, line breaks as spaces. */
export function escapeMarkdown(s: string): string {
  return s.replace(PUNCT, (c) => `\\${c}`).replace(LINE_BREAK, " ");
}

/** A code span that shows `s` verbatim whatever backticks it holds (line breaks as spaces). */
export function codeSpan(s: string): string {
  const flat = s.replace(LINE_BREAK, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Inline content as Markdown; `inTable` also escapes `|` for a GFM table cell. */
export function markdownInline(text: Text, inTable = false): string {
  const out = text.map((x) => (typeof x === "string" ? escapeMarkdown(x) : "code" in x ? codeSpan(x.code) : `**${escapeMarkdown(x.strong)}**`)).join("");
  // GFM splits cells on `|` even inside code spans; `\|` is the documented escape.
  return inTable ? out.replace(/(?<!\\)\|/g, "\\|") : out;
}

/** One of the common blocks as Markdown (fields as a list of bold labels; heading ids are not printed). */
export function markdownBlock(b: DocBlock): string {
  switch (b.kind) {
    case "heading":
      return `${"#".repeat(b.level)} ${markdownInline(b.text)}`;
    case "paragraph":
      return markdownInline(b.text);
    case "fields":
      return b.rows.map(([label, value]) => `- **${escapeMarkdown(label)}:** ${markdownInline(value)}`).join("\n");
    case "list":
      return b.items.map((item) => `- ${markdownInline(item)}`).join("\n");
    case "table": {
      const head = `| ${b.head.map((h) => markdownInline([h], true)).join(" | ")} |`;
      const rule = `| ${b.head.map(() => "---").join(" | ")} |`;
      const rows = b.rows.map((r) => `| ${r.map((c) => markdownInline(c, true)).join(" | ")} |`);
      return [head, rule, ...rows].join("\n");
    }
  }
}
