// runtime/timezone.ts reads local times from `Intl.DateTimeFormat#format` (half the cost of
// formatToParts) once it has checked the formatter's layout; this holds it to formatToParts —
// the previous implementation, kept here as the oracle — over zones and instants of the whole
// calendar the runtime accepts (the years 0000–9999), DST transitions included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_DATETIME_MS, MIN_DATETIME_MS } from "../../core/literals.ts";
import { offsetAt, wallTime } from "../../runtime/timezone.ts";

/** The previous reading: formatToParts, every part but the literals, as numbers. */
function oracle(zone: string, ms: number): Record<string, number> {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(ms)) if (p.type !== "literal") out[p.type] = Number(p.value);
  return out;
}

const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "America/St_Johns",
  "Asia/Kathmandu",
  "+05:45",
  "-03:30",
];

describe("local time read from format()", () => {
  it("gives formatToParts's numbers for every zone and instant", () => {
    const instant = fc.oneof(
      fc.integer({ min: MIN_DATETIME_MS, max: MAX_DATETIME_MS }),
      fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
      fc.constantFrom(Date.UTC(2026, 2, 29, 0, 59, 59), Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 0, 59, 59), Date.UTC(2026, 9, 25, 1)),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (zone, ms) => {
        const p = oracle(zone, ms);
        const w = wallTime(zone, ms);
        const seconds = p["second"]! + (((ms % 1000) + 1000) % 1000) / 1000;
        expect(w).toEqual({ year: p["year"], month: p["month"], day: p["day"], minutes: p["hour"]! * 60 + p["minute"]! + seconds / 60 });
        const asUtc = Date.UTC(p["year"]!, p["month"]! - 1, p["day"]!, p["hour"]!, p["minute"]!, p["second"]!);
        expect(offsetAt(zone, ms)).toBe(asUtc - Math.floor(ms / 1000) * 1000);
      }),
      { numRuns: 3000 },
    );
  });
});
