// The same conformance cases through OPA's Rego engine (`opa eval` on the policy sources),
// compared with the Wasm verdicts: the contract holds for an OPA server as well as for Wasm.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_OPA_PATH, DEFAULT_REGO_DIR } from "../../compiler/opa/index.ts";
import { PolicyEngine, type WasmInput } from "../../runtime/opa/index.ts";
import { loadCases } from "../conformance/consent-residency/load.ts";
import { defaultBuild } from "./build-once.ts";

const run = promisify(execFile);
const canon = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canon)
    : v !== null && typeof v === "object"
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
        )
      : v;

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.load((await defaultBuild()).bundle);
});

describe("OPA's Rego engine", () => {
  it("gives the Wasm verdicts for every valid conformance case", async () => {
    const cases = loadCases().filter((c) => c.expect_error === undefined);
    const batch: { data: unknown; input: WasmInput }[] = [];
    const wasm: unknown[] = [];
    for (const c of cases) {
      engine.setData(c.data);
      const input = engine.toInput(c.request);
      batch.push({ data: c.data.catalog, input });
      wasm.push(engine.evaluateInput(input));
    }
    const dir = await mkdtemp(join(tmpdir(), "kairos-eval-"));
    // One binding per case (OPA 1.22 evaluates `with` inside a comprehension body to [] here,
    // so the cases are iterated at the top of the query and read back by index).
    await writeFile(join(dir, "cases.json"), JSON.stringify({ conformance_cases: batch }));
    const query = "some i; c := data.conformance_cases[i]; d := data.kairos.decision with input as c.input with data.catalog as c.data";
    const { stdout } = await run(
      DEFAULT_OPA_PATH,
      ["eval", "--format", "json", "-d", DEFAULT_REGO_DIR, "--ignore", "*_test.rego", "-d", join(dir, "cases.json"), query],
      { maxBuffer: 64 << 20 },
    );
    const rego: unknown[] = [];
    for (const r of (JSON.parse(stdout) as { result: { bindings: { i: number; d: unknown } }[] }).result) rego[r.bindings.i] = r.bindings.d;
    expect(rego).toHaveLength(cases.length);
    expect(canon(rego)).toEqual(canon(wasm));
  });
});
