// The wake-up runner (docs/service.md#wake-ups): every instance polls the store for due timed
// follow-ups, leases a few (FOR UPDATE SKIP LOCKED in the store: two instances never hold the
// same one) and decides each through the normal flow, completing it in the decision's own
// commit. A failed one is released and retried after its lease. A wake-up fired twice — its
// lease ran out while it was being decided, an instance died after committing — is the same
// (subject, event id, timer) again, so idempotency makes it a duplicate, never a second action.
// Each is decided by the version that scheduled it while that version can be loaded
// (DecisionService.runWakeup, docs/rollout.md#wake-ups).
// On `--clock request` the loop is off: `POST /v1/admin/wakeups/run {"until"}` runs everything
// due up to a time, in due order, at its due time (simulated time for demos and tests).
import { randomUUID } from "node:crypto";
import { HttpError } from "./errors.ts";
import type { Metrics } from "./metrics.ts";
import { fromStore, type DecisionService } from "./service.ts";
import type { StoredWakeup } from "./store/types.ts";

export interface WakeupOptions {
  /** Poll period on the system clock (default 1,000 ms). */
  readonly intervalMs?: number;
  /** How long a claimed wake-up is this instance's (default 30,000 ms). */
  readonly leaseMs?: number;
  /** Most wake-ups claimed per poll (default 50). */
  readonly batch?: number;
  /** This instance's lease owner id (default: a random one). */
  readonly owner?: string;
  /** Where runner failures are reported (default: stderr). */
  readonly log?: (line: string) => void;
}

/** What one run did. */
export interface RunSummary {
  readonly ran: number;
  readonly duplicates: number;
  readonly failed: number;
}

/** Runs due wake-ups of one instance. */
export class WakeupRunner {
  readonly owner: string;
  private readonly service: DecisionService;
  private readonly metrics: Metrics | undefined;
  private readonly intervalMs: number;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(service: DecisionService, metrics: Metrics | undefined, options: WakeupOptions = {}) {
    this.service = service;
    this.metrics = metrics;
    this.owner = options.owner ?? `kairos-${randomUUID()}`;
    this.intervalMs = options.intervalMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.batch = options.batch ?? 50;
    this.log = options.log ?? ((line) => void process.stderr.write(line + "\n"));
  }

  /** Starts polling on the system clock (not on `--clock request`). */
  start(): void {
    if (this.service.clock.mode === "request" || this.timer || this.stopped) return;
    const tick = (): void => {
      this.running = this.poll()
        .catch((e: unknown) => this.log(`kairos serve: wake-ups: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  /** Stops polling and waits for the wake-ups being run. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One poll on the system clock: claims what is due now and runs it, subjects in parallel. */
  async poll(): Promise<RunSummary> {
    const now = new Date(this.service.clock.now()).toISOString();
    const claimed = await this.service.store.claimWakeups(now, this.batch, this.owner, this.leaseMs);
    const results = await Promise.all(claimed.map((w) => this.fire(w, new Date(this.service.clock.now()).toISOString())));
    return summarize(results);
  }

  /**
   * `--clock request`: runs every wake-up due at or before `until`, in due order, each at its due
   * time; returns how many ran. Throws HttpError 409 on the system clock.
   */
  async runUntil(until: string): Promise<RunSummary> {
    if (this.service.clock.mode !== "request") {
      throw new HttpError(409, "clock_not_request", "wake-ups run by themselves on the system clock; this route is for `--clock request`", {
        hint: "start the server with `--clock request` to drive simulated time",
      });
    }
    if (Number.isNaN(Date.parse(until))) {
      throw new HttpError(400, "invalid_request", "`until` is not a datetime", {
        problems: [{ path: "until", message: "expected an ISO 8601 datetime with an offset" }],
      });
    }
    const untilIso = new Date(Date.parse(until)).toISOString();
    const results: ("ran" | "duplicate" | "failed")[] = [];
    for (;;) {
      const claimed = await fromStore("claiming wake-ups", () => this.service.store.claimWakeups(untilIso, this.batch, this.owner, this.leaseMs));
      if (claimed.length === 0) break;
      const ordered = [...claimed].sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const w of ordered) results.push(await this.fire(w, w.due_at));
    }
    return summarize(results);
  }

  private async fire(w: StoredWakeup, now: string): Promise<"ran" | "duplicate" | "failed"> {
    try {
      const r = await this.service.runWakeup(w, this.owner, now);
      this.metrics?.wakeupsRun.inc({ result: r.replay ? "duplicate" : "decided" });
      return r.replay ? "duplicate" : "ran";
    } catch (e) {
      this.metrics?.wakeupsRun.inc({ result: "failed" });
      this.log(`kairos serve: wake-up ${w.id} (${w.journey} after ${w.timer}) failed, retried after its lease: ${e instanceof Error ? e.message : String(e)}`);
      try {
        await this.service.store.releaseWakeup(w.id, this.owner);
      } catch {
        // The lease runs out by itself.
      }
      return "failed";
    }
  }
}

function summarize(results: readonly ("ran" | "duplicate" | "failed")[]): RunSummary {
  return {
    ran: results.filter((r) => r === "ran").length,
    duplicates: results.filter((r) => r === "duplicate").length,
    failed: results.filter((r) => r === "failed").length,
  };
}
