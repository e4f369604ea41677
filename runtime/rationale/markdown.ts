// Markdown (CommonMark + GFM tables) of a rationale document. Every string from a policy, a
// request or a log is escaped: plain text backslash-escapes Markdown punctuation, code spans
// use a fence longer than any backtick run inside them, table cells escape `|`.
import { MARK_SYMBOL, traceValueText, type Block, type Text } from "./document.ts";

// Shared though global (`/g`): `replace` resets its lastIndex, so it carries no state between
// calls (never use it with `test` or `exec`).
const PUNCT = /[\\`*_[\]<>|~#&!]/g;

function escapeText(s: string): string {
  return s.replace(PUNCT, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

/** A code span that shows `s` verbatim whatever backticks it holds. */
export function codeSpan(s: string): string {
  const flat = s.replace(/\r?\n/g, " ");
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
    case "quote":
      return `> ${inline(b.text)}`;
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
    case "trace":
      return b.lines
        .map((l) => {
          const tail =
            l.mark === "skipped"
              ? ` — ${escapeText(traceValueText(l))}`
              : l.value === undefined
                ? ""
                : ` → ${codeSpan(l.value)}${l.times ? ` (${l.times} evaluations)` : ""}`;
          return `${"  ".repeat(l.depth)}- ${MARK_SYMBOL[l.mark]} ${codeSpan(l.source)}${tail}`;
        })
        .join("\n");
  }
}

/** Renders blocks as a Markdown document (ends with a newline). */
export function renderMarkdown(blocks: readonly Block[]): string {
  return blocks.map(block).join("\n\n") + "\n";
}
