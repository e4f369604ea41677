// Literal values shared by the parser, the checker, the interpreter and the runtime:
// dates are whole UTC days since 1970-01-01, datetimes and durations are milliseconds.

export const MS_PER_DAY = 86_400_000;

const UNIT_MS: Record<string, number> = { w: 7 * MS_PER_DAY, d: MS_PER_DAY, h: 3_600_000, m: 60_000, s: 1_000 };

/** `90d`, `12h`, `30m`, `2w`, `10s` → milliseconds, or undefined when out of range. */
export function parseDurationLiteral(text: string): number | undefined {
  const m = /^(\d+)([wdhms])$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** `YYYY-MM-DD` → days since the epoch, or undefined when not a calendar date. */
export function parseDateLiteral(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return Math.round(ms / MS_PER_DAY);
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/** ISO 8601 datetime with a `Z` or `±HH:MM` offset → epoch milliseconds, or undefined. */
export function parseDateTimeLiteral(text: string): number | undefined {
  const m = DATETIME_RE.exec(text);
  if (!m) return undefined;
  const day = parseDateLiteral(`${m[1]}-${m[2]}-${m[3]}`);
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

/** Milliseconds → the shortest exact duration literal (`90d`, `36h`, `2w`). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [["w", UNIT_MS.w!], ["d", UNIT_MS.d!], ["h", UNIT_MS.h!], ["m", UNIT_MS.m!]] as const) {
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}

/**
 * ISO 8601 duration (`P30D`, `PT5M`, `P10Y`) → milliseconds, with years as 365 days and months
 * as 30 days (catalog retention and freshness tags only; the language itself uses `30d`).
 */
export function parseIsoDuration(text: string): number | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return undefined;
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  return ((((n(1) * 365 + n(2) * 30 + n(3) * 7 + n(4)) * 24 + n(5)) * 60 + n(6)) * 60 + n(7)) * 1000;
}
