// Decision benchmarks (issues 4 and 13): Kairos `decide` with its durable hash-chained log and
// without it, against a hand-written TypeScript baseline, json-rules-engine + OPA and the whole
// logic in Rego on OPA Wasm, each of the last two with and without a durable JSONL log under the
// same fsync policy — one workload, the same requests for all, driven with a fixed number of
// decisions in flight (as a service sees them) and one at a time. Then Kairos's cost as the
// journeys an event does not select grow, as the candidates it does select grow, and with 1,000
// consent records per subject. Every contender runs in its own process
// (bench/contenders/worker.ts); the parent checks that they agree before timing them, then
// interleaves them round by round so that load from elsewhere on the machine hits all alike.
// `npm run bench` calls benchDecide(); `node bench/decide.ts [--rounds N] [--only main|scaling|candidates|consents]`
// runs it alone.
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAllRego } from "./contenders/all-rego.ts";
import { candidateSources, compileTo, readSources, SCALING_MATCHING, scalingSources } from "./contenders/kairos.ts";
import type { ProfileSummary } from "./contenders/profile.ts";
import type { ContenderSpec, FromWorker, ToWorker } from "./contenders/worker.ts";
import { agreement, buildWorkload, KEYS, outcomeMix, type Verdict } from "./contenders/workload.ts";
import { percentile, round, type BenchRow } from "./stats.ts";

const POLICIES = fileURLToPath(new URL("../policies", import.meta.url));
const WORKER = fileURLToPath(new URL("./contenders/worker.ts", import.meta.url));

/** A row of the decision tables: the common row plus CPU time and load time. */
export interface DecideRow extends BenchRow {
  /** CPU time (user + system) per decision, µs: less sensitive to other load than wall time. */
  readonly cpu_us: number;
  readonly load_ms: number;
  /** Decisions in flight while timed (1: one at a time). */
  readonly in_flight: number;
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
  /** RSS right after loading the set, before any decision (`rss_mb` is after the timed passes). */
  readonly load_rss_mb: number;
  readonly candidates: number;
}

/** A log's size and, for a contender's JSONL log, its fdatasyncs (group commit shares them). */
export interface LogFigures {
  readonly bytesPerEntry: number;
  readonly entries: number;
  readonly syncs?: number;
}

export interface DecideBench {
  readonly workload: { readonly requests: number; readonly daily: number; readonly mix: Record<string, number>; readonly rounds: number };
  /** Decisions in flight in the service-like rows. */
  readonly inFlight: number;
  readonly rows: readonly DecideRow[];
  readonly agreement: readonly Agreement[];
  readonly scaling: readonly ScalingRow[];
  /** The same daily requests with 10 … 1,000 journeys selected by them (no log, and with the log). */
  readonly candidates: readonly ScalingRow[];
  /** Kairos + log (always) on the same requests with the workload's records and with 1,000 more per subject. */
  readonly consents: readonly (DecideRow & { readonly records: number })[];
  readonly goals: readonly Goal[];
  readonly profile?: ProfileSummary;
  readonly profileNoLog?: ProfileSummary;
  readonly baselineRssMb: number;
  /** Bytes per entry of each log written by the run, by contender. */
  readonly logs: Readonly<Record<string, LogFigures>>;
  readonly notes: readonly string[];
}

/** Parts of the decision benchmark (all by default). */
export type DecidePart = "main" | "scaling" | "candidates" | "consents";

export interface DecideOptions {
  /** Timed passes over the workload per contender (default 3). */
  readonly rounds?: number;
  /** Decisions in flight in the service-like rows (default 16). */
  readonly inFlight?: number;
  readonly scaling?: readonly number[];
  /** Journeys selected per request in the candidates sets (default 10 and 1,000). */
  readonly candidates?: readonly number[];
  /** Consent records added per subject in the consent-records row (default 1,000). */
  readonly consents?: number;
  readonly only?: readonly DecidePart[];
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

  send(m: ToWorker): void {
    this.child.send(m);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** What the timed passes of one mode (decisions in flight) add up to. */
interface Tally {
  readonly samples: number[];
  wallMs: number;
  cpuUs: number;
}

interface Timed {
  readonly worker: Worker;
  loadMs: number;
  loadRssMb: number;
  /** By decisions in flight. */
  readonly modes: Map<number, Tally>;
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
        const t: Timed = { worker: new Worker(name, spec), loadMs: 0, loadRssMb: 0, modes: new Map() };
        timed.push(t);
        return t;
      });
      for (const t of batch) {
        const ready = await t.worker.next("ready");
        t.loadMs = ready.loadMs;
        t.loadRssMb = ready.loadRssMb;
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

/**
 * Runs `rounds` timed passes per worker and mode (decisions in flight), interleaved: the starting
 * worker rotates, and each worker runs its modes back to back.
 */
async function runRounds(timed: Timed[], rounds: number, modes: readonly number[], progress: (l: string) => void): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < timed.length; k++) {
      const t = timed[(k + r) % timed.length]!;
      for (const inFlight of modes) {
        t.worker.send({ type: "round", round: r, inFlight });
        const m = await t.worker.next("round");
        let tally = t.modes.get(inFlight);
        if (!tally) t.modes.set(inFlight, (tally = { samples: [], wallMs: 0, cpuUs: 0 }));
        tally.samples.push(...m.samples);
        tally.wallMs += m.wallMs;
        tally.cpuUs += m.cpuUs;
      }
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

function rowOf(name: string, t: Timed, inFlight = 1, note?: string): DecideRow {
  const tally = t.modes.get(inFlight);
  if (!tally) throw new Error(`${name}: no timed pass with ${inFlight} in flight`);
  const sorted = [...tally.samples].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    name,
    in_flight: inFlight,
    ops_s: round((n / tally.wallMs) * 1000),
    p50_us: round(percentile(sorted, 50)),
    p99_us: round(percentile(sorted, 99)),
    rss_mb: t.finish?.rssMb ?? 0,
    cpu_us: round(tally.cpuUs / n),
    load_ms: round(t.loadMs),
    ...(note ? { note } : {}),
  };
}

const pct = (x: number): number => Math.round(x * 1000) / 10;
const times = (x: number): string => `${x >= 10 ? Math.round(x) : Math.round(x * 100) / 100}×`;

export const CONTENDER = {
  kairos: "Kairos decide + hash-chained log (fsync always, group commit)",
  kairosNoLog: "Kairos decide, no log attached",
  handwritten: "hand-written TypeScript (no trace, no log)",
  rulesEngine: "json-rules-engine 7.3.1 + OPA Wasm consent/residency, no log",
  rulesEngineLog: "json-rules-engine 7.3.1 + OPA Wasm + JSONL log (fsync always, group commit)",
  allRego: "all-Rego on OPA Wasm, no log",
  allRegoLog: "all-Rego on OPA Wasm + JSONL log (fsync always, group commit)",
} as const;

/** The name of a row in the results: the contender and how many decisions were in flight. */
export const rowName = (contender: string, inFlight: number): string => `${contender} [${inFlight} in flight]`;

/** A set of workers: started, timed, finished; killed on failure. */
async function timedSet(
  specs: readonly { name: string; spec: ContenderSpec }[],
  rounds: number,
  modes: readonly number[],
  progress: (l: string) => void,
  running: Timed[],
): Promise<{ timed: Timed[]; verdicts: Map<string, readonly Verdict[]> }> {
  const set = await start(specs, progress);
  running.push(...set.timed);
  await runRounds(set.timed, rounds, modes, progress);
  await finish(set.timed);
  running.length = 0;
  return set;
}

const logFigures = (f: Extract<FromWorker, { type: "finish" }> | undefined): LogFigures | undefined =>
  f?.logBytes && f.logEntries
    ? { bytesPerEntry: Math.round(f.logBytes / f.logEntries), entries: f.logEntries, ...(f.logSyncs === undefined ? {} : { syncs: f.logSyncs }) }
    : undefined;

/** Runs the decision benchmarks; throws when a contender disagrees with Kairos. */
export async function benchDecide(options: DecideOptions = {}): Promise<DecideBench> {
  const rounds = options.rounds ?? 3;
  const inFlight = options.inFlight ?? 16;
  const sizes = options.scaling ?? [10, 100, 1000, 10_000];
  const selected = options.candidates ?? [10, 1000];
  const records = options.consents ?? 1000;
  const parts = new Set<DecidePart>(options.only ?? ["main", "scaling", "candidates", "consents"]);
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
    const catalog = { name: "catalog.yaml", text: readFileSync(join(POLICIES, "catalog.yaml"), "utf8") };
    const always = (name: string) => ({ path: join(work, `${name}.log`), fsync: "always" as const });
    const logs: Record<string, LogFigures> = {};

    // ---- contenders: with and without a log, `inFlight` at a time and one at a time ----
    const rows: DecideRow[] = [];
    const agreements: Agreement[] = [];
    let reference: readonly Verdict[] = [];
    let prof: ProfileSummary | undefined;
    let profNoLog: ProfileSummary | undefined;
    let baselineRssMb = 0;
    if (parts.has("main")) {
      const specs: { name: string; spec: ContenderSpec }[] = [
        { name: CONTENDER.kairos, spec: { kind: "kairos", artifact: art, log: always("kairos") } },
        { name: CONTENDER.kairosNoLog, spec: { kind: "kairos", artifact: art } },
        { name: CONTENDER.handwritten, spec: { kind: "handwritten" } },
        { name: CONTENDER.rulesEngine, spec: { kind: "rules-engine", artifact: art } },
        { name: CONTENDER.rulesEngineLog, spec: { kind: "rules-engine", artifact: art, log: always("rules-engine") } },
        { name: CONTENDER.allRego, spec: { kind: "all-rego", bundle } },
        { name: CONTENDER.allRegoLog, spec: { kind: "all-rego", bundle, log: always("all-rego") } },
        { name: "baseline", spec: { kind: "baseline" } },
      ];
      progress(`decide: starting ${specs.length} workers`);
      const { timed, verdicts } = await start(specs, progress);
      running.push(...timed);
      reference = verdicts.get(CONTENDER.kairos)!;
      for (const name of [
        CONTENDER.kairosNoLog,
        CONTENDER.handwritten,
        CONTENDER.rulesEngine,
        CONTENDER.rulesEngineLog,
        CONTENDER.allRego,
        CONTENDER.allRegoLog,
      ]) {
        const v = verdicts.get(name)!;
        agreements.push({
          contender: name,
          full: pct(agreement(reference, v, KEYS.full).share),
          decision: pct(agreement(reference, v, KEYS.decision).share),
          acted: pct(agreement(reference, v, KEYS.acted).share),
        });
      }
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
      progress(`decide: agreement checked; timing ${rounds} interleaved rounds, ${inFlight} in flight and one at a time`);
      const contenders = timed.filter((t) => t.worker.name !== "baseline");
      await runRounds(contenders, rounds, [inFlight, 1], progress);
      progress(`decide: profiling one pass of Kairos decide with and without the log (${inFlight} in flight)`);
      const byName = (n: string) => timed.find((t) => t.worker.name === n)!;
      byName(CONTENDER.kairos).worker.send({ type: "profile", inFlight });
      prof = (await byName(CONTENDER.kairos).worker.next("profile")).profile;
      byName(CONTENDER.kairosNoLog).worker.send({ type: "profile", inFlight });
      profNoLog = (await byName(CONTENDER.kairosNoLog).worker.next("profile")).profile;
      await finish(timed);
      running.length = 0;
      for (const mode of [inFlight, 1]) for (const t of contenders) rows.push(rowOf(rowName(t.worker.name, mode), t, mode));
      for (const t of contenders) {
        const f = logFigures(t.finish);
        if (f) logs[t.worker.name] = f;
      }
      baselineRssMb = byName("baseline").finish!.rssMb;
    }

    // ---- scaling: journeys that a daily request never selects ----
    const scaling: ScalingRow[] = [];
    if (parts.has("scaling")) {
      progress(`decide: compiling the scaling sets (${sizes.join(", ")} journeys)`);
      const scaleSpecs: { name: string; spec: ContenderSpec }[] = [];
      for (const n of sizes) {
        const dir = join(work, `scaling-${n}`);
        await compileTo(scalingSources(n, catalog), dir);
        scaleSpecs.push({
          name: `Kairos decide + log (batch), ${n.toLocaleString("en-US")} journeys`,
          spec: { kind: "kairos", artifact: dir, log: { path: join(work, `scaling-${n}.log`), fsync: "batch" }, daily: true },
        });
      }
      if (baselineRssMb === 0) scaleSpecs.push({ name: "baseline", spec: { kind: "baseline" } });
      const scaled = await timedSet(scaleSpecs, rounds, [1], progress, running);
      for (const [i, t] of scaled.timed.entries()) {
        if (t.worker.name === "baseline") {
          baselineRssMb = t.finish!.rssMb;
          continue;
        }
        scaling.push({
          ...rowOf(t.worker.name, t),
          journeys: sizes[i]!,
          load_rss_mb: t.loadRssMb,
          candidates: meanCandidates(scaled.verdicts.get(t.worker.name)!),
        });
      }
    }

    // ---- candidates: journeys that every daily request selects ----
    const candidates: ScalingRow[] = [];
    if (parts.has("candidates")) {
      progress(`decide: compiling the candidate sets (${selected.join(", ")} journeys on \`daily\`)`);
      const specs: { name: string; spec: ContenderSpec }[] = [];
      for (const n of selected) {
        const dir = join(work, `candidates-${n}`);
        await compileTo(candidateSources(n, catalog), dir);
        const base = { kind: "kairos", artifact: dir, daily: true, limit: CANDIDATE_REQUESTS } as const;
        specs.push({ name: `Kairos decide, no log, ${n.toLocaleString("en-US")} journeys selected`, spec: base });
        specs.push({ name: `Kairos decide + log (always), ${n.toLocaleString("en-US")} journeys selected`, spec: { ...base, log: always(`candidates-${n}`) } });
      }
      const set = await timedSet(specs, rounds, [1], progress, running);
      for (const [i, t] of set.timed.entries())
        candidates.push({
          ...rowOf(t.worker.name, t),
          journeys: selected[i >> 1]!,
          load_rss_mb: t.loadRssMb,
          candidates: meanCandidates(set.verdicts.get(t.worker.name)!),
        });
    }

    // ---- consent records: the workload's, and 1,000 more per subject ----
    const consents: (DecideRow & { records: number })[] = [];
    if (parts.has("consents")) {
      progress(`decide: ${records.toLocaleString("en-US")} consent records per subject`);
      const specs = [0, records].map((extra) => ({
        name: `Kairos decide + log (always), ${extra === 0 ? "the workload's records" : `${extra.toLocaleString("en-US")} more consent records per subject`}`,
        spec: { kind: "kairos", artifact: art, log: always(`consents-${extra}`), limit: CONSENT_REQUESTS, consents: extra } as const,
      }));
      const set = await timedSet(specs, rounds, [1], progress, running);
      for (const [i, t] of set.timed.entries()) consents.push({ ...rowOf(t.worker.name, t), records: i === 0 ? 0 : records });
    }

    // ---- goals ----
    const goals = decideGoals(rows, inFlight, scaling, candidates, consents, baselineRssMb);
    const daily = workload.filter((r) => r.event.type === "daily").length;
    return {
      workload: { requests: workload.length, daily, mix: outcomeMix(reference), rounds },
      inFlight,
      rows,
      agreement: agreements,
      scaling,
      candidates,
      consents,
      goals,
      ...(prof ? { profile: prof } : {}),
      ...(profNoLog ? { profileNoLog: profNoLog } : {}),
      baselineRssMb,
      logs,
      notes: [
        `${SCALING_MATCHING} journeys on \`daily\` (renewal reminders, onboarding nudge, referral; caps, quiet hours, holdouts) plus generated journeys on \`ticket.resolved\`, \`claim.filed\` (with and without timers) and \`policy.lapsed\`, which a \`daily\` request never selects; the requests are the workload's ${daily.toLocaleString("en-US")} \`daily\` requests`,
        `the same ${SCALING_MATCHING} journeys on \`daily\` plus generated \`daily\` journeys (conditions on tenure and days until renewal, ` +
          `purposes renewal_marketing and service_updates, caps), all selected by every \`daily\` request; ` +
          `the first ${CANDIDATE_REQUESTS} of the workload's \`daily\` requests`,
        `the first ${CONSENT_REQUESTS} requests of the workload; the added records are the subject's own ` +
          `(every purpose and channel, granted and withdrawn, one an hour before \`now\`)`,
      ],
    };
  } finally {
    for (const t of running) t.worker.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Requests of the candidates sets (each decides every selected journey). */
const CANDIDATE_REQUESTS = 100;
/** Requests of the consent-records rows. */
const CONSENT_REQUESTS = 200;

const meanCandidates = (v: readonly Verdict[]): number => round(v.reduce((s, x) => s + x.candidates.length, 0) / Math.max(1, v.length));

/** Issue 13's goals that the decision benchmark measures (CPU time is the verdict). */
function decideGoals(
  rows: readonly DecideRow[],
  inFlight: number,
  scaling: readonly ScalingRow[],
  candidates: readonly ScalingRow[],
  consents: readonly (DecideRow & { records: number })[],
  baselineRssMb: number,
): Goal[] {
  const goals: Goal[] = [];
  const get = (n: string) => rows.find((r) => r.name === rowName(n, inFlight));
  // p50 beside is one at a time: with decisions in flight an asynchronous contender's latency
  // includes waiting for the others, a synchronous one's (no await inside) does not.
  const single = (r: DecideRow) => rows.find((x) => x.name === r.name.replace(`[${inFlight} in flight]`, "[1 in flight]")) ?? r;
  /** `a` against `b` by CPU (the verdict), with ops/s and p50 beside; > 1 means `a` is faster. */
  const vs = (name: string, target: string, a: DecideRow | undefined, b: DecideRow | undefined, min: number) => {
    if (!a || !b) return;
    const cpu = b.cpu_us / a.cpu_us;
    goals.push({
      goal: name,
      target,
      measured:
        `${times(cpu)} by CPU (${a.cpu_us} vs ${b.cpu_us} µs); ops/s ${times(a.ops_s / b.ops_s)}; ` +
        `p50 one at a time ${times(single(b).p50_us / single(a).p50_us)}`,
      pass: cpu >= min,
    });
  };
  const k = get(CONTENDER.kairos);
  const kn = get(CONTENDER.kairosNoLog);
  const jre = get(CONTENDER.rulesEngine);
  const rego = get(CONTENDER.allRego);
  const hw = get(CONTENDER.handwritten);
  const at = `${inFlight} in flight`;
  vs(`Kairos decide + durable hash-chained log (fsync always, group commit) ≥ 1× json-rules-engine + OPA with no log at all (${at})`, "≥ 1×", k, jre, 1);
  vs(`Kairos without a log ≥ 2.5× json-rules-engine + OPA (${at})`, "≥ 2.5×", kn, jre, 2.5);
  vs(`Kairos without a log ≥ 1× all-Rego on OPA Wasm (${at})`, "≥ 1×", kn, rego, 1);
  if (kn && hw) {
    const x = kn.cpu_us / hw.cpu_us;
    goals.push({
      goal: `Kairos without a log within 5× of hand-written TypeScript (${at})`,
      target: "≤ 5× slower",
      measured:
        `${times(x)} slower by CPU (${kn.cpu_us} vs ${hw.cpu_us} µs); ops/s ${times(hw.ops_s / kn.ops_s)}; ` +
        `p50 one at a time ${times(single(kn).p50_us / single(hw).p50_us)}`,
      pass: x <= 5,
    });
  }
  const noLog = candidates.filter((c) => c.name.includes("no log"));
  const [few, many] = [noLog[0], noLog[noLog.length - 1]];
  if (few && many && few !== many) {
    const x = many.cpu_us / few.cpu_us;
    const withLog = candidates.filter((c) => !c.name.includes("no log"));
    const lx = withLog.length > 1 ? withLog[withLog.length - 1]!.cpu_us / withLog[0]!.cpu_us : undefined;
    goals.push({
      goal: `candidates: an event selecting ${many.journeys.toLocaleString("en-US")} journeys costs ≤ 10× one selecting ${few.journeys} (decide, no log)`,
      target: "≤ 10×",
      measured: `${times(x)} by CPU (${few.cpu_us} → ${many.cpu_us} µs)${lx === undefined ? "" : `; with the log ${times(lx)}`}`,
      pass: x <= 10,
    });
  }
  const first = scaling[0];
  const last = scaling[scaling.length - 1];
  if (first && last && first !== last) {
    const x = last.cpu_us / first.cpu_us;
    goals.push({
      goal: `journeys an event does not select cost nothing: ${first.journeys} → ${last.journeys.toLocaleString("en-US")} journeys`,
      target: "≤ 1.2×",
      measured: `${times(x)} by CPU (${first.cpu_us} → ${last.cpu_us} µs); ops/s ${times(first.ops_s / last.ops_s)}`,
      pass: x <= 1.2,
    });
    if (baselineRssMb > 0) {
      const above = round(last.rss_mb - baselineRssMb);
      goals.push({
        goal: `memory: ${last.journeys.toLocaleString("en-US")} journeys loaded in ≤ 150 MB RSS above a bare process`,
        target: "≤ 150 MB",
        measured:
          `${above} MB after the timed passes (${last.rss_mb} MB; the bare worker ${baselineRssMb} MB); ` +
          `${round(last.load_rss_mb - baselineRssMb)} MB right after loading`,
        pass: above <= 150,
      });
    }
  }
  const heavy = consents.find((c) => c.records > 0);
  if (heavy) {
    goals.push({
      goal: `consent records: ${heavy.records.toLocaleString("en-US")} records per subject decide in ≤ 2 ms with the log (fsync always, one at a time)`,
      target: "≤ 2 ms",
      measured: `${heavy.cpu_us.toLocaleString("en-US")} µs CPU (p50 ${heavy.p50_us.toLocaleString("en-US")} µs)`,
      pass: heavy.cpu_us <= 2000,
    });
  }
  return goals;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = arg("--only")?.split(",") as DecidePart[] | undefined;
  const rounds = arg("--rounds");
  const r = await benchDecide({ progress: (l) => console.error(l), ...(only ? { only } : {}), ...(rounds ? { rounds: Number(rounds) } : {}) });
  console.log(JSON.stringify(r, null, 2));
}
