// Operating the service: liveness, readiness (artifact loaded, store reachable, migrations
// applied), Prometheus metrics, and — on `--clock request` — running due wake-ups up to a
// simulated time. The OpenAPI document's route is added by app.ts (it is built from the others).
import { activationFor, readyJourneys } from "../activation.ts";
import { HttpError } from "../errors.ts";
import type { Applied } from "../rollout/router.ts";
import { WAKEUPS_RUN_BODY } from "../schemas.ts";
import { errorsOf, type RouteSpec } from "./route.ts";

const READY_TIMEOUT_MS = 2000;

/** The /readyz member of the rollout: the generation applied here and its versions. */
function rolloutReady(a: Applied): Record<string, unknown> {
  return {
    generation: a.state.generation,
    mode: a.state.mode,
    stable: a.stable.name,
    ...(a.candidate ? { candidate: a.candidate.name, ...(a.state.percent === undefined ? {} : { percent: a.state.percent }) } : {}),
  };
}

export const opsRoutes: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/healthz",
    tag: "operations",
    summary: "Liveness: the process answers",
    responses: { 200: { description: '`{"status":"ok"}`', schema: { type: "object", properties: { status: { type: "string" } } } } },
    async handler() {
      return { status: "ok" };
    },
  },
  {
    method: "GET",
    url: "/readyz",
    tag: "operations",
    summary: "Readiness: the artifact is loaded, the store answers and its migrations are applied",
    responses: {
      200: { description: "ready", schema: { type: "object" } },
      503: { description: "`not_ready`, with what is missing" },
    },
    async handler(ctx) {
      let timer: NodeJS.Timeout | undefined;
      const health = await Promise.race([
        ctx.store
          .health()
          .catch((e: unknown) => ({ reachable: false, migrations: { applied: [], pending: [] }, problem: e instanceof Error ? e.message : String(e) })),
        new Promise<{ reachable: false; migrations: { applied: []; pending: [] }; problem: string }>((resolve) => {
          timer = setTimeout(
            () => resolve({ reachable: false, migrations: { applied: [], pending: [] }, problem: `no answer within ${READY_TIMEOUT_MS} ms` }),
            READY_TIMEOUT_MS,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      if (!health.reachable || health.migrations.pending.length > 0) {
        const why = !health.reachable
          ? `the store (${ctx.store.kind}) does not answer${health.problem ? `: ${health.problem}` : ""}`
          : `the store lacks migrations ${health.migrations.pending.join(", ")}`;
        throw new HttpError(503, "not_ready", why, { hint: "check the store; the service decides again once it answers", headers: { "retry-after": "1" } });
      }
      // Journeys waiting for a DPO approval (docs/approvals.md), when the artifact has any that need one.
      const activation = activationFor(ctx.engine);
      return {
        status: "ready",
        artifact: ctx.engine.hash,
        ...(activation ? { journeys: readyJourneys(activation) } : {}),
        store: { kind: ctx.store.kind, location: ctx.store.location, migrations: health.migrations.applied },
        clock: ctx.service.clock.mode,
        // The version set this instance decides with (docs/rollout.md).
        rollout: rolloutReady(ctx.service.router.applied),
      };
    },
  },
  {
    method: "GET",
    url: "/metrics",
    tag: "operations",
    summary: "Prometheus metrics",
    scopes: ["metrics", "audit:read"],
    responses: { 200: { description: "Prometheus text exposition", text: "text/plain" }, ...errorsOf() },
    async handler(ctx, _request, reply) {
      reply.type(ctx.metrics.contentType);
      return ctx.metrics.text();
    },
  },
  {
    method: "POST",
    url: "/v1/admin/wakeups/run",
    tag: "operations",
    summary: "Run the wake-ups due up to a time (`--clock request` only)",
    description: "Runs every wake-up due at or before `until`, in due order, each decided at its due time; answers how many ran.",
    scopes: ["admin"],
    schema: { body: WAKEUPS_RUN_BODY },
    responses: {
      200: {
        description: "how many ran, were duplicates of decisions already made, or failed",
        schema: { type: "object", properties: { ran: { type: "integer" }, duplicates: { type: "integer" }, failed: { type: "integer" } } },
      },
      ...errorsOf(409),
    },
    async handler(ctx, request) {
      return ctx.runner.runUntil((request.body as { until: string }).until);
    },
  },
];
