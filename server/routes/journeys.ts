// Journeys and their stop-loss state (docs/value.md#stop-loss): `GET /v1/journeys` lists every
// journey of the running artifact — running or stopped, by whom, since when, why — read from the
// store (what every instance decides with within a second); `POST /v1/journeys/{id}/resume` is how
// a person lets a stopped journey act again (one conditional write: two resumes at once write one).
import type { JourneyMeta } from "../../core/artifact.ts";
import { HttpError } from "../errors.ts";
import { JOURNEY_PARAMS, JOURNEY_STATE_SCHEMA, RESUME_BODY } from "../schemas.ts";
import { fromStore } from "../service.ts";
import type { JourneyControl, Store } from "../store/types.ts";
import { hasControls, ResumeError, resumeJourney } from "../value/controls.ts";
import { conditionText } from "../value/stop-loss.ts";
import { errorsOf, type RouteSpec } from "./route.ts";

/** A journey's `stop_loss` clause as written (`complaint_rate > 3% min 100`). */
export function stopLossText(meta: JourneyMeta): string | undefined {
  const s = meta.stopLoss;
  return s === undefined ? undefined : `${s.conditions.map(conditionText).join(" or ")} min ${s.min}`;
}

/** One journey's line in `GET /v1/journeys` (and `kairos journey status`). */
export function journeyState(meta: JourneyMeta | undefined, control: JourneyControl | undefined, id: string): Record<string, unknown> {
  const stopLoss = meta ? stopLossText(meta) : undefined;
  return {
    journey: id,
    ...(meta ? { title: meta.title } : {}),
    state: control?.state === "stopped" ? "stopped" : "running",
    ...(stopLoss ? { stop_loss: stopLoss } : {}),
    in_artifact: meta !== undefined,
    ...(control ? { since: control.since, by: control.by, reason: control.reason, ...(control.detail ? { detail: control.detail } : {}) } : {}),
  };
}

function controlsOf(store: Store): Promise<readonly JourneyControl[]> {
  if (!hasControls(store)) return Promise.resolve([]);
  return fromStore("reading the journey controls", () => store.journeyControls());
}

export const journeyRoutes: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/v1/journeys",
    tag: "journeys",
    summary: "Every journey and whether it runs or its stop-loss stopped it",
    description:
      "The journeys of the running artifact in id order, then control rows of journeys it no longer has. " +
      "A stopped journey's decisions are `suppressed` with the reason `stop_loss` until a person resumes it.",
    scopes: ["audit:read", "metrics"],
    responses: {
      200: {
        description: "the journeys",
        schema: { type: "object", properties: { journeys: { type: "array", items: JOURNEY_STATE_SCHEMA } } },
      },
      ...errorsOf(),
    },
    async handler(ctx) {
      const controls = new Map((await controlsOf(ctx.store)).map((c) => [c.journey, c]));
      const metas = [...ctx.service.journeys.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const journeys = metas.map((m) => journeyState(m, controls.get(m.id), m.id));
      for (const [id, c] of controls) if (!ctx.service.journeys.has(id)) journeys.push(journeyState(undefined, c, id));
      return { journeys };
    },
  },
  {
    method: "POST",
    url: "/v1/journeys/:id/resume",
    tag: "journeys",
    summary: "Resume a journey its stop-loss stopped",
    description:
      "Only a stopped journey can be resumed (409 `not_stopped` otherwise). From then on the stop-loss counts only subjects first " +
      "exposed after the resume. Every instance acts on it within about a second.",
    scopes: ["admin"],
    schema: { params: JOURNEY_PARAMS, body: RESUME_BODY },
    responses: {
      200: { description: "the journey's state after the resume", schema: JOURNEY_STATE_SCHEMA },
      ...errorsOf(404, 409),
    },
    async handler(ctx, request) {
      const { id } = request.params as { id: string };
      const body = request.body as { by: string; note?: string; now?: string };
      const at = ctx.service.timeOf(body as unknown as Record<string, unknown>);
      let control: JourneyControl;
      try {
        control = await resumeJourney(ctx.store, { journey: id, by: body.by, at, ...(body.note === undefined ? {} : { note: body.note }) });
      } catch (e) {
        if (!(e instanceof ResumeError)) {
          // A store that fails: 503 `store_unavailable` (nothing was written, or the write is whole).
          return fromStore("resuming the journey", () => Promise.reject(e));
        }
        if (e.current === undefined && !ctx.service.journeys.has(id)) {
          throw new HttpError(404, "journey_not_found", `no journey \`${id}\` in the running artifact, and none was ever stopped`, {
            hint: "list the journeys with GET /v1/journeys",
          });
        }
        throw new HttpError(409, "not_stopped", e.message, { hint: "only a journey its stop-loss stopped can be resumed; see GET /v1/journeys" });
      }
      ctx.service.controls?.apply(control);
      return journeyState(ctx.service.journeys.get(id), control, id);
    },
  },
];
