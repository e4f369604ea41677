// The fuzz target, bounded for CI: every seed (test/fuzz/seeds/), then a few thousand generated
// cases through parse → check → format → codegen → load → decide → log, each in a sandboxed
// child process under a 5 s deadline, and families of growing inputs for non-linear blow-ups.
// A finding fails the test with its stage, message, stack and minimized reproducer (also
// written to test/fuzz/findings/). Fixed seed under CI=true (FC_SEED to change it), a new one
// on every local run; `npm run fuzz` runs longer (test/fuzz/README.md).
import type fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grammarCases, loadCorpus, mutantCases, renamedCases, typedCases, exampleRequestCase, POLICIES, type Corpus } from "./cases.ts";
import { catalogCases } from "./catalogs.ts";
import { cliCase, cliCases } from "./cli-cases.ts";
import { Driver, runSeed } from "./driver.ts";
import { blowup, families, sharingFamilies } from "./families.ts";
import { hostileRequests, validRequestsForDir } from "./requests.ts";
import { Sandbox } from "./sandbox.ts";
import { loadSeeds } from "./seeds.ts";
import { describeFinding } from "./report.ts";
import type { Metrics, PolicyCase } from "./types.ts";

const SEED = runSeed();
const corpus: Corpus = loadCorpus();
let sandbox: Sandbox;
let driver: Driver;

beforeAll(() => {
  sandbox = new Sandbox();
  driver = new Driver({ sandbox, minimizeMs: 8_000 });
});
afterAll(async () => {
  await sandbox.close();
});

/** Fails with every finding since `from`, readable, and how to run the same cases again. */
function noFindings(from: number): void {
  const found = driver.findings.slice(from);
  if (found.length > 0) expect.fail(`${found.length} finding(s) (FC_SEED=${SEED}):\n\n${found.map((f) => f.text).join("\n\n")}`);
}

const zero = (): Metrics => ({
  textBytes: 0,
  diagnostics: 0,
  formattedBytes: 0,
  jsBytes: 0,
  traceNodes: 0,
  decisions: 0,
  decisionBytes: 0,
  entryBytes: 0,
  traceEvents: 0,
});

describe("the sandbox", () => {
  it("kills a case that loops forever and reports it as a hang", { timeout: 30_000 }, async () => {
    const quick = new Sandbox({ timeoutMs: 1_000 });
    try {
      const v = await quick.run({ kind: "selftest", label: "loop", what: "loop" });
      expect(v.failures.map((f) => f.stage)).toEqual(["hang"]);
      // The next case gets a fresh process and runs normally.
      expect((await quick.run({ kind: "selftest", label: "ok", what: "reject" })).failures.map((f) => f.stage)).toEqual(["crash"]);
      expect(quick.started).toBe(2);
    } finally {
      await quick.close();
    }
  });

  it("reports a process that dies, and a polluted prototype", { timeout: 30_000 }, async () => {
    const v = await sandbox.run({ kind: "selftest", label: "exit", what: "exit" });
    expect(v.failures.map((f) => [f.stage, f.message.split("\n")[0]])).toEqual([["crash", "the process running the case died (exit code 70)"]]);
    const p = await sandbox.run({ kind: "selftest", label: "pollute", what: "pollute" });
    expect(p.failures.map((f) => f.stage)).toEqual(["pollution"]);
    expect(p.restart).toBe(true);
  });

  it("flags a cost that grows faster than the input, and not one that grows with it", () => {
    const m = (over: Partial<Metrics>): Metrics => ({ ...zero(), ...over });
    expect(blowup(m({ textBytes: 1000, jsBytes: 10_000 }), m({ textBytes: 2000, jsBytes: 200_000 }))).toMatch(/`jsBytes` grew 20\.0×/);
    expect(blowup(m({ textBytes: 1000, jsBytes: 10_000, traceNodes: 50 }), m({ textBytes: 2000, jsBytes: 21_000, traceNodes: 100 }))).toBeUndefined();
  });
});

describe("seeds", () => {
  const seeds = loadSeeds();
  it("include a reproducer of every issue-10 defect this target can express", () => {
    const ids = seeds.map((s) => s.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "not-2000.journey",
        "unary-minus-10000.journey",
        "decimal-309-digits.journey",
        "now-plus-104249991d.journey",
        "after-99999999d.journey",
        "exponential-conditions.journey",
        "optional-field-constructor",
        "action-param-constructor",
        "requests/provider-never-answers.json",
        "requests/prototype-names-everywhere.json",
      ]),
    );
  });
  for (const seed of seeds) {
    it(`seed ${seed.id}`, { timeout: 60_000 }, async () => {
      expect(seed.problem, `the seed cannot be read: ${seed.problem}`).toBeUndefined();
      const failures = await sandbox.run(seed.case!);
      if (failures.failures.length > 0) expect.fail(failures.failures.map((f) => describeFinding(seed.case!, f)).join("\n\n"));
    });
  }
});

describe("generated cases", () => {
  /**
   * Runs exactly `numRuns` seeded cases of an arbitrary (a fixed amount of work, not a time
   * budget: a loaded machine makes the test slower, never weaker), returning how many reached
   * each stage.
   */
  async function fuzz(arb: fc.Arbitrary<PolicyCase>, numRuns: number, offset: number): Promise<{ runs: number; compiled: number; decided: number }> {
    const from = driver.findings.length;
    let compiled = 0;
    let decided = 0;
    const runs = await driver.sample(arb, numRuns, SEED + offset, Number.POSITIVE_INFINITY, async (c) => {
      const v = await driver.measure(c);
      if (v.metrics.jsBytes > 0) compiled++;
      if (v.metrics.decisions > 0) decided++;
    });
    noFindings(from);
    return { runs, compiled, decided };
  }

  it("grammar-generated files: no internal error, hang or formatter failure", { timeout: 60_000 }, async () => {
    const r = await fuzz(grammarCases(corpus), 600, 1);
    expect(r.runs).toBe(600);
  });

  it("mutated example journeys (token edits, absurd literals, prototype names, deep nesting, long chains)", { timeout: 90_000 }, async () => {
    const r = await fuzz(mutantCases(corpus), 200, 2);
    expect(r.runs).toBe(200);
    // Really mutates and really goes all the way: some mutants still compile and decide.
    expect(r.decided).toBeGreaterThan(0);
  });

  it("well-typed generated journeys reach codegen and decide with hostile requests", { timeout: 90_000 }, async () => {
    const r = await fuzz(typedCases(corpus), 120, 3);
    expect(r.runs).toBe(120);
    expect(r.decided).toBeGreaterThan(r.runs * 0.8);
  });

  it("prototype names (`constructor`, `__proto__`, …) as catalog, journey and parameter names", { timeout: 90_000 }, async () => {
    const r = await fuzz(renamedCases(corpus), 60, 4);
    expect(r.runs).toBe(60);
    expect(r.compiled).toBeGreaterThan(0);
  });

  it("random catalogs (odd enum values, lists, optional and PII fields, prototype names) with typed journeys", { timeout: 90_000 }, async () => {
    const r = await fuzz(catalogCases, 30, 7);
    expect(r.runs).toBe(30);
    expect(r.decided).toBeGreaterThan(r.runs / 2);
  });

  it("hostile requests against the example policies", { timeout: 60_000 }, async () => {
    const from = driver.findings.length;
    const valid = validRequestsForDir(POLICIES);
    let decided = 0;
    const runs = await driver.sample(hostileRequests(valid), 600, SEED + 5, Number.POSITIVE_INFINITY, async (r) => {
      const v = await driver.measure(exampleRequestCase(r));
      decided += v.metrics.decisions;
    });
    noFindings(from);
    expect(runs).toBe(600);
    expect(decided).toBe(runs);
  });
});

describe("command lines", () => {
  it("any `kairos` command line (realistic ones with a hostile change, and garbage): exit 0, 1 or 2, no internal error, nothing clobbered", {
    timeout: 180_000,
  }, async () => {
    const from = driver.findings.length;
    // The demo fixture every case copies (a small demo through the decision service, seconds)
    // is made once per sandbox process: made by this first case.
    await driver.check({ ...cliCase(["log", "verify", "d/decisions.log"]), timeoutMs: 90_000 });
    let ran = 0;
    // A fixed number of seeded command lines, not a time budget (a `demo` line starts the service).
    await driver.sample(cliCases, 60, SEED + 8, Number.POSITIVE_INFINITY, async (c) => {
      await driver.check(c);
      ran++;
    });
    noFindings(from);
    expect(ran).toBe(60);
  });
});

describe("non-linear blow-ups", () => {
  it("every family costs at most ~4x more when its input doubles", { timeout: 90_000 }, async () => {
    const from = driver.findings.length;
    for (const f of families(corpus)) await driver.family(f);
    noFindings(from);
  });

  it("generated sharing chains (c_k uses c_{k-1} at least twice) cost linear in their text", { timeout: 90_000 }, async () => {
    const from = driver.findings.length;
    await driver.sample(sharingFamilies(corpus), 10, SEED + 6, 4_000, async ({ base, template }) => driver.sharing(corpus, base, template, 6));
    noFindings(from);
  });
});
