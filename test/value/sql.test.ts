// Analysts can recompute everything: a simulated book (server/value/simulate.ts) is committed
// through the store API — decisions that treat or hold out, whose assignment rows the commit
// writes, and outcomes through addOutcomes — then (1) the scoreboard read from the store equals the
// one computed in memory from the same book (reference.ts), on PGlite, SQLite and a real
// PostgreSQL; (2) on the real PostgreSQL, docs/value.sql finds every arm where the recomputed
// buckets put it (and finds the one row we then corrupt), and gives the same per-arm figures,
// Newcombe and Katz intervals, global control group totals and costs as the scoreboard.
import { readFileSync } from "node:fs";
import pg from "pg";
import { describe, expect, test } from "vitest";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { ValueDef } from "../../core/catalog/types.ts";
import type { Decision } from "../../runtime/decision.ts";
import type { PendingCommit, ServiceStore } from "../../server/store/types.ts";
import { buildValueReport, collectValueReport, valueQueries } from "../../server/value/analysis.ts";
import { aggregateInMemory, type NumberedAssignment } from "../../server/value/reference.ts";
import { type Simulation, type SimulatedJourney, simulate, simulatedMeta, volumesInMemory } from "../../server/value/simulate.ts";
import type { ValueReport } from "../../server/value/types.ts";
import { pending, tempDir } from "../store/helpers.ts";
import { storeLifecycle } from "../store/lifecycle.ts";

const DAY = 24 * 3600 * 1000;
const stores = storeLifecycle();

// Journey ids the test log set-up knows (test/rationale/sample-decisions.ts).
const JOURNEYS: readonly (SimulatedJourney & { goal: string })[] = [
  {
    id: "renewal_reminder_d90",
    goal: "renewal",
    channel: "email",
    subjects: 160,
    holdoutPercent: 25,
    salt: "",
    windowMs: 30 * DAY,
    effects: [
      { type: "renewal", baseRate: 0.3, uplift: 0.1, value: 250 },
      { type: "complaint", baseRate: 0.02, uplift: 0.02 },
    ],
  },
  {
    id: "onboarding_nudge",
    goal: "conversion",
    channel: "sms",
    subjects: 120,
    holdoutPercent: 30,
    salt: "onb-2026",
    windowMs: 14 * DAY,
    effects: [{ type: "conversion", baseRate: 0.2, uplift: 0, value: 40 }],
  },
];
const CONTROL = { percent: 10, salt: "2026" };
const VALUE: ValueDef = {
  currency: "EUR",
  costs: new Map([
    ["email", 0.02],
    ["sms", 0.06],
  ]),
  outcomes: new Map(
    ["conversion", "renewal", "complaint", "unsubscribe"].map((name) => [name, { name, harm: name === "complaint" || name === "unsubscribe" }]),
  ),
  controlGroup: CONTROL,
  loc: { start: 0, end: 0 },
};
const METAS: readonly JourneyMeta[] = JOURNEYS.map((j) => simulatedMeta(j, j.goal));
// Half the book is still inside its window at asOf: maturity matters.
const SIM: Simulation = simulate({ seed: 16, journeys: JOURNEYS, controlGroup: CONTROL, startMs: Date.UTC(2026, 0, 1), spreadMs: 60 * DAY, repeatShare: 0.2 });
const AS_OF = new Date(Date.UTC(2026, 0, 1) + 60 * DAY).toISOString();

/** The decision the runtime would have committed for an assignment row: the journey won and acted, or held the subject out. */
function commitOf(a: NumberedAssignment, version: number): PendingCommit {
  const meta = METAS.find((m) => m.id === a.journey)!;
  const winner = { journey: a.journey, purpose: meta.purpose, priority: meta.priority, trace: [] };
  const decision: Partial<Decision> =
    a.arm === "treated"
      ? {
          outcome: "acted",
          journey: a.journey,
          action: { name: "notify", channel: a.channel, params: {} },
          evaluations: [{ ...winner, outcome: "acted" }],
        }
      : {
          outcome: "held_out",
          journey: a.journey,
          action: undefined,
          evaluations: [{ ...winner, outcome: "held_out", reasons: [{ code: a.arm === "holdout" ? "held_out" : "global_control", message: "held out" }] }],
        };
  const p = pending({ subject: a.subject, version, decision });
  return { ...p, entry: { ...p.entry, at: a.at }, channel: a.channel };
}

/** Commits the book in time order (batches with one decision per subject), then its outcomes. */
async function fill(store: ServiceStore): Promise<void> {
  const versions = new Map<string, number>();
  let batch: PendingCommit[] = [];
  let inBatch = new Set<string>();
  const flush = async () => {
    const results = await store.commit(batch);
    expect(results.map((r) => r.status)).toEqual(batch.map(() => "committed"));
    batch = [];
    inBatch = new Set();
  };
  for (const a of SIM.assignments) {
    if (inBatch.has(a.subject) || batch.length >= 100) await flush();
    const version = versions.get(a.subject) ?? 0;
    batch.push(commitOf(a, version));
    inBatch.add(a.subject);
    versions.set(a.subject, version + 1);
  }
  if (batch.length > 0) await flush();
  for (let i = 0; i < SIM.outcomes.length; i += 1000) await store.addOutcomes(SIM.outcomes.slice(i, i + 1000));
}

function inMemoryReport(): ValueReport {
  const outcomes: Record<string, number> = {};
  for (const o of SIM.outcomes) outcomes[o.type] = (outcomes[o.type] ?? 0) + 1;
  return buildValueReport({
    asOf: AS_OF,
    artifact: "simulated",
    journeys: METAS,
    value: VALUE,
    aggregates: aggregateInMemory(SIM.assignments, SIM.outcomes, valueQueries(METAS, AS_OF, { value: VALUE })),
    volumes: volumesInMemory(SIM.assignments),
    outcomes: Object.fromEntries(Object.entries(outcomes).sort(([a], [b]) => (a < b ? -1 : 1))),
    mix: { decisions: 0, outcomes: {}, denials: {}, candidates: 0 },
    controls: [],
  });
}

/** Numbers equal to 9 significant digits (sums of values add up in another order in a database), everything else exactly. */
function expectClose(actual: unknown, expected: unknown, path = "$"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    return;
  }
  if (expected !== null && typeof expected === "object" && actual !== null && typeof actual === "object") {
    expect(Object.keys(actual).sort(), path).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected)) expectClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

const BACKENDS = [
  ["pglite", async () => stores.open("pglite:", tempDir())],
  ["sqlite", async () => stores.open("sqlite:", tempDir())],
  ["postgres", async () => stores.open(await stores.createPostgresDatabase(), tempDir())],
] as const;

describe("the scoreboard read from a store equals the one computed in memory from the same book", () => {
  test.each(BACKENDS)(
    "%s",
    async (_name, open) => {
      const store = await open();
      await fill(store);
      const fromStore = await collectValueReport(store, { asOf: AS_OF, artifact: "simulated", journeys: METAS, value: VALUE });
      const expected = inMemoryReport();
      // The book has every arm, subjects in and out of their window, and repeated decisions: the comparison means something.
      expect(expected.journeys.every((j) => j.subjects.treated > 0 && j.subjects.holdout > 0 && j.subjects.global_control > 0 && j.immature > 0)).toBe(true);
      expect(SIM.assignments.length).toBeGreaterThan(JOURNEYS.reduce((n, j) => n + j.subjects, 0));
      expectClose(fromStore.journeys, expected.journeys);
      expectClose(fromStore.totals, expected.totals);
      expectClose(fromStore.global, expected.global);
      expect(fromStore.outcomes).toEqual(expected.outcomes);
    },
    120_000,
  );
});

/** The sections of docs/value.sql by name (`-- [name]` starts one). */
function sections(): Map<string, string> {
  const text = readFileSync(new URL("../../docs/value.sql", import.meta.url), "utf8");
  const out = new Map<string, string>();
  let name = "";
  for (const line of text.split("\n")) {
    const m = /^-- \[(\w+)\]$/.exec(line);
    if (m) name = m[1]!;
    else if (name !== "") out.set(name, `${out.get(name) ?? ""}${line}\n`);
  }
  return out;
}

async function rowsOf(client: pg.Client, sql: string): Promise<Record<string, unknown>[]> {
  const r = (await client.query(sql)) as unknown as pg.QueryResult | pg.QueryResult[];
  const last = Array.isArray(r) ? r[r.length - 1]! : r;
  return last.rows as Record<string, unknown>[];
}

describe("docs/value.sql on a real PostgreSQL", () => {
  test("recomputes the buckets, the per-arm figures, the intervals and the costs of the scoreboard", async () => {
    const url = await stores.createPostgresDatabase();
    const store = await stores.open(url, tempDir());
    await fill(store);
    const report = await collectValueReport(store, { asOf: AS_OF, artifact: "simulated", journeys: METAS, value: VALUE });
    const sql = sections();
    expect([...sql.keys()]).toEqual(["setup", "settings", "arm_check", "arm_figures", "uplift", "global", "cost"]);

    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, statement_timeout: 30_000 });
    await client.connect();
    try {
      await client.query(sql.get("setup")!);
      // Our settings in place of the example ones.
      for (const j of JOURNEYS) {
        await client.query("INSERT INTO value_journeys VALUES ($1, $2, $3, $4, $5)", [j.id, j.holdoutPercent, j.salt, j.goal, j.windowMs]);
      }
      for (const [channel, cost] of VALUE.costs) await client.query("INSERT INTO value_costs VALUES ($1, $2)", [channel, cost]);
      await client.query("INSERT INTO value_settings VALUES ($1, $2, $3)", [Date.parse(AS_OF), CONTROL.percent, CONTROL.salt]);

      expect(await rowsOf(client, sql.get("arm_check")!)).toEqual([]);

      const figures = await rowsOf(client, sql.get("arm_figures")!);
      for (const j of report.journeys) {
        for (const [arm, f] of [
          ["treated", j.treated!],
          ["holdout", j.control!],
        ] as const) {
          const row = figures.find((r) => r["journey"] === j.journey && r["arm"] === arm)!;
          expect([Number(row["subjects"]), Number(row["converted"])], `${j.journey} ${arm}`).toEqual([f.subjects, f.converted]);
          expect(Number(row["rate"])).toBeCloseTo(f.rate!, 12);
          expect(Number(row["mean_value"])).toBeCloseTo(f.meanValue!, 9);
        }
      }

      const uplift = await rowsOf(client, sql.get("uplift")!);
      expect(uplift.map((r) => r["journey"])).toEqual([...report.journeys.map((j) => j.journey)].sort());
      for (const j of report.journeys) {
        const row = uplift.find((r) => r["journey"] === j.journey)!;
        for (const [column, value] of [
          ["uplift", j.upliftAbs!.estimate],
          ["uplift_low", j.upliftAbs!.low],
          ["uplift_high", j.upliftAbs!.high],
          ["relative", j.upliftRel!.estimate],
          ["relative_low", j.upliftRel!.low],
          ["relative_high", j.upliftRel!.high],
        ] as const) {
          expect(Number(row[column]), `${j.journey} ${column}`).toBeCloseTo(value!, 12);
        }
      }

      const global = await rowsOf(client, sql.get("global")!);
      expect(global.map((r) => [r["goal_type"], Number(r["window_ms"])])).toEqual(
        report.global!.perType.map((g) => [g.type, g.windowMs]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
      for (const g of report.global!.perType) {
        const row = global.find((r) => r["goal_type"] === g.type && Number(r["window_ms"]) === g.windowMs)!;
        expect(Number(row["incremental"]), g.type).toBeCloseTo(g.incrementalConversions.estimate!, 9);
        expect(Number(row["incremental_low"]), g.type).toBeCloseTo(g.incrementalConversions.low!, 9);
        expect(Number(row["incremental_high"]), g.type).toBeCloseTo(g.incrementalConversions.high!, 9);
        expect(Number(row["uplift"]), g.type).toBeCloseTo(g.upliftAbs.estimate!, 12);
      }

      const cost = await rowsOf(client, sql.get("cost")!);
      for (const j of report.journeys) {
        const total = cost.filter((r) => r["journey"] === j.journey).reduce((sum, r) => sum + Number(r["cost"]), 0);
        expect(total, j.journey).toBeCloseTo(j.cost, 9);
        expect(j.cost).toBeGreaterThan(0);
      }

      // The whole file as psql runs it (the example settings included) runs through, in a session of its own.
      const whole = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, statement_timeout: 30_000 });
      await whole.connect();
      try {
        const results = (await whole.query(readFileSync(new URL("../../docs/value.sql", import.meta.url), "utf8"))) as unknown as pg.QueryResult[];
        expect(results.length).toBeGreaterThan(10);
      } finally {
        await whole.end();
      }

      // The check finds a row whose arm is not the buckets' (here: a held-out subject recorded as treated).
      const wrong = await client.query(
        "UPDATE assignments SET arm = 'treated' WHERE id = (SELECT min(id) FROM assignments WHERE arm = 'holdout') RETURNING id",
      );
      const mismatches = await rowsOf(client, sql.get("arm_check")!);
      expect(mismatches.map((r) => [Number(r["id"]), r["arm"], r["expected"]])).toEqual([[Number(wrong.rows[0].id), "treated", "holdout"]]);
    } finally {
      await client.end();
    }
  }, 120_000);
});
