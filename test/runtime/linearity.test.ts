// Issue 10 #10, the runtime side: cost linear in the number of records, shown by counting work
// rather than timing it. A denied candidate's reasons are de-duplicated against its blocking
// reasons (every direct-marketing objection is both); that comparison was all-pairs, so 1,000
// objections made half a million comparisons per candidate. And one policy evaluation per
// decision, whatever the number of records.
import { expect, test } from "vitest";
import type { CandidateVerdict, Reason } from "../../core/opa-contract.ts";
import type { PolicyRequest } from "../../runtime/opa/input.ts";
import type { PolicyEvaluator } from "../../runtime/policy.ts";
import { engine, journey, request } from "./fixtures.ts";

/** Denies the candidate once per objection, as the standard policies do for direct marketing; counts reads of its reasons. */
class ObjectingPolicy implements PolicyEvaluator {
  reads = 0;
  calls = 0;

  private counted(list: Reason[]): Reason[] {
    return new Proxy(list, {
      get: (target, key, receiver) => {
        if (typeof key === "string" && /^\d+$/.test(key)) this.reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  }

  evaluate(req: PolicyRequest): CandidateVerdict[] {
    this.calls++;
    const reasons = (req.objections ?? []).map((_, i): Reason => ({ code: "objection_direct_marketing", objection: i }));
    return req.candidates.map((c) => ({
      journey: c.journey,
      consent: {
        allowed: false,
        basis: null,
        tried: [{ basis: "legitimate_interest", satisfied: false, reasons: this.counted([...reasons]) }],
        reasons: this.counted([...reasons]),
      },
      residency: { allowed: true, denied_fields: [] },
    }));
  }
}

async function work(objections: number): Promise<{ reads: number; reasons: number; calls: number }> {
  const policy = new ObjectingPolicy();
  const list = Array.from({ length: objections }, () => ({ scope: "direct_marketing", at: "2026-01-01T00:00:00Z" }));
  const d = await engine([journey({ id: "m", purpose: "renewal_marketing" })], policy).decide(request({ objections: list }));
  expect(d.outcome).toBe("denied_consent");
  return { reads: policy.reads, reasons: d.evaluations[0]!.reasons!.length, calls: policy.calls };
}

test("reasons are de-duplicated in linear work: twice the objections, twice the reads", async () => {
  const small = await work(500);
  const large = await work(1_000);
  // Each objection is said once (as the blocking reason), not again under the basis.
  expect(small.reasons).toBe(500);
  expect(large.reasons).toBe(1_000);
  expect(large.reads / small.reads).toBeLessThan(2.2);
  expect(large.reads).toBeLessThan(10 * 1_000);
});

test("one policy evaluation per decision, whatever the number of records", async () => {
  expect((await work(1)).calls).toBe(1);
  expect((await work(1_000)).calls).toBe(1);
});
