// The document model of the governance reports (the records of processing): core's shared
// model (core/document/model.ts, also used by the decision rationale) plus the helpers these
// reports build their text with. The layout is built once as blocks, and Markdown and HTML only
// differ in how they print and escape them.
import type { Inline } from "../../core/document/model.ts";

export { fromBackticks, plainText } from "../../core/document/model.ts";
export type { DocBlock as Block, Inline, Text } from "../../core/document/model.ts";

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
