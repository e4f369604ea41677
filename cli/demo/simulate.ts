// The demo's simulation, driven through the decision service as real callers would drive it:
// a preference centre posts consent records and objections (a withdrawal is a new record), an
// event consumer posts each event to `POST /v1/decisions` with no consents, objections or cap
// history (the service keeps them), and a clock advances simulated time with
// `POST /v1/admin/wakeups/run` so that the service fires the timed follow-ups (`after 3d, 7d`)
// itself. Context comes from the system of record (records.ts), which the simulation keeps at
// the simulated time. A CRM posts the business outcomes (outcomes.ts: renewals, conversions,
// complaints, with a known true effect per journey) to `POST /v1/outcomes` as they happen, and
// after the last day the book is watched for the longest goal window, outcomes only, so that
// every subject's window ends. Deterministic for a seed: the same book, events, ids and order.
import { createHash } from "node:crypto";
import type { Decision } from "../../runtime/decision.ts";
import { chance, DAY_MS, generateBook, int, iso, pick, prng, type Customer, type Rng } from "./book.ts";
import { ServiceError, type ServiceClient, type ServiceRequest } from "./client.ts";
import type { DemoOutcomes } from "./outcomes.ts";
import { SystemOfRecord } from "./records.ts";

export interface SimulationOptions {
  readonly customers: number;
  readonly days: number;
  readonly seed: number;
  /** Midnight UTC of the first day. */
  readonly start: number;
  readonly onProgress?: (day: number, decisions: number) => void;
  /** Called after each decision the service answered (a test seam: it may hold the run). */
  readonly afterDecision?: (answered: number) => void | Promise<void>;
  /** Decisions sent at once for different customers at the same simulated time (default 8). */
  readonly concurrency?: number;
  /** The simulated world's outcomes: drawn from the decisions answered, posted as they come due. */
  readonly outcomes?: DemoOutcomes;
  /**
   * Called at the end of each simulated day (`dayEnd`: the next midnight, epoch ms), after that
   * day's wake-ups and outcomes — the demo runs the service's stop-loss check here.
   */
  readonly endOfDay?: (dayEnd: number, day: number) => Promise<void>;
}

/** The simulated book: its customers, the systems of record over them, and the PRNG that goes on. */
export interface Book {
  readonly customers: readonly Customer[];
  readonly records: SystemOfRecord;
  readonly rng: Rng;
}

/** What a call the service refused was for, and why. */
export interface Refusal {
  readonly what: "decision" | "consent" | "objection" | "wake-ups" | "outcomes";
  readonly code: string;
  readonly message: string;
}

export interface SimulationResult {
  /** The decisions the service answered for the events sent, in the order sent. */
  readonly decisions: Decision[];
  /** Events sent (answered or not). */
  readonly sent: number;
  /** Wake-ups the service ran when the clock advanced, and those whose decision failed. */
  readonly wakeupsFired: number;
  readonly wakeupsFailed: number;
  /** Consent records and objections the service stored. */
  readonly consentRecords: number;
  readonly objections: number;
  /** Outcomes the service stored, and those it already had (same id). */
  readonly outcomesAdded: number;
  readonly outcomeDuplicates: number;
  /** Days watched after the last one for outcomes only (no decisions): the longest goal window. */
  readonly followDays: number;
  /** Calls the service refused or did not answer (each counted, never retried). */
  readonly refused: readonly Refusal[];
  /** Set when the simulation stopped early because the service stopped answering. */
  readonly abandoned?: string;
  readonly customers: number;
  readonly days: number;
}

const HOUR = 3_600_000;
/** Outcomes per `POST /v1/outcomes` (the route takes at most 1,000). */
const OUTCOMES_PER_CALL = 500;
/** After this many refusals in a row the service is taken to be down and the run stops. */
const GIVE_UP_AFTER = 25;

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

/** The book for a seed: generated before the service starts, since its system of record serves it. */
export function openBook(customers: number, start: number, seed: number): Book {
  const rng = prng(seed);
  const book = generateBook(customers, start, rng);
  return { customers: book, records: new SystemOfRecord(book), rng };
}

interface Pending {
  readonly at: number;
  readonly customer: Customer;
  readonly event: ServiceRequest["event"];
}

/** Runs `tasks` with at most `n` at a time, in order of start. */
async function pool<T>(items: readonly T[], n: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/** Consecutive events at the same time for different customers: they may be decided at once. */
function batches(sorted: readonly Pending[]): Pending[][] {
  const out: Pending[][] = [];
  let cur: Pending[] = [];
  const ids = new Set<string>();
  for (const p of sorted) {
    if (cur.length > 0 && (p.at !== cur[0]!.at || ids.has(p.customer.id))) {
      out.push(cur);
      cur = [];
      ids.clear();
    }
    cur.push(p);
    ids.add(p.customer.id);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Runs the simulation against the service behind `client`; `book` is from `openBook` with the same options. */
export async function simulate(book: Book, client: ServiceClient, opts: SimulationOptions): Promise<SimulationResult> {
  const { rng, records } = book;
  const concurrency = opts.concurrency ?? 8;
  const decisions: Decision[] = [];
  const refused: Refusal[] = [];
  let sent = 0;
  let wakeupsFired = 0;
  let wakeupsFailed = 0;
  let consentRecords = 0;
  let objections = 0;
  let outcomesAdded = 0;
  let outcomeDuplicates = 0;
  let inARow = 0;
  let abandoned: string | undefined;
  let seq = 0;
  const nextEventId = eventIds(opts.seed);
  /** Due times (ms) of the wake-ups the service said it scheduled, not yet run. */
  const due = new Set<number>();
  let ranUntil = -Infinity;

  const failed = (what: Refusal["what"], e: unknown) => {
    if (!(e instanceof ServiceError)) throw e;
    refused.push({ what, code: e.code, message: e.message });
    if (++inARow >= GIVE_UP_AFTER) abandoned ??= `the service refused or did not answer ${GIVE_UP_AFTER} calls in a row (last: ${e.message})`;
  };
  const ok = () => void (inARow = 0);

  const postRecords = async (what: "consent" | "objection", subject: string, rows: readonly object[]) => {
    if (rows.length === 0) return;
    try {
      if (what === "consent") await client.addConsents(subject, rows);
      else await client.addObjections(subject, rows);
      ok();
      if (what === "consent") consentRecords += rows.length;
      else objections += rows.length;
    } catch (e) {
      failed(what, e);
    }
  };

  /** Posts the outcomes that happened before `until`. */
  const postOutcomes = async (until: number) => {
    const ready = opts.outcomes?.due(until) ?? [];
    for (let i = 0; i < ready.length && !abandoned; i += OUTCOMES_PER_CALL) {
      try {
        const r = await client.addOutcomes(ready.slice(i, i + OUTCOMES_PER_CALL));
        ok();
        outcomesAdded += r.added;
        outcomeDuplicates += r.duplicates;
      } catch (e) {
        failed("outcomes", e);
      }
    }
  };

  /**
   * Advances the clock: the service runs the wake-ups due by then, each with the records as of
   * its own due time (the ones it told us about; `andUntil` also runs any others up to `until`).
   */
  const runDue = async (until: number, andUntil = false) => {
    const times = [...due].filter((t) => t <= until).sort((a, b) => a - b);
    for (const t of andUntil ? [...times, until] : times) {
      due.delete(t);
      if (t <= ranUntil || abandoned) continue;
      records.now = t;
      try {
        const run = await client.runWakeups(iso(t));
        wakeupsFired += run.ran;
        wakeupsFailed += run.failed;
        ok();
      } catch (e) {
        failed("wake-ups", e);
      }
      ranUntil = t;
    }
  };

  const send = async (p: Pending) => {
    if (abandoned) return;
    sent++;
    let d: Decision;
    try {
      d = await client.decide({ event: p.event, subject: p.customer.id, now: iso(p.at), region: p.customer.region });
      ok();
    } catch (e) {
      failed("decision", e);
      return;
    }
    decisions.push(d);
    opts.outcomes?.observe(d, p.customer.id, p.at);
    for (const w of d.wakeups ?? []) due.add(Date.parse(w.at));
    await opts.afterDecision?.(decisions.length);
  };

  // The preference centre's records as they stand before the first day.
  await pool(book.customers, concurrency, async (c) => {
    await postRecords("consent", c.id, c.consents);
    await postRecords("objection", c.id, c.objections);
  });

  for (let day = 0; day < opts.days && !abandoned; day++) {
    const dayStart = opts.start + day * DAY_MS;
    const today: Pending[] = [];
    const changes: { customer: Customer; consents: Record<string, unknown>[]; objections: Record<string, unknown>[] }[] = [];
    for (const c of book.customers) {
      today.push({ at: dayStart + c.dailyHour * HOUR, customer: c, event: { type: "daily", id: nextEventId(), at: iso(dayStart + c.dailyHour * HOUR) } });
      if (chance(rng, 1 / 45) && !records.hasClaim(c.id)) {
        const at = dayStart + int(rng, 7, 19) * HOUR + int(rng, 0, 59) * 60_000;
        const id = `cl-${++seq}`;
        const claim = {
          filedAt: at,
          assessingAt: at + 2 * DAY_MS,
          closedAt: at + int(rng, 4, 10) * DAY_MS,
          closedAs: pick(rng, ["approved", "paid", "rejected"]),
          diagnosis: pick(rng, ["fracture of the wrist", "whiplash", "water damage", "theft"]),
        };
        records.fileClaim(c.id, claim);
        opts.outcomes?.claimFiled(c.id, id, claim);
        today.push({ at, customer: c, event: { type: "claim.filed", id: nextEventId(), at: iso(at), payload: { claim_id: id, at: iso(at) } } });
      }
      if (chance(rng, 1 / 30)) {
        const at = dayStart + int(rng, 8, 20) * HOUR;
        const id = `t-${++seq}`;
        today.push({ at, customer: c, event: { type: "ticket.resolved", id: nextEventId(), at: iso(at), payload: { ticket_id: id, csat: int(rng, 1, 5) } } });
      }
      // People change their minds: withdrawals and new objections, posted as new records.
      const change = { customer: c, consents: [] as Record<string, unknown>[], objections: [] as Record<string, unknown>[] };
      const granted = c.consents.find((r) => r.status === "granted");
      if (granted && chance(rng, 0.004)) {
        const withdrawal = { purpose: granted.purpose, status: "withdrawn" as const, at: iso(dayStart), source: "preference-centre" };
        c.consents.push(withdrawal);
        change.consents.push(withdrawal);
      }
      if (c.objections.length === 0 && chance(rng, 0.001)) {
        const objection = { scope: "direct_marketing", at: iso(dayStart) };
        c.objections.push(objection);
        change.objections.push(objection);
      }
      if (change.consents.length + change.objections.length > 0) changes.push(change);
    }
    for (const ch of changes) {
      await postRecords("consent", ch.customer.id, ch.consents);
      await postRecords("objection", ch.customer.id, ch.objections);
    }
    today.sort((a, b) => a.at - b.at || (a.customer.id < b.customer.id ? -1 : 1));
    for (const batch of batches(today)) {
      if (abandoned) break;
      await runDue(batch[0]!.at);
      await postOutcomes(batch[0]!.at);
      records.now = batch[0]!.at;
      await pool(batch, concurrency, send);
    }
    await runDue(dayStart + DAY_MS - 1000, true);
    await postOutcomes(dayStart + DAY_MS);
    if (!abandoned) await opts.endOfDay?.(dayStart + DAY_MS, day + 1);
    opts.onProgress?.(day + 1, decisions.length);
  }
  // Watched after the last day, outcomes only, until every subject's window has ended.
  const followDays = opts.outcomes?.followDays() ?? 0;
  for (let day = opts.days; day < opts.days + followDays && !abandoned; day++) {
    const dayEnd = opts.start + (day + 1) * DAY_MS;
    await postOutcomes(dayEnd);
    await opts.endOfDay?.(dayEnd, day + 1);
  }
  return {
    decisions,
    sent,
    wakeupsFired,
    wakeupsFailed,
    consentRecords,
    objections,
    outcomesAdded,
    outcomeDuplicates,
    followDays,
    refused,
    ...(abandoned ? { abandoned } : {}),
    customers: opts.customers,
    days: opts.days,
  };
}
