// The decision log the contenders without one of their own get for the like-for-like rows: one
// JSON line per decision (the input the engine was given and its result, as OPA's decision log
// keeps them), appended to a file with the same durability rules as Kairos's log — `always`:
// an append is acknowledged only after an fdatasync that covers it, concurrent appends sharing
// one (group commit); `batch`: an fdatasync every `batchSize` appends. No hash chain, no MAC, no
// pseudonymization: that is what Kairos does on top, and what the comparison is about.
import { closeSync, fdatasync, fdatasyncSync, openSync, writeSync } from "node:fs";

/** When the contender log syncs: as Kairos's `FsyncPolicy`. */
export type ContenderFsync = "always" | "batch";

/**
 * An append-only JSONL file. `append` writes the line at once (synchronously, so lines never
 * interleave) and, under `always`, returns a promise that settles when an fdatasync begun after
 * the write has finished: arrivals during a flush wait for the next one, so N concurrent appends
 * cost about two fdatasyncs, not N. A failed fdatasync fails every append it covered, and the
 * log refuses further appends (a lost flush cannot be retried: the page cache may be gone).
 */
export class JsonlLog {
  readonly path: string;
  private fd: number | undefined;
  private readonly fsync: ContenderFsync;
  private readonly batchSize: number;
  private pending = 0;
  private flushing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private failed: Error | undefined;
  /** fdatasync calls made so far (group commit: fewer than appends under concurrency). */
  syncs = 0;
  /** Lines appended so far. */
  lines = 0;

  constructor(path: string, fsync: ContenderFsync, batchSize = 100) {
    this.path = path;
    this.fsync = fsync;
    this.batchSize = batchSize;
    this.fd = openSync(path, "a");
  }

  /** Appends one record as a JSON line; under `always` the promise says it is on disk. */
  append(record: unknown): Promise<void> | undefined {
    if (this.failed) throw new Error(`the contender log ${this.path} failed earlier (${this.failed.message}); reopen it`);
    const fd = this.fd;
    if (fd === undefined) throw new Error(`the contender log ${this.path} is closed`);
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`, "utf8");
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    this.lines++;
    if (this.fsync === "always") return this.flush();
    if (++this.pending >= this.batchSize) {
      fdatasyncSync(fd);
      this.syncs++;
      this.pending = 0;
    }
    return undefined;
  }

  /** An fdatasync that covers every line written before this call (shared with other callers). */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.flushing) {
      // The running flush may have started before our line was written: wait for the next one.
      this.queued = this.flushing.then(
        () => this.startQueued(),
        () => this.startQueued(),
      );
      return this.queued;
    }
    return this.start();
  }

  private startQueued(): Promise<void> {
    this.queued = undefined;
    return this.start();
  }

  private start(): Promise<void> {
    const fd = this.fd;
    if (this.failed) return Promise.reject(this.failed);
    if (fd === undefined) return Promise.reject(new Error(`the contender log ${this.path} is closed`));
    this.syncs++;
    const p = new Promise<void>((resolve, reject) =>
      fdatasync(fd, (e) => {
        if (this.flushing === p) this.flushing = undefined;
        if (e) {
          this.failed = e;
          reject(new Error(`cannot sync the contender log ${this.path}: ${e.message}`));
        } else resolve();
      }),
    );
    this.flushing = p;
    return p;
  }

  /** Syncs what is left and closes the file (after every append has settled). */
  close(): void {
    if (this.fd === undefined) return;
    if (!this.failed) fdatasyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
