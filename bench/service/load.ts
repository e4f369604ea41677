// The load generator of the service benchmark: autocannon with a fixed number of connections
// for a fixed time, each request the next body of one workload (shared by both servers), every
// body with its own event id (a repeated id would be an idempotent replay on Kairos, not a
// decision). Latencies are taken from autocannon's per-response times (fractional ms) rather
// than its histogram, which has 1 ms resolution — too coarse for loopback servers.
import autocannon from "autocannon";
import { percentile, round } from "../stats.ts";

/** A body template: the request's JSON text split around its event id. */
export interface BodyTemplate {
  readonly before: string;
  readonly after: string;
}

/** Splits `JSON.stringify(request)` around the event id, so each send can put a fresh one in. */
export function templateOf(request: unknown, eventId: string): BodyTemplate {
  const text = JSON.stringify(request);
  const quoted = JSON.stringify(eventId);
  const at = text.indexOf(quoted);
  if (at < 0 || text.indexOf(quoted, at + 1) >= 0) throw new Error(`the event id ${quoted} must occur exactly once in the request`);
  return { before: text.slice(0, at + 1), after: text.slice(at + quoted.length - 1) };
}

export interface LoadOptions {
  /** Base URL, like http://127.0.0.1:8181 */
  readonly url: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly templates: readonly BodyTemplate[];
  /** Prefix of the generated event ids (distinct per run, so no id repeats across runs). */
  readonly idPrefix: string;
  readonly connections: number;
  readonly seconds: number;
}

/** What one bounded run measured. */
export interface LoadResult {
  /** 2xx responses. */
  readonly ok: number;
  readonly decisions_s: number;
  readonly p50_us: number;
  readonly p99_us: number;
  /** Responses that were not 2xx, by status. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  readonly seconds: number;
  /** Every 2xx latency in ms, sorted (to merge runs). */
  readonly samples: readonly number[];
}

/** Several runs against one server as one: answers over total time, percentiles over every answer. */
export function merge(runs: readonly LoadResult[]): LoadResult {
  const samples = runs.flatMap((r) => r.samples).sort((a, b) => a - b);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [k, n] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + n;
  return {
    ok: samples.length,
    decisions_s: round(samples.length / Math.max(seconds, 1e-9)),
    p50_us: round(percentile(samples, 50) * 1000),
    p99_us: round(percentile(samples, 99) * 1000),
    statuses,
    errors: runs.reduce((s, r) => s + r.errors, 0),
    timeouts: runs.reduce((s, r) => s + r.timeouts, 0),
    seconds,
    samples,
  };
}

/** Runs autocannon against one server; resolves with the figures. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const body = (): string => {
    const n = next++;
    const t = o.templates[n % o.templates.length]!;
    return `${t.before}${o.idPrefix}-${n}${t.after}`;
  };
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let finish!: (r: autocannon.Result) => void;
  let fail!: (e: unknown) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: o.url,
      connections: o.connections,
      duration: o.seconds,
      // Each request waits for its answer (no pipelining): a caller waiting for a decision.
      pipelining: 1,
      timeout: 10,
      requests: [
        {
          method: "POST",
          path: o.path,
          headers: { "content-type": "application/json", ...o.headers },
          setupRequest: (req) => ({ ...req, body: body() }),
        },
      ],
    },
    (err, result) => (err ? fail(err) : finish(result)),
  );
  instance.on("response", (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
    else statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
  });
  const result = await finished;
  latencies.sort((a, b) => a - b);
  return {
    ok: latencies.length,
    decisions_s: round(latencies.length / result.duration),
    p50_us: round(percentile(latencies, 50) * 1000),
    p99_us: round(percentile(latencies, 99) * 1000),
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    samples: latencies,
  };
}
