// A checked journey's metadata as the artifact carries it (JourneyMeta): shared by codegen,
// which writes it into the predicates module, and the reference interpreter, which returns it
// with its evaluators, so both paths describe a journey identically.
import type { JourneyMeta, SourceLoc } from "../../core/artifact.ts";
import type { CheckedJourney } from "../checker/checked.ts";
import type { SourceSet, Span } from "../../core/source.ts";
import type { TracePlan } from "./trace-nodes.ts";
import { mapped } from "../../core/arrays.ts";

export function spanLoc(span: Span, sources?: SourceSet): SourceLoc {
  const f = sources?.get(span.file);
  const s = f ? f.position(span.start) : { line: 1, column: 1 };
  const e = f ? f.position(span.end) : s;
  return { file: span.file, line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

/** The metadata of one journey; keys in a fixed order, parameters sorted, so output is stable. */
export function journeyMeta(j: CheckedJourney, plan: TracePlan, sources?: SourceSet): JourneyMeta {
  const params: Record<string, string | number | boolean> = {};
  for (const k of Object.keys(j.action.params).sort()) params[k] = j.action.params[k]!;
  const whenRoot = plan.when.id;
  if (whenRoot === undefined) throw new Error("bug: the root of `when` has no trace id");
  return {
    id: j.id,
    title: j.title,
    purpose: j.purpose.name,
    risk: j.risk,
    priority: j.priority,
    trigger: { event: j.trigger.event, timers: mapped(j.trigger.timers, (t) => ({ label: t.label, ms: t.ms })) },
    action: { name: j.action.def.name, channel: j.action.def.channel, params },
    ...(j.cap ? { cap: { count: j.cap.count, windowMs: j.cap.windowMs, window: j.cap.window } } : {}),
    ...(j.quiet ? { quiet: { from: j.quiet.from, to: j.quiet.to, fromMinutes: j.quiet.fromMinutes, toMinutes: j.quiet.toMinutes } } : {}),
    ...(j.holdout ? { holdout: { percent: j.holdout.percent, salt: j.holdout.salt } } : {}),
    // Only when written: a journey without them keeps its metadata (and its artifact's bytes).
    ...(j.goal ? { goal: { type: j.goal.type, within: j.goal.within, windowMs: j.goal.windowMs } } : {}),
    ...(j.stopLoss
      ? {
          stopLoss: {
            conditions: mapped(j.stopLoss.conditions, (c) => ({ metric: c.metric, type: c.type, kind: c.kind, percent: c.percent })),
            min: j.stopLoss.min,
            window: j.stopLoss.window,
            windowMs: j.stopLoss.windowMs,
          },
        }
      : {}),
    review: j.review,
    fields: [...j.fields],
    eventFields: [...j.eventFields],
    loc: spanLoc(j.decl.span, sources),
    nodes: plan.nodes,
    whenRoot,
  };
}
