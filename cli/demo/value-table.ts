// The demo's value table: per journey with a goal or a stop-loss, the scoreboard's figures
// (server/value/types.ts ValueReport) beside the simulation's TRUE effect, so whoever runs the
// demo sees whether the 95% interval caught the truth: treated and held-out subjects, the goal's
// rate per arm, the uplift with its interval, cost, return and the stop-loss state.
import { count, money, moneySigned, pct, pp, withInterval } from "../../server/value/format.ts";
import type { JourneyValue, ValueReport } from "../../server/value/types.ts";
import type { TrueUplift } from "./outcomes.ts";
import { table } from "./report.ts";

/** Whether `x` is in the estimate's interval: `yes`, `no`, or `—` when there is no interval. */
export function covers(e: JourneyValue["upliftAbs"], x: number): string {
  if (!e || e.low === null || e.high === null) return "—";
  return e.low <= x && x <= e.high ? "yes" : "no";
}

/** The stop-loss column: `running`, `STOPPED` (the demo says why above the table), or `—` for a journey without one. */
function stopLossState(j: JourneyValue): string {
  const s = j.stopLoss;
  if (!s) return "—";
  return s.state === "stopped" ? "STOPPED" : "running";
}

/** The journeys the table shows: those with a goal or a stop-loss, in the report's order. */
export function valueJourneys(report: ValueReport): JourneyValue[] {
  return report.journeys.filter((j) => j.goal !== undefined || j.stopLoss !== undefined);
}

/**
 * The value table, one row per journey with a goal or a stop-loss. `truth` is the simulation's
 * true uplift per journey and outcome type (outcomes.ts); the row's `true` is the one on its goal.
 */
export function valueTable(report: ValueReport, truth: readonly TrueUplift[]): string {
  const rows = valueJourneys(report).map((j) => {
    const real = j.goal ? truth.find((t) => t.journey === j.journey && t.type === j.goal!.type) : undefined;
    return [
      j.journey,
      j.goal ? `${j.goal.type} ${j.goal.within}` : "—",
      count(j.treated?.subjects ?? j.subjects.treated),
      count(j.control?.subjects ?? j.subjects.holdout),
      j.treated ? pct(j.treated.rate) : "—",
      j.control ? pct(j.control.rate) : "—",
      withInterval(j.upliftAbs, pp),
      real ? pp(real.uplift) : "—",
      real ? covers(j.upliftAbs, real.uplift) : "—",
      money(j.cost, report.currency),
      j.return ? moneySigned(j.return.estimate, report.currency) : "—",
      stopLossState(j),
    ];
  });
  return table(
    ["journey", "goal", "treated", "held out", "rate treated", "rate held out", "uplift (95% interval)", "true", "caught", "cost", "return", "stop-loss"],
    rows,
  );
}
