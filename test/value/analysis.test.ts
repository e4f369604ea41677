// The scoreboard's arithmetic on hand-built figures: which metrics it asks the store for, the
// per-journey figures (rates, intervals, incremental, cost, return, verdict, immature subjects),
// the stop-loss judgement and state, totals that leave harm goals out of conversions, consent
// health, the global control group; and the in-memory meaning of the store's aggregates (first
// assignment, window [at, at + window), maturity, sinceId) the simulations and the SQL test rely on.
import { describe, expect, test } from "vitest";
import type { JourneyMeta, StopLoss } from "../../core/artifact.ts";
import type { ValueDef } from "../../core/catalog/types.ts";
import type { ArmAggregate, JourneyControl, JourneyVolume } from "../../server/store/types.ts";
import { buildValueReport, judgeStopLoss, type ValueInput, valueQueries } from "../../server/value/analysis.ts";
import { aggregateInMemory, type NumberedAssignment } from "../../server/value/reference.ts";
import { simulate, simulatedArm, simulatedMeta, volumesInMemory } from "../../server/value/simulate.ts";
import { katzRelative, newcombe, welch } from "../../server/value/stats.ts";

const DAY = 24 * 3600 * 1000;
const AS_OF = "2026-06-01T00:00:00.000Z";

const STOP: StopLoss = {
  conditions: [
    { metric: "complaint_rate", type: "complaint", kind: "rate", percent: 0.5 },
    { metric: "complaint_uplift", type: "complaint", kind: "uplift", percent: 1 },
  ],
  min: 100,
  window: "30d",
  windowMs: 30 * DAY,
};

function meta(id: string, over: Partial<JourneyMeta> = {}): JourneyMeta {
  const base = simulatedMeta({ id, channel: "email", subjects: 0, holdoutPercent: 10, salt: "s", windowMs: 30 * DAY, effects: [] }, "renewal");
  return { ...base, ...over };
}

const VALUE: ValueDef = {
  currency: "GBP",
  costs: new Map([
    ["email", 0.5],
    ["sms", 2],
  ]),
  outcomes: new Map([
    ["conversion", { name: "conversion", harm: false }],
    ["renewal", { name: "renewal", harm: false }],
    ["complaint", { name: "complaint", harm: true }],
    ["unsubscribe", { name: "unsubscribe", harm: true }],
    ["churn", { name: "churn", description: "left", harm: true }],
  ]),
  loc: { start: 0, end: 0 },
};

function agg(key: string, journey: string, arm: ArmAggregate["arm"], subjects: number, converted: number, valueSum = 0, valueSumSq = 0): ArmAggregate {
  return { key, journey, arm, subjects, converted, valueSum, valueSumSq };
}

function volume(journey: string, treated: number, holdout: number, actions: Record<string, number>, global_control = 0): JourneyVolume {
  return { journey, outcomes: { acted: treated, held_out: holdout + global_control }, subjects: { treated, holdout, global_control }, actions, lastId: 1 };
}

function input(over: Partial<ValueInput>): ValueInput {
  return {
    asOf: AS_OF,
    artifact: "sha256:abc",
    journeys: [],
    value: VALUE,
    aggregates: [],
    volumes: [],
    outcomes: {},
    mix: { decisions: 0, outcomes: {}, denials: {}, candidates: 0 },
    controls: [],
    ...over,
  };
}

describe("valueQueries", () => {
  test("asks per journey for its goal and each outcome type on matured subjects, and its stop-loss since the last resume", () => {
    const asOfMs = Date.parse(AS_OF);
    const journeys = [meta("a", { stopLoss: STOP }), meta("b", { goal: undefined })];
    const controls: JourneyControl[] = [{ journey: "a", state: "active", by: "ann", reason: "resumed", since: AS_OF, sinceId: 42 }];
    const q = valueQueries(journeys, AS_OF, { value: VALUE, controls });
    expect(q.filter((m) => m.journey === "a").map((m) => m.key)).toEqual([
      "goal:a",
      "mix:a:conversion",
      "mix:a:renewal",
      "mix:a:complaint",
      "mix:a:unsubscribe",
      "mix:a:churn",
      "stop:a:complaint",
    ]);
    expect(q.find((m) => m.key === "goal:a")).toEqual({ key: "goal:a", journey: "a", type: "renewal", windowMs: 30 * DAY, matureBeforeMs: asOfMs });
    expect(q.find((m) => m.key === "stop:a:complaint")).toEqual({ key: "stop:a:complaint", journey: "a", type: "complaint", windowMs: 30 * DAY, sinceId: 42 });
    // Without a goal or a stop-loss the mix is counted over 30 days; no `goal:` metric.
    expect(q.filter((m) => m.journey === "b").map((m) => [m.key, m.windowMs])).toEqual(
      ["conversion", "renewal", "complaint", "unsubscribe", "churn"].map((t) => [`mix:b:${t}`, 30 * DAY]),
    );
  });

  test("refuses an asOf that is not a time, saying which", () => {
    expect(() => valueQueries([], "yesterday")).toThrow("asOf `yesterday` is not an ISO 8601 time");
    expect(() => buildValueReport(input({ asOf: "soon" }))).toThrow("asOf `soon` is not an ISO 8601 time");
  });
});

describe("buildValueReport", () => {
  const a = meta("renewal_reminder", { stopLoss: STOP });
  const aggregates = [
    agg("goal:renewal_reminder", "renewal_reminder", "treated", 900, 270, 270 * 300, 270 * 300 * 300),
    agg("goal:renewal_reminder", "renewal_reminder", "holdout", 100, 20, 20 * 300, 20 * 300 * 300),
    agg("mix:renewal_reminder:renewal", "renewal_reminder", "treated", 900, 270),
    agg("mix:renewal_reminder:renewal", "renewal_reminder", "holdout", 100, 20),
    agg("mix:renewal_reminder:complaint", "renewal_reminder", "treated", 900, 9),
    agg("stop:renewal_reminder:complaint", "renewal_reminder", "treated", 1200, 12),
    agg("stop:renewal_reminder:complaint", "renewal_reminder", "holdout", 130, 0),
  ];
  const report = buildValueReport(
    input({
      journeys: [a],
      aggregates,
      volumes: [volume("renewal_reminder", 1200, 130, { email: 1500 })],
      outcomes: { renewal: 300, complaint: 12 },
      mix: { decisions: 2000, outcomes: { acted: 1500 }, denials: { no_consent: 30, residency: 10, objection: 30 }, candidates: 4000 },
    }),
  );
  const j = report.journeys[0]!;

  test("gives each arm's figures and the three intervals of the stats module", () => {
    expect(j.treated).toEqual({ subjects: 900, converted: 270, rate: 0.3, meanValue: 90 });
    expect(j.control).toEqual({ subjects: 100, converted: 20, rate: 0.2, meanValue: 60 });
    expect(j.upliftAbs).toEqual(newcombe(270, 900, 20, 100));
    expect(j.upliftRel).toEqual(katzRelative(270, 900, 20, 100));
    expect(j.upliftValue).toEqual(welch({ n: 900, sum: 81000, sumSq: 24300000 }, { n: 100, sum: 6000, sumSq: 1800000 }));
    expect(j.verdict).toBe("positive");
  });

  test("scales the uplift to every treated subject, costs every action, and returns value minus cost", () => {
    expect(j.cost).toBe(750);
    expect(j.incrementalConversions!.estimate).toBeCloseTo(0.1 * 1200, 9);
    expect(j.incrementalValue!.estimate).toBeCloseTo(30 * 1200, 9);
    expect(j.return!.estimate).toBeCloseTo(36000 - 750, 9);
    expect(j.return!.low).toBeCloseTo(j.incrementalValue!.low! - 750, 9);
    expect(j.costPerIncremental).toBeCloseTo(750 / 120, 9);
    expect(j.roi).toBeCloseTo(35250 / 750, 9);
    expect(report.totals).toEqual({
      incrementalConversions: j.incrementalConversions!.estimate,
      incrementalValue: j.incrementalValue!.estimate,
      cost: 750,
      return: j.incrementalValue!.estimate! - 750,
    });
  });

  test("counts subjects whose window has not ended as immature and gives the treated outcome mix", () => {
    expect(j.subjects).toEqual({ treated: 1200, holdout: 130, global_control: 0 });
    expect(j.immature).toBe(1330 - 1000);
    expect(j.outcomeMix).toEqual({ conversion: null, renewal: 0.3, complaint: 0.01, unsubscribe: null, churn: null });
  });

  test("judges each stop-loss condition on the subjects since the last resume", () => {
    expect(j.stopLoss).toEqual({
      state: "running",
      conditions: [
        { condition: "complaint_rate > 0.5%", value: 0.01, threshold: 0.005, subjects: 1200, tripped: true },
        { condition: "complaint_uplift > 1%", value: newcombe(12, 1200, 0, 130).low, threshold: 0.01, subjects: 1200, tripped: false },
      ],
    });
  });

  test("carries the report's identity, currency, outcome counts and consent health", () => {
    expect(report.asOf).toBe(AS_OF);
    expect(report.artifact).toBe("sha256:abc");
    expect(report.currency).toBe("GBP");
    expect(report.outcomes).toEqual({ renewal: 300, complaint: 12 });
    expect(report.consent).toEqual({
      decisions: 2000,
      candidates: 4000,
      deniedShare: 70 / 4000,
      reasons: [
        { code: "no_consent", count: 30, share: 30 / 4000 },
        { code: "objection", count: 30, share: 30 / 4000 },
        { code: "residency", count: 10, share: 10 / 4000 },
      ],
    });
    expect(report.global).toBeUndefined();
    expect(report.signals).toBeUndefined();
    expect(j.source).toBe("simulated.journey:1");
    expect(j.goal).toEqual({ type: "renewal", within: "30d" });
    expect(j.holdoutPercent).toBe(10);
  });
});

describe("edge cases", () => {
  test("a stop-loss below its minimum of subjects is not tripped, and a stopped journey says by whom and why", () => {
    const stopped: JourneyControl = {
      journey: "x",
      state: "stopped",
      by: "stop-loss",
      reason: "complaint_rate 4% > 0.5%",
      since: "2026-05-30T10:00:00.000Z",
      sinceId: 0,
    };
    const report = buildValueReport(
      input({ journeys: [meta("x", { stopLoss: STOP })], aggregates: [agg("stop:x:complaint", "x", "treated", 99, 50)], controls: [stopped] }),
    );
    expect(report.journeys[0]!.stopLoss).toEqual({
      state: "stopped",
      stopped: { reason: "complaint_rate 4% > 0.5%", since: "2026-05-30T10:00:00.000Z", by: "stop-loss" },
      conditions: [
        { condition: "complaint_rate > 0.5%", value: 50 / 99, threshold: 0.005, subjects: 99, tripped: false },
        { condition: "complaint_uplift > 1%", value: null, threshold: 0.01, subjects: 99, tripped: false },
      ],
    });
  });

  test("a journey without held-out subjects has no verdict but `no_control`, and null intervals", () => {
    const report = buildValueReport(
      input({ journeys: [meta("y")], aggregates: [agg("goal:y", "y", "treated", 50, 5)], volumes: [volume("y", 50, 0, { sms: 10 })] }),
    );
    const y = report.journeys[0]!;
    expect(y.verdict).toBe("no_control");
    expect(y.upliftAbs).toEqual({ estimate: null, low: null, high: null });
    expect(y.control).toEqual({ subjects: 0, converted: 0, rate: null, meanValue: null });
    expect(y.cost).toBe(20);
    expect(y.return).toEqual({ estimate: null, low: null, high: null });
    expect(y.costPerIncremental).toBeNull();
    expect(y.roi).toBeNull();
  });

  test("a journey without a goal has volume, mix and cost but no goal figures; without `value:` costs are 0 and the currency EUR", () => {
    const report = buildValueReport(
      input({ value: undefined, journeys: [meta("z", { goal: undefined, holdout: undefined })], volumes: [volume("z", 10, 0, { email: 10 })] }),
    );
    const z = report.journeys[0]!;
    expect(report.currency).toBe("EUR");
    expect(z.cost).toBe(0);
    expect(z.goal).toBeUndefined();
    expect(z.upliftAbs).toBeUndefined();
    expect(z.stopLoss).toBeUndefined();
    expect(Object.keys(z.outcomeMix)).toEqual(["conversion", "renewal", "complaint", "unsubscribe"]);
    expect(report.totals).toEqual({ incrementalConversions: 0, incrementalValue: 0, cost: 0, return: 0 });
  });

  test("a negative uplift is a `negative` verdict, and a harm goal's incremental is left out of the total conversions", () => {
    const report = buildValueReport(
      input({
        journeys: [meta("h", { goal: { type: "churn", within: "30d", windowMs: 30 * DAY } })],
        aggregates: [agg("goal:h", "h", "treated", 1000, 50), agg("goal:h", "h", "holdout", 1000, 150)],
        volumes: [volume("h", 1000, 1000, { email: 1000 })],
      }),
    );
    expect(report.journeys[0]!.verdict).toBe("negative");
    expect(report.journeys[0]!.incrementalConversions!.estimate).toBeCloseTo(-100, 9);
    expect(report.totals.incrementalConversions).toBe(0);
    expect(report.totals.cost).toBe(500);
  });

  test("with a global control group: per goal type and window, everyone else against the group, summed over journeys", () => {
    const value: ValueDef = { ...VALUE, controlGroup: { percent: 5, salt: "2026" } };
    const journeys = [meta("p"), meta("q"), meta("r", { goal: { type: "conversion", within: "14d", windowMs: 14 * DAY } })];
    const aggregates = [
      agg("goal:p", "p", "treated", 800, 240),
      agg("goal:p", "p", "holdout", 100, 20),
      agg("goal:p", "p", "global_control", 50, 10),
      agg("goal:q", "q", "treated", 400, 100),
      agg("goal:q", "q", "global_control", 20, 4),
      agg("goal:r", "r", "treated", 10, 1),
    ];
    const volumes = [volume("p", 800, 100, {}, 50), volume("q", 400, 0, {}, 20), volume("r", 10, 0, {})];
    const g = buildValueReport(input({ value, journeys, aggregates, volumes })).global!;
    expect(g.percent).toBe(5);
    expect(g.salt).toBe("2026");
    expect(g.perType.map((t) => [t.type, t.windowMs])).toEqual([
      ["renewal", 30 * DAY],
      ["conversion", 14 * DAY],
    ]);
    const renewal = g.perType[0]!;
    expect(renewal.treated).toEqual({ subjects: 1300, converted: 360, rate: 360 / 1300, meanValue: 0 });
    expect(renewal.control).toEqual({ subjects: 70, converted: 14, rate: 0.2, meanValue: 0 });
    const p = newcombe(260, 900, 10, 50);
    const q = newcombe(100, 400, 4, 20);
    const estimate = 900 * p.estimate! + 400 * q.estimate!;
    expect(renewal.incrementalConversions.estimate).toBeCloseTo(estimate, 9);
    expect(renewal.incrementalConversions.low).toBeCloseTo(estimate - Math.hypot(900 * (p.estimate! - p.low!), 400 * (q.estimate! - q.low!)), 9);
    expect(renewal.incrementalConversions.high).toBeCloseTo(estimate + Math.hypot(900 * (p.high! - p.estimate!), 400 * (q.high! - q.estimate!)), 9);
    expect(renewal.upliftAbs.estimate).toBeCloseTo(estimate / 1300, 9);
    // No subject of `r` is in the group: nothing to compare with.
    expect(g.perType[1]!.incrementalConversions).toEqual({ estimate: null, low: null, high: null });
  });

  test("judgeStopLoss reads only its journey's rows", () => {
    const rows = [agg("stop:b:complaint", "a", "treated", 200, 20), agg("stop:b:complaint", "b", "treated", 200, 0)];
    expect(judgeStopLoss("b", STOP, rows)[0]).toEqual({ condition: "complaint_rate > 0.5%", value: 0, threshold: 0.005, subjects: 200, tripped: false });
  });
});

describe("the aggregates' meaning (reference.ts)", () => {
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const iso = (ms: number) => new Date(ms).toISOString();
  const row = (id: number, subject: string, arm: NumberedAssignment["arm"], atMs: number): NumberedAssignment => ({
    id,
    subject,
    journey: "j",
    arm,
    outcome: arm === "treated" ? "acted" : "held_out",
    channel: "email",
    at: iso(atMs),
    decision_id: `d${id}`,
  });
  const assignments = [row(1, "s1", "treated", t0), row(2, "s2", "holdout", t0), row(3, "s1", "treated", t0 + 20 * DAY), row(4, "s3", "treated", t0 + 5 * DAY)];
  const outcomes = [
    { subject: "s1", type: "renewal", at: iso(t0 + 10 * DAY - 1), value: 100 },
    { subject: "s1", type: "renewal", at: iso(t0 + 5 * DAY), value: 20 },
    { subject: "s2", type: "renewal", at: iso(t0 + 10 * DAY), value: 50 }, // exactly at + window: outside
    { subject: "s3", type: "renewal", at: iso(t0 + 5 * DAY), value: 7 }, // exactly at: inside
    { subject: "s3", type: "renewal", at: iso(t0 + 5 * DAY - 1), value: 1000 }, // before: outside
  ];

  test("counts each subject once from its first assignment, outcomes in [at, at + window), values summed per subject", () => {
    const rows = aggregateInMemory(assignments, outcomes, [{ key: "k", journey: "j", type: "renewal", windowMs: 10 * DAY }]);
    expect(rows).toEqual([
      { key: "k", journey: "j", arm: "treated", subjects: 2, converted: 2, valueSum: 127, valueSumSq: 120 * 120 + 49 },
      { key: "k", journey: "j", arm: "holdout", subjects: 1, converted: 0, valueSum: 0, valueSumSq: 0 },
    ]);
  });

  test("leaves out subjects whose window has not ended by matureBeforeMs, and those first assigned at or before sinceId", () => {
    const matured = aggregateInMemory(assignments, outcomes, [{ key: "k", journey: "j", type: "renewal", windowMs: 10 * DAY, matureBeforeMs: t0 + 10 * DAY }]);
    expect(matured.map((r) => [r.arm, r.subjects])).toEqual([
      ["treated", 1],
      ["holdout", 1],
    ]);
    const since = aggregateInMemory(assignments, outcomes, [{ key: "k", journey: "j", type: "renewal", windowMs: 10 * DAY, sinceId: 2 }]);
    expect(since.map((r) => [r.arm, r.subjects, r.converted])).toEqual([["treated", 1, 1]]);
  });

  test("the simulator's arms are the runtime's buckets and its volumes count rows, subjects and actions", () => {
    const j = {
      id: "j",
      channel: "sms",
      subjects: 300,
      holdoutPercent: 30,
      salt: "x",
      windowMs: DAY,
      effects: [{ type: "conversion", baseRate: 0.1, uplift: 0 }],
    };
    const sim = simulate({ seed: 1, journeys: [j], controlGroup: { percent: 10, salt: "g" }, startMs: t0, spreadMs: DAY });
    for (const a of sim.assignments) expect(a.arm).toBe(simulatedArm(j, a.subject, { percent: 10, salt: "g" }));
    const arms = new Set(sim.assignments.map((a) => a.arm));
    expect(arms).toEqual(new Set(["treated", "holdout", "global_control"]));
    const [v] = volumesInMemory(sim.assignments);
    expect(v!.subjects.treated + v!.subjects.holdout + v!.subjects.global_control).toBe(300);
    expect(v!.actions).toEqual({ sms: sim.assignments.filter((a) => a.arm === "treated").length });
    expect(v!.lastId).toBe(sim.assignments.length);
    expect(simulate({ seed: 1, journeys: [j], startMs: t0, spreadMs: DAY })).toEqual(simulate({ seed: 1, journeys: [j], startMs: t0, spreadMs: DAY }));
    expect(() =>
      simulate({ seed: 1, journeys: [{ ...j, effects: [{ type: "conversion", baseRate: 0.9, uplift: 0.2 }] }], startMs: t0, spreadMs: DAY }),
    ).toThrow("journey j: the rates of conversion must be within [0, 1], got 1.1");
  });
});
