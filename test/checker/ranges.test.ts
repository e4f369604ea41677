// Issue 10, defect 6: nothing `check` accepts fails later with an internal error. Literals
// out of range are syntax errors (a decimal that would be `Infinity`, durations longer than
// 10,000 years), and arithmetic the checker can prove out of range whatever the data is
// `check/out-of-range`; what is in range only for some data is guarded in generated code.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PredicateContext } from "../../core/artifact.ts";
import { generatePredicates } from "../../compiler/codegen/index.ts";
import {
  MAX_DATETIME_MS,
  MAX_DAY,
  MAX_DURATION_DAYS,
  MIN_DATETIME_MS,
  MIN_DAY,
  parseDateLiteral,
  parseDurationLiteral,
  parseIsoDuration,
} from "../../core/literals.ts";
import { importPredicates, run } from "../codegen/helpers.ts";
import { checkText, journey, seen } from "../helpers/compile.ts";

const errorsOf = (src: string) => seen(checkText(src)).filter((d) => d.severity === "error");
const codes = (src: string) => errorsOf(src).map((d) => d.code);
/** `n` maximal durations added up. */
const longest = (n: number) => Array.from({ length: n }, () => `${MAX_DURATION_DAYS}d`).join(" + ");

describe("literals out of range", () => {
  it("rejects a 309-digit decimal, which would be Infinity, where it is written", () => {
    const big = "9".repeat(309) + ".5";
    const [d] = errorsOf(journey({ when: `customer.tenure_months > ${big}` }));
    expect(d).toMatchObject({ code: "syntax/number-too-large", underlined: big, message: `number \`${"9".repeat(30)}…\` is too large` });
    expect(d!.hint).toMatch(/^numbers must be at most 1\.79/);
  });

  it("rejects `now + 104249991d`, whose duration is longer than any calendar span", () => {
    const [d] = errorsOf(journey({ when: "onboarding.last_progress_at < now + 104249991d" }));
    expect(d).toMatchObject({
      code: "syntax/invalid-duration",
      underlined: "104249991d",
      message: `duration \`104249991d\` is longer than the ${MAX_DURATION_DAYS}d (10,000 years) a duration can be`,
      hint: "use a shorter duration, e.g. `365d`",
    });
  });

  it.each([
    ["a timer", { on: "claim.filed after 99999999d", purpose: "service_updates", when: "true" }, "99999999d"],
    ["a cap window", { cap: "1 per 99999999d" }, "99999999d"],
    ["a second timer", { on: "claim.filed after 1d, 3652426d", purpose: "service_updates", when: "true" }, "3652426d"],
    ["an hour count", { when: `onboarding.last_progress_at < now + ${MAX_DURATION_DAYS * 24 + 1}h` }, `${MAX_DURATION_DAYS * 24 + 1}h`],
  ])("rejects %s too long to schedule, with one diagnostic (no `zero timer` after it)", (_, clauses, text) => {
    expect(errorsOf(journey(clauses)).map((d) => [d.code, d.underlined])).toEqual([["syntax/invalid-duration", text]]);
  });

  it("accepts the longest duration", () => {
    expect(codes(journey({ when: `onboarding.last_progress_at < now + ${MAX_DURATION_DAYS}d`, cap: `1 per ${MAX_DURATION_DAYS}d` }))).toEqual([]);
  });

  it("reads the same bounds where the runtime reads data: durations and ISO 8601 durations", () => {
    expect(parseDurationLiteral(`${MAX_DURATION_DAYS}d`)).toBe(MAX_DURATION_DAYS * 86_400_000);
    expect(parseDurationLiteral(`${MAX_DURATION_DAYS + 1}d`)).toBeUndefined();
    expect(parseDurationLiteral("99999999999999999999999w")).toBeUndefined();
    expect(parseIsoDuration("P10Y")).toBe(3650 * 86_400_000);
    expect(parseIsoDuration("P99999Y")).toBeUndefined();
    expect(parseIsoDuration(`P${"9".repeat(400)}Y`)).toBeUndefined();
  });

  it("reads every four-digit year as written (Date.UTC would read 0000–0099 as 1900–1999)", () => {
    expect(parseDateLiteral("0000-01-01")).toBe(MIN_DAY);
    expect(parseDateLiteral("9999-12-31")).toBe(MAX_DAY);
    expect(parseDateLiteral("0048-02-29")).toBe(MIN_DAY + 48 * 365 + 12 + 31 + 28);
    expect(parseDateLiteral("0050-02-29")).toBeUndefined();
  });
});

describe("check/out-of-range", () => {
  it.each([
    ["`now` plus 30 longest durations", `onboarding.last_progress_at < now + ${longest(30)}`, "datetime", "after the last"],
    ["`now` minus 30 longest durations", `onboarding.last_progress_at > now - (${longest(30)})`, "datetime", "before the first"],
    ["a date field plus 30 longest durations", `policy.renewal_date < policy.renewal_date + ${longest(30)}`, "date", "after the last"],
    ["a date literal minus 30 longest durations", `policy.renewal_date > 2026-01-01 - (${longest(30)})`, "date", "before the first"],
    ["a negated sum of durations", `onboarding.last_progress_at > now + -(${longest(30)})`, "datetime", "before the first"],
    ["a quantifier variable over dates", `any d in [2026-01-01, 2027-01-01]: d + ${longest(30)} > 2026-01-01`, "date", "after the last"],
  ])("rejects %s, which is out of range whatever `now` and the data are", (_, when, type, side) => {
    const ds = errorsOf(journey({ when }));
    expect(ds.map((d) => d.code)).toEqual(["check/out-of-range"]);
    expect(ds[0]!.message).toContain(`is always ${side} ${type} that can be represented`);
    expect(ds[0]!.hint).toBe("use shorter durations: dates are years 0000–9999 and durations at most 10,000 years");
  });

  it("underlines the innermost expression out of range, once", () => {
    // `now` is at least the year 0000, so 28 × 10,000 years is past the year 275,760 already.
    const ds = errorsOf(journey({ when: `onboarding.last_progress_at < now + ${longest(30)}` }));
    expect(ds.map((d) => [d.code, d.underlined])).toEqual([["check/out-of-range", `now + ${longest(28)}`]]);
  });

  it("rejects integer arithmetic past 2^53 − 1 and decimals that overflow to Infinity", () => {
    expect(errorsOf(journey({ when: "customer.tenure_months < 9007199254740991 + 1" }))).toEqual([
      expect.objectContaining({
        code: "check/out-of-range",
        underlined: "9007199254740991 + 1",
        message: "`9007199254740991 + 1` is always beyond the largest exact integer (9007199254740991)",
        hint: "use smaller numbers",
      }),
    ]);
    const huge = `1${"0".repeat(300)}.0`;
    expect(codes(journey({ when: `customer.tenure_months < ${huge} * ${huge}` }))).toEqual(["check/out-of-range"]);
  });

  it("checks `reason` interpolations and named conditions too", () => {
    expect(codes(journey({ when: "true", reason: `"{now + ${longest(30)}}"` }))).toEqual(["check/out-of-range"]);
    expect(codes(`condition c = onboarding.last_progress_at < now + ${longest(30)}\n${journey({ when: "c" })}`)).toEqual(["check/out-of-range"]);
  });

  it.each([
    ["`now` plus the longest duration", `onboarding.last_progress_at < now + ${MAX_DURATION_DAYS}d`],
    ["a date minus a date", "policy.renewal_date - 2026-01-01 > 30d"],
    ["integers up to 2^53 − 1", "customer.tenure_months < 9007199254740990 + 1"],
    ["arithmetic on data of unknown size", "customer.tenure_months * 9007199254740991 > 1"],
    ["27 longest durations after a date, in range for some dates", `policy.renewal_date + ${longest(27)} > 2026-01-01`],
  ])("accepts %s", (_, when) => {
    expect(codes(journey({ when }))).toEqual([]);
  });
});

describe("time arithmetic in range only for some data", () => {
  const ACCOUNT = `version: 1
entities:
  account:
    key: id
    fields:
      opened: { type: date }
      seen_at: { type: datetime }
events:
  daily: { binds: [account], schedule: true }
purposes:
  service_updates: { bases: [contract], channels: [email] }
actions:
  email: { channel: email, params: { template: string } }
`;
  const src = (when: string, reason = "") => `journey k {\n  purpose service_updates\n  on daily\n  when ${when}\n  do email(template: "t")\n${reason}}\n`;

  /** The generated functions of journey `k` (the prelude defines the helpers, so it is left out). */
  const journeyCode = (js: string) => js.slice(js.indexOf("function when_k"));

  async function compiled(text: string) {
    const r = checkText({ "k.journey": text }, ACCOUNT);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const out = generatePredicates(r.program!, r.sources);
    expect(out.diagnostics).toEqual([]);
    return { js: out.value!.js, journey: (await importPredicates(out.value!.js)).journeys[0]! };
  }

  it("fails the predicate with `predicate/date-out-of-range` (the runtime fails closed), not `Invalid time value`", async () => {
    const { js, journey: j } = await compiled(src(`account.opened + ${longest(27)} > 2026-01-01`, `  reason "{now + ${longest(27)}}"\n`));
    expect(journeyCode(js)).toContain("dateIn(");
    expect(journeyCode(js)).toContain("instantIn(");
    const at = (opened: number, now: number) => ({ now, event: {}, account: { opened, seen_at: now } }) as unknown as PredicateContext;
    expect(run(j.when, at(parseDateLiteral("2026-01-01")!, Date.UTC(2026, 0, 1)))).toMatchObject({ value: true });
    expect(run(j.when, at(MAX_DAY, Date.UTC(2026, 0, 1)))).toMatchObject({ error: "predicate/date-out-of-range" });
    expect(run(j.reason!, at(MAX_DAY, MAX_DATETIME_MS))).toMatchObject({ error: "predicate/date-out-of-range" });
    expect(run(j.reason!, at(MAX_DAY, Date.UTC(2026, 0, 1)))).toMatchObject({ value: expect.stringMatching(/^\+\d{6}-/) });
  });

  it("adds no check where the checker proves the arithmetic in range", async () => {
    const { js } = await compiled(src(`account.opened + ${MAX_DURATION_DAYS}d > 2026-01-01 and now - 30d > account.seen_at`));
    expect(journeyCode(js)).toContain("function when_k");
    expect(journeyCode(js)).not.toMatch(/dateIn\(|instantIn\(/);
  });

  it("never fails with anything but a predicate error for any sum of durations it accepts, at any `now` and data", async () => {
    // Mostly long durations, mostly added: sums that are in range, partly in range and out of range.
    const day = fc.oneof({ arbitrary: fc.constant(MAX_DURATION_DAYS), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: MAX_DURATION_DAYS }), weight: 1 });
    const op = fc.oneof({ arbitrary: fc.constant("+"), weight: 9 }, { arbitrary: fc.constant("-"), weight: 1 });
    // About 28 longest durations reach the end of what dates represent.
    const terms = fc.array(fc.tuple(op, day), { minLength: 25, maxLength: 45, size: "max" });
    const samples = fc.sample(fc.tuple(terms, fc.constantFrom("account.opened", "now")), { numRuns: 60, seed: 10 });
    const seen = { rejected: 0, failedClosed: 0, values: 0 };
    for (const [ts, base] of samples) {
      const sum = `${base} ${ts.map(([o, d]) => `${o} ${d}d`).join(" ")}`;
      const r = checkText({ "k.journey": src(`${sum} > ${base}`, `  reason "{${sum}}"\n`) }, ACCOUNT);
      if (r.diagnostics.some((d) => d.severity === "error")) {
        expect(r.diagnostics.map((d) => d.code)).toContain("check/out-of-range");
        seen.rejected++;
        continue;
      }
      const j = (await importPredicates(generatePredicates(r.program!, r.sources).value!.js)).journeys[0]!;
      for (const opened of [MIN_DAY, MAX_DAY]) {
        for (const now of [MIN_DATETIME_MS, MAX_DATETIME_MS]) {
          const ctx = { now, event: {}, account: { opened, seen_at: now } } as unknown as PredicateContext;
          for (const fn of [j.when, j.reason!]) {
            const out = run(fn, ctx);
            if ("error" in out) {
              expect(out.error).toBe("predicate/date-out-of-range");
              seen.failedClosed++;
            } else seen.values++;
          }
        }
      }
    }
    // The samples reach every case: rejected, accepted but out of range for some data, in range.
    expect(Object.values(seen).every((n) => n > 0)).toBe(true);
  });
});
