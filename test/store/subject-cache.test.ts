// The embedded stores' subject cache (server/store/subject-cache.ts) keeps each history row's time
// as epoch ms instead of parsing it at every read and write. Property: any sequence of loads,
// committed writes, reads and drops — history rows in and out of time order, equal times,
// unreadable times, windows before and after the rows, LRU eviction and the history limit —
// answers exactly what the cache answered before (test/store/oracles/subject-cache-reference.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SubjectCache } from "../../server/store/subject-cache.ts";
import type { StoredHistory, SubjectState } from "../../server/store/types.ts";
import { ReferenceSubjectCache } from "./oracles/subject-cache-reference.ts";

const T0 = Date.parse("2026-05-30T09:00:00Z");
const SUBJECTS = ["a", "b", "c"] as const;

/** A history row at T0 + minutes (or an unreadable time). */
const row = fc.record({
  minutes: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined, freq: 8 }),
  journey: fc.constantFrom("j1", "j2"),
  n: fc.nat(1000),
});
const toHistory = (subject: string, r: { minutes: number | undefined; journey: string; n: number }): StoredHistory => ({
  subject,
  journey: r.journey,
  at: r.minutes === undefined ? "not a time" : new Date(T0 + r.minutes * 60_000).toISOString(),
  channel: "email",
  purpose: "p",
  decision_id: `d_${r.n}`,
});
const since = fc.oneof(
  fc.constant(Number.MIN_SAFE_INTEGER),
  fc.integer({ min: -6, max: 6 }).map((m) => T0 + m * 60_000),
);

const op = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), subject: fc.constantFrom(...SUBJECTS), rows: fc.array(row, { maxLength: 5 }), version: fc.nat(5), since }),
  fc.record({
    kind: fc.constant("apply" as const),
    subject: fc.constantFrom(...SUBJECTS),
    rows: fc.array(row, { maxLength: 3 }),
    next: fc.boolean(),
    consent: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("get" as const), subject: fc.constantFrom(...SUBJECTS), since }),
  fc.record({ kind: fc.constant("drop" as const), subject: fc.constantFrom(...SUBJECTS) }),
);

describe("the subject cache with times parsed once", () => {
  it("answers every read exactly as the cache that parsed them at each use", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        // Two subjects at most (eviction) and three history rows at most per answer (the limit).
        const fast = new SubjectCache(2, 3);
        const reference = new ReferenceSubjectCache(2, 3);
        const versions = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === "set") {
            const state: SubjectState = { consents: [], objections: [], history: o.rows.map((r) => toHistory(o.subject, r)), version: o.version };
            fast.set(o.subject, state, o.since);
            reference.set(o.subject, state, o.since);
            versions.set(o.subject, o.version);
          } else if (o.kind === "apply") {
            const v = (versions.get(o.subject) ?? 0) + (o.next ? 1 : 3);
            const history = o.rows.map((r) => toHistory(o.subject, r));
            const consents = o.consent ? [{ purpose: "p", status: "granted" as const, at: "2026-05-30T09:00:00Z", id: `cr_${v}`, recorded_at: "x" }] : [];
            fast.apply(o.subject, v, { history, consents });
            reference.apply(o.subject, v, { history, consents });
            versions.set(o.subject, v);
          } else if (o.kind === "get") {
            expect(fast.get(o.subject, o.since)).toEqual(reference.get(o.subject, o.since));
          } else {
            fast.drop([o.subject]);
            reference.drop([o.subject]);
          }
        }
        for (const s of SUBJECTS) expect(fast.get(s, Number.MIN_SAFE_INTEGER)).toEqual(reference.get(s, Number.MIN_SAFE_INTEGER));
      }),
      { numRuns: 500 },
    );
  });
});
