// Markdown (CommonMark + GFM tables) of a governance document (document.ts). Every string from
// the policy set is escaped: plain text backslash-escapes Markdown punctuation, code spans use
// a fence longer than any backtick run inside them, table cells escape `|`; line breaks in a
// value become spaces, so one value never breaks a table row or a list item.
import type { Block, Text } from "./document.ts";

// Global, used only with `replace`, which resets its lastIndex: no state between calls.
const PUNCT = /[\\`*_[\]<>|~#&!]/g;

function escapeText(s: string): string {
  return s.replace(PUNCT, (c) => `\\${c}`).replace(/\r?\n|\r/g, " ");
}

/** A code span that shows `s` verbatim whatever backticks it holds. */
function codeSpan(s: string): string {
  const flat = s.replace(/\r?\n|\r/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function inline(text: Text, inTable = false): string {
  const out = text.map((x) => (typeof x === "string" ? escapeText(x) : "code" in x ? codeSpan(x.code) : `**${escapeText(x.strong)}**`)).join("");
  // GFM splits cells on `|` even inside code spans; `\|` is the documented escape.
  return inTable ? out.replace(/(?<!\\)\|/g, "\\|") : out;
}

function block(b: Block): string {
  switch (b.kind) {
    case "heading":
      return `${"#".repeat(b.level)} ${inline(b.text)}`;
    case "paragraph":
      return inline(b.text);
    case "fields":
      return b.rows.map(([label, value]) => `- **${escapeText(label)}:** ${inline(value)}`).join("\n");
    case "list":
      return b.items.map((item) => `- ${inline(item)}`).join("\n");
    case "table": {
      const head = `| ${b.head.map((h) => inline([h], true)).join(" | ")} |`;
      const rule = `| ${b.head.map(() => "---").join(" | ")} |`;
      const rows = b.rows.map((r) => `| ${r.map((c) => inline(c, true)).join(" | ")} |`);
      return [head, rule, ...rows].join("\n");
    }
  }
}

/** Renders blocks as one Markdown document, blocks separated by a blank line, ending in a newline. */
export function renderMarkdown(blocks: readonly Block[], preamble = ""): string {
  return preamble + blocks.map(block).join("\n\n") + "\n";
}
