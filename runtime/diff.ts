// What changes when a new version decides instead of the old one (docs/diff.md): a decision's
// digest (what matters of it to whom it reaches and why), pairs of digests of the same request
// under two versions, and their summary — outcome transitions per journey, subjects newly reached
// or dropped, consent and residency denials, examples with their rationale — and how it renders.
// Shared by `kairos diff` (recorded traffic re-decided under OLD and NEW) and the service's shadow
// rollouts (server/rollout/, the candidate decides beside the stable version without effect).
//
// CONTRACT (issue 17, lead): the types below are fixed; the implementation is H2's.
import type { Decision } from "./decision.ts";

/** What matters of one decision when comparing versions. */
export interface DecisionDigest {
  /** acted, no_match, denied_consent … */
  readonly outcome: string;
  /** The winning journey, when one won. */
  readonly journey?: string;
  /** `name@channel` of the action, when there is one. */
  readonly action?: string;
  /** Journeys denied by consent (`denied_consent`) or residency (`denied_residency`), sorted, as `journey:code`. */
  readonly denials: readonly string[];
  /** The customer-facing sentence (or the first reason's message), for examples. */
  readonly rationale?: string;
}

/** One request decided by both versions. */
export interface DiffRow {
  readonly subject: string;
  readonly decision_id: string;
  /** The request's `now`. */
  readonly at: string;
  readonly old: DecisionDigest;
  readonly new: DecisionDigest;
}

/** The digest of a decision. */
export function digestOf(_decision: Decision): DecisionDigest {
  throw new Error("runtime/diff.ts: not implemented yet (issue 17, H2)");
}

/** True when two digests are the same (the change does not alter this decision). */
export function sameDigest(a: DecisionDigest, b: DecisionDigest): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
