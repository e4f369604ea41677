// OpenTelemetry for the decision service (docs/service.md#tracing): a span per HTTP request and
// one per decision stage (validate, state, policy, fetch, predicates, guardrails, log, commit),
// through `@opentelemetry/api` only — a no-op unless a tracer provider is registered. When
// OTEL_EXPORTER_OTLP_ENDPOINT is set (or tracing is forced on), `startTracing` registers the
// SDK's provider with a batching OTLP/HTTP exporter; otherwise nothing is loaded.
import { context, type Span, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";

/** The service's tracer (no-op until a provider is registered). */
export function tracer(): Tracer {
  return trace.getTracer("kairos-serve");
}

/** What `startTracing` set up; `shutdown` flushes and stops the exporter. */
export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

/**
 * Registers an SDK tracer provider exporting over OTLP/HTTP when `enabled` (default: when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set). The exporter reads the standard OTEL_* variables.
 */
export async function startTracing(enabled: boolean = Boolean(process.env["OTEL_EXPORTER_OTLP_ENDPOINT"])): Promise<Tracing> {
  if (!enabled) return { enabled: false, shutdown: async () => {} };
  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }] = await Promise.all([
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/exporter-trace-otlp-http"),
  ]);
  const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })] });
  trace.setGlobalTracerProvider(provider);
  return {
    enabled: true,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
    },
  };
}

/**
 * A child span of `parent` that covered the last `ms` milliseconds (stages are measured, then
 * reported). Nothing when the parent records nothing (no tracer provider, or not sampled): its
 * children would be dropped anyway, and a decision reports eight stages.
 */
export function stageSpan(parent: Span | undefined, stage: string, ms: number): void {
  if (parent !== undefined && !parent.isRecording()) return;
  const t = tracer();
  const end = Date.now();
  const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
  const span = t.startSpan(`kairos.${stage}`, { startTime: end - ms, attributes: { "kairos.stage": stage } }, ctx);
  span.end(end);
}

/** Starts a span for an HTTP request. */
export function requestSpan(method: string, route: string): Span {
  return tracer().startSpan(`${method} ${route}`, { attributes: { "http.request.method": method, "http.route": route } });
}

/** Ends a request span with its status code. */
export function endRequestSpan(span: Span, status: number): void {
  span.setAttribute("http.response.status_code", status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
