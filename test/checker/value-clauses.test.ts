// The proof-of-value clauses of a journey (docs/value.md): `goal TYPE within D` and
// `stop_loss METRIC > P% [or …] [min N]`, from the text to the artifact's JourneyMeta — what
// the checker accepts (built-in and declared outcome types, defaults), what it refuses and how
// it says so, and that a policy set without them compiles to exactly the bytes it did before.
import { describe, expect, it } from "vitest";
import { emitPredicates } from "../../compiler/codegen/index.ts";
import { journeyContentHash } from "../../compiler/artifact/content-hash.ts";
import { compileExample, importPredicates } from "../codegen/helpers.ts";
import { checkText, journey, seen } from "../helpers/compile.ts";
import { SPEC_CATALOG } from "../helpers/spec-catalog.ts";

/** The spec's catalog with a `value:` section declaring `claim_closed` and the harm `churn`. */
const VALUE_CATALOG = `${SPEC_CATALOG}
value:
  currency: EUR
  costs: { email: 0.02 }
  outcomes:
    claim_closed: { description: "the claim was settled" }
    churn: { description: "the customer left", harm: true }
`;

const errorsOf = (src: string, catalog?: string) => seen(checkText(src, catalog)).filter((d) => d.severity === "error");
const warningsOf = (src: string, catalog?: string) => seen(checkText(src, catalog)).filter((d) => d.severity === "warning");

async function metaOf(src: string, catalog?: string) {
  const r = checkText(src, catalog);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const mod = await importPredicates(emitPredicates(r.program!, r.sources).js);
  return mod.journeys[0]!.meta;
}

describe("goal and stop_loss in the artifact", () => {
  it("carry the goal, the conditions and the defaults (min 100, the goal's window) into JourneyMeta", async () => {
    const meta = await metaOf(journey({ holdout: "10%", goal: "conversion within 14d", stop_loss: "complaint_rate > 0.5% or unsubscribe_uplift > 2%" }));
    expect(meta.goal).toEqual({ type: "conversion", within: "14d", windowMs: 14 * 86_400_000 });
    expect(meta.stopLoss).toEqual({
      conditions: [
        { metric: "complaint_rate", type: "complaint", kind: "rate", percent: 0.5 },
        { metric: "unsubscribe_uplift", type: "unsubscribe", kind: "uplift", percent: 2 },
      ],
      min: 100,
      window: "14d",
      windowMs: 14 * 86_400_000,
    });
  });

  it("judges a stop-loss without a goal over 30 days, after `min` treated subjects", async () => {
    const meta = await metaOf(journey({ stop_loss: "complaint_rate > 3% min 250" }));
    expect(meta.goal).toBeUndefined();
    expect(meta.stopLoss).toMatchObject({ min: 250, window: "30d", windowMs: 30 * 86_400_000 });
  });

  it("accepts an outcome type the catalog declares under `value: outcomes:`", async () => {
    const meta = await metaOf(journey({ holdout: "5%", goal: "claim_closed within 7d", stop_loss: "churn_uplift > 1%" }), VALUE_CATALOG);
    expect(meta.goal?.type).toBe("claim_closed");
    expect(meta.stopLoss?.conditions[0]).toMatchObject({ type: "churn", kind: "uplift" });
  });

  it("leaves a module without them byte for byte as it was: no goal/stop-loss types, no members", () => {
    const plain = checkText(journey({ holdout: "10%" }));
    const ts = emitPredicates(plain.program!, plain.sources).ts;
    expect(ts).not.toContain("JourneyGoal");
    expect(ts).not.toContain("stopLoss");
    const withGoal = checkText(journey({ holdout: "10%", goal: "renewal within 30d" }));
    const ts2 = emitPredicates(withGoal.program!, withGoal.sources).ts;
    expect(ts2).toContain("readonly goal?: JourneyGoal;");
    expect(ts2).toContain('goal: { type: "renewal", within: "30d", windowMs: 2592000000 }');
  });

  it("does not change a journey's content hash (what a DPO approval binds to): they measure and stop, never act", () => {
    const hash = (src: string) => {
      const r = checkText(src);
      return journeyContentHash(r.program!.journeys[0]!, r.program!);
    };
    const base = hash(journey({ holdout: "10%" }));
    expect(hash(journey({ holdout: "10%", goal: "renewal within 30d", stop_loss: "complaint_rate > 1%" }))).toBe(base);
    expect(hash(journey({ holdout: "20%" }))).not.toBe(base);
  });
});

describe("mistakes in goal and stop_loss", () => {
  it("names an unknown outcome type, with the near one", () => {
    expect(errorsOf(journey({ holdout: "10%", goal: "renewl within 30d" }))).toEqual([
      expect.objectContaining({ code: "check/unknown-outcome-type", underlined: "renewl", hint: "did you mean `renewal`?" }),
    ]);
    const [d] = errorsOf(journey({ holdout: "10%", goal: "claim_closed within 30d" }));
    expect(d).toMatchObject({ code: "check/unknown-outcome-type", underlined: "claim_closed" });
    expect(d?.hint).toContain("declare others under `value: outcomes:`");
  });

  it("refuses a metric that is not `<type>_rate` or `<type>_uplift`, and an unknown type in one", () => {
    expect(errorsOf(journey({ stop_loss: "complaint_rte > 1%" }))).toEqual([
      expect.objectContaining({ code: "check/unknown-metric", underlined: "complaint_rte", hint: "did you mean `complaint_rate`?" }),
    ]);
    expect(errorsOf(journey({ stop_loss: "complaints_rate > 1%" }))).toEqual([
      expect.objectContaining({ code: "check/unknown-outcome-type", underlined: "complaints_rate", hint: "did you mean `complaint_rate`?" }),
    ]);
  });

  it("refuses thresholds outside (0%, 100%] and a `min` below 1", () => {
    expect(errorsOf(journey({ stop_loss: "complaint_rate > 0%" })).map((d) => [d.code, d.underlined])).toEqual([["check/invalid-threshold", "0%"]]);
    expect(errorsOf(journey({ stop_loss: "complaint_rate > 100.5%" })).map((d) => [d.code, d.underlined])).toEqual([["check/invalid-threshold", "100.5%"]]);
    expect(errorsOf(journey({ stop_loss: "complaint_rate > 100%" }))).toEqual([]);
    expect(errorsOf(journey({ stop_loss: "complaint_rate > 1% min 0" }))).toEqual([
      expect.objectContaining({ code: "check/invalid-min", underlined: "0", hint: "write `min 1` or more (the default is `min 100`)" }),
    ]);
  });

  it("refuses an uplift metric in a journey that holds nobody out: nothing to compare with", () => {
    for (const holdout of ["", "0%"]) {
      expect(errorsOf(journey({ holdout, stop_loss: "complaint_rate > 1% or complaint_uplift > 1%" }))).toEqual([
        expect.objectContaining({
          code: "check/uplift-without-holdout",
          underlined: "complaint_uplift",
          hint: "add `holdout 10%` (or another share) to the journey, or use `complaint_rate`",
        }),
      ]);
    }
    expect(errorsOf(journey({ holdout: "10%", stop_loss: "complaint_uplift > 1%" }))).toEqual([]);
  });

  it("warns that a goal without a holdout cannot be measured, and compiles it", () => {
    const src = journey({ goal: "renewal within 30d" });
    expect(errorsOf(src)).toEqual([]);
    expect(warningsOf(src)).toEqual([expect.objectContaining({ code: "check/goal-without-holdout", underlined: "goal" })]);
    expect(warningsOf(journey({ holdout: "10%", goal: "renewal within 30d" }))).toEqual([]);
  });

  it("refuses an empty goal window and a clause given twice", () => {
    expect(errorsOf(journey({ holdout: "10%", goal: "renewal within 0d" })).map((d) => [d.code, d.underlined])).toEqual([["check/empty-goal-window", "0d"]]);
    const twice =
      'journey j {\n  purpose renewal_marketing\n  on daily\n  when true\n  do email(template: "t")\n  stop_loss complaint_rate > 1%\n  stop_loss complaint_rate > 2%\n}\n';
    expect(errorsOf(twice).map((d) => [d.code, d.underlined])).toEqual([["check/duplicate-clause", "stop_loss"]]);
  });

  it("reports a comparison other than `>` and a missing `within` as syntax errors, at the token", () => {
    const [a] = errorsOf(journey({ stop_loss: "complaint_rate >= 1%" }));
    expect(a).toMatchObject({ code: "syntax/unexpected-token", underlined: ">=", message: "expected `>`, found `>=`" });
    const [b] = errorsOf(journey({ holdout: "10%", goal: "renewal 30d" }));
    expect(b).toMatchObject({ code: "syntax/unexpected-token", underlined: "30d", message: "expected `within`, found `30d`" });
  });
});

describe("the example policy set", () => {
  it("judges its marketing and service journeys on goals, each with a holdout, and stops the referral invitation on complaints", () => {
    const r = compileExample();
    expect(r.diagnostics.filter((d) => d.severity === "warning")).toEqual([]);
    const goals = Object.fromEntries(r.program.journeys.filter((j) => j.goal).map((j) => [j.id, `${j.goal!.type} within ${j.goal!.within}`]));
    expect(goals).toEqual({
      claim_status_update: "complaint within 14d",
      onboarding_nudge: "conversion within 14d",
      referral_invite: "conversion within 30d",
      renewal_reminder_d30: "renewal within 30d",
      renewal_reminder_d90: "renewal within 30d",
    });
    for (const j of r.program.journeys) if (j.goal) expect(j.holdout?.percent, j.id).toBeGreaterThan(0);
    const referral = r.program.journeys.find((j) => j.id === "referral_invite")!;
    expect(referral.stopLoss).toEqual({
      conditions: [{ metric: "complaint_rate", type: "complaint", kind: "rate", percent: 3 }],
      min: 10,
      window: "30d",
      windowMs: 30 * 86_400_000,
    });
  });
});
