// Issue 10 #10, the Wasm side: OPA's allocator grows the memory one 64 KiB page at a time and
// each growth costs time proportional to the memory already there, so a large first input was
// quadratic (64,000 consent records: 7 s of the decision's 8). The runtime now sizes the memory
// before an evaluation that may need more. Shown without timing: the evaluation itself never
// grows the memory, memory is replaced a logarithmic number of times, and the heap an
// evaluation uses is linear in the number of records.
import { beforeAll, describe, expect, test } from "vitest";
import { PolicyEngine, type PolicyRequest } from "../../runtime/opa/index.ts";
import { defaultBuild } from "./build-once.ts";

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.load((await defaultBuild()).bundle);
});

const CANDIDATES = [
  { journey: "renewal_a", purpose: "renewal_marketing", channel: "email", fields: ["customer.email"] },
  { journey: "renewal_b", purpose: "renewal_marketing", channel: "push", fields: [] },
  { journey: "service", purpose: "service_updates", channel: "sms", fields: [] },
  { journey: "recovery", purpose: "service_recovery", channel: "email", fields: [] },
];

function request(records: number): PolicyRequest {
  const consents = Array.from({ length: records }, (_, i) => ({
    purpose: i % 3 === 2 ? "service_recovery" : "renewal_marketing",
    channel: i % 2 === 0 ? "email" : null,
    status: i % 7 === 0 ? "withdrawn" : "granted",
    at: `2026-01-01T00:${String(i % 60).padStart(2, "0")}:00Z`,
  }));
  return {
    now: "2026-05-30T12:00:00Z",
    region: "eu",
    candidates: CANDIDATES,
    consents,
    objections: [{ scope: "purpose:service_recovery", at: "2026-01-01T00:00:00Z" }],
  };
}

describe("Wasm memory", () => {
  test("an input larger than any before is evaluated in memory sized for it: the evaluation never grows it", () => {
    const instances: number[] = [];
    for (const n of [2_000, 8_000, 16_000, 32_000]) {
      engine.evaluate(request(n));
      const stats = engine.stats!;
      expect(stats.grewDuringEvaluation).toBe(false);
      instances.push(stats.instances);
    }
    // Memory at least doubles each time it is replaced: a handful of steps, not one per page.
    expect(instances[instances.length - 1]!).toBeLessThanOrEqual(6);
  });

  test("a smaller input after a larger one reuses the memory", () => {
    engine.evaluate(request(16_000));
    const { instances, memoryBytes } = engine.stats!;
    engine.evaluate(request(1_000));
    expect(engine.stats).toMatchObject({ instances, memoryBytes, grewDuringEvaluation: false });
  });

  test("the heap an evaluation uses is linear in the number of consent records", () => {
    const heap = (n: number): number => (engine.evaluate(request(n)), engine.stats!.heapBytes);
    const [h1, h2, h4] = [heap(5_000), heap(10_000), heap(20_000)];
    expect(h2 / h1).toBeLessThan(2.2);
    expect(h4 / h2).toBeLessThan(2.2);
    expect(h4 / h2).toBeGreaterThan(1.8);
  });

  test("the verdicts do not depend on which instance evaluated them", () => {
    const fresh = request(300);
    const before = engine.evaluate(fresh);
    engine.evaluate(request(40_000));
    expect(engine.evaluate(fresh)).toEqual(before);
  });
});
