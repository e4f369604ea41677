// runtime/opa/input.ts checks each candidate and consent record quickly (no message texts) and
// runs the checks with messages only on what the quick check does not accept. This holds the
// quick checks to an oracle written from docs/opa-contract.md's input rules: they accept a
// record only when it is valid, and then give what toWasmInput gives for it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OpaDataDocument } from "../../runtime/opa/index.ts";
import { quickCandidate, quickConsent, toEpochMs, toWasmInput } from "../../runtime/opa/input.ts";

const data: OpaDataDocument = {
  catalog: { purposes: { p: { bases: ["consent"], channels: ["email"], marketing: false } }, fields: {}, transfers: {} },
};
const odd = fc.constantFrom<unknown>(undefined, null, "", 0, [], {}, "x");
const text = fc.oneof({ arbitrary: fc.constantFrom("p", "q", "email", "constructor"), weight: 6 }, { arbitrary: odd, weight: 1 });
const time = fc.oneof(
  { arbitrary: fc.constantFrom("2026-05-30T09:00:00Z", "2026-05-30T09:00:00.5+02:00", 1_780_131_600_000), weight: 6 },
  { arbitrary: fc.constantFrom<unknown>("2026-02-30T00:00:00Z", "yesterday", 1.5, null, undefined), weight: 1 },
);

/** What toWasmInput gives for one record, or "error". */
function slow<T>(request: object, pick: (input: ReturnType<typeof toWasmInput>) => T): T | "error" {
  try {
    return pick(toWasmInput(request as never, data));
  } catch {
    return "error";
  }
}

describe("the quick input checks", () => {
  it("accept a candidate only when it is valid, and give what toWasmInput gives", () => {
    const fields = fc.oneof(
      { arbitrary: fc.array(fc.constantFrom("c.f", "c.g", "c.h", "event.x", ""), { maxLength: 3 }), weight: 6 },
      { arbitrary: odd, weight: 1 },
    );
    const candidate = fc.record({ journey: text, purpose: text, channel: text, fields });
    let quick = 0;
    fc.assert(
      fc.property(candidate, (c) => {
        const q = quickCandidate(c, data);
        const valid =
          [c.journey, c.purpose, c.channel].every((v) => typeof v === "string" && v !== "") && Object.hasOwn(data.catalog.purposes, c.purpose as string);
        const fieldsOk = Array.isArray(c.fields) && c.fields.every((f) => f !== "" && !f.startsWith("event."));
        expect(q !== undefined).toBe(valid && fieldsOk);
        if (q) {
          quick++;
          expect(q).toEqual(slow({ now: 0, region: "eu", candidates: [c] }, (i) => i.candidates[0]));
        }
      }),
      { numRuns: 2000 },
    );
    expect(quick).toBeGreaterThan(50);
  });

  it("accept a consent record only when it is valid, and give what toWasmInput gives", () => {
    const record = fc.record(
      { purpose: text, channel: text, status: fc.oneof(fc.constantFrom("granted", "withdrawn", "denied"), odd), at: time, expires_at: time },
      { requiredKeys: [] },
    );
    let quick = 0;
    fc.assert(
      fc.property(record, (r) => {
        const q = quickConsent(r, data, undefined);
        const ms = (v: unknown): boolean => toEpochMs(v) !== null;
        const valid =
          typeof r.status === "string" &&
          ["granted", "withdrawn", "denied"].includes(r.status) &&
          typeof r.purpose === "string" &&
          Object.hasOwn(data.catalog.purposes, r.purpose) &&
          (r.channel === undefined || r.channel === null || (typeof r.channel === "string" && r.channel !== "")) &&
          ms(r.at) &&
          (r.expires_at === undefined || r.expires_at === null || ms(r.expires_at));
        expect(q !== undefined).toBe(valid);
        if (q) {
          quick++;
          expect(q).toEqual(slow({ now: 0, region: "eu", candidates: [], consents: [r] }, (i) => i.consents[0]));
        }
      }),
      { numRuns: 3000 },
    );
    expect(quick).toBeGreaterThan(50);
  });
});
