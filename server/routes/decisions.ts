// Decision routes: make one (`POST /v1/decisions`, idempotent by event id), read one back as
// the store logged it, and render its rationale for a legal reviewer or the customer.
import { canonicalJson } from "../../core/canonical-json.ts";
import type { RationaleFormat } from "../../runtime/rationale/index.ts";
import { HttpError } from "../errors.ts";
import { RATIONALE_MEDIA, renderStoredRationale } from "../rationale.ts";
import { DECISION_BODY, DECISION_PARAMS, DECISION_SCHEMA, RATIONALE_QUERY } from "../schemas.ts";
import { fromStore } from "../service.ts";
import { errorsOf, type RouteContext, type RouteSpec } from "./route.ts";

function decisionNotFound(id: string): HttpError {
  return new HttpError(404, "decision_not_found", `no decision \`${id}\` in the store`, {
    hint: "decision ids are returned by POST /v1/decisions (`decision_id`)",
  });
}

async function stored(ctx: RouteContext, id: string) {
  const found = await fromStore("reading the decision", () => ctx.store.getDecision(id));
  if (!found) throw decisionNotFound(id);
  return found;
}

export const decisionRoutes: readonly RouteSpec[] = [
  {
    method: "POST",
    url: "/v1/decisions",
    tag: "decisions",
    summary: "Decide on an event",
    description:
      "The runtime request (docs/request.md) without `consents`, `objections` and `history`: the service reads them from its store. " +
      "Idempotent by (subject, event.id, event.timer): the same event again returns the first decision with `Kairos-Idempotent-Replay: true`. " +
      "The answer is sent once the decision is committed.",
    scopes: ["decide"],
    schema: { body: DECISION_BODY },
    responses: { 200: { description: "the decision (committed)", schema: DECISION_SCHEMA }, ...errorsOf() },
    preValidation(ctx, request) {
      const body = request.body;
      if (body === null || typeof body !== "object" || Array.isArray(body)) return;
      ctx.service.checkNoState(body as Record<string, unknown>);
      if (ctx.service.clock.mode === "system" && Object.hasOwn(body, "now")) ctx.service.timeOf(body as Record<string, unknown>);
    },
    async handler(ctx, request, reply, span) {
      const result = await ctx.service.decide(request.body as Record<string, unknown>, span);
      if (result.replay) reply.header("kairos-idempotent-replay", "true");
      reply.type("application/json; charset=utf-8");
      return canonicalJson(result.decision, 0, []);
    },
  },
  {
    method: "GET",
    url: "/v1/decisions/:id",
    tag: "decisions",
    summary: "A committed decision and where it sits in the log",
    scopes: ["audit:read"],
    schema: { params: DECISION_PARAMS },
    responses: {
      200: {
        description: "the decision, its subject and event key, and its log position",
        schema: {
          type: "object",
          properties: { decision: DECISION_SCHEMA, subject: { type: "string" }, event: { type: "object" }, log: { type: "object" } },
        },
      },
      ...errorsOf(404),
    },
    async handler(ctx, request) {
      const { id } = request.params as { id: string };
      const d = await stored(ctx, id);
      return {
        decision: d.decision,
        subject: d.subject,
        event: { id: d.key.eventId, ...(d.key.timer ? { timer: d.key.timer } : {}) },
        log: { shard: d.position.shard, seq: d.position.seq, hash: d.position.hash },
      };
    },
  },
  {
    method: "GET",
    url: "/v1/decisions/:id/rationale",
    tag: "decisions",
    summary: "Why a decision came out as it did, rendered from its log entry",
    description: "`format`: `md` (default), `html` (a self-contained page), `text`, or `customer` (the one customer-facing sentence) — as `kairos explain`.",
    scopes: ["audit:read"],
    schema: { params: DECISION_PARAMS, querystring: RATIONALE_QUERY },
    responses: { 200: { description: "the rationale", text: "text/markdown" }, ...errorsOf(404) },
    async handler(ctx, request, reply) {
      const { id } = request.params as { id: string };
      const format = ((request.query as { format?: string }).format ?? "md") as RationaleFormat;
      const d = await stored(ctx, id);
      const { text, intact } = renderStoredRationale(d, ctx.engine.hash, ctx.service.journeys, format);
      if (!intact) reply.header("kairos-entry-intact", "false");
      reply.type(RATIONALE_MEDIA[format]);
      return text;
    },
  },
];
