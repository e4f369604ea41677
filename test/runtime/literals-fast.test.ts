// core/literals.ts counts calendar days by arithmetic (issue 13: requests parse several datetimes
// each); this checks it against JavaScript's own calendar, `Date` — the previous implementation,
// kept here as the oracle — on every day of the years 0000–9999 that fast-check picks, invalid
// days and months included, and on whole datetimes with offsets and fractions.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_DAY, MIN_DAY, MS_PER_DAY, parseDateLiteral, parseDateTimeLiteral } from "../../core/literals.ts";

/** The previous parseDateLiteral: `Date` decides whether the day exists and which it is. */
function oracleDay(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const back = new Date(0);
  back.setUTCFullYear(y, mo - 1, d);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return Math.round(back.getTime() / MS_PER_DAY);
}

const pad = (n: number, w: number): string => String(n).padStart(w, "0");
const dateText = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
  .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);

describe("calendar days without Date", () => {
  it("gives Date's day for every date text, and refuses the days Date moves", () => {
    fc.assert(
      fc.property(dateText, (text) => {
        expect(parseDateLiteral(text)).toBe(oracleDay(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it("agrees with Date on the calendar's ends, leap days and the years 0–99", () => {
    for (const text of [
      "0000-01-01",
      "9999-12-31",
      "0000-02-29",
      "0100-02-29",
      "0400-02-29",
      "1900-02-29",
      "2000-02-29",
      "2024-02-29",
      "2023-02-29",
      "0099-12-31",
      "0001-03-01",
      "1970-01-01",
      "1969-12-31",
      "2026-04-31",
    ]) {
      expect([text, parseDateLiteral(text)]).toEqual([text, oracleDay(text)]);
    }
    expect(parseDateLiteral("0000-01-01")).toBe(MIN_DAY);
    expect(parseDateLiteral("9999-12-31")).toBe(MAX_DAY);
  });

  it("gives Date.parse's instant for datetimes with offsets and fractions", () => {
    const datetime = fc
      .tuple(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
        fc.option(fc.tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45)), { nil: undefined }),
      )
      .map(([y, mo, d, h, mi, s, ms, off]) => {
        const frac = ms === undefined ? "" : `.${pad(ms, 3)}`;
        const zone = off === undefined ? "Z" : `${off[0]}${pad(off[1], 2)}:${pad(off[2], 2)}`;
        return `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac}${zone}`;
      });
    fc.assert(
      fc.property(datetime, (text) => {
        expect(parseDateTimeLiteral(text)).toBe(Date.parse(text));
      }),
      { numRuns: 5_000 },
    );
  });

  it("reads `YYYY-MM-DDTHH:MM:SSZ` without the regex exactly as with it", () => {
    const digit = fc.constantFrom(..."0123456789");
    const pick = fc.constantFrom(..."0123456789-T:Z+x ");
    // Near the shape: digits where digits go, now and then anything else anywhere.
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
    const text = fc
      .tuple(
        fc.array(digit, { minLength: 4, maxLength: 4 }),
        two(13),
        two(32),
        two(24),
        two(60),
        two(60),
        fc.array(fc.tuple(fc.nat(19), pick), { maxLength: 1 }),
      )
      .map(([y, mo, d, h, mi, sec, edits]) => {
        const chars = [...`${y.join("")}-${mo}-${d}T${h}:${mi}:${sec}Z`];
        for (const [i, c] of edits) chars[i] = c;
        return chars.join("");
      });
    let valid = 0;
    fc.assert(
      fc.property(text, (t) => {
        const ms = parseDateTimeLiteral(t);
        const viaRegex = parseDateTimeLiteral(`${t.slice(0, 19)}.000${t.slice(19)}`);
        // The same instant with a fraction of zero takes the regex path: both agree, valid or not.
        if (t.length === 20 && t.endsWith("Z") && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(t)) expect(ms).toBe(viaRegex);
        if (ms !== undefined) {
          valid++;
          expect(ms).toBe(Date.parse(t));
        }
      }),
      { numRuns: 20_000 },
    );
    expect(valid).toBeGreaterThan(100);
  });
});
