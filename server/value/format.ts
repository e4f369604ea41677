// How the scoreboard writes its numbers (docs/value.md#the-scoreboard-kairos-report-value): one
// place, so that the Markdown report, the HTML report, the dashboard and the charts say the same
// figure the same way. Deterministic (no locale: the same report is the same bytes on every
// machine); a figure the data cannot give (`null`) is an em dash, never `NaN`.

/** What a missing figure prints as. */
export const NONE = "—";

/** Digits grouped by thousands with commas: `1234567.5` → `1,234,567.5`. */
function group(digits: string): string {
  const [whole = "", frac] = digits.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** A finite number with `decimals` digits and thousands separators; `-0` prints as `0`. */
export function num(x: number | null | undefined, decimals = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NONE;
  const fixed = Math.abs(x).toFixed(decimals);
  const negative = x < 0 && Number(fixed) !== 0;
  return (negative ? "-" : "") + group(fixed);
}

/** A count: `1,234`. */
export function count(x: number | null | undefined): string {
  return num(x, 0);
}

/** Decimals that keep about three significant digits for a percentage (`0.83%`, `12.3%`, `100%`). */
function percentDecimals(p: number): number {
  const a = Math.abs(p);
  if (a === 0 || a >= 100) return 0;
  if (a >= 10) return 1;
  return 2;
}

/** A percentage's digits: about three significant ones, trailing zeros dropped (`3`, `0.4`, `12.3`). */
function percentNumber(p: number): string {
  const text = num(p, percentDecimals(p));
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** A fraction as a percentage: `0.1234` → `12.3%`. */
export function pct(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NONE;
  return `${percentNumber(x * 100)}%`;
}

/** A signed figure: `+` before a positive one (an uplift reads as a change). */
function signed(text: string, x: number): string {
  return x > 0 && /[1-9]/.test(text) ? `+${text}` : text;
}

/** A difference of fractions in percentage points: `0.021` → `+2.10 pp`. */
export function pp(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NONE;
  const p = x * 100;
  return `${signed(percentNumber(p), p)} pp`;
}

/** A relative change: `0.123` → `+12.3%`. */
export function rel(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NONE;
  return signed(pct(x), x);
}

/** Decimals for money: cents, or four places for amounts under a cent (a push costs EUR 0.002). */
function moneyDecimals(x: number): number {
  return x !== 0 && Math.abs(x) < 0.01 ? 4 : 2;
}

/** Money in the report's currency: `EUR 1,234.56` (`EUR -12.00` when negative, `EUR 0.0013` under a cent). */
export function money(x: number | null | undefined, currency: string): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NONE;
  return `${currency} ${num(x, moneyDecimals(x))}`;
}

/** A signed money figure (an incremental value, a return): `EUR +120.00`. */
export function moneySigned(x: number | null | undefined, currency: string): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NONE;
  return `${currency} ${signed(num(x, moneyDecimals(x)), x)}`;
}

/** A point estimate with its interval: `+2.10 pp (-0.40 pp to +4.60 pp)`; just the estimate when a bound is missing. */
export function withInterval(
  e: { readonly estimate: number | null; readonly low: number | null; readonly high: number | null } | undefined,
  show: (x: number | null) => string,
): string {
  if (e === undefined || e.estimate === null) return NONE;
  if (e.low === null || e.high === null) return show(e.estimate);
  return `${show(e.estimate)} (${show(e.low)} to ${show(e.high)})`;
}

/** Milliseconds for people: `0.8 ms`, `12 ms`, `1.25 s`. */
export function millis(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NONE;
  if (x >= 1000) return `${num(x / 1000, 2)} s`;
  return `${num(x, x < 10 ? 1 : 0)} ms`;
}

/** A duration in seconds for people: `42 s`, `3 min`, `2 h 5 min`, `3 d 4 h`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return NONE;
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
