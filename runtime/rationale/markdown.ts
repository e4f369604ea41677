// Markdown (CommonMark + GFM tables) of a rationale document. Every string from a policy, a
// request or a log is escaped: plain text backslash-escapes Markdown punctuation, code spans
// use a fence longer than any backtick run inside them, table cells escape `|` (core's
// core/document/markdown.ts, shared with the governance reports; this file adds the rationale's
// quote and trace blocks).
import { codeSpan, escapeMarkdown, markdownBlock, markdownInline } from "../../core/document/markdown.ts";
import { MARK_SYMBOL, traceValueText, type Block } from "./document.ts";

export { codeSpan };

function block(b: Block): string {
  switch (b.kind) {
    case "quote":
      return `> ${markdownInline(b.text)}`;
    case "trace":
      return b.lines
        .map((l) => {
          const tail =
            l.mark === "skipped"
              ? ` — ${escapeMarkdown(traceValueText(l))}`
              : l.value === undefined
                ? ""
                : ` → ${codeSpan(l.value)}${l.times ? ` (${l.times} evaluations)` : ""}`;
          return `${"  ".repeat(l.depth)}- ${MARK_SYMBOL[l.mark]} ${codeSpan(l.source)}${tail}`;
        })
        .join("\n");
    default:
      return markdownBlock(b);
  }
}

/** Renders blocks as a Markdown document (ends with a newline). */
export function renderMarkdown(blocks: readonly Block[]): string {
  return blocks.map(block).join("\n\n") + "\n";
}
