// Which arm of a journey's experiment a decision put its subject in (docs/value.md#arms-who-is-treated-who-is-held-out), as the
// assignment row the commit writes with the decision, all or nothing. A pure function of the
// decision alone — so every path that commits decisions (the service, wake-ups, a review's
// approval, tests) writes the same rows without being told — plus the winner's channel when the
// decision carries no action (a held-out decision names none; effects.ts passes the journey's).
import type { Decision } from "../../runtime/decision.ts";
import type { Arm } from "./types.ts";

/** The columns of one assignments row, but the subject and its time (the commit adds both). */
export interface AssignmentRow {
  readonly journey: string;
  readonly arm: Arm;
  readonly outcome: string;
  readonly channel: string;
  readonly decisionId: string;
}

/** Outcomes whose action goes ahead: the subject is treated (a review's approval is an `acted` decision of its own). */
const TREATED: ReadonlySet<string> = new Set(["acted", "deferred", "pending_review"]);

/**
 * The arm of a decision whose winner is a journey: `treated` when it acted, was deferred or waits
 * for a review; `holdout` or `global_control` when it was held out, by the reason code on the
 * winner's evaluation (`held_out`: the journey's own holdout; `global_control`: the catalog's
 * control group). Undefined for every other decision: nothing was assigned.
 */
export function armOf(decision: Decision): Arm | undefined {
  if (decision.journey === undefined) return undefined;
  if (TREATED.has(decision.outcome)) return "treated";
  if (decision.outcome !== "held_out") return undefined;
  const winner = decision.evaluations.find((e) => e.journey === decision.journey && e.outcome === "held_out");
  const codes = new Set((winner?.reasons ?? []).map((r) => r.code));
  if (codes.has("global_control")) return "global_control";
  if (codes.has("held_out")) return "holdout";
  return undefined;
}

/** The assignment row of a decision, or undefined when it assigned nobody (armOf). */
export function assignmentOf(decision: Decision, channel: string | undefined): AssignmentRow | undefined {
  const arm = armOf(decision);
  if (arm === undefined || decision.journey === undefined) return undefined;
  return {
    journey: decision.journey,
    arm,
    outcome: decision.outcome,
    channel: decision.action?.channel ?? channel ?? "",
    decisionId: decision.decision_id,
  };
}
