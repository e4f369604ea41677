// Literal values shared by the parser, the checker, the interpreter and the runtime:
// dates are whole UTC days since 1970-01-01, datetimes and durations are milliseconds.
//
// Ranges. Every value the language can write or the runtime accepts lies in a fixed range, so
// arithmetic on them stays far inside what JavaScript `Date` represents and nothing fails with
// `Invalid time value` later: dates are the years 0000–9999 (four digits), datetimes those days
// at any offset, and durations at most the length of that calendar (MAX_DURATION_DAYS, about
// 10,000 years). The checker proves expressions in range from these bounds
// (compiler/checker/ranges.ts).

export const MS_PER_DAY = 86_400_000;

const UNIT_MS: Readonly<Record<string, number>> = { w: 7 * MS_PER_DAY, d: MS_PER_DAY, h: 3_600_000, m: 60_000, s: 1_000 };

/** The first and last day a date can be: 0000-01-01 and 9999-12-31, in days since the epoch. */
export const MIN_DAY = -719_528;
export const MAX_DAY = 2_932_896;
/** The first and last instant a datetime can be: those days at the extreme offsets (±23:59). */
export const MIN_DATETIME_MS = MIN_DAY * MS_PER_DAY - (23 * 60 + 59) * 60_000;
export const MAX_DATETIME_MS = (MAX_DAY + 1) * MS_PER_DAY - 1 + (23 * 60 + 59) * 60_000;
/** The longest duration: the length of the calendar from MIN_DAY to MAX_DAY (3,652,425 days). */
export const MAX_DURATION_DAYS = MAX_DAY - MIN_DAY + 1;
export const MAX_DURATION_MS = MAX_DURATION_DAYS * MS_PER_DAY;
/** JavaScript `Date` represents instants within ±8.64e15 ms (±100,000,000 days) of the epoch. */
export const JS_DATE_LIMIT_MS = 8.64e15;
export const JS_DATE_LIMIT_DAYS = 1e8;

/** `90d`, `12h`, `30m`, `2w`, `10s` → milliseconds, or undefined when longer than MAX_DURATION_MS. */
export function parseDurationLiteral(text: string): number | undefined {
  const m = /^(\d+)([wdhms])$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms <= MAX_DURATION_MS ? ms : undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days since the epoch of a proleptic Gregorian date (what `Date` counts), or undefined when the
 * month or the day does not exist. Arithmetic, not `Date`: requests parse several datetimes each
 * (test/runtime/literals-fast.test.ts checks it against `Date` over the whole calendar).
 */
function civilDay(y: number, mo: number, d: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1) return undefined;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return undefined;
  // Days from civil (H. Hinnant): years counted from March, so the leap day ends a year.
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** `YYYY-MM-DD` → days since the epoch, or undefined when not a calendar date. */
export function parseDateLiteral(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  return civilDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/** The value of the two ASCII digits at `i`, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** ISO 8601 datetime with a `Z` or `±HH:MM` offset → epoch milliseconds, or undefined. */
export function parseDateTimeLiteral(text: string): number | undefined {
  // The form requests and logs use most, `2026-05-30T09:00:00Z`, read without a regex.
  if (text.length === 20 && text.charCodeAt(19) === 90 /* Z */) {
    const c = twoDigits(text, 0);
    const y = twoDigits(text, 2);
    const mo = twoDigits(text, 5);
    const d = twoDigits(text, 8);
    const h = twoDigits(text, 11);
    const mi = twoDigits(text, 14);
    const sec = twoDigits(text, 17);
    const shaped = text[4] === "-" && text[7] === "-" && text[10] === "T" && text[13] === ":" && text[16] === ":";
    if (shaped && c >= 0 && y >= 0 && mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && sec >= 0) {
      const day = civilDay(c * 100 + y, mo, d);
      if (day === undefined || h > 23 || mi > 59 || sec > 59) return undefined;
      return day * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000;
    }
  }
  const m = DATETIME_RE.exec(text);
  if (!m) return undefined;
  const day = civilDay(Number(m[1]), Number(m[2]), Number(m[3]));
  if (day === undefined) return undefined;
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const frac = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  let offset = 0;
  if (m[8] !== "Z") {
    const sign = m[8]!.startsWith("-") ? -1 : 1;
    const [oh, om] = m[8]!.slice(1).split(":").map(Number) as [number, number];
    if (oh > 23 || om > 59) return undefined;
    offset = sign * (oh * 60 + om) * 60_000;
  }
  return day * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + frac - offset;
}

/** Epoch day → `YYYY-MM-DD`. */
export function formatDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Epoch ms → ISO 8601 in UTC (`…Z`), without milliseconds when they are zero. */
export function formatDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? iso.slice(0, -5) + "Z" : iso;
}

/**
 * A `decimal` as people read amounts: at least two fraction digits (`49.9` → `49.90`, `50` →
 * `50.00`), more when the value has them (`0.125`). A JSON number has no trailing zeros, so a
 * provider's `49.90` arrives as 49.9: the field's type is what says it is a decimal.
 */
export function formatDecimal(value: number): string {
  const text = String(value);
  if (!Number.isFinite(value) || /e/i.test(text)) return text;
  const dot = text.indexOf(".");
  return dot >= 0 && text.length - dot - 1 >= 2 ? text : value.toFixed(2);
}

/** Milliseconds → the shortest exact duration literal (`90d`, `36h`, `2w`). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["w", UNIT_MS.w!],
    ["d", UNIT_MS.d!],
    ["h", UNIT_MS.h!],
    ["m", UNIT_MS.m!],
  ] as const) {
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}

/**
 * ISO 8601 duration (`P30D`, `PT5M`, `P10Y`) → milliseconds, with years as 365 days and months
 * as 30 days (catalog retention and freshness tags only; the language itself uses `30d`), or
 * undefined when longer than MAX_DURATION_MS.
 */
export function parseIsoDuration(text: string): number | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return undefined;
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  const ms = ((((n(1) * 365 + n(2) * 30 + n(3) * 7 + n(4)) * 24 + n(5)) * 60 + n(6)) * 60 + n(7)) * 1000;
  return ms <= MAX_DURATION_MS ? ms : undefined;
}
