// Journeys, their stop-loss state (docs/value.md#stop-loss) and their kill switches
// (docs/kill-switch.md): `GET /v1/journeys` lists every journey of the running artifact — running
// or stopped, turned off or not, by whom, since when, why — read from the store (what every
// instance decides with within a second); `POST /v1/journeys/{id}/resume` is how a person lets a
// stopped journey act again, `POST /v1/journeys/{id}/disable|enable` how a person turns one off on
// every instance and on again (each one conditional write: two at once write one).
import type { JourneyMeta } from "../../core/artifact.ts";
import { HttpError } from "../errors.ts";
import { JOURNEY_PARAMS, JOURNEY_STATE_SCHEMA, KILL_SWITCH_BODY, RESUME_BODY } from "../schemas.ts";
import { fromStore } from "../service.ts";
import type { JourneyControl, KillSwitch, Store } from "../store/types.ts";
import { hasControls, ResumeError, resumeJourney } from "../value/controls.ts";
import { switchKey } from "../value/kill-switches.ts";
import { conditionText } from "../value/stop-loss.ts";
import { type KillSwitchBody, killSwitchesOf, turnSwitch } from "./kill-switch.ts";
import { errorsOf, type RouteContext, type RouteSpec } from "./route.ts";

/** A journey's `stop_loss` clause as written (`complaint_rate > 3% min 100`). */
export function stopLossText(meta: JourneyMeta): string | undefined {
  const s = meta.stopLoss;
  return s === undefined ? undefined : `${s.conditions.map(conditionText).join(" or ")} min ${s.min}`;
}

/**
 * The kill switch shown with a journey: the one that turns it off now (its own, else its action
 * channel's), else its own once turned on again; undefined when none was ever set for it.
 */
export function switchOf(switches: ReadonlyMap<string, KillSwitch>, id: string, channel: string | undefined): KillSwitch | undefined {
  const own = switches.get(switchKey("journey", id));
  if (own?.state === "disabled") return own;
  const ch = channel === undefined ? undefined : switches.get(switchKey("channel", channel));
  return ch?.state === "disabled" ? ch : own;
}

/** One journey's line in `GET /v1/journeys` (and `kairos journey status`). */
export function journeyState(meta: JourneyMeta | undefined, control: JourneyControl | undefined, id: string, killSwitch?: KillSwitch): Record<string, unknown> {
  const stopLoss = meta ? stopLossText(meta) : undefined;
  return {
    journey: id,
    ...(meta ? { title: meta.title } : {}),
    state: control?.state === "stopped" ? "stopped" : "running",
    ...(stopLoss ? { stop_loss: stopLoss } : {}),
    in_artifact: meta !== undefined,
    ...(control ? { since: control.since, by: control.by, reason: control.reason, ...(control.detail ? { detail: control.detail } : {}) } : {}),
    ...(killSwitch ? { kill_switch: killSwitch } : {}),
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
    summary: "Every journey and whether it runs, its stop-loss stopped it, or a kill switch turned it off",
    description:
      "The journeys of the running artifact in id order, then control rows and kill switches of journeys it no longer has. " +
      "A stopped journey's decisions are `suppressed` with the reason `stop_loss` until a person resumes it; a journey a kill switch " +
      "turns off (its own, or its channel's: `kill_switch`) with the reason `kill_switch` until a person enables it.",
    scopes: ["audit:read", "metrics"],
    responses: {
      200: {
        description: "the journeys",
        schema: { type: "object", properties: { journeys: { type: "array", items: JOURNEY_STATE_SCHEMA } } },
      },
      ...errorsOf(),
    },
    async handler(ctx) {
      const [controlRows, switchRows] = await Promise.all([controlsOf(ctx.store), killSwitchesOf(ctx.store)]);
      const controls = new Map(controlRows.map((c) => [c.journey, c]));
      const switches = new Map(switchRows.map((k) => [switchKey(k.kind, k.name), k]));
      const metas = [...ctx.service.journeys.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const journeys = metas.map((m) => journeyState(m, controls.get(m.id), m.id, switchOf(switches, m.id, m.action.channel)));
      const others = new Set([...controls.keys(), ...switchRows.filter((k) => k.kind === "journey").map((k) => k.name)]);
      for (const id of [...others].sort()) {
        if (ctx.service.journeys.has(id)) continue;
        journeys.push(journeyState(undefined, controls.get(id), id, switchOf(switches, id, ctx.service.controls?.channelOf(id))));
      }
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
      return journeyState(ctx.service.journeys.get(id), control, id, ctx.service.controls?.killing(id));
    },
  },
  switchRoute("disable"),
  switchRoute("enable"),
];

/** `POST /v1/journeys/{id}/disable` and `…/enable`. */
function switchRoute(action: "disable" | "enable"): RouteSpec {
  const off = action === "disable";
  return {
    method: "POST",
    url: `/v1/journeys/:id/${action}`,
    tag: "journeys",
    summary: off ? "Turn a journey off on every instance (kill switch)" : "Turn a journey its kill switch turned off on again",
    description: off
      ? "From then on every candidate of the journey is `suppressed` with the reason `kill_switch` (who, why, since when) — wake-ups too — " +
        "on every instance within about two seconds, until a person enables it. Takes precedence over a stop-loss stop. " +
        "409 `already_disabled` when it is off already."
      : "The journey acts again on every instance within about two seconds (unless its channel is off, or its stop-loss stopped it). " +
        "409 `not_disabled` when it is not off.",
    scopes: ["admin"],
    schema: { params: JOURNEY_PARAMS, body: KILL_SWITCH_BODY },
    responses: {
      200: { description: "the journey's state after the change", schema: JOURNEY_STATE_SCHEMA },
      ...errorsOf(404, 409),
    },
    async handler(ctx: RouteContext, request) {
      const { id } = request.params as { id: string };
      const row = await turnSwitch(ctx, "journey", id, off ? "disabled" : "enabled", request.body as KillSwitchBody);
      const controls = ctx.service.controls;
      return journeyState(ctx.service.journeys.get(id), controls?.get(id), id, controls?.killing(id) ?? row);
    },
  };
}
