// A worker thread of `kairos log verify` (verify-parallel.ts): it receives chunks of a log —
// whole lines, each ending with a newline — and checks each line on the fast path
// (fast-check.ts: its bytes against its hash, its MAC under the integrity key) and each line's
// seq and prev against the line before it in the chunk, up to the first line that fails either.
// It answers with the chunk's ends only (its first seq and prev, its last hash), so the main
// thread's chain check is one comparison per chunk.
import { parentPort, workerData } from "node:worker_threads";
import { fastLineSpans, sameText } from "./fast-check.ts";
import { EntryMac } from "./hmac.ts";

/** A chunk to check. */
export interface VerifyJob {
  readonly job: number;
  readonly buffer: ArrayBuffer;
  readonly length: number;
}

/** What a worker is started with. */
export interface VerifyWorkerData {
  readonly bytes: Uint8Array;
  readonly id: string;
  readonly source: string;
  /** The seqs whose hashes the caller wants (checkpoints). */
  readonly wanted: readonly number[];
  /** A hash to look for (`--contains`). */
  readonly contains: string | undefined;
}

/**
 * The chunk's leading run of lines that the fast path vouched for and that chain to each other:
 * `count` lines, the first with `firstSeq` and `firstPrev`, the last with `lastHash`, ending at
 * `end` (the offset of its newline in the chunk). `stopped` when a line after them was refused
 * or did not chain (the main thread hands over to the sequential check there).
 */
export interface VerifyJobResult {
  readonly job: number;
  readonly count: number;
  readonly firstSeq: number;
  readonly firstPrev: string;
  readonly firstHash: string;
  readonly lastHash: string;
  readonly end: number;
  readonly stopped: boolean;
  readonly containsFound: boolean;
  /** The wanted seqs among the lines, each with its hash. */
  readonly found: ReadonlyArray<readonly [number, string]>;
}

const data = workerData as VerifyWorkerData;
const mac = new EntryMac({ bytes: data.bytes, id: data.id, source: data.source });
const wanted = new Set(data.wanted);
let scratch = Buffer.allocUnsafe(1 << 16);

parentPort?.on("message", (msg: VerifyJob) => {
  const buf = Buffer.from(msg.buffer, 0, msg.length);
  let count = 0;
  let firstSeq = 0;
  let firstPrev = "";
  let firstHash = "";
  let lastSeq = 0;
  let lastHash = "";
  let end = -1;
  let stopped = false;
  let containsFound = false;
  const found: Array<readonly [number, string]> = [];
  let start = 0;
  for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
    if (scratch.length < nl - start) scratch = Buffer.allocUnsafe(nl - start);
    const r = fastLineSpans(buf, start, nl, mac, scratch);
    if (r === undefined || (count > 0 && (r.seq !== lastSeq + 1 || !sameText(buf, r.prevAt, lastHash)))) {
      stopped = true;
      break;
    }
    if (count === 0) {
      firstSeq = r.seq;
      firstPrev = buf.toString("latin1", r.prevAt, r.prevAt + 64);
      firstHash = r.hash;
    }
    count++;
    lastSeq = r.seq;
    lastHash = r.hash;
    end = nl;
    if (r.hash === data.contains) containsFound = true;
    if (wanted.has(r.seq)) found.push([r.seq, r.hash]);
    start = nl + 1;
  }
  const result: VerifyJobResult = { job: msg.job, count, firstSeq, firstPrev, firstHash, lastHash, end, stopped, containsFound, found };
  parentPort?.postMessage(result);
});
