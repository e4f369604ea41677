// Markdown (CommonMark + GFM tables) of a governance document (document.ts). Every string from
// the policy set is escaped (core/document/markdown.ts, shared with the decision rationale):
// plain text backslash-escapes Markdown punctuation, code spans use a fence longer than any
// backtick run inside them, table cells escape `|`; line breaks in a value become spaces.
import { markdownBlock } from "../../core/document/markdown.ts";
import type { Block } from "./document.ts";

/** Renders blocks as one Markdown document, blocks separated by a blank line, ending in a newline. */
export function renderMarkdown(blocks: readonly Block[], preamble = ""): string {
  return preamble + blocks.map(markdownBlock).join("\n\n") + "\n";
}
