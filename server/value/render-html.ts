// The scoreboard as one self-contained HTML page: `kairos report value --format html` and the
// service's `GET /dashboard` (docs/value.md). Inline CSS and inline SVG charts (svg.ts); no
// script, no font, no image fetched — a Content-Security-Policy forbids it — so the page reads
// the same opened from a file, mailed, printed or served. The layout is scoreboard.ts's; this
// file prints it: cards as a grid of figures, each journey as a panel whose left edge says how
// it is doing (green lift, red harm or stopped, grey inconclusive).
import { escapeHtml, htmlBlock, htmlPage } from "../../core/document/html.ts";
import { baseStyle } from "../../core/document/html-style.ts";
import { REPORT_TITLE, type ScoreBlock, scoreboard } from "./scoreboard.ts";
import { TONE_COLOUR } from "./svg.ts";
import type { ValueReport } from "./types.ts";

/** The generator meta tag: names what wrote the page. */
export const VALUE_GENERATOR = "kairos report value";

const STYLE = [
  baseStyle({ bodyPx: 14, codePx: 12, maxWidthRem: 80 }),
  `
table { border-collapse: collapse; margin: .6rem 0; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d5dae5; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f3f8; font-weight: 600; }
td { font-variant-numeric: tabular-nums; }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 2rem; align-items: start; }
@media (max-width: 60rem) { .columns { grid-template-columns: minmax(0, 1fr); } }
strong { color: #1d2330; }
td strong { color: ${TONE_COLOUR.bad}; }
td:nth-child(n+3) { white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: .8rem; margin: .8rem 0; }
.card { border: 1px solid #d5dae5; border-radius: 6px; padding: .6rem .8rem; background: #fff; }
.card .label { color: #3b4560; font-size: .85rem; }
.card .value { font-size: 1.5rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .note { color: #64748b; font-size: .8rem; }
.tone-good .value { color: ${TONE_COLOUR.good}; }
.tone-bad .value { color: ${TONE_COLOUR.bad}; }
div.table { overflow-x: auto; }
figure.chart { margin: .6rem 0; max-width: 56rem; }
figure.chart svg { display: block; height: auto; }
section.journey { border: 1px solid #d5dae5; border-left: 6px solid ${TONE_COLOUR.neutral}; border-radius: 6px; padding: .2rem 1rem .6rem; margin: 1rem 0; }
section.journey.tone-good { border-left-color: ${TONE_COLOUR.good}; }
section.journey.tone-bad { border-left-color: ${TONE_COLOUR.bad}; }
section.journey h3 strong { background: ${TONE_COLOUR.bad}; color: #fff; padding: 0 .4rem; border-radius: 3px; font-size: .8rem; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  section.journey, figure.chart, tr, .card { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
`.trim(),
].join("\n");

function block(b: ScoreBlock): string {
  switch (b.kind) {
    case "chart":
      return `<figure class="chart">${b.svg}</figure>`;
    case "cards":
      return (
        `<div class="cards">\n` +
        b.cards
          .map(
            (c) =>
              `  <div class="card tone-${c.tone ?? "neutral"}"><div class="label">${escapeHtml(c.label)}</div>` +
              `<div class="value">${escapeHtml(c.value)}</div>${c.note ? `<div class="note">${escapeHtml(c.note)}</div>` : ""}</div>`,
          )
          .join("\n") +
        "\n</div>"
      );
    case "columns":
      return `<div class="columns">\n${b.columns.map((col) => `<div>\n${col.map(block).join("\n")}\n</div>`).join("\n")}\n</div>`;
    case "section":
      return `<section class="journey tone-${b.tone}" data-journey="${escapeHtml(b.id)}">\n${b.blocks.map(block).join("\n")}\n</section>`;
    case "table":
      // A wide table scrolls within the page on a narrow screen instead of widening it.
      return `<div class="table">${htmlBlock(b, { breakLongRuns: true })}</div>`;
    default:
      return htmlBlock(b, { breakLongRuns: true });
  }
}

/** What to render. */
export interface ValueHtmlOptions {
  /** The service's page (title and golden signals). */
  readonly dashboard?: boolean;
  /** Reload the page every this many seconds (a `<meta http-equiv="refresh">`, no script): a wall screen. */
  readonly refreshSeconds?: number;
}

/** The scoreboard of `report` as a complete, self-contained HTML page (ends with a newline). */
export function renderValueHtml(report: ValueReport, options: ValueHtmlOptions = {}): string {
  const { blocks } = scoreboard(report, options.dashboard ? { dashboard: true } : {});
  const page = htmlPage(blocks, blocks.map(block), { fallbackTitle: REPORT_TITLE, style: STYLE, generator: VALUE_GENERATOR });
  const every = options.refreshSeconds;
  if (every === undefined || !Number.isInteger(every) || every <= 0) return page;
  // The page model has no slot for it: right after the charset, the first thing in <head>.
  return page.replace(`<meta charset="utf-8">\n`, `<meta charset="utf-8">\n<meta http-equiv="refresh" content="${every}">\n`);
}
