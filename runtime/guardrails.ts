// The guardrails of spec §4 step 5, each a pure function: caps over a rolling window of earlier
// acted decisions (a journey's own, and the catalog's channel caps across journeys), arbitration by priority, holdout bucketing (the exact formula analysts
// recompute in SQL; the catalog's global control group uses it too), quiet hours in the subject's time zone, and review.
import type { JourneyMeta } from "../core/artifact.ts";
import { capCovers } from "../core/catalog/caps.ts";
import type { Catalog, ChannelCapDef } from "../core/catalog/types.ts";
import { sha256Hex } from "../core/sha256.ts";
import { firstInstantAt, isValidTimeZone, nextDate, wallTime } from "./timezone.ts";

/** Priority descending, then journey id ascending (code-unit order): the contract's one order. */
export function compareByPriority(a: { readonly priority: number; readonly id: string }, b: { readonly priority: number; readonly id: string }): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** An earlier acted decision, times in epoch ms. */
export interface PastAction {
  readonly journey: string;
  readonly atMs: number;
  /** The action's channel and the journey's purpose (undefined when neither the entry nor the artifact says). */
  readonly channel?: string | undefined;
  readonly purpose?: string | undefined;
}

export interface CapCheck {
  readonly capped: boolean;
  /** Acted decisions of the journey inside the window. */
  readonly count: number;
  readonly limit: number;
  readonly window: string;
  /** Start of the window (exclusive), epoch ms. */
  readonly sinceMs: number;
}

/**
 * `cap N per D`: capped when at least N acted decisions of the journey fall in the rolling
 * window (now − D, now]. An entry exactly D ago has left the window; entries after `now` (a
 * replay against a newer history) are not counted.
 */
export function checkCap(cap: NonNullable<JourneyMeta["cap"]>, journey: string, history: readonly PastAction[], nowMs: number): CapCheck {
  const sinceMs = nowMs - cap.windowMs;
  let count = 0;
  for (const h of history) if (h.journey === journey && h.atMs > sinceMs && h.atMs <= nowMs) count++;
  return { capped: count >= cap.count, count, limit: cap.count, window: cap.window, sinceMs };
}

/** A channel cap's count, with the cap it is about. */
export interface ChannelCapCheck extends CapCheck {
  /** The cap's name in the catalog. */
  readonly cap: string;
  readonly channel: string;
}

/**
 * A catalog channel cap (`caps:` in catalog.yaml): capped when at least `max` earlier actions on
 * the cap's channel for purposes it covers fall in the rolling window (now − per, now] — the same
 * window as `checkCap`, whatever journeys took them. An entry with no known channel is not counted.
 */
export function checkChannelCap(cap: ChannelCapDef, catalog: Catalog, history: readonly PastAction[], nowMs: number): ChannelCapCheck {
  const sinceMs = nowMs - cap.windowMs;
  let count = 0;
  for (const h of history) if (h.atMs > sinceMs && h.atMs <= nowMs && capCovers(cap, h.channel, h.purpose, catalog)) count++;
  return { capped: count >= cap.max, count, limit: cap.max, window: cap.per, sinceMs, cap: cap.name, channel: cap.channel };
}

/** Arbitration: the first of the eligible candidates in priority order wins; the rest are suppressed. */
export function arbitrate<T extends { readonly priority: number; readonly id: string }>(eligible: readonly T[]): { winner?: T; losers: T[] } {
  const sorted = [...eligible].sort(compareByPriority);
  const [winner, ...losers] = sorted;
  return winner === undefined ? { losers: [] } : { winner, losers };
}

/**
 * The holdout bucket of spec §4, exactly:
 * `int(first 8 hex digits of sha256(utf8(journey_id + ":" + salt + ":" + subject)), 16) mod 10000`.
 */
export function holdoutBucket(journey: string, salt: string, subject: string): number {
  return parseInt(sha256Hex(`${journey}:${salt}:${subject}`).slice(0, 8), 16) % 10000;
}

export interface HoldoutCheck {
  readonly heldOut: boolean;
  readonly bucket: number;
  /** `P × 100`: buckets below it are held out. */
  readonly threshold: number;
}

/** Held out when `bucket < P × 100` (P rounded to 1/1000 of a bucket against float noise). */
export function checkHoldout(holdout: NonNullable<JourneyMeta["holdout"]>, journey: string, subject: string): HoldoutCheck {
  const bucket = holdoutBucket(journey, holdout.salt, subject);
  const threshold = Math.round(holdout.percent * 100 * 1000) / 1000;
  return { heldOut: bucket < threshold, bucket, threshold };
}

/** The reason code of a candidate whose journey its stop-loss stopped (docs/runtime.md#stopped-journeys). */
export const STOP_LOSS_CODE = "stop_loss";

/**
 * The reason code of a candidate whose journey, or its action's channel, a person turned off with
 * a kill switch (docs/kill-switch.md); it takes precedence over a stop-loss stop.
 */
export const KILL_SWITCH_CODE = "kill_switch";

/** The journey id the global control group's bucket is computed with (docs/runtime.md#global-control-group). */
export const GLOBAL_CONTROL_JOURNEY = "global";

/**
 * The catalog's global control group (`value: control_group: { percent, salt }`): the holdout
 * formula with the journey id `global` and the group's salt; in the group when `bucket < P × 100`.
 */
export function checkGlobalControl(group: { readonly percent: number; readonly salt: string }, subject: string): HoldoutCheck {
  return checkHoldout(group, GLOBAL_CONTROL_JOURNEY, subject);
}

export type QuietCheck =
  | { readonly ok: true; readonly quiet: false; readonly localTime: string }
  | { readonly ok: true; readonly quiet: true; readonly localTime: string; readonly untilMs: number }
  | { readonly ok: false; readonly problem: string };

function hhmm(minutes: number): string {
  const m = Math.floor(minutes);
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/**
 * Quiet hours `from .. to` in the subject's zone. The window includes `from` and excludes `to`;
 * `from > to` crosses midnight (21:00 .. 08:00); `from == to` is an empty window. When `now`
 * is inside, `untilMs` is the first instant the local clock reads `to` (DST-correct).
 */
export function checkQuiet(quiet: NonNullable<JourneyMeta["quiet"]>, zone: unknown, nowMs: number): QuietCheck {
  if (typeof zone !== "string" || zone === "") return { ok: false, problem: "`customer.timezone` is not set; quiet hours need the subject's time zone" };
  if (!isValidTimeZone(zone)) {
    return { ok: false, problem: `\`customer.timezone\` is \`${zone.slice(0, 64)}\`, which is not an IANA time zone (like \`Europe/Berlin\`)` };
  }
  const local = wallTime(zone, nowMs);
  const { fromMinutes: from, toMinutes: to } = quiet;
  const localTime = hhmm(local.minutes);
  const crossesMidnight = from > to;
  const inWindow = crossesMidnight ? local.minutes >= from || local.minutes < to : local.minutes >= from && local.minutes < to;
  if (!inWindow) return { ok: true, quiet: false, localTime };
  // The window ends today at `to`, unless it crosses midnight and we are in its evening part.
  const endDate = crossesMidnight && local.minutes >= from ? nextDate(local.year, local.month, local.day) : local;
  const untilMs = firstInstantAt(zone, endDate.year, endDate.month, endDate.day, to, nowMs);
  return { ok: true, quiet: true, localTime, untilMs };
}
