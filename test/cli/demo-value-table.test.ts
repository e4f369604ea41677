// The demo's value table (cli/demo/value-table.ts): one row per journey with a goal or a
// stop-loss, the measured uplift with its interval beside the simulation's true uplift, whether
// the interval caught it, cost, return and the stop-loss state; journeys with neither are left out.
import { describe, expect, it } from "vitest";
import type { TrueUplift } from "../../cli/demo/outcomes.ts";
import { covers, valueTable } from "../../cli/demo/value-table.ts";
import { pct, pp, withInterval } from "../../server/value/format.ts";
import type { JourneyValue, ValueReport } from "../../server/value/types.ts";

const base = {
  title: "t",
  purpose: "p",
  channel: "email",
  volume: {},
  subjects: { treated: 0, holdout: 0, global_control: 0 },
  immature: 0,
  outcomeMix: {},
  cost: 0,
} as const;

const renewal: JourneyValue = {
  ...base,
  journey: "renewal_reminder_d90",
  goal: { type: "renewal", within: "30d" },
  subjects: { treated: 400, holdout: 50, global_control: 0 },
  treated: { subjects: 400, converted: 140, rate: 0.35, meanValue: 300 },
  control: { subjects: 50, converted: 10, rate: 0.2, meanValue: 170 },
  upliftAbs: { estimate: 0.15, low: 0.021, high: 0.25 },
  cost: 8,
  return: { estimate: 51_992, low: 1000, high: 90_000 },
};
const referral: JourneyValue = {
  ...base,
  journey: "referral_invite",
  goal: { type: "conversion", within: "30d" },
  treated: { subjects: 14, converted: 1, rate: 1 / 14, meanValue: 10 },
  control: { subjects: 4, converted: 0, rate: 0, meanValue: 0 },
  upliftAbs: { estimate: 0.0714, low: -0.3, high: 0.01 },
  cost: 0.28,
  return: { estimate: -0.28, low: null, high: null },
  stopLoss: {
    state: "stopped",
    stopped: { reason: "complaint_rate 21.4% > 3% over 14 treated subjects", since: "2026-01-12T00:00:00Z", by: "stop-loss" },
    conditions: [],
  },
};
const noGoal: JourneyValue = { ...base, journey: "service_recovery" };

const report: ValueReport = {
  asOf: "2026-03-05T00:00:00Z",
  artifact: "a",
  currency: "EUR",
  journeys: [renewal, noGoal, referral],
  totals: { incrementalConversions: 0, incrementalValue: 0, cost: 0, return: 0 },
  outcomes: {},
  consent: { decisions: 0, candidates: 0, deniedShare: null, reasons: [] },
};

const truth: TrueUplift[] = [
  { journey: "renewal_reminder_d90", kind: "positive", type: "renewal", uplift: 0.15, base: 0.2 },
  { journey: "referral_invite", kind: "harmful", type: "conversion", uplift: 0.02, base: 0.03 },
  { journey: "referral_invite", kind: "harmful", type: "complaint", uplift: 0.2, base: 0.01 },
];

describe("the demo's value table", () => {
  it("shows each journey with a goal: arms, rates, uplift with interval, the truth and whether it was caught, cost, return, stop-loss", () => {
    const lines = valueTable(report, truth).split("\n");
    expect(lines[0]).toMatch(
      /^journey\s+goal\s+treated\s+held out\s+rate treated\s+rate held out\s+uplift \(95% interval\)\s+true\s+caught\s+cost\s+return\s+stop-loss$/,
    );
    expect(lines).toHaveLength(4); // header, rule, two journeys: the one without a goal is left out
    const [d90, ref] = [lines[2]!, lines[3]!];
    // Figures are written as the scoreboard writes them (server/value/format.ts); the columns in order.
    const cells = (line: string) => line.split(/ {2,}/).map((c) => c.trim());
    expect(cells(d90)).toEqual([
      "renewal_reminder_d90",
      "renewal 30d",
      "400",
      "50",
      pct(0.35),
      pct(0.2),
      withInterval(renewal.upliftAbs, pp),
      pp(0.15),
      "yes",
      "EUR 8.00",
      "EUR +51,992.00",
      "—",
    ]);
    expect(cells(ref).slice(7)).toEqual([pp(0.02), "no", "EUR 0.28", "EUR -0.28", "STOPPED"]);
    expect(valueTable(report, truth)).not.toContain("service_recovery");
  });

  it("says whether an interval covers a value, bounds included, and — when there is no interval", () => {
    expect(covers({ estimate: 0.1, low: 0.05, high: 0.15 }, 0.05)).toBe("yes");
    expect(covers({ estimate: 0.1, low: 0.05, high: 0.15 }, 0.151)).toBe("no");
    expect(covers({ estimate: 0.1, low: null, high: null }, 0.1)).toBe("—");
    expect(covers(undefined, 0)).toBe("—");
  });
});
