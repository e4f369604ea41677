// How the decision benchmark feeds a contender: a fixed number of decisions in flight, each lane
// starting its next request when its last one is answered, as a service's connections do (so that
// a log that group-commits has concurrent appends to share an fdatasync), or one at a time.
import type { BenchRequest, Verdict } from "./workload.ts";

/** A contender's decision: synchronous, or a promise. */
export type Decide = (req: BenchRequest) => Verdict | Promise<Verdict>;

/**
 * Decides every request, `inFlight` at a time (each lane takes the next request when its last
 * one is done, as a service's connections do); `samples` gets each decision's latency in µs.
 */
export async function drive(requests: readonly BenchRequest[], decide: Decide, inFlight: number, samples?: number[]): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const t = performance.now();
      const v = decide(r);
      if (v instanceof Promise) await v;
      samples?.push((performance.now() - t) * 1000);
    }
  };
  if (inFlight <= 1) return lane();
  await Promise.all(Array.from({ length: Math.min(inFlight, requests.length) }, lane));
}
