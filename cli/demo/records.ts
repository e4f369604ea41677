// The demo's stand-in for the bank's systems of record (CRM, policy administration, claims): the
// simulated book's records as they are at the simulated time. A claim moves from `filed` to
// `assessing` to its outcome as the clock advances, so a timed follow-up three days after a
// claim sees the claim as it is then. The decision service never holds these records: it asks
// for the minimal bundle of each decision (runtime/http-provider.ts, through record-server.ts),
// and this module answers exactly the fields asked, and counts what was asked.
import type { Customer } from "./book.ts";

/** A claim's course through time (epoch ms). */
export interface ClaimTimeline {
  readonly filedAt: number;
  readonly assessingAt: number;
  readonly closedAt: number;
  readonly closedAs: string;
  readonly diagnosis: string;
}

/** Entity → field → value, as the runtime's context providers answer. */
export type Records = Record<string, Record<string, unknown>>;

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** The book's records at the simulated time `now`. */
export class SystemOfRecord {
  /** The simulated time (epoch ms) the records are as of; the simulation advances it. */
  now = 0;
  /** Lookups answered, and the distinct field lists asked for (sorted, joined by `,`) → count. */
  readonly asked = new Map<string, number>();
  lookups = 0;
  /** Lookups for a subject the book does not have. */
  unknown = 0;
  private readonly customers = new Map<string, Customer>();
  private readonly claims = new Map<string, ClaimTimeline>();

  constructor(book: readonly Customer[]) {
    for (const c of book) this.customers.set(c.id, c);
  }

  /** A claim filed by `subject` (one open claim per customer). */
  fileClaim(subject: string, claim: ClaimTimeline): void {
    this.claims.set(subject, claim);
  }

  hasClaim(subject: string): boolean {
    return this.claims.has(subject);
  }

  /** Everything the systems hold about `subject` now, or undefined for a stranger. */
  recordsOf(subject: string): Records | undefined {
    const c = this.customers.get(subject);
    if (!c) return undefined;
    const out: Records = { customer: c.context.customer, policy: c.context.policy, onboarding: c.context.onboarding };
    const claim = this.claims.get(subject);
    if (claim) out["claim"] = { filed_at: iso(claim.filedAt), status: claimStatus(claim, this.now), diagnosis: claim.diagnosis };
    return out;
  }

  /**
   * Exactly `fields` (`entity.field` paths) of `subject`'s records now: what a provider asking
   * for the minimal bundle gets back; a field the systems do not hold is left out.
   */
  lookup(subject: string, fields: readonly string[]): Records | undefined {
    this.lookups++;
    const key = [...fields].sort().join(",");
    this.asked.set(key, (this.asked.get(key) ?? 0) + 1);
    const all = this.recordsOf(subject);
    if (!all) {
      this.unknown++;
      return undefined;
    }
    const out: Records = {};
    for (const path of fields) {
      const dot = path.indexOf(".");
      const entity = path.slice(0, dot);
      const field = path.slice(dot + 1);
      const record = all[entity];
      if (dot < 1 || !record || !Object.hasOwn(record, field)) continue;
      (out[entity] ??= {})[field] = record[field];
    }
    return out;
  }
}

/** A claim's status at `now`. */
export function claimStatus(c: ClaimTimeline, now: number): string {
  return now < c.assessingAt ? "filed" : now < c.closedAt ? "assessing" : c.closedAs;
}
