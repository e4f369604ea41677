// What a route of the HTTP API is (docs/service.md#api): method, path, the scopes it needs, the
// JSON Schemas it validates with and the answers it can give — data that app.ts registers with
// Fastify and openapi.ts publishes, so the document and the server cannot disagree — and a thin
// handler that calls the service or the store.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Engine } from "../../runtime/engine.ts";
import type { Scope } from "../auth.ts";
import type { Trust } from "../signing.ts";
import type { Metrics } from "../metrics.ts";
import type { DecisionService } from "../service.ts";
import type { Store } from "../store/types.ts";
import type { WakeupRunner } from "../wakeups.ts";
import type { Span } from "@opentelemetry/api";

/** What handlers reach. */
export interface RouteContext {
  readonly engine: Engine;
  readonly store: Store;
  readonly service: DecisionService;
  readonly runner: WakeupRunner;
  readonly metrics: Metrics;
  /** The trusted signers the service was started with (`--trust`): what it publishes and loads must be signed by one. */
  readonly trust?: Trust;
}

/** A response a route can give, for the OpenAPI document. */
export interface RouteResponse {
  readonly description: string;
  /** JSON Schema of a JSON body; `text` for a text body of that media type. */
  readonly schema?: object;
  readonly text?: string;
}

/** One route of the API. */
export interface RouteSpec {
  readonly method: "GET" | "POST" | "DELETE";
  /** Fastify's form: `/v1/decisions/:id`. */
  readonly url: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** Any one of these scopes; absent: no token needed (health, the OpenAPI document). */
  readonly scopes?: readonly Scope[];
  readonly schema?: { readonly body?: object; readonly params?: object; readonly querystring?: object };
  /** Status → what it means (errors use the common error body). */
  readonly responses: Readonly<Record<string, RouteResponse>>;
  /** Runs before schema validation (checks that give better errors than the schema's). */
  readonly preValidation?: (ctx: RouteContext, request: FastifyRequest) => void;
  readonly handler: (ctx: RouteContext, request: FastifyRequest, reply: FastifyReply, span: Span | undefined) => Promise<unknown>;
}

/** Common error answers, by status. */
export const ERRORS = {
  400: { description: "invalid input: `invalid_request` with `problems`, `malformed_json`, …" },
  401: { description: "`unauthenticated`: no bearer token, or an unknown one" },
  403: { description: "`forbidden`: the token lacks the scope" },
  404: { description: "not found" },
  409: { description: "conflict with the current state" },
  413: { description: "`body_too_large`: the body is over the limit (4 MiB)" },
  415: { description: "`unsupported_media_type`: send `Content-Type: application/json`" },
  429: { description: "`rate_limited`: the token's rate is exceeded; see `Retry-After`" },
  503: { description: "`overloaded`, `store_unavailable` or `contention`; see `Retry-After`" },
} as const;

/** The common errors of an authenticated route, plus `extra`. */
export function errorsOf(...statuses: (keyof typeof ERRORS)[]): Record<string, RouteResponse> {
  const out: Record<string, RouteResponse> = {};
  for (const s of [400, 401, 403, 413, 415, 429, 503, ...statuses] as const) out[String(s)] = ERRORS[s];
  return out;
}
