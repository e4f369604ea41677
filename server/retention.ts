// The service's retention job (docs/service.md#retention): every instance, on the system clock,
// runs the store's retention (server/store/retain.ts) every `intervalMs` — on by default, every
// hour — with the retention policy of the artifact's catalog (each field's `retention`) and the
// operator's default, if any. Each run is bounded (batches of `batch` entries, at most
// `maxBatches` per shard) and each batch is one transaction holding the shard's head row, so
// instances never purge the same rows at once and commits wait milliseconds at most; a run that
// purged entries and left a backlog (a first run on an old store) is followed by the next one a
// second later. Purged
// entries are counted in `kairos_log_purged_entries_total`. Off on `--clock request` (decision
// times are simulated: purging by the wall clock would be wrong), when the catalog tags no
// retention and no default is given, and with `intervalMs: 0`. The same runs delete experiment
// assignments and outcomes older than the catalog's `value: retention:` (else the default
// retention): docs/value.md#retention.
import { Counter } from "prom-client";
import type { Catalog } from "../core/catalog/types.ts";
import { hasRetention, retentionPolicy, type RetentionPolicy } from "../runtime/log/retain-policy.ts";
import type { Metrics } from "./metrics.ts";
import type { Clock } from "./service.ts";
import type { StoreRetainOptions, StoreRetainResult } from "./store/retain.ts";
import type { ServiceStore, Store, ValueRetained } from "./store/types.ts";
import { parseIsoDuration } from "../core/literals.ts";

export interface RetentionOptions {
  /** Time between runs (default 3,600,000 ms: hourly); 0 turns the job off. */
  readonly intervalMs?: number;
  /** The first run, this long after start (default: the interval, at most 60 s). */
  readonly firstRunMs?: number;
  /** Retention for every entry, whatever its fields (an ISO 8601 duration, e.g. `P2Y`); default none. */
  readonly defaultRetention?: string;
  /** Entries per transaction (default 500). */
  readonly batch?: number;
  /** Transactions per shard per run (default 20). */
  readonly maxBatches?: number;
  /** After a run that did not get through (a backlog), the next one this soon (default 1,000 ms). */
  readonly catchUpMs?: number;
  /** Where failures and purges are reported (default: stderr). */
  readonly log?: (line: string) => void;
}

/** A store that can purge its log (every store `openStore` returns). */
type RetainingStore = Store & { retainLog(policy: RetentionPolicy, options: StoreRetainOptions): Promise<StoreRetainResult> };

const canRetain = (store: Store): store is RetainingStore => typeof (store as Partial<RetainingStore>).retainLog === "function";

/** A store that keeps proof-of-value rows (every store `openStore` returns). */
type ValueRetainingStore = Store & Pick<ServiceStore, "retainValue">;

const canRetainValue = (store: Store): store is ValueRetainingStore => typeof (store as Partial<ValueRetainingStore>).retainValue === "function";

/** The retention job of one instance. */
export class RetentionJob {
  /** The policy it applies: the catalog's field retentions and the default. */
  readonly policy: RetentionPolicy;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly options: RetentionOptions;
  private readonly purgedTotal: Counter | undefined;
  private readonly valuePurged: Counter<"table"> | undefined;
  private readonly catalog: Catalog;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(store: Store, catalog: Catalog, clock: Clock, metrics: Metrics | undefined, options: RetentionOptions = {}) {
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
    this.options = options;
    this.policy = retentionPolicy(catalog, options.defaultRetention);
    this.log = options.log ?? ((line) => void process.stderr.write(line + "\n"));
    this.purgedTotal = metrics
      ? new Counter({
          name: "kairos_log_purged_entries_total",
          help: "Decision log entries whose context and sealed request the retention job replaced by their digests",
          registers: [metrics.registry],
        })
      : undefined;
    this.valuePurged = metrics
      ? new Counter({
          name: "kairos_value_rows_purged_total",
          help: "Experiment assignments and outcomes the retention job deleted, by table",
          labelNames: ["table"],
          registers: [metrics.registry],
        })
      : undefined;
  }

  /** Time between runs (ms). */
  get intervalMs(): number {
    return this.options.intervalMs ?? 3_600_000;
  }

  /** Why the job does not run, or undefined when it does (for the start-up banner and tests). */
  get disabled(): string | undefined {
    if (this.intervalMs <= 0) return "turned off (`--retention-interval 0`)";
    if (this.clock.mode === "request") return "decision times come from requests (`--clock request`)";
    if (!canRetain(this.store)) return "the store cannot purge its log";
    if (!hasRetention(this.policy) && this.valueRetention === undefined) {
      return "no catalog field has a `retention`, the catalog's `value:` has none, and no default retention was given";
    }
    return undefined;
  }

  /**
   * How long experiment assignments and outcomes are kept (docs/value.md#retention): the catalog's
   * `value: retention:`, else the default retention; undefined: kept.
   */
  get valueRetention(): string | undefined {
    return this.catalog.value?.retention ?? this.options.defaultRetention;
  }

  /** Starts the periodic runs (unless `disabled`). */
  start(): void {
    if (this.disabled !== undefined || this.timer || this.stopped) return;
    const interval = this.intervalMs;
    const tick = (): void => {
      let backlog = false;
      this.running = this.runOnce()
        .then((r) => {
          // Hurry only while there is something to purge: a long stretch of entries within their
          // retention is read again at the next hourly run, not every second.
          backlog = r !== undefined && r.purged > 0 && r.shards.some((s) => !s.complete);
        })
        .then(() => this.runValueOnce())
        .then((v) => {
          if (v !== undefined && !v.complete) backlog = true;
        })
        .catch((e: unknown) => this.log(`kairos serve: retention: ${e instanceof Error ? e.message : String(e)}; retried at the next run`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, backlog ? Math.min(interval, this.options.catchUpMs ?? 1000) : interval);
        });
    };
    this.timer = setTimeout(tick, this.options.firstRunMs ?? Math.min(interval, 60_000));
  }

  /** Stops the runs and waits for the one in progress (its current batch commits or rolls back whole). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Deletes the assignments and outcomes older than the value retention, at the system clock's
   * time (a duration's years count 365 days, its months 30); undefined when they are kept.
   */
  async runValueOnce(): Promise<ValueRetained | undefined> {
    const retention = this.valueRetention;
    const ms = retention === undefined ? undefined : parseIsoDuration(retention);
    if (ms === undefined || ms <= 0 || !canRetainValue(this.store)) return undefined;
    const r = await this.store.retainValue(this.clock.now() - ms, {
      ...(this.options.batch === undefined ? {} : { batch: this.options.batch }),
      ...(this.options.maxBatches === undefined ? {} : { maxBatches: this.options.maxBatches }),
    });
    if (r.assignments > 0) this.valuePurged?.inc({ table: "assignments" }, r.assignments);
    if (r.outcomes > 0) this.valuePurged?.inc({ table: "outcomes" }, r.outcomes);
    return r;
  }

  /** One run now, at the system clock's time; undefined when the store cannot purge or nothing in the log has a retention. */
  async runOnce(): Promise<StoreRetainResult | undefined> {
    if (!canRetain(this.store) || !hasRetention(this.policy)) return undefined;
    const r = await this.store.retainLog(this.policy, {
      now: this.clock.now(),
      ...(this.options.batch === undefined ? {} : { batch: this.options.batch }),
      ...(this.options.maxBatches === undefined ? {} : { maxBatches: this.options.maxBatches }),
    });
    if (r.purged > 0) this.purgedTotal?.inc(r.purged);
    return r;
  }
}
