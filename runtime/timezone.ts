// Wall-clock arithmetic in IANA time zones with Intl.DateTimeFormat alone (no tz database of our
// own, so Node and browsers agree with their ICU): local time of an instant, and the first
// instant a local wall time is reached — DST gaps and overlaps handled explicitly.

/** A local calendar date and minute of day. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Minutes since local midnight, seconds included as a fraction. */
  readonly minutes: number;
}

// Keyed by the zone as requests spell it. Intl accepts any letter case and offset zones
// (`+01:00`), so the spellings are unbounded: the cache keeps the most recent ones only.
// Process-wide and safe: a formatter is immutable and depends on the zone alone.
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Formatters whose `format` text reads `M/D/Y, h:m:s` (checked once each): parsed without formatToParts. */
const plainLayout = new WeakSet<Intl.DateTimeFormat>();
const LAYOUT = "month,/,day,/,year,, ,hour,:,minute,:,second";
const FORMATTED = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/;
/** Spellings cached at most (IANA has about 600 zones). */
export const MAX_CACHED_ZONES = 1024;

/** Zone spellings currently cached (for tests of the bound). */
export function cachedTimeZones(): number {
  return formatters.size;
}

/** True when `zone` is an IANA time zone the platform knows (`Europe/Berlin`, `UTC`). */
export function isValidTimeZone(zone: string): boolean {
  return formatter(zone) !== undefined;
}

function formatter(zone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(zone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    return undefined;
  }
  if (formatters.size >= MAX_CACHED_ZONES) formatters.delete(formatters.keys().next().value!);
  formatters.set(zone, f);
  const layout = f
    .formatToParts(0)
    .map((p) => (p.type === "literal" ? p.value : p.type))
    .join(",");
  if (layout === LAYOUT) plainLayout.add(f);
  return f;
}

function parts(zone: string, ms: number): Record<string, number> {
  const f = formatter(zone);
  if (!f) throw new RangeError(`unknown time zone \`${zone}\``);
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  // `format` is formatToParts's values joined, at half the cost: read back by the layout checked
  // when the formatter was made; anything else (an era, another layout) takes formatToParts.
  const m = plainLayout.has(f) ? FORMATTED.exec(f.format(ms)) : null;
  if (m) {
    out["month"] = Number(m[1]);
    out["day"] = Number(m[2]);
    out["year"] = Number(m[3]);
    out["hour"] = Number(m[4]);
    out["minute"] = Number(m[5]);
    out["second"] = Number(m[6]);
    return out;
  }
  for (const p of f.formatToParts(ms)) if (p.type !== "literal") out[p.type] = Number(p.value);
  return out;
}

/** The local wall time of an instant (epoch ms) in a zone. */
export function wallTime(zone: string, ms: number): WallTime {
  const p = parts(zone, ms);
  const seconds = p["second"]! + (((ms % 1000) + 1000) % 1000) / 1000;
  return { year: p["year"]!, month: p["month"]!, day: p["day"]!, minutes: p["hour"]! * 60 + p["minute"]! + seconds / 60 };
}

/** The zone's offset from UTC at an instant, in ms (local − UTC), to the second. */
export function offsetAt(zone: string, ms: number): number {
  const p = parts(zone, ms);
  const asUtc = Date.UTC(p["year"]!, p["month"]! - 1, p["day"]!, p["hour"]!, p["minute"]!, p["second"]!);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The wall time as if it were UTC, in ms: a value that orders wall times across days. */
function wallKey(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day) + Math.round(w.minutes * 60_000);
}

/**
 * The first instant at which the local clock reads `minutes` on the given local date, or —
 * when that wall time does not exist (a DST gap) — the instant the clock jumps past it.
 * In an overlap (the wall time happens twice) the earlier instant wins, unless it is not after
 * `afterMs` (the clock went back past it): then the later one.
 */
export function firstInstantAt(zone: string, year: number, month: number, day: number, minutes: number, afterMs = -Infinity): number {
  const target = Date.UTC(year, month - 1, day) + Math.round(minutes * 60_000);
  // Offsets in force around the target; every real instant for it uses one of them.
  const offsets = [...new Set([offsetAt(zone, target - 86_400_000), offsetAt(zone, target), offsetAt(zone, target + 86_400_000)])];
  const exact = offsets
    .map((o) => target - o)
    .filter((t) => wallKey(wallTime(zone, t)) === target)
    .sort((a, b) => a - b);
  const next = exact.find((t) => t > afterMs) ?? exact[exact.length - 1];
  if (next !== undefined) return next;
  // A gap: binary-search the first instant whose wall time is at or past the target.
  let lo = target - Math.max(...offsets);
  let hi = target - Math.min(...offsets);
  if (wallKey(wallTime(zone, lo)) >= target) return lo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallKey(wallTime(zone, mid)) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The local date one day after the given one (calendar arithmetic, zone-independent). */
export function nextDate(year: number, month: number, day: number): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(year, month - 1, day + 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
