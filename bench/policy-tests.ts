// `kairos test` benchmarks (issue 5): how long `kairos test policies` takes end to end (a fresh
// process: imports, compile, OPA build, every test and property), how fast example tests run,
// how many generated cases per second properties and built-in properties run, and what one
// mutant of the mutation check costs (recompile in memory + run every test).
// `npm run bench` calls benchPolicyTests(); `node bench/policy-tests.ts` runs it alone.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { compilePolicySet } from "../compiler/index.ts";
import { compilePolicyDir } from "../compiler/node/index.ts";
import { ARTIFACT_PART } from "../core/artifact.ts";
import { PolicyEngine } from "../runtime/opa/index.ts";
import { runTest } from "../testing/expectations.ts";
import { decisionValues, requestContext } from "../testing/expressions.ts";
import { caseArbitrary } from "../testing/generate.ts";
import { engineFor } from "../testing/harness.ts";
import { propertyEnv, runBuiltins, runProperty } from "../testing/properties.ts";
import { measure, percentile, round, rssMb, type BenchRow } from "./stats.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const POLICIES = fileURLToPath(new URL("../policies", import.meta.url));

export interface PolicyTestsBench {
  readonly rows: readonly BenchRow[];
  readonly suite: {
    readonly tests: number;
    readonly properties: number;
    readonly builtins: number;
    readonly generated_cases: number;
    readonly mutants?: number;
  };
  readonly notes: readonly string[];
}

/** `kairos test policies` in a fresh process, `n` times: wall time and peak RSS. */
function cli(n: number): BenchRow {
  const script = `import("./cli/main.ts").then(async (m) => {
    const io = { out() {}, err() {}, color: false };
    const t0 = performance.now();
    const code = await m.main(["test", "policies"], io);
    process.stdout.write(JSON.stringify({ code, ms: performance.now() - t0, maxRss: process.resourceUsage().maxRSS }));
  })`;
  const times: number[] = [];
  let rss = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 24 });
    times.push((performance.now() - t0) * 1000);
    const r = JSON.parse(out) as { code: number; maxRss: number };
    if (r.code !== 0) throw new Error(`kairos test policies exited ${r.code}`);
    rss = Math.max(rss, r.maxRss / 1024);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0) / 1e6;
  return {
    name: "kairos test policies (fresh process, end to end)",
    ops_s: round(n / total),
    p50_us: round(percentile(sorted, 50)),
    p99_us: round(percentile(sorted, 99)),
    rss_mb: Math.round(rss * 10) / 10,
    note: `${n} runs; peak RSS of the process`,
  };
}

export async function benchPolicyTests(options: { cliRuns?: number; progress?: (line: string) => void } = {}): Promise<PolicyTestsBench> {
  const progress = options.progress ?? ((l: string) => process.stderr.write(l + "\n"));
  const checked = await compilePolicyDir(POLICIES);
  if ("usage" in checked) throw new Error(checked.usage);
  const bundle = checked.artifact?.files.get(ARTIFACT_PART.bundle);
  if (!checked.program || !checked.tests || !bundle) throw new Error("policies/ does not compile");
  const program = checked.program;
  const suite = checked.tests;
  const policy = await PolicyEngine.load(bundle);
  const engine = await engineFor(program, checked.sources, policy);
  const rows: BenchRow[] = [];

  progress("bench policy-tests: kairos test policies (fresh processes)");
  rows.push(cli(options.cliRuns ?? 3));

  progress("bench policy-tests: example tests");
  let i = 0;
  rows.push(
    await measure(
      "example test (decide + check expectations)",
      () => runTest(engine, suite.tests[i++ % suite.tests.length]!),
      2000,
      100,
      `${suite.tests.length} tests of policies/, round robin`,
    ),
  );

  progress("bench policy-tests: properties");
  const env = propertyEnv(engine, program, suite, checked.sources);
  let cases = 0;
  let ms = 0;
  for (const p of suite.properties) {
    const r = await runProperty(p, env);
    cases += r.runs + r.discarded;
    ms += r.ms;
  }
  const builtins = await runBuiltins(env);
  const builtinCases = builtins.reduce((n, b) => n + b.runs, 0);
  const builtinMs = builtins.reduce((n, b) => n + b.ms, 0);
  // Per-case latency of one author's property case: generate, assume, decide, expect.
  const first = suite.properties[0];
  if (first) {
    const samples = fc.sample(
      caseArbitrary({ catalog: program.catalog, journeys: [...env.metas.values()], triggers: env.triggers, fixed: first.fixed, hints: env.hints }),
      { numRuns: 1000, seed: 42 },
    );
    const expects = first.expects.map((e, k) => env.compile(e, `expect#${k}`));
    let k = 0;
    const row = await measure(
      "property case (decide + expect), per case",
      async () => {
        const r = samples[k++ % samples.length]!;
        const d = await engine.decide(r);
        const ctx = { ...requestContext(program.catalog, r), decision: decisionValues(d, env.metas) };
        for (const e of expects) e.evaluate(ctx);
      },
      1000,
      100,
    );
    rows.push(row);
  }
  rows.push({
    name: "author's properties: generated cases per second",
    ops_s: round((cases / ms) * 1000),
    p50_us: round((ms * 1000) / Math.max(1, cases)),
    p99_us: round((ms * 1000) / Math.max(1, cases)),
    rss_mb: rssMb(),
    note: `${suite.properties.length} properties, ${cases} cases (incl. discarded) in ${Math.round(ms)} ms, shrinking included; p50/p99 = mean`,
  });
  rows.push({
    name: "built-in properties: generated cases per second",
    ops_s: round((builtinCases / builtinMs) * 1000),
    p50_us: round((builtinMs * 1000) / Math.max(1, builtinCases)),
    p99_us: round((builtinMs * 1000) / Math.max(1, builtinCases)),
    rss_mb: rssMb(),
    note: `3 properties, ${builtinCases} cases in ${Math.round(builtinMs)} ms; \`deterministic\` decides twice per case; p50/p99 = mean`,
  });

  progress("bench policy-tests: one mutant (recompile + run the tests)");
  const sources = checked.input;
  const target = sources.journeys.find((j) => j.text.includes("== 90"));
  let mutants = 0;
  if (target) {
    const at = target.text.indexOf("== 90");
    const mutated = {
      ...sources,
      journeys: sources.journeys.map((j) => (j === target ? { ...j, text: j.text.slice(0, at) + "== 91" + j.text.slice(at + 5) } : j)),
    };
    rows.push(
      await measure(
        "mutant: recompile in memory + run every test",
        async () => {
          mutants++;
          // Checked only (no OPA backend: the policies are the ones loaded above).
          const c = await compilePolicySet(mutated, { mode: "check" });
          const e = await engineFor(c.program!, c.sources, policy, { path: "interpreted" });
          for (const t of c.tests!.tests) await runTest(e, t);
        },
        20,
        3,
        "`== 90` → `== 91` in renewals.journey, interpreted predicates",
      ),
    );
  }
  return {
    rows,
    suite: { tests: suite.tests.length, properties: suite.properties.length, builtins: builtins.length, generated_cases: cases + builtinCases, mutants },
    notes: [
      "The end-to-end row includes the OPA build of the consent/residency policies (~1 s), which `kairos test` does once per run.",
      "Property rows include fast-check's shrinking when a property fails (none does on policies/).",
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchPolicyTests().then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + "\n"),
    (e) => {
      process.stderr.write(`bench/policy-tests.ts failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
