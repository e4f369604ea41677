// Decision benchmarks (issue 4 item 8): Kairos `decide` with its hash-chained log against a
// hand-written TypeScript baseline, json-rules-engine + OPA, and the whole logic in Rego on OPA
// Wasm — one workload, the same requests for all — plus Kairos's cost per decision as the
// number of journeys that cannot match grows. Every contender runs in its own process
// (bench/contenders/worker.ts); the parent checks that they agree before timing them, then
// interleaves them round by round so that load from elsewhere on the machine hits all alike.
// `npm run bench` calls benchDecide(); `node bench/decide.ts` runs it alone.
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAllRego } from "./contenders/all-rego.ts";
import { compileTo, readSources, SCALING_MATCHING, scalingSources } from "./contenders/kairos.ts";
import type { ProfileSummary } from "./contenders/profile.ts";
import type { ContenderSpec, FromWorker } from "./contenders/worker.ts";
import { agreement, buildWorkload, KEYS, outcomeMix, type Verdict } from "./contenders/workload.ts";
import { percentile, round, type BenchRow } from "./stats.ts";

const POLICIES = fileURLToPath(new URL("../policies", import.meta.url));
const WORKER = fileURLToPath(new URL("./contenders/worker.ts", import.meta.url));

/** A row of the decision tables: the common row plus CPU time and load time. */
export interface DecideRow extends BenchRow {
  /** CPU time (user + system) per decision, µs: less sensitive to other load than wall time. */
  readonly cpu_us: number;
  readonly load_ms: number;
}

export interface Agreement {
  readonly contender: string;
  /** Percent of requests with the same (outcome, winner, every candidate's outcome). */
  readonly full: number;
  readonly decision: number;
  readonly acted: number;
}

export interface Goal {
  readonly goal: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

export interface ScalingRow extends DecideRow {
  readonly journeys: number;
  readonly candidates: number;
}

export interface DecideBench {
  readonly workload: { readonly requests: number; readonly daily: number; readonly mix: Record<string, number>; readonly rounds: number };
  readonly rows: readonly DecideRow[];
  readonly agreement: readonly Agreement[];
  readonly scaling: readonly ScalingRow[];
  readonly goals: readonly Goal[];
  readonly profile?: ProfileSummary;
  readonly profileNoLog?: ProfileSummary;
  readonly baselineRssMb: number;
  readonly log: { readonly bytesPerEntry: number; readonly entries: number } | undefined;
  readonly notes: readonly string[];
}

export interface DecideOptions {
  /** Timed passes over the workload per contender (default 3). */
  readonly rounds?: number;
  readonly scaling?: readonly number[];
  readonly progress?: (line: string) => void;
}

/** A forked contender and a queue of its replies. */
class Worker {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly inbox: FromWorker[] = [];
  private waiting: ((m: FromWorker) => void) | undefined;
  private dead: string | undefined;

  constructor(name: string, spec: ContenderSpec) {
    this.name = name;
    this.child = fork(WORKER, [JSON.stringify(spec)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child.on("message", (m: FromWorker) => this.deliver(m));
    this.child.on("exit", (code) => {
      this.dead = `the ${name} worker exited (code ${code})`;
      this.waiting?.({ type: "failed", message: this.dead });
    });
  }

  private deliver(m: FromWorker): void {
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w(m);
    } else this.inbox.push(m);
  }

  async next<T extends FromWorker["type"]>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    const m =
      this.inbox.shift() ??
      (this.dead ? ({ type: "failed", message: this.dead } as const) : await new Promise<FromWorker>((resolve) => (this.waiting = resolve)));
    if (m.type === "failed") throw new Error(`${this.name}: ${m.message}`);
    if (m.type !== type) throw new Error(`${this.name}: expected a ${type} message, got ${m.type}`);
    return m as Extract<FromWorker, { type: T }>;
  }

  send(m: { type: "round"; round: number } | { type: "profile" } | { type: "finish" }): void {
    this.child.send(m);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

interface Timed {
  readonly worker: Worker;
  loadMs: number;
  readonly samples: number[];
  wallMs: number;
  cpuUs: number;
  finish?: Extract<FromWorker, { type: "finish" }>;
}

/**
 * Starts the workers, two at a time (load times are contended a little; the timed passes never
 * overlap), and collects each one's warm-up verdicts.
 */
async function start(
  specs: readonly { name: string; spec: ContenderSpec }[],
  progress: (l: string) => void,
  parallel = 2,
): Promise<{ timed: Timed[]; verdicts: Map<string, readonly Verdict[]> }> {
  const timed: Timed[] = [];
  const verdicts = new Map<string, readonly Verdict[]>();
  try {
    for (let i = 0; i < specs.length; i += parallel) {
      const batch = specs.slice(i, i + parallel).map(({ name, spec }) => {
        const t: Timed = { worker: new Worker(name, spec), loadMs: 0, samples: [], wallMs: 0, cpuUs: 0 };
        timed.push(t);
        return t;
      });
      for (const t of batch) {
        const ready = await t.worker.next("ready");
        t.loadMs = ready.loadMs;
        verdicts.set(t.worker.name, ready.verdicts);
        progress(`  ready: ${t.worker.name} (loaded in ${Math.round(ready.loadMs)} ms)`);
      }
    }
  } catch (e) {
    for (const t of timed) t.worker.kill();
    throw e;
  }
  return { timed, verdicts };
}

/** Runs `rounds` timed passes per worker, interleaved (the starting worker rotates). */
async function runRounds(timed: Timed[], rounds: number, progress: (l: string) => void): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < timed.length; k++) {
      const t = timed[(k + r) % timed.length]!;
      t.worker.send({ type: "round", round: r });
      const m = await t.worker.next("round");
      t.samples.push(...m.samples);
      t.wallMs += m.wallMs;
      t.cpuUs += m.cpuUs;
    }
    progress(`  round ${r + 1}/${rounds} done`);
  }
}

async function finish(timed: Timed[]): Promise<void> {
  for (const t of timed) {
    t.worker.send({ type: "finish" });
    t.finish = await t.worker.next("finish");
  }
}

function rowOf(name: string, t: Timed, note?: string): DecideRow {
  const sorted = [...t.samples].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    name,
    ops_s: round((n / t.wallMs) * 1000),
    p50_us: round(percentile(sorted, 50)),
    p99_us: round(percentile(sorted, 99)),
    rss_mb: t.finish?.rssMb ?? 0,
    cpu_us: round(t.cpuUs / n),
    load_ms: round(t.loadMs),
    ...(note ? { note } : {}),
  };
}

const pct = (x: number): number => Math.round(x * 1000) / 10;
const times = (x: number): string => `${x >= 10 ? Math.round(x) : Math.round(x * 100) / 100}×`;

export const CONTENDER = {
  kairos: "Kairos decide + hash-chained log (fsync batch)",
  kairosAlways: "Kairos decide + hash-chained log (fsync always)",
  kairosNoLog: "Kairos decide, no log attached",
  handwritten: "hand-written TypeScript (no trace, no log)",
  rulesEngine: "json-rules-engine 7.3.1 + OPA Wasm consent/residency",
  allRego: "all-Rego on OPA Wasm",
} as const;

/** Runs the decision benchmarks; throws when a contender disagrees with Kairos. */
export async function benchDecide(options: DecideOptions = {}): Promise<DecideBench> {
  const rounds = options.rounds ?? 3;
  const sizes = options.scaling ?? [10, 100, 1000, 10_000];
  const progress = options.progress ?? (() => {});
  const work = mkdtempSync(join(tmpdir(), "kairos-bench-decide-"));
  const running: Timed[] = [];
  try {
    progress("decide: compiling the example policy set and the all-Rego bundle");
    const art = join(work, "artifact");
    await compileTo(readSources(POLICIES), art);
    const bundle = join(work, "all-rego.tar.gz");
    await buildAllRego(bundle);
    const workload = buildWorkload();

    // ---- contenders ----
    const specs: { name: string; spec: ContenderSpec }[] = [
      { name: CONTENDER.kairos, spec: { kind: "kairos", artifact: art, log: { path: join(work, "batch.log"), fsync: "batch" } } },
      { name: CONTENDER.kairosAlways, spec: { kind: "kairos", artifact: art, log: { path: join(work, "always.log"), fsync: "always" }, share: rounds } },
      { name: CONTENDER.kairosNoLog, spec: { kind: "kairos", artifact: art } },
      { name: CONTENDER.handwritten, spec: { kind: "handwritten" } },
      { name: CONTENDER.rulesEngine, spec: { kind: "rules-engine", artifact: art } },
      { name: CONTENDER.allRego, spec: { kind: "all-rego", bundle } },
      { name: "baseline", spec: { kind: "baseline" } },
    ];
    progress(`decide: starting ${specs.length} workers`);
    const { timed, verdicts } = await start(specs, progress);
    running.push(...timed);
    const reference = verdicts.get(CONTENDER.kairos)!;
    const agreements: Agreement[] = [CONTENDER.kairosNoLog, CONTENDER.handwritten, CONTENDER.rulesEngine, CONTENDER.allRego].map((name) => {
      const v = verdicts.get(name)!;
      return {
        contender: name,
        full: pct(agreement(reference, v, KEYS.full).share),
        decision: pct(agreement(reference, v, KEYS.decision).share),
        acted: pct(agreement(reference, v, KEYS.acted).share),
      };
    });
    for (const a of agreements) {
      // The hand-written baseline must give the same decisions; every contender the same actions.
      const strict = a.contender === CONTENDER.handwritten || a.contender === CONTENDER.kairosNoLog;
      if ((strict ? a.decision : a.acted) < 100) {
        const v = verdicts.get(a.contender)!;
        const i = agreement(reference, v, strict ? KEYS.decision : KEYS.acted).first!;
        throw new Error(
          `${a.contender} disagrees with Kairos on request ${i} (${JSON.stringify(workload[i]!.event)}): Kairos ${JSON.stringify(reference[i])}, it ${JSON.stringify(v[i])}`,
        );
      }
    }
    progress(
      `decide: agreement checked (${agreements.map((a) => `${a.contender.split(" ")[0]} ${a.decision}%`).join(", ")}); timing ${rounds} interleaved rounds`,
    );
    const contenders = timed.filter((t) => t.worker.name !== "baseline");
    await runRounds(contenders, rounds, progress);
    progress("decide: profiling one pass of Kairos decide (with and without the log)");
    const byName = (n: string) => timed.find((t) => t.worker.name === n)!;
    byName(CONTENDER.kairos).worker.send({ type: "profile" });
    const prof = (await byName(CONTENDER.kairos).worker.next("profile")).profile;
    byName(CONTENDER.kairosNoLog).worker.send({ type: "profile" });
    const profNoLog = (await byName(CONTENDER.kairosNoLog).worker.next("profile")).profile;
    await finish(timed);
    running.length = 0;
    const rows = contenders.map((t) =>
      rowOf(
        t.worker.name,
        t,
        t.worker.name === CONTENDER.kairosAlways
          ? `fdatasync before every append returns; each round ran 1/${rounds} of the workload (every request once over the ${rounds} rounds)`
          : t.worker.name === CONTENDER.kairos
            ? "fdatasync every 100 appends and on close (the log's `batch` policy)"
            : undefined,
      ),
    );
    const batch = byName(CONTENDER.kairos).finish!;
    const baselineRssMb = byName("baseline").finish!.rssMb;

    // ---- scaling ----
    progress(`decide: compiling the scaling sets (${sizes.join(", ")} journeys)`);
    const catalog = { name: "catalog.yaml", text: readFileSync(join(POLICIES, "catalog.yaml"), "utf8") };
    const scaleSpecs: { name: string; spec: ContenderSpec }[] = [];
    for (const n of sizes) {
      const dir = join(work, `scaling-${n}`);
      await compileTo(scalingSources(n, catalog), dir);
      scaleSpecs.push({
        name: `Kairos decide + log (batch), ${n.toLocaleString("en-US")} journeys`,
        spec: { kind: "kairos", artifact: dir, log: { path: join(work, `scaling-${n}.log`), fsync: "batch" }, daily: true },
      });
    }
    const scaled = await start(scaleSpecs, progress);
    running.push(...scaled.timed);
    await runRounds(scaled.timed, rounds, progress);
    await finish(scaled.timed);
    running.length = 0;
    const scaling: ScalingRow[] = scaled.timed.map((t, i) => {
      const v = scaled.verdicts.get(t.worker.name)!;
      const candidates = v.reduce((s, x) => s + x.candidates.length, 0) / Math.max(1, v.length);
      return { ...rowOf(t.worker.name, t), journeys: sizes[i]!, candidates: round(candidates) };
    });

    // ---- goals ----
    const get = (n: string) => rows.find((r) => r.name === n)!;
    const k = get(CONTENDER.kairos);
    const goals: Goal[] = [
      goal("Kairos ≥ 10× json-rules-engine", "≥ 10×", k.ops_s / get(CONTENDER.rulesEngine).ops_s, (x) => x >= 10),
      goal("Kairos ≥ 3× all-Rego", "≥ 3×", k.ops_s / get(CONTENDER.allRego).ops_s, (x) => x >= 3),
      goal("Kairos within 5× of hand-written", "≤ 5× slower", get(CONTENDER.handwritten).ops_s / k.ops_s, (x) => x <= 5, " slower"),
    ];
    const first = scaling[0];
    const last = scaling[scaling.length - 1];
    if (first && last)
      goals.push(
        goal(`cost per decision, ${first.journeys} → ${last.journeys.toLocaleString("en-US")} journeys`, "≤ 1.5×", first.ops_s / last.ops_s, (x) => x <= 1.5),
      );
    const daily = workload.filter((r) => r.event.type === "daily").length;
    return {
      workload: { requests: workload.length, daily, mix: outcomeMix(reference), rounds },
      rows,
      agreement: agreements,
      scaling,
      goals,
      profile: prof,
      profileNoLog: profNoLog,
      baselineRssMb,
      log: batch.logBytes && batch.logEntries ? { bytesPerEntry: Math.round(batch.logBytes / batch.logEntries), entries: batch.logEntries } : undefined,
      notes: [
        `${SCALING_MATCHING} journeys on \`daily\` (renewal reminders, onboarding nudge, referral; caps, quiet hours, holdouts) plus generated journeys on \`ticket.resolved\`, \`claim.filed\` (with and without timers) and \`policy.lapsed\`, which a \`daily\` request never selects; the requests are the workload's ${daily.toLocaleString("en-US")} \`daily\` requests`,
      ],
    };
  } finally {
    for (const t of running) t.worker.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

function goal(name: string, target: string, x: number, ok: (x: number) => boolean, suffix = ""): Goal {
  return { goal: name, target, measured: `${times(x)}${suffix}`, pass: ok(x) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchDecide({ progress: (l) => console.error(l) });
  console.log(JSON.stringify(r, null, 2));
}
