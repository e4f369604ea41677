// One version the service can decide with (docs/rollout.md): an engine together with what the
// decision flow needs of it — its journeys' metadata (a decision's effects), the longest cap
// window (how much history to read) and the name a person gave it in the registry. The stable
// version, a canary's candidate and the older versions that still own pending wake-ups are each one.
import type { JourneyMeta } from "../../core/artifact.ts";
import { channelCaps } from "../../core/catalog/caps.ts";
import type { Engine } from "../../runtime/engine.ts";

const HOUR_MS = 3_600_000;

/** An engine ready for the decision flow. */
export interface Version {
  readonly engine: Engine;
  /** The artifact hash (what every decision records as `artifact`). */
  readonly hash: string;
  /** Its name in the registry (`v42`), or `sha-<first 12 hex>` when it has none. */
  readonly name: string;
  /** Its journeys' metadata by id. */
  readonly journeys: ReadonlyMap<string, JourneyMeta>;
  /** The longest cap window of the artifact (journey caps and catalog channel caps) plus an hour, ms. */
  readonly historyWindowMs: number;
}

/** The default name of an artifact that has none: `sha-` and the first 12 hex digits of its hash. */
export function defaultVersionName(hash: string): string {
  return `sha-${hash.slice(0, 12)}`;
}

/** A version of an engine. */
export function versionOf(engine: Engine, name?: string): Version {
  const journeys = new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta]));
  const windows = [...journeys.values()].map((m) => m.cap?.windowMs ?? 0).concat(channelCaps(engine.catalog).map((c) => c.windowMs));
  // An hour more than the longest window: the engine decides which rows fall inside.
  return { engine, hash: engine.hash, name: name ?? defaultVersionName(engine.hash), journeys, historyWindowMs: Math.max(0, ...windows) + HOUR_MS };
}
