// `kairos log verify` at hashing speed (issue 13): the same verification as verify.ts, with the
// per-line work — each line's bytes against its hash, its MAC — done on the fast path
// (fast-check.ts, no JSON.parse) by worker threads over chunks of the file, in parallel, while
// this thread only compares each line's seq and prev with the chain so far. At the first line
// the fast path does not vouch for (a damaged entry, another format, a torn tail), it stops and
// hands over to verifyLog from that line on, which gives the verdict and the message exactly as
// a sequential verification would: the fast path only ever says "intact", and only for lines
// the slow path also finds intact (see fast-check.ts for why).
import { availableParallelism } from "node:os";
import { open, type FileHandle } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { GENESIS, LOG_FORMAT } from "./format.ts";
import { verifyLog, type VerifyOptions, type VerifyResult } from "./verify.ts";
import type { VerifyJob, VerifyJobResult, VerifyWorkerData } from "./verify-worker.ts";

/** Bytes per chunk handed to a worker. */
const CHUNK = 4 << 20;
/** Lines longer than this are left to verifyLog. */
const MAX_LINE = 256 << 20;
/** Below this, starting workers costs more than it saves: verify on this thread. */
const SMALL = 16 << 20;

const workerUrl = new URL(import.meta.url.endsWith(".ts") ? "./verify-worker.ts" : "./verify-worker.js", import.meta.url);

export interface ParallelOptions {
  /** Worker threads (default: the available parallelism, at most 8). */
  readonly threads?: number;
  /** Use workers whatever the file's size (tests). */
  readonly always?: boolean;
  /** Bytes per chunk handed to a worker (default 4 MiB). */
  readonly chunkBytes?: number;
  /** Filled in: how many lines the fast path vouched for (the rest were verifyLog's). */
  readonly stats?: { fastLines: number };
}

/** One worker and the chunks it was given, by job number. */
class Checker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: VerifyJobResult) => void; reject: (e: unknown) => void }>();

  constructor(data: VerifyWorkerData) {
    this.worker = new Worker(workerUrl, { workerData: data });
    this.worker.on("message", (r: VerifyJobResult) => {
      const w = this.waiting.get(r.job);
      this.waiting.delete(r.job);
      w?.resolve(r);
    });
    this.worker.on("error", (e) => this.failAll(e));
    this.worker.on("exit", (code) => this.failAll(new Error(`a verify worker exited (${code})`)));
  }

  check(job: number, buffer: Buffer, length: number): Promise<VerifyJobResult> {
    return new Promise((resolve, reject) => {
      this.waiting.set(job, { resolve, reject });
      const msg: VerifyJob = { job, buffer: buffer.buffer as ArrayBuffer, length };
      this.worker.postMessage(msg, [buffer.buffer as ArrayBuffer]);
    });
  }

  private failAll(e: unknown): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  async stop(): Promise<void> {
    this.worker.removeAllListeners("exit");
    await this.worker.terminate();
  }
}

/**
 * Verifies the log at `path` as verifyLog does — the same result, field for field — using
 * worker threads for the entries' hashes and MACs. Needs the integrity key for that (without it
 * nothing authenticates a line, and the fast path proves nothing): otherwise, with `from`, or for
 * a small file, it is verifyLog itself.
 */
export async function verifyLogParallel(path: string, options: VerifyOptions = {}, parallel: ParallelOptions = {}): Promise<VerifyResult> {
  const key = options.integrityKey;
  if (key === undefined || options.from !== undefined) return verifyLog(path, options);
  let fh: FileHandle;
  let size: number;
  try {
    fh = await open(path, "r");
    const st = await fh.stat();
    size = st.size;
    if (!st.isFile()) {
      await fh.close();
      return verifyLog(path, options);
    }
  } catch {
    return verifyLog(path, options);
  }
  if (size < SMALL && !parallel.always) {
    await fh.close();
    return verifyLog(path, options);
  }
  let prefix: Prefix | undefined;
  try {
    prefix = await checkPrefix(fh, size, key, options, parallel);
  } catch {
    // Workers that cannot start (or died): the sequential verification gives the same result.
    prefix = undefined;
  }
  if (parallel.stats) parallel.stats.fastLines = prefix?.head.seq ?? 0;
  if (prefix === undefined || prefix.head.seq === 0) return verifyLog(path, options);
  const { head, logId, offset, containsFound, hashes } = prefix;
  return verifyLog(path, {
    ...options,
    from: { offset, seq: head.seq, hash: head.hash, log: logId, format: LOG_FORMAT },
    earlier: { containsFound, hashes },
  });
}

/** What the fast path vouched for: the lines before `offset`, chained up to `head`. */
interface Prefix {
  readonly head: { readonly seq: number; readonly hash: string };
  readonly logId: string;
  readonly offset: number;
  readonly containsFound: boolean;
  readonly hashes: ReadonlyMap<number, string>;
}

/** Checks lines on the fast path in workers, chunk after chunk, until one is not vouched for; closes `fh`. */
async function checkPrefix(
  fh: FileHandle,
  size: number,
  key: NonNullable<VerifyOptions["integrityKey"]>,
  options: VerifyOptions,
  parallel: ParallelOptions,
): Promise<Prefix> {
  const chunk = Math.max(1024, parallel.chunkBytes ?? CHUNK);
  const threads = Math.max(1, Math.min(parallel.threads ?? availableParallelism(), 8));
  const checkers: Checker[] = [];
  const inflight: { base: number; result: Promise<VerifyJobResult> }[] = [];
  const wanted = new Set((options.checkpoints ?? []).map((c) => c.seq));
  const hashes = new Map<number, string>();
  let head = { seq: 0, hash: GENESIS };
  let logId: string | undefined;
  let containsFound = false;
  /** Where the lines not yet vouched for start. */
  let offset = 0;
  try {
    const data: VerifyWorkerData = { bytes: key.bytes, id: key.id, source: key.source, wanted: [...wanted], contains: options.contains };
    for (let t = 0; t < threads; t++) checkers.push(new Checker(data));
    let position = 0;
    let job = 0;
    let reading = true;
    for (;;) {
      while (reading && inflight.length < threads * 2 && position < size) {
        // A chunk ends after its last newline; one line longer than a chunk gets a bigger one.
        let want = chunk;
        let buf: Buffer;
        let lastNl: number;
        for (;;) {
          buf = Buffer.allocUnsafeSlow(want);
          const { bytesRead } = await fh.read(buf, 0, want, position);
          lastNl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
          if (lastNl >= 0 || bytesRead < want || want >= MAX_LINE) break;
          want *= 4;
        }
        // The tail (bytes after the last newline), or an absurdly long line: verifyLog takes over there.
        if (lastNl < 0) {
          reading = false;
          break;
        }
        inflight.push({ base: position, result: checkers[job % threads]!.check(job, buf, lastNl + 1) });
        job++;
        position += lastNl + 1;
      }
      const next = inflight.shift();
      if (next === undefined) break;
      const r = await next.result;
      // The chunk's lines chain to each other (the worker checked); its first must chain to the head.
      if (r.count === 0 || r.firstSeq !== head.seq + 1 || r.firstPrev !== head.hash) break;
      if (head.seq === 0) logId = r.firstHash;
      head = { seq: r.firstSeq + r.count - 1, hash: r.lastHash };
      if (r.containsFound) containsFound = true;
      for (const [seq, hash] of r.found) hashes.set(seq, hash);
      offset = next.base + r.end + 1;
      if (r.stopped) break;
    }
  } finally {
    // Jobs still running are abandoned with their workers.
    for (const j of inflight) j.result.catch(() => {});
    await Promise.all([fh.close(), ...checkers.map((c) => c.stop())]);
  }
  return { head, logId: logId ?? GENESIS, offset, containsFound, hashes };
}
