// The demo's business outcomes, with a KNOWN true effect per journey, so the value table can be
// checked against the truth (docs/value.md#the-demo). Each journey's first decision for a subject
// puts the subject in an arm (treated, held out, global control: the same rule as the store's
// assignments); the subject's outcomes after it are drawn from that journey's model — a base
// probability within a number of days, plus the journey's true uplift when it treated the subject.
// Claims are the exception: a claimant's complaint and the claim's closing are drawn when the
// claim is filed, whatever any journey does, so the claim-status update has a true effect of zero.
// Draws come from a PRNG seeded by (seed, journey, subject), never from the book's PRNG: the
// decisions stay those of the book, and the outcomes do not depend on the order in which
// concurrent decisions came back.
import { createHash } from "node:crypto";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Decision } from "../../runtime/decision.ts";
import type { Arm, OutcomeRecord } from "../../server/store/types.ts";
import { DAY_MS, iso, prng, type Customer, type Rng } from "./book.ts";
import type { ClaimTimeline } from "./records.ts";

/** One outcome type's course after a journey's first decision for a subject. */
export interface OutcomeEffect {
  readonly type: string;
  /** Probability of the outcome within `days` for a subject the journey did not act for. */
  readonly base: number;
  /** What acting adds to that probability: the true absolute uplift (negative lowers it). */
  readonly uplift: number;
  /** The outcome happens within this many days of the decision (clipped to the journey's window). */
  readonly days: number;
  /** Its value in the catalog's currency; absent: the outcome carries none. */
  readonly value?: (c: Customer) => number;
}

/** A journey's true effect in the simulated world. */
export interface JourneyTruth {
  readonly journey: string;
  /** What the effect on the journey's goal is, as the demo means it to be. */
  readonly kind: "positive" | "zero" | "harmful";
  /** One line for people: what the journey does to its customers. */
  readonly story: string;
  readonly effects: readonly OutcomeEffect[];
  /** `claim`: drawn when a claim is filed, for every claimant, whatever the journey decides. */
  readonly drawnAt?: "claim";
}

const premium = (c: Customer): number => Number(c.context.policy["premium"] ?? 0);

/**
 * The simulated truth of the example policy set. Renewal reminders and the onboarding nudge
 * work; the claim-status update changes nothing; the referral invitation annoys people into
 * complaining (its `stop_loss` must stop it).
 */
export const DEMO_TRUTH: readonly JourneyTruth[] = [
  {
    journey: "renewal_reminder_d90",
    kind: "positive",
    story: "the day-90 reminder brings renewals forward: +15 points within 30 days",
    effects: [{ type: "renewal", base: 0.2, uplift: 0.15, days: 28, value: premium }],
  },
  {
    journey: "renewal_reminder_d30",
    kind: "positive",
    story: "the last reminder adds 10 points of renewals within 30 days",
    effects: [{ type: "renewal", base: 0.35, uplift: 0.1, days: 28, value: premium }],
  },
  {
    journey: "onboarding_nudge",
    kind: "positive",
    story: "a stalled new customer nudged completes onboarding and buys: +15 points within 14 days",
    effects: [{ type: "conversion", base: 0.15, uplift: 0.15, days: 13, value: () => 30 }],
  },
  {
    journey: "claim_status_update",
    kind: "zero",
    story: "claimants complain, and claims close, whether or not they get status updates",
    drawnAt: "claim",
    effects: [
      { type: "complaint", base: 0.06, uplift: 0, days: 14 },
      { type: "claim_closed", base: 1, uplift: 0, days: 14 },
    ],
  },
  {
    journey: "referral_invite",
    kind: "harmful",
    story: "the referral invitation brings a few referrals (+2 points) and many complaints (+20 points)",
    effects: [
      { type: "conversion", base: 0.03, uplift: 0.02, days: 28, value: () => 150 },
      { type: "complaint", base: 0.01, uplift: 0.2, days: 10 },
    ],
  },
];

/** The arm a decision puts its winner's subject in, or undefined when it is no assignment (docs/value.md#arms). */
export function armOf(d: Decision): Arm | undefined {
  if (d.outcome === "acted" || d.outcome === "deferred" || d.outcome === "pending_review") return "treated";
  if (d.outcome !== "held_out" || !d.journey) return undefined;
  const winner = d.evaluations.find((e) => e.journey === d.journey);
  return winner?.reasons?.some((r) => r.code === "global_control") ? "global_control" : "holdout";
}

/** A PRNG for one (seed, kind, key): independent of every other draw and of call order. */
function rngFor(seed: number, kind: string, key: string): Rng {
  return prng(createHash("sha256").update(`kairos-demo-outcome:${seed}:${kind}:${key}`).digest().readUInt32BE(0));
}

const SECOND = 1000;

/** A journey's true effect on one outcome type, as the value table shows it beside the measurement. */
export interface TrueUplift {
  readonly journey: string;
  readonly kind: JourneyTruth["kind"];
  readonly type: string;
  /** Absolute uplift in the rate, a fraction. */
  readonly uplift: number;
  readonly base: number;
}

/**
 * The outcomes of the simulated world, as they come due: `observe` each decision the service
 * answered and `claimFiled` each claim, then take `due(until)` as the clock advances and post them.
 */
export class DemoOutcomes {
  private readonly seed: number;
  private readonly truth: ReadonlyMap<string, JourneyTruth>;
  private readonly known: ReadonlySet<string>;
  private readonly windows: ReadonlyMap<string, number>;
  private readonly customers: ReadonlyMap<string, Customer>;
  /** `journey|subject` of the first decisions seen (an arm each). */
  private readonly exposed = new Map<string, Arm>();
  private pending: OutcomeRecord[] = [];
  /** The earliest `at` (epoch ms) among the pending outcomes: `due` before it has nothing to scan. */
  private earliest = Infinity;
  /** Subjects per journey and arm, as the demo saw them (the service's wake-ups are not seen). */
  readonly arms = new Map<string, Record<Arm, number>>();
  /** Outcomes drawn so far, by type. */
  readonly drawn = new Map<string, number>();

  /**
   * @param journeys the artifact's journeys: each one's window is its goal's, else its stop-loss's, else 30 days
   * @param types the outcome types the catalog knows: effects of other types are left out (the service would refuse them)
   */
  constructor(opts: {
    readonly seed: number;
    readonly journeys: readonly JourneyMeta[];
    readonly types: ReadonlySet<string>;
    readonly customers: readonly Customer[];
    readonly truth?: readonly JourneyTruth[];
  }) {
    this.seed = opts.seed;
    const ids = new Set(opts.journeys.map((j) => j.id));
    this.truth = new Map((opts.truth ?? DEMO_TRUTH).filter((t) => ids.has(t.journey)).map((t) => [t.journey, t]));
    this.known = opts.types;
    this.windows = new Map(opts.journeys.map((j) => [j.id, j.goal?.windowMs ?? j.stopLoss?.windowMs ?? 30 * DAY_MS]));
    this.customers = new Map(opts.customers.map((c) => [c.id, c]));
  }

  /** The true uplift of each modelled journey on each outcome type the catalog knows. */
  trueUplifts(): TrueUplift[] {
    return [...this.truth.values()].flatMap((t) =>
      t.effects.filter((e) => this.known.has(e.type)).map((e) => ({ journey: t.journey, kind: t.kind, type: e.type, uplift: e.uplift, base: e.base })),
    );
  }

  /** The journey models that apply (journeys of the artifact), in DEMO_TRUTH order. */
  models(): JourneyTruth[] {
    return [...this.truth.values()];
  }

  /** Takes a decision the service answered for `subject` at `at` (epoch ms): a first assignment draws the subject's outcomes. */
  observe(d: Decision, subject: string, at: number): void {
    const arm = armOf(d);
    if (!arm || !d.journey) return;
    const key = `${d.journey}|${subject}`;
    if (this.exposed.has(key)) return;
    this.exposed.set(key, arm);
    const counts = this.arms.get(d.journey) ?? { treated: 0, holdout: 0, global_control: 0 };
    counts[arm]++;
    this.arms.set(d.journey, counts);
    const t = this.truth.get(d.journey);
    if (!t || t.drawnAt === "claim") return;
    this.draw(t, subject, at, arm === "treated", key);
  }

  /** A claim filed by `subject`: its complaint (maybe) and its closing, whatever any journey does. */
  claimFiled(subject: string, claimId: string, claim: ClaimTimeline): void {
    for (const t of this.truth.values()) {
      if (t.drawnAt !== "claim") continue;
      const rng = rngFor(this.seed, "claim", `${t.journey}|${subject}|${claimId}`);
      const window = this.windows.get(t.journey) ?? 30 * DAY_MS;
      for (const e of t.effects) {
        const happens = rng() < e.base;
        const offset = rng();
        if (!happens || !this.known.has(e.type)) continue;
        // The claim closes when the system of record closes it; anything else within its days.
        const span = Math.min(e.days * DAY_MS, window - SECOND);
        const at = e.type === "claim_closed" ? claim.closedAt : claim.filedAt + Math.floor((offset * span) / SECOND) * SECOND;
        this.add(subject, e.type, at, `${claimId}|${e.type}`, e.value);
      }
    }
  }

  private draw(t: JourneyTruth, subject: string, at: number, treated: boolean, key: string): void {
    const rng = rngFor(this.seed, "journey", key);
    const window = this.windows.get(t.journey) ?? 30 * DAY_MS;
    for (const e of t.effects) {
      // Two draws per effect whatever the arm: the arms differ only in the threshold.
      const happens = rng() < e.base + (treated ? e.uplift : 0);
      const offset = rng();
      if (!happens || !this.known.has(e.type)) continue;
      const span = Math.min(e.days * DAY_MS, window - SECOND);
      this.add(subject, e.type, at + SECOND + Math.floor((offset * span) / SECOND) * SECOND, `${key}|${e.type}`, e.value);
    }
  }

  private add(subject: string, type: string, at: number, key: string, value: ((c: Customer) => number) | undefined): void {
    const customer = this.customers.get(subject);
    const id = `oc-${createHash("sha256").update(`${this.seed}|${key}`).digest("hex").slice(0, 24)}`;
    const amount = value && customer ? Math.round(value(customer) * 100) / 100 : undefined;
    this.pending.push({ id, subject, type, at: iso(at), ...(amount !== undefined ? { value: amount } : {}) });
    this.earliest = Math.min(this.earliest, at);
    this.drawn.set(type, (this.drawn.get(type) ?? 0) + 1);
  }

  /** The outcomes that happened before `until` (epoch ms), in time order, taken out of the queue. */
  due(until: number): OutcomeRecord[] {
    if (until <= this.earliest) return [];
    const now: OutcomeRecord[] = [];
    const later: OutcomeRecord[] = [];
    this.earliest = Infinity;
    for (const o of this.pending) {
      const at = Date.parse(o.at);
      if (at < until) now.push(o);
      else {
        later.push(o);
        this.earliest = Math.min(this.earliest, at);
      }
    }
    this.pending = later;
    return now.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id! < b.id! ? -1 : 1));
  }

  /** Outcomes drawn but not yet due. */
  get waiting(): number {
    return this.pending.length;
  }

  /** The longest window of the modelled journeys, in whole days: how long the demo watches after its last decision. */
  followDays(): number {
    let ms = 0;
    for (const t of this.truth.values()) ms = Math.max(ms, this.windows.get(t.journey) ?? 0);
    return Math.ceil(ms / DAY_MS);
  }
}
