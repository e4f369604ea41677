// Issue 10 #10, same class across requests: the time-zone formatter cache is keyed by the zone
// as a request spells it, and Intl accepts every letter case of a zone name and offset zones,
// so one cache entry per distinct spelling grew without bound. It keeps the latest ones only.
import { expect, test } from "vitest";
import { cachedTimeZones, isValidTimeZone, MAX_CACHED_ZONES, wallTime } from "../../runtime/timezone.ts";

/** The `n`th letter-case spelling of a zone name. */
function spelling(zone: string, n: number): string {
  let bit = 0;
  return [...zone].map((ch) => (/[a-z]/i.test(ch) ? ((n >> bit++) & 1 ? ch.toUpperCase() : ch.toLowerCase()) : ch)).join("");
}

test("the cache stays bounded however many spellings of valid zones requests use", () => {
  for (let n = 0; n < MAX_CACHED_ZONES * 3; n++) expect(isValidTimeZone(spelling("Europe/Berlin", n))).toBe(true);
  expect(cachedTimeZones()).toBeLessThanOrEqual(MAX_CACHED_ZONES);
});

test("a zone evicted from the cache still works", () => {
  const noon = Date.UTC(2026, 4, 30, 12);
  expect(wallTime("Europe/Berlin", noon).minutes).toBe(14 * 60);
  for (let n = 0; n < MAX_CACHED_ZONES + 10; n++) isValidTimeZone(spelling("America/New_York", n));
  expect(wallTime("Europe/Berlin", noon).minutes).toBe(14 * 60);
});
