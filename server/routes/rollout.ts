// Routes of the rollout (docs/rollout.md): `GET /v1/rollout` — the state in the store, this
// instance's own view (the generation it decides with: what a script waits for after a change),
// its decisions per version and the shadow results summarised like `kairos diff`;
// `POST /v1/rollout` starts a canary or shadow rollout of a registered version (checked to load
// here first); `POST /v1/rollout/promote` and `/rollback` end it; `GET /v1/rollout/history` lists
// every change. Each change is one compare-and-set write: two people at once write one change, the
// second gets 409 `conflict`. The instance that wrote a change decides with it at once; the others
// within about 2 s.
import { HttpError } from "../errors.ts";
import { ROLLOUT_END_BODY, ROLLOUT_START_BODY, ROLLOUT_STATE_SCHEMA } from "../schemas.ts";
import { fromStore } from "../service.ts";
import type { DecisionService } from "../service.ts";
import type { RegisteredArtifact, RolloutBudget, RolloutState } from "../store/types.ts";
import { promoteRollout, rollbackRollout, RolloutError, startRollout } from "../rollout/changes.ts";
import { hasRollout, type RolloutStore } from "../rollout/setup.ts";
import { decisionCounts, instanceView, shadowSummary, stateView } from "../rollout/view.ts";
import { errorsOf, type RouteSpec } from "./route.ts";
import type { Store } from "../store/types.ts";

const STATUS: Record<string, number> = {
  not_registered: 404,
  rollout_active: 409,
  no_rollout: 409,
  same_version: 409,
  conflict: 409,
  no_stable: 409,
  invalid: 400,
};

function releaseStore(store: Store): RolloutStore {
  if (!hasRollout(store)) {
    throw new HttpError(501, "no_rollout_store", "this service's store keeps no rollout", {
      hint: "serve with the embedded store or PostgreSQL (kairos serve --store …)",
    });
  }
  return store;
}

/** Runs a change; RolloutError → its HTTP error, a failing store → 503. */
async function change(what: string, call: () => Promise<RolloutState>): Promise<RolloutState> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof RolloutError) {
      throw new HttpError(STATUS[e.code] ?? 409, e.code, e.message, e.hint === undefined ? {} : { hint: e.hint });
    }
    return fromStore(what, () => Promise.reject(e));
  }
}

/** The change's time: the server's clock; on `--clock request`, the body's `now` when it gives one. */
function timeOf(service: DecisionService, body: { now?: string }): string {
  if (service.clock.mode === "request" && body.now === undefined) return new Date().toISOString();
  return service.timeOf(body as Record<string, unknown>);
}

async function registry(store: RolloutStore): Promise<readonly RegisteredArtifact[]> {
  return fromStore("reading the registry", () => store.artifacts());
}

/** The answer of a change: the new state and this instance, which decides with it already. */
async function applied(service: DecisionService, store: RolloutStore, state: RolloutState): Promise<Record<string, unknown>> {
  await service.router.apply(state).catch(() => {});
  return { rollout: stateView(state, await registry(store)), instance: instanceView(service.router, service.guard) };
}

const END_RESPONSES = {
  200: {
    description: "the new state, and this instance (which decides with it already)",
    schema: { type: "object", properties: { rollout: ROLLOUT_STATE_SCHEMA, instance: { type: "object" } } },
  },
  ...errorsOf(409),
};

export const rolloutRoutes: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/v1/rollout",
    tag: "rollout",
    summary: "The rollout: the store's state, this instance's generation, decisions per version, the shadow summary",
    description:
      "`rollout` is the state in the store (what every instance decides with within about 2 s); `instance.generation` is the one this " +
      "instance decides with now. `decisions` counts this instance's commits per version and arm. `shadow` summarises the latest shadow " +
      "rollout's results like `kairos diff` (stable = old, candidate = new).",
    scopes: ["audit:read", "metrics"],
    responses: {
      200: { description: "the rollout", schema: { type: "object", properties: { rollout: ROLLOUT_STATE_SCHEMA, instance: { type: "object" } } } },
      ...errorsOf(),
    },
    async handler(ctx) {
      const store = releaseStore(ctx.store);
      const [state, history, registered] = await Promise.all([
        fromStore("reading the rollout", () => store.rollout()),
        fromStore("reading the rollout history", () => store.rolloutHistory()),
        registry(store),
      ]);
      const lastShadow = [...history].reverse().find((s) => s.mode === "shadow");
      const shadow =
        lastShadow === undefined
          ? undefined
          : {
              generation: lastShadow.generation,
              active: state.generation === lastShadow.generation,
              summary: await fromStore("reading the shadow results", () => shadowSummary(store, lastShadow, registered)),
            };
      return {
        rollout: stateView(state, registered),
        instance: instanceView(ctx.service.router, ctx.service.guard),
        decisions: await decisionCounts(ctx.metrics),
        ...(shadow ? { shadow } : {}),
      };
    },
  },
  {
    method: "GET",
    url: "/v1/rollout/history",
    tag: "rollout",
    summary: "Every rollout change, oldest first",
    scopes: ["audit:read", "metrics"],
    responses: {
      200: { description: "the history", schema: { type: "object", properties: { history: { type: "array", items: ROLLOUT_STATE_SCHEMA } } } },
      ...errorsOf(),
    },
    async handler(ctx) {
      const store = releaseStore(ctx.store);
      const [history, registered] = await Promise.all([fromStore("reading the rollout history", () => store.rolloutHistory()), registry(store)]);
      return { history: history.map((s) => stateView(s, registered)) };
    },
  },
  {
    method: "POST",
    url: "/v1/rollout",
    tag: "rollout",
    summary: "Start a canary or shadow rollout of a registered version",
    description:
      "The candidate must be in the registry (`kairos artifacts publish`) and load on this instance. A canary decides for `percent` of " +
      "subjects, chosen by a bucket of their id (each subject sees one version); it is rolled back automatically when it breaches its " +
      "`budget` or a stop-loss fires. A shadow rollout decides every request again with the candidate, after the commit and without effect.",
    scopes: ["admin"],
    schema: { body: ROLLOUT_START_BODY },
    responses: { ...END_RESPONSES, ...errorsOf(404, 409) },
    async handler(ctx, request) {
      const store = releaseStore(ctx.store);
      const body = request.body as {
        candidate: string;
        mode: "canary" | "shadow";
        percent?: number;
        budget?: { max_error_rate?: number; max_p99_ms?: number; min_decisions?: number };
        by: string;
        reason?: string;
        now?: string;
      };
      if (body.mode === "canary" && body.percent === undefined) {
        throw new HttpError(400, "invalid_request", "a canary needs `percent`: the share of subjects the candidate decides for", {
          problems: [{ path: "percent", message: "is required with mode `canary`" }],
          hint: 'give it like `"percent": 5`',
        });
      }
      const at = timeOf(ctx.service, body);
      // Refuse a candidate this instance cannot load (unsigned with --trust, broken) before any instance tries.
      const found = await fromStore("reading the registry", () => store.artifact(body.candidate));
      if (found !== undefined) {
        try {
          await ctx.service.router.versionFor(found.hash);
        } catch (e) {
          throw new HttpError(
            409,
            "not_loadable",
            `version \`${found.version}\` does not load on this instance: ${e instanceof Error ? e.message : String(e)}`,
            {
              hint: "publish a version that loads (kairos verify, kairos artifacts publish), then start again",
            },
          );
        }
      }
      const b = body.budget;
      const budget: RolloutBudget | undefined =
        b === undefined
          ? undefined
          : {
              ...(b.max_error_rate === undefined ? {} : { maxErrorRate: b.max_error_rate }),
              ...(b.max_p99_ms === undefined ? {} : { maxP99Ms: b.max_p99_ms }),
              ...(b.min_decisions === undefined ? {} : { minDecisions: b.min_decisions }),
            };
      const state = await change("starting the rollout", () =>
        startRollout(store, {
          candidate: body.candidate,
          mode: body.mode,
          by: body.by,
          at,
          ...(body.percent === undefined ? {} : { percent: body.percent }),
          ...(budget === undefined ? {} : { budget }),
          ...(body.reason === undefined ? {} : { reason: body.reason }),
        }),
      );
      return applied(ctx.service, store, state);
    },
  },
  {
    method: "POST",
    url: "/v1/rollout/promote",
    tag: "rollout",
    summary: "Promote the candidate: it becomes the stable version",
    scopes: ["admin"],
    schema: { body: ROLLOUT_END_BODY },
    responses: END_RESPONSES,
    async handler(ctx, request) {
      const store = releaseStore(ctx.store);
      const body = request.body as { by: string; reason?: string; now?: string };
      const at = timeOf(ctx.service, body);
      const state = await change("promoting the candidate", () =>
        promoteRollout(store, { by: body.by, at, ...(body.reason === undefined ? {} : { reason: body.reason }) }),
      );
      return applied(ctx.service, store, state);
    },
  },
  {
    method: "POST",
    url: "/v1/rollout/rollback",
    tag: "rollout",
    summary: "Roll the candidate back: the stable version decides for everyone",
    scopes: ["admin"],
    schema: { body: ROLLOUT_END_BODY },
    responses: END_RESPONSES,
    async handler(ctx, request) {
      const store = releaseStore(ctx.store);
      const body = request.body as { by: string; reason?: string; now?: string };
      const at = timeOf(ctx.service, body);
      const state = await change("rolling the candidate back", () =>
        rollbackRollout(store, { by: body.by, at, ...(body.reason === undefined ? {} : { reason: body.reason }) }),
      );
      return applied(ctx.service, store, state);
    },
  },
];
