// The customer-facing sentence, "why you got this": the winner's `reason` as the decision
// rendered it, else a plain sentence from the journey's title. It says nothing about other
// candidates, consent internals or data values — those are for the legal review.
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Decision } from "../decision.ts";

function about(meta: JourneyMeta | undefined): string {
  return meta?.title ? ` about “${meta.title}”` : "";
}

/**
 * One sentence for the person the decision is about. `meta` is the winner's metadata, used only
 * when the journey has no `reason`.
 */
export function customerSentence(decision: Decision, meta?: JourneyMeta): string {
  switch (decision.outcome) {
    case "acted":
      return decision.explanation ?? `We contacted you${about(meta)}.`;
    case "deferred":
      return decision.explanation
        ? `${decision.explanation} (We will send it after quiet hours${decision.deferred_until ? `, at ${decision.deferred_until}` : ""}.)`
        : `We will contact you${about(meta)} after quiet hours.`;
    case "pending_review":
      return decision.explanation
        ? `${decision.explanation} (A member of our team reviews this before anything is sent.)`
        : `A member of our team will review whether to contact you${about(meta)}.`;
    default:
      return "We did not contact you.";
  }
}
