// The scoreboard in the service (docs/value.md#the-dashboard-dashboard): `GET /dashboard`, one
// self-contained HTML page (inline CSS and SVG, no script, nothing fetched) with the value of each
// journey node, its stop-loss state, the golden signals and consent health; and `GET /v1/value`,
// the same figures as JSON (the ValueReport `kairos report value --format json` prints). Read
// routes: a token with `metrics` or `audit:read`, like /metrics. The figures are aggregates over
// the store (no subject appears); they are computed on each request, judged at the service's clock
// or at `?as_of=`.
import type { FastifyRequest } from "fastify";
import { HttpError } from "../errors.ts";
import { fromStore } from "../service.ts";
import type { Store } from "../store/types.ts";
import { collectValueReport, type ValueSource } from "../value/analysis.ts";
import { AS_OF_EXAMPLE, parseAsOf } from "../value/as-of.ts";
import { VALUE_DEADLINE_MS, withinDeadline } from "../value/deadline.ts";
import { renderValueHtml } from "../value/render-html.ts";
import { goldenSignals } from "../value/signals.ts";
import type { ValueReport } from "../value/types.ts";
import { errorsOf, type RouteContext, type RouteSpec } from "./route.ts";

const AS_OF = {
  type: "string",
  minLength: 1,
  maxLength: 64,
  description: `judge the goal windows at this time (ISO 8601 with an offset, like \`${AS_OF_EXAMPLE}\`); default: the service's clock`,
} as const;

const DASHBOARD_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: {
    as_of: AS_OF,
    refresh: {
      type: "string",
      pattern: "^(?:[1-9][0-9]{1,2}|[1-2][0-9]{3}|3[0-5][0-9]{2}|3600)$",
      description: "reload the page every this many seconds, 10–3600 (a wall screen); default: never",
    },
  },
} as const;

const AS_OF_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: { as_of: AS_OF },
} as const;

const ESTIMATE = {
  type: "object",
  properties: { estimate: { type: ["number", "null"] }, low: { type: ["number", "null"] }, high: { type: ["number", "null"] } },
} as const;

/** The ValueReport's outline, for the OpenAPI document (docs/value.md lists every member). */
const VALUE_REPORT = {
  type: "object",
  description: "the scoreboard: per journey node its arms, uplift with 95% intervals, cost, return and stop-loss state; totals; consent health",
  properties: {
    asOf: { type: "string" },
    artifact: { type: "string" },
    currency: { type: "string" },
    journeys: {
      type: "array",
      items: {
        type: "object",
        properties: {
          journey: { type: "string" },
          goal: { type: "object", properties: { type: { type: "string" }, within: { type: "string" } } },
          upliftAbs: ESTIMATE,
          upliftRel: ESTIMATE,
          incrementalConversions: ESTIMATE,
          cost: { type: "number" },
          return: ESTIMATE,
          verdict: { type: "string", enum: ["positive", "negative", "inconclusive", "no_control"] },
          stopLoss: { type: "object", properties: { state: { type: "string", enum: ["running", "stopped"] } } },
        },
      },
    },
    totals: { type: "object" },
    global: { type: "object" },
    outcomes: { type: "object" },
    consent: { type: "object" },
    signals: { type: "object" },
  },
} as const;

/** The store's proof-of-value methods, or a 503 saying the store lacks them. */
function valueSource(store: Store): ValueSource {
  const s = store as Store & Partial<ValueSource>;
  if (
    typeof s.valueAggregates !== "function" ||
    typeof s.journeyVolumes !== "function" ||
    typeof s.outcomeCounts !== "function" ||
    typeof s.decisionMix !== "function" ||
    typeof s.journeyControls !== "function"
  ) {
    throw new HttpError(503, "store_unavailable", "this service's store keeps no outcomes or assignments", {
      hint: "serve with a store `openStore` opens (embedded, SQLite or PostgreSQL)",
      headers: { "retry-after": "60" },
    });
  }
  return s as ValueSource;
}

/** `?as_of=` as an ISO time, else the service's clock now. */
function asOfOf(ctx: RouteContext, request: FastifyRequest): string {
  const given = (request.query as { as_of?: string } | undefined)?.as_of;
  if (given === undefined) return new Date(ctx.service.clock.now()).toISOString();
  const ms = parseAsOf(given);
  if (ms === undefined) {
    throw new HttpError(400, "invalid_request", "the query is invalid", {
      problems: [{ path: "(query) as_of", message: "is not an ISO 8601 time with an offset" }],
      hint: `write it like \`${AS_OF_EXAMPLE}\``,
    });
  }
  return new Date(ms).toISOString();
}

/** The scoreboard of the service's artifact and store now, with the service's golden signals. */
async function report(ctx: RouteContext, request: FastifyRequest): Promise<ValueReport> {
  const asOf = asOfOf(ctx, request);
  const source = valueSource(ctx.store);
  const signals = await goldenSignals(ctx.metrics.registry, Date.now());
  const figures = collectValueReport(source, {
    asOf,
    artifact: ctx.engine.hash,
    journeys: ctx.engine.predicates.journeys.map((j) => j.meta),
    value: ctx.engine.catalog.value,
    signals,
  });
  const late = () =>
    new HttpError(503, "store_unavailable", `the store did not answer the value figures within ${VALUE_DEADLINE_MS / 1000} s`, {
      hint: "retry later; a store that stays this slow needs looking at",
      headers: { "retry-after": "5" },
    });
  return fromStore("reading the value figures", () => withinDeadline(figures, VALUE_DEADLINE_MS, late));
}

/** The scoreboard's routes: the page and its figures as JSON. */
export const dashboardRoutes: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/dashboard",
    tag: "value",
    summary: "The scoreboard as an HTML page: value per journey node, stop-loss states, golden signals, consent health",
    description:
      "A self-contained page (inline CSS and SVG charts, no script, nothing fetched): per journey node its volume, outcome mix, uplift with 95% " +
      "intervals, cost and return, and stop-loss state; beside them the service's golden signals and consent health (docs/value.md).",
    scopes: ["metrics", "audit:read"],
    schema: { querystring: DASHBOARD_QUERY },
    responses: { 200: { description: "the dashboard page", text: "text/html" }, ...errorsOf() },
    async handler(ctx, request, reply) {
      const refresh = (request.query as { refresh?: string } | undefined)?.refresh;
      const html = renderValueHtml(await report(ctx, request), { dashboard: true, ...(refresh !== undefined ? { refreshSeconds: Number(refresh) } : {}) });
      reply
        .type("text/html; charset=utf-8")
        .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'")
        .header("cache-control", "no-store");
      return html;
    },
  },
  {
    method: "GET",
    url: "/v1/value",
    tag: "value",
    summary: "The scoreboard's figures as JSON (the ValueReport)",
    description: "What /dashboard draws and `kairos report value --format json` prints, with the service's golden signals (docs/value.md).",
    scopes: ["metrics", "audit:read"],
    schema: { querystring: AS_OF_QUERY },
    responses: { 200: { description: "the ValueReport", schema: VALUE_REPORT }, ...errorsOf() },
    async handler(ctx, request, reply) {
      reply.header("cache-control", "no-store");
      return report(ctx, request);
    },
  },
];
