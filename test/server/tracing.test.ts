// The service's spans (server/tracing.ts) with a real OpenTelemetry SDK provider and an in-memory
// exporter: a decision gives its request span and one child span per stage; a request span that
// records nothing (sampled out) gets no stage spans — the shortcut that spares untraced
// decisions eight no-op spans must not drop a single span of a traced one.
import { trace } from "@opentelemetry/api";
import { AlwaysOffSampler, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterEach, describe, expect, test } from "vitest";
import { endRequestSpan, requestSpan, stageSpan } from "../../server/tracing.ts";
import { daily, RENEWAL_CONSENT, startTestServer } from "./helpers.ts";

afterEach(() => {
  trace.disable();
});

function install(options: { sampled: boolean }): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    ...(options.sampled ? {} : { sampler: new AlwaysOffSampler() }),
  });
  trace.setGlobalTracerProvider(provider);
  return exporter;
}

describe("stage spans", () => {
  test("a traced decision has its request span and a child span per stage, validate, state and commit among them", async () => {
    const exporter = install({ sampled: true });
    const t = await startTestServer({ clock: "request", store: "sqlite:" });
    try {
      expect((await t.call("POST", "/v1/subjects/trace-1/consents", { records: [RENEWAL_CONSENT] })).status).toBe(201);
      exporter.reset();
      const r = await t.call("POST", "/v1/decisions", daily("trace-1", "evt-trace", "2026-05-30T09:00:00Z"));
      expect(r.status).toBe(200);
      const spans = exporter.getFinishedSpans();
      const request = spans.find((s) => s.name === "POST /v1/decisions");
      expect(request).toBeDefined();
      const children = spans.filter((s) => s.parentSpanContext?.spanId === request!.spanContext().spanId).map((s) => s.name);
      for (const stage of ["kairos.validate", "kairos.state", "kairos.commit"]) expect(children).toContain(stage);
      expect(spans.every((s) => s.spanContext().traceId === request!.spanContext().traceId)).toBe(true);
    } finally {
      await t.close();
    }
  });

  test("a request span that is not recorded gets no stage spans; a recorded one gets each stage it reports", () => {
    const off = install({ sampled: false });
    const quiet = requestSpan("POST", "/v1/decisions");
    expect(quiet.isRecording()).toBe(false);
    stageSpan(quiet, "validate", 1);
    endRequestSpan(quiet, 200);
    expect(off.getFinishedSpans()).toEqual([]);
    trace.disable();
    const on = install({ sampled: true });
    const loud = requestSpan("POST", "/v1/decisions");
    stageSpan(loud, "validate", 1);
    stageSpan(loud, "commit", 2);
    endRequestSpan(loud, 200);
    expect(on.getFinishedSpans().map((s) => s.name)).toEqual(["kairos.validate", "kairos.commit", "POST /v1/decisions"]);
  });
});
