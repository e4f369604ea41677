// Checking a journey's proof-of-value clauses (docs/value.md): `goal TYPE within DURATION` names
// an outcome type of the catalog and a window; `stop_loss METRIC > P% [or …] [min N]` names
// `<type>_rate` or `<type>_uplift` metrics with thresholds in (0%, 100%]. Uplift needs a
// held-out group to compare with: without `holdout` a `_uplift` condition is an error and a
// goal a warning (its rate can be shown, its uplift cannot be measured).
import type { JourneyGoal, StopLoss, StopLossCondition } from "../../core/artifact.ts";
import { outcomeTypes } from "../../core/catalog/value.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import { closest, type Diagnostic } from "../../core/diagnostics.ts";
import type { Span } from "../../core/source.ts";
import type * as A from "../syntax/ast.ts";
import { list } from "./expr.ts";

/** Treated subjects a stop-loss waits for before judging, when the clause gives no `min`. */
export const DEFAULT_STOP_LOSS_MIN = 100;

/** The window a stop-loss counts outcomes in when the journey has no `goal`. */
export const DEFAULT_STOP_LOSS_WINDOW = { text: "30d", ms: 30 * 86_400_000 } as const;

/** The two metric kinds, by the suffix that names them. */
const METRIC_KINDS: readonly (readonly [suffix: string, kind: StopLossCondition["kind"]])[] = [
  ["_rate", "rate"],
  ["_uplift", "uplift"],
];

type Report = (d: Diagnostic) => void;

/** A `<type>_rate` / `<type>_uplift` metric split into its type and kind; undefined for any other name. */
export function parseMetric(metric: string): { type: string; kind: StopLossCondition["kind"] } | undefined {
  for (const [suffix, kind] of METRIC_KINDS) {
    if (metric.length > suffix.length && metric.endsWith(suffix)) return { type: metric.slice(0, -suffix.length), kind };
  }
  return undefined;
}

/**
 * The goal and stop-loss of a journey, checked. Each is undefined when the clause is absent or
 * wrong (its errors are reported through `report`).
 */
export function checkValueClauses(
  id: string,
  goal: Extract<A.Clause, { kind: "goal" }> | undefined,
  stopLoss: Extract<A.Clause, { kind: "stop_loss" }> | undefined,
  holdout: Extract<A.Clause, { kind: "holdout" }> | undefined,
  catalog: Catalog,
  report: Report,
): { goal?: JourneyGoal; stopLoss?: StopLoss } {
  const types = outcomeTypes(catalog);
  const names = [...types.keys()];
  const holdsOut = holdout !== undefined && holdout.percent > 0;
  const err = (code: string, message: string, span: Span, hint: string) => report({ code, severity: "error", message, span, hint });

  let checkedGoal: JourneyGoal | undefined;
  if (goal) {
    let ok = true;
    if (!types.has(goal.type.name)) {
      ok = false;
      err("check/unknown-outcome-type", `unknown outcome type \`${goal.type.name}\``, goal.type.span, unknownTypeHint(goal.type.name, names));
    }
    if (goal.window.ms <= 0) {
      ok = false;
      err(
        "check/empty-goal-window",
        `the goal of \`${id}\` has an empty window`,
        goal.window.span,
        "give the time the outcome may take to happen, e.g. `within 30d`",
      );
    }
    if (ok) checkedGoal = { type: goal.type.name, within: goal.window.text, windowMs: goal.window.ms };
    if (!holdsOut)
      report({
        code: "check/goal-without-holdout",
        severity: "warning",
        message: `journey \`${id}\` has a goal but holds nobody out, so its uplift cannot be measured`,
        span: goal.keywordSpan,
        hint: "add `holdout 10%` (or another share) so treated subjects can be compared with held-out ones",
      });
  }

  let checkedStopLoss: StopLoss | undefined;
  if (stopLoss) {
    let ok = true;
    const conditions: StopLossCondition[] = [];
    for (const c of stopLoss.conditions) {
      const metric = c.metric.name;
      const parsed = parseMetric(metric);
      if (!parsed) {
        ok = false;
        const candidates = names.flatMap((n) => [`${n}_rate`, `${n}_uplift`]);
        const near = closest(metric, candidates);
        err(
          "check/unknown-metric",
          `\`${metric}\` is not a stop-loss metric`,
          c.metric.span,
          near !== undefined
            ? `did you mean \`${near}\`?`
            : "a metric is an outcome type followed by `_rate` (the share of treated subjects with it) or `_uplift` (treated minus held out), e.g. `complaint_rate`",
        );
        continue;
      }
      if (!types.has(parsed.type)) {
        ok = false;
        const near = closest(parsed.type, names);
        err(
          "check/unknown-outcome-type",
          `unknown outcome type \`${parsed.type}\` in \`${metric}\``,
          c.metric.span,
          near !== undefined ? `did you mean \`${near}_${parsed.kind}\`?` : unknownTypeHint(parsed.type, names),
        );
        continue;
      }
      if (!(c.percent > 0 && c.percent <= 100)) {
        ok = false;
        err(
          "check/invalid-threshold",
          `threshold \`${c.percentText}\` of \`${metric}\` is not above 0% and at most 100%`,
          c.percentSpan,
          "write a percentage above `0%` and at most `100%`, e.g. `0.5%`",
        );
        continue;
      }
      if (parsed.kind === "uplift" && !holdsOut) {
        ok = false;
        err(
          "check/uplift-without-holdout",
          `\`${metric}\` compares treated with held-out subjects, but journey \`${id}\` holds nobody out: there is nothing to compare with`,
          c.metric.span,
          `add \`holdout 10%\` (or another share) to the journey, or use \`${parsed.type}_rate\``,
        );
        continue;
      }
      conditions.push({ metric, type: parsed.type, kind: parsed.kind, percent: c.percent });
    }
    const min = stopLoss.min?.value ?? DEFAULT_STOP_LOSS_MIN;
    if (stopLoss.min && min < 1) {
      ok = false;
      err(
        "check/invalid-min",
        `\`min ${stopLoss.min.value}\` judges before any subject was treated`,
        stopLoss.min.span,
        "write `min 1` or more (the default is `min 100`)",
      );
    }
    const window = checkedGoal ? { text: checkedGoal.within, ms: checkedGoal.windowMs } : DEFAULT_STOP_LOSS_WINDOW;
    if (ok) checkedStopLoss = { conditions, min, window: window.text, windowMs: window.ms };
  }
  return { ...(checkedGoal ? { goal: checkedGoal } : {}), ...(checkedStopLoss ? { stopLoss: checkedStopLoss } : {}) };
}

function unknownTypeHint(name: string, names: readonly string[]): string {
  const near = closest(name, names);
  if (near !== undefined) return `did you mean \`${near}\`?`;
  return `the outcome types are ${list(names)}; declare others under \`value: outcomes:\` in the catalog`;
}
