// The consent-and-residency conformance table, run through the OPA Wasm path in Node.
import { beforeAll, describe, expect, it } from "vitest";
import { PolicyEngine } from "../../runtime/opa/index.ts";
import { loadCases } from "../conformance/consent-residency/load.ts";
import { runCase } from "../conformance/consent-residency/runner.ts";
import { defaultBuild } from "./build-once.ts";

const cases = loadCases();
let engine: PolicyEngine;

beforeAll(async () => {
  engine = await PolicyEngine.load((await defaultBuild()).bundle);
});

describe("consent and residency conformance (OPA Wasm, Node)", () => {
  it("has at least 40 cases with unique names", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it("reports a mismatch when a case expects another verdict", () => {
    const c = cases.find((x) => x.expect && x.expect.length === 1);
    const first = c?.expect?.[0] as { consent: { allowed: boolean } };
    const flipped = { ...c!, expect: [{ ...first, consent: { ...first.consent, allowed: !first.consent.allowed } }] };
    expect(runCase(engine, flipped).problems).toHaveLength(1);
  });

  it.each(cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const result = runCase(engine, c);
    expect(result.problems).toEqual([]);
    expect(result.outcome).toBe(c.expect_error ? `error:${c.expect_error}` : `verdicts:${c.expect?.length}`);
  });
});
