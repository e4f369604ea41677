// The HTTP layer of the decision service (docs/service.md#api): a Fastify instance with the
// route table registered, JSON Schema validation (Ajv without type coercion: a number where a
// string belongs is an error, not a conversion), bearer-token auth and per-token rates, an
// in-flight limit that answers 503 with `Retry-After` instead of queueing without bound, one
// error handler that gives every failure — malformed JSON, a wrong content type, an unknown
// route, an oversized body, a bug — the JSON error shape with no stack trace, metrics and a span
// per request, and access-log lines without subjects or bodies.
import type { Span } from "@opentelemetry/api";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from "fastify";
import type { Authenticator, Principal } from "./auth.ts";
import { parseJsonText } from "../runtime/json-text.ts";
import { HttpError, type Problem } from "./errors.ts";
import { openapiDocument, openapiPath } from "./openapi.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { decisionRoutes } from "./routes/decisions.ts";
import { opsRoutes } from "./routes/ops.ts";
import { outcomeRoutes } from "./routes/outcomes.ts";
import { journeyRoutes } from "./routes/journeys.ts";
import { artifactRoutes } from "./routes/artifacts.ts";
import { channelRoutes } from "./routes/channels.ts";
import { rolloutRoutes } from "./routes/rollout.ts";
import { reviewRoutes } from "./routes/reviews.ts";
import type { RouteContext, RouteSpec } from "./routes/route.ts";
import { subjectRoutes } from "./routes/subjects.ts";
import { endRequestSpan, requestSpan } from "./tracing.ts";

/** The request body limit: 4 MiB. */
export const BODY_LIMIT = 4 * 1024 * 1024;

export interface AppOptions {
  readonly ctx: RouteContext;
  readonly auth: Authenticator;
  /** Most authenticated requests served at once before 503 `overloaded` (default 512). */
  readonly maxInFlight?: number;
  readonly bodyLimit?: number;
  /** Where access-log lines go (default: stdout); false: nowhere. */
  readonly accessLog?: false | ((line: string) => void);
  /** Where unexpected errors are reported, with their stack (default: stderr). */
  readonly errorLog?: (line: string) => void;
  /** The version in the OpenAPI document. */
  readonly version: string;
}

interface RequestState {
  readonly started: number;
  counted: boolean;
  principal?: Principal;
  span?: Span;
}

const OPENAPI_ROUTE: RouteSpec = {
  method: "GET",
  url: "/openapi.json",
  tag: "operations",
  summary: "This API as an OpenAPI 3.1 document",
  responses: { 200: { description: "the OpenAPI document", schema: { type: "object" } } },
  handler: async () => undefined, // replaced in buildApp (it needs the whole table)
};

/** Every route of the API, in the order the documentation lists them. */
export const ROUTES: readonly RouteSpec[] = [
  ...decisionRoutes,
  ...subjectRoutes,
  ...reviewRoutes,
  ...journeyRoutes,
  ...channelRoutes,
  ...artifactRoutes,
  ...rolloutRoutes,
  ...outcomeRoutes,
  ...opsRoutes,
  ...dashboardRoutes,
  OPENAPI_ROUTE,
];

function jsonPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split("/").slice(1);
  if (extra !== undefined) parts.push(extra);
  let out = "";
  for (const p of parts) {
    const seg = p.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === "" ? seg : `.${seg}`;
  }
  return out;
}

const TYPE_TEXT: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "`true` or `false`",
  object: "an object",
  array: "a list",
  null: "null",
};

interface AjvError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** Ajv's errors as problems with JSON paths; `where` prefixes path and query parameters. */
export function validationProblems(errors: readonly AjvError[], where: string): Problem[] {
  const prefix = where === "body" ? "" : where === "params" ? "(path) " : "(query) ";
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of errors) {
    if (e.keyword !== "anyOf" && anyOfPaths.has(e.instancePath)) continue;
    let path = jsonPath(e.instancePath);
    let message: string;
    let hint: string | undefined;
    switch (e.keyword) {
      case "required":
        path = jsonPath(e.instancePath, String(e.params["missingProperty"]));
        message = "is required";
        break;
      case "additionalProperties":
        path = jsonPath(e.instancePath, String(e.params["additionalProperty"]));
        message = `unknown key \`${String(e.params["additionalProperty"])}\``;
        hint = "remove it; the accepted keys are in /openapi.json";
        break;
      case "type":
        message = `expected ${TYPE_TEXT[String(e.params["type"])] ?? String(e.params["type"])}`;
        break;
      case "enum":
        message = `expected one of ${(e.params["allowedValues"] as unknown[]).map((v) => `\`${String(v)}\``).join(", ")}`;
        break;
      case "minLength":
        message = "must not be empty";
        break;
      case "maxLength":
        message = `is longer than ${String(e.params["limit"])} characters`;
        break;
      case "minItems":
        message = "must not be empty";
        break;
      case "maxItems":
        message = `has more than ${String(e.params["limit"])} items`;
        hint = "send the records in batches";
        break;
      case "pattern":
        message = path === "id" ? "is not a decision id (`d_` and 32 hex digits)" : `does not match \`${String(e.params["pattern"])}\``;
        break;
      case "anyOf":
        message = "has the wrong type";
        break;
      default:
        message = e.message ?? e.keyword;
    }
    const full = prefix + (path === "" ? "(the body)" : path);
    const key = `${full}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: full, message, ...(hint ? { hint } : {}) });
  }
  return out;
}

/** Any error of a request as an HttpError (unknown ones as 500 `internal_error`, without detail). */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const where = e.validationContext ?? "body";
    return new HttpError(
      400,
      "invalid_request",
      where === "body" ? "the body does not fit the route's schema" : `the ${where === "params" ? "path" : "query"} is invalid`,
      {
        problems: validationProblems(e.validation, where),
        hint: "fix the fields named in `problems`; nothing was written",
      },
    );
  }
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HttpError(413, "body_too_large", "the body is larger than the server's limit (4 MiB unless configured)", {
        hint: "send fewer records per request",
      });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new HttpError(415, "unsupported_media_type", "the body is not JSON (Content-Type)", { hint: "send `Content-Type: application/json`" });
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HttpError(400, "empty_body", "the body is empty but its Content-Type says JSON", { hint: "send a JSON object" });
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new HttpError(400, "bad_content_length", "the Content-Length does not match the body");
  }
  if (e.statusCode === 400 && (error instanceof SyntaxError || e.code === "FST_ERR_CTP_INVALID_JSON_BODY")) {
    const proto = /prototype/i.test(e.message ?? "");
    return new HttpError(
      400,
      "malformed_json",
      proto ? "the body has a `__proto__` or `constructor.prototype` key" : `the body is not valid JSON: ${e.message ?? ""}`,
      {
        hint: proto ? "remove that key" : "check the JSON syntax (quotes, commas, brackets)",
      },
    );
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return new HttpError(e.statusCode, "bad_request", e.message ?? "the request cannot be served");
  }
  return new HttpError(500, "internal_error", "internal error; the server's log has the detail", { hint: "this is a bug in Kairos: please report it" });
}

function routeRegex(url: string): RegExp {
  return new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z_]\w*/g, "[^/]+")}$`);
}

/** Builds the Fastify app (not listening yet). */
export function buildApp(options: AppOptions): FastifyInstance {
  const { ctx, auth } = options;
  const maxInFlight = options.maxInFlight ?? 512;
  const accessLog = options.accessLog === undefined ? (line: string) => void process.stdout.write(line + "\n") : options.accessLog;
  const errorLog = options.errorLog ?? ((line: string) => void process.stderr.write(line + "\n"));
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? BODY_LIMIT,
    requestTimeout: 30_000,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    ajv: { customOptions: { coerceTypes: false, allErrors: true, removeAdditional: false, useDefaults: true } },
  });
  // JSON only: no text/plain parser (415), and a JSON syntax error names its line and column.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") {
      done(new HttpError(400, "empty_body", "the body is empty but its Content-Type says JSON", { hint: "send a JSON object" }), undefined);
      return;
    }
    const parsed = parseJsonText(text);
    if (parsed.ok) done(null, parsed.value);
    else {
      done(
        new HttpError(400, "malformed_json", `the body is not valid JSON: line ${parsed.line}, column ${parsed.column}: ${parsed.message}`, {
          hint: "check the JSON syntax (quotes, commas, brackets); nothing was written",
        }),
        undefined,
      );
    }
  });
  const states = new WeakMap<FastifyRequest, RequestState>();
  let inflight = 0;
  const document = openapiDocument(ROUTES, options.version);
  const matchers = ROUTES.map((r) => ({ r, re: routeRegex(r.url) }));

  app.addHook("onRequest", async (request, reply) => {
    const spec = (request.routeOptions.config as { spec?: RouteSpec } | undefined)?.spec;
    const state: RequestState = { started: performance.now(), counted: false };
    states.set(request, state);
    if (!spec) return;
    state.span = requestSpan(request.method, spec.url);
    if (!spec.scopes) return;
    if (inflight >= maxInFlight) {
      throw new HttpError(503, "overloaded", `the server is serving ${maxInFlight} requests already`, {
        hint: "retry after the delay in `Retry-After`, or add instances",
        headers: { "retry-after": "1" },
      });
    }
    inflight++;
    state.counted = true;
    ctx.metrics.inflight.inc();
    state.principal = auth.check(request.headers.authorization, spec.scopes);
    void reply;
  });

  app.addHook("onResponse", async (request, reply) => {
    const state = states.get(request);
    if (!state) return;
    if (state.counted) {
      inflight--;
      ctx.metrics.inflight.dec();
    }
    const spec = (request.routeOptions.config as { spec?: RouteSpec } | undefined)?.spec;
    const route = spec ? spec.url : "(unmatched)";
    const status = reply.statusCode;
    const seconds = (performance.now() - state.started) / 1000;
    ctx.metrics.httpRequests.inc({ route, method: request.method, status: String(status) });
    ctx.metrics.httpDuration.observe({ route, method: request.method }, seconds);
    if (state.span) endRequestSpan(state.span, status);
    if (accessLog) {
      // Route pattern, never the path: the path can hold a subject id.
      accessLog(
        JSON.stringify({
          t: new Date().toISOString(),
          method: request.method,
          route,
          status,
          ms: Math.round(seconds * 10000) / 10,
          token: state.principal?.name ?? null,
        }),
      );
    }
  });

  const limit = options.bodyLimit ?? BODY_LIMIT;
  app.setErrorHandler((error, _request, reply) => {
    let http = toHttpError(error);
    if (http.code === "body_too_large") {
      http = new HttpError(413, "body_too_large", `the body is larger than the limit of ${limit.toLocaleString("en")} bytes`, {
        hint: "send fewer records per request",
      });
    }
    if (http.status >= 500 && http.code === "internal_error") {
      errorLog(`kairos serve: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    if (http.code === "store_unavailable" && http.cause !== undefined) {
      const c = http.cause;
      errorLog(`kairos serve: store failure: ${c instanceof Error ? c.message : String(c)}`);
    }
    reply.code(http.status).headers(http.headers).type("application/json; charset=utf-8").send(http.body());
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const same = matchers.filter((m) => m.re.test(path)).map((m) => m.r.method);
    const list = ROUTES.map((r) => `${r.method} ${openapiPath(r.url)}`).join(", ");
    const error =
      same.length > 0
        ? new HttpError(405, "method_not_allowed", `\`${path}\` does not accept ${request.method}; it accepts ${same.join(", ")}`, {
            headers: { allow: same.join(", ") },
            hint: `the routes are: ${list}`,
          })
        : new HttpError(404, "route_not_found", `no route ${request.method} \`${path.length > 200 ? path.slice(0, 200) + "…" : path}\``, {
            hint: `the routes are: ${list} (documented at /openapi.json)`,
          });
    reply.code(error.status).headers(error.headers).send(error.body());
  });

  for (const spec of ROUTES) {
    const handler =
      spec === OPENAPI_ROUTE
        ? async () => document
        : async (request: FastifyRequest, reply: Parameters<RouteSpec["handler"]>[2]) => spec.handler(ctx, request, reply, states.get(request)?.span);
    app.route({
      method: spec.method,
      url: spec.url,
      config: { spec },
      ...(spec.schema ? { schema: spec.schema } : {}),
      ...(spec.preValidation ? { preValidation: async (request: FastifyRequest) => spec.preValidation!(ctx, request) } : {}),
      handler,
    });
  }
  return app;
}
