// The CI gate of a diff (`kairos diff --fail-on acted+10%,denied_consent+20`): rules that name a
// count of the report and how far it may move, and the rules a report breaches. Kept apart from
// the summary so the service (shadow rollouts) and the CLI judge a change by the same rules.
import { OUTCOMES } from "../core/outcomes.ts";
import type { DiffReport } from "./diff.ts";
import { thousands } from "./diff-render.ts";

/**
 * One rule. For an outcome: NEW's count of decisions with it against OLD's, `+` an increase, `-`
 * a decrease, by more than `amount` decisions or, with `percent`, more than `amount`% of OLD's
 * count. `changed`: changed decisions (of those compared, for `%`); `reached` / `dropped`: subjects
 * newly reached or dropped (of the subjects compared, for `%`) — these only grow (`+`).
 */
export interface FailOnRule {
  /** As written: `acted+10%`. */
  readonly text: string;
  readonly metric: string;
  readonly direction: "+" | "-";
  readonly amount: number;
  readonly percent: boolean;
}

/** A rule the report breaches, and by how much. */
export interface Breach {
  readonly rule: string;
  readonly message: string;
}

const GROWING = ["changed", "reached", "dropped"] as const;
const METRICS: readonly string[] = [...OUTCOMES, ...GROWING];
const RULE = /^([a-z_]+)([+-])(\d+(?:\.\d+)?)(%?)$/;

/** Parses a comma-separated `--fail-on` value; a mistake comes back as a sentence saying what and how to fix it. */
export function parseFailOn(spec: string): { rules: FailOnRule[] } | { error: string } {
  const rules: FailOnRule[] = [];
  const parts = spec.split(",").map((s) => s.trim());
  for (const text of parts) {
    if (text === "") return { error: "`--fail-on` has an empty rule: separate rules by single commas, e.g. `acted+10%,denied_consent+20`" };
    const m = RULE.exec(text);
    if (m === null)
      return { error: `\`--fail-on\`: \`${text}\` is not a rule: write METRIC+N, METRIC-N, METRIC+N% or METRIC-N% (e.g. \`acted+10%\`, \`no_match-5\`)` };
    const metric = m[1]!;
    const direction = m[2] as "+" | "-";
    if (!METRICS.includes(metric))
      return { error: `\`--fail-on\`: unknown metric \`${metric}\` in \`${text}\`: use an outcome (${OUTCOMES.join(", ")}) or ${GROWING.join(", ")}` };
    if (direction === "-" && (GROWING as readonly string[]).includes(metric))
      return { error: `\`--fail-on\`: \`${metric}\` only grows: write \`${metric}+${m[3]}${m[4]}\`` };
    rules.push({ text, metric, direction, amount: Number(m[3]), percent: m[4] === "%" });
  }
  return { rules };
}

/** The rules the report breaches (a move by more than the amount), in the rules' order. */
export function breachesOf(report: DiffReport, rules: readonly FailOnRule[]): Breach[] {
  const out: Breach[] = [];
  for (const rule of rules) {
    const { before, after, base, noun } = measure(report, rule.metric);
    const moved = rule.direction === "+" ? after - before : before - after;
    const limit = rule.percent ? (rule.amount / 100) * base : rule.amount;
    const breached = rule.percent && base === 0 ? moved > 0 : moved > limit;
    if (!breached) continue;
    const share = base === 0 ? "" : ` (${((moved / base) * 100).toFixed(1)}% of ${thousands(base)})`;
    const said = GROWING.includes(rule.metric as (typeof GROWING)[number])
      ? `${thousands(after)} ${noun}${share}`
      : `${noun} ${rule.direction === "+" ? "grew" : "fell"} by ${thousands(moved)}${share} from ${thousands(before)} to ${thousands(after)}`;
    out.push({ rule: rule.text, message: `${said}: more than \`${rule.text}\` allows` });
  }
  return out;
}

function measure(r: DiffReport, metric: string): { before: number; after: number; base: number; noun: string } {
  if (metric === "changed") return { before: 0, after: r.changed, base: r.compared, noun: "decisions changed" };
  const any = r.reach[0];
  if (metric === "reached") return { before: 0, after: any?.reached ?? 0, base: r.subjects, noun: "subjects newly reached" };
  if (metric === "dropped") return { before: 0, after: any?.dropped ?? 0, base: r.subjects, noun: "subjects dropped" };
  const o = r.outcomes.find((x) => x.outcome === metric);
  const before = o?.old ?? 0;
  return { before, after: o?.new ?? 0, base: before, noun: `\`${metric}\` decisions` };
}
