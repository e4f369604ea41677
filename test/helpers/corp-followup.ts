// A journey whose decisions carry personal data into the decision log, the spec policy set
// compiled with it, and the requests that trigger it, for the log tests that follow such data through the engine (test/log
// engine-sink.test.ts: pseudonymized entries, `kairos explain`; test/governance
// erasure.test.ts: erasing one subject): it acts on a corporate contact's low CSAT and its
// reason quotes the customer's email.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";

/** `corp_followup` (a file of its own, e.g. `corp.journey`): emails a `@corp.example` contact after a CSAT of 3 or less. */
export const CORP_FOLLOWUP = `
journey corp_followup {
  title   "Follow-up for corporate contacts"
  purpose service_updates
  on      ticket.resolved
  when    contains(customer.email, "@corp.example") and event.csat <= 3
  do      email(template: "corp-followup")
  reason  "We wrote to {customer.email} about your ticket."
}
`;

/** Who a request is about. */
export interface CorpContact {
  readonly subject: string;
  readonly email: string;
}

/** A `ticket.resolved` event with `csat` for `who` (a retail customer in Lisbon); `eventId` also names the ticket. */
export function ticketResolved(who: CorpContact, csat: number, eventId = `T-${csat}`) {
  return {
    event: { type: "ticket.resolved", id: eventId, payload: { ticket_id: eventId, csat } },
    subject: who.subject,
    now: "2026-05-30T10:00:00Z",
    region: "eu",
    context: { customer: { customer_id: who.subject, email: who.email, segment: "retail", timezone: "Europe/Lisbon", tenure_months: 14 } },
  };
}

/**
 * The spec policy set plus `corp_followup`, copied into `dir` and compiled for real. The catalog
 * must allow the e-mail address in a reason (`reason_allowed`), else the compiler refuses the
 * journey (check/pii-in-reason); the log still pseudonymizes it there.
 */
export async function corpFollowupEngine(dir: string): ReturnType<typeof compiledEngine> {
  const policies = join(dir, "policies");
  cpSync(SPEC_POLICY_DIR, policies, { recursive: true });
  const catalogFile = join(policies, "catalog.yaml");
  const catalog = readFileSync(catalogFile, "utf8");
  const allowed = catalog.replace("email:         { type: string, pii: direct,", "email:         { type: string, pii: direct, reason_allowed: true,");
  if (allowed === catalog) throw new Error(`${catalogFile}: no \`customer.email\` line to allow in reasons (the spec catalog changed?)`);
  writeFileSync(catalogFile, allowed);
  return compiledEngine(policies, { "corp.journey": CORP_FOLLOWUP });
}
