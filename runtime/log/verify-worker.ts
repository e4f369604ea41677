// A worker thread of `kairos log verify` (verify-parallel.ts): it receives chunks of a log —
// whole lines, each ending with a newline — and checks each line on the fast path
// (fast-check.ts: its bytes against its hash, its MAC under the integrity key), returning for
// every line its seq, prev and hash, up to the first line the fast path does not vouch for.
// The chain check (seq after seq, prev equal to the previous hash) is the main thread's.
import { parentPort, workerData } from "node:worker_threads";
import { fastLineCheck } from "./fast-check.ts";
import { EntryMac } from "./hash.ts";

/** A chunk to check. */
export interface VerifyJob {
  readonly job: number;
  readonly buffer: ArrayBuffer;
  readonly length: number;
}

/** The lines of a chunk, in order, up to (and including) the first one the fast path refused. */
export interface VerifyJobResult {
  readonly job: number;
  /** Each line's seq; 0 for a line the fast path refused (always the last one). */
  readonly seqs: Float64Array;
  /** Offset of each line's newline in the chunk. */
  readonly ends: Uint32Array;
  /** 64 hex digits per line: its hash (zeros for a refused line). */
  readonly hashes: string;
  /** 64 hex digits per line: its prev (zeros for a refused line). */
  readonly prevs: string;
}

const NONE = "0".repeat(64);
const data = workerData as { bytes: Uint8Array; id: string; source: string };
const mac = new EntryMac({ bytes: data.bytes, id: data.id, source: data.source });
let scratch = Buffer.allocUnsafe(1 << 16);

parentPort?.on("message", (msg: VerifyJob) => {
  const buf = Buffer.from(msg.buffer, 0, msg.length);
  const seqs: number[] = [];
  const ends: number[] = [];
  let hashes = "";
  let prevs = "";
  let start = 0;
  for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
    if (scratch.length < nl - start) scratch = Buffer.allocUnsafe(nl - start);
    const r = fastLineCheck(buf, start, nl, mac, scratch);
    ends.push(nl);
    if (r === undefined) {
      seqs.push(0);
      hashes += NONE;
      prevs += NONE;
      break;
    }
    seqs.push(r.seq);
    hashes += r.hash;
    prevs += r.prev;
    start = nl + 1;
  }
  const result: VerifyJobResult = { job: msg.job, seqs: Float64Array.from(seqs), ends: Uint32Array.from(ends), hashes, prevs };
  parentPort?.postMessage(result);
});
