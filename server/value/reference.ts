// The meaning of the store's `valueAggregates` (server/store/types.ts ValueMetricQuery), computed
// in memory over assignment rows and outcomes: the oracle the simulations, the coverage test and
// the SQL test hold the store and docs/value.sql to, and the way `simulate.ts` turns a simulated
// book into the aggregates `buildValueReport` reads without a database. Small and literal on
// purpose — it is the definition, not a fast path.
import type { Arm, ArmAggregate, Assignment, OutcomeRecord, ValueMetricQuery } from "../store/types.ts";

/** An assignment row with its id (the store's row id: increasing in commit order). */
export interface NumberedAssignment extends Assignment {
  readonly id: number;
}

/** An outcome with its time in epoch ms (what the store keeps besides the record). */
interface TimedOutcome {
  readonly type: string;
  readonly atMs: number;
  readonly value: number;
}

const ARMS: readonly Arm[] = ["treated", "holdout", "global_control"];

/**
 * `valueAggregates` in memory: for each metric, per arm with subjects, the subjects whose first
 * assignment to the journey (lowest id) has an id > `sinceId` (a resume sets it to the last row id
 * then: JourneyVolume.lastId) and — with `matureBeforeMs` — a time
 * at or before `matureBeforeMs − windowMs`; of them those with ≥ 1 outcome of the type in
 * [at, at + windowMs); and the sum and sum of squares of each subject's total outcome value there.
 * Rows come out in the order of the metrics, then treated, holdout, global_control.
 */
export function aggregateInMemory(
  assignments: readonly NumberedAssignment[],
  outcomes: readonly OutcomeRecord[],
  metrics: readonly ValueMetricQuery[],
): ArmAggregate[] {
  const first = new Map<string, Map<string, NumberedAssignment>>();
  for (const a of assignments) {
    let byJourney = first.get(a.journey);
    if (byJourney === undefined) first.set(a.journey, (byJourney = new Map()));
    const seen = byJourney.get(a.subject);
    if (seen === undefined || a.id < seen.id) byJourney.set(a.subject, a);
  }
  const atMsOf = new Map<NumberedAssignment, number>();
  for (const byJourney of first.values()) for (const a of byJourney.values()) atMsOf.set(a, Date.parse(a.at));
  const bySubject = new Map<string, TimedOutcome[]>();
  for (const o of outcomes) {
    let list = bySubject.get(o.subject);
    if (list === undefined) bySubject.set(o.subject, (list = []));
    list.push({ type: o.type, atMs: Date.parse(o.at), value: o.value ?? 0 });
  }
  const out: ArmAggregate[] = [];
  for (const m of metrics) {
    const figures = new Map<Arm, { subjects: number; converted: number; valueSum: number; valueSumSq: number }>();
    for (const a of first.get(m.journey)?.values() ?? []) {
      if (a.id <= (m.sinceId ?? 0)) continue;
      const atMs = atMsOf.get(a)!;
      if (m.matureBeforeMs !== undefined && atMs > m.matureBeforeMs - m.windowMs) continue;
      let f = figures.get(a.arm);
      if (f === undefined) figures.set(a.arm, (f = { subjects: 0, converted: 0, valueSum: 0, valueSumSq: 0 }));
      f.subjects++;
      let hit = false;
      let value = 0;
      for (const o of bySubject.get(a.subject) ?? []) {
        if (o.type === m.type && o.atMs >= atMs && o.atMs < atMs + m.windowMs) {
          hit = true;
          value += o.value;
        }
      }
      if (hit) f.converted++;
      f.valueSum += value;
      f.valueSumSq += value * value;
    }
    for (const arm of ARMS) {
      const f = figures.get(arm);
      if (f !== undefined) out.push({ key: m.key, journey: m.journey, arm, ...f });
    }
  }
  return out;
}
