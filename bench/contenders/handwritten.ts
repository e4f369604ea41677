// Contender 2: the example policy set (policies/) written by hand in TypeScript, as a careful
// team would without Kairos — the same eight journeys, spec §5's consent, lawful basis and
// residency, and spec §4's guardrails (caps, arbitration, holdout, quiet hours, review), with
// no trace, no decision id and no log. Kept honest and reasonably fast: a static trigger table,
// timestamps parsed once per request, node:crypto for the holdout hash, one cached Intl
// formatter per time zone. It must agree with Kairos on the workload before it is timed.
import { createHash } from "node:crypto";
import type { BenchRequest } from "./workload.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;

type Channel = "email" | "sms" | "push" | "call_task";

interface Purpose {
  readonly bases: readonly string[];
  readonly channels: readonly Channel[];
  readonly marketing: boolean;
}

const PURPOSES: Record<string, Purpose> = {
  renewal_marketing: { bases: ["consent", "legitimate_interest"], channels: ["email", "push"], marketing: true },
  service_updates: { bases: ["contract"], channels: ["email", "sms", "push"], marketing: false },
  service_recovery: { bases: ["legitimate_interest"], channels: ["email", "call_task"], marketing: false },
  claims_handling: { bases: ["contract"], channels: ["email", "sms", "call_task"], marketing: false },
};

/** Residency tags of the fields the journeys read (everything else is `any`). */
const RESIDENCY: Record<string, string> = { "claim.diagnosis": "eu", "customer.customer_id": "eu", "customer.email": "eu", "customer.birth_date": "eu" };
const TRANSFERS: Record<string, readonly string[]> = { eu: ["uk"] };

/** What a journey's condition sees: the request, parsed once. */
interface Facts {
  readonly now: number;
  readonly today: number;
  readonly ctx: BenchRequest["context"];
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface Journey {
  readonly id: string;
  readonly purpose: string;
  readonly priority: number;
  readonly event: string;
  /** Timer durations in ms; empty for journeys that run when the event happens. */
  readonly timers: readonly number[];
  readonly action: { readonly name: string; readonly channel: Channel; readonly params: Readonly<Record<string, string>> };
  readonly fields: readonly string[];
  readonly cap?: { readonly count: number; readonly windowMs: number };
  readonly quiet?: { readonly from: number; readonly to: number };
  readonly holdout?: { readonly percent: number; readonly salt: string };
  readonly review: boolean;
  readonly when: (f: Facts) => boolean;
  readonly reason?: (f: Facts) => string;
}

const dayOf = (ms: number): number => Math.floor(ms / DAY);
const dateDay = (s: unknown): number => Math.round(Date.parse(`${s as string}T00:00:00Z`) / DAY);
const ms = (s: unknown): number => Date.parse(s as string);
const rec = (f: Facts, entity: string): Readonly<Record<string, unknown>> => f.ctx[entity] ?? {};
const QUIET_21_08 = { from: 21 * 60, to: 8 * 60 };

interface Interaction {
  readonly at: string;
  readonly channel: string;
  readonly sentiment: string;
}

const JOURNEYS: readonly Journey[] = [
  {
    id: "service_recovery",
    purpose: "service_recovery",
    priority: 80,
    event: "ticket.resolved",
    timers: [],
    action: { name: "agent_callback", channel: "call_task", params: { queue: "recovery" } },
    fields: ["customer.segment"],
    cap: { count: 1, windowMs: 90 * DAY },
    review: true,
    when: (f) => (f.payload["csat"] as number) <= 2 && rec(f, "customer")["segment"] !== "corporate",
    reason: (f) => `You rated our service ${f.payload["csat"] as number} out of 5, so a specialist will call you back.`,
  },
  {
    id: "repeated_negative_interactions",
    purpose: "service_recovery",
    priority: 70,
    event: "ticket.resolved",
    timers: [],
    action: { name: "agent_callback", channel: "call_task", params: { queue: "retention" } },
    fields: ["customer.recent_interactions"],
    cap: { count: 1, windowMs: 30 * DAY },
    review: true,
    when: (f) => {
      const list = rec(f, "customer")["recent_interactions"] as readonly Interaction[];
      let negative = 0;
      for (const i of list) if (i.sentiment === "negative" && Math.floor((f.now - ms(i.at)) / HOUR) <= 720) negative++;
      if (negative < 2) return false;
      for (const i of list) if (i.channel === "call" && Math.floor((f.now - ms(i.at)) / HOUR) <= 48) return false;
      return true;
    },
  },
  {
    id: "renewal_reminder_d30",
    purpose: "renewal_marketing",
    priority: 60,
    event: "daily",
    timers: [],
    action: { name: "push", channel: "push", params: { template: "renewal-d30" } },
    fields: ["customer.tenure_months", "customer.timezone", "policy.renewal_date", "policy.status"],
    cap: { count: 1, windowMs: 30 * DAY },
    quiet: QUIET_21_08,
    holdout: { percent: 10, salt: "" },
    review: false,
    when: (f) =>
      rec(f, "policy")["status"] === "active" &&
      (rec(f, "customer")["tenure_months"] as number) >= 12 &&
      dateDay(rec(f, "policy")["renewal_date"]) - f.today === 30,
    reason: () => "Your policy renews in 30 days; this is your last reminder.",
  },
  {
    id: "renewal_reminder_d90",
    purpose: "renewal_marketing",
    priority: 50,
    event: "daily",
    timers: [],
    action: { name: "email", channel: "email", params: { template: "renewal-d90" } },
    fields: ["customer.tenure_months", "customer.timezone", "policy.renewal_date", "policy.status"],
    cap: { count: 1, windowMs: 30 * DAY },
    quiet: QUIET_21_08,
    holdout: { percent: 10, salt: "" },
    review: false,
    when: (f) =>
      rec(f, "policy")["status"] === "active" &&
      dateDay(rec(f, "policy")["renewal_date"]) - f.today === 90 &&
      (rec(f, "customer")["tenure_months"] as number) >= 12,
    reason: (f) => `Your policy renews in ${dateDay(rec(f, "policy")["renewal_date"]) - f.today} days, so we sent you your options.`,
  },
  {
    id: "injury_claim_specialist_call",
    purpose: "claims_handling",
    priority: 40,
    event: "claim.filed",
    timers: [],
    action: { name: "agent_callback", channel: "call_task", params: { queue: "claims-specialist" } },
    fields: ["claim.diagnosis"],
    review: true,
    when: (f) => {
      const d = (rec(f, "claim")["diagnosis"] as string).toLowerCase();
      return d.includes("fracture") || d.includes("whiplash");
    },
    reason: () => "Your claim mentions an injury, so a claims specialist will call you.",
  },
  {
    id: "onboarding_nudge",
    purpose: "service_updates",
    priority: 20,
    event: "daily",
    timers: [],
    action: { name: "push", channel: "push", params: { template: "onboarding-nudge" } },
    fields: ["customer.timezone", "onboarding.completed_steps", "onboarding.last_progress_at", "onboarding.total_steps"],
    cap: { count: 1, windowMs: 7 * DAY },
    quiet: QUIET_21_08,
    holdout: { percent: 10, salt: "" },
    review: false,
    when: (f) => {
      const o = rec(f, "onboarding");
      return (o["completed_steps"] as number) < (o["total_steps"] as number) && f.today - dayOf(ms(o["last_progress_at"])) >= 5;
    },
    reason: (f) =>
      `You have completed ${rec(f, "onboarding")["completed_steps"] as number} of ${rec(f, "onboarding")["total_steps"] as number} setup steps, so we sent a reminder.`,
  },
  {
    id: "referral_invite",
    purpose: "renewal_marketing",
    priority: 10,
    event: "daily",
    timers: [],
    action: { name: "email", channel: "email", params: { template: "referral-invite" } },
    fields: ["customer.nps", "customer.tenure_months", "policy.status"],
    cap: { count: 1, windowMs: 180 * DAY },
    holdout: { percent: 20, salt: "referral-2026" },
    review: false,
    when: (f) => {
      const c = rec(f, "customer");
      const nps = c["nps"] as number | undefined | null;
      return nps != null && nps >= 9 && (c["tenure_months"] as number) >= 24 && rec(f, "policy")["status"] === "active";
    },
    reason: () => "You told us you would recommend us, so we invited you to our referral programme.",
  },
  {
    id: "claim_status_update",
    purpose: "service_updates",
    priority: 0,
    event: "claim.filed",
    timers: [3 * DAY, 7 * DAY],
    action: { name: "sms", channel: "sms", params: { template: "claim-status" } },
    fields: ["claim.status"],
    holdout: { percent: 10, salt: "" },
    review: false,
    when: (f) => {
      const s = rec(f, "claim")["status"];
      return s === "filed" || s === "assessing";
    },
    reason: () => "Your claim is still being handled, so we sent you an update.",
  },
];

/** event → journeys without a timer; `event|ms` → journeys carrying that timer (priority order). */
const TRIGGERS = new Map<string, Journey[]>();
for (const j of JOURNEYS) {
  const keys = j.timers.length === 0 ? [j.event] : j.timers.map((t) => `${j.event}|${t}`);
  for (const k of keys) TRIGGERS.set(k, [...(TRIGGERS.get(k) ?? []), j]);
}
for (const list of TRIGGERS.values()) list.sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));

const TIMER_UNITS: Record<string, number> = { w: 7 * DAY, d: DAY, h: HOUR, m: 60_000, s: 1000 };
function timerMs(label: string): number {
  return Number(label.slice(0, -1)) * (TIMER_UNITS[label.slice(-1)] ?? NaN);
}

// ---- consent and lawful basis (spec §5) ----------------------------------------------------

interface ConsentRec {
  readonly purpose: string;
  readonly channel: string | null;
  readonly status: string;
  readonly at: number;
  readonly expires: number | null;
}

/** The latest record for (purpose, channel); same time: a refusal wins, then input order. */
function latest(records: readonly ConsentRec[], purpose: string, channel: string | null): ConsentRec | undefined {
  let best: ConsentRec | undefined;
  for (const r of records) {
    if (r.purpose !== purpose || r.channel !== channel) continue;
    if (!best || r.at > best.at || (r.at === best.at && best.status === "granted" && r.status !== "granted")) best = r;
  }
  return best;
}

/** The lawful basis used, or null when the candidate is denied. */
function lawfulBasis(purposeId: string, channel: Channel, consents: readonly ConsentRec[], scopes: ReadonlySet<string>, now: number): string | null {
  const p = PURPOSES[purposeId];
  if (!p?.channels.includes(channel)) return null;
  const dmObjection = p.marketing && scopes.has("direct_marketing");
  if (dmObjection) return null; // Art. 21(3): denies every marketing purpose whatever its bases
  for (const basis of p.bases) {
    if (basis === "consent") {
      const r = latest(consents, purposeId, channel) ?? latest(consents, purposeId, null);
      if (r && r.status === "granted" && r.at <= now && (r.expires === null || r.expires > now)) return basis;
    } else if (basis === "legitimate_interest") {
      if (scopes.has(`purpose:${purposeId}`)) continue;
      const a = latest(consents, purposeId, channel);
      const b = latest(consents, purposeId, null);
      if ((a && a.status !== "granted") || (b && b.status !== "granted")) continue;
      return basis;
    } else {
      return basis; // contract, legal_obligation, …: asserted by the controller in the catalog
    }
  }
  return null;
}

function residencyAllowed(fields: readonly string[], region: string): boolean {
  for (const f of fields) {
    const tag = RESIDENCY[f];
    if (tag === undefined || tag === "any" || tag === region) continue;
    if (!(TRANSFERS[tag] ?? []).includes(region)) return false;
  }
  return true;
}

// ---- guardrails -------------------------------------------------------------------------------

function holdoutBucket(journey: string, salt: string, subject: string): number {
  const hex = createHash("sha256").update(`${journey}:${salt}:${subject}`).digest("hex");
  return parseInt(hex.slice(0, 8), 16) % 10000;
}

const zones = new Map<string, Intl.DateTimeFormat>();
function localParts(zone: string, at: number): { y: number; mo: number; d: number; minutes: number } {
  let f = zones.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    zones.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== "literal") p[part.type] = Number(part.value);
  return { y: p["year"]!, mo: p["month"]!, d: p["day"]!, minutes: p["hour"]! * 60 + p["minute"]! + (p["second"]! + (at % 1000) / 1000) / 60 };
}

/** When `now` is inside the quiet window, the instant it ends (the offset at `now` is assumed). */
function quietUntil(quiet: { from: number; to: number }, zone: string, now: number): number | undefined {
  const l = localParts(zone, now);
  const inWindow = quiet.from > quiet.to ? l.minutes >= quiet.from || l.minutes < quiet.to : l.minutes >= quiet.from && l.minutes < quiet.to;
  if (!inWindow) return undefined;
  const offset = Date.UTC(l.y, l.mo - 1, l.d) + Math.round(l.minutes * 60_000) - now;
  const endDay = quiet.from > quiet.to && l.minutes >= quiet.from ? l.d + 1 : l.d;
  return Date.UTC(l.y, l.mo - 1, endDay) + quiet.to * 60_000 - offset;
}

// ---- the decision ----------------------------------------------------------------------------

export interface HandwrittenDecision {
  readonly outcome: string;
  readonly journey?: string;
  readonly basis?: string;
  readonly action?: Journey["action"];
  readonly deferred_until?: string;
  readonly explanation?: string;
  readonly candidates: [string, string][];
}

/** The candidates of a request in priority order (undefined: no journey listens to it). */
export function candidatesOf(req: BenchRequest): readonly Journey[] | undefined {
  return TRIGGERS.get(req.event.timer === undefined ? req.event.type : `${req.event.type}|${timerMs(req.event.timer)}`);
}

/** `cap N per D`: N acted decisions of the journey in the window (now − D, now]. */
export function isCapped(j: Journey, history: BenchRequest["history"], now: number): boolean {
  if (!j.cap) return false;
  const since = now - j.cap.windowMs;
  let n = 0;
  for (const h of history) {
    if (h.journey !== j.id) continue;
    const at = Date.parse(h.at);
    if (at > since && at <= now) n++;
  }
  return n >= j.cap.count;
}

/**
 * Arbitration and the winner's guardrails (holdout, quiet hours, review), in spec §4's order.
 * `outcomes` holds every candidate's outcome so far ("" for the eligible ones), in priority
 * order; `eligible` the matched, uncapped candidates in priority order.
 */
export function settle(
  req: BenchRequest,
  now: number,
  outcomes: [string, string][],
  eligible: readonly Journey[],
  basisOf: (j: Journey) => string,
  explain: (j: Journey) => string | undefined,
): HandwrittenDecision {
  const winner = eligible[0];
  for (const l of eligible.slice(1)) outcomes.find((o) => o[0] === l.id)![1] = "suppressed";
  if (!winner) return { outcome: outcomes[0]?.[1] ?? "no_match", candidates: outcomes };
  const set = (outcome: string, extra: Partial<HandwrittenDecision> = {}): HandwrittenDecision => {
    outcomes.find((o) => o[0] === winner.id)![1] = outcome;
    return { outcome, journey: winner.id, basis: basisOf(winner), candidates: outcomes, ...extra };
  };
  if (winner.holdout && holdoutBucket(winner.id, winner.holdout.salt, req.subject) < winner.holdout.percent * 100) return set("held_out");
  if (winner.quiet) {
    const zone = req.context["customer"]?.["timezone"];
    if (typeof zone !== "string") return { outcome: "error", candidates: outcomes };
    const until = quietUntil(winner.quiet, zone, now);
    if (until !== undefined) return set("deferred", { deferred_until: new Date(until).toISOString().replace(".000Z", "Z") });
  }
  if (winner.review) return set("pending_review");
  const explanation = explain(winner);
  return set("acted", { action: winner.action, ...(explanation === undefined ? {} : { explanation }) });
}

/** Decides one request. Missing or malformed data ends in `error` (fail closed). */
export function decideHandwritten(req: BenchRequest): HandwrittenDecision {
  const journeys = candidatesOf(req);
  if (!journeys) return { outcome: "no_match", candidates: [] };
  const now = Date.parse(req.now);
  if (Number.isNaN(now)) return { outcome: "error", candidates: [] };
  const consents: ConsentRec[] = [];
  for (const c of req.consents) {
    if (c.subject !== undefined && c.subject !== req.subject) continue;
    consents.push({
      purpose: c.purpose,
      channel: c.channel ?? null,
      status: c.status,
      at: Date.parse(c.at),
      expires: c.expires_at == null ? null : Date.parse(c.expires_at),
    });
  }
  const scopes = new Set<string>();
  for (const o of req.objections) if (o.subject === undefined || o.subject === req.subject) scopes.add(o.scope);
  const facts: Facts = { now, today: dayOf(now), ctx: req.context, payload: req.event.payload ?? {} };

  const outcomes: [string, string][] = [];
  const bases = new Map<Journey, string>();
  const eligible: Journey[] = [];
  for (const j of journeys) {
    const entry: [string, string] = [j.id, ""];
    outcomes.push(entry);
    if (!residencyAllowed(j.fields, req.region)) {
      entry[1] = "denied_residency";
      continue;
    }
    const basis = lawfulBasis(j.purpose, j.action.channel, consents, scopes, now);
    if (basis === null) {
      entry[1] = "denied_consent";
      continue;
    }
    let matched: boolean;
    try {
      matched = j.when(facts);
    } catch {
      return { outcome: "error", candidates: outcomes };
    }
    if (!matched) entry[1] = "no_match";
    else if (isCapped(j, req.history, now)) entry[1] = "capped";
    else {
      bases.set(j, basis);
      eligible.push(j);
    }
  }
  return settle(
    req,
    now,
    outcomes,
    eligible,
    (j) => bases.get(j)!,
    (j) => j.reason?.(facts),
  );
}

/** The journeys this contender implements (a guard: they must be exactly Kairos's). */
export const HANDWRITTEN_JOURNEYS: readonly string[] = JOURNEYS.map((j) => j.id).sort();
