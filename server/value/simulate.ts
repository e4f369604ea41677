// Seeded experiments with a known true effect (docs/value.md#how-uplift-is-computed): a book of
// subjects per journey, put in arms by the runtime's own holdout and global-control bucketing,
// with outcomes drawn at known rates per arm — so the coverage test can count how often the 95%
// intervals cover the truth, the SQL test can fill a store, and anyone can see what the scoreboard
// says about an effect they chose. Deterministic for a seed; no clock, no I/O.
import type { JourneyMeta } from "../../core/artifact.ts";
import { checkGlobalControl, checkHoldout } from "../../runtime/guardrails.ts";
import type { Arm, JourneyVolume, OutcomeRecord } from "../store/types.ts";
import type { NumberedAssignment } from "./reference.ts";

/** One outcome type's true rates in a simulated journey. */
export interface SimulatedEffect {
  readonly type: string;
  /** The probability a subject who is not treated has the outcome in the window. */
  readonly baseRate: number;
  /** The true absolute uplift: a treated subject has it with probability baseRate + uplift. */
  readonly uplift: number;
  /** The mean value of one such outcome (values are drawn uniformly in [0.5, 1.5] × mean); absent: no value. */
  readonly value?: number;
}

/** A simulated journey node. */
export interface SimulatedJourney {
  readonly id: string;
  readonly channel: string;
  /** Eligible subjects (each gets one decision, some a second one later). */
  readonly subjects: number;
  /** The journey's `holdout P%` (0: none). */
  readonly holdoutPercent: number;
  readonly salt: string;
  /** The goal's window; outcomes are drawn inside it (and a few, as noise, outside it). */
  readonly windowMs: number;
  readonly effects: readonly SimulatedEffect[];
}

/** A simulation's settings. */
export interface SimulationOptions {
  readonly seed: number;
  readonly journeys: readonly SimulatedJourney[];
  /** The catalog's global control group, when simulated. */
  readonly controlGroup?: { readonly percent: number; readonly salt: string };
  /** The first decision's time (epoch ms). */
  readonly startMs: number;
  /** Decisions are spread uniformly over [startMs, startMs + spreadMs). */
  readonly spreadMs: number;
  /** The share of subjects decided on a second time (same arm: the buckets are deterministic); default 0.1. */
  readonly repeatShare?: number;
  /** Subject names are `${prefix}${journey}-${i}`; default "s:". */
  readonly prefix?: string;
}

/** A simulated book: what a store would hold, and the truth it was drawn from. */
export interface Simulation {
  /** Assignment rows, numbered 1… in time order (the store's row ids). */
  readonly assignments: readonly NumberedAssignment[];
  readonly outcomes: readonly OutcomeRecord[];
  /** Per journey and outcome type: the true absolute uplift and the true uplift of the mean value per subject. */
  readonly truth: ReadonlyMap<string, ReadonlyMap<string, { readonly uplift: number; readonly valueUplift: number }>>;
  /** The first instant every subject's window has ended (startMs + spreadMs + the longest window + 1 day). */
  readonly maturedAtMs: number;
}

/** mulberry32: a small, fast, seedable generator of uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 24 * 3600 * 1000;

/** The arm the runtime's guardrails put a subject in for a journey: global control first, then the journey's holdout. */
export function simulatedArm(j: SimulatedJourney, subject: string, controlGroup: SimulationOptions["controlGroup"]): Arm {
  if (controlGroup !== undefined && checkGlobalControl(controlGroup, subject).heldOut) return "global_control";
  if (j.holdoutPercent > 0 && checkHoldout({ percent: j.holdoutPercent, salt: j.salt }, j.id, subject).heldOut) return "holdout";
  return "treated";
}

/** Draws a book. Rates outside [0, 1] are refused (RangeError naming the journey and type). */
export function simulate(options: SimulationOptions): Simulation {
  const random = seededRandom(options.seed);
  const prefix = options.prefix ?? "s:";
  const repeatShare = options.repeatShare ?? 0.1;
  const rows: Omit<NumberedAssignment, "id">[] = [];
  const outcomes: OutcomeRecord[] = [];
  const truth = new Map<string, Map<string, { uplift: number; valueUplift: number }>>();
  let longest = 0;
  for (const j of options.journeys) {
    longest = Math.max(longest, j.windowMs);
    const perType = new Map<string, { uplift: number; valueUplift: number }>();
    for (const e of j.effects) {
      for (const p of [e.baseRate, e.baseRate + e.uplift]) {
        if (!(p >= 0 && p <= 1)) throw new RangeError(`journey ${j.id}: the rates of ${e.type} must be within [0, 1], got ${p}`);
      }
      perType.set(e.type, { uplift: e.uplift, valueUplift: e.uplift * (e.value ?? 0) });
    }
    truth.set(j.id, perType);
    for (let i = 0; i < j.subjects; i++) {
      const subject = `${prefix}${j.id}-${i}`;
      const arm = simulatedArm(j, subject, options.controlGroup);
      const atMs = options.startMs + Math.floor(random() * options.spreadMs);
      const base = { subject, journey: j.id, arm, outcome: arm === "treated" ? "acted" : "held_out", channel: j.channel };
      rows.push({ ...base, at: new Date(atMs).toISOString(), decision_id: `sim:${j.id}:${i}:0` });
      if (random() < repeatShare) {
        const againMs = atMs + 1 + Math.floor(random() * j.windowMs);
        rows.push({ ...base, at: new Date(againMs).toISOString(), decision_id: `sim:${j.id}:${i}:1` });
      }
      for (const e of j.effects) {
        const p = arm === "treated" ? e.baseRate + e.uplift : e.baseRate;
        const at = (ms: number) => new Date(ms).toISOString();
        const value = () => (e.value === undefined ? {} : { value: Math.round(e.value * (0.5 + random()) * 100) / 100 });
        if (random() < p)
          outcomes.push({ id: `sim:${j.id}:${i}:${e.type}`, subject, type: e.type, at: at(atMs + Math.floor(random() * j.windowMs)), ...value() });
        // Noise the window must leave out: before the first decision, or after its window ended.
        if (random() < 0.05) {
          const outside = random() < 0.5 ? atMs - 1 - Math.floor(random() * DAY_MS) : atMs + j.windowMs + Math.floor(random() * DAY_MS);
          outcomes.push({ id: `sim:${j.id}:${i}:${e.type}:noise`, subject, type: e.type, at: at(outside), ...value() });
        }
      }
    }
  }
  rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.decision_id < b.decision_id ? -1 : 1));
  return {
    assignments: rows.map((r, k) => ({ ...r, id: k + 1 })),
    outcomes,
    truth,
    maturedAtMs: options.startMs + options.spreadMs + longest + DAY_MS,
  };
}

/** `journeyVolumes` in memory (the store's meaning): rows by outcome, subjects by the arm of their first row, acted rows by channel. */
export function volumesInMemory(assignments: readonly NumberedAssignment[]): JourneyVolume[] {
  const byJourney = new Map<string, NumberedAssignment[]>();
  for (const a of assignments) {
    let list = byJourney.get(a.journey);
    if (list === undefined) byJourney.set(a.journey, (list = []));
    list.push(a);
  }
  return [...byJourney.keys()].sort().map((journey) => {
    const rows = byJourney.get(journey)!;
    const outcomes: Record<string, number> = {};
    const actions: Record<string, number> = {};
    const firstArm = new Map<string, NumberedAssignment>();
    for (const r of rows) {
      outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      if (r.outcome === "acted") actions[r.channel] = (actions[r.channel] ?? 0) + 1;
      const seen = firstArm.get(r.subject);
      if (seen === undefined || r.id < seen.id) firstArm.set(r.subject, r);
    }
    const subjects: Record<Arm, number> = { treated: 0, holdout: 0, global_control: 0 };
    for (const r of firstArm.values()) subjects[r.arm]++;
    return {
      journey,
      outcomes,
      actions,
      subjects,
      lastId: Math.max(...rows.map((r) => r.id)),
    };
  });
}

/** A journey's metadata as the compiler would give it, for a simulated journey with a goal (and optionally a stop-loss). */
export function simulatedMeta(j: SimulatedJourney, goalType: string, stopLoss?: JourneyMeta["stopLoss"]): JourneyMeta {
  const days = j.windowMs / DAY_MS;
  const within = Number.isInteger(days) ? `${days}d` : `${j.windowMs}ms`;
  return {
    id: j.id,
    title: j.id,
    purpose: "service",
    risk: "low",
    priority: 1,
    trigger: { event: "simulated", timers: [] },
    action: { name: "notify", channel: j.channel, params: {} },
    ...(j.holdoutPercent > 0 ? { holdout: { percent: j.holdoutPercent, salt: j.salt } } : {}),
    goal: { type: goalType, within, windowMs: j.windowMs },
    ...(stopLoss !== undefined ? { stopLoss } : {}),
    review: false,
    fields: [],
    eventFields: [],
    loc: { file: "simulated.journey", line: 1, column: 1, endLine: 1, endColumn: 1 },
    nodes: [],
    whenRoot: 0,
  };
}
