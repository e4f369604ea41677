// `npm run bench`: every benchmark of the project in one run — the compiler against tsc, the
// OPA consent/residency policies, the decision contenders and Kairos's scaling, plus the
// `kairos test` timing and the playground latency (headless Chromium) — written to
// bench/results/latest.json and docs/benchmarks.md (generated; do not edit by hand).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem, type } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_OPA_PATH } from "../compiler/opa/build.ts";
import { benchCompiler, type CompilerBench } from "./compiler.ts";
import { benchDecide, type DecideBench, type Goal } from "./decide.ts";
import { candidatesSection, consentsSection, decideSection, scalingSection, verifySection } from "./report-decide.ts";
import { benchLogVerify, type VerifyBench } from "./log-verify.ts";
import { benchOpa } from "./opa.ts";
import { num, ratio, table, verdict } from "./markdown.ts";
import { benchRollout, rolloutSection, type RolloutBench } from "./rollout.ts";
import { benchService } from "./service.ts";
import { startPostgres } from "../scripts/pg-cluster.ts";
import { serviceGoals, serviceSection } from "./service/report.ts";
import type { BenchRow } from "./stats.ts";

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const RESULTS = here("./results/latest.json");
const DOC = here("../docs/benchmarks.md");
const PLAYGROUND = here("./results/playground.json");
const POLICY_TESTS = here("./policy-tests.ts");

interface Machine {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memory_gb: number;
  readonly node: string;
  readonly opa: string;
  readonly os: string;
  readonly load_start: readonly number[];
  /** File system of the OS temp directory, where the benchmark's decision logs are written. */
  readonly tmp_fs: string;
  load_end?: readonly number[];
}

function machine(): Machine {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: os.cpus() said it
  }
  let opa = "not installed";
  try {
    opa = /^Version:\s*(\S+)/m.exec(execFileSync(process.env["KAIROS_OPA"] ?? DEFAULT_OPA_PATH, ["version"], { encoding: "utf8" }))?.[1] ?? opa;
  } catch {
    // reported as not installed; the OPA benchmarks will fail and say why
  }
  let tmpFs = "unknown";
  try {
    const tmp = tmpdir();
    const mounts = readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" "))
      .filter((f) => f.length > 2 && (tmp === f[1] || tmp.startsWith(f[1] === "/" ? "/" : `${f[1]}/`)));
    const best = mounts.sort((a, b) => b[1]!.length - a[1]!.length)[0];
    if (best) tmpFs = `${best[2]} (${best[0]} on ${best[1]})`;
  } catch {
    // not Linux
  }
  const la = loadavg().map((x) => Math.round(x * 100) / 100);
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cpu,
    cores: cpus().length,
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    opa,
    os: `${type()} ${release()}`,
    load_start: la,
    tmp_fs: tmpFs,
  };
}

/** A benchmark that may not exist (yet) or may fail without stopping the others. */
type Optional<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

async function attempt<T>(what: string, fn: () => Promise<T>): Promise<Optional<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    console.error(`bench: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return { ok: false, why: `failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` };
  }
}

/** Rows from whatever shape an optional benchmark reports: a row, a list of rows, or `{rows}`. */
function rowsOf(value: unknown): Record<string, unknown>[] | undefined {
  const isRow = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v) && typeof (v as { name?: unknown }).name === "string";
  if (Array.isArray(value)) return value.every(isRow) ? value : undefined;
  if (isRow(value)) return [value];
  const rows = (value as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) && rows.every(isRow) ? rows : undefined;
}

/** The `kairos test` benchmark's entry point, whatever its module calls it. */
async function runPolicyTests(): Promise<unknown> {
  const mod = (await import(POLICY_TESTS)) as Record<string, unknown>;
  const fn = [mod["benchPolicyTests"], mod["default"], ...Object.values(mod)].find(
    (v): v is () => unknown => typeof v === "function" && (v === mod["default"] || v.name.startsWith("bench")),
  );
  if (!fn) throw new Error("bench/policy-tests.ts exports no bench function");
  return await fn();
}

const PHASES: Record<string, () => Promise<unknown>> = {
  compiler: () => benchCompiler(),
  opa: () => benchOpa(),
  "policy-tests": runPolicyTests,
  "log-verify": () => benchLogVerify({ progress: (l) => console.error(l) }),
};

/** Issue 13: the compiler stays ≥ 20× faster than tsc on its output (issue 2 asked 10×). */
const COMPILER_GOAL = 20;

/**
 * Runs a phase in a fresh process (`node bench/run.ts --phase NAME`), so that the RSS it reports
 * is its own and not what earlier phases left behind; its result comes back as JSON on stdout.
 */
function inChild<T>(phase: string): Promise<Optional<T>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--phase", phase], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("close", (code) => {
      if (code !== 0) return resolve({ ok: false, why: `failed: the ${phase} phase exited with code ${code} (its error is in the bench's stderr)` });
      try {
        resolve({ ok: true, value: JSON.parse(out) as T });
      } catch {
        resolve({ ok: false, why: `failed: the ${phase} phase printed no JSON result` });
      }
    });
  });
}

/**
 * Runs the browser test's latency measurement (test/playground/browser.test.ts) on its own, so
 * that nothing else competes for the cores, and returns what it wrote.
 */
async function measurePlayground(): Promise<Optional<unknown>> {
  const vitest = here("../node_modules/vitest/vitest.mjs");
  if (!existsSync("/usr/bin/chromium")) return { ok: false, why: "not measured: Chromium is not installed (`npm run setup` installs it)" };
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [vitest, "run", "test/playground/browser.test.ts", "-t", "keystroke-to-diagnostics"], {
      cwd: here(".."),
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("close", resolve);
  });
  if (code !== 0) return { ok: false, why: `not measured: the playground latency test failed (exit ${code})` };
  return playground();
}

function playground(): Optional<unknown> {
  if (!existsSync(PLAYGROUND)) return { ok: false, why: "not measured: `bench/results/playground.json` (issue 6) is not there yet" };
  try {
    return { ok: true, value: JSON.parse(readFileSync(PLAYGROUND, "utf8")) as unknown };
  } catch (e) {
    return { ok: false, why: `bench/results/playground.json is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Issue 6 and 13: keystroke-to-diagnostics under one animation frame ("stays under" read as the
 * p95), in steady typing and over the first 50 keystrokes after the page loaded.
 */
function playgroundGoal(pg: Optional<unknown>): string[][] {
  if (!pg.ok) return [];
  const v = pg.value as { p50_ms?: number; p95_ms?: number; frame_ms?: number; first_50_p50_ms?: number; first_50_p95_ms?: number };
  if (typeof v.p95_ms !== "number" || typeof v.p50_ms !== "number") return [];
  const frame = v.frame_ms ?? 16.7;
  const goals = [
    [
      "playground keystroke-to-diagnostics under one frame, 500-line file, steady typing (issues 6, 13)",
      `p95 < ${frame} ms`,
      `p50 ${v.p50_ms} ms, p95 ${v.p95_ms} ms`,
      verdict(v.p95_ms < frame),
    ],
  ];
  if (typeof v.first_50_p95_ms === "number")
    goals.push([
      "playground: the first 50 keystrokes after load under one frame (issue 13)",
      `p95 < ${frame} ms`,
      `p50 ${v.first_50_p50_ms ?? "?"} ms, p95 ${v.first_50_p95_ms} ms`,
      verdict(v.first_50_p95_ms < frame),
    ]);
  return goals;
}

// ---- markdown ----------------------------------------------------------------------------------

function genericTable(rows: readonly Record<string, unknown>[]): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return table(
    keys,
    rows.map((r) => keys.map((k) => r[k])),
  );
}

/** Flat fields (`suite: {tests: 54, …}`) and notes (`notes: ["…"]`) that come with the rows. */
function extras(value: unknown): string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "";
  const lines: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (k === "rows") continue;
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) lines.push(...v.map((x) => `- ${x}`));
    else if (v !== null && typeof v === "object" && !Array.isArray(v))
      lines.push(
        `- ${k}: ${Object.entries(v)
          .map(([a, b]) => `${a} ${num(b)}`)
          .join(", ")}`,
      );
  }
  return lines.length > 0 ? `\n${lines.join("\n")}\n` : "";
}

function optionalSection(title: string, result: Optional<unknown>): string {
  if (!result.ok) return `## ${title}\n\n${result.why}.\n`;
  const rows = rowsOf(result.value);
  if (rows?.length === 1)
    return `## ${title}\n\n${table(
      ["figure", "value"],
      Object.entries(rows[0]!).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : v]),
      ["l", "l"],
    )}\n`;
  if (rows) return `## ${title}\n\n${genericTable(rows)}\n${extras(result.value)}`;
  const flat = Object.entries((result.value ?? {}) as Record<string, unknown>).filter(([, v]) => v === null || typeof v !== "object");
  return `## ${title}\n\n${flat.length > 0 ? table(["figure", "value"], flat) : "```json\n" + JSON.stringify(result.value, null, 2) + "\n```"}\n`;
}

function compilerSection(c: CompilerBench): string {
  return `## Compiler against tsc

Compiling ${c.journeys.toLocaleString("en-US")} generated journeys in memory (bench/generate.ts, spec catalog): \`compilePolicySet\` — check, codegen, the artifact's files and manifest, without the OPA bundle —
against \`tsc --noEmit --strict\` type-checking the ${Math.round(c.emittedBytes / 1024).toLocaleString("en-US")} KiB of TypeScript the compiler emits for them.

${table(
  ["", "ops/s", "p50 µs", "worst µs", "RSS MB", "note"],
  c.rows.map((r) => [r.name, r.ops_s, r.p50_us, r.p99_us, r.rss_mb || "", r.note ?? ""]),
)}

Ratio: tsc takes **${ratio(c.ratio)}** as long as the Kairos compiler (goal ≥ ${COMPILER_GOAL}×, issue 13: ${verdict(c.ratio >= COMPILER_GOAL)}).
`;
}

function opaSection(rows: readonly BenchRow[]): string {
  const [min, full, real, load] = rows;
  return `## OPA consent + residency

One Wasm evaluation of every candidate of a request (4 candidates, 12 consent records), with the
minimal input the runtime sends, and with a full customer profile added (what sending context
values to Wasm would cost); the decision workload's real calls (the example policy set's bundle; each request's
candidates with the subject's own consent records and objections for their purposes, as Kairos and the
json-rules-engine contender send them); and loading the bundle.

${table(
  ["", "ops/s", "p50 µs", "p99 µs", "CPU µs", "RSS MB"],
  rows.map((r) => [r.name, r.ops_s, r.p50_us, r.p99_us, (r as { cpu_us?: number }).cpu_us ?? "", r.rss_mb]),
)}

${min && full ? `Full profile against minimal input: **${ratio(full.p50_us / min.p50_us)}** the p50 cost.` : ""}${real ? ` The workload's calls: p50 ${real.p50_us} µs.` : ""}${load ? ` Bundle load p50: ${Math.round(load.p50_us / 100) / 10} ms.` : ""}
`;
}

function caveats(m: Machine): string {
  return `## How to read these numbers, and caveats

- **One machine, one run.** ${m.cores} cores shared with other work: the load average was ${m.load_start.join(" / ")} at the start and ${m.load_end?.join(" / ") ?? "?"} at the end (1/5/15 min). Wall-clock figures (ops/s, p99) include time the process waited for a core; CPU µs does not, which is why both are shown. Contenders run in separate processes but are interleaved pass by pass, so load from elsewhere falls on all of them alike. Compare rows within one run, not across runs.
- **ops/s in the decision tables** is the throughput of one in-process caller that keeps a fixed number of decisions in flight (16, or 1: one at a time); p50/p99 are per decision, from its start to its answer, so with 16 in flight they include the time a decision waits behind the others — for the contenders that await something (Kairos, json-rules-engine, any log); a synchronous contender (hand-written, all-Rego without a log) runs its lanes one after the other, so its latency stays its own compute. The goals' p50 ratios are therefore taken one at a time. The decision service section is different: HTTP over loopback, 10 concurrent connections, the servers in their own processes, the load generator sharing the same cores.
- **Verdicts are by CPU time per decision** (user + system of the contender's process, every thread: the libuv threads that run an asynchronous fdatasync included), which other load on the machine disturbs least; ops/s and p50 are shown beside.
- **What each contender does differs on purpose.** Kairos validates the request against a schema, records a trace of every sub-expression, derives a deterministic decision id (sha256 over canonical JSON), and — with its log — pseudonymizes, seals, hash-chains, authenticates and appends every decision. The hand-written baseline does none of that; json-rules-engine and all-Rego return the same outcomes without trace or id, and in their log rows append a plain JSON line (no chain, no MAC, no pseudonymization) under the same durability.
- **fsync**: \`always\` acknowledges an append only after an fdatasync that covers it; with decisions in flight, a writer that group-commits lets them share one (the JSONL log's fdatasync count is in the logs table). \`batch\` (the scaling rows) fdatasyncs every 100 appends (a power loss may lose up to 99 acknowledged decisions; a crash loses none). The logs are written to the OS temp directory, here ${m.tmp_fs}${/^tmpfs/.test(m.tmp_fs) ? " — memory, so fdatasync costs next to nothing" : ", so fdatasync is a real flush to storage"}.
- **RSS** is the resident set of each contender's own worker process after its passes (harness and workload included, see the bare worker's figure). The compiler, OPA and policy-test benchmarks each run in a fresh process and report that process's RSS after their phase; the tsc row runs in yet another process whose RSS is not measured.
- **p99 with the batch log** (scaling rows) is the fdatasync that every 100th append waits for: 1% of decisions pay a flush to disk.
- **Agreement is checked, not assumed**: the run refuses to time a hand-written baseline that decides differently from Kairos, or any contender that acts where Kairos does not (and vice versa).
- **Profiles** are V8 samples (100 µs) of one extra pass in the Kairos worker, 16 in flight; stages count a sample for every stage on its stack (nested stages are marked ↳), so they do not add up to the total. V8 samples on a wall-clock timer: samples waiting in a synchronous fdatasync are left out (not CPU), and µs are shares of the row's CPU time per decision.
- **Warm-up.** Every decision contender gets one untimed pass of the workload (2,000 decisions) before its timed passes (12,000). V8 optimises a function with its top tier only after it has run enough of its own bytecode, so large functions get there late: Kairos's decision functions (\`runContract\`, \`applyGuardrails\`, …) reach it after about 12,000–16,000 decisions (\`node --trace-opt\`). Its timed rows therefore include code not yet fully optimised and the background compiles (CPU of every thread counts), and the profiled pass, which comes after them, costs less per decision than the timed rows. The protocol is the same for every contender.
- **The compiler's p50** is the third of five timed compiles after one warm-up. The first two timed compiles are always the slowest (V8 still optimising, the young generation still growing), so the p50 is the slowest of the last three, and a few percent of steady-state cost moves the ratio to tsc between runs.
- **Playground latency** comes from the browser test (test/playground/browser.test.ts), run on its own by the benchmark: headless Chromium, software rendering, on the same 2 cores as everything else. The verdict reads "stays under one frame" as the p95 of steady typing (the last 100 of 300 keystrokes); the first 50 keystrokes after the page loads are slower — the JIT is still compiling the compiler in the worker and Monaco on the page — and are shown next to it, not hidden.
- Regenerate with \`npm run bench\` (never part of \`npm test\`). Raw figures: \`bench/results/latest.json\`.
`;
}

// ---- main -------------------------------------------------------------------------------------

const PARTS = ["compiler", "opa", "decide", "verify", "service", "rollout", "tests", "playground"] as const;
type Part = (typeof PARTS)[number];

/**
 * `--only a,b`: run just those parts (while working on one; the report then says the others were
 * not run, and the playground figures are read from its last results file). Undefined: all.
 */
function onlyParts(): Set<Part> | undefined {
  const i = process.argv.indexOf("--only");
  if (i < 0) return undefined;
  const list = (process.argv[i + 1] ?? "").split(",").filter(Boolean);
  const bad = list.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (bad.length > 0 || list.length === 0) {
    console.error(`bench: --only takes a comma-separated list of ${PARTS.join(", ")} (got \`${process.argv[i + 1] ?? ""}\`)`);
    process.exit(2);
  }
  return new Set(list as Part[]);
}

const USAGE = `usage: node bench/run.ts [--only PART,…]   (npm run bench: every part, ~5 min)

Runs the benchmarks and writes docs/benchmarks.md and bench/results/latest.json.
PARTs: ${PARTS.join(", ")}.
Single sections while working on one: node bench/decide.ts --only main,scaling,candidates,consents,
node bench/log-verify.ts --mb N (see bench/README.md).`;

/** Refuses what this script does not know, before anything is measured or written. */
function checkArgs(): void {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    process.exit(0);
  }
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--only" || args[i] === "--phase") i++;
    else {
      console.error(`bench: unknown argument \`${args[i]}\`\n\n${USAGE}`);
      process.exit(2);
    }
  }
}

/** The rollout measurement on a throwaway PostgreSQL cluster of its own (stopped after). */
async function rolloutOnPostgres(say: (line: string) => void): Promise<RolloutBench> {
  const pg = await startPostgres();
  try {
    const dir = join(tmpdir(), `kairos-bench-rollout-${process.pid}`);
    try {
      return await benchRollout({ database: await pg.createDatabase(), dir, progress: say });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await pg.stop();
  }
}

async function main(): Promise<void> {
  checkArgs();
  const phase = process.argv[2] === "--phase" ? process.argv[3] : undefined;
  if (phase !== undefined) {
    const run = PHASES[phase];
    if (!run) throw new Error(`unknown phase \`${phase}\`; phases: ${Object.keys(PHASES).join(", ")}`);
    process.stdout.write(JSON.stringify(await run()));
    return;
  }
  const started = performance.now();
  const m = machine();
  const say = (l: string) => console.error(`[${String(Math.round((performance.now() - started) / 1000)).padStart(3)} s] ${l}`);
  say(`bench: ${m.cpu}, ${m.cores} cores, Node ${m.node}, OPA ${m.opa}; load ${m.load_start.join(" ")}`);
  const only = onlyParts();
  const skipped = <T>(): Optional<T> => ({ ok: false, why: "not run this time (`node bench/run.ts --only …`)" });
  const wanted = (part: Part) => only === undefined || only.has(part);
  if (wanted("compiler")) say("bench: compiler against tsc (1,000 journeys)");
  const compiler = wanted("compiler") ? await inChild<CompilerBench>("compiler") : skipped<CompilerBench>();
  if (wanted("opa")) say("bench: OPA consent + residency");
  const opa = wanted("opa") ? await inChild<BenchRow[]>("opa") : skipped<BenchRow[]>();
  if (wanted("decide")) say("bench: decisions");
  const decide = wanted("decide") ? await attempt("decide", () => benchDecide({ progress: say })) : skipped<DecideBench>();
  if (wanted("verify")) say("bench: kairos log verify against sha256sum (1 GiB log)");
  const verify = wanted("verify") ? await inChild<VerifyBench>("log-verify") : skipped<VerifyBench>();
  if (wanted("service")) say("bench: kairos serve against the OPA server (loopback, autocannon)");
  const service = wanted("service") ? await attempt("service", () => benchService({ progress: say })) : skipped<Awaited<ReturnType<typeof benchService>>>();
  if (wanted("rollout")) say("bench: rollout switch time (two kairos serve on PostgreSQL, under load)");
  const rollout = wanted("rollout") ? await attempt("rollout", () => rolloutOnPostgres(say)) : skipped<RolloutBench>();
  if (wanted("tests")) say("bench: policy tests");
  const tests: Optional<unknown> = !wanted("tests")
    ? skipped()
    : existsSync(POLICY_TESTS)
      ? await inChild("policy-tests")
      : { ok: false, why: "not measured: `bench/policy-tests.ts` (issue 5) is not in the tree yet" };
  if (wanted("playground")) say("bench: playground keystroke-to-diagnostics (headless Chromium)");
  const pg = wanted("playground") ? await measurePlayground() : playground();
  m.load_end = loadavg().map((x) => Math.round(x * 100) / 100);

  const rows: BenchRow[] = [
    ...(compiler.ok ? compiler.value.rows : []),
    ...(opa.ok ? opa.value : []),
    ...(decide.ok ? decide.value.rows : []),
    ...(decide.ok ? decide.value.scaling : []),
    ...(decide.ok ? decide.value.candidates : []),
    ...(decide.ok ? decide.value.consents : []),
    ...(verify.ok ? verify.value.rows.map((r) => ({ name: r.name, ops_s: 0, p50_us: 0, p99_us: 0, rss_mb: 0, mb_s: r.mb_s, cpu_ms: r.cpu_ms })) : []),
    ...(service.ok ? service.value.rows.map((r) => ({ name: r.name, ops_s: r.decisions_s, p50_us: r.p50_us, p99_us: r.p99_us, rss_mb: r.rss_mb ?? 0 })) : []),
    ...((tests.ok ? rowsOf(tests.value) : undefined) ?? []),
  ] as BenchRow[];
  const goals: Goal[] = [
    ...(compiler.ok
      ? [
          {
            goal: `compiler ≥ ${COMPILER_GOAL}× faster than tsc on its output (issue 13; was 10×)`,
            target: `≥ ${COMPILER_GOAL}×`,
            measured: ratio(compiler.value.ratio),
            pass: compiler.value.ratio >= COMPILER_GOAL,
          },
        ]
      : []),
    ...(decide.ok ? decide.value.goals : []),
    ...(verify.ok
      ? [
          {
            goal: `\`kairos log verify\` ≥ 2× the throughput of \`sha256sum\` on the same ${Math.round(verify.value.bytes / 2 ** 30)} GiB log`,
            target: "≥ 2×",
            measured: `${ratio(verify.value.ratio)} (${verify.value.rows.map((r) => `${r.name.split(" (")[0]} ${r.mb_s} MB/s`).join(", ")})`,
            pass: verify.value.ratio >= 2,
          },
        ]
      : []),
    ...(service.ok ? serviceGoals(service.value) : []),
    ...(rollout.ok ? [rollout.value.goal] : []),
    ...playgroundGoal(pg).map(([goal, target, measured, v]) => ({ goal: goal!, target: target!, measured: measured!, pass: v === verdict(true) })),
  ];
  const seconds = Math.round((performance.now() - started) / 1000);
  mkdirSync(here("./results"), { recursive: true });
  writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        machine: m,
        seconds,
        rows,
        goals,
        decide: decide.ok ? decide.value : null,
        log_verify: verify.ok ? verify.value : null,
        service: service.ok ? service.value : null,
        rollout: rollout.ok ? rollout.value : null,
        compiler: compiler.ok ? compiler.value : null,
        policy_tests: tests.ok ? tests.value : null,
        playground: pg.ok ? pg.value : null,
      },
      null,
      2,
    ) + "\n",
  );
  const failed = (what: string, r: Optional<unknown>) => (r.ok ? "" : `## ${what}\n\n${r.why}.\n`);
  const doc = `<!-- Generated by \`npm run bench\` (bench/run.ts) on ${m.date}; do not edit by hand. -->
# Benchmarks

Measured ${m.date} in ${seconds} s.

${table(
  ["machine", ""],
  [
    ["CPU", m.cpu],
    ["cores", m.cores],
    ["memory", `${m.memory_gb} GiB`],
    ["OS", m.os],
    ["Node", m.node],
    ["OPA", m.opa],
    ["temp directory (decision logs)", m.tmp_fs],
    ["load average at start (1/5/15 min)", m.load_start.join(" / ")],
  ],
)}

## Goals

${table(
  ["goal", "target", "measured", "verdict"],
  goals.map((g) => [g.goal, g.target, g.measured, verdict(g.pass)]),
)}

Issue 13 restated the decision goals: Kairos is compared with its durable log against contenders *with no log at all*
(≥ 1×), and without its log against them (≥ 2.5× json-rules-engine + OPA, ≥ 1× all-Rego, within 5× of hand-written), by
CPU time per decision with ${decide.ok ? decide.value.inFlight : 16} decisions in flight; they replace issue 4's "≥ 10× json-rules-engine" and "≥ 3× all-Rego",
which compared Kairos with its log against contenders without one. The scaling goal is now ≤ 1.2× (was 1.5×), by CPU time,
and the compiler's ≥ 20× (was 10×).

${compiler.ok ? compilerSection(compiler.value) : failed("Compiler against tsc", compiler)}
${opa.ok ? opaSection(opa.value) : failed("OPA consent + residency", opa)}
${decide.ok ? decideSection(decide.value) : failed("Decisions", decide)}
${decide.ok ? scalingSection(decide.value) : ""}
${decide.ok ? candidatesSection(decide.value) : ""}
${decide.ok ? consentsSection(decide.value) : ""}
${verify.ok ? verifySection(verify.value, m.tmp_fs) : failed("`kairos log verify` against `sha256sum`", verify)}
${service.ok ? serviceSection(service.value) : failed("The decision service against the OPA server", service)}
${rollout.ok ? rolloutSection(rollout.value) : failed("Rollout switch time", rollout)}
${optionalSection("`kairos test` (policy tests)", tests)}
${optionalSection("Playground latency", pg)}
${caveats(m)}`;
  writeFileSync(DOC, doc.replace(/\n{3,}/g, "\n\n"));
  say(`bench: wrote ${RESULTS} and ${DOC} in ${seconds} s`);
  if (only === undefined && (!compiler.ok || !opa.ok || !decide.ok || !service.ok || !verify.ok || !rollout.ok)) process.exitCode = 1;
}

await main();
