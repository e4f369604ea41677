// The done-when test of proof of value: over 1,000 seeded simulated books (server/value/simulate.ts;
// arms drawn by the runtime's own bucketing, fresh salts each run), the scoreboard's 95% intervals
// — simulate → the store's aggregate semantics (reference.ts) → buildValueReport — cover the true
// uplift in 93–97% of runs for each of four journeys with different true effects (one of them zero),
// the global control group's total too, and the harmful journey's stop-loss trips while the others'
// do not. A check that the test can fail: an interval that forgets the held-out arm's noise is
// measured on the same books and falls below the band.
import { describe, expect, test } from "vitest";
import type { StopLoss } from "../../core/artifact.ts";
import type { ValueDef } from "../../core/catalog/types.ts";
import { buildValueReport, valueQueries } from "../../server/value/analysis.ts";
import { aggregateInMemory } from "../../server/value/reference.ts";
import { type SimulatedJourney, simulate, simulatedMeta, volumesInMemory } from "../../server/value/simulate.ts";
import { wilson } from "../../server/value/stats.ts";
import type { ValueReport } from "../../server/value/types.ts";

const DAY = 24 * 3600 * 1000;
const RUNS = 1000;

const JOURNEYS: readonly (SimulatedJourney & { goal: string })[] = [
  {
    id: "renewal_reminder",
    goal: "renewal",
    channel: "email",
    subjects: 1000,
    holdoutPercent: 25,
    salt: "r",
    windowMs: 30 * DAY,
    effects: [
      { type: "renewal", baseRate: 0.2, uplift: 0.05, value: 300 },
      { type: "complaint", baseRate: 0.005, uplift: 0 },
    ],
  },
  {
    id: "onboarding_nudge",
    goal: "conversion",
    channel: "push",
    subjects: 1000,
    holdoutPercent: 20,
    salt: "o",
    windowMs: 14 * DAY,
    effects: [{ type: "conversion", baseRate: 0.1, uplift: 0.02, value: 50 }],
  },
  {
    id: "claim_status_update",
    goal: "conversion",
    channel: "sms",
    subjects: 1000,
    holdoutPercent: 20,
    salt: "c",
    windowMs: 14 * DAY,
    effects: [
      { type: "conversion", baseRate: 0.08, uplift: 0, value: 50 },
      { type: "complaint", baseRate: 0.01, uplift: 0 },
    ],
  },
  {
    id: "referral_invite",
    goal: "conversion",
    channel: "email",
    subjects: 1000,
    holdoutPercent: 30,
    salt: "f",
    windowMs: 30 * DAY,
    effects: [
      { type: "conversion", baseRate: 0.03, uplift: 0.01, value: 20 },
      { type: "complaint", baseRate: 0.005, uplift: 0.065 },
    ],
  },
];

/** Every journey but the onboarding nudge watches complaints in its goal's window: > 3% of treated subjects, or an uplift whose lower bound passes 1%. */
const stopLoss = (windowMs: number): StopLoss => ({
  conditions: [
    { metric: "complaint_rate", type: "complaint", kind: "rate", percent: 3 },
    { metric: "complaint_uplift", type: "complaint", kind: "uplift", percent: 1 },
  ],
  min: 100,
  window: `${windowMs / DAY}d`,
  windowMs,
});

const VALUE: ValueDef = {
  currency: "EUR",
  costs: new Map([
    ["email", 0.02],
    ["sms", 0.06],
    ["push", 0.002],
  ]),
  outcomes: new Map(
    ["conversion", "renewal", "complaint", "unsubscribe"].map((name) => [name, { name, harm: name === "complaint" || name === "unsubscribe" }]),
  ),
  controlGroup: { percent: 15, salt: "g" },
  loc: { start: 0, end: 0 },
};

interface Run {
  readonly report: ValueReport;
  readonly truth: ReturnType<typeof simulate>["truth"];
  /** Per journey: the true incremental conversions given the arms drawn (treated subjects × the true uplift). */
  readonly trueIncremental: ReadonlyMap<string, number>;
  /** A deliberately wrong interval per journey: Wilson's around the treated rate only, shifted by the held-out rate as if it were known. */
  readonly naive: ReadonlyMap<string, { low: number; high: number }>;
}

function run(r: number): Run {
  const journeys = JOURNEYS.map((j) => ({ ...j, salt: `${j.salt}${r}` }));
  const value: ValueDef = { ...VALUE, controlGroup: { percent: 15, salt: `g${r}` } };
  const sim = simulate({ seed: 7919 * (r + 1), journeys, controlGroup: value.controlGroup, startMs: Date.UTC(2026, 0, 1), spreadMs: 60 * DAY });
  const metas = journeys.map((j) => simulatedMeta(j, j.goal, j.id === "onboarding_nudge" ? undefined : stopLoss(j.windowMs)));
  const asOf = new Date(sim.maturedAtMs).toISOString();
  const queries = valueQueries(metas, asOf, { value }).filter((q) => !q.key.startsWith("mix:"));
  const aggregates = aggregateInMemory(sim.assignments, sim.outcomes, queries);
  const volumes = volumesInMemory(sim.assignments);
  const report = buildValueReport({
    asOf,
    artifact: "simulated",
    journeys: metas,
    value,
    aggregates,
    volumes,
    outcomes: {},
    mix: { decisions: 0, outcomes: {}, denials: {}, candidates: 0 },
    controls: [],
  });
  const trueIncremental = new Map<string, number>();
  const naive = new Map<string, { low: number; high: number }>();
  for (const j of report.journeys) {
    trueIncremental.set(j.journey, j.subjects.treated * sim.truth.get(j.journey)!.get(j.goal!.type)!.uplift);
    const t = wilson(j.treated!.converted, j.treated!.subjects);
    const p0 = j.control!.rate!;
    naive.set(j.journey, { low: t.low! - p0, high: t.high! - p0 });
  }
  return { report, truth: sim.truth, trueIncremental, naive };
}

const covers = (i: { low: number | null; high: number | null } | undefined, truth: number): boolean =>
  i !== undefined && i.low !== null && i.high !== null && i.low <= truth && truth <= i.high;

describe("coverage of the scoreboard's 95% intervals over seeded simulations", () => {
  const runs: Run[] = [];
  test(`${RUNS} simulated books build`, () => {
    for (let r = 0; r < RUNS; r++) runs.push(run(r));
    expect(runs).toHaveLength(RUNS);
  }, 120_000);

  function share(f: (r: Run) => boolean): number {
    return runs.filter(f).length / runs.length;
  }

  test.each(JOURNEYS.map((j) => [j.id, j.effects.find((e) => e.type === j.goal)!.uplift]))(
    "%s: the Newcombe interval covers the true uplift %d in 93–97% of runs",
    (id, truth) => {
      const coverage = share((r) => covers(r.report.journeys.find((j) => j.journey === id)!.upliftAbs, truth));
      expect(coverage).toBeGreaterThanOrEqual(0.93);
      expect(coverage).toBeLessThanOrEqual(0.97);
    },
  );

  test.each(JOURNEYS.map((j) => [j.id]))("%s: the Welch interval covers the true value uplift and the Katz interval the true relative uplift", (id) => {
    const j = JOURNEYS.find((x) => x.id === id)!;
    const goal = j.effects.find((e) => e.type === j.goal)!;
    const value = share((r) => covers(r.report.journeys.find((x) => x.journey === id)!.upliftValue, goal.uplift * goal.value!));
    const relative = share((r) => covers(r.report.journeys.find((x) => x.journey === id)!.upliftRel, goal.uplift / goal.baseRate));
    for (const c of [value, relative]) {
      expect(c).toBeGreaterThanOrEqual(0.92);
      expect(c).toBeLessThanOrEqual(0.98);
    }
  });

  test("the incremental conversions' interval covers the true incremental conversions in 93–97% of runs", () => {
    for (const j of JOURNEYS) {
      const coverage = share((r) => covers(r.report.journeys.find((x) => x.journey === j.id)!.incrementalConversions, r.trueIncremental.get(j.id)!));
      expect(coverage, j.id).toBeGreaterThanOrEqual(0.93);
      expect(coverage, j.id).toBeLessThanOrEqual(0.97);
    }
  });

  test("the global control group's total incremental conversions cover the truth in 93–97% of runs, per goal and window", () => {
    const groups = new Set(runs[0]!.report.global!.perType.map((g) => `${g.type}/${g.windowMs}`));
    expect(groups).toEqual(new Set([`renewal/${30 * DAY}`, `conversion/${14 * DAY}`, `conversion/${30 * DAY}`]));
    for (const group of groups) {
      const coverage = share((r) => {
        const g = r.report.global!.perType.find((x) => `${x.type}/${x.windowMs}` === group)!;
        const ids = JOURNEYS.filter((j) => `${j.goal}/${j.windowMs}` === group).map((j) => j.id);
        const truth = ids.reduce((sum, id) => sum + r.trueIncremental.get(id)!, 0);
        return covers(g.incrementalConversions, truth);
      });
      expect(coverage, group).toBeGreaterThanOrEqual(0.93);
      expect(coverage, group).toBeLessThanOrEqual(0.97);
    }
  });

  test("the harmful journey's stop-loss trips in every run; the harmless ones' in at most 1% (false alarms)", () => {
    for (const j of JOURNEYS.filter((x) => x.id !== "onboarding_nudge")) {
      const tripped = share((r) => r.report.journeys.find((x) => x.journey === j.id)!.stopLoss!.conditions.some((c) => c.tripped));
      if (j.id === "referral_invite") expect(tripped, j.id).toBe(1);
      else expect(tripped, j.id).toBeLessThanOrEqual(0.01);
    }
  });

  test("the test can fail: an interval that ignores the held-out arm's noise covers too rarely", () => {
    for (const j of JOURNEYS) {
      const truth = j.effects.find((e) => e.type === j.goal)!.uplift;
      expect(
        share((r) => covers(r.naive.get(j.id), truth)),
        j.id,
      ).toBeLessThan(0.93);
    }
  });
});
