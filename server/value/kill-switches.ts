// Kill switches (docs/kill-switch.md): a person turns a journey, or every journey acting on a
// channel, off on every instance at once — `kairos journey disable`, `kairos channel disable`, or
// the service's API. One row per journey or channel in the store, changed by one conditional write
// (two people disabling at once write one change; the loser is told who came first) and kept in a
// history with who and why. This module is the write side and the reason a turned-off journey's
// candidates record; server/value/controls.ts reads the rows every second on every instance.
import { ARTIFACT_PART } from "../../core/artifact.ts";
import type { Reason } from "../../runtime/decision.ts";
import { KILL_SWITCH_CODE } from "../../runtime/guardrails.ts";
import type { KillSwitch, ReleaseStore, Store } from "../store/types.ts";

/** A store that keeps kill switches (every store `openStore` returns, once its release tables exist). */
export type KillSwitchStore = Store & {
  killSwitches(): Promise<readonly KillSwitch[]>;
  setKillSwitch(next: KillSwitch, expect: KillSwitch["state"]): Promise<boolean>;
  killSwitchHistory(kind?: KillSwitch["kind"], name?: string): Promise<readonly KillSwitch[]>;
};

/** Whether the store keeps kill switches. */
export function hasKillSwitches(store: Store): store is KillSwitchStore {
  const s = store as Partial<KillSwitchStore>;
  return typeof s.killSwitches === "function" && typeof s.setKillSwitch === "function";
}

/** What a kill switch is about, as people write it: `journey referral_invite`, `channel sms`. */
export function switchLabel(kind: KillSwitch["kind"], name: string): string {
  return `${kind} \`${name}\``;
}

/** The map key of a kill switch (kinds never contain `:`). */
export function switchKey(kind: KillSwitch["kind"], name: string): string {
  return `${kind}:${name}`;
}

/**
 * The reason the candidates of `journey` record while `row` (disabled) turns it off: code
 * `kill_switch`, what was turned off (`kind`, `name`: the journey itself or its action's channel),
 * who did it, since when, and why. The same row gives the same reason, byte for byte, on every
 * instance; replay reads it back from the log (runtime/log/replay.ts stoppedOf).
 */
export function killReason(row: KillSwitch, journey: string): Reason {
  const what = row.kind === "journey" ? `journey \`${row.name}\`` : `channel \`${row.name}\` of journey \`${journey}\``;
  const again = row.kind === "journey" ? "a person enables it" : "a person enables the channel";
  return {
    code: KILL_SWITCH_CODE,
    message: `${what} was turned off by ${row.by} at ${row.since}: ${row.reason}; it acts again once ${again}`,
    kind: row.kind,
    name: row.name,
    by: row.by,
    since: row.since,
  };
}

/** Why a kill switch could not be turned: it already was (by someone else, or earlier). */
export class KillSwitchError extends Error {
  /** `already_disabled` (disable) or `not_disabled` (enable). */
  readonly code: "already_disabled" | "not_disabled";
  /** The switch as it stands (undefined: never set). */
  readonly current: KillSwitch | undefined;
  constructor(code: KillSwitchError["code"], message: string, current: KillSwitch | undefined) {
    super(message);
    this.name = "KillSwitchError";
    this.code = code;
    this.current = current;
  }
}

/** What a person gives to turn a journey or a channel off or on again. */
export interface KillSwitchRequest {
  readonly kind: KillSwitch["kind"];
  readonly name: string;
  /** `disabled`: turn it off; `enabled`: let it act again. */
  readonly state: KillSwitch["state"];
  /** Who (recorded, shown by `status` and in every suppressed candidate's reason). */
  readonly by: string;
  /** Why, in a sentence. */
  readonly reason: string;
  /** When (ISO 8601 UTC; default now). */
  readonly at?: string;
}

/** A name a kill switch accepts: a journey id or a channel name as the catalog writes them. */
export const SWITCH_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function describe(current: KillSwitch | undefined, label: string): string {
  if (current === undefined) return `${label} was never turned off`;
  return current.state === "disabled"
    ? `${label} is already off: ${current.by} turned it off at ${current.since}: ${current.reason}`
    : `${label} is not off: ${current.by} turned it on again at ${current.since}`;
}

/**
 * Turns a kill switch (one conditional write from the other state; absent counts as enabled), and
 * returns the row written. Throws a KillSwitchError when the switch already is in that state —
 * naming who set it and when — and what the store throws (nothing written then).
 */
export async function setKillSwitchState(store: Store, request: KillSwitchRequest): Promise<KillSwitch> {
  if (!hasKillSwitches(store)) throw new Error("this store keeps no kill switches");
  if (!SWITCH_NAME.test(request.name)) {
    throw new Error(`\`${request.name}\` is not a ${request.kind} name: use letters, digits and \`_\`, starting with a letter or \`_\``);
  }
  const label = switchLabel(request.kind, request.name);
  const expect: KillSwitch["state"] = request.state === "disabled" ? "enabled" : "disabled";
  const code = request.state === "disabled" ? "already_disabled" : "not_disabled";
  const find = async (): Promise<KillSwitch | undefined> => (await store.killSwitches()).find((k) => k.kind === request.kind && k.name === request.name);
  const current = await find();
  if ((current?.state ?? "enabled") !== expect) throw new KillSwitchError(code, describe(current, label), current);
  const row: KillSwitch = {
    kind: request.kind,
    name: request.name,
    state: request.state,
    by: request.by,
    reason: request.reason,
    since: request.at ?? new Date().toISOString(),
  };
  if (!(await store.setKillSwitch(row, expect))) {
    const now = await find();
    throw new KillSwitchError(code, `${describe(now, label)} (meanwhile)`, now);
  }
  return row;
}

/** The journeys or channels of the versions the service runs, and those versions' hashes. */
export interface NamesInForce {
  readonly names: ReadonlySet<string>;
  readonly versions: readonly string[];
}

/**
 * The journey ids (from each manifest) or channels (from each catalog's actions) of the versions
 * the store's rollout says the service runs — the stable one and a candidate — read from the
 * artifact registry: what a disable straight on the store is checked against (a typo must not look
 * like a journey turned off). Undefined when the store cannot tell (no rollout yet, an artifact
 * not in the registry, a part it cannot read).
 */
export async function namesInForce(store: Store, kind: KillSwitch["kind"]): Promise<NamesInForce | undefined> {
  const s = store as Partial<ReleaseStore>;
  if (typeof s.rollout !== "function" || typeof s.artifactFiles !== "function") return undefined;
  const state = await s.rollout();
  const versions = [state.stable, state.candidate].filter((h): h is string => h !== undefined);
  if (versions.length === 0) return undefined;
  const names = new Set<string>();
  for (const hash of versions) {
    const part = (await s.artifactFiles(hash))?.[kind === "journey" ? ARTIFACT_PART.manifest : ARTIFACT_PART.catalog];
    if (part === undefined) return undefined;
    let json: { journeys?: readonly { id?: unknown }[]; actions?: Readonly<Record<string, { channel?: unknown }>> };
    try {
      json = JSON.parse(new TextDecoder().decode(part)) as typeof json;
    } catch {
      return undefined;
    }
    if (kind === "journey") for (const j of json.journeys ?? []) if (typeof j?.id === "string") names.add(j.id);
    if (kind === "channel") for (const a of Object.values(json.actions ?? {})) if (typeof a?.channel === "string") names.add(a.channel);
  }
  return { names, versions };
}
