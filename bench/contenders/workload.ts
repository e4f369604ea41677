// The one workload every decision contender runs: deterministic requests over the example
// policy set (policies/), built from the demo's simulated insurance book (cli/demo/book.ts) and
// shaped so that every path of the contract is taken — consent grants, withdrawals, refusals,
// objections (direct marketing and per purpose), expired and future-dated consents, residency
// denials, caps, holdouts, quiet hours, reviews, matches, non-matches, timed follow-ups and an
// event no journey listens to. Same seed → the same requests, byte for byte.
import { DAY_MS, generateBook, int, iso, isoDate, pick, prng, type Consent, type Customer, type Objection } from "../../cli/demo/book.ts";

/** A decision request as spec §6 writes it (the input of every contender). */
export interface BenchRequest {
  readonly event: {
    readonly type: string;
    readonly id: string;
    readonly at?: string;
    readonly timer?: string;
    readonly payload?: Readonly<Record<string, unknown>>;
  };
  readonly subject: string;
  readonly now: string;
  readonly region: string;
  readonly context: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly consents: readonly (Consent & { readonly subject?: string; readonly expires_at?: string })[];
  readonly objections: readonly (Objection & { readonly subject?: string })[];
  readonly history: readonly { readonly journey: string; readonly at: string }[];
}

/** What every contender reports per request, so that their answers can be compared. */
export interface Verdict {
  readonly outcome: string;
  /** The winner, when there is one. */
  readonly journey?: string;
  /** Every candidate's outcome, in priority order. */
  readonly candidates: readonly (readonly [journey: string, outcome: string])[];
}

/** Midnight UTC of the book's first day (the demo's own start date). */
export const START = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

const DIAGNOSES = ["fracture of the left wrist", "Whiplash after a rear-end collision", "water damage in the kitchen", "theft of a bicycle"];

/** Extra consent history, by customer index: people change their minds, some records expire. */
function consentHistory(c: Customer, i: number): { consents: BenchRequest["consents"]; objections: BenchRequest["objections"] } {
  const consents: (Consent & { subject?: string; expires_at?: string })[] = c.consents.map((r) => ({ subject: c.id, ...r }));
  const objections: (Objection & { subject?: string })[] = c.objections.map((o) => ({ subject: c.id, ...o }));
  const at = (days: number) => iso(START - days * DAY_MS);
  if (i % 9 === 1) consents.push({ subject: c.id, purpose: "renewal_marketing", status: "withdrawn", at: at(3), source: "preference-centre" });
  if (i % 9 === 2) consents.push({ subject: c.id, purpose: "renewal_marketing", channel: "push", status: "withdrawn", at: at(10), source: "app" });
  if (i % 13 === 3) consents.push({ subject: c.id, purpose: "renewal_marketing", status: "granted", at: at(400), expires_at: at(20), source: "campaign-2024" });
  if (i % 17 === 4)
    consents.push({ subject: c.id, purpose: "renewal_marketing", channel: "email", status: "granted", at: iso(START + 400 * DAY_MS), source: "import" });
  if (i % 11 === 5) objections.push({ subject: c.id, scope: "purpose:service_recovery", at: at(30) });
  if (i % 23 === 6) objections.push({ subject: c.id, scope: "direct_marketing", at: at(2) });
  // Records of other subjects (a shared consent feed): the contract ignores them.
  if (i % 7 === 0) consents.push({ subject: "someone-else", purpose: "renewal_marketing", status: "granted", at: at(5), source: "feed" });
  return { consents, objections };
}

/** `n` requests over a book of `customers` customers (seeded). */
export function buildWorkload(n = 2000, customers = 400, seed = 7): BenchRequest[] {
  const rng = prng(seed);
  const book = generateBook(customers, START, rng);
  const out: BenchRequest[] = [];
  for (let k = 0; k < n; k++) {
    const i = k % customers;
    const c = book[i]!;
    const { consents, objections } = consentHistory(c, i);
    const renewal = Date.parse(`${c.context.policy["renewal_date"] as string}T00:00:00Z`);
    const kind = k % 20;
    let event: BenchRequest["event"];
    let nowMs: number;
    const context: Record<string, Record<string, unknown>> = { customer: c.context.customer, policy: c.context.policy, onboarding: c.context.onboarding };
    const history: { journey: string; at: string }[] = [];
    let region = c.region;
    if (kind < 10) {
      // The daily batch: a third at day 90 before renewal, a third at day 30, a third any day.
      const dayMs = kind % 3 === 0 ? renewal - 90 * DAY_MS : kind % 3 === 1 ? renewal - 30 * DAY_MS : START + (k % 40) * DAY_MS;
      nowMs = dayMs + c.dailyHour * HOUR + int(rng, 0, 59) * 60_000;
      event = { type: "daily", id: `daily-${k}`, at: iso(nowMs) };
      if (k % 7 === 0) history.push({ journey: "renewal_reminder_d30", at: iso(nowMs - 4 * DAY_MS) });
      if (k % 5 === 0) history.push({ journey: "onboarding_nudge", at: iso(nowMs - (k % 10) * DAY_MS - HOUR) });
    } else if (kind < 14) {
      nowMs = START + (k % 30) * DAY_MS + int(rng, 8, 20) * HOUR;
      event = { type: "ticket.resolved", id: `t-${k}`, at: iso(nowMs), payload: { ticket_id: `t-${k}`, csat: int(rng, 1, 5) } };
      if (k % 6 === 0) history.push({ journey: "service_recovery", at: iso(nowMs - 20 * DAY_MS) });
    } else if (kind < 19) {
      // A claim: filed now, or a timed follow-up 3 or 7 days later (status moved on meanwhile).
      const filedMs = START + (k % 30) * DAY_MS + int(rng, 7, 19) * HOUR;
      const timer = kind === 17 ? "3d" : kind === 18 ? "7d" : undefined;
      nowMs = filedMs + (timer === "3d" ? 3 : timer === "7d" ? 7 : 0) * DAY_MS;
      const status = timer === undefined ? "filed" : timer === "3d" ? "assessing" : pick(rng, ["assessing", "paid", "rejected"]);
      context["claim"] = { filed_at: iso(filedMs), status, diagnosis: DIAGNOSES[k % DIAGNOSES.length], amount: 1250.5 };
      event = { type: "claim.filed", id: `cl-${k}`, at: iso(filedMs), payload: { claim_id: `cl-${k}`, at: iso(filedMs) }, ...(timer ? { timer } : {}) };
      if (k % 5 === 0) region = "us"; // the diagnosis is EU-resident: a residency denial
    } else {
      nowMs = START + (k % 30) * DAY_MS + 9 * HOUR;
      event = { type: "policy.lapsed", id: `pl-${k}`, at: iso(nowMs), payload: { policy_id: `p-${i}`, lapsed_on: isoDate(nowMs) } };
    }
    out.push({ event, subject: c.id, now: iso(nowMs), region, context, consents, objections, history });
  }
  return out;
}

/** Counts of each decision outcome in a list of verdicts (for the report). */
export function outcomeMix(verdicts: readonly Verdict[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const v of verdicts) mix[v.outcome] = (mix[v.outcome] ?? 0) + 1;
  return Object.fromEntries(Object.entries(mix).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The share of requests (0..1) on which two contenders agree, by `key`. */
export function agreement(a: readonly Verdict[], b: readonly Verdict[], key: (v: Verdict) => string): { share: number; first?: number } {
  let same = 0;
  let first: number | undefined;
  for (let i = 0; i < a.length; i++) {
    if (key(a[i]!) === key(b[i]!)) same++;
    else first ??= i;
  }
  return { share: a.length === 0 ? 1 : same / a.length, ...(first === undefined ? {} : { first }) };
}

/** Keys for `agreement`: the full verdict, the decision (outcome + winner), acted or not. */
export const KEYS = {
  full: (v: Verdict) => JSON.stringify([v.outcome, v.journey ?? null, v.candidates]),
  decision: (v: Verdict) => `${v.outcome}:${v.journey ?? ""}`,
  acted: (v: Verdict) => String(v.outcome === "acted"),
} as const;

const PURPOSES = ["renewal_marketing", "service_updates", "service_recovery", "claims_handling"] as const;
const CHANNELS = [undefined, "email", "push", "sms"] as const;

/**
 * `req` with `n` more consent records of its subject (a long history of changes of mind, all
 * before `now`, over every purpose and channel), for the consent-records goal: what a subject
 * with 1,000 records costs. Deterministic.
 */
export function withConsentHistory(req: BenchRequest, n: number): BenchRequest {
  const now = Date.parse(req.now);
  const extra: (Consent & { subject?: string })[] = [];
  for (let k = 0; k < n; k++) {
    const channel = CHANNELS[k % CHANNELS.length];
    extra.push({
      subject: req.subject,
      purpose: PURPOSES[(k >> 2) % PURPOSES.length]!,
      ...(channel ? { channel } : {}),
      status: k % 3 === 2 ? "withdrawn" : "granted",
      at: iso(now - (n - k) * HOUR),
      source: "preference-centre",
    });
  }
  return { ...req, consents: [...extra, ...req.consents] };
}
