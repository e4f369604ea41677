// The changes a person (or the automatic rollback) makes to the rollout (docs/rollout.md): start a
// canary or a shadow rollout of a registered version, promote its candidate to stable, roll it back —
// each one compare-and-set write of the store's single rollout row (a new generation, kept in the
// history), so two people (or two instances rolling back at once) never write over each other:
// the second is told what came first. Shared by the HTTP routes, `kairos rollout` on the store,
// the automatic rollback and the start of an instance. Pure over the store: no engine is loaded here.
import type { RegisteredArtifact, ReleaseStore, RolloutBudget, RolloutState } from "../store/types.ts";
import { newSalt } from "./bucket.ts";

/** Why a rollout change was refused. */
export type RolloutErrorCode =
  /** The version named is not in the registry. */
  | "not_registered"
  /** A rollout is in progress: promote or roll it back first. */
  | "rollout_active"
  /** No rollout is in progress (nothing to promote or roll back). */
  | "no_rollout"
  /** The candidate is the stable version already. */
  | "same_version"
  /** Another change came first (the generation moved). */
  | "conflict"
  /** No stable version yet: no instance of the service ever started on this store. */
  | "no_stable"
  /** The change itself is malformed (a percent out of range …). */
  | "invalid";

/** A rollout change refused: what, and how to go on. */
export class RolloutError extends Error {
  override readonly name = "RolloutError";
  readonly code: RolloutErrorCode;
  readonly hint: string | undefined;
  /** The rollout as it stands, when the refusal is about it. */
  readonly current: RolloutState | undefined;

  constructor(code: RolloutErrorCode, message: string, hint?: string, current?: RolloutState) {
    super(message);
    this.code = code;
    this.hint = hint;
    this.current = current;
  }
}

/** What a person gives to change the rollout. */
export interface ChangeBy {
  /** Who (recorded in the history). */
  readonly by: string;
  /** Why, in a sentence (default: a sentence naming the action). */
  readonly reason?: string;
  /** When (ISO 8601 UTC; default now). */
  readonly at?: string;
  /** Refuse with `conflict` unless the rollout is still at this generation (default: whatever it is when read). */
  readonly expectGeneration?: number;
}

/** A new rollout. */
export interface StartRollout extends ChangeBy {
  /** The candidate: a registered version name or artifact hash. */
  readonly candidate: string;
  readonly mode: "canary" | "shadow";
  /** Canary only: the share of subjects the candidate decides for (0 < percent ≤ 100, two decimals at most). */
  readonly percent?: number;
  /** Canary only: the budget whose breach rolls it back (default: 1% errors, 100 decisions before judging). */
  readonly budget?: RolloutBudget;
}

/** The default error budget of a canary. */
export const DEFAULT_BUDGET: Required<Pick<RolloutBudget, "maxErrorRate" | "minDecisions">> = { maxErrorRate: 0.01, minDecisions: 100 };

/** A name for an artifact in messages: `v42 (3f2a…)`. */
export function nameOf(hash: string | undefined, registered?: readonly RegisteredArtifact[]): string {
  if (hash === undefined) return "(none)";
  const found = registered?.find((a) => a.hash === hash);
  return found ? `${found.version} (${hash.slice(0, 12)})` : hash.slice(0, 12);
}

/** Checks a canary's percent: 0 < p ≤ 100 with at most two decimals. Throws RolloutError `invalid`. */
export function checkPercent(percent: number | undefined): number {
  if (percent === undefined || !Number.isFinite(percent) || percent <= 0 || percent > 100 || Math.abs(percent * 100 - Math.round(percent * 100)) > 1e-9) {
    throw new RolloutError(
      "invalid",
      `the canary's percent must be above 0 and at most 100 with two decimals at most (got ${String(percent)})`,
      "give it like `5` or `0.5` (percent of subjects)",
    );
  }
  return Math.round(percent * 100) / 100;
}

/** Checks a budget's numbers. Throws RolloutError `invalid`. */
export function checkBudget(budget: RolloutBudget | undefined): RolloutBudget | undefined {
  if (budget === undefined) return undefined;
  const { maxErrorRate, maxP99Ms, minDecisions } = budget;
  if (maxErrorRate !== undefined && !(Number.isFinite(maxErrorRate) && maxErrorRate >= 0 && maxErrorRate <= 1))
    throw new RolloutError("invalid", `the budget's error rate must be a share from 0 to 1 (got ${maxErrorRate})`, "give it like `0.01` (1%)");
  if (maxP99Ms !== undefined && !(Number.isFinite(maxP99Ms) && maxP99Ms > 0))
    throw new RolloutError("invalid", `the budget's p99 latency must be a positive number of milliseconds (got ${maxP99Ms})`);
  if (minDecisions !== undefined && !(Number.isSafeInteger(minDecisions) && minDecisions >= 1))
    throw new RolloutError("invalid", `the budget's minimum of decisions must be a whole number from 1 (got ${minDecisions})`);
  return {
    ...(maxErrorRate === undefined ? {} : { maxErrorRate }),
    ...(maxP99Ms === undefined ? {} : { maxP99Ms }),
    ...(minDecisions === undefined ? {} : { minDecisions }),
  };
}

async function current(store: ReleaseStore, expect: number | undefined): Promise<RolloutState> {
  const state = await store.rollout();
  if (expect !== undefined && state.generation !== expect) {
    throw new RolloutError(
      "conflict",
      `the rollout changed meanwhile: it is at generation ${state.generation} (${state.action} by ${state.by}), not ${expect}`,
      "look at it again (kairos rollout status) and decide again",
      state,
    );
  }
  return state;
}

async function write(store: ReleaseStore, next: RolloutState, expect: number): Promise<RolloutState> {
  if (await store.setRollout(next, expect)) return next;
  const now = await store.rollout();
  throw new RolloutError(
    "conflict",
    `another change came first: the rollout is at generation ${now.generation} (${now.action} by ${now.by} at ${now.since})`,
    "look at it again (kairos rollout status) and decide again",
    now,
  );
}

/** Starts a canary or shadow rollout of a registered version. Throws RolloutError, and what the store throws. */
export async function startRollout(store: ReleaseStore, change: StartRollout): Promise<RolloutState> {
  const percent = change.mode === "canary" ? checkPercent(change.percent) : undefined;
  if (change.mode === "shadow" && change.percent !== undefined)
    throw new RolloutError(
      "invalid",
      "a shadow rollout takes no percent: the candidate decides every request without effect",
      "drop the percent, or start a canary",
    );
  const budget = checkBudget(change.budget);
  const candidate = await store.artifact(change.candidate);
  if (candidate === undefined) {
    throw new RolloutError(
      "not_registered",
      `no version \`${change.candidate}\` in the registry`,
      "publish it first (kairos artifacts publish DIR --version NAME), then list them with kairos artifacts list",
    );
  }
  const state = await current(store, change.expectGeneration);
  if (state.stable === undefined) {
    throw new RolloutError(
      "no_stable",
      "the store has no stable version yet",
      "start the service once on this store (kairos serve): its artifact becomes the stable version",
      state,
    );
  }
  if (state.mode !== "none") {
    throw new RolloutError(
      "rollout_active",
      `a ${state.mode} rollout of ${nameOf(state.candidate)} is in progress (generation ${state.generation}, by ${state.by})`,
      "promote it or roll it back first (kairos rollout promote | rollback)",
      state,
    );
  }
  if (candidate.hash === state.stable) {
    throw new RolloutError(
      "same_version",
      `\`${change.candidate}\` is the stable version already`,
      "publish the new version under a name of its own and roll that out",
      state,
    );
  }
  const at = change.at ?? new Date().toISOString();
  const what = change.mode === "canary" ? `a canary of ${candidate.version} for ${percent}% of subjects` : `a shadow rollout of ${candidate.version}`;
  const next: RolloutState = {
    generation: state.generation + 1,
    stable: state.stable,
    mode: change.mode,
    candidate: candidate.hash,
    ...(percent === undefined ? {} : { percent }),
    salt: newSalt(),
    ...(change.mode === "canary" ? { budget: { ...DEFAULT_BUDGET, ...budget } } : {}),
    action: "start",
    by: change.by,
    reason: change.reason ?? `${change.by} started ${what}`,
    since: at,
  };
  return write(store, next, state.generation);
}

/** The candidate becomes the stable version (mode none). Throws RolloutError, and what the store throws. */
export async function promoteRollout(store: ReleaseStore, change: ChangeBy): Promise<RolloutState> {
  const state = await current(store, change.expectGeneration);
  if (state.mode === "none" || state.candidate === undefined) {
    throw new RolloutError(
      "no_rollout",
      "no rollout is in progress: there is nothing to promote",
      "start one with kairos rollout start VERSION --canary 5% --by NAME",
      state,
    );
  }
  const next: RolloutState = {
    generation: state.generation + 1,
    stable: state.candidate,
    mode: "none",
    action: "promote",
    by: change.by,
    reason: change.reason ?? `${change.by} promoted the candidate to stable`,
    detail: { previous_stable: state.stable ?? null, mode: state.mode, ...(state.percent === undefined ? {} : { percent: state.percent }) },
    since: change.at ?? new Date().toISOString(),
  };
  return write(store, next, state.generation);
}

/** What an automatic rollback records. */
export interface AutoRollback {
  readonly reason: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * The candidate is dropped (mode none, the stable version decides for everyone). With `auto`, the
 * action is `auto_rollback` by `auto-rollback`. Throws RolloutError, and what the store throws.
 */
export async function rollbackRollout(store: ReleaseStore, change: ChangeBy & { readonly auto?: AutoRollback }): Promise<RolloutState> {
  const state = await current(store, change.expectGeneration);
  if (state.mode === "none" || state.candidate === undefined) {
    throw new RolloutError("no_rollout", "no rollout is in progress: there is nothing to roll back", "see the history with kairos rollout history", state);
  }
  const next: RolloutState = {
    generation: state.generation + 1,
    ...(state.stable === undefined ? {} : { stable: state.stable }),
    mode: "none",
    action: change.auto ? "auto_rollback" : "rollback",
    by: change.auto ? AUTO_ROLLBACK_BY : change.by,
    reason: change.auto?.reason ?? change.reason ?? `${change.by} rolled the candidate back`,
    detail: { candidate: state.candidate, mode: state.mode, ...(state.percent === undefined ? {} : { percent: state.percent }), ...change.auto?.detail },
    since: change.at ?? new Date().toISOString(),
  };
  return write(store, next, state.generation);
}

/** Who an automatic rollback is recorded as made by. */
export const AUTO_ROLLBACK_BY = "auto-rollback";

/**
 * At an instance's start: when the store has no rollout yet, `hash` becomes the stable version
 * (action `start`). Returns the rollout as it then stands (another instance's first start may have
 * come first). Throws what the store throws.
 */
export async function adoptFirstStable(store: ReleaseStore, hash: string, version: string, at: string): Promise<RolloutState> {
  const state = await store.rollout();
  if (state.generation > 0) return state;
  const next: RolloutState = {
    generation: 1,
    stable: hash,
    mode: "none",
    action: "start",
    by: "kairos serve",
    reason: `the first instance started on this store with ${version}: it is the stable version`,
    since: at,
  };
  return (await store.setRollout(next, 0)) ? next : store.rollout();
}
