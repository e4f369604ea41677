// The demo's simulation loop: day by day, every customer gets the `daily` batch at their own
// hour; claims and tickets happen at random; timed follow-ups (`after 3d, 7d`) come back as
// wake-ups the simulation persists and replays when due, as a real caller would.
import { createHash } from "node:crypto";
import type { Engine } from "../../runtime/engine.ts";
import type { Decision } from "../../runtime/decision.ts";
import { chance, DAY_MS, generateBook, int, iso, pick, prng, type Customer } from "./book.ts";

export interface SimulationOptions {
  readonly customers: number;
  readonly days: number;
  readonly seed: number;
  /** Midnight UTC of the first day. */
  readonly start: number;
  readonly onProgress?: (day: number, decisions: number) => void;
}

export interface SimulationResult {
  readonly decisions: Decision[];
  readonly customers: number;
  readonly days: number;
}

interface Pending {
  readonly at: number;
  readonly customer: Customer;
  readonly event: { type: string; id: string; at: string; payload?: Record<string, unknown>; timer?: string };
}

interface ClaimTimeline {
  readonly filedAt: number;
  readonly assessingAt: number;
  readonly closedAt: number;
  readonly closedAs: string;
  readonly diagnosis: string;
}

const HOUR = 3_600_000;

/**
 * Event ids as a real event bus gives them: opaque, carrying nothing about the customer (an id
 * like `daily-3-c-00042` would put the customer id into every log entry's event id). They are
 * sha256(seed, counter) — deterministic for a seed, so two runs still make the same decisions —
 * and drawn apart from the book's PRNG, so the simulated book is the same as before.
 */
export function eventIds(seed: number): () => string {
  let counter = 0;
  return () => `ev-${createHash("sha256").update(`kairos-demo-event:${seed}:${++counter}`).digest("hex").slice(0, 20)}`;
}

function claimStatus(c: ClaimTimeline, now: number): string {
  return now < c.assessingAt ? "filed" : now < c.closedAt ? "assessing" : c.closedAs;
}

/** Runs the simulation; every decision goes through `engine` (and its attached log). */
export async function simulate(engine: Engine, opts: SimulationOptions): Promise<SimulationResult> {
  const rng = prng(opts.seed);
  const book = generateBook(opts.customers, opts.start, rng);
  const claims = new Map<string, ClaimTimeline>();
  const decisions: Decision[] = [];
  let queue: Pending[] = [];
  let seq = 0;
  const nextEventId = eventIds(opts.seed);

  const send = async (p: Pending) => {
    const c = p.customer;
    const claim = claims.get(c.id);
    if (claim) c.context.claim = { filed_at: iso(claim.filedAt), status: claimStatus(claim, p.at), diagnosis: claim.diagnosis };
    const request = {
      event: p.event,
      subject: c.id,
      now: iso(p.at),
      region: c.region,
      context: c.context,
      consents: c.consents.map((r) => ({ subject: c.id, ...r })),
      objections: c.objections.map((o) => ({ subject: c.id, ...o })),
      history: c.history,
    };
    const d = await engine.decide(request);
    decisions.push(d);
    // The caller acts on `acted`, and delivers `deferred` actions when the quiet hours end;
    // both count towards caps. Wake-ups are persisted and sent when due.
    if (d.journey && (d.outcome === "acted" || d.outcome === "deferred")) c.history.push({ journey: d.journey, at: d.deferred_until ?? iso(p.at) });
    for (const w of d.wakeups ?? []) queue.push({ at: Date.parse(w.at), customer: c, event: { ...p.event, timer: w.timer } });
  };

  for (let day = 0; day < opts.days; day++) {
    const dayStart = opts.start + day * DAY_MS;
    const today: Pending[] = [];
    for (const c of book) {
      today.push({ at: dayStart + c.dailyHour * HOUR, customer: c, event: { type: "daily", id: nextEventId(), at: iso(dayStart + c.dailyHour * HOUR) } });
      if (chance(rng, 1 / 45) && !claims.has(c.id)) {
        const at = dayStart + int(rng, 7, 19) * HOUR + int(rng, 0, 59) * 60_000;
        const id = `cl-${++seq}`;
        claims.set(c.id, {
          filedAt: at,
          assessingAt: at + 2 * DAY_MS,
          closedAt: at + int(rng, 4, 10) * DAY_MS,
          closedAs: pick(rng, ["approved", "paid", "rejected"]),
          diagnosis: pick(rng, ["fracture of the wrist", "whiplash", "water damage", "theft"]),
        });
        today.push({ at, customer: c, event: { type: "claim.filed", id: nextEventId(), at: iso(at), payload: { claim_id: id, at: iso(at) } } });
      }
      if (chance(rng, 1 / 30)) {
        const at = dayStart + int(rng, 8, 20) * HOUR;
        const id = `t-${++seq}`;
        today.push({ at, customer: c, event: { type: "ticket.resolved", id: nextEventId(), at: iso(at), payload: { ticket_id: id, csat: int(rng, 1, 5) } } });
      }
      // People change their minds: withdrawals and new objections during the simulation.
      const granted = c.consents.find((r) => r.status === "granted");
      if (granted && chance(rng, 0.004)) c.consents.push({ purpose: granted.purpose, status: "withdrawn", at: iso(dayStart), source: "preference-centre" });
      if (c.objections.length === 0 && chance(rng, 0.001)) c.objections.push({ scope: "direct_marketing", at: iso(dayStart) });
    }
    const due = queue.filter((p) => p.at < dayStart + DAY_MS);
    queue = queue.filter((p) => p.at >= dayStart + DAY_MS);
    today.push(...due);
    today.sort((a, b) => a.at - b.at || (a.customer.id < b.customer.id ? -1 : 1));
    for (const p of today) await send(p);
    opts.onProgress?.(day + 1, decisions.length);
  }
  return { decisions, customers: opts.customers, days: opts.days };
}
