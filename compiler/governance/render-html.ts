// A self-contained HTML page of a governance document (document.ts), fit for a DPO to file or
// print: inline CSS with print rules (A4 margins, tables that do not split their rows, headings
// kept with what follows), no scripts, no external resources (a Content-Security-Policy
// forbids fetching any), every string HTML-escaped.
import { plainText, type Block, type Text } from "./document.ts";

/** Escapes text for HTML element content and (quoted) attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const STYLE = `
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; max-width: 64rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.5rem; border-bottom: 2px solid #1d2330; padding-bottom: .3rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #c9cfdb; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; color: #3b4560; }
code { font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: #f1f3f8; padding: 0 .25em; border-radius: 3px; overflow-wrap: break-word; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.fields dt { font-weight: 600; color: #3b4560; }
dl.fields dd { margin: 0; }
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
`.trim();

/**
 * Code text (names, paths) as HTML that may wrap only after `_`, `.` or `/`: a long
 * `claim.diagnosis` in a narrow column breaks between its parts, never inside a word. A run of
 * more than 24 characters without such a place (a sha256) may break every 16 characters, so
 * that no table grows wider than the page.
 */
function codeHtml(s: string): string {
  return s
    .split(/(?<=[_./])(?=.)/)
    .flatMap((part) => (part.length > 24 ? (part.match(/.{1,16}/gsu) ?? [part]) : [part]))
    .map(escapeHtml)
    .join("<wbr>");
}

function inline(text: Text): string {
  return text
    .map((x) => (typeof x === "string" ? escapeHtml(x) : "code" in x ? `<code>${codeHtml(x.code)}</code>` : `<strong>${escapeHtml(x.strong)}</strong>`))
    .join("");
}

function block(b: Block): string {
  switch (b.kind) {
    case "heading":
      return `<h${b.level}${b.id !== undefined ? ` id="${escapeHtml(b.id)}"` : ""}>${inline(b.text)}</h${b.level}>`;
    case "paragraph":
      return `<p>${inline(b.text)}</p>`;
    case "fields":
      return `<dl class="fields">\n${b.rows.map(([k, v]) => `  <dt>${escapeHtml(k)}</dt><dd>${inline(v)}</dd>`).join("\n")}\n</dl>`;
    case "list":
      return `<ul>\n${b.items.map((i) => `  <li>${inline(i)}</li>`).join("\n")}\n</ul>`;
    case "table": {
      const head = `<thead><tr>${b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>`;
      const rows = b.rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`).join("\n");
      return `<table>${head}<tbody>\n${rows}\n</tbody></table>`;
    }
  }
}

/** Renders blocks as a complete, self-contained HTML page; `generator` names the tool in a meta tag. */
export function renderHtml(blocks: readonly Block[], generator: string): string {
  const first = blocks.find((b) => b.kind === "heading");
  const title = first && first.kind === "heading" ? plainText(first.text) : "Report";
  return [
    "<!doctype html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<meta name="generator" content="${escapeHtml(generator)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    "</head>",
    "<body>",
    ...blocks.map(block),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
