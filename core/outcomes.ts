// The outcomes of a decision and of each candidate evaluation, in the contract's order (the
// order `kairos test` coverage and the policy-test syntax list them). One definition for the
// compiler (test blocks name outcomes), the runtime (decisions carry them) and the tools.

/** Every outcome, in the contract's order. */
export const OUTCOMES = [
  "acted",
  "no_match",
  "denied_consent",
  "denied_residency",
  "stale",
  "suppressed",
  "held_out",
  "capped",
  "deferred",
  "pending_review",
  "error",
] as const;

/** One outcome. */
export type Outcome = (typeof OUTCOMES)[number];
