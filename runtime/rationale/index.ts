// Rationale rendering: why a decision came out as it did, for a legal reviewer (Markdown, a
// self-contained HTML page, plain text) and for the customer (one sentence). Browser-safe.
import type { JourneyMeta } from "../../core/artifact.ts";
import { customerSentence } from "./customer.ts";
import { renderHtml } from "./html.ts";
import type { RationaleInput } from "./input.ts";
import { legalReview } from "./legal-review.ts";
import { renderMarkdown } from "./markdown.ts";
import { renderText } from "./text.ts";

export { fromDecision, fromLogEntry, type RationaleInput } from "./input.ts";
export { legalReview, OUTCOME_TEXT } from "./legal-review.ts";
export { customerSentence } from "./customer.ts";
export { renderMarkdown } from "./markdown.ts";
export { renderHtml } from "./html.ts";
export { escapeHtml } from "../../core/document/html.ts";
export { renderText } from "./text.ts";
export { traceTree, type TraceLine, type TraceTree } from "./trace-tree.ts";
export { formatValue } from "./values.ts";
export { formatDecimal } from "../../core/literals.ts";
export { explainBasis, decidingRecord, type BasisExplanation } from "./basis.ts";
export { guardrailSteps, type GuardrailStep } from "./guardrails.ts";
export type { Block, Inline, Text } from "./document.ts";

/** The formats `kairos explain` prints. */
export const RATIONALE_FORMATS = ["md", "html", "text", "customer"] as const;
export type RationaleFormat = (typeof RATIONALE_FORMATS)[number];

/** Renders a decision's rationale in one format (`customer`: the one sentence, plus a newline). */
export function renderRationale(input: RationaleInput, format: RationaleFormat): string {
  if (format === "customer") {
    const winner: JourneyMeta | undefined = input.decision.journey ? input.journeys.get(input.decision.journey) : undefined;
    return customerSentence(input.decision, winner) + "\n";
  }
  const blocks = legalReview(input);
  return format === "md" ? renderMarkdown(blocks) : format === "html" ? renderHtml(blocks) : renderText(blocks);
}
