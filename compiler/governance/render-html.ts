// A self-contained HTML page of a governance document (document.ts), fit for a DPO to file or
// print: inline CSS with print rules (A4 margins, tables that do not split their rows, headings
// kept with what follows), no scripts, no external resources (a Content-Security-Policy
// forbids fetching any), every string HTML-escaped. The blocks and the page are core's
// (core/document/html.ts); this file holds the record's style sheet.
import { htmlBlock, htmlPage } from "../../core/document/html.ts";
import { baseStyle } from "../../core/document/html-style.ts";
import type { Block } from "./document.ts";

const STYLE = [
  baseStyle({ bodyPx: 14, codePx: 12, maxWidthRem: 64 }),
  `
table { border-collapse: collapse; margin: .5rem 0; width: 100%; }
th, td { border: 1px solid #d5dae5; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f3f8; }
strong { color: #9a3412; }
@page { size: A4; margin: 18mm 15mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10.5pt; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  h2 { break-before: auto; }
  tr, li, dl.fields { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  code { background: none; padding: 0; }
}
`.trim(),
].join("\n");

/**
 * Renders blocks as a complete, self-contained HTML page; `generator` names the tool in a meta
 * tag. Long runs in code (sha256s) may break, so that no table grows wider than the page.
 */
export function renderHtml(blocks: readonly Block[], generator: string): string {
  const body = blocks.map((b) => htmlBlock(b, { breakLongRuns: true }));
  return htmlPage(blocks, body, { fallbackTitle: "Report", style: STYLE, generator });
}
