// The instant a scoreboard is judged at (server/value/as-of.ts): the command and the service take
// the same ISO 8601 times with an offset and refuse the same others.
import { describe, expect, it } from "vitest";
import { parseAsOf } from "../../server/value/as-of.ts";

describe("parseAsOf", () => {
  it("takes a time with `Z` or an offset, with or without seconds and fractions", () => {
    expect(parseAsOf("2026-07-01T00:00:00Z")).toBe(Date.UTC(2026, 6, 1));
    expect(parseAsOf("2026-07-01T02:00+02:00")).toBe(Date.UTC(2026, 6, 1));
    expect(parseAsOf("2026-07-01T00:00:00.250Z")).toBe(Date.UTC(2026, 6, 1) + 250);
    expect(parseAsOf("2024-02-29T12:00:00Z")).toBe(Date.UTC(2024, 1, 29, 12));
  });

  it("refuses a date alone, a time without an offset, a day that does not exist and other text", () => {
    for (const bad of ["2026-07-01", "2026-07-01T00:00:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "yesterday", "", "2026-07-01T25:00:00Z"]) {
      expect(parseAsOf(bad), bad).toBeUndefined();
    }
  });
});
