// The automatic rollback of a canary (docs/rollout.md#automatic-rollback): each instance counts
// the decisions its canary arm made since it applied the rollout — how many, how many `error`, how
// long the engine took — and every 500 ms judges them against the canary's budget (error rate,
// p99 latency, once `minDecisions` were made), and watches for a stop-loss tripping during the
// canary. A breach rolls the canary back with one compare-and-set write on the generation it
// judged (action `auto_rollback`, by `auto-rollback`, the reason and the figures of the breach):
// when several instances breach at once, one write wins and the others find it done.
import { Periodic } from "../periodic.ts";
import type { JourneyControl, ReleaseStore, RolloutBudget } from "../store/types.ts";
import { DEFAULT_BUDGET, rollbackRollout, RolloutError } from "./changes.ts";
import type { Applied, Route, RolloutRouter } from "./router.ts";

/** What one instance's canary arm did under one generation. */
export interface CanaryStats {
  readonly decisions: number;
  readonly errors: number;
  /** Engine latencies of the latest decisions (ms), at most `LATENCY_SAMPLES`. */
  readonly latenciesMs: readonly number[];
}

/** A budget breached: why, and the figures (recorded as the rollback's `detail`). */
export interface Breach {
  readonly reason: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Latencies kept for the p99 (the latest ones). */
export const LATENCY_SAMPLES = 10_000;

/** The 99th percentile of some latencies (nearest rank); 0 without any. */
export function p99(latencies: readonly number[]): number {
  if (latencies.length === 0) return 0;
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!;
}

const pct = (v: number): string => `${Number((v * 100).toFixed(2))}%`;

/** Judges a canary's figures against its budget: the first breach, or undefined. Pure. */
export function judgeBudget(budget: RolloutBudget | undefined, stats: CanaryStats): Breach | undefined {
  const min = budget?.minDecisions ?? DEFAULT_BUDGET.minDecisions;
  if (stats.decisions < min) return undefined;
  const maxErrorRate = budget?.maxErrorRate ?? DEFAULT_BUDGET.maxErrorRate;
  const rate = stats.errors / stats.decisions;
  if (rate > maxErrorRate) {
    return {
      reason: `the candidate's error rate ${pct(rate)} is above the budget's ${pct(maxErrorRate)} over ${stats.decisions} decisions`,
      detail: {
        metric: "error_rate",
        value: rate,
        threshold: maxErrorRate,
        decisions: stats.decisions,
        errors: stats.errors,
        window: "since the canary started",
      },
    };
  }
  if (budget?.maxP99Ms !== undefined && stats.latenciesMs.length > 0) {
    const value = p99(stats.latenciesMs);
    if (value > budget.maxP99Ms) {
      return {
        reason:
          `the candidate's p99 decision latency ${value.toFixed(1)} ms is above the budget's ${budget.maxP99Ms} ms` +
          ` over its latest ${stats.latenciesMs.length} decisions`,
        detail: {
          metric: "p99_ms",
          value,
          threshold: budget.maxP99Ms,
          decisions: stats.latenciesMs.length,
          window: `the latest ${stats.latenciesMs.length} decisions`,
        },
      };
    }
  }
  return undefined;
}

/** A stop-loss stop during the canary: a journey stopped that was not when the canary was applied. */
export function stopLossBreach(before: ReadonlyMap<string, string>, controls: readonly JourneyControl[]): Breach | undefined {
  for (const c of controls) {
    if (c.state !== "stopped" || before.get(c.journey) === c.since) continue;
    return {
      reason: `the stop-loss of journey \`${c.journey}\` fired during the canary: ${c.reason}`,
      detail: {
        metric: "stop_loss",
        journey: c.journey,
        stopped_by: c.by,
        stopped_at: c.since,
        stop_reason: c.reason,
        ...(c.detail ? { stop: c.detail } : {}),
      },
    };
  }
  return undefined;
}

export interface GuardOptions {
  /** The journey controls as this instance last read them (server/value/controls.ts `all()`). */
  readonly controls?: () => readonly JourneyControl[];
  /** Time between checks (default 500 ms); 0: only `check()` (tests). */
  readonly intervalMs?: number;
  /** Told of each rollback this instance wrote. */
  readonly onRollback?: (breach: Breach) => void;
  /** Where rollbacks and failures are reported (default: stderr). */
  readonly log?: (line: string) => void;
}

/** The canary guard of one instance. */
export class CanaryGuard {
  private readonly store: ReleaseStore;
  private readonly router: RolloutRouter;
  private readonly options: GuardOptions;
  private readonly log: (line: string) => void;
  private generation = -1;
  private decisions = 0;
  private errors = 0;
  private latencies: number[] = [];
  private next = 0;
  /** Journeys stopped when the canary was applied here, with the `since` of their stop. */
  private stoppedBefore = new Map<string, string>();
  private readonly periodic: Periodic;
  private failing = false;

  constructor(store: ReleaseStore, router: RolloutRouter, options: GuardOptions = {}) {
    this.store = store;
    this.router = router;
    this.options = options;
    this.log = options.log ?? ((line) => void process.stderr.write(line + "\n"));
    this.reset(router.applied);
    this.periodic = new Periodic(options.intervalMs ?? 500, () => this.checkReported());
  }

  /** Starts counting afresh for a version set just applied. */
  reset(applied: Applied): void {
    this.generation = applied.state.generation;
    this.decisions = 0;
    this.errors = 0;
    this.latencies = [];
    this.next = 0;
    this.stoppedBefore = new Map((this.options.controls?.() ?? []).filter((c) => c.state === "stopped").map((c) => [c.journey, c.since]));
  }

  /** Counts a decision the canary arm made (others are ignored). */
  observe(route: Route, outcome: string, ms: number): void {
    if (route.rollout?.arm !== "canary" || route.generation !== this.generation) return;
    this.decisions++;
    if (outcome === "error") this.errors++;
    if (this.latencies.length < LATENCY_SAMPLES) this.latencies.push(ms);
    else this.latencies[this.next] = ms;
    this.next = (this.next + 1) % LATENCY_SAMPLES;
  }

  /** The figures of the canary on this instance. */
  stats(): CanaryStats {
    return { decisions: this.decisions, errors: this.errors, latenciesMs: this.latencies };
  }

  /**
   * Judges the canary now; on a breach writes the rollback (unless another change came first) and
   * returns the breach. Throws what the store throws.
   */
  async check(): Promise<Breach | undefined> {
    const applied = this.router.applied;
    const { state } = applied;
    if (state.mode !== "canary") return undefined;
    if (state.generation !== this.generation) this.reset(applied);
    const breach = judgeBudget(state.budget, this.stats()) ?? stopLossBreach(this.stoppedBefore, this.options.controls?.() ?? []);
    if (breach === undefined) return undefined;
    try {
      const written = await rollbackRollout(this.store, { by: "auto-rollback", expectGeneration: state.generation, auto: breach });
      this.log(`kairos serve: rollout: rolled the canary back (generation ${written.generation}): ${breach.reason}`);
      this.options.onRollback?.(breach);
      await this.router.apply(written).catch(() => {});
    } catch (e) {
      // Another instance (or a person) changed the rollout first: nothing to do.
      if (!(e instanceof RolloutError)) throw e;
    }
    return breach;
  }

  /** Starts the periodic checks. */
  start(): void {
    this.periodic.start();
  }

  /** One check; a failure is reported when it starts and when it ends, not every 500 ms. */
  private async checkReported(): Promise<void> {
    try {
      await this.check();
      if (this.failing) this.log("kairos serve: rollout: the canary check runs again");
      this.failing = false;
    } catch (e) {
      if (!this.failing) this.log(`kairos serve: rollout: the canary check failed: ${e instanceof Error ? e.message : String(e)}; trying again`);
      this.failing = true;
    }
  }

  /** Stops the checks and waits for the one in progress. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
