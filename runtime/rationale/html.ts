// A self-contained HTML page of a rationale document: inline CSS, no scripts, no external
// resources (a Content-Security-Policy forbids fetching any), every string HTML-escaped.
// Fit to attach to a case file or print.
import { MARK_SYMBOL, plainText, traceValueText, type Block, type Text } from "./document.ts";
import type { TraceLine } from "./trace-tree.ts";

/** Escapes text for HTML element content and attribute values. */
/**
 * Code text (identifiers, paths, expressions) as HTML that may wrap only after `_`, `.` or `/`:
 * a long `renewal_reminder_d90` breaks between its words, never inside one (`overflow-wrap:
 * anywhere` broke it mid-word).
 */
export function codeHtml(s: string): string {
  return s
    .split(/(?<=[_./])(?=.)/)
    .map(escapeHtml)
    .join("<wbr>");
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const STYLE = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.5rem; border-bottom: 2px solid #1d2330; padding-bottom: .3rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #c9cfdb; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; color: #3b4560; }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: #f1f3f8; padding: 0 .25em; border-radius: 3px; overflow-wrap: break-word; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.fields dt { font-weight: 600; color: #3b4560; }
dl.fields dd { margin: 0; }
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
`.trim();

function inline(text: Text): string {
  return text
    .map((x) => (typeof x === "string" ? escapeHtml(x) : "code" in x ? `<code>${codeHtml(x.code)}</code>` : `<strong>${escapeHtml(x.strong)}</strong>`))
    .join("");
}

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
    case "heading":
      return `<h${b.level}>${inline(b.text)}</h${b.level}>`;
    case "paragraph":
      return `<p>${inline(b.text)}</p>`;
    case "quote":
      return `<blockquote>${inline(b.text)}</blockquote>`;
    case "fields":
      return `<dl class="fields">\n${b.rows.map(([k, v]) => `  <dt>${escapeHtml(k)}</dt><dd>${inline(v)}</dd>`).join("\n")}\n</dl>`;
    case "list":
      return `<ul>\n${b.items.map((i) => `  <li>${inline(i)}</li>`).join("\n")}\n</ul>`;
    case "table": {
      const head = `<thead><tr>${b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>`;
      const rows = b.rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`).join("\n");
      return `<table>${head}<tbody>\n${rows}\n</tbody></table>`;
    }
    case "trace":
      return trace(b.lines);
  }
}

/** Renders blocks as a complete, self-contained HTML page. */
export function renderHtml(blocks: readonly Block[]): string {
  const first = blocks.find((b) => b.kind === "heading");
  const title = first && first.kind === "heading" ? plainText(first.text) : "Decision rationale";
  return [
    "<!doctype html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
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
