// Routes of the artifact registry (docs/artifacts.md#the-registry): `GET /v1/artifacts` lists the
// registered versions; `GET /v1/artifacts/at?t=` answers which version set was in force at a time
// (from the rollout history: replay and audits ask it); `GET /v1/artifacts/{ref}` shows one
// version; `POST /v1/artifacts` publishes an artifact's files (what `kairos artifacts publish
// --url` sends), checked against its manifest like a directory published from the command line.
import { Buffer } from "node:buffer";
import { artifactView } from "../artifact-view.ts";
import { HttpError } from "../errors.ts";
import { inForceAt, publishArtifactFiles, RegistryError } from "../registry.ts";
import { ARTIFACT_AT_QUERY, ARTIFACT_PARAMS, ARTIFACT_SCHEMA, IN_FORCE_SCHEMA, PUBLISH_BODY } from "../schemas.ts";
import { fromStore } from "../service.ts";
import type { RegisteredArtifact, ReleaseStore, Store } from "../store/types.ts";
import { errorsOf, type RouteSpec } from "./route.ts";

/** The store's registry; 501 when the service runs on a store without one (an in-memory test store). */
function registryOf(store: Store): ReleaseStore {
  const s = store as Store & Partial<ReleaseStore>;
  if (typeof s.artifacts !== "function" || typeof s.rolloutHistory !== "function" || typeof s.publishArtifact !== "function") {
    throw new HttpError(501, "no_registry", "this service's store keeps no artifact registry", {
      hint: "serve with the embedded store or PostgreSQL (kairos serve --store …)",
    });
  }
  return s as ReleaseStore;
}

/** `{hash, version}` of a hash, by the registry (the version left out when it is not registered). */
function named(hash: string | undefined, registry: readonly RegisteredArtifact[]): Record<string, string> | undefined {
  if (hash === undefined) return undefined;
  const version = registry.find((a) => a.hash === hash)?.version;
  return { hash, ...(version === undefined ? {} : { version }) };
}

const PUBLISHED_SCHEMA = {
  ...ARTIFACT_SCHEMA,
  properties: { ...ARTIFACT_SCHEMA.properties, created: { type: "boolean", description: "false: it was registered already, nothing was written" } },
} as const;

const ARTIFACTS_RESPONSE = { type: "object", properties: { artifacts: { type: "array", items: ARTIFACT_SCHEMA } } } as const;

export const artifactRoutes: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/v1/artifacts",
    tag: "artifacts",
    summary: "The registered artifact versions, oldest first",
    description: "Each version's name, hash, signer (when signed), DPO approvals, who published it when, and when it first became the stable version.",
    scopes: ["audit:read", "admin"],
    responses: { 200: { description: "the registry", schema: ARTIFACTS_RESPONSE }, ...errorsOf() },
    async handler(ctx) {
      const registry = registryOf(ctx.store);
      const all = await fromStore("reading the registry", () => registry.artifacts());
      return { artifacts: all.map(artifactView) };
    },
  },
  {
    method: "GET",
    url: "/v1/artifacts/at",
    tag: "artifacts",
    summary: "Which version set was in force at a time",
    description:
      "The rollout state in force at `t` (the last change at or before it): the stable version, and in a canary or shadow rollout the candidate " +
      "and its share. 404 `nothing_in_force` before the first change the store recorded.",
    scopes: ["audit:read", "admin"],
    schema: { querystring: ARTIFACT_AT_QUERY },
    responses: { 200: { description: "the version set in force", schema: IN_FORCE_SCHEMA }, ...errorsOf(404) },
    async handler(ctx, request) {
      const t = (request.query as { t: string }).t;
      if (!Number.isFinite(Date.parse(t)) || !/(Z|[+-]\d\d:?\d\d)$/i.test(t)) {
        throw new HttpError(400, "invalid_request", `\`${t}\` is not an ISO 8601 time with an offset`, {
          problems: [{ path: "t", message: "not an ISO 8601 time with an offset" }],
          hint: "give a time like 2026-12-06T10:00:00Z",
        });
      }
      const registry = registryOf(ctx.store);
      const [history, all] = await fromStore("reading the rollout history", () => Promise.all([registry.rolloutHistory(), registry.artifacts()]));
      const found = inForceAt(history, t);
      if (found === undefined) {
        const first = history[0]?.since;
        throw new HttpError(
          404,
          "nothing_in_force",
          first === undefined ? "the store has no rollout history yet" : `nothing was in force at ${t}: the first version was set at ${first}`,
          {
            hint: "ask about a later time",
          },
        );
      }
      const s = found.state;
      const stable = named(found.stable, all);
      const candidate = named(found.candidate, all);
      return {
        t,
        generation: found.generation,
        mode: found.mode,
        ...(stable === undefined ? {} : { stable }),
        ...(candidate === undefined ? {} : { candidate }),
        ...(found.percent === undefined ? {} : { percent: found.percent }),
        since: s.since,
        action: s.action,
        by: s.by,
        reason: s.reason,
      };
    },
  },
  {
    method: "GET",
    url: "/v1/artifacts/:ref",
    tag: "artifacts",
    summary: "One registered artifact, by version name or hash",
    scopes: ["audit:read", "admin"],
    schema: { params: ARTIFACT_PARAMS },
    responses: { 200: { description: "the artifact", schema: ARTIFACT_SCHEMA }, ...errorsOf(404) },
    async handler(ctx, request) {
      const ref = (request.params as { ref: string }).ref;
      const registry = registryOf(ctx.store);
      const found = await fromStore("reading the registry", () => registry.artifact(ref));
      if (found === undefined) throw new HttpError(404, "not_registered", `no artifact \`${ref}\` in the registry`, { hint: "see GET /v1/artifacts" });
      return artifactView(found);
    },
  },
  {
    method: "POST",
    url: "/v1/artifacts",
    tag: "artifacts",
    summary: "Publish an artifact into the registry (its files, base64)",
    description:
      "The files are checked against the manifest (and a signature file present against the artifact) before anything is written; the " +
      "artifact and its files are written all or nothing. Publishing a registered artifact again answers 200 with its row; a version name " +
      "another artifact has is 409 `conflict`. Approvals travel as `approvals/approvers.yaml` and `approvals/approvals/*.json`.",
    scopes: ["admin"],
    schema: { body: PUBLISH_BODY },
    responses: {
      200: { description: "already registered: its row (`created` false)", schema: PUBLISHED_SCHEMA },
      201: { description: "published (`created` true)", schema: PUBLISHED_SCHEMA },
      ...errorsOf(409),
    },
    async handler(ctx, request, reply) {
      const body = request.body as { version?: string; by: string; files: Record<string, string> };
      const registry = registryOf(ctx.store);
      const files = new Map<string, Uint8Array>();
      for (const [path, b64] of Object.entries(body.files)) {
        if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64)) {
          throw new HttpError(400, "invalid_request", `the file \`${path}\` is not base64`, { problems: [{ path: `files.${path}`, message: "not base64" }] });
        }
        files.set(path, new Uint8Array(Buffer.from(b64, "base64")));
      }
      const before = await fromStore("reading the registry", () => registry.artifacts());
      let published: RegisteredArtifact;
      try {
        // A service started with `--trust` registers only artifacts its signers signed, untampered.
        published = await publishArtifactFiles(registry, files, {
          ...(body.version === undefined ? {} : { version: body.version }),
          by: body.by,
          ...(ctx.trust === undefined ? {} : { trust: ctx.trust }),
        });
      } catch (e) {
        const err = e as Error & { code?: string; hint?: string };
        if (e instanceof RegistryError || err.name === "SigningError" || err.name === "ApprovalError") {
          throw new HttpError(400, "invalid_artifact", err.message, err.hint === undefined ? {} : { hint: err.hint });
        }
        if (err.name === "StoreError" && (err.code === "store/conflict" || err.code === "store/invalid")) {
          throw new HttpError(err.code === "store/conflict" ? 409 : 400, err.code === "store/conflict" ? "conflict" : "invalid_artifact", err.message, {
            ...(err.hint === undefined ? {} : { hint: err.hint }),
          });
        }
        return fromStore("publishing an artifact", () => Promise.reject(e));
      }
      const created = !before.some((a) => a.hash === published.hash);
      reply.code(created ? 201 : 200);
      return { ...artifactView(published), created };
    },
  },
];
