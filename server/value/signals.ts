// The dashboard's golden signals (docs/value.md#the-dashboard-dashboard), read from the running
// service's own metrics registry (server/metrics.ts) — the same numbers `/metrics` exposes, so
// the page and a Prometheus scrape never disagree: decision latency (quantiles of
// `kairos_http_request_duration_seconds` for `POST /v1/decisions`, interpolated within buckets as
// Prometheus' `histogram_quantile` does), errors (5xx share of `kairos_http_requests_total`),
// throughput (`kairos_decisions_total` over the process's life) and saturation (requests in
// flight, the store's pool). Consent health comes from the store (analysis.ts), not from here.
import type { Registry } from "prom-client";
import type { GoldenSignals } from "./types.ts";

/** The route whose latency is the decision latency. */
const DECISION_ROUTE = "/v1/decisions";

/** One cumulative histogram bucket: observations ≤ `le` seconds. */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The `q` quantile (0..1) of a cumulative histogram, as Prometheus' `histogram_quantile`: linear
 * within the bucket it falls in (from 0 for the first); in the `+Inf` bucket, the largest finite
 * bound. Null without observations.
 */
export function histogramQuantile(buckets: readonly Bucket[], q: number): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0 || !(q >= 0 && q <= 1)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket <= 0 ? b.le : prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = Number.isFinite(b.le) ? b.le : prevLe;
    prevCount = b.count;
  }
  return prevLe;
}

interface Sample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number | undefined>>;
  readonly metricName?: string;
}

async function samples(registry: Registry, name: string): Promise<readonly Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  return (await metric.get()).values as readonly Sample[];
}

function sum(values: readonly Sample[], keep: (s: Sample) => boolean = () => true): number {
  return values.reduce((n, s) => (keep(s) && Number.isFinite(s.value) ? n + s.value : n), 0);
}

/**
 * The golden signals of the service whose metrics are in `registry`, at `nowMs` (epoch ms): latency
 * quantiles in ms, error rate, decisions per second since the process started, and saturation.
 */
export async function goldenSignals(registry: Registry, nowMs: number): Promise<GoldenSignals> {
  const duration = await samples(registry, "kairos_http_request_duration_seconds");
  const buckets = duration
    .filter((s) => s.metricName?.endsWith("_bucket") && s.labels["route"] === DECISION_ROUTE && s.labels["method"] === "POST")
    .map((s) => ({ le: s.labels["le"] === "+Inf" ? Number.POSITIVE_INFINITY : Number(s.labels["le"]), count: s.value }));
  const ms = (q: number) => {
    const v = histogramQuantile(buckets, q);
    return v === null ? null : Math.round(v * 1e6) / 1e3;
  };
  const requests = await samples(registry, "kairos_http_requests_total");
  const all = sum(requests);
  const failed = sum(requests, (s) => String(s.labels["status"] ?? "").startsWith("5"));
  const decisions = sum(await samples(registry, "kairos_decisions_total"));
  const started = sum(await samples(registry, "kairos_process_process_start_time_seconds"));
  const uptimeSeconds = started > 0 ? Math.max(0, nowMs / 1000 - started) : 0;
  const gauge = async (name: string) => sum(await samples(registry, name));
  const poolTotal = await gauge("kairos_store_pool_connections");
  const poolIdle = await gauge("kairos_store_pool_idle");
  return {
    latencyMs: { p50: ms(0.5), p95: ms(0.95), p99: ms(0.99) },
    errorRate: all > 0 ? failed / all : null,
    throughput: uptimeSeconds > 0 ? decisions / uptimeSeconds : 0,
    inflight: await gauge("kairos_inflight_requests"),
    saturation: { poolBusy: Math.max(0, poolTotal - poolIdle), poolTotal, waiting: await gauge("kairos_store_pool_waiting") },
    uptimeSeconds: Math.round(uptimeSeconds),
  };
}
