// The stop-loss in a real service (docs/value.md#stop-loss), on SQLite, on PGlite, and on a real
// PostgreSQL with two instances: decisions are made, complaints reported, the check runs; below
// `min` treated subjects nothing is judged, past the threshold the journey is stopped (one write,
// metrics, a log line), its next candidates are `suppressed` with the reason `stop_loss` while
// other journeys act, every instance honours the stop within about a second, a person resumes it
// (`POST /v1/journeys/{id}/resume`; again: 409), it acts again, and the check then counts only the
// subjects exposed since the resume.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { StopLossCondition } from "../../core/artifact.ts";
import type { Engine } from "../../runtime/engine.ts";
import { holdoutBucket } from "../../runtime/guardrails.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { judgeCondition } from "../../server/value/stop-loss.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { CUSTOMER, startTestServer, type TestServer } from "./helpers.ts";

/** A journey that complains (stop-loss on the complaint rate) and a harmless one below it. */
const JOURNEYS = `journey referral_invite {
  title     "Referral invite"
  purpose   service_updates
  priority  10
  on        daily
  when      customer.tenure_months >= 12
  do        email(template: "referral")
  holdout   10%
  goal      conversion within 30d
  stop_loss complaint_rate > 3% or complaint_uplift > 1% min 20
}

journey tip_of_the_day {
  title    "Tip of the day"
  purpose  service_updates
  priority 1
  on       daily
  when     customer.tenure_months >= 0
  do       push(template: "tip")
}
`;
const NOW = "2026-05-30T12:00:00Z";
const LATER = "2026-05-31T12:00:00Z";
const held = (s: string): boolean => holdoutBucket("referral_invite", "", s) < 1000;
const daily = (subject: string, now = NOW) => ({ event: { type: "daily", id: `e-${subject}` }, subject, region: "eu", now, context: CUSTOMER });
/** Subjects `prefix-0`, `prefix-1`, … outside the journey's holdout. */
const treatedSubjects = (prefix: string, n: number): string[] => {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (!held(`${prefix}-${i}`)) out.push(`${prefix}-${i}`);
  return out;
};

let engine: Engine;
const dirs: string[] = [];
beforeAll(async () => {
  engine = (await compiledEngine(SPEC_POLICY_DIR, { "value.journey": JOURNEYS })).engine;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function decide(t: TestServer, subject: string, now = NOW): Promise<any> {
  const r = await t.call("POST", "/v1/decisions", daily(subject, now));
  expect(r.status, r.text).toBe(200);
  return r.json;
}

const complaints = (subjects: readonly string[], at = LATER) => subjects.map((subject) => ({ id: `complaint-${subject}`, subject, type: "complaint", at }));

/** The whole story on one instance. */
async function story(t: TestServer): Promise<void> {
  const store = t.server.store as ServiceStore;
  // 10 subjects, 3 treated ones complain: 30% but under `min 20` treated subjects, nothing is judged.
  const first = [...Array.from({ length: 10 }, (_, i) => `a-${i}`)];
  for (const s of first) expect((await decide(t, s)).journey).toBe("referral_invite");
  const firstTreated = first.filter((s) => !held(s));
  await store.addOutcomes(complaints(firstTreated.slice(0, 3)));
  let run = await t.server.service.checkStopLoss(LATER);
  expect(run.tripped).toEqual([]);
  expect(run.journeys).toEqual([expect.objectContaining({ journey: "referral_invite", state: "running", sinceId: 0, subjects: firstTreated.length })]);
  expect(run.journeys[0]!.conditions[0]).toMatchObject({ condition: "complaint_rate > 3%", value: 3 / firstTreated.length, threshold: 0.03, tripped: false });

  // 30 more subjects: past `min`, 3 complaints over ≥ 20 treated subjects is still above 3%: stopped.
  const more = Array.from({ length: 30 }, (_, i) => `b-${i}`);
  for (const s of more) await decide(t, s);
  const treated = [...first, ...more].filter((s) => !held(s)).length;
  expect(treated).toBeGreaterThanOrEqual(20);
  run = await t.server.service.checkStopLoss(LATER);
  expect(run.tripped).toEqual(["referral_invite"]);
  const reason = `complaint_rate ${((3 / treated) * 100).toFixed(2)}% > 3% over ${treated} treated subjects`;
  expect(run.journeys[0]).toMatchObject({ journey: "referral_invite", state: "tripped", subjects: treated, reason });
  expect(t.errors.join("\n")).toContain("stop-loss: journey `referral_invite` stopped: " + reason);

  // Stopped: its candidates are suppressed before screening, the other journey acts.
  const [next] = treatedSubjects("c", 1);
  const d = await decide(t, next!);
  expect(d).toMatchObject({ outcome: "acted", journey: "tip_of_the_day" });
  expect(d.evaluations[0]).toMatchObject({
    journey: "referral_invite",
    outcome: "suppressed",
    reasons: [{ code: "stop_loss", since: LATER, by: "stop-loss", message: expect.stringContaining(reason) }],
    trace: [],
  });
  expect(d.evaluations[0].basis).toBeUndefined();

  // The state, the metrics, the history; a second run judges nothing and trips nothing.
  const listed = await t.call("GET", "/v1/journeys");
  expect(listed.status).toBe(200);
  expect(listed.json.journeys).toEqual([
    expect.objectContaining({
      journey: "referral_invite",
      state: "stopped",
      stop_loss: "complaint_rate > 3% or complaint_uplift > 1% min 20",
      by: "stop-loss",
      since: LATER,
      reason,
    }),
    { journey: "tip_of_the_day", title: "Tip of the day", state: "running", in_artifact: true },
  ]);
  const again = await t.server.service.checkStopLoss(LATER);
  expect(again.tripped).toEqual([]);
  expect(again.journeys[0]).toMatchObject({ state: "stopped", reason });
  const metrics = (await t.call("GET", "/metrics")).text;
  expect(metrics).toContain('kairos_journey_stopped{journey="referral_invite"} 1');
  expect(metrics).toContain('kairos_stop_loss_trips_total{journey="referral_invite"} 1');

  // A person resumes it; a second resume is refused; an unknown journey is not found.
  const resumed = await t.call("POST", "/v1/journeys/referral_invite/resume", { by: "Dana Scholz", note: "template fixed", now: LATER });
  expect(resumed.status, resumed.text).toBe(200);
  expect(resumed.json).toMatchObject({ journey: "referral_invite", state: "running", by: "Dana Scholz", reason: "template fixed" });
  const twice = await t.call("POST", "/v1/journeys/referral_invite/resume", { by: "Dana Scholz", now: LATER });
  expect(twice.status).toBe(409);
  expect(twice.json.error).toMatchObject({ code: "not_stopped", message: expect.stringContaining("Dana Scholz resumed it") });
  expect((await t.call("POST", "/v1/journeys/nope/resume", { by: "x", now: LATER })).json.error.code).toBe("journey_not_found");
  expect((await t.call("POST", "/v1/journeys/referral_invite/resume", { now: LATER })).status).toBe(400);
  expect((await t.call("POST", "/v1/journeys/referral_invite/resume", { by: "x", now: LATER }, { token: t.token("reader", ["audit:read"]) })).status).toBe(403);
  expect((await t.call("GET", "/metrics")).text).toContain('kairos_journey_stopped{journey="referral_invite"} 0');
  expect((await store.journeyControlHistory("referral_invite")).map((c) => [c.state, c.by])).toEqual([
    ["stopped", "stop-loss"],
    ["active", "Dana Scholz"],
  ]);

  // It acts again, and the check counts only subjects exposed since the resume (none complained).
  const [fresh] = treatedSubjects("d", 1);
  expect(await decide(t, fresh!)).toMatchObject({ outcome: "acted", journey: "referral_invite" });
  const after = await t.server.service.checkStopLoss(LATER);
  expect(after.tripped).toEqual([]);
  expect(after.journeys[0]).toMatchObject({ state: "running", subjects: 1 });
  expect(after.journeys[0]!.sinceId).toBeGreaterThan(0);
}

describe.each([
  ["SQLite", "sqlite:"],
  ["PGlite", "pglite:"],
])("the stop-loss on %s", (_name, storeUrl) => {
  test("stops a harmful journey, suppresses it, and acts again once a person resumes it", async () => {
    const t = await startTestServer({ artifact: engine, clock: "request", store: storeUrl, stopLoss: { intervalMs: 0, controlsRefreshMs: 0 } });
    try {
      await story(t);
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe("the stop-loss on PostgreSQL with two instances", () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  test("a stop written by one instance is honoured by the other within seconds, and so is a resume", async () => {
    const url = await pg.createDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), "kairos-stop-loss-pg-"));
    dirs.push(dataDir);
    const options = { artifact: engine, clock: "request" as const, store: url, dataDir, stopLoss: { intervalMs: 0, controlsRefreshMs: 200 } };
    const a = await startTestServer(options);
    const b = await startTestServer(options);
    try {
      await story(a);
      // `a` resumed it at the end of the story; stop it again from `a` with more complaints.
      const subjects = treatedSubjects("e", 25);
      for (const s of subjects) await decide(a, s);
      await (a.server.store as ServiceStore).addOutcomes(complaints(subjects.slice(0, 5)));
      expect((await a.server.service.checkStopLoss(LATER)).tripped).toEqual(["referral_invite"]);
      // `b` tripped nothing itself; it reads the stop and suppresses within a few refreshes.
      const until = Date.now() + 10_000;
      let seen: any;
      for (let i = 0; Date.now() < until; i++) {
        seen = await decide(b, `f-${i}`);
        if (seen.evaluations[0].outcome === "suppressed") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen.evaluations[0]).toMatchObject({ journey: "referral_invite", outcome: "suppressed", reasons: [{ code: "stop_loss" }] });
      // Two instances tripping the same stop write one stop: `b`'s check finds it stopped.
      expect((await b.server.service.checkStopLoss(LATER)).journeys[0]).toMatchObject({ state: "stopped" });
      // Resumed through `b`: `a` acts again within a few refreshes of its controls.
      expect((await b.call("POST", "/v1/journeys/referral_invite/resume", { by: "Dana Scholz", now: LATER })).status).toBe(200);
      const back = Date.now() + 10_000;
      let acted: any;
      for (const s of treatedSubjects("g", 200)) {
        acted = await decide(a, s);
        if (acted.journey === "referral_invite" || Date.now() > back) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(acted).toMatchObject({ outcome: "acted", journey: "referral_invite" });
      const metricsB = (await b.call("GET", "/metrics")).text;
      expect(metricsB).toContain('kairos_journey_stopped{journey="referral_invite"} 0');
      expect(metricsB).not.toContain("kairos_stop_loss_trips_total{");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 180_000);
});

describe("judging one condition", () => {
  const rate: StopLossCondition = { metric: "complaint_rate", type: "complaint", kind: "rate", percent: 3 };
  const uplift: StopLossCondition = { metric: "complaint_uplift", type: "complaint", kind: "uplift", percent: 1 };

  test("a rate trips only past its threshold and once `min` subjects are treated", () => {
    expect(judgeCondition(rate, 100, { subjects: 100, converted: 4 }, undefined)).toMatchObject({ value: 0.04, tripped: true });
    expect(judgeCondition(rate, 100, { subjects: 100, converted: 3 }, undefined)).toMatchObject({ value: 0.03, tripped: false });
    expect(judgeCondition(rate, 100, { subjects: 99, converted: 50 }, undefined)).toMatchObject({ subjects: 99, tripped: false });
    expect(judgeCondition(rate, 1, undefined, undefined)).toMatchObject({ value: null, subjects: 0, tripped: false });
  });

  test("an uplift trips on the lower bound of the Newcombe interval, not on the estimate", () => {
    // 15% vs 0.5%: the lower bound is well above 1%.
    const clear = judgeCondition(uplift, 100, { subjects: 400, converted: 60 }, { subjects: 400, converted: 2 });
    expect(clear.tripped).toBe(true);
    expect(clear.value).toBeGreaterThan(0.1);
    // 3% vs 1% on few held-out subjects: the estimate is past 1%, the lower bound is not.
    const unsure = judgeCondition(uplift, 100, { subjects: 400, converted: 12 }, { subjects: 40, converted: 0 });
    expect(unsure.tripped).toBe(false);
    expect(unsure.value).toBeLessThan(0.01);
    // No held-out subject: nothing to compare with.
    expect(judgeCondition(uplift, 1, { subjects: 400, converted: 60 }, undefined)).toMatchObject({ value: null, tripped: false });
  });
});
