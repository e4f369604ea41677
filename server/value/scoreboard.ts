// The scoreboard's layout (docs/value.md#the-scoreboard-kairos-report-value): a ValueReport laid
// out once as blocks — the shared document model of core/document plus cards and charts — that
// render-md.ts and render-html.ts print, so the Markdown report, the HTML report and the
// service's /dashboard always show the same figures in the same order. Charts are inline SVG
// (svg.ts) that Markdown leaves out: every figure a chart draws is also in a table or a line of
// text next to it.
import { builtinOutcomeTypes } from "../../core/catalog/value.ts";
import type { DocBlock, Inline, Text } from "../../core/document/model.ts";
import { count, duration, millis, money, moneySigned, NONE, num, pct, pp, rel, withInterval } from "./format.ts";
import { barChart, intervalChart, type Tone } from "./svg.ts";
import type { ArmFigures, ConsentHealth, GoldenSignals, JourneyValue, StopLossFigures, ValueReport } from "./types.ts";

/** A headline figure. */
export interface Card {
  readonly label: string;
  readonly value: string;
  readonly note?: string;
  readonly tone?: Tone;
}

/** A block of the scoreboard: a common block, a row of cards, a chart (HTML only) or a journey's section. */
export type ScoreBlock =
  | DocBlock
  | { readonly kind: "cards"; readonly cards: readonly Card[] }
  | { readonly kind: "chart"; readonly svg: string }
  /** Side by side on a wide page, one after the other elsewhere. */
  | { readonly kind: "columns"; readonly columns: readonly (readonly ScoreBlock[])[] }
  | { readonly kind: "section"; readonly id: string; readonly tone: Tone; readonly blocks: readonly ScoreBlock[] };

/** The scoreboard laid out. */
export interface Scoreboard {
  readonly title: string;
  readonly blocks: readonly ScoreBlock[];
}

/** What to lay out. */
export interface ScoreboardOptions {
  /** The service's page: the title says so, and the golden signals come first when the report has them. */
  readonly dashboard?: boolean;
}

/** The report's title (its first heading: what `kairos report value --out` recognises a report by). */
export const REPORT_TITLE = "Kairos: proof of value";
/** The service's page's title. */
export const DASHBOARD_TITLE = "Kairos dashboard: proof of value";

const code = (c: string): Inline => ({ code: c });
const strong = (s: string): Inline => ({ strong: s });

/**
 * Whether a journey's goal is a harm to reduce: as the report says (`goal.harm`, from the
 * catalog), else for the built-in types (complaint, unsubscribe) by their definition.
 */
export function harmGoal(j: JourneyValue): boolean {
  if (!j.goal) return false;
  return j.goal.harm ?? builtinOutcomeTypes().get(j.goal.type)?.harm ?? false;
}

/** How a journey's uplift reads: a rise in a harm (complaints) is bad news. */
export function upliftTone(j: JourneyValue): Tone {
  const harm = harmGoal(j);
  if (j.verdict === "positive") return harm ? "bad" : "good";
  if (j.verdict === "negative") return harm ? "good" : "bad";
  return "neutral";
}

function verdictText(j: JourneyValue): string {
  const harm = harmGoal(j);
  switch (j.verdict) {
    case "positive":
      return harm ? "harm: more of it than without the journey" : "lift: the interval is above zero";
    case "negative":
      return harm ? "less of it than without the journey" : "harm: the interval is below zero";
    case "inconclusive":
      return "inconclusive: the interval includes zero";
    case "no_control":
      return "no held-out subjects to compare with";
    default:
      return NONE;
  }
}

function stopLossCell(j: JourneyValue): Text {
  if (!j.stopLoss) return [NONE];
  return j.stopLoss.state === "stopped" ? [strong("stopped")] : ["running"];
}

function armText(a: ArmFigures | undefined): string {
  if (!a) return NONE;
  return `${count(a.converted)} of ${count(a.subjects)} (${pct(a.rate)})`;
}

function goalText(j: JourneyValue): Text {
  if (!j.goal) return [NONE];
  return [code(j.goal.type), ` within ${j.goal.within}`];
}

/** The journeys table: one line per journey node. */
function journeysTable(report: ValueReport): DocBlock {
  const c = report.currency;
  return {
    kind: "table",
    head: ["Journey", "Goal", "Treated", "Held out", "Rate treated", "Rate held out", "Uplift (95% CI)", "Incremental", "Cost", "Return", "Stop-loss"],
    rows: report.journeys.map((j) => [
      [code(j.journey)],
      goalText(j),
      [count(j.subjects.treated)],
      [count(j.subjects.holdout)],
      [pct(j.treated?.rate)],
      [pct(j.control?.rate)],
      [withInterval(j.upliftAbs, pp)],
      [num(j.incrementalConversions?.estimate, 1)],
      [money(j.cost, c)],
      [moneySigned(j.return?.estimate, c)],
      stopLossCell(j),
    ]),
  };
}

function joinCounts(entries: readonly (readonly [string, string])[]): Text {
  if (entries.length === 0) return ["none yet"];
  const out: Inline[] = [];
  entries.forEach(([k, v], i) => {
    if (i > 0) out.push(" · ");
    out.push(code(k), ` ${v}`);
  });
  return out;
}

/** A journey's section: what it is, its arms, figures, volume, outcome mix and stop-loss. */
function journeySection(j: JourneyValue, report: ValueReport): ScoreBlock {
  const c = report.currency;
  const blocks: ScoreBlock[] = [];
  const stopped = j.stopLoss?.state === "stopped";
  blocks.push({
    kind: "heading",
    level: 3,
    id: `journey-${j.journey}`,
    text: [code(j.journey), ` — ${j.title}`, ...(stopped ? [" ", strong("STOPPED")] : [])],
  });
  const fields: [string, Text][] = [
    ["Purpose", [code(j.purpose)]],
    ["Channel", [code(j.channel)]],
    [
      "Goal",
      j.goal ? [...goalText(j), ...(harmGoal(j) ? [" (a harm: lower is better)"] : [])] : ["none: add ", code("goal TYPE within DURATION"), " to judge it"],
    ],
    ["Holdout", [j.holdoutPercent === undefined ? "none" : `${num(j.holdoutPercent, j.holdoutPercent % 1 === 0 ? 0 : 1)}%`]],
    [
      "Subjects",
      [
        `${count(j.subjects.treated)} treated, ${count(j.subjects.holdout)} held out, ${count(j.subjects.global_control)} in the global control group; ` +
          `${count(j.immature)} still inside their window (not judged yet)`,
      ],
    ],
  ];
  if (j.source !== undefined) fields.push(["Written in", [code(j.source)]]);
  const left: ScoreBlock[] = [{ kind: "fields", rows: fields }];
  const right: ScoreBlock[] = [];
  if (j.goal && j.treated && j.control) {
    right.push({
      kind: "chart",
      svg: barChart(
        [
          { label: "treated", value: j.treated.rate ?? 0, text: armText(j.treated), tone: "bar" },
          { label: "held out", value: j.control.rate ?? 0, text: armText(j.control), tone: "control" },
        ],
        `${j.journey}: ${j.goal.type} rate within ${j.goal.within}, treated against held out`,
      ),
    });
    const rows: [string, string][] = [
      ["Treated (judged)", armText(j.treated)],
      ["Held out (judged)", armText(j.control)],
      ["Uplift, absolute", withInterval(j.upliftAbs, pp)],
      ["Uplift, relative", withInterval(j.upliftRel, rel)],
      ["Value per subject, treated − held out", withInterval(j.upliftValue, (x) => moneySigned(x, c))],
      ["Incremental conversions", withInterval(j.incrementalConversions, (x) => num(x, 1))],
      ["Incremental value", withInterval(j.incrementalValue, (x) => moneySigned(x, c))],
      ["Cost", money(j.cost, c)],
      ["Cost per incremental conversion", j.costPerIncremental === undefined || j.costPerIncremental === null ? NONE : money(j.costPerIncremental, c)],
      ["Return", withInterval(j.return, (x) => moneySigned(x, c))],
      ["Return on cost", j.roi === undefined || j.roi === null ? NONE : rel(j.roi)],
      ["Verdict", verdictText(j)],
    ];
    left.push({ kind: "table", head: ["Figure", "Value"], rows: rows.map(([k, v]) => [[k], [v]]) });
  } else {
    left.push({ kind: "paragraph", text: [`Cost: ${money(j.cost, c)}.`] });
  }
  const volume = Object.entries(j.volume).filter(([, n]) => n > 0);
  right.push({ kind: "paragraph", text: [strong("Decisions won:"), " ", ...joinCounts(volume.map(([k, n]) => [k, count(n)] as const))] });
  if (volume.length > 0) {
    right.push({
      kind: "chart",
      svg: barChart(
        volume.map(([k, n]) => ({ label: k, value: n, text: count(n) })),
        `${j.journey}: decisions won, by outcome`,
      ),
    });
  }
  const mix = Object.entries(j.outcomeMix);
  right.push({
    kind: "paragraph",
    text: [strong("Outcomes among treated subjects, within the window:"), " ", ...joinCounts(mix.map(([k, v]) => [k, pct(v)] as const))],
  });
  if (mix.length > 0) {
    right.push({
      kind: "chart",
      svg: barChart(
        mix.map(([k, v]) => ({ label: k, value: v ?? 0, text: pct(v) })),
        `${j.journey}: share of treated subjects with each outcome`,
        1,
      ),
    });
  }
  blocks.push({ kind: "columns", columns: [left, right] });
  if (j.stopLoss) {
    const s = j.stopLoss;
    blocks.push({
      kind: "paragraph",
      text: s.stopped
        ? [
            strong("Stop-loss: stopped"),
            ` since ${s.stopped.since} by ${s.stopped.by}: ${s.stopped.reason}. A person resumes it: `,
            code(`kairos journey resume ${j.journey}`),
          ]
        : [strong("Stop-loss: running.")],
    });
    blocks.push({
      kind: "table",
      head: ["Condition", "Now", "Threshold", "Treated subjects", "Tripped"],
      rows: s.conditions.map((x) => [[code(x.condition)], [pct(x.value)], [pct(x.threshold)], [count(x.subjects)], trippedText(x)]),
    });
  }
  return { kind: "section", id: j.journey, tone: stopped ? "bad" : j.goal ? upliftTone(j) : "neutral", blocks };
}

/** Whether a stop-loss condition tripped; past its threshold but not tripped means its `min` is not reached yet. */
function trippedText(x: StopLossFigures): Text {
  if (x.tripped) return [strong("yes")];
  if (x.value !== null && x.value > x.threshold) return ["not yet: fewer treated subjects than its ", code("min")];
  return ["no"];
}

function signalBlocks(s: GoldenSignals): ScoreBlock[] {
  return [
    { kind: "heading", level: 2, id: "service", text: ["Service health"] },
    {
      kind: "cards",
      cards: [
        { label: "Decision latency p50", value: millis(s.latencyMs.p50), note: `p95 ${millis(s.latencyMs.p95)} · p99 ${millis(s.latencyMs.p99)}` },
        { label: "Errors", value: pct(s.errorRate), note: "5xx answers / all requests", tone: s.errorRate !== null && s.errorRate > 0.01 ? "bad" : "neutral" },
        { label: "Throughput", value: `${num(s.throughput, s.throughput < 10 ? 2 : 0)}/s`, note: `decisions, over ${duration(s.uptimeSeconds)} up` },
        {
          label: "Saturation",
          value: `${count(s.inflight)} in flight`,
          note: `store pool ${count(s.saturation.poolBusy)}/${count(s.saturation.poolTotal)} busy, ${count(s.saturation.waiting)} waiting`,
          tone: s.saturation.waiting > 0 ? "bad" : "neutral",
        },
      ],
    },
  ];
}

function consentBlocks(h: ConsentHealth): ScoreBlock[] {
  const blocks: ScoreBlock[] = [
    { kind: "heading", level: 2, id: "consent", text: ["Consent health"] },
    {
      kind: "paragraph",
      text: [
        `Of ${count(h.candidates)} candidate journeys in the last ${count(h.decisions)} decisions, ${pct(h.deniedShare)} were denied before any data was read` +
          (h.reasons.length > 0 ? ", by reason:" : "."),
      ],
    },
  ];
  if (h.reasons.length > 0) {
    blocks.push({
      kind: "chart",
      svg: barChart(
        h.reasons.map((r) => ({ label: r.code, value: r.share, text: pct(r.share), tone: "neutral" })),
        "Candidates denied, by reason",
      ),
    });
    blocks.push({ kind: "table", head: ["Reason", "Candidates", "Share"], rows: h.reasons.map((r) => [[code(r.code)], [count(r.count)], [pct(r.share)]]) });
  }
  return blocks;
}

function globalBlocks(report: ValueReport): ScoreBlock[] {
  const g = report.global;
  if (!g) return [];
  return [
    { kind: "heading", level: 2, id: "global-control", text: ["Global control group"] },
    {
      kind: "paragraph",
      text: [
        `${num(g.percent, g.percent % 1 === 0 ? 0 : 1)}% of subjects (salt `,
        code(g.salt),
        ") get no action from any journey: everyone else against them, per goal type.",
      ],
    },
    {
      kind: "table",
      head: ["Outcome", "Rate, everyone else", "Rate, control group", "Uplift (95% CI)", "Incremental conversions", "Incremental value"],
      rows: g.perType.map((t) => [
        [code(t.type)],
        [armText(t.treated)],
        [armText(t.control)],
        [withInterval(t.upliftAbs, pp)],
        [withInterval(t.incrementalConversions, (x) => num(x, 1))],
        [withInterval(t.incrementalValue, (x) => moneySigned(x, report.currency))],
      ]),
    },
  ];
}

/** Lays out a ValueReport. */
export function scoreboard(report: ValueReport, options: ScoreboardOptions = {}): Scoreboard {
  const c = report.currency;
  const title = options.dashboard ? DASHBOARD_TITLE : REPORT_TITLE;
  const blocks: ScoreBlock[] = [
    { kind: "heading", level: 1, text: [title] },
    {
      kind: "paragraph",
      text: [
        `As of ${report.asOf}, artifact `,
        code(report.artifact.slice(0, 12)),
        `, money in ${c}. Uplift is the goal's rate among treated subjects minus among held-out ones, ` +
          "counted over subjects whose window has ended; intervals are 95%.",
      ],
    },
  ];
  if (options.dashboard && report.signals) blocks.push(...signalBlocks(report.signals));
  const t = report.totals;
  blocks.push(
    { kind: "heading", level: 2, id: "totals", text: ["Totals"] },
    {
      kind: "cards",
      cards: [
        // Sums of point estimates without an interval: not coloured as news (each journey's panel is).
        { label: "Incremental conversions", value: num(t.incrementalConversions, 1), note: "point estimate, over the journeys with a goal" },
        { label: "Incremental value", value: moneySigned(t.incrementalValue, c), note: "point estimate, over the journeys with a goal" },
        { label: "Cost", value: money(t.cost, c), note: "actions × the channel's cost" },
        { label: "Return", value: moneySigned(t.return, c), note: "incremental value − cost" },
      ],
    },
    ...globalBlocks(report),
    { kind: "heading", level: 2, id: "journeys", text: ["Uplift per journey node"] },
  );
  const judged = report.journeys.filter((j) => j.goal);
  if (judged.length > 0) {
    blocks.push({
      kind: "chart",
      svg: intervalChart(
        judged.map((j) => ({
          label: `${j.journey} (${j.goal!.type})`,
          estimate: j.upliftAbs?.estimate ?? null,
          low: j.upliftAbs?.low ?? null,
          high: j.upliftAbs?.high ?? null,
          tone: upliftTone(j),
          text: pp(j.upliftAbs?.estimate ?? null),
        })),
        "Absolute uplift of each journey's goal rate, treated minus held out, with 95% intervals",
        pp,
      ),
    });
  }
  if (report.journeys.length === 0) blocks.push({ kind: "paragraph", text: ["No journey has made a decision yet."] });
  else blocks.push(journeysTable(report));
  for (const j of report.journeys) blocks.push(journeySection(j, report));
  const outcomes = Object.entries(report.outcomes);
  blocks.push({ kind: "heading", level: 2, id: "outcomes", text: ["Outcomes reported"] });
  blocks.push(
    outcomes.length === 0
      ? { kind: "paragraph", text: ["None yet: post them to ", code("POST /v1/outcomes"), " or ", code("kairos outcomes import"), "."] }
      : { kind: "table", head: ["Outcome type", "Reported"], rows: outcomes.map(([k, n]) => [[code(k)], [count(n)]]) },
  );
  blocks.push(...consentBlocks(report.consent));
  return { title, blocks };
}
