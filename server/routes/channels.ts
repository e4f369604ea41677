// Channels and their kill switches (docs/kill-switch.md): `GET /v1/channels` lists the channels the
// running versions' journeys act on — on or off, by whom, since when, why, and which journeys a
// switch turns off — read from the store; `POST /v1/channels/{name}/disable|enable` turns every
// journey acting on a channel off on every instance (an SMS provider sending garbage, an e-mail
// template gone wrong) and on again, each one conditional write.
import type { KillSwitch } from "../store/types.ts";
import { CHANNEL_PARAMS, CHANNEL_STATE_SCHEMA, KILL_SWITCH_BODY } from "../schemas.ts";
import { type KillSwitchBody, killSwitchesOf, turnSwitch } from "./kill-switch.ts";
import { errorsOf, type RouteContext, type RouteSpec } from "./route.ts";

/** Channel → the journeys of the running artifact whose action uses it, by id. */
function journeysByChannel(ctx: RouteContext): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const metas = [...ctx.service.journeys.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const m of metas) out.set(m.action.channel, [...(out.get(m.action.channel) ?? []), m.id]);
  return out;
}

/** The channels of the catalog's actions, sorted. */
function catalogChannels(ctx: RouteContext): string[] {
  return [...new Set([...ctx.engine.catalog.actions.values()].map((a) => a.channel))].sort();
}

/** One channel's line in `GET /v1/channels` (and `kairos channel status --url`). */
export function channelState(channel: string, journeys: readonly string[], inArtifact: boolean, row: KillSwitch | undefined): Record<string, unknown> {
  return {
    channel,
    state: row?.state ?? "enabled",
    journeys,
    in_artifact: inArtifact,
    ...(row ? { since: row.since, by: row.by, reason: row.reason } : {}),
  };
}

function stateAfter(ctx: RouteContext, name: string, row: KillSwitch): Record<string, unknown> {
  const journeys = journeysByChannel(ctx).get(name) ?? [];
  return channelState(name, journeys, catalogChannels(ctx).includes(name) || journeys.length > 0, row);
}

/** `POST /v1/channels/{name}/disable` and `…/enable`. */
function switchRoute(action: "disable" | "enable"): RouteSpec {
  const off = action === "disable";
  return {
    method: "POST",
    url: `/v1/channels/:name/${action}`,
    tag: "channels",
    summary: off ? "Turn every journey acting on a channel off on every instance (kill switch)" : "Turn a channel its kill switch turned off on again",
    description: off
      ? "From then on every candidate of a journey whose action uses the channel is `suppressed` with the reason `kill_switch` (kind `channel`, " +
        "who, why, since when) — wake-ups too — on every instance within about two seconds, until a person enables it. " +
        "409 `already_disabled` when it is off already."
      : "Its journeys act again on every instance within about two seconds (unless a journey's own kill switch or its stop-loss stopped it). " +
        "409 `not_disabled` when it is not off.",
    scopes: ["admin"],
    schema: { params: CHANNEL_PARAMS, body: KILL_SWITCH_BODY },
    responses: {
      200: { description: "the channel's state after the change", schema: CHANNEL_STATE_SCHEMA },
      ...errorsOf(404, 409),
    },
    async handler(ctx, request) {
      const { name } = request.params as { name: string };
      const row = await turnSwitch(ctx, "channel", name, off ? "disabled" : "enabled", request.body as KillSwitchBody);
      return stateAfter(ctx, name, row);
    },
  };
}

export const channelRoutes: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/v1/channels",
    tag: "channels",
    summary: "Every channel and whether a kill switch turned it off",
    description:
      "The channels of the running artifact's catalog in name order, each with the journeys acting on it, then switches of channels it no longer has. " +
      "A channel turned off suppresses its journeys' candidates with the reason `kill_switch` until a person enables it.",
    scopes: ["audit:read", "metrics"],
    responses: {
      200: {
        description: "the channels",
        schema: { type: "object", properties: { channels: { type: "array", items: CHANNEL_STATE_SCHEMA } } },
      },
      ...errorsOf(),
    },
    async handler(ctx) {
      const switches = new Map((await killSwitchesOf(ctx.store)).filter((k) => k.kind === "channel").map((k) => [k.name, k]));
      const byChannel = journeysByChannel(ctx);
      const own = [...new Set([...catalogChannels(ctx), ...byChannel.keys()])].sort();
      const channels = own.map((c) => channelState(c, byChannel.get(c) ?? [], true, switches.get(c)));
      for (const [name, row] of [...switches].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (!own.includes(name)) channels.push(channelState(name, [], false, row));
      }
      return { channels };
    },
  },
  switchRoute("disable"),
  switchRoute("enable"),
];
