// A task an instance repeats in the background — reading the rollout, the journey controls and
// kill switches, judging a canary — one run at a time: the next run is scheduled only once the
// previous one settled, so a slow store never piles runs up. The timer does not keep the process
// alive, and `stop` waits for the run in progress, so nothing writes after a shutdown.

/** A background task, run every `everyMs` after the previous run ends. */
export class Periodic {
  private readonly everyMs: number;
  private readonly run: () => Promise<unknown>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** `run` must not reject (it reports its own failures); `everyMs` ≤ 0: never started. */
  constructor(everyMs: number, run: () => Promise<unknown>) {
    this.everyMs = everyMs;
    this.run = run;
  }

  /** Whether `stop` was called. */
  get stopped(): boolean {
    return this.closed;
  }

  /** Schedules the first run (once; not after `stop`, nor when `everyMs` ≤ 0). */
  start(): void {
    if (this.everyMs <= 0 || this.timer || this.closed) return;
    const tick = (): void => {
      this.running = this.run()
        .catch(() => {})
        .finally(() => {
          if (!this.closed) {
            this.timer = setTimeout(tick, this.everyMs);
            this.timer.unref?.();
          }
        });
    };
    this.timer = setTimeout(tick, this.everyMs);
    this.timer.unref?.();
  }

  /** Stops the runs and waits for the one in progress. */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
