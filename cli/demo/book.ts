// A simulated insurance book for the demo: customers in several regions and time zones, with
// policies, onboarding progress, interaction history, consents and objections. Deterministic
// for a seed, so two demo runs produce the same decisions.

/** mulberry32: a small, fast, seedable PRNG (deterministic across platforms). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
export const chance = (rng: Rng, p: number) => rng() < p;
export const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

export const DAY_MS = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const PLACES = [
  { region: "eu", timezone: "Europe/Berlin", weight: 3 },
  { region: "eu", timezone: "Europe/Madrid", weight: 2 },
  { region: "eu", timezone: "Europe/Paris", weight: 2 },
  { region: "uk", timezone: "Europe/London", weight: 2 },
  { region: "us", timezone: "America/New_York", weight: 2 },
] as const;

export interface Consent {
  purpose: string;
  channel?: string;
  status: "granted" | "withdrawn" | "denied";
  at: string;
  source: string;
}
export interface Objection {
  scope: string;
  at: string;
}

export interface Customer {
  readonly id: string;
  readonly region: string;
  /** UTC hour at which the daily batch reaches this customer (drives quiet hours). */
  readonly dailyHour: number;
  readonly context: {
    customer: Record<string, unknown>;
    policy: Record<string, unknown>;
    onboarding: Record<string, unknown>;
    claim?: Record<string, unknown>;
  };
  readonly consents: Consent[];
  readonly objections: Objection[];
  readonly history: { journey: string; at: string }[];
}

function place(rng: Rng): (typeof PLACES)[number] {
  const total = PLACES.reduce((n, p) => n + p.weight, 0);
  let r = rng() * total;
  for (const p of PLACES) if ((r -= p.weight) < 0) return p;
  return PLACES[0];
}

/** `n` customers as of `start` (epoch ms, midnight UTC). */
export function generateBook(n: number, start: number, rng: Rng): Customer[] {
  const out: Customer[] = [];
  for (let i = 0; i < n; i++) {
    const id = `c-${String(i + 1).padStart(5, "0")}`;
    const p = place(rng);
    const tenure = chance(rng, 0.25) ? int(rng, 0, 3) : int(rng, 4, 120);
    const interactions = Array.from({ length: int(rng, 0, 4) }, () => ({
      at: iso(start - int(rng, 1, 40) * DAY_MS + int(rng, 8, 18) * 3_600_000),
      channel: pick(rng, ["call", "email", "chat", "branch"]),
      sentiment: pick(rng, ["positive", "neutral", "neutral", "negative"]),
    }));
    const customer: Record<string, unknown> = {
      customer_id: id,
      email: `${id}@example.test`,
      timezone: p.timezone,
      tenure_months: tenure,
      segment: pick(rng, ["retail", "retail", "retail", "sme", "corporate"]),
      recent_interactions: interactions,
    };
    if (chance(rng, 0.6)) customer["nps"] = int(rng, 0, 10);
    const total = 5;
    const consents: Consent[] = [];
    const at = iso(start - int(rng, 30, 400) * DAY_MS);
    const r = rng();
    if (r < 0.55) consents.push({ purpose: "renewal_marketing", status: "granted", at, source: "web-signup" });
    else if (r < 0.7) consents.push({ purpose: "renewal_marketing", channel: "email", status: "granted", at, source: "call-centre" });
    else if (r < 0.8) consents.push({ purpose: "renewal_marketing", status: "denied", at, source: "web-signup" });
    const objections: Objection[] = chance(rng, 0.05) ? [{ scope: "direct_marketing", at: iso(start - int(rng, 1, 200) * DAY_MS) }] : [];
    out.push({
      id,
      region: p.region,
      dailyHour: int(rng, 5, 21),
      context: {
        customer,
        policy: {
          status: chance(rng, 0.88) ? "active" : pick(rng, ["lapsed", "cancelled"]),
          renewal_date: isoDate(start + int(rng, 1, 150) * DAY_MS),
          premium: Math.round((200 + rng() * 1800) * 100) / 100,
        },
        onboarding: {
          completed_steps: tenure <= 3 ? int(rng, 0, total) : total,
          total_steps: total,
          last_progress_at: iso(start - int(rng, 0, 12) * DAY_MS),
        },
      },
      consents,
      objections,
      history: [],
    });
  }
  return out;
}
