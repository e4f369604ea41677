// Proof of value on every store backend (PGlite, SQLite, a real PostgreSQL this file starts):
// a committed decision writes its assignment row in the same commit (treated, holdout or
// global_control, by its outcome and reason; nothing for the rest, nothing for a conflict);
// outcomes are added all or nothing and idempotently by id; the per-arm aggregates count each
// subject once, by its FIRST assignment, with outcomes in [at, at + window) only, and honour
// `matureBeforeMs` and `sinceId`; the volumes, outcome counts and decision mix add up; a journey's
// control is set only from the expected state — once, even when two instances race — and its
// history kept oldest first; a subject's assignments and outcomes read back for the access export;
// a store an older Kairos made (not migrated yet) is refused with `store/migration`, not a failed statement.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Decision, Evaluation } from "../../runtime/decision.ts";
import type { Db } from "../../server/store/db.ts";
import type { SqliteDb } from "../../server/store/sqlite-db.ts";
import type { JourneyControl, PendingCommit, ServiceStore } from "../../server/store/types.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { pending, removeTempDirs, storeBackends } from "./helpers.ts";

let postgres: TestPostgres | undefined;

beforeAll(async () => {
  postgres = await startPostgres();
});

afterAll(async () => {
  await postgres?.stop();
  removeTempDirs();
});

const BACKENDS = storeBackends(() => postgres);

const J = "renewal_reminder_d90";
const DAY = 86_400_000;

/** A held-out decision of J about a subject: by the journey's holdout or the global control group. */
function heldOut(code: "held_out" | "global_control"): Partial<Decision> {
  const evaluation: Evaluation = {
    journey: J,
    outcome: "held_out",
    purpose: "renewal_marketing",
    priority: 50,
    basis: "consent",
    matched: true,
    trace: [],
    reasons: [{ code, message: `held out (${code})`, bucket: 12, threshold: 500 }],
  };
  return { outcome: "held_out", journey: J, basis: "consent", evaluations: [evaluation] };
}

type Kind = "acted" | "holdout" | "global" | "review" | "denied";

/** A pending commit of a decision of `kind` about `subject` at `at`, made from the subject's current version. */
async function decision(store: ServiceStore, subject: string, kind: Kind, at: string, extra: Partial<PendingCommit> = {}): Promise<PendingCommit> {
  const version = (await store.state(subject)).version;
  const spec =
    kind === "acted"
      ? { sample: 0 }
      : kind === "review"
        ? { sample: 1 }
        : kind === "denied"
          ? { sample: 3 }
          : { sample: 3, decision: heldOut(kind === "holdout" ? "held_out" : "global_control") };
  const p = pending({ subject, version, ...spec, extra });
  return { ...p, entry: { ...p.entry, at } };
}

async function commitOne(store: ServiceStore, subject: string, kind: Kind, at: string, extra: Partial<PendingCommit> = {}): Promise<void> {
  const [result] = await store.commit([await decision(store, subject, kind, at, extra)]);
  expect(result?.status).toBe("committed");
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const T0 = Date.parse("2026-06-01T09:00:00Z");

describe.each(BACKENDS)("proof of value on the $name store", (backend) => {
  it("writes one assignment row per decision its winner treated or held out, in the decision's commit, and none for the rest", async () => {
    const store = await (await backend.fresh()).open();
    try {
      await commitOne(store, "s-acted", "acted", iso(T0));
      await commitOne(store, "s-review", "review", iso(T0));
      await commitOne(store, "s-hold", "holdout", iso(T0), { channel: "email" });
      await commitOne(store, "s-global", "global", iso(T0), { channel: "email" });
      await commitOne(store, "s-denied", "denied", iso(T0));
      // A conflict writes nothing: not even its assignment row.
      const stale = await decision(store, "s-acted", "acted", iso(T0 + DAY));
      expect(await store.commit([{ ...stale, expectedVersion: stale.expectedVersion + 5 }])).toEqual([{ status: "conflict" }]);
      const volumes = await store.journeyVolumes();
      expect(volumes.map((v) => v.journey)).toEqual([J, "service_recovery"]);
      const [renewal, recovery] = volumes;
      expect(renewal).toMatchObject({
        journey: J,
        outcomes: { acted: 1, held_out: 2 },
        subjects: { treated: 1, holdout: 1, global_control: 1 },
        actions: { email: 1 },
      });
      expect(recovery).toMatchObject({ outcomes: { pending_review: 1 }, subjects: { treated: 1, holdout: 0, global_control: 0 }, actions: {} });
      expect(renewal!.lastId).toBeGreaterThan(0);
      // The held-out row records the channel the journey would have used; the access export reads the rows back.
      const held = await store.subjectValue("s-hold");
      expect(held.assignments).toEqual([
        { subject: "s-hold", journey: J, arm: "holdout", outcome: "held_out", channel: "email", at: iso(T0), decision_id: expect.stringMatching(/^d_/) },
      ]);
      expect((await store.subjectValue("s-denied")).assignments).toEqual([]);
      expect(Math.max(renewal!.lastId, recovery!.lastId)).toBe(4);
    } finally {
      await store.close();
    }
  });

  it("adds outcomes all or nothing, idempotently by id (given or derived from what the record says)", async () => {
    const store = await (await backend.fresh()).open();
    try {
      const a = { subject: "s1", type: "renewal", at: "2026-06-02T10:00:00Z", value: 420.5 };
      const b = { id: "crm-77", subject: "s2", type: "complaint", at: "2026-06-02T12:00:00+02:00" };
      expect(await store.addOutcomes([a, b, b])).toEqual({ added: 2, duplicates: 1 });
      // The same report again — the same instant written with another offset too — adds nothing.
      expect(await store.addOutcomes([{ ...a, at: "2026-06-02T12:00:00+02:00" }, b])).toEqual({ added: 0, duplicates: 2 });
      expect(await store.addOutcomes([{ ...a, value: 421 }])).toEqual({ added: 1, duplicates: 0 });
      // One bad record: the batch is refused and nothing of it is written.
      const bad = [
        { subject: "s3", type: "renewal", at: "2026-06-02T10:00:00Z" },
        { subject: "s3", type: "renewal", at: "yesterday" },
      ];
      await expect(store.addOutcomes(bad)).rejects.toMatchObject({ code: "store/invalid", message: expect.stringContaining("outcome 2: `at`") });
      await expect(store.addOutcomes([{ ...a, value: Number.NaN }])).rejects.toMatchObject({ code: "store/invalid" });
      expect(await store.outcomeCounts()).toEqual({ complaint: 1, renewal: 2 });
      const s2 = await store.subjectValue("s2");
      expect(s2.outcomes).toEqual([{ id: "crm-77", subject: "s2", type: "complaint", at: "2026-06-02T10:00:00Z", recorded_at: expect.any(String) }]);
      expect((await store.subjectValue("s1")).outcomes.map((o) => [o.id.slice(0, 2), o.value])).toEqual([
        ["o_", 420.5],
        ["o_", 421],
      ]);
      expect(await store.addOutcomes([])).toEqual({ added: 0, duplicates: 0 });
    } finally {
      await store.close();
    }
  });

  it("aggregates per arm by each subject's first assignment, counting outcomes of the type in [at, at + window) and their values", async () => {
    const store = await (await backend.fresh()).open();
    try {
      const window = 30 * DAY;
      // Treated: t1 renews twice in its window (one subject, values summed), t2 renews after its
      // window, t3 renewed before its decision, t4 has a complaint only. Held out: h1 renews.
      for (const s of ["t1", "t2", "t3", "t4"]) await commitOne(store, s, "acted", iso(T0));
      await commitOne(store, "h1", "holdout", iso(T0), { channel: "email" });
      await commitOne(store, "h2", "holdout", iso(T0), { channel: "email" });
      // A later decision does not move t1's exposure (its first assignment is what counts).
      await commitOne(store, "t1", "acted", iso(T0 + 20 * DAY));
      await store.addOutcomes([
        { subject: "t1", type: "renewal", at: iso(T0), value: 100 },
        { subject: "t1", type: "renewal", at: iso(T0 + window - 1000), value: 50 },
        { subject: "t2", type: "renewal", at: iso(T0 + window), value: 999 },
        { subject: "t3", type: "renewal", at: iso(T0 - 1000), value: 999 },
        { subject: "t4", type: "complaint", at: iso(T0 + DAY) },
        { subject: "h1", type: "renewal", at: iso(T0 + DAY), value: 30 },
        { subject: "nobody", type: "renewal", at: iso(T0 + DAY), value: 7 },
      ]);
      const rows = await store.valueAggregates([{ key: "goal", journey: J, type: "renewal", windowMs: window }]);
      expect(rows).toEqual([
        { key: "goal", journey: J, arm: "holdout", subjects: 2, converted: 1, valueSum: 30, valueSumSq: 900 },
        { key: "goal", journey: J, arm: "treated", subjects: 4, converted: 1, valueSum: 150, valueSumSq: 22500 },
      ]);
      const complaints = await store.valueAggregates([{ key: "c", journey: J, type: "complaint", windowMs: window }]);
      expect(complaints.find((r) => r.arm === "treated")).toMatchObject({ subjects: 4, converted: 1, valueSum: 0, valueSumSq: 0 });
      // Matured only: at `T0 + window - 1` nobody's window has ended; at `T0 + window` everyone's has.
      expect(await store.valueAggregates([{ key: "m", journey: J, type: "renewal", windowMs: window, matureBeforeMs: T0 + window - 1 }])).toEqual([]);
      const mature = await store.valueAggregates([{ key: "m", journey: J, type: "renewal", windowMs: window, matureBeforeMs: T0 + window }]);
      expect(mature.map((r) => [r.arm, r.subjects])).toEqual([
        ["holdout", 2],
        ["treated", 4],
      ]);
      // Since a resume: only subjects whose first assignment came after the row id.
      const [volume] = await store.journeyVolumes();
      await commitOne(store, "late", "acted", iso(T0 + 40 * DAY));
      await store.addOutcomes([{ subject: "late", type: "renewal", at: iso(T0 + 41 * DAY), value: 5 }]);
      const since = await store.valueAggregates([{ key: "s", journey: J, type: "renewal", windowMs: window, sinceId: volume!.lastId }]);
      expect(since).toEqual([{ key: "s", journey: J, arm: "treated", subjects: 1, converted: 1, valueSum: 5, valueSumSq: 25 }]);
      await expect(store.valueAggregates([{ key: "x", journey: J, type: "renewal", windowMs: -1 }])).rejects.toMatchObject({ code: "store/invalid" });
    } finally {
      await store.close();
    }
  });

  it("deletes assignments and outcomes older than a retention cutoff, oldest first, in bounded batches", async () => {
    const store = await (await backend.fresh()).open();
    try {
      await commitOne(store, "r-old-1", "acted", iso(T0));
      await commitOne(store, "r-old-2", "holdout", iso(T0 + 1000), { channel: "email" });
      await commitOne(store, "r-new", "acted", iso(T0 + 10 * DAY));
      await store.addOutcomes([
        { id: "o-old", subject: "r-old-1", type: "renewal", at: iso(T0 + DAY) },
        { id: "o-new", subject: "r-new", type: "renewal", at: iso(T0 + 11 * DAY) },
      ]);
      const cutoff = T0 + 5 * DAY;
      expect(await store.retainValue(cutoff, { batch: 1, maxBatches: 1 })).toEqual({ assignments: 1, outcomes: 1, complete: false });
      expect(await store.retainValue(cutoff, { batch: 1, maxBatches: 1 })).toEqual({ assignments: 1, outcomes: 0, complete: false });
      expect(await store.retainValue(cutoff, { batch: 1, maxBatches: 1 })).toEqual({ assignments: 0, outcomes: 0, complete: true });
      expect((await store.subjectValue("r-old-1")).assignments).toEqual([]);
      expect((await store.subjectValue("r-old-2")).assignments).toEqual([]);
      expect((await store.subjectValue("r-old-1")).outcomes).toEqual([]);
      expect((await store.subjectValue("r-new")).assignments).toHaveLength(1);
      expect((await store.subjectValue("r-new")).outcomes.map((o) => o.id)).toEqual(["o-new"]);
      await expect(store.retainValue(cutoff, { batch: 0 })).rejects.toMatchObject({ code: "store/invalid" });
    } finally {
      await store.close();
    }
  });

  it("gives the decision mix of the newest decisions: outcomes, candidates, denials by reason code", async () => {
    const store = await (await backend.fresh()).open();
    try {
      await commitOne(store, "m1", "acted", iso(T0));
      await commitOne(store, "m2", "denied", iso(T0));
      await commitOne(store, "m3", "denied", iso(T0));
      expect(await store.decisionMix(100)).toEqual({
        decisions: 3,
        outcomes: { acted: 1, denied_consent: 2 },
        denials: { consent_withdrawn: 2, legitimate_interest_refused: 2 },
        candidates: 6,
      });
      expect(await store.decisionMix(1)).toMatchObject({ decisions: 1, outcomes: { denied_consent: 1 } });
    } finally {
      await store.close();
    }
  });

  it("says that a store an older Kairos made lacks the proof-of-value tables, instead of failing a statement", async () => {
    const location = await backend.fresh();
    const store = await location.open();
    // Back to what 0003 left: the tables of 0004_value and its record gone.
    const db = (store as unknown as { parts: { db: Db | SqliteDb } }).parts.db;
    const statements = [
      ...["assignments", "outcomes", "journey_controls", "journey_control_history"].map((t) => `DROP TABLE ${t}`),
      "DELETE FROM kairos_migrations WHERE id = '0004_value'",
    ];
    for (const sql of statements) {
      if ("all" in db) db.run(sql);
      else await db.query(sql);
    }
    await store.close();
    // What the read-only tools do (kairos report value, journey status): open without migrating.
    const old = await location.open({ readOnly: true, migrate: false });
    try {
      const refused = { code: "store/migration", message: expect.stringContaining("has no proof-of-value tables yet (migration 0004_value)") };
      await expect(old.journeyVolumes()).rejects.toMatchObject(refused);
      await expect(old.journeyControls()).rejects.toMatchObject(refused);
      await expect(old.addOutcomes([{ subject: "s", type: "renewal", at: iso(T0) }])).rejects.toMatchObject(refused);
      expect((await old.health()).migrations.pending).toEqual(["0004_value"]);
    } finally {
      await old.close();
    }
  });

  it("sets a journey's control only from the expected state, once when two instances race, and keeps its history oldest first", async () => {
    const location = await backend.fresh();
    const a = await location.open();
    const b = location.second ? await location.second() : a;
    try {
      const stop = (by: string): JourneyControl => ({
        journey: J,
        state: "stopped",
        by,
        reason: "complaint_rate 4.1% > 3% over 120 treated subjects",
        detail: { metric: "complaint_rate", value: 0.041, threshold: 0.03, subjects: 120 },
        since: "2026-06-05T00:00:00.000Z",
        sinceId: 0,
      });
      expect(await a.journeyControls()).toEqual([]);
      // Resuming a journey that is not stopped writes nothing.
      expect(await a.setJourneyControl({ ...stop("alice"), state: "active" }, "stopped")).toBe(false);
      const raced = await Promise.all([a.setJourneyControl(stop("stop-loss"), "active"), b.setJourneyControl(stop("stop-loss"), "active")]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await b.journeyControls()).toEqual([stop("stop-loss")]);
      const resume: JourneyControl = { journey: J, state: "active", by: "alice", reason: "fixed the template", since: "2026-06-06T00:00:00.000Z", sinceId: 17 };
      expect(await a.setJourneyControl(resume, "stopped")).toBe(true);
      expect(await a.setJourneyControl(resume, "stopped")).toBe(false);
      expect(await a.journeyControls()).toEqual([resume]);
      expect(await a.journeyControlHistory(J)).toEqual([stop("stop-loss"), resume]);
      expect(await a.journeyControlHistory("other")).toEqual([]);
      await expect(a.setJourneyControl({ ...resume, by: "" }, "stopped")).rejects.toMatchObject({ code: "store/invalid" });
    } finally {
      if (b !== a) await b.close();
      await a.close();
    }
  });
});
