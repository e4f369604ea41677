// The rollout as people and scripts read it (`GET /v1/rollout`, `kairos rollout status|history`):
// a state with its versions' registry names and the budget in the API's snake_case, one instance's
// own view (the generation it decides with, since when, its decisions per version, its canary's
// figures), and the shadow results of a generation summarised like `kairos diff` (runtime/diff.ts).
import { type DiffRow, summarizeDiff, type DiffReport } from "../../runtime/diff.ts";
import type { Metrics } from "../metrics.ts";
import type { RegisteredArtifact, ReleaseStore, RolloutState } from "../store/types.ts";
import { p99, type CanaryGuard } from "./auto-rollback.ts";
import type { RolloutRouter } from "./router.ts";

/** A state as the API shows it. */
export function stateView(state: RolloutState, registered: readonly RegisteredArtifact[]): Record<string, unknown> {
  const name = (hash: string | undefined): string | undefined => (hash === undefined ? undefined : registered.find((a) => a.hash === hash)?.version);
  const stableName = name(state.stable);
  const candidateName = name(state.candidate);
  const b = state.budget;
  return {
    generation: state.generation,
    ...(state.stable === undefined ? {} : { stable: state.stable }),
    ...(stableName === undefined ? {} : { stable_version: stableName }),
    mode: state.mode,
    ...(state.candidate === undefined ? {} : { candidate: state.candidate }),
    ...(candidateName === undefined ? {} : { candidate_version: candidateName }),
    ...(state.percent === undefined ? {} : { percent: state.percent }),
    ...(state.salt === undefined ? {} : { salt: state.salt }),
    ...(b === undefined
      ? {}
      : {
          budget: {
            ...(b.maxErrorRate === undefined ? {} : { max_error_rate: b.maxErrorRate }),
            ...(b.maxP99Ms === undefined ? {} : { max_p99_ms: b.maxP99Ms }),
            ...(b.minDecisions === undefined ? {} : { min_decisions: b.minDecisions }),
          },
        }),
    action: state.action,
    by: state.by,
    reason: state.reason,
    ...(state.detail === undefined ? {} : { detail: state.detail }),
    since: state.since,
  };
}

/** Decisions this instance committed per version and arm since it started. */
export async function decisionCounts(metrics: Metrics): Promise<{ version: string; arm: string; decisions: number }[]> {
  const got = await metrics.decisionsByVersion.get();
  return got.values
    .map((v) => ({ version: String(v.labels["version"] ?? ""), arm: String(v.labels["arm"] ?? ""), decisions: v.value }))
    .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : a.arm < b.arm ? -1 : a.arm > b.arm ? 1 : 0));
}

/** This instance's view: the generation it decides with (what a test waits for), since when, why not a newer one. */
export function instanceView(router: RolloutRouter, guard: CanaryGuard | undefined): Record<string, unknown> {
  const a = router.applied;
  const stats = guard?.stats();
  return {
    generation: a.state.generation,
    applied_at: new Date(a.appliedAt).toISOString(),
    stable: { hash: a.stable.hash, version: a.stable.name },
    mode: a.state.mode,
    ...(a.candidate ? { candidate: { hash: a.candidate.hash, version: a.candidate.name } } : {}),
    ...(router.problem === undefined ? {} : { problem: router.problem }),
    ...(a.state.mode === "canary" && stats
      ? {
          canary: {
            decisions: stats.decisions,
            errors: stats.errors,
            ...(stats.latenciesMs.length > 0 ? { p99_ms: Number(p99(stats.latenciesMs).toFixed(3)) } : {}),
          },
        }
      : {}),
  };
}

/** Shadow results read for a summary, at most. */
export const SHADOW_SUMMARY_ROWS = 100_000;

/** The shadow results of a generation summarised like `kairos diff` (stable = OLD, candidate = NEW). */
export async function shadowSummary(store: ReleaseStore, state: RolloutState, registered: readonly RegisteredArtifact[], examples = 3): Promise<DiffReport> {
  const rows = await store.shadowResults(state.generation, SHADOW_SUMMARY_ROWS);
  const label = (hash: string | undefined) =>
    hash === undefined ? undefined : { name: registered.find((a) => a.hash === hash)?.version ?? hash.slice(0, 12), hash };
  const old = label(state.stable);
  const neu = label(state.candidate);
  const diffRows: DiffRow[] = rows.map((r) => ({
    subject: r.subject,
    decision_id: r.decision_id,
    at: r.at,
    old: JSON.parse(r.stable),
    new: JSON.parse(r.candidate),
  }));
  return summarizeDiff(diffRows, { examples, ...(old ? { old } : {}), ...(neu ? { new: neu } : {}) });
}
