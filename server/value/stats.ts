// The interval estimates of the scoreboard (docs/value.md#how-uplift-is-computed): Wilson's score
// interval for one proportion, Newcombe's hybrid score interval for a difference of two (his
// method 10), Katz's log interval for a risk ratio, and Welch's interval for a difference of means.
// Pure functions of counts and sums — what the store aggregates — so the same figures can be
// recomputed in SQL (docs/value.sql). All intervals are two-sided 95%; a bound the data cannot
// give (an empty arm, a zero count under a logarithm) is `null`, never NaN or Infinity.

/** The standard normal quantile at 0.975: the z of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** A point estimate with its 95% interval (null: the data cannot give it). */
export interface Interval {
  readonly estimate: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

const NONE: Interval = { estimate: null, low: null, high: null };

function validCount(x: number, n: number): boolean {
  return Number.isInteger(x) && Number.isInteger(n) && x >= 0 && n > 0 && x <= n;
}

/**
 * Wilson's score interval (no continuity correction) for `x` successes out of `n`: the proportion
 * and its 95% interval. `n` = 0 (or counts that are not 0 ≤ x ≤ n integers) → all null.
 */
export function wilson(x: number, n: number): Interval {
  if (!validCount(x, n)) return NONE;
  const p = x / n;
  const z2 = Z95 * Z95;
  const centre = (x + z2 / 2) / (n + z2);
  const half = (Z95 * Math.sqrt((x * (n - x)) / n + z2 / 4)) / (n + z2);
  // Clamped: at x = 0 or x = n the formula gives the bound up to rounding.
  return { estimate: p, low: x === 0 ? 0 : Math.max(0, centre - half), high: x === n ? 1 : Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval (1998, method 10) for p1 − p0, with p1 = x1/n1 (treated) and
 * p0 = x0/n0 (held out): the Wilson intervals of each arm combined by the square-and-add rule.
 * An empty arm → all null.
 */
export function newcombe(x1: number, n1: number, x0: number, n0: number): Interval {
  const a = wilson(x1, n1);
  const b = wilson(x0, n0);
  if (a.estimate === null || b.estimate === null) return NONE;
  const p1 = a.estimate;
  const p0 = b.estimate;
  const l1 = a.low!;
  const u1 = a.high!;
  const l0 = b.low!;
  const u0 = b.high!;
  const d = p1 - p0;
  return {
    estimate: d,
    low: Math.max(-1, d - Math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)),
    high: Math.min(1, d + Math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)),
  };
}

/**
 * The relative uplift p1/p0 − 1 with Katz's log interval of the risk ratio
 * (exp(log RR ± z·√(1/x1 − 1/n1 + 1/x0 − 1/n0)) − 1). No held-out success (p0 = 0) → all null
 * (the ratio is not finite); no treated success → the estimate −1 with null bounds.
 */
export function katzRelative(x1: number, n1: number, x0: number, n0: number): Interval {
  if (!validCount(x1, n1) || !validCount(x0, n0) || x0 === 0) return NONE;
  const rr = x1 / n1 / (x0 / n0);
  if (x1 === 0) return { estimate: -1, low: null, high: null };
  const se = Math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0);
  const log = Math.log(rr);
  return { estimate: rr - 1, low: Math.exp(log - Z95 * se) - 1, high: Math.exp(log + Z95 * se) - 1 };
}

/** One arm's sample of per-subject values, as counts and sums (what the store aggregates). */
export interface Sums {
  readonly n: number;
  readonly sum: number;
  readonly sumSq: number;
}

/** The mean and the unbiased sample variance of a sample given as sums (null below 1 resp. 2 values). */
export function meanVariance(s: Sums): { readonly mean: number | null; readonly variance: number | null } {
  if (!(s.n > 0)) return { mean: null, variance: null };
  const mean = s.sum / s.n;
  if (s.n < 2) return { mean, variance: null };
  // Rounding can make sumSq − n·mean² slightly negative for constant samples.
  return { mean, variance: Math.max(0, (s.sumSq - s.sum * mean) / (s.n - 1)) };
}

/**
 * Welch's interval for mean(treated) − mean(held out), from each arm's count, sum and sum of
 * squares: the difference ± t(0.975, ν) · √(s1²/n1 + s0²/n0), ν by Welch–Satterthwaite. Fewer than
 * two values in an arm → null bounds (the estimate when both arms have a value). Both variances 0 →
 * the interval is the point.
 */
export function welch(treated: Sums, control: Sums): Interval {
  const a = meanVariance(treated);
  const b = meanVariance(control);
  if (a.mean === null || b.mean === null) return NONE;
  const d = a.mean - b.mean;
  if (a.variance === null || b.variance === null) return { estimate: d, low: null, high: null };
  const va = a.variance / treated.n;
  const vb = b.variance / control.n;
  const se2 = va + vb;
  if (se2 === 0) return { estimate: d, low: d, high: d };
  // Welch–Satterthwaite on the shares of the variance, which never underflow as tiny variances squared do.
  const ra = va / se2;
  const rb = vb / se2;
  const df = 1 / ((ra * ra) / (treated.n - 1) + (rb * rb) / (control.n - 1));
  const half = tQuantile(0.975, df) * Math.sqrt(se2);
  return { estimate: d, low: d - half, high: d + half };
}

/** An interval scaled by a constant factor ≥ 0 (incremental conversions = uplift × treated subjects). */
export function scale(i: Interval, k: number): Interval {
  const m = (v: number | null): number | null => (v === null ? null : v * k);
  return { estimate: m(i.estimate), low: m(i.low), high: m(i.high) };
}

/** Student's t quantile: the t with P(T ≤ t) = p for `df` degrees of freedom (> 0; Infinity → normal). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`tQuantile: p ${p} must be in (0,1) and df ${df} > 0`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  if (!Number.isFinite(df) || df > 1e7) return normalQuantile(p);
  // Bisection on the CDF: monotone, no derivative needed, 1e-12 in under 100 steps.
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Student's t CDF: P(T ≤ t) for `df` degrees of freedom, via the regularized incomplete beta function. */
export function tCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The standard normal quantile (Acklam's rational approximation; relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p ${p} must be in (0,1)`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = 0.02425;
  let x: number;
  if (p < lowTail || p > 1 - lowTail) {
    const q = Math.sqrt(-2 * Math.log(p < lowTail ? p : 1 - p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    if (p > 1 - lowTail) x = -x;
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  return x;
}

/** The regularized incomplete beta function I_x(a, b) (Lentz's continued fraction, Numerical Recipes 6.4). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). */
function logGamma(x: number): number {
  const g = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012,
    9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(s);
}
