// A self-contained HTML page of a rationale document: inline CSS, no scripts, no external
// resources (a Content-Security-Policy forbids fetching any), every string HTML-escaped.
// Fit to attach to a case file or print. The common blocks, escaping and the page are core's
// (core/document/html.ts, shared with the governance reports); this file holds the rationale's
// style sheet and its quote and trace blocks.
import { codeHtml, escapeHtml, htmlBlock, htmlInline, htmlPage } from "../../core/document/html.ts";
import { baseStyle } from "../../core/document/html-style.ts";
import { MARK_SYMBOL, traceValueText, type Block } from "./document.ts";
import type { TraceLine } from "./trace-tree.ts";

const STYLE = [
  baseStyle({ bodyPx: 15, codePx: 13, maxWidthRem: 60 }),
  `
blockquote { margin: .5rem 0; padding: .6rem 1rem; border-left: 4px solid #4a6cf7; background: #f4f6fe; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #d5dae5; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f1f3f8; }
ul.trace, ul.trace ul { list-style: none; padding-left: 1.4rem; margin: 0; }
ul.trace { padding-left: 0; margin: .4rem 0; }
ul.trace li { margin: .15rem 0; }
.mark { display: inline-block; width: 1.2em; font-weight: 700; }
.mark.true { color: #1a7f37; } .mark.false { color: #c0262d; } .mark.mixed { color: #9a6700; }
.mark.skipped, .mark.value, .mark.literal { color: #8a93a6; }
.skipped { color: #8a93a6; font-style: italic; }
.where { color: #8a93a6; font-size: .8em; margin-left: .5em; }
@media print { body { margin: 0; max-width: none; } }
`.trim(),
].join("\n");

function traceItem(l: TraceLine): string {
  const mark = `<span class="mark ${l.mark}" aria-label="${l.mark}">${MARK_SYMBOL[l.mark]}</span>`;
  const value =
    l.mark === "skipped"
      ? ` <span class="skipped">${escapeHtml(traceValueText(l))}</span>`
      : l.value === undefined
        ? ""
        : ` → <code>${codeHtml(l.value)}</code>${l.times ? ` (${l.times} evaluations)` : ""}`;
  const where = l.where ? `<span class="where">${escapeHtml(l.where)}</span>` : "";
  return `${mark}<code>${codeHtml(l.source)}</code>${value}${where}`;
}

/**
 * Nested lists from depth-annotated lines: a child list opens inside its parent's item. One
 * item per source line, indented, so that golden files diff line by line.
 */
function trace(lines: readonly TraceLine[]): string {
  const out: string[] = [];
  const pad = (d: number) => "  ".repeat(d);
  let depth = -1;
  for (const l of lines) {
    if (l.depth > depth) {
      for (let d = depth; d < l.depth; d++) out.push(d === -1 ? `<ul class="trace">` : `${pad(2 * d + 2)}<ul>`);
    } else {
      out[out.length - 1] += "</li>";
      for (let d = depth; d > l.depth; d--) out.push(`${pad(2 * d)}</ul></li>`);
    }
    out.push(`${pad(2 * l.depth + 1)}<li>${traceItem(l)}`);
    depth = l.depth;
  }
  if (depth >= 0) {
    out[out.length - 1] += "</li>";
    for (let d = depth; d > 0; d--) out.push(`${pad(2 * d)}</ul></li>`);
    out.push("</ul>");
  }
  return out.join("\n");
}

function block(b: Block): string {
  switch (b.kind) {
    case "quote":
      return `<blockquote>${htmlInline(b.text)}</blockquote>`;
    case "trace":
      return trace(b.lines);
    default:
      return htmlBlock(b);
  }
}

/** Renders blocks as a complete, self-contained HTML page. */
export function renderHtml(blocks: readonly Block[]): string {
  return htmlPage(blocks, blocks.map(block), { fallbackTitle: "Decision rationale", style: STYLE });
}
