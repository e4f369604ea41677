// The customer-facing sentence, "why you got this": the winner's `reason` as the decision
// rendered it, else a plain sentence about what happens next. It says nothing about other
// candidates, consent internals, data values or the journey's title (an internal name such as
// "Service-recovery outreach after a negative interaction", written for the team, not for the
// customer) — those are for the legal review.
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Decision } from "../decision.ts";

/**
 * One sentence for the person the decision is about. `_meta` (the winner's metadata) is accepted
 * for callers that pass it, and deliberately not used: nothing internal reaches the customer.
 */
export function customerSentence(decision: Decision, _meta?: JourneyMeta): string {
  const at = decision.deferred_until ? `, at ${decision.deferred_until}` : "";
  switch (decision.outcome) {
    case "acted":
      return decision.explanation ?? "We contacted you.";
    case "deferred":
      return decision.explanation ? `${decision.explanation} (We will send it after quiet hours${at}.)` : `We will contact you after quiet hours${at}.`;
    case "pending_review":
      return decision.explanation
        ? `${decision.explanation} (A member of our team reviews this before anything is sent.)`
        : "A member of our team will review whether to contact you.";
    case "stale":
      // Which data was out of date is for the legal review: the sentence names none of it.
      return "We did not contact you: the information we had was out of date.";
    default:
      return "We did not contact you.";
  }
}
