// What the kill-switch routes share (docs/kill-switch.md): `POST /v1/journeys/{id}/disable|enable`
// and `POST /v1/channels/{name}/disable|enable` validate the name against the versions this
// instance decides with (a typo must not look like a journey turned off), make the one conditional
// write, apply it to this instance at once (the others read it within about a second) and map a
// switch already in that state to 409 with who turned it and when.
import { HttpError } from "../errors.ts";
import { fromStore } from "../service.ts";
import type { KillSwitch, Store } from "../store/types.ts";
import { hasKillSwitches, KillSwitchError, setKillSwitchState, switchLabel } from "../value/kill-switches.ts";
import type { RouteContext } from "./route.ts";

/** The body of a disable or enable. */
export interface KillSwitchBody {
  readonly by: string;
  readonly reason: string;
  readonly now?: string;
}

/** Every kill switch in the store (none when the store keeps none); a failing store is 503. */
export function killSwitchesOf(store: Store): Promise<readonly KillSwitch[]> {
  if (!hasKillSwitches(store)) return Promise.resolve([]);
  return fromStore("reading the kill switches", () => store.killSwitches());
}

/** Whether the running versions know the journey or channel (the artifact's own and its catalog's, then the other versions the controls were given). */
function known(ctx: RouteContext, kind: KillSwitch["kind"], name: string): boolean {
  if (kind === "journey" && ctx.service.journeys.has(name)) return true;
  if (kind === "channel" && [...ctx.service.journeys.values()].some((m) => m.action.channel === name)) return true;
  // A channel of the catalog's actions, even one no active journey uses yet (`GET /v1/channels` lists those too).
  if (kind === "channel" && [...ctx.engine.catalog.actions.values()].some((a) => a.channel === name)) return true;
  return ctx.service.controls?.knows(kind, name) ?? false;
}

/** Turns a kill switch for a route; the row written. */
export async function turnSwitch(
  ctx: RouteContext,
  kind: KillSwitch["kind"],
  name: string,
  state: KillSwitch["state"],
  body: KillSwitchBody,
): Promise<KillSwitch> {
  const at = ctx.service.timeOf(body as unknown as Record<string, unknown>);
  const list = kind === "journey" ? "GET /v1/journeys" : "GET /v1/channels";
  if (!known(ctx, kind, name)) {
    // Turning off what no running version has would protect nothing; turning it on again is allowed (a switch set earlier).
    const row = (await killSwitchesOf(ctx.store)).find((k) => k.kind === kind && k.name === name);
    if (state === "disabled" || row === undefined) {
      throw new HttpError(404, `${kind}_not_found`, `no ${switchLabel(kind, name)} in the versions this service runs`, {
        hint: `list them with ${list}; the name is written as in the policy set`,
      });
    }
  }
  let row: KillSwitch;
  try {
    row = await setKillSwitchState(ctx.store, { kind, name, state, by: body.by, reason: body.reason, at });
  } catch (e) {
    if (!(e instanceof KillSwitchError)) {
      // A store that fails: 503 `store_unavailable` (nothing was written, or the write is whole).
      return fromStore(`turning the kill switch of ${kind} \`${name}\``, () => Promise.reject(e));
    }
    const base = kind === "journey" ? `/v1/journeys/${name}` : `/v1/channels/${name}`;
    const hint =
      state === "disabled" ? `nothing to do: it is off on every instance; \`POST ${base}/enable\` turns it on again` : `nothing to do: it acts; see ${list}`;
    throw new HttpError(409, e.code, e.message, { hint });
  }
  ctx.service.controls?.applyKillSwitch(row);
  return row;
}
