// The OpenAPI 3.1 document of the HTTP API, served at /openapi.json: built from the route table
// itself (paths, scopes, the JSON Schemas the routes validate with, the answers they give), so
// the document describes exactly what the server checks.
import { ERROR_SCHEMA } from "./errors.ts";
import type { RouteSpec } from "./routes/route.ts";

/** `/v1/decisions/:id` → `/v1/decisions/{id}`. */
export function openapiPath(url: string): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
}

interface ObjectSchema {
  readonly properties?: Readonly<Record<string, object>>;
  readonly required?: readonly string[];
}

function parameters(schema: object | undefined, where: "path" | "query"): object[] {
  const s = schema as ObjectSchema | undefined;
  if (!s?.properties) return [];
  return Object.entries(s.properties).map(([name, prop]) => ({
    name,
    in: where,
    required: where === "path" || (s.required ?? []).includes(name),
    schema: prop,
    ...("description" in prop ? { description: (prop as { description: string }).description } : {}),
  }));
}

/** The OpenAPI 3.1 document for these routes. */
export function openapiDocument(routes: readonly RouteSpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, res] of Object.entries(r.responses)) {
      const ok = Number(status) < 400;
      responses[status] = {
        description: res.description,
        ...(ok && res.schema ? { content: { "application/json": { schema: res.schema } } } : {}),
        ...(ok && res.text ? { content: { [res.text]: { schema: { type: "string" } } } } : {}),
        ...(!ok ? { content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } } : {}),
      };
    }
    const op: Record<string, unknown> = {
      operationId: `${r.method.toLowerCase()}${openapiPath(r.url)
        .replace(/[{}]/g, "")
        .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      security: r.scopes ? [{ bearer: [] }] : [],
      ...(r.scopes ? { "x-kairos-scopes": r.scopes } : {}),
      parameters: [...parameters(r.schema?.params, "path"), ...parameters(r.schema?.querystring, "query")],
      ...(r.schema?.body ? { requestBody: { required: true, content: { "application/json": { schema: r.schema.body } } } } : {}),
      responses,
    };
    const path = openapiPath(r.url);
    paths[path] = { ...paths[path], [r.method.toLowerCase()]: op };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Kairos decision service",
      version,
      description:
        "Consent-first decisions over HTTP: state (consents, objections, cap history, wake-ups, reviews, the decision log) lives in the store. See docs/service.md.",
    },
    servers: [{ url: "/" }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "a token from `kairos token create`; each route names the scopes it needs" } },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}
