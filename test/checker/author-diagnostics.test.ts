// Diagnostics a newcomer hits first (issue 14), asserted as the user sees them: an enum error
// names the enum and lists its values and never suggests an opposite (`unpaid` → `paid`); `=`
// for `==` is one error with the fix; a missing `}` is reported at the block that lacks it,
// without a second error at the next declaration; a `when` that stops at `and` before `do` says so.
import { describe, expect, it } from "vitest";
import { closest, didYouMean, isNegation } from "../../core/diagnostics.ts";
import { checkText, journey, seen } from "../helpers/compile.ts";

const errorsOf = (src: string) => seen(checkText(src)).filter((d) => d.severity === "error");
const claimJourney = (when: string) => `journey j {\n  purpose service_updates\n  on claim.filed\n  when ${when}\n  do sms(template: "t")\n  reason "r"\n}\n`;

describe("close names", () => {
  it("are never an opposite made by a negating prefix", () => {
    expect(isNegation("unpaid", "paid")).toBe(true);
    expect(isNegation("active", "inactive")).toBe(true);
    expect(isNegation("non_consent", "consent")).toBe(true);
    expect(isNegation("actve", "active")).toBe(false);
    expect(closest("unpaid", ["filed", "assessing", "approved", "paid", "rejected"])).toBeUndefined();
    expect(closest("inactive", ["active", "lapsed", "cancelled"])).toBeUndefined();
  });
  it("are still suggested for a misspelling", () => {
    expect(didYouMean("actve", ["active", "lapsed", "cancelled"])).toBe("did you mean `active`?");
    expect(didYouMean("payed", ["filed", "paid"])).toBe("did you mean `paid`?");
  });
});

describe("an enum value that is not one of the enum's", () => {
  it("names the enum and lists its values, with no suggestion of the opposite", () => {
    const [d, ...rest] = errorsOf(claimJourney('claim.status == "unpaid"'));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      code: "check/unknown-enum-value",
      underlined: '"unpaid"',
      message: '`"unpaid"` is not a value of `claim.status`, whose values are `"filed"`, `"assessing"`, `"approved"`, `"paid"` and `"rejected"`',
      hint: "use one of its values",
    });
  });
  it("keeps the suggestion for a misspelling, in `in` lists too", () => {
    const [d] = errorsOf(journey({ when: 'policy.status in ["active", "lapse"]' }));
    expect(d).toMatchObject({ underlined: '"lapse"', hint: "did you mean `lapsed`?" });
    expect(d?.message).toContain('`"active"`, `"lapsed"` and `"cancelled"`');
  });
});

describe("`=` for `==`", () => {
  it("is one error, at the `=`, with the comparison written out", () => {
    const ds = errorsOf(claimJourney('claim.status = "paid"'));
    expect(ds).toEqual([
      {
        code: "syntax/unexpected-token",
        severity: "error",
        underlined: "=",
        line: 4,
        message: "`=` is not a comparison: write `==`",
        hint: 'compare with `==`: `claim.status == "paid"`',
      },
    ]);
  });
  it("is read as `==` so the rest of the journey is checked as intended", () => {
    expect(errorsOf(claimJourney('claim.status = "unpaid"')).map((d) => d.code)).toEqual(["syntax/unexpected-token", "check/unknown-enum-value"]);
  });
});

describe("a missing `}`", () => {
  it("is reported at the journey that lacks it, once, and the next journey is read normally", () => {
    const src = `${journey({}, "first").replace(/\}\n$/, "")}\n${journey({}, "second")}`;
    const ds = errorsOf(src);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({
      code: "syntax/unexpected-token",
      line: 1,
      underlined: "journey first {",
      message: "journey `first` is missing its closing `}`",
    });
    expect(ds[0]?.hint).toMatch(/^add `\}` after line \d+, before `journey` on line \d+$/);
  });
  it("is reported at the test that lacks it", () => {
    const src = `${journey({})}test "one" {\n  now 2026-03-02T10:00:00Z\n  event daily\n  expect no_match\n\ntest "two" {\n  now 2026-03-02T10:00:00Z\n  event daily\n  expect no_match\n}\n`;
    const ds = errorsOf(src);
    expect(ds.map((d) => [d.message, d.underlined])).toEqual([['test "one" is missing its closing `}`', 'test "one" {']]);
  });
});

describe("a `when` that stops at `and`", () => {
  it("gets a help line naming the dangling operator and the clause that follows", () => {
    const ds = errorsOf(journey({ when: "true and" }));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({
      message: "expected an expression, found `do`",
      hint: "`and` needs an operand after it: complete the expression before `do`, or remove the trailing `and`",
    });
  });
});
