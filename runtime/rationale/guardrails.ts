// The guardrails a candidate went through (spec §4 step 5), in their fixed order — cap,
// arbitration, holdout, quiet hours, review — with what each was configured to and what it
// did, read off the candidate's outcome: the step that produced the outcome stopped it, the
// steps before it passed, the ones after it were not reached. A candidate stopped by one of
// the catalog's channel caps says which, from its `channel_cap_reached` reason.
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Decision, Evaluation } from "../decision.ts";
import { lookup } from "../own.ts";
import { haltedBy } from "./halted.ts";

export type StepName = "cap" | "arbitration" | "holdout" | "quiet" | "review";

export interface GuardrailStep {
  readonly step: StepName;
  /** As the journey declares it (`1 per 30d`, `21:00 .. 08:00`, `10%`), or `none`. */
  readonly configured: string;
  readonly result: string;
}

const STOPPED_AT: Partial<Record<Evaluation["outcome"], StepName>> = {
  capped: "cap",
  suppressed: "arbitration",
  held_out: "holdout",
  deferred: "quiet",
  pending_review: "review",
};

const ORDER: readonly StepName[] = ["cap", "arbitration", "holdout", "quiet", "review"];

function configured(step: StepName, meta: JourneyMeta | undefined): string {
  if (!meta) return "unknown";
  switch (step) {
    case "cap":
      return meta.cap ? `${meta.cap.count} per ${meta.cap.window}` : "none";
    case "arbitration":
      return `priority ${meta.priority}`;
    case "holdout":
      return meta.holdout ? `${meta.holdout.percent}%${meta.holdout.salt ? ` (salt "${meta.holdout.salt}")` : ""}` : "none";
    case "quiet":
      return meta.quiet ? `${meta.quiet.from} .. ${meta.quiet.to} (subject's local time)` : "none";
    case "review":
      return meta.review ? "required" : "none";
  }
}

/** The channel cap a candidate's reasons say stopped it, as `name (N per D)`. */
function channelCap(evaluation: Evaluation): string | undefined {
  const r = evaluation.reasons?.find((x) => x.code === "channel_cap_reached");
  if (!r || typeof r["cap"] !== "string") return undefined;
  const limits = typeof r["limit"] === "number" && typeof r["window"] === "string" ? ` (${r["limit"]} per ${r["window"]})` : "";
  return `${r["cap"]}${limits}`;
}

function stopped(step: StepName, decision: Decision, evaluation: Evaluation): string {
  switch (step) {
    case "cap": {
      const channel = channelCap(evaluation);
      return channel ? `over the catalog's channel cap ${channel}: capped` : "over its cap: capped";
    }
    case "arbitration": {
      const halted = haltedBy(evaluation);
      if (halted !== undefined) return halted.replace(/^suppressed: (.*)$/, "$1: suppressed");
      return decision.journey ? `lost to ${decision.journey}: suppressed` : "lost arbitration: suppressed";
    }
    case "holdout":
      return "in the control group: held out, no action";
    case "quiet":
      return decision.deferred_until ? `in quiet hours: deferred until ${decision.deferred_until}` : "in quiet hours: deferred";
    case "review":
      return "waiting for a human review: pending";
  }
}

function passed(step: StepName, meta: JourneyMeta | undefined): string {
  if (step === "arbitration") return "won";
  if (configured(step, meta) === "none") return "—";
  switch (step) {
    case "cap":
      return "within its cap";
    case "holdout":
      return "not in the control group";
    case "quiet":
      return "outside quiet hours";
    default:
      return "passed";
  }
}

/**
 * The guardrail steps of one candidate. Candidates that never reached the guardrails (no match,
 * denied, error) get every step as `not reached`.
 */
export function guardrailSteps(evaluation: Evaluation, meta: JourneyMeta | undefined, decision: Decision): GuardrailStep[] {
  // The outcome comes from a log, which anyone may have written: an own entry or none.
  const stop = lookup(STOPPED_AT, evaluation.outcome);
  const reachedAll = evaluation.outcome === "acted";
  const stopIndex = stop ? ORDER.indexOf(stop) : reachedAll ? ORDER.length : -1;
  return ORDER.map((step, i) => ({
    step,
    configured: configured(step, meta),
    result: i < stopIndex ? passed(step, meta) : i === stopIndex ? stopped(step, decision, evaluation) : "not reached",
  }));
}
