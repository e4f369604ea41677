// The dashboard's golden signals (server/value/signals.ts), read from the service's real metrics
// registry (server/metrics.ts) after known observations: latency quantiles of `POST /v1/decisions`
// only, the 5xx share, decisions per second, requests in flight and the store pool's use.
import { describe, expect, it } from "vitest";
import { Metrics } from "../../server/metrics.ts";
import { goldenSignals, histogramQuantile } from "../../server/value/signals.ts";

describe("histogramQuantile", () => {
  const buckets = [
    { le: 1, count: 10 },
    { le: 2, count: 20 },
    { le: Number.POSITIVE_INFINITY, count: 20 },
  ];

  it("interpolates within the bucket the quantile falls in, as Prometheus does", () => {
    expect(histogramQuantile(buckets, 0.5)).toBe(1);
    expect(histogramQuantile(buckets, 0.75)).toBe(1.5);
    expect(histogramQuantile(buckets, 0.25)).toBe(0.5);
  });

  it("answers the largest finite bound for the +Inf bucket, and null without observations", () => {
    expect(histogramQuantile([...buckets.slice(0, 2), { le: Number.POSITIVE_INFINITY, count: 40 }], 0.99)).toBe(2);
    expect(histogramQuantile([{ le: 1, count: 0 }], 0.5)).toBeNull();
    expect(histogramQuantile([], 0.5)).toBeNull();
  });
});

describe("goldenSignals", () => {
  it("reads latency, errors, throughput and saturation from the service's registry", async () => {
    const metrics = new Metrics(() => ({ total: 4, idle: 1, waiting: 2 }));
    for (let i = 0; i < 100; i++) metrics.httpDuration.observe({ route: "/v1/decisions", method: "POST" }, 0.003);
    // Other routes do not count towards the decision latency.
    for (let i = 0; i < 100; i++) metrics.httpDuration.observe({ route: "/metrics", method: "GET" }, 2);
    metrics.httpRequests.inc({ route: "/v1/decisions", method: "POST", status: "200" }, 98);
    metrics.httpRequests.inc({ route: "/v1/decisions", method: "POST", status: "503" }, 2);
    metrics.decisions.inc({ journey: "renewal_reminder_d90", outcome: "acted" }, 30);
    metrics.decisions.inc({ journey: "renewal_reminder_d90", outcome: "held_out" }, 20);
    metrics.inflight.inc(3);
    const start = (await metrics.registry.getSingleMetric("kairos_process_process_start_time_seconds")!.get()).values[0]!.value;
    const s = await goldenSignals(metrics.registry, (start + 100) * 1000);
    // All 100 in the (2.5 ms, 5 ms] bucket: the median is half way through it.
    expect(s.latencyMs.p50).toBeCloseTo(3.75, 6);
    expect(s.latencyMs.p99).toBeCloseTo(4.975, 6);
    expect(s.errorRate).toBeCloseTo(0.02, 10);
    expect(s.throughput).toBeCloseTo(0.5, 10);
    expect(s.uptimeSeconds).toBe(100);
    expect(s.inflight).toBe(3);
    expect(s.saturation).toEqual({ poolBusy: 3, poolTotal: 4, waiting: 2 });
  });

  it("says nothing it does not know on a service that has answered nothing", async () => {
    const s = await goldenSignals(new Metrics().registry, Date.now());
    expect(s.latencyMs).toEqual({ p50: null, p95: null, p99: null });
    expect(s.errorRate).toBeNull();
    expect(s.throughput).toBe(0);
  });
});
