// The scoreboard's charts as inline SVG (docs/value.md#the-dashboard-dashboard): strings of
// markup that an HTML page embeds as they are — no script, no font or image fetched, readable in
// any browser, in a mail client and on paper. Each chart has a `<title>` and an `aria-label`, and
// every figure it draws is also written as text beside it, so nothing is only in the picture.
// Pure and deterministic: the same rows give the same bytes (coordinates rounded to 0.1).
import { escapeHtml } from "../../core/document/html.ts";

/** How a figure reads: good news, bad news, or neither (grey). */
export type Tone = "good" | "bad" | "neutral";

/** The colours of the tones, and of plain bars; shared with the HTML page's style sheet. */
export const TONE_COLOUR: Readonly<Record<Tone | "bar" | "control", string>> = {
  good: "#15803d",
  bad: "#b91c1c",
  neutral: "#64748b",
  bar: "#2563eb",
  control: "#94a3b8",
};

const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif"`;
const WIDTH = 720;
const ROW_H = 26;
/** About the width of one character at the charts' font size, to size the label and value columns. */
const CHAR_W = 7;

/** The widths of the label column (left) and the figure column (right) that fit these texts, within bounds. */
function columns(labels: readonly string[], texts: readonly string[]): { readonly labelW: number; readonly valueW: number } {
  const longest = (xs: readonly string[], max: number) => Math.min(max, Math.max(4, ...xs.map((x) => x.length)));
  return { labelW: longest(labels, 36) * CHAR_W + 16, valueW: longest(texts, 28) * CHAR_W + 16 };
}

/** One row of an interval chart: a point estimate and its 95% interval. */
export interface IntervalRow {
  readonly label: string;
  readonly estimate: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly tone: Tone;
  /** The figure written at the right (the estimate and its interval as text). */
  readonly text: string;
}

/** One bar of a bar chart. */
export interface BarRow {
  readonly label: string;
  readonly value: number;
  /** The figure written at the right of the bar. */
  readonly text: string;
  readonly tone?: Tone | "bar" | "control";
}

function r1(x: number): string {
  const v = Math.round(x * 10) / 10;
  return Object.is(v, -0) ? "0" : String(v);
}

function text(x: number, y: number, body: string, extra = ""): string {
  return `<text x="${r1(x)}" y="${r1(y)}"${extra}>${escapeHtml(body)}</text>`;
}

/** Shortens a label to `max` characters (the full label stays in the row's `<title>`). */
function clip(label: string, max: number): string {
  return label.length <= max ? label : label.slice(0, max - 1) + "…";
}

/** A "nice" step (1, 2 or 5 × 10^k) giving about `target` ticks over `span`. */
export function niceStep(span: number, target = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

function svgOpen(height: number, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${r1(height)}" width="100%" role="img" aria-label="${escapeHtml(title)}" ` +
    `class="chart" ${FONT} font-size="13">` +
    `<title>${escapeHtml(title)}</title>`
  );
}

/**
 * A forest plot: one row per label, its estimate as a dot and its interval as a whisker, against a
 * zero line, on one scale for every row (so rows compare at a glance). `tick` writes an axis value.
 * Rows without an estimate show their label and text only.
 */
export function intervalChart(rows: readonly IntervalRow[], title: string, tick: (x: number) => string): string {
  const { labelW, valueW } = columns(
    rows.map((r) => r.label),
    rows.map((r) => r.text),
  );
  const plotL = labelW;
  const plotR = WIDTH - valueW;
  const top = 8;
  const height = top + rows.length * ROW_H + 30;
  const values = rows.flatMap((r) => [r.estimate, r.low, r.high]).filter((x): x is number => x !== null && Number.isFinite(x));
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  if (hi - lo === 0) {
    lo = -0.01;
    hi = 0.01;
  }
  const step = niceStep(hi - lo);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const x = (v: number) => plotL + ((v - lo) / (hi - lo)) * (plotR - plotL);
  const parts = [svgOpen(height, title)];
  const axisY = top + rows.length * ROW_H + 4;
  rows.forEach((_, i) => {
    if (i % 2 === 1) parts.push(`<rect x="0" y="${r1(top + i * ROW_H)}" width="${WIDTH}" height="${ROW_H}" fill="#f8fafc"/>`);
  });
  for (let t = lo, i = 0; t <= hi + step / 2 && i < 50; t += step, i++) {
    const v = Math.abs(t) < step / 1e6 ? 0 : t;
    parts.push(`<line x1="${r1(x(v))}" y1="${top}" x2="${r1(x(v))}" y2="${r1(axisY)}" stroke="#e2e8f0"/>`);
    parts.push(text(x(v), axisY + 16, tick(v), ` text-anchor="middle" fill="#475569"`));
  }
  parts.push(`<line x1="${r1(x(0))}" y1="${top}" x2="${r1(x(0))}" y2="${r1(axisY)}" stroke="#1d2330" stroke-width="1.5"/>`);
  rows.forEach((row, i) => {
    const cy = top + i * ROW_H + ROW_H / 2;
    const colour = TONE_COLOUR[row.tone];
    parts.push(`<g><title>${escapeHtml(`${row.label}: ${row.text}`)}</title>`);
    parts.push(text(plotL - 8, cy + 4, clip(row.label, 36), ` text-anchor="end" fill="#1d2330"`));
    if (row.low !== null && row.high !== null) {
      parts.push(`<line x1="${r1(x(row.low))}" y1="${r1(cy)}" x2="${r1(x(row.high))}" y2="${r1(cy)}" stroke="${colour}" stroke-width="2.5"/>`);
      for (const end of [row.low, row.high]) {
        parts.push(`<line x1="${r1(x(end))}" y1="${r1(cy - 6)}" x2="${r1(x(end))}" y2="${r1(cy + 6)}" stroke="${colour}" stroke-width="2"/>`);
      }
    }
    if (row.estimate !== null) parts.push(`<circle cx="${r1(x(row.estimate))}" cy="${r1(cy)}" r="5" fill="${colour}"/>`);
    parts.push(text(plotR + 10, cy + 4, clip(row.text, 28), ` fill="${colour}"`));
    parts.push("</g>");
  });
  parts.push("</svg>");
  return parts.join("");
}

/**
 * Horizontal bars, one per row, from zero to `max` (default: the largest value), each with its
 * label at the left and its figure at the right.
 */
export function barChart(rows: readonly BarRow[], title: string, max?: number): string {
  const { labelW, valueW } = columns(
    rows.map((r) => r.label),
    rows.map((r) => r.text),
  );
  const plotL = labelW;
  const plotR = WIDTH - valueW;
  const top = 4;
  const height = top + Math.max(1, rows.length) * ROW_H + 4;
  const top1 = Math.max(max ?? 0, ...rows.map((r) => (Number.isFinite(r.value) ? r.value : 0)));
  const scale = top1 > 0 ? (plotR - plotL) / top1 : 0;
  const parts = [svgOpen(height, title)];
  if (rows.length === 0) parts.push(text(plotL, top + ROW_H / 2 + 4, "nothing yet", ` fill="#64748b"`));
  rows.forEach((row, i) => {
    const cy = top + i * ROW_H + ROW_H / 2;
    const w = Math.max(0, Number.isFinite(row.value) ? row.value : 0) * scale;
    const colour = TONE_COLOUR[row.tone ?? "bar"];
    parts.push(`<g><title>${escapeHtml(`${row.label}: ${row.text}`)}</title>`);
    parts.push(text(plotL - 8, cy + 4, clip(row.label, 36), ` text-anchor="end" fill="#1d2330"`));
    parts.push(`<rect x="${plotL}" y="${r1(cy - 8)}" width="${r1(plotR - plotL)}" height="16" fill="#f1f5f9"/>`);
    if (w > 0) parts.push(`<rect x="${plotL}" y="${r1(cy - 8)}" width="${r1(Math.max(1, w))}" height="16" fill="${colour}"/>`);
    parts.push(text(plotR + 10, cy + 4, clip(row.text, 28), ` fill="#1d2330"`));
    parts.push("</g>");
  });
  parts.push("</svg>");
  return parts.join("");
}
