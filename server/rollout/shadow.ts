// The shadow runner (docs/rollout.md#shadow): in shadow mode the stable version decides and
// commits every request as usual; afterwards, off the response path, the candidate decides the
// same full request (the subject's state as the stable version saw it, the same stopped journeys)
// with no sink and no effect, and the two decisions' digests (runtime/diff.ts) are kept as a
// ShadowResult row. A bounded queue: when the candidate falls behind, new requests are dropped
// (counted in `kairos_shadow_dropped_total`), never the service slowed down. Rows are written in
// batches; a batch the store refuses is reported and counted, never retried for ever.
import type { Decision } from "../../runtime/decision.ts";
import { digestOf, sameDigest } from "../../runtime/diff.ts";
import type { DecideOptions } from "../../runtime/engine.ts";
import type { Metrics } from "../metrics.ts";
import type { ReleaseStore, ShadowResult } from "../store/types.ts";
import type { Version } from "./version.ts";

/** One request for the candidate to decide again. */
export interface ShadowJob {
  readonly generation: number;
  readonly candidate: Version;
  /** The full request the stable version decided (its `now`, the subject's state). */
  readonly request: Readonly<Record<string, unknown>> & { readonly subject: string; readonly now: string };
  /** The stable version's options (provider, stopped journeys), without observer or sink. */
  readonly options: DecideOptions;
  /** What the stable version decided (and committed). */
  readonly stable: Decision;
}

export interface ShadowOptions {
  /** Most requests waiting (default 10,000); more are dropped. */
  readonly capacity?: number;
  /** Most rows per write (default 500). */
  readonly batch?: number;
  /** Where failures are reported (default: stderr). */
  readonly log?: (line: string) => void;
}

/** Runs the candidate of a shadow rollout beside the stable version. */
export class ShadowRunner {
  private readonly store: ReleaseStore;
  private readonly metrics: Metrics | undefined;
  private readonly capacity: number;
  private readonly batch: number;
  private readonly log: (line: string) => void;
  private readonly queue: ShadowJob[] = [];
  private head = 0;
  private pending: ShadowResult[] = [];
  private draining: Promise<void> | undefined;
  private failing = false;
  private closed = false;

  constructor(store: ReleaseStore, metrics?: Metrics, options: ShadowOptions = {}) {
    this.store = store;
    this.metrics = metrics;
    this.capacity = options.capacity ?? 10_000;
    this.batch = options.batch ?? 500;
    this.log = options.log ?? ((line) => void process.stderr.write(line + "\n"));
  }

  /** Requests waiting for the candidate. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Queues a request for the candidate; false (and counted as dropped) when the queue is full or closed. */
  enqueue(job: ShadowJob): boolean {
    if (this.closed || this.waiting >= this.capacity) {
      this.metrics?.shadowDropped.inc();
      return false;
    }
    this.queue.push(job);
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
    return true;
  }

  /** Decides every queued request and writes their rows; resolves once all are written (or failed). */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  /** Stops taking requests and writes what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting > 0) {
        const job = this.queue[this.head]!;
        this.queue[this.head] = undefined as unknown as ShadowJob;
        this.head++;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        const row = await this.decide(job);
        if (row !== undefined) this.pending.push(row);
        if (this.pending.length >= this.batch) await this.write();
        // Yield between requests: the service's own requests come first.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await this.write();
    } finally {
      // Requests queued while the last rows were written start another round.
      this.draining = this.waiting > 0 ? this.drain() : undefined;
    }
  }

  private async decide(job: ShadowJob): Promise<ShadowResult | undefined> {
    try {
      // No sink (nothing is logged), and the result goes nowhere but the comparison: no effect.
      const { sink: _sink, observe: _observe, ...options } = job.options;
      const decision = await job.candidate.engine.decide(job.request, options);
      const stable = digestOf(job.stable);
      const candidate = digestOf(decision);
      const same = sameDigest(stable, candidate);
      this.metrics?.shadowDecisions.inc({ result: same ? "same" : "different" });
      return {
        generation: job.generation,
        decision_id: job.stable.decision_id,
        subject: job.request.subject,
        at: job.request.now,
        stable: JSON.stringify(stable),
        candidate: JSON.stringify(candidate),
        same,
      };
    } catch (e) {
      this.metrics?.shadowDecisions.inc({ result: "failed" });
      this.report(`the candidate could not decide a shadow request: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  private async write(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    try {
      await this.store.addShadowResults(rows);
      if (this.failing) this.log("kairos serve: shadow: results are written again");
      this.failing = false;
    } catch (e) {
      this.metrics?.shadowDropped.inc(rows.length);
      this.report(`${rows.length} shadow results could not be written: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private report(message: string): void {
    if (!this.failing) this.log(`kairos serve: shadow: ${message}`);
    this.failing = true;
  }
}
