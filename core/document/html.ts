// HTML of the shared document model (model.ts): escaping, code that wraps only at name
// boundaries, the common blocks and the self-contained page around them (no scripts, no
// external resources: a Content-Security-Policy forbids fetching any). Each report supplies
// its own style sheet and renders its own extra block kinds.
import { plainText, type DocBlock, type Text } from "./model.ts";

/** How code text may wrap. */
export type CodeWrap = {
  /**
   * Also allow a break every 16 characters in a run of more than 24 without a `_`, `.` or `/`
   * (a sha256), so that no table grows wider than a printed page.
   */
  readonly breakLongRuns?: boolean;
};

/** Escapes text for HTML element content and (quoted) attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/**
 * Code text (identifiers, paths, expressions) as HTML that may wrap only after `_`, `.` or `/`:
 * a long `renewal_reminder_d90` breaks between its words, never inside one (`overflow-wrap:
 * anywhere` broke it mid-word). See {@link CodeWrap} for long runs.
 */
export function codeHtml(s: string, wrap: CodeWrap = {}): string {
  const parts = s.split(/(?<=[_./])(?=.)/);
  const pieces = wrap.breakLongRuns ? parts.flatMap((part) => (part.length > 24 ? (part.match(/.{1,16}/gsu) ?? [part]) : [part])) : parts;
  return pieces.map(escapeHtml).join("<wbr>");
}

/** Inline content as HTML: text escaped, code in `<code>`, emphasis in `<strong>`. */
export function htmlInline(text: Text, wrap: CodeWrap = {}): string {
  return text
    .map((x) => (typeof x === "string" ? escapeHtml(x) : "code" in x ? `<code>${codeHtml(x.code, wrap)}</code>` : `<strong>${escapeHtml(x.strong)}</strong>`))
    .join("");
}

/** One of the common blocks as HTML (a fields block is a `dl.fields` grid). */
export function htmlBlock(b: DocBlock, wrap: CodeWrap = {}): string {
  const inline = (text: Text) => htmlInline(text, wrap);
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

/** What goes around the rendered blocks of a page. */
export type HtmlPage = {
  /** The `<title>`: the text of the first heading, or this when there is none. */
  readonly fallbackTitle: string;
  /** The inline style sheet. */
  readonly style: string;
  /** Names the tool in a `generator` meta tag, when given. */
  readonly generator?: string;
};

/**
 * A complete, self-contained HTML page (ends with a newline) of already rendered blocks; the
 * title comes from the first heading among `blocks`.
 */
export function htmlPage(blocks: readonly { readonly kind: string }[], body: readonly string[], page: HtmlPage): string {
  const first = blocks.find((b): b is Extract<DocBlock, { kind: "heading" }> => b.kind === "heading");
  const title = first ? plainText(first.text) : page.fallbackTitle;
  return [
    "<!doctype html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    ...(page.generator !== undefined ? [`<meta name="generator" content="${escapeHtml(page.generator)}">`] : []),
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${page.style}\n</style>`,
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
