// The scoreboard's interval estimates against published worked examples: Wilson's interval against
// Newcombe (1998a, Table I), Newcombe's hybrid score interval against Newcombe (1998b, Table II,
// method 10), Welch's interval against R's `t.test(extra ~ group, data = sleep)`, the t quantiles
// against the printed t table, Katz's interval against a worked-by-hand example; the edge cases
// (empty arms, zero counts) give nulls, never NaN; and, on generated counts, every interval is
// finite, ordered around its estimate and inside its range.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { incompleteBeta, katzRelative, meanVariance, newcombe, normalQuantile, scale, tCdf, tQuantile, welch, wilson, Z95 } from "../../server/value/stats.ts";

type Triple = readonly [number | null, number | null, number | null];

function rounded(i: { estimate: number | null; low: number | null; high: number | null }, digits = 4): Triple {
  const r = (v: number | null): number | null => (v === null ? null : Number(v.toFixed(digits)));
  return [r(i.estimate), r(i.low), r(i.high)];
}

function sums(xs: readonly number[]): { n: number; sum: number; sumSq: number } {
  return { n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSq: xs.reduce((a, b) => a + b * b, 0) };
}

describe("wilson", () => {
  // Newcombe RG (1998) Two-sided confidence intervals for the single proportion. Stat Med 17:857–872, Table I, method 3.
  test.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [29, 29, 0.883, 1],
  ])("%i/%i gives Newcombe's Table I interval", (x, n, low, high) => {
    const i = wilson(x, n);
    expect(i.estimate).toBeCloseTo(x / n, 12);
    expect(rounded(i).slice(1)).toEqual([low, high]);
  });

  test("an empty sample or impossible counts give nulls", () => {
    expect(wilson(0, 0)).toEqual({ estimate: null, low: null, high: null });
    expect(wilson(3, 2)).toEqual({ estimate: null, low: null, high: null });
    expect(wilson(-1, 5)).toEqual({ estimate: null, low: null, high: null });
    expect(wilson(1.5, 5)).toEqual({ estimate: null, low: null, high: null });
  });
});

describe("newcombe", () => {
  // Newcombe RG (1998) Interval estimation for the difference between independent proportions:
  // comparison of eleven methods. Stat Med 17:873–890, Table II, method 10 (hybrid score, no continuity correction).
  test.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
  ])("%i/%i − %i/%i gives Newcombe's Table II interval", (x1, n1, x0, n0, low, high) => {
    const i = newcombe(x1, n1, x0, n0);
    expect(i.estimate).toBeCloseTo(x1 / n1 - x0 / n0, 12);
    expect(rounded(i).slice(1)).toEqual([low, high]);
  });

  test("swapping the arms mirrors the interval", () => {
    const a = newcombe(30, 400, 12, 90);
    const b = newcombe(12, 90, 30, 400);
    expect(b.estimate).toBeCloseTo(-a.estimate!, 12);
    expect(b.low).toBeCloseTo(-a.high!, 12);
    expect(b.high).toBeCloseTo(-a.low!, 12);
  });

  test("an empty arm gives nulls", () => {
    expect(newcombe(3, 10, 0, 0)).toEqual({ estimate: null, low: null, high: null });
    expect(newcombe(0, 0, 3, 10)).toEqual({ estimate: null, low: null, high: null });
  });
});

describe("katzRelative", () => {
  test("56/70 against 48/80: RR 4/3, se √(1/56 − 1/70 + 1/48 − 1/80) = 0.10911, exp(0.28768 ± 0.21385) − 1", () => {
    expect(rounded(katzRelative(56, 70, 48, 80))).toEqual([0.3333, 0.0766, 0.6512]);
  });

  test("the interval is symmetric around the estimate on the log scale", () => {
    const i = katzRelative(40, 1000, 25, 1000);
    const mid = Math.log(i.estimate! + 1);
    expect(Math.log(i.high! + 1) - mid).toBeCloseTo(mid - Math.log(i.low! + 1), 12);
  });

  test("no held-out success gives nulls; no treated success gives −1 without bounds", () => {
    expect(katzRelative(5, 100, 0, 100)).toEqual({ estimate: null, low: null, high: null });
    expect(katzRelative(0, 100, 5, 100)).toEqual({ estimate: -1, low: null, high: null });
    expect(katzRelative(5, 0, 5, 100)).toEqual({ estimate: null, low: null, high: null });
  });
});

describe("welch", () => {
  // R: t.test(extra ~ group, data = sleep) → mean difference −1.58, 95% CI −3.3654832 0.2054832 (df 17.776).
  const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
  const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

  test("the sleep data give R's Welch interval", () => {
    expect(rounded(welch(sums(group1), sums(group2)), 7)).toEqual([-1.58, -3.3654832, 0.2054832]);
  });

  test("fewer than two values in an arm give the estimate without bounds; an empty arm gives nulls", () => {
    const one = welch(sums([5]), sums(group2));
    expect(one.estimate).toBeCloseTo(5 - 2.33, 12);
    expect([one.low, one.high]).toEqual([null, null]);
    expect(welch(sums([]), sums(group2))).toEqual({ estimate: null, low: null, high: null });
  });

  test("two constant samples give the point as the interval", () => {
    expect(welch(sums([0, 0, 0]), sums([0, 0]))).toEqual({ estimate: 0, low: 0, high: 0 });
  });

  test("the variance from sums is the unbiased sample variance", () => {
    const mv = meanVariance(sums(group1));
    expect(mv.mean).toBeCloseTo(0.75, 12);
    expect(mv.variance).toBeCloseTo(3.200556, 6);
  });
});

describe("distributions", () => {
  test.each([
    [1, 12.7062047],
    [2, 4.3026527],
    [10, 2.2281389],
    [30, 2.0422725],
    [120, 1.9799304],
  ])("t(0.975, %i) is the table's %d", (df, t) => {
    expect(tQuantile(0.975, df)).toBeCloseTo(t, 6);
    expect(tCdf(t, df)).toBeCloseTo(0.975, 7);
  });

  test("the t quantile is odd around 0.5 and tends to the normal one", () => {
    expect(tQuantile(0.025, 7)).toBeCloseTo(-tQuantile(0.975, 7), 10);
    expect(tQuantile(0.975, Number.POSITIVE_INFINITY)).toBeCloseTo(Z95, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(Z95, 8);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.5758293, 6);
  });

  test("the incomplete beta function meets its closed forms", () => {
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 12);
    expect(incompleteBeta(0.3, 1, 3)).toBeCloseTo(1 - 0.7 ** 3, 12);
  });

  test("out-of-range arguments are refused", () => {
    expect(() => tQuantile(1, 5)).toThrow(RangeError);
    expect(() => tQuantile(0.5, 0)).toThrow(RangeError);
  });

  test("scaling keeps nulls", () => {
    expect(scale({ estimate: 0.1, low: null, high: 0.2 }, 10)).toEqual({ estimate: 1, low: null, high: 2 });
  });
});

describe("on any counts", () => {
  const counts = fc.integer({ min: 1, max: 5000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));

  test("Wilson and Newcombe intervals hold their estimate and stay in range", () => {
    fc.assert(
      fc.property(counts, counts, ([x1, n1], [x0, n0]) => {
        const w = wilson(x1, n1);
        expect(0 <= w.low! && w.low! <= w.estimate! && w.estimate! <= w.high! && w.high! <= 1).toBe(true);
        const d = newcombe(x1, n1, x0, n0);
        expect(-1 <= d.low! && d.low! <= d.estimate! + 1e-15 && d.estimate! <= d.high! + 1e-15 && d.high! <= 1).toBe(true);
        // More subjects at the same rate never widen the interval.
        const wider = newcombe(x1, n1, x0, n0);
        const narrower = newcombe(x1 * 2, n1 * 2, x0 * 2, n0 * 2);
        expect(narrower.high! - narrower.low!).toBeLessThanOrEqual(wider.high! - wider.low! + 1e-12);
      }),
    );
  });

  test("Katz and Welch intervals are finite and hold their estimate", () => {
    fc.assert(
      fc.property(counts, counts, ([x1, n1], [x0, n0]) => {
        const k = katzRelative(x1, n1, x0, n0);
        if (x0 > 0 && x1 > 0) expect(Number.isFinite(k.low!) && k.low! <= k.estimate! + 1e-12 && k.estimate! <= k.high! + 1e-12 && k.low! >= -1).toBe(true);
      }),
    );
    const sample = fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 2, maxLength: 40 });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const i = welch(sums(a), sums(b));
        expect(Number.isFinite(i.low!) && Number.isFinite(i.high!)).toBe(true);
        expect(i.low! <= i.estimate! + 1e-9 && i.estimate! <= i.high! + 1e-9).toBe(true);
      }),
    );
  });
});
