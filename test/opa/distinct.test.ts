// The policy engine's fast path (runtime/opa/distinct.ts: consent once per distinct purpose and
// channel, residency once per field set and region, memoized) against the reference path (every
// candidate in one `kairos/decision` call): the same verdicts, byte for byte, on the conformance
// table and on generated requests; the memo forgets a replaced data document and stays bounded.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { RESIDENCY_MEMO_LIMIT } from "../../runtime/opa/distinct.ts";
import { parseDateTimeLiteral } from "../../core/literals.ts";
import { PolicyEngine, toEpochMs, toWasmInput, type OpaDataDocument, type PolicyRequest } from "../../runtime/opa/index.ts";
import { loadCases } from "../conformance/consent-residency/load.ts";
import { defaultBuild } from "./build-once.ts";

let fast: PolicyEngine;
let each: PolicyEngine;
let specData: OpaDataDocument;

beforeAll(async () => {
  const { bundle } = await defaultBuild();
  fast = await PolicyEngine.load(bundle);
  each = await PolicyEngine.load(bundle, { screening: "each" });
  specData = fast.data;
});

/** The verdicts as JSON (key order included), or the error's code and message. */
function answer(engine: PolicyEngine, request: PolicyRequest): string {
  try {
    return JSON.stringify(engine.evaluate(request));
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return `error ${err.code}: ${err.message}`;
  }
}

/** How many Wasm calls an evaluation makes, and to which entrypoints. */
function callsOf(engine: PolicyEngine, run: () => void): string[] {
  const wasm = (engine as unknown as { policy: { policy: { evaluate: (input: unknown, entrypoint: string) => unknown } } }).policy.policy;
  const original = wasm.evaluate;
  const calls: string[] = [];
  wasm.evaluate = (input, entrypoint) => {
    calls.push(entrypoint);
    return original.call(wasm, input, entrypoint);
  };
  try {
    run();
  } finally {
    wasm.evaluate = original;
  }
  return calls;
}

const PURPOSES = ["renewal_marketing", "service_updates", "service_recovery", "claims_handling"];
const CHANNELS = ["email", "push", "sms", "call_task", "fax"];
const FIELDS = [
  "customer.email",
  "customer.tenure_months",
  "customer.nps",
  "policy.status",
  "claim.diagnosis",
  "policy.premium",
  "customer.nope",
  "event.csat",
];
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 4, 30, 9);

const requestArb: fc.Arbitrary<PolicyRequest> = fc.record({
  now: fc.constant(NOW),
  region: fc.constantFrom("eu", "uk", "us"),
  candidates: fc.array(
    fc.record({
      journey: fc.string({ minLength: 1, maxLength: 4 }),
      purpose: fc.constantFrom(...PURPOSES),
      channel: fc.constantFrom(...CHANNELS),
      fields: fc.subarray(FIELDS),
    }),
    { maxLength: 12 },
  ),
  consents: fc.array(
    fc.record({
      purpose: fc.constantFrom(...PURPOSES),
      channel: fc.option(fc.constantFrom(...CHANNELS), { nil: null }),
      status: fc.constantFrom("granted", "withdrawn", "denied"),
      at: fc.integer({ min: -48, max: 4 }).map((h) => NOW + h * HOUR),
      expires_at: fc.option(
        fc.integer({ min: -4, max: 48 }).map((h) => NOW + h * HOUR),
        { nil: null },
      ),
    }),
    { maxLength: 8 },
  ),
  objections: fc.array(fc.record({ scope: fc.constantFrom("direct_marketing", ...PURPOSES.map((p) => `purpose:${p}`)), at: fc.constant(NOW - HOUR) }), {
    maxLength: 3,
  }),
});

describe("consent per purpose, residency per field set", () => {
  it("gives the reference path's verdicts on every conformance case", () => {
    for (const c of loadCases()) {
      fast.setData(c.data);
      each.setData(c.data);
      // Twice: the second time residency comes from the memo.
      expect([c.id, answer(fast, c.request)]).toEqual([c.id, answer(each, c.request)]);
      expect([c.id, answer(fast, c.request)]).toEqual([c.id, answer(each, c.request)]);
    }
    fast.setData(specData);
    each.setData(specData);
  });

  it("gives the reference path's verdicts on generated requests (same key order, same errors)", () => {
    fast.setData(specData);
    each.setData(specData);
    fc.assert(
      fc.property(requestArb, (request) => {
        expect(answer(fast, request)).toBe(answer(each, request));
      }),
      { numRuns: 300 },
    );
  });

  it("asks consent once per distinct purpose and channel and residency once per field set and region", () => {
    fast.setData(specData);
    const candidates = Array.from({ length: 100 }, (_, i) => ({
      journey: `j${i}`,
      purpose: PURPOSES[i % 2]!,
      channel: "email",
      fields: i % 2 === 0 ? ["customer.email"] : ["policy.status", "event.csat"],
    }));
    const request: PolicyRequest = { now: NOW, region: "uk", candidates, consents: [], objections: [] };
    const wasm = (fast as unknown as { policy: { evaluate: (e: string, input: { candidates: unknown[] }) => unknown } }).policy;
    const original = wasm.evaluate;
    const sizes: number[] = [];
    wasm.evaluate = (e, input) => {
      sizes.push(input.candidates.length);
      return original.call(wasm, e, input);
    };
    try {
      const first = callsOf(fast, () => fast.evaluate({ ...request, region: "mars" }));
      expect(first).toEqual(["kairos/residency", "kairos/consent"]);
      expect(sizes).toEqual([2, 2]);
      // The residency of those field sets in that region is known now: one call, for consent.
      expect(callsOf(fast, () => fast.evaluate({ ...request, region: "mars" }))).toEqual(["kairos/consent"]);
    } finally {
      wasm.evaluate = original;
    }
    expect(JSON.stringify(fast.evaluate(request))).toBe(JSON.stringify(each.evaluate(request)));
  });

  it("forgets residency verdicts when the data document is replaced", () => {
    fast.setData(specData);
    each.setData(specData);
    const request: PolicyRequest = {
      now: NOW,
      region: "us",
      candidates: [{ journey: "j", purpose: "service_updates", channel: "email", fields: ["customer.email"] }],
    };
    expect(fast.evaluate(request)[0]!.residency.allowed).toBe(false);
    const anywhere: OpaDataDocument = {
      catalog: { ...specData.catalog, fields: { ...specData.catalog.fields, "customer.email": { residency: "any" } } },
    };
    fast.setData(anywhere);
    each.setData(anywhere);
    expect(fast.evaluate(request)[0]!.residency.allowed).toBe(true);
    expect(JSON.stringify(fast.evaluate(request))).toBe(JSON.stringify(each.evaluate(request)));
    fast.setData(specData);
    each.setData(specData);
  });

  it("keeps at most RESIDENCY_MEMO_LIMIT residency verdicts", () => {
    fast.setData(specData);
    const memo = (fast as unknown as { residencyMemo: { size: number } }).residencyMemo;
    for (let i = 0; i < RESIDENCY_MEMO_LIMIT + 10; i += 50) {
      const candidates = Array.from({ length: 50 }, (_, k) => ({ journey: `j${k}`, purpose: "service_updates", channel: "email", fields: [`x.f${i + k}`] }));
      fast.evaluate({ now: NOW, region: "uk", candidates });
      expect(memo.size).toBeLessThanOrEqual(RESIDENCY_MEMO_LIMIT);
    }
    expect(memo.size).toBeGreaterThan(0);
  });

  it("hands out frozen residency verdicts, so a caller cannot change what later requests get", () => {
    fast.setData(specData);
    const request: PolicyRequest = {
      now: NOW,
      region: "us",
      candidates: [{ journey: "j", purpose: "service_updates", channel: "email", fields: ["customer.email"] }],
    };
    const verdict = fast.evaluate(request)[0]!;
    expect(Object.isFrozen(verdict.residency)).toBe(true);
    expect(Object.isFrozen(verdict.residency.denied_fields)).toBe(true);
  });

  it("reads datetimes the runtime already parsed from the request's hint, and only those of the years 1000–9999", () => {
    const at = "2026-05-29T09:00:00Z";
    const request: PolicyRequest = {
      now: "2026-05-30T09:00:00+02:00",
      region: "uk",
      candidates: [{ journey: "j", purpose: "renewal_marketing", channel: "email", fields: [] }],
      consents: [{ purpose: "renewal_marketing", status: "granted", at, expires_at: "0099-01-01T00:00:00Z" }],
    };
    const plain = toWasmInput(request, specData);
    const hinted = { ...request };
    // A hint that differs from the text shows which of the two was read.
    Object.defineProperty(hinted, "times", {
      value: new Map([
        [at, 7],
        ["0099-01-01T00:00:00Z", 8],
      ]),
      enumerable: false,
    });
    const input = toWasmInput(hinted, specData);
    expect(input.consents[0]!.at_ms).toBe(7);
    expect(input.consents[0]!.expires_at_ms).toBe(plain.consents[0]!.expires_at_ms);
    expect(input.now_ms).toBe(plain.now_ms);
  });

  it("parses as the runtime does every datetime of the years 1000–9999 (so the hint changes nothing)", () => {
    const pad = (n: number, w: number): string => String(n).padStart(w, "0");
    const text = fc
      .tuple(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 60 }),
        fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
        fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
        fc.constantFrom("Z", "+01:00", "-05:30", "+23:59", "-24:00", "+00:60"),
      )
      .map(([y, mo, d, h, mi, s, frac, zone]) => {
        const sec = s === undefined ? "" : `:${pad(s, 2)}${frac === undefined ? "" : `.${frac}`}`;
        return `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}${sec}${zone}`;
      });
    let valid = 0;
    fc.assert(
      fc.property(text, (t) => {
        const ms = parseDateTimeLiteral(t);
        if (ms === undefined) return;
        valid++;
        expect(toEpochMs(t)).toBe(ms);
      }),
      { numRuns: 5000 },
    );
    expect(valid).toBeGreaterThan(1000);
  });
});
