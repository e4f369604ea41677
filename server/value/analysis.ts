// The scoreboard's figures (docs/value.md#how-uplift-is-computed): from the store's per-arm
// aggregates, volumes, outcome counts, decision mix and journey controls, the artifact's journeys
// and the catalog's `value:` section, the ValueReport that `kairos report value` and /dashboard
// render. `valueQueries` says which aggregates it needs; `buildValueReport` is a pure function of
// them (so the SQL of docs/value.sql and the simulations can be held to it); `collectValueReport`
// asks a store for all of it. The stop-loss figures are judged here too (`stopLossQueries`,
// `judgeStopLoss`) so the service's check and the scoreboard can never disagree.
import type { JourneyMeta, StopLoss } from "../../core/artifact.ts";
import { BUILTIN_OUTCOME_TYPES, type ValueDef } from "../../core/catalog/types.ts";
import type { ArmAggregate, DecisionMix, JourneyControl, JourneyVolume, ServiceStore, ValueMetricQuery } from "../store/types.ts";
import { type Interval, katzRelative, newcombe, type Sums, scale, welch } from "./stats.ts";
import type { ArmFigures, Estimate, GlobalImpact, GoldenSignals, JourneyValue, StopLossFigures, ValueReport } from "./types.ts";

/** The outcome window of a journey without a goal or a stop-loss (its outcome mix): 30 days. */
export const DEFAULT_WINDOW_MS = 30 * 24 * 3600 * 1000;

/** How many recent decisions the consent health is computed over. */
export const DECISION_MIX_LIMIT = 100_000;

/** What `buildValueReport` computes the scoreboard from. */
export interface ValueInput {
  /** The instant the windows are judged against (ISO 8601). */
  readonly asOf: string;
  /** The artifact's identity (its hash) the journeys come from. */
  readonly artifact: string;
  readonly journeys: readonly JourneyMeta[];
  /** The catalog's `value:` section (absent: EUR, no costs, the built-in outcome types, no global control group). */
  readonly value?: ValueDef | undefined;
  /** The store's answer to `valueQueries(journeys, asOf, …)`. */
  readonly aggregates: readonly ArmAggregate[];
  readonly volumes: readonly JourneyVolume[];
  readonly outcomes: Readonly<Record<string, number>>;
  readonly mix: DecisionMix;
  readonly controls: readonly JourneyControl[];
  readonly signals?: GoldenSignals | undefined;
}

/** The key of a journey's goal metric. */
export const goalKey = (journey: string): string => `goal:${journey}`;
/** The key of a journey's outcome-mix metric for one outcome type. */
export const mixKey = (journey: string, type: string): string => `mix:${journey}:${type}`;
/** The key of a journey's stop-loss metric for one outcome type. */
export const stopKey = (journey: string, type: string): string => `stop:${journey}:${type}`;

/** The window a journey's outcome mix is counted in: its goal's, else its stop-loss's, else 30 days. */
export function mixWindowMs(meta: JourneyMeta): number {
  return meta.goal?.windowMs ?? meta.stopLoss?.windowMs ?? DEFAULT_WINDOW_MS;
}

/** Every outcome type of the catalog: the built-in ones, then those `value:` declares. */
export function outcomeTypes(value: ValueDef | undefined): string[] {
  const types = [...BUILTIN_OUTCOME_TYPES];
  for (const name of value?.outcomes.keys() ?? []) if (!types.includes(name)) types.push(name);
  return types;
}

/** Whether an outcome type is a harm (`harm: true` in the catalog; complaint and unsubscribe without a `value:` section). */
export function isHarm(type: string, value: ValueDef | undefined): boolean {
  return value?.outcomes.get(type)?.harm ?? (type === "complaint" || type === "unsubscribe");
}

function parseAsOf(asOf: string): number {
  const ms = Date.parse(asOf);
  if (!Number.isFinite(ms)) throw new RangeError(`asOf \`${asOf}\` is not an ISO 8601 time`);
  return ms;
}

/** The stop-loss metrics of a journey: per outcome type its conditions name, subjects exposed since `sinceId`, matured or not. */
export function stopLossQueries(meta: JourneyMeta, sinceId: number): ValueMetricQuery[] {
  const stopLoss = meta.stopLoss;
  if (stopLoss === undefined) return [];
  const types = [...new Set(stopLoss.conditions.map((c) => c.type))];
  return types.map((type) => ({ key: stopKey(meta.id, type), journey: meta.id, type, windowMs: stopLoss.windowMs, sinceId }));
}

/**
 * The metrics `buildValueReport` needs: per journey its goal (matured subjects), its outcome mix
 * (each outcome type, matured subjects), and its stop-loss metrics (subjects since the journey's
 * last resume: `controls`' sinceId).
 */
export function valueQueries(
  journeys: readonly JourneyMeta[],
  asOf: string,
  options: { readonly value?: ValueDef | undefined; readonly controls?: readonly JourneyControl[] } = {},
): ValueMetricQuery[] {
  const asOfMs = parseAsOf(asOf);
  const types = outcomeTypes(options.value);
  const sinceIds = new Map((options.controls ?? []).map((c) => [c.journey, c.sinceId]));
  const out: ValueMetricQuery[] = [];
  for (const meta of journeys) {
    if (meta.goal !== undefined) {
      out.push({ key: goalKey(meta.id), journey: meta.id, type: meta.goal.type, windowMs: meta.goal.windowMs, matureBeforeMs: asOfMs });
    }
    const windowMs = mixWindowMs(meta);
    for (const type of types) out.push({ key: mixKey(meta.id, type), journey: meta.id, type, windowMs, matureBeforeMs: asOfMs });
    out.push(...stopLossQueries(meta, sinceIds.get(meta.id) ?? 0));
  }
  return out;
}

/** The rows of one metric, by arm. */
interface ByArm {
  readonly treated?: ArmAggregate;
  readonly holdout?: ArmAggregate;
  readonly global_control?: ArmAggregate;
}

function byKey(aggregates: readonly ArmAggregate[]): Map<string, ByArm> {
  const out = new Map<string, { -readonly [K in keyof ByArm]: ByArm[K] }>();
  for (const a of aggregates) {
    let entry = out.get(a.key);
    if (entry === undefined) out.set(a.key, (entry = {}));
    entry[a.arm] = a;
  }
  return out;
}

function figures(a: ArmAggregate | undefined): ArmFigures {
  const subjects = a?.subjects ?? 0;
  const converted = a?.converted ?? 0;
  return {
    subjects,
    converted,
    rate: subjects > 0 ? converted / subjects : null,
    meanValue: subjects > 0 ? (a?.valueSum ?? 0) / subjects : null,
  };
}

function sums(a: ArmAggregate | undefined): Sums {
  return { n: a?.subjects ?? 0, sum: a?.valueSum ?? 0, sumSq: a?.valueSumSq ?? 0 };
}

/** Two arms' rows taken as one (the global control's "everyone else": treated and held out by the journey). */
function merged(a: ArmAggregate | undefined, b: ArmAggregate | undefined): ArmAggregate | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return {
    ...a,
    subjects: a.subjects + b.subjects,
    converted: a.converted + b.converted,
    valueSum: a.valueSum + b.valueSum,
    valueSumSq: a.valueSumSq + b.valueSumSq,
  };
}

function shifted(i: Interval, by: number): Estimate {
  const m = (v: number | null): number | null => (v === null ? null : v + by);
  return { estimate: m(i.estimate), low: m(i.low), high: m(i.high) };
}

/**
 * A stop-loss's conditions judged on the aggregates of `stopLossQueries`: `_rate` is the treated
 * share with the outcome in the window, `_uplift` the lower bound of the Newcombe interval of
 * treated − held-out; each compared with its threshold once at least `min` treated subjects count.
 */
export function judgeStopLoss(journey: string, stopLoss: StopLoss, aggregates: readonly ArmAggregate[]): StopLossFigures[] {
  const rows = byKey(aggregates.filter((a) => a.journey === journey));
  return stopLoss.conditions.map((c) => {
    const arms = rows.get(stopKey(journey, c.type)) ?? {};
    const treated = arms.treated?.subjects ?? 0;
    const converted = arms.treated?.converted ?? 0;
    let value: number | null;
    if (c.kind === "rate") value = treated > 0 ? converted / treated : null;
    else value = newcombe(converted, treated, arms.holdout?.converted ?? 0, arms.holdout?.subjects ?? 0).low;
    const threshold = c.percent / 100;
    return {
      condition: `${c.metric} > ${c.percent}%`,
      value,
      threshold,
      subjects: treated,
      tripped: treated >= stopLoss.min && value !== null && value > threshold,
    };
  });
}

function verdictOf(upliftAbs: Interval, control: ArmFigures): JourneyValue["verdict"] {
  if (control.subjects === 0 || upliftAbs.low === null || upliftAbs.high === null) return "no_control";
  if (upliftAbs.low > 0) return "positive";
  if (upliftAbs.high < 0) return "negative";
  return "inconclusive";
}

function journeyValue(meta: JourneyMeta, input: ValueInput, rows: Map<string, ByArm>, types: readonly string[]): JourneyValue {
  const volume = input.volumes.find((v) => v.journey === meta.id);
  const subjects = {
    treated: volume?.subjects.treated ?? 0,
    holdout: volume?.subjects.holdout ?? 0,
    global_control: volume?.subjects.global_control ?? 0,
  };
  let cost = 0;
  for (const [channel, count] of Object.entries(volume?.actions ?? {})) cost += count * (input.value?.costs.get(channel) ?? 0);

  const outcomeMix: Record<string, number | null> = {};
  for (const type of types) outcomeMix[type] = figures(rows.get(mixKey(meta.id, type))?.treated).rate;
  // Matured subjects: those the goal (else the first outcome type's mix) was counted over.
  const mixArms = rows.get(meta.goal !== undefined ? goalKey(meta.id) : mixKey(meta.id, types[0] ?? "conversion")) ?? {};
  const matured = (mixArms.treated?.subjects ?? 0) + (mixArms.holdout?.subjects ?? 0) + (mixArms.global_control?.subjects ?? 0);
  const immature = Math.max(0, subjects.treated + subjects.holdout + subjects.global_control - matured);

  const base: JourneyValue = {
    journey: meta.id,
    title: meta.title,
    purpose: meta.purpose,
    channel: meta.action.channel,
    source: `${meta.loc.file}:${meta.loc.line}`,
    ...(meta.holdout !== undefined ? { holdoutPercent: meta.holdout.percent } : {}),
    volume: volume?.outcomes ?? {},
    subjects,
    immature,
    outcomeMix,
    cost,
    ...stopLossOf(meta, input),
  };
  if (meta.goal === undefined) return base;

  const arms = rows.get(goalKey(meta.id)) ?? {};
  const treated = figures(arms.treated);
  const control = figures(arms.holdout);
  const upliftAbs = newcombe(treated.converted, treated.subjects, control.converted, control.subjects);
  const upliftValue = welch(sums(arms.treated), sums(arms.holdout));
  // Per treated subject, scaled to every treated subject (matured or not): the population the cost was spent on.
  const incrementalConversions = scale(upliftAbs, subjects.treated);
  const incrementalValue = scale(upliftValue, subjects.treated);
  const incremental = incrementalConversions.estimate;
  const ret = shifted(incrementalValue, -cost);
  return {
    ...base,
    goal: { type: meta.goal.type, within: meta.goal.within, ...(isHarm(meta.goal.type, input.value) ? { harm: true } : {}) },
    treated,
    control,
    upliftAbs,
    upliftRel: katzRelative(treated.converted, treated.subjects, control.converted, control.subjects),
    upliftValue,
    incrementalConversions,
    incrementalValue,
    costPerIncremental: incremental !== null && incremental > 0 ? cost / incremental : null,
    return: ret,
    roi: cost > 0 && ret.estimate !== null ? ret.estimate / cost : null,
    verdict: verdictOf(upliftAbs, control),
  };
}

function stopLossOf(meta: JourneyMeta, input: ValueInput): Pick<JourneyValue, "stopLoss"> {
  const control = input.controls.find((c) => c.journey === meta.id && c.state === "stopped");
  if (meta.stopLoss === undefined && control === undefined) return {};
  return {
    stopLoss: {
      state: control === undefined ? "running" : "stopped",
      ...(control !== undefined ? { stopped: { reason: control.reason, since: control.since, by: control.by } } : {}),
      conditions: meta.stopLoss === undefined ? [] : judgeStopLoss(meta.id, meta.stopLoss, input.aggregates),
    },
  };
}

/**
 * Sums of independent estimates with their intervals, by the method of variance estimates recovery
 * (Zou & Donner 2008; Newcombe's interval is its two-proportion case): the estimates add, and each
 * bound moves by the root of the summed squared distances of the parts' bounds. Null when a part has none.
 */
function moverSum(parts: readonly Interval[]): Interval {
  let estimate = 0;
  let lowSq = 0;
  let highSq = 0;
  for (const p of parts) {
    if (p.estimate === null || p.low === null || p.high === null) return { estimate: null, low: null, high: null };
    estimate += p.estimate;
    lowSq += (p.estimate - p.low) ** 2;
    highSq += (p.high - p.estimate) ** 2;
  }
  if (parts.length === 0) return { estimate: null, low: null, high: null };
  return { estimate, low: estimate - Math.sqrt(lowSq), high: estimate + Math.sqrt(highSq) };
}

/**
 * The global control group against everyone else (treated or held out by the journey), per goal
 * type and window: per journey with that goal, the difference of the two (Newcombe; Welch for value)
 * times the journey's other subjects, summed over the journeys (MOVER): the total incremental
 * conversions and value; the uplift is that total per subject.
 */
function globalImpact(input: ValueInput, rows: Map<string, ByArm>): GlobalImpact | undefined {
  const group = input.value?.controlGroup;
  if (group === undefined) return undefined;
  const groups = new Map<string, { type: string; windowMs: number; journeys: JourneyMeta[] }>();
  for (const meta of input.journeys) {
    if (meta.goal === undefined) continue;
    const id = `${meta.goal.type}\u0000${meta.goal.windowMs}`;
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = { type: meta.goal.type, windowMs: meta.goal.windowMs, journeys: [] }));
    g.journeys.push(meta);
  }
  const perType: GlobalImpact["perType"][number][] = [];
  for (const g of groups.values()) {
    let treatedAll: ArmAggregate | undefined;
    let controlAll: ArmAggregate | undefined;
    const conversions: Interval[] = [];
    const values: Interval[] = [];
    let others = 0;
    for (const meta of g.journeys) {
      const arms = rows.get(goalKey(meta.id)) ?? {};
      const everyoneElse = merged(arms.treated, arms.holdout);
      treatedAll = merged(treatedAll, everyoneElse);
      controlAll = merged(controlAll, arms.global_control);
      if (everyoneElse === undefined || arms.global_control === undefined) continue;
      const volume = input.volumes.find((v) => v.journey === meta.id);
      const n = (volume?.subjects.treated ?? 0) + (volume?.subjects.holdout ?? 0);
      others += n;
      const e = everyoneElse;
      const c = arms.global_control;
      conversions.push(scale(newcombe(e.converted, e.subjects, c.converted, c.subjects), n));
      values.push(scale(welch(sums(e), sums(c)), n));
    }
    const incrementalConversions = moverSum(conversions);
    perType.push({
      type: g.type,
      windowMs: g.windowMs,
      treated: figures(treatedAll),
      control: figures(controlAll),
      upliftAbs: others > 0 ? scale(incrementalConversions, 1 / others) : { estimate: null, low: null, high: null },
      incrementalConversions,
      incrementalValue: moverSum(values),
    });
  }
  return { percent: group.percent, salt: group.salt, perType };
}

/** The scoreboard from the store's figures (see ValueInput); pure. Throws a RangeError on an `asOf` that is not a time. */
export function buildValueReport(input: ValueInput): ValueReport {
  parseAsOf(input.asOf);
  const rows = byKey(input.aggregates);
  const types = outcomeTypes(input.value);
  const journeys = input.journeys.map((meta) => journeyValue(meta, input, rows, types));

  const totals = { incrementalConversions: 0, incrementalValue: 0, cost: 0, return: 0 };
  for (const j of journeys) {
    if (j.goal === undefined) continue;
    // Harm outcomes (complaints…) are not conversions: a harm goal's figures are left out of the total.
    if (!isHarm(j.goal.type, input.value)) {
      totals.incrementalConversions += j.incrementalConversions?.estimate ?? 0;
    }
    totals.incrementalValue += j.incrementalValue?.estimate ?? 0;
    totals.cost += j.cost;
  }
  totals.return = totals.incrementalValue - totals.cost;

  const denied = Object.values(input.mix.denials).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(input.mix.denials)
    .map(([code, count]) => ({ code, count, share: input.mix.candidates > 0 ? count / input.mix.candidates : 0 }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

  const global = globalImpact(input, rows);
  return {
    asOf: new Date(parseAsOf(input.asOf)).toISOString(),
    artifact: input.artifact,
    currency: input.value?.currency ?? "EUR",
    journeys,
    totals,
    ...(global !== undefined ? { global } : {}),
    outcomes: input.outcomes,
    consent: {
      decisions: input.mix.decisions,
      candidates: input.mix.candidates,
      deniedShare: input.mix.candidates > 0 ? denied / input.mix.candidates : null,
      reasons,
    },
    ...(input.signals !== undefined ? { signals: input.signals } : {}),
  };
}

/** The store methods the scoreboard reads. */
export type ValueSource = Pick<ServiceStore, "valueAggregates" | "journeyVolumes" | "outcomeCounts" | "decisionMix" | "journeyControls">;

/** Asks a store for everything `buildValueReport` needs and builds the scoreboard. Store errors propagate (StoreError). */
export async function collectValueReport(
  store: ValueSource,
  options: {
    readonly asOf: string;
    readonly artifact: string;
    readonly journeys: readonly JourneyMeta[];
    readonly value?: ValueDef | undefined;
    readonly signals?: GoldenSignals | undefined;
  },
): Promise<ValueReport> {
  const controls = await store.journeyControls();
  const queries = valueQueries(options.journeys, options.asOf, { value: options.value, controls });
  const [aggregates, volumes, outcomes, mix] = await Promise.all([
    store.valueAggregates(queries),
    store.journeyVolumes(),
    store.outcomeCounts(),
    store.decisionMix(DECISION_MIX_LIMIT),
  ]);
  return buildValueReport({ ...options, aggregates, volumes, outcomes, mix, controls });
}
