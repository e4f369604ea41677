// The decision service's Prometheus metrics (docs/service.md#metrics), on a Registry of its
// own (never prom-client's global one, so two servers in one process — tests, the benchmark —
// do not mix their numbers): the golden signals per route, the engine's stages, decisions by
// journey and outcome, saturation (in-flight requests, event-loop lag, the store's pool) and the
// sizes of the committer's batches.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** What the store's pool looks like, when the store can say (a pg Pool; absent for PGlite). */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The service's metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<"route" | "method" | "status">;
  readonly httpDuration: Histogram<"route" | "method">;
  readonly stageSeconds: Histogram<"stage">;
  readonly decisions: Counter<"journey" | "outcome">;
  readonly inflight: Gauge;
  readonly commitBatchSize: Histogram;
  readonly commitSeconds: Histogram;
  readonly conflicts: Counter;
  readonly wakeupsRun: Counter<"result">;
  /** 1 while a journey is stopped by its stop-loss, 0 while it runs (docs/value.md#stop-loss). */
  readonly journeyStopped: Gauge<"journey">;
  /** Stop-losses this instance tripped, by journey. */
  readonly stopLossTrips: Counter<"journey">;
  /** 1 while a person's kill switch turns the journey or channel off, 0 once it is on again (docs/kill-switch.md). */
  readonly killSwitch: Gauge<"kind" | "name">;
  /** The rollout generation this instance decides with (docs/rollout.md). */
  readonly rolloutGeneration: Gauge;
  /** Decisions committed, by the version that made them and its arm (`stable`, `canary`, `pinned`; `none` without a rollout). */
  readonly decisionsByVersion: Counter<"version" | "arm">;
  /** From a rollout change's `since` to this instance deciding with it. */
  readonly rolloutSwitchSeconds: Histogram;
  /** Shadow decisions of a candidate, by result (`same`, `different`, `failed`). */
  readonly shadowDecisions: Counter<"result">;
  /** Shadow requests dropped (queue full, results not written). */
  readonly shadowDropped: Counter;
  /** Canaries this instance rolled back automatically, by the metric breached. */
  readonly autoRollbacks: Counter<"metric">;

  constructor(pool?: () => PoolStats | undefined) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "kairos_process_", eventLoopMonitoringPrecision: 10 });
    this.httpRequests = new Counter({
      name: "kairos_http_requests_total",
      help: "HTTP requests by route pattern, method and status",
      labelNames: ["route", "method", "status"],
      registers,
    });
    this.httpDuration = new Histogram({
      name: "kairos_http_request_duration_seconds",
      help: "HTTP request duration by route pattern",
      labelNames: ["route", "method"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.stageSeconds = new Histogram({
      name: "kairos_decision_stage_seconds",
      help: "Time spent in each stage of a decision (validate, state, policy, fetch, predicates, guardrails, log)",
      labelNames: ["stage"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.decisions = new Counter({
      name: "kairos_decisions_total",
      help: "Decisions committed, by winning journey and outcome",
      labelNames: ["journey", "outcome"],
      registers,
    });
    this.inflight = new Gauge({ name: "kairos_inflight_requests", help: "HTTP requests being served now", registers });
    this.commitBatchSize = new Histogram({
      name: "kairos_commit_batch_size",
      help: "Decisions per store transaction (group commit)",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers,
    });
    this.commitSeconds = new Histogram({ name: "kairos_commit_seconds", help: "Time of one group commit in the store", buckets: LATENCY_BUCKETS, registers });
    this.conflicts = new Counter({
      name: "kairos_commit_conflicts_total",
      help: "Decisions made again because another instance changed the subject first",
      registers,
    });
    this.wakeupsRun = new Counter({
      name: "kairos_wakeups_total",
      help: "Wake-ups run, by result (decided, duplicate, failed)",
      labelNames: ["result"],
      registers,
    });
    this.journeyStopped = new Gauge({
      name: "kairos_journey_stopped",
      help: "1 while the journey is stopped by its stop-loss (until a person resumes it), 0 while it runs",
      labelNames: ["journey"],
      registers,
    });
    this.stopLossTrips = new Counter({
      name: "kairos_stop_loss_trips_total",
      help: "Times this instance stopped a journey because its stop-loss tripped",
      labelNames: ["journey"],
      registers,
    });
    this.killSwitch = new Gauge({
      name: "kairos_kill_switch",
      help: "1 while a kill switch turns the journey or channel off (kind journey|channel), 0 once a person turned it on again",
      labelNames: ["kind", "name"],
      registers,
    });
    this.rolloutGeneration = new Gauge({ name: "kairos_rollout_generation", help: "The rollout generation this instance decides with", registers });
    this.decisionsByVersion = new Counter({
      name: "kairos_decisions_by_version_total",
      help: "Decisions committed, by the version (registry name) that made them and its rollout arm (stable, canary, pinned; none without a rollout)",
      labelNames: ["version", "arm"],
      registers,
    });
    this.rolloutSwitchSeconds = new Histogram({
      name: "kairos_rollout_switch_seconds",
      help: "From a rollout change being written to this instance deciding with it",
      buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30],
      registers,
    });
    this.shadowDecisions = new Counter({
      name: "kairos_shadow_decisions_total",
      help: "Requests a shadow candidate decided again without effect, by result (same, different, failed)",
      labelNames: ["result"],
      registers,
    });
    this.shadowDropped = new Counter({
      name: "kairos_shadow_dropped_total",
      help: "Shadow requests dropped: the queue was full or the results could not be written",
      registers,
    });
    this.autoRollbacks = new Counter({
      name: "kairos_rollout_auto_rollbacks_total",
      help: "Canaries this instance rolled back because they breached their budget or a stop-loss fired, by metric",
      labelNames: ["metric"],
      registers,
    });
    const poolGauge = (name: string, help: string, pick: (p: PoolStats) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const p = pool?.();
          this.set(p ? pick(p) : 0);
        },
      });
    };
    poolGauge("kairos_store_pool_connections", "Connections the store's pool holds", (p) => p.total);
    poolGauge("kairos_store_pool_idle", "Idle connections in the store's pool", (p) => p.idle);
    poolGauge("kairos_store_pool_waiting", "Queries waiting for a connection of the store's pool", (p) => p.waiting);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
