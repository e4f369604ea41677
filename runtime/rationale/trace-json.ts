// A self-describing form of a decision's traces for JSON output (`kairos decide`): each
// `[node, value]` event becomes `{ node, expr, value }`, with dates, datetimes and durations
// shown as ISO text rather than the runtime's epoch numbers. The decision itself (and the
// log) keep the compact form; this is presentation only.
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Decision } from "../decision.ts";
import { formatValue } from "./values.ts";

export interface TraceStep {
  readonly node: number;
  readonly expr: string;
  readonly value: unknown;
}

const TEMPORAL = new Set(["date", "datetime", "duration"]);

/** The decision with every evaluation's trace as `{ node, expr, value }` steps. */
export function withReadableTraces(decision: Decision, journeys: readonly JourneyMeta[]): Omit<Decision, "evaluations"> & { evaluations: unknown[] } {
  const metas = new Map(journeys.map((m) => [m.id, m]));
  return {
    ...decision,
    evaluations: decision.evaluations.map((e) => {
      const nodes = new Map((metas.get(e.journey)?.nodes ?? []).map((n) => [n.id, n]));
      const trace: TraceStep[] = e.trace.map(([id, value]) => {
        const n = nodes.get(id);
        const shown = n && TEMPORAL.has(n.type) && typeof value === "number" ? formatValue(value, n.type) : value;
        return { node: id, expr: n?.text ?? `#${id}`, value: shown === undefined ? null : shown };
      });
      return { ...e, trace };
    }),
  };
}
