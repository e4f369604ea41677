// A small policy set for the scoreboard's service, CLI and browser tests, written to a temporary
// directory: the spec catalog with a `value:` section (costs per channel, one declared outcome
// type) and two journeys on the daily event — `renewal_nudge` (tenure ≥ 12 months, 20% holdout,
// judged on renewals within 30 days) and `referral_invite` (newer customers, a complaint-rate
// stop-loss) — so decisions put subjects in both arms of one and trip the other's stop-loss;
// `fillValueStore` does that through a real service.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { holdoutBucket } from "../../runtime/guardrails.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { CUSTOMER, type TestServer } from "../server/helpers.ts";
import { SPEC_POLICY_DIR } from "../runtime/compiled.ts";

const VALUE_SECTION = `
value:
  currency: EUR
  costs: { email: 0.25, push: 0.01 }
  outcomes:
    referral: { description: "a friend signed up" }
`;

const JOURNEYS = `journey renewal_nudge {
  title    "Renewal nudge"
  purpose  service_updates
  priority 10
  on       daily
  when     customer.tenure_months >= 12
  do       email(template: "renewal")
  holdout  20%
  goal     renewal within 30d
}

journey referral_invite {
  title     "Referral invite"
  purpose   service_updates
  priority  5
  on        daily
  when      customer.tenure_months < 12
  do        push(template: "referral")
  holdout   10%
  goal      referral within 30d
  stop_loss complaint_rate > 3% min 20
}
`;

/** Writes the policy set into a new temporary directory and returns it. */
export function writeValuePolicies(): string {
  const dir = mkdtempSync(join(tmpdir(), "kairos-value-policies-"));
  mkdirSync(join(dir, "journeys"));
  cpSync(join(SPEC_POLICY_DIR, "catalog.yaml"), join(dir, "catalog.yaml"));
  writeFileSync(join(dir, "catalog.yaml"), readFileSync(join(dir, "catalog.yaml"), "utf8") + VALUE_SECTION);
  writeFileSync(join(dir, "journeys", "value.journey"), JOURNEYS);
  return dir;
}

/** Whether `renewal_nudge` holds `subject` out (its 20% holdout, no salt). */
export const heldOutOfRenewal = (subject: string): boolean => holdoutBucket("renewal_nudge", "", subject) < 2000;

/** Whether `referral_invite` holds `subject` out (its 10% holdout, no salt). */
export const heldOutOfReferral = (subject: string): boolean => holdoutBucket("referral_invite", "", subject) < 1000;

/** A daily decision request for `subject` at `now`, as a customer of `tenureMonths`. */
export function dailyRequest(subject: string, now: string, tenureMonths: number): Record<string, unknown> {
  return {
    event: { type: "daily", id: `day-${now.slice(0, 10)}` },
    subject,
    region: "eu",
    now,
    context: { ...CUSTOMER, customer: { ...CUSTOMER.customer, customer_id: subject, tenure_months: tenureMonths } },
  };
}

/** When the decisions are made. */
export const NOW = "2026-05-01T09:00:00Z";
/** When the scoreboard is judged: every 30-day window has ended. */
export const AS_OF = "2026-06-15T00:00:00Z";
/** Customers of two years (`renewal_nudge`). */
export const RENEWING: readonly string[] = Array.from({ length: 60 }, (_, i) => `r-${i}`);
/** Customers of three months (`referral_invite`). */
export const NEW: readonly string[] = Array.from({ length: 30 }, (_, i) => `n-${i}`);

/**
 * Through a service on `--clock request`: a decision for every subject; renewals for every other
 * treated and every third held-out renewing customer; complaints from a third of the treated new
 * ones; then the stop-loss check, which stops `referral_invite`.
 */
export async function fillValueStore(t: TestServer): Promise<void> {
  for (const s of RENEWING) await expectOk(t.call("POST", "/v1/decisions", dailyRequest(s, NOW, 24)));
  for (const s of NEW) await expectOk(t.call("POST", "/v1/decisions", dailyRequest(s, NOW, 3)));
  const store = t.server.store as ServiceStore;
  const renewals = RENEWING.filter((s, i) => (heldOutOfRenewal(s) ? i % 3 === 0 : i % 2 === 0));
  await store.addOutcomes(renewals.map((subject) => ({ id: `renewal-${subject}`, subject, type: "renewal", at: "2026-05-10T00:00:00Z", value: 500 })));
  const complainers = NEW.filter((s, i) => !heldOutOfReferral(s) && i % 3 === 0);
  await store.addOutcomes(complainers.map((subject) => ({ id: `complaint-${subject}`, subject, type: "complaint", at: "2026-05-02T00:00:00Z" })));
  const run = await t.server.service.checkStopLoss("2026-05-03T00:00:00Z");
  if (run.tripped.join() !== "referral_invite") throw new Error(`the stop-loss should have stopped referral_invite; it tripped ${JSON.stringify(run.tripped)}`);
}

async function expectOk(answer: Promise<{ status: number; text: string }>): Promise<void> {
  const a = await answer;
  if (a.status !== 200) throw new Error(`a decision was answered ${a.status}: ${a.text}`);
}
