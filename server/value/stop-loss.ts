// The stop-loss check of the service (docs/value.md#stop-loss): for each journey with a
// `stop_loss` clause that is not stopped, the store's per-arm figures over the subjects first
// exposed since the journey was last resumed (all of them, not only those whose window has ended:
// harm must be caught while it happens), each condition judged once at least `min` subjects are
// treated — `<type>_rate`: the treated share with the outcome in the window; `<type>_uplift`: the
// lower bound of the Newcombe 95% interval of treated − held out. The first condition past its
// threshold stops the journey: one conditional write (two instances tripping at once write one
// stop), the change applied to this instance's controls at once, `kairos_stop_loss_trips_total`
// and an operational log line. Runs every `intervalMs` (`--stop-loss-interval`, default 60 s; 0:
// off), and on demand (`DecisionService.checkStopLoss`: the demo, tests).
import type { JourneyMeta, StopLoss, StopLossCondition } from "../../core/artifact.ts";
import type { Metrics } from "../metrics.ts";
import type { ArmAggregate, JourneyControl, Store, ValueMetricQuery } from "../store/types.ts";
import type { JourneyControls } from "./controls.ts";
import { hasControls } from "./controls.ts";
import { newcombe } from "./stats.ts";
import type { StopLossFigures } from "./types.ts";

/** Who a stop-loss stop is recorded as set by. */
export const STOP_LOSS_BY = "stop-loss";

/** The default time between checks: a minute. */
export const DEFAULT_STOP_LOSS_INTERVAL_MS = 60_000;

/** Subjects and those with the outcome in one arm. */
export interface ArmCount {
  readonly subjects: number;
  readonly converted: number;
}

/** One journey in a run of the check. */
export interface StopLossJourney {
  readonly journey: string;
  /** `running`: judged, not tripped; `tripped`: this run stopped it; `stopped`: it already was (not judged). */
  readonly state: "running" | "tripped" | "stopped";
  /** Subjects counted are those first exposed after this assignments row id (exclusive; 0: all). */
  readonly sinceId: number;
  /** Treated subjects counted. */
  readonly subjects: number;
  readonly conditions: readonly StopLossFigures[];
  /** When tripped, or stopped: why. */
  readonly reason?: string;
}

/** What one run of the check found and did. */
export interface StopLossRun {
  /** When it ran (ISO 8601 UTC): the `since` of the stops it wrote. */
  readonly at: string;
  readonly journeys: readonly StopLossJourney[];
  /** The journeys this run stopped. */
  readonly tripped: readonly string[];
}

/** The condition as written: `complaint_rate > 3%`. */
export function conditionText(c: StopLossCondition): string {
  return `${c.metric} > ${c.percent}%`;
}

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;

/**
 * One condition judged on the arms' counts — the one definition the check and the scoreboard
 * (analysis.ts) share. The value is the treated rate (`rate`) or the uplift interval's lower
 * bound (`uplift`; null without held-out subjects); tripped when at least `min` subjects are
 * treated and the value is above the threshold.
 */
export function judgeCondition(c: StopLossCondition, min: number, treated: ArmCount | undefined, holdout: ArmCount | undefined): StopLossFigures {
  const subjects = treated?.subjects ?? 0;
  let value: number | null = null;
  if (c.kind === "rate") value = subjects > 0 ? treated!.converted / subjects : null;
  else if (treated && holdout && subjects > 0 && holdout.subjects > 0) value = newcombe(treated.converted, subjects, holdout.converted, holdout.subjects).low;
  const threshold = c.percent / 100;
  return { condition: conditionText(c), value, threshold, subjects, tripped: subjects >= min && value !== null && value > threshold };
}

/** Why a tripped condition stopped the journey, in a sentence. */
export function tripSentence(c: StopLossCondition, f: StopLossFigures, heldOutSubjects: number): string {
  if (c.kind === "rate") return `${c.metric} ${pct(f.value ?? 0)} > ${c.percent}% over ${f.subjects} treated subjects`;
  return `${c.metric}: the 95% interval's lower bound ${pct(f.value ?? 0)} > ${c.percent}% over ${f.subjects} treated and ${heldOutSubjects} held-out subjects`;
}

/** The metric key of a journey's outcome type in the check's queries (conditions on one type share a query). */
const keyOf = (journey: string, type: string): string => `stop-loss:${journey}:${type}`;

/** The check's queries: per journey and outcome type, the stop-loss window, subjects since `sinceId`, matured or not. */
function checkQueries(journeys: readonly { readonly meta: JourneyMeta; readonly sinceId: number }[]): ValueMetricQuery[] {
  const out = new Map<string, ValueMetricQuery>();
  for (const { meta, sinceId } of journeys) {
    const stopLoss = meta.stopLoss!;
    for (const c of stopLoss.conditions) {
      const key = keyOf(meta.id, c.type);
      if (!out.has(key)) out.set(key, { key, journey: meta.id, type: c.type, windowMs: stopLoss.windowMs, sinceId });
    }
  }
  return [...out.values()];
}

type ValueStore = Store & { valueAggregates(metrics: readonly ValueMetricQuery[]): Promise<readonly ArmAggregate[]> };

export interface StopLossOptions {
  /** Time between checks (default 60,000 ms); 0: no periodic checks. */
  readonly intervalMs?: number;
  /** Where trips and failures are reported (default: stderr). */
  readonly log?: (line: string) => void;
  /** Epoch ms now (default Date.now): the `since` of a stop. */
  readonly now?: () => number;
}

/** The stop-loss check of one instance. */
export class StopLossCheck {
  private readonly store: Store;
  /** The journeys of the versions the service decides with (they change with a rollout), or a fixed list. */
  private readonly source: () => readonly JourneyMeta[];
  /** True when the journeys can change (a rollout): the check runs even while none has a `stop_loss`. */
  private readonly dynamic: boolean;
  private readonly controls: JourneyControls;
  private readonly metrics: Metrics | undefined;
  private readonly options: StopLossOptions;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private failing = false;

  /**
   * `journeys`: a fixed list, or a function giving the journeys of the versions the service decides
   * with at the time of each check (the stable version's, and a canary's candidate's own): after a
   * promote, the new stable version's thresholds are the ones judged.
   */
  constructor(
    store: Store,
    journeys: readonly JourneyMeta[] | (() => readonly JourneyMeta[]),
    controls: JourneyControls,
    metrics: Metrics | undefined,
    options: StopLossOptions = {},
  ) {
    this.store = store;
    this.source = typeof journeys === "function" ? journeys : () => journeys;
    this.dynamic = typeof journeys === "function";
    this.controls = controls;
    this.metrics = metrics;
    this.options = options;
    this.log = options.log ?? ((line) => void process.stderr.write(line + "\n"));
  }

  /** The journeys with a `stop_loss` clause, now. */
  private get journeys(): readonly JourneyMeta[] {
    return this.source().filter((j) => j.stopLoss !== undefined && j.stopLoss.conditions.length > 0);
  }

  /** Time between checks (ms). */
  get intervalMs(): number {
    return this.options.intervalMs ?? DEFAULT_STOP_LOSS_INTERVAL_MS;
  }

  /** Why the periodic check does not run, or undefined when it does (for the start-up banner). */
  get disabled(): string | undefined {
    if (!this.dynamic && this.journeys.length === 0) return "no journey has a `stop_loss`";
    if (!hasControls(this.store) || typeof (this.store as Partial<ValueStore>).valueAggregates !== "function") return "the store keeps no journey controls";
    if (this.intervalMs <= 0) return "turned off (`--stop-loss-interval 0`)";
    return undefined;
  }

  /** The journeys with a `stop_loss` clause. */
  get watched(): readonly string[] {
    return this.journeys.map((j) => j.id);
  }

  /** Starts the periodic checks (unless `disabled`). */
  start(): void {
    if (this.disabled !== undefined || this.timer || this.closed) return;
    const every = this.intervalMs;
    const tick = (): void => {
      this.run()
        .then(() => {
          if (this.failing) this.log("kairos serve: stop-loss: the check runs again");
          this.failing = false;
        })
        .catch((e: unknown) => {
          if (!this.failing) this.log(`kairos serve: stop-loss: ${e instanceof Error ? e.message : String(e)}; retried every ${every} ms`);
          this.failing = true;
        })
        .finally(() => {
          if (!this.closed) this.timer = setTimeout(tick, every);
        });
    };
    this.timer = setTimeout(tick, every);
    this.timer.unref?.();
  }

  /** Stops the periodic checks and waits for the one in progress. */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.queue.catch(() => {});
  }

  /**
   * Runs the check now (after any run in progress); `at` is the time recorded as the stops'
   * `since` (default: now). Throws what the store throws (nothing is written then).
   */
  run(at?: string): Promise<StopLossRun> {
    const next = this.queue.catch(() => {}).then(() => this.runOnce(at ?? new Date((this.options.now ?? Date.now)()).toISOString()));
    this.queue = next;
    return next;
  }

  private async runOnce(at: string): Promise<StopLossRun> {
    const store = this.store as ValueStore;
    if (this.journeys.length === 0 || !hasControls(store) || typeof store.valueAggregates !== "function") return { at, journeys: [], tripped: [] };
    // The states as they are now: a journey resumed on another instance counts from its new start.
    await this.controls.refresh();
    const judged: { meta: JourneyMeta; sinceId: number }[] = [];
    const out: StopLossJourney[] = [];
    for (const meta of this.journeys) {
      const control = this.controls.get(meta.id);
      if (control?.state === "stopped") {
        out.push({ journey: meta.id, state: "stopped", sinceId: control.sinceId, subjects: 0, conditions: [], reason: control.reason });
        continue;
      }
      judged.push({ meta, sinceId: control?.sinceId ?? 0 });
    }
    const rows = judged.length > 0 ? await store.valueAggregates(checkQueries(judged)) : [];
    const arms = new Map<string, ArmAggregate>();
    for (const r of rows) arms.set(`${r.key}\u0000${r.arm}`, r);
    const tripped: string[] = [];
    for (const { meta, sinceId } of judged) {
      const stopLoss = meta.stopLoss as StopLoss;
      const figures: StopLossFigures[] = [];
      let trip: { condition: StopLossCondition; figures: StopLossFigures; heldOut: number } | undefined;
      for (const c of stopLoss.conditions) {
        const key = keyOf(meta.id, c.type);
        const holdout = arms.get(`${key}\u0000holdout`);
        const f = judgeCondition(c, stopLoss.min, arms.get(`${key}\u0000treated`), holdout);
        figures.push(f);
        if (f.tripped && trip === undefined) trip = { condition: c, figures: f, heldOut: holdout?.subjects ?? 0 };
      }
      const subjects = figures[0]?.subjects ?? 0;
      if (!trip) {
        out.push({ journey: meta.id, state: "running", sinceId, subjects, conditions: figures });
        continue;
      }
      const reason = tripSentence(trip.condition, trip.figures, trip.heldOut);
      const control: JourneyControl = {
        journey: meta.id,
        state: "stopped",
        by: STOP_LOSS_BY,
        reason,
        detail: {
          metric: trip.condition.metric,
          condition: trip.figures.condition,
          value: trip.figures.value,
          threshold: trip.figures.threshold,
          subjects: trip.figures.subjects,
          ...(trip.condition.kind === "uplift" ? { held_out_subjects: trip.heldOut } : {}),
          window: stopLoss.window,
          min: stopLoss.min,
        },
        since: at,
        sinceId,
      };
      const wrote = await store.setJourneyControl(control, "active");
      if (wrote) {
        this.controls.apply(control);
        this.metrics?.stopLossTrips.inc({ journey: meta.id });
        tripped.push(meta.id);
        this.log(
          `kairos serve: stop-loss: journey \`${meta.id}\` stopped: ${reason}; its decisions are \`suppressed\` (reason \`stop_loss\`) ` +
            `until a person resumes it: kairos journey resume ${meta.id} --store URL --by NAME`,
        );
        out.push({ journey: meta.id, state: "tripped", sinceId, subjects, conditions: figures, reason });
      } else {
        // Another instance stopped it first (or it was never active as read): take the store's word.
        await this.controls.refresh().catch(() => {});
        out.push({ journey: meta.id, state: "stopped", sinceId, subjects, conditions: figures, reason: this.controls.get(meta.id)?.reason ?? reason });
      }
    }
    return { at, journeys: out, tripped };
  }
}
