// The journeys and customer the freshness tests decide with (test/runtime, test/server and
// test/rationale freshness.test.ts), compiled against the spec catalog: an event-triggered
// journey on `claim.filed` (freshness PT5M in the catalog) and two daily ones reading
// `customer.nps` (P30D) and `customer.tenure_months`. Each test picks the journeys it needs;
// the rationale's adds a title and reasons, since it checks what a reader is told.

/** `claim_ack`: an SMS on a filed claim; `title` is internal text the customer must never see. */
export function claimAck(o: { readonly title?: string } = {}): string {
  return `journey claim_ack {
${o.title !== undefined ? `  title    "${o.title}"\n` : ""}  purpose  service_updates
  priority 50
  on       claim.filed
  when     claim.status == "filed"
  do       sms(template: "claim-ack")
}
`;
}

/** `promoter_thanks`: a daily email to a customer whose NPS is 9 or more. */
export function promoterThanks(o: { readonly reason?: string } = {}): string {
  return `journey promoter_thanks {
  purpose  renewal_marketing
  priority 20
  on       daily
  when     customer.nps is set and customer.nps >= 9
  do       email(template: "thanks")
${o.reason !== undefined ? `  reason   "${o.reason}"\n` : ""}}
`;
}

/** `tenure_gift`: a daily email to a customer of two years or more. */
export function tenureGift(o: { readonly reason?: string } = {}): string {
  return `journey tenure_gift {
  purpose  service_updates
  priority 10
  on       daily
  when     customer.tenure_months >= 24
  do       email(template: "gift")
${o.reason !== undefined ? `  reason   "${o.reason}"\n` : ""}}
`;
}

/** A policy set of one journey file holding `journeys` (sources as above), a blank line between them. */
export function freshnessJourneys(...journeys: string[]): Record<string, string> {
  return { "f.journey": journeys.join("\n") };
}

/** A customer every daily journey above acts on (NPS 9, 24 months). */
export const FRESHNESS_CUSTOMER = {
  customer_id: "c-1",
  email: "ana@example.com",
  timezone: "UTC",
  tenure_months: 24,
  segment: "retail",
  recent_interactions: [],
  nps: 9,
};
