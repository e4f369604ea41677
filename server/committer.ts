// Group commit (docs/service.md#durability): a decision is acknowledged only once the store has
// committed it, and committing one transaction per decision would make every request pay a
// full round trip and an fsync. The committer queues items and hands the store one `commit`
// per batch: a batch starts one event-loop turn after the previous one finished (or after the
// first item arrived when none is running), or when `maxBatch` items are queued and fewer than
// `maxInFlight` batches run. Under
// load, batches grow by themselves; at rest every item is committed alone, with no added wait.
import type { CommitResult, PendingCommit, Store } from "./store/types.ts";

export interface CommitterOptions {
  /** Most items in one store transaction (default 256). */
  readonly maxBatch?: number;
  /** Most batches committing at once (default 2; the log's shard heads serialize them anyway). */
  readonly maxInFlight?: number;
  /** Called after every batch with its size and how long the store took (seconds). */
  readonly onBatch?: (size: number, seconds: number, failed: boolean) => void;
}

interface Waiting {
  readonly item: PendingCommit;
  readonly resolve: (r: CommitResult) => void;
  readonly reject: (e: unknown) => void;
}

/** Batch sizes seen so far, for reports and tests. */
export interface BatchStats {
  readonly batches: number;
  readonly items: number;
  readonly largest: number;
  /** Batch size → how many batches had it. */
  readonly sizes: ReadonlyMap<number, number>;
}

/** Queues PendingCommits and commits them in batches; each caller gets its own item's result. */
export class GroupCommitter {
  private readonly store: Store;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly onBatch: CommitterOptions["onBatch"];
  private queue: Waiting[] = [];
  private inFlight = 0;
  /** A batch start is scheduled for the next loop turn. */
  private scheduled = false;
  private idle: (() => void)[] = [];
  private readonly sizes = new Map<number, number>();
  private batches = 0;
  private items = 0;
  private largest = 0;

  constructor(store: Store, options: CommitterOptions = {}) {
    this.store = store;
    this.maxBatch = options.maxBatch ?? 256;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.onBatch = options.onBatch;
    if (!(this.maxBatch >= 1 && this.maxInFlight >= 1)) throw new RangeError("the committer needs maxBatch ≥ 1 and maxInFlight ≥ 1");
  }

  /** Commits one item with whatever else is queued; resolves once the store committed (or refused) it. */
  submit(item: PendingCommit): Promise<CommitResult> {
    return new Promise<CommitResult>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Resolves once nothing is queued or committing (for a graceful close). */
  flush(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** What batches looked like so far. */
  stats(): BatchStats {
    return { batches: this.batches, items: this.items, largest: this.largest, sizes: new Map(this.sizes) };
  }

  private pump(): void {
    // A full batch goes at once (while fewer than maxInFlight commit).
    while (this.queue.length >= this.maxBatch && this.inFlight < this.maxInFlight) this.start();
    // Otherwise a batch starts one event-loop turn later (setImmediate runs after the poll phase):
    // every request whose bytes already arrived is decided and queued first, so they share one
    // transaction and one WAL sync. Starting at once would commit the first item alone, and an
    // embedded store — Wasm running on this thread — blocks the loop while it commits, so the
    // next batch would again hold one item (measured: 5,715 commits of 1 item each at 32
    // connections). At rest this adds one loop turn, microseconds, to an item's wait.
    if (this.queue.length > 0 && this.inFlight === 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (this.queue.length > 0 && this.inFlight === 0) this.start();
        else this.pump();
      });
    }
    if (this.queue.length === 0 && this.inFlight === 0) {
      const waiting = this.idle;
      this.idle = [];
      for (const w of waiting) w();
    }
  }

  private start(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight++;
    void this.commit(batch);
  }

  private async commit(batch: readonly Waiting[]): Promise<void> {
    const started = performance.now();
    let failed = false;
    try {
      const results = await this.store.commit(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`the store returned ${results.length} results for ${batch.length} items`);
      for (const [i, w] of batch.entries()) w.resolve(results[i]!);
    } catch (e) {
      failed = true;
      for (const w of batch) w.reject(e);
    } finally {
      this.record(batch.length);
      this.onBatch?.(batch.length, (performance.now() - started) / 1000, failed);
      this.inFlight--;
      this.pump();
    }
  }

  private record(size: number): void {
    this.batches++;
    this.items += size;
    this.largest = Math.max(this.largest, size);
    this.sizes.set(size, (this.sizes.get(size) ?? 0) + 1);
  }
}
