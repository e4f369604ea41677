// The catalog of spec §1.1, verbatim: the fixture most compiler tests check against.
export const SPEC_CATALOG = `version: 1
entities:
  customer:
    key: customer_id
    fields:
      customer_id:   { type: string, pii: identifier, lineage: crm.customers.id, residency: eu, retention: P10Y }
      email:         { type: string, pii: direct, lineage: crm.contacts.email, residency: eu, retention: P7Y }
      timezone:      { type: string, lineage: crm.customers.tz }
      tenure_months: { type: int, lineage: billing.accounts.tenure_months }
      segment:       { type: enum, values: [retail, sme, corporate], lineage: crm.customers.segment }
      nps:           { type: int, optional: true, lineage: survey.responses.nps, freshness: P30D }
      recent_interactions:
        type: list
        of: { at: datetime, channel: string, sentiment: { type: enum, values: [positive, neutral, negative] } }
        lineage: service.interactions
  policy:
    key: policy_id
    fields:
      status:       { type: enum, values: [active, lapsed, cancelled], lineage: policy_admin.policies.status }
      renewal_date: { type: date, lineage: policy_admin.policies.renewal_date }
      premium:      { type: decimal, labels: [financial], lineage: billing.invoices.premium }
  claim:
    key: claim_id
    fields:
      filed_at:  { type: datetime, lineage: claims.claims.filed_at }
      status:    { type: enum, values: [filed, assessing, approved, paid, rejected] }
      diagnosis: { type: string, pii: sensitive, labels: [health], residency: eu }
  onboarding:
    key: customer_id
    fields:
      completed_steps:  { type: int, lineage: product.onboarding.completed }
      total_steps:      { type: int, lineage: product.onboarding.total }
      last_progress_at: { type: datetime, lineage: product.events.last_progress }
events:
  daily:           { binds: [customer, policy, onboarding], schedule: true }
  claim.filed:     { binds: [customer, claim], fields: { claim_id: string, at: datetime }, freshness: PT5M }
  ticket.resolved: { binds: [customer], fields: { ticket_id: string, csat: int } }
purposes:
  renewal_marketing: { bases: [consent, legitimate_interest], channels: [email, push], forbids: [health, financial], marketing: true }
  service_updates:   { bases: [contract], channels: [email, sms, push] }
  service_recovery:  { bases: [legitimate_interest], channels: [email, call_task] }
  claims_handling:   { bases: [contract], channels: [email, sms, call_task], allows: [health] }
transfers: { eu: [uk] }
actions:
  email:          { channel: email, params: { template: string } }
  sms:            { channel: sms, params: { template: string } }
  push:           { channel: push, params: { template: string } }
  agent_callback: { channel: call_task, params: { queue: string }, cost: high }
`;
