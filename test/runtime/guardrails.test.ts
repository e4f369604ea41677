// Guardrails in isolation: cap windows, arbitration order, holdout buckets (checked against
// node:crypto and hand-computed vectors), quiet hours across midnight and DST.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { arbitrate, checkCap, checkHoldout, checkQuiet, holdoutBucket } from "../../runtime/guardrails.ts";
import { sha256Hex } from "../../core/sha256.ts";

const DAY = 86_400_000;
const t = (iso: string): number => Date.parse(iso);
const quiet = (from: string, to: string) => {
  const m = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  return { from, to, fromMinutes: m(from), toMinutes: m(to) };
};

describe("sha256", () => {
  test("matches node:crypto on arbitrary strings and byte lengths around block boundaries", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (s) => {
        expect(sha256Hex(s)).toBe(createHash("sha256").update(s, "utf8").digest("hex"));
      }),
    );
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31) & 0xff);
      expect(sha256Hex(bytes)).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
  });
});

describe("caps", () => {
  const cap = { count: 1, windowMs: 30 * DAY, window: "30d" };
  const now = t("2026-05-30T12:00:00Z");

  test("an acted decision inside the window caps the journey", () => {
    expect(checkCap(cap, "j", [{ journey: "j", atMs: now - 29 * DAY }], now).capped).toBe(true);
  });
  test("an acted decision exactly one window ago has left the window", () => {
    expect(checkCap(cap, "j", [{ journey: "j", atMs: now - 30 * DAY }], now).capped).toBe(false);
    expect(checkCap(cap, "j", [{ journey: "j", atMs: now - 30 * DAY + 1 }], now).capped).toBe(true);
  });
  test("an acted decision at exactly now counts", () => {
    expect(checkCap(cap, "j", [{ journey: "j", atMs: now }], now).capped).toBe(true);
  });
  test("entries after now and of other journeys are not counted", () => {
    expect(
      checkCap(
        cap,
        "j",
        [
          { journey: "j", atMs: now + 1 },
          { journey: "k", atMs: now - DAY },
        ],
        now,
      ).count,
    ).toBe(0);
  });
  test("N per window allows N-1 earlier actions and caps at N", () => {
    const three = { count: 3, windowMs: 7 * DAY, window: "7d" };
    const h = (n: number) => Array.from({ length: n }, (_, i) => ({ journey: "j", atMs: now - (i + 1) * DAY }));
    expect(checkCap(three, "j", h(2), now).capped).toBe(false);
    expect(checkCap(three, "j", h(3), now)).toMatchObject({ capped: true, count: 3, limit: 3 });
  });
});

describe("arbitration", () => {
  test("the highest priority wins", () => {
    const r = arbitrate([
      { id: "a", priority: 1 },
      { id: "b", priority: 5 },
      { id: "c", priority: 3 },
    ]);
    expect(r.winner?.id).toBe("b");
    expect(r.losers.map((l) => l.id)).toEqual(["c", "a"]);
  });
  test("ties go to the smallest journey id in code-unit order", () => {
    expect(
      arbitrate([
        { id: "b", priority: 5 },
        { id: "a", priority: 5 },
        { id: "B", priority: 5 },
      ]).winner?.id,
    ).toBe("B");
    expect(
      arbitrate([
        { id: "renew_b", priority: 0 },
        { id: "renew_a", priority: 0 },
      ]).winner?.id,
    ).toBe("renew_a");
  });
  test("no eligible candidate means no winner", () => {
    expect(arbitrate([])).toEqual({ losers: [] });
  });
});

describe("holdout", () => {
  // Independently: printf '%s' 'renewal_reminder_d90::c-1' | sha256sum → first 8 hex digits.
  test("buckets follow the published formula (hand-checked vectors)", () => {
    expect(sha256Hex("renewal_reminder_d90::c-1").slice(0, 8)).toBe("afc8eff9");
    expect(holdoutBucket("renewal_reminder_d90", "", "c-1")).toBe(1433); // 0xafc8eff9 = 2949181433
    expect(sha256Hex("referral_invite:referral-2026:c-42").slice(0, 8)).toBe("67ca8a9b");
    expect(holdoutBucket("referral_invite", "referral-2026", "c-42")).toBe(7003); // 0x67ca8a9b = 1741327003
  });
  test("buckets equal the formula computed with node:crypto for any journey, salt and subject", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (j, salt, subject) => {
        const hex = createHash("sha256").update(`${j}:${salt}:${subject}`, "utf8").digest("hex");
        expect(holdoutBucket(j, salt, subject)).toBe(parseInt(hex.slice(0, 8), 16) % 10000);
      }),
    );
  });
  test("a subject is held out exactly when its bucket is below P × 100", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 100 }), (subject, p) => {
        const b = holdoutBucket("j", "", subject);
        expect(checkHoldout({ percent: p, salt: "" }, "j", subject).heldOut).toBe(b < p * 100);
      }),
    );
    expect(checkHoldout({ percent: 1.1, salt: "" }, "j", "x").threshold).toBe(110);
  });
  test("0% holds nobody out and 100% holds everybody out", () => {
    expect(checkHoldout({ percent: 0, salt: "" }, "j", "s").heldOut).toBe(false);
    expect(checkHoldout({ percent: 100, salt: "" }, "j", "s").heldOut).toBe(true);
  });
});

describe("quiet hours", () => {
  const night = quiet("21:00", "08:00");

  test("a window crossing midnight defers an evening request to the next morning", () => {
    // 22:30 in Berlin (CEST, UTC+2) on May 30 → 08:00 on May 31 = 06:00Z.
    expect(checkQuiet(night, "Europe/Berlin", t("2026-05-30T20:30:00Z"))).toMatchObject({
      quiet: true,
      localTime: "22:30",
      untilMs: t("2026-05-31T06:00:00Z"),
    });
  });
  test("an early-morning request is deferred to the same morning", () => {
    expect(checkQuiet(night, "Europe/Berlin", t("2026-05-30T03:15:00Z"))).toMatchObject({
      quiet: true,
      localTime: "05:15",
      untilMs: t("2026-05-30T06:00:00Z"),
    });
  });
  test("the window includes its start and excludes its end", () => {
    expect(checkQuiet(night, "Europe/Berlin", t("2026-05-30T19:00:00Z"))).toMatchObject({ quiet: true, localTime: "21:00" });
    expect(checkQuiet(night, "Europe/Berlin", t("2026-05-30T06:00:00Z"))).toMatchObject({ quiet: false, localTime: "08:00" });
    expect(checkQuiet(night, "Europe/Berlin", t("2026-05-30T18:59:59Z"))).toMatchObject({ quiet: false });
  });
  test("a daytime window that does not cross midnight", () => {
    const lunch = quiet("12:00", "13:30");
    expect(checkQuiet(lunch, "UTC", t("2026-05-30T12:10:00Z"))).toMatchObject({ quiet: true, untilMs: t("2026-05-30T13:30:00Z") });
    expect(checkQuiet(lunch, "UTC", t("2026-05-30T23:10:00Z"))).toMatchObject({ quiet: false });
  });
  test("the end of the window is found across a spring-forward night (Berlin, 2026-03-29)", () => {
    // 22:00 CET (UTC+1) on March 28; 08:00 next morning is CEST (UTC+2) = 06:00Z.
    expect(checkQuiet(night, "Europe/Berlin", t("2026-03-28T21:00:00Z"))).toMatchObject({ quiet: true, untilMs: t("2026-03-29T06:00:00Z") });
  });
  test("the end of the window is found across a fall-back night (New York, 2026-11-01)", () => {
    // 23:00 EDT (UTC-4) on Oct 31; 08:00 EST (UTC-5) on Nov 1 = 13:00Z.
    expect(checkQuiet(night, "America/New_York", t("2026-11-01T03:00:00Z"))).toMatchObject({ quiet: true, untilMs: t("2026-11-01T13:00:00Z") });
  });
  test("a window ending inside the DST gap ends when the clocks jump", () => {
    // Berlin skips 02:00–03:00 on 2026-03-29: a window to 02:30 ends at 03:00 CEST = 01:00Z.
    expect(checkQuiet(quiet("22:00", "02:30"), "Europe/Berlin", t("2026-03-28T22:00:00Z"))).toMatchObject({ quiet: true, untilMs: t("2026-03-29T01:00:00Z") });
  });
  test("a window ending in a repeated hour ends at its first occurrence, or the second when already past it", () => {
    // New York repeats 01:00–02:00 on 2026-11-01: 01:30 EDT = 05:30Z, 01:30 EST = 06:30Z.
    const q = quiet("22:00", "01:30");
    expect(checkQuiet(q, "America/New_York", t("2026-11-01T04:00:00Z"))).toMatchObject({ quiet: true, untilMs: t("2026-11-01T05:30:00Z") });
    // 01:10 EST (second pass, 06:10Z): the first 01:30 is behind us; the window ends at 06:30Z.
    expect(checkQuiet(q, "America/New_York", t("2026-11-01T06:10:00Z"))).toMatchObject({ quiet: true, untilMs: t("2026-11-01T06:30:00Z") });
  });
  test("the deferral instant is always after now and outside the window", () => {
    const zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "UTC"];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: t("2025-01-01T00:00:00Z"), max: t("2028-01-01T00:00:00Z") }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        (zone, now, from, to) => {
          fc.pre(from !== to);
          const q = { from: "", to: "", fromMinutes: from, toMinutes: to };
          const r = checkQuiet(q, zone, now);
          if (!r.ok || !r.quiet) return;
          expect(r.untilMs).toBeGreaterThan(now);
          expect(r.untilMs - now).toBeLessThanOrEqual(25 * 3_600_000);
          const after = checkQuiet(q, zone, r.untilMs);
          expect(after.ok && after.quiet).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
  test("a missing or unknown time zone is a problem naming customer.timezone", () => {
    expect(checkQuiet(night, undefined, 0)).toMatchObject({ ok: false, problem: expect.stringContaining("`customer.timezone` is not set") });
    expect(checkQuiet(night, "Mars/Olympus", 0)).toMatchObject({ ok: false, problem: expect.stringContaining("`Mars/Olympus`") });
  });
});
