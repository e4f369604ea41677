// The opa-wasm SDK throws plain strings (and a policy's host calls may throw anything): every
// failure of the OPA layer still becomes an OpaError with a stable code and a readable message,
// and the engine turns it into a `policy_failed` decision that says what happened.
import { beforeAll, describe, expect, test } from "vitest";
import { OpaError, PolicyEngine } from "../../runtime/opa/index.ts";
import { defaultBuild } from "./build-once.ts";

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.load((await defaultBuild()).bundle);
});

const request = { now: "2026-05-30T12:00:00Z", region: "eu", candidates: [{ journey: "j", purpose: "service_updates", channel: "email", fields: [] }] };

/** Makes the SDK's evaluate throw `thrown`, as its own code does with strings. */
function sdkThrows(thrown: unknown): () => void {
  const wasm = (engine as unknown as { policy: { policy: { evaluate: unknown } } }).policy.policy;
  const original = wasm.evaluate;
  wasm.evaluate = () => {
    throw thrown;
  };
  return () => {
    wasm.evaluate = original;
  };
}

describe("thrown strings and other non-Errors from the SDK", () => {
  const cases: [string, unknown, string][] = [
    ["a string", "entrypoint 7 is not valid in this instance", "entrypoint 7 is not valid in this instance"],
    ["an object without a prototype", Object.create(null) as object, "an object without a message"],
    ["a number", 42, "42"],
  ];
  for (const [what, thrown, message] of cases) {
    test(`${what} becomes opa/eval-failed with a readable message`, () => {
      const restore = sdkThrows(thrown);
      try {
        expect(() => engine.evaluate(request)).toThrow(OpaError);
        try {
          engine.evaluate(request);
        } catch (e) {
          expect(e).toMatchObject({ code: "opa/eval-failed", message: `policy evaluation of \`kairos/decision\` failed: ${message}` });
        }
      } finally {
        restore();
      }
    });
  }

  test("after a failure the policy evaluates again", () => {
    sdkThrows("boom")();
    expect(engine.evaluate(request)[0]).toMatchObject({ journey: "j", consent: { allowed: true, basis: "contract" } });
  });
});
