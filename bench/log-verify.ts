// `kairos log verify` against `sha256sum` on the same log (issue 13's goal: ≥ 2× its
// throughput). Writes a valid decision log of about `mb` MB in the OS temp directory — the
// workload's decisions (bench/contenders/workload.ts) made once by Kairos, then appended over and
// over through the real writer (fsync batch), so the chain, MACs and checkpoints are real — then
// times both tools on it, interleaved, twice each, the file in the page cache for both, and
// deletes it. `node bench/log-verify.ts [--mb N]` runs it alone (JSON on stdout).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DecisionLog } from "../runtime/log/index.ts";
import { MemorySink, type DecisionLogEntry } from "../runtime/sink.ts";
import { loadEngineDir } from "../runtime/node.ts";
import { compileTo, readSources } from "./contenders/kairos.ts";
import { buildWorkload } from "./contenders/workload.ts";
import { round } from "./stats.ts";

const POLICIES = fileURLToPath(new URL("../policies", import.meta.url));
const KAIROS = fileURLToPath(new URL("../bin/kairos.js", import.meta.url));

/** One tool's timing over the log. */
export interface VerifyRow {
  readonly name: string;
  /** MB/s (10^6 bytes) of the best of the runs. */
  readonly mb_s: number;
  /** Wall time of each run, ms. */
  readonly runs_ms: readonly number[];
  /** CPU time (user + system, the process and its threads) of the best run, ms. */
  readonly cpu_ms: number;
}

export interface VerifyBench {
  readonly bytes: number;
  readonly entries: number;
  /** Seconds to write the log (not part of the comparison). */
  readonly generate_s: number;
  readonly rows: readonly VerifyRow[];
  /** kairos log verify's throughput ÷ sha256sum's. */
  readonly ratio: number;
  /** What `kairos log verify` said (its first line). */
  readonly verdict: string;
}

/** Runs `cmd` to completion; wall time, and CPU time from the kernel's accounting of the child. */
function timed(cmd: string, args: readonly string[]): { ms: number; cpuMs: number; out: string } {
  const c0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  const ms = performance.now() - t0;
  const cpuMs = childCpuMs() - c0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}: ${(r.stderr || r.stdout).slice(0, 400)}`);
  return { ms, cpuMs, out: r.stdout };
}

/** CPU time of this process's waited-for children (cutime + cstime of /proc/self/stat), ms; 0 off Linux. */
function childCpuMs(): number {
  try {
    const text = readFileSync("/proc/self/stat", "utf8");
    // The fields after the command name (which may hold spaces); field 3 (state) comes first.
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(f[16 - 3]) + Number(f[17 - 3]);
    return (ticks * 1000) / 100; // USER_HZ
  } catch {
    return 0;
  }
}

/** Writes a log of at least `bytes` bytes at `path`; returns its entry count. */
async function writeLog(path: string, bytes: number, artifact: string): Promise<number> {
  const engine = await loadEngineDir(artifact);
  const memory = new MemorySink();
  engine.attach(memory);
  for (const r of buildWorkload()) await engine.decide(r);
  const records: readonly DecisionLogEntry[] = memory.entries;
  const log = DecisionLog.open(path, {
    pii: engine.catalog,
    journeys: engine.predicates.journeys.map((j) => j.meta),
    fsync: "batch",
    batchSize: 10_000,
    onWarning: () => {},
  });
  let n = 0;
  try {
    for (let i = 0; ; i++) {
      const p = log.append(records[i % records.length]!) as unknown;
      if (p instanceof Promise) await p;
      n++;
      if (n % 2000 === 0 && statSync(path).size >= bytes) break;
    }
  } finally {
    log.close();
  }
  return n;
}

/** Runs the comparison on a log of about `mb` MB (default 1,024). */
export async function benchLogVerify(options: { mb?: number; progress?: (l: string) => void } = {}): Promise<VerifyBench> {
  const mb = options.mb ?? 1024;
  const progress = options.progress ?? (() => {});
  const work = mkdtempSync(join(tmpdir(), "kairos-bench-verify-"));
  try {
    const art = join(work, "artifact");
    await compileTo(readSources(POLICIES), art);
    const path = join(work, "decisions.log");
    progress(`log verify: writing a ${mb.toLocaleString("en-US")} MB decision log in ${work}`);
    const g0 = performance.now();
    const entries = await writeLog(path, mb * 1048576, art);
    const generate = (performance.now() - g0) / 1000;
    const bytes = statSync(path).size;
    progress(`log verify: ${entries.toLocaleString("en-US")} entries, ${Math.round(bytes / 1048576)} MB in ${Math.round(generate)} s; timing`);
    const runs = { sha: [] as { ms: number; cpuMs: number }[], kairos: [] as { ms: number; cpuMs: number }[] };
    let verdict = "";
    for (let i = 0; i < 2; i++) {
      runs.sha.push(timed("sha256sum", [path]));
      const k = timed(process.execPath, [KAIROS, "log", "verify", path]);
      verdict = k.out.split("\n")[0] ?? "";
      runs.kairos.push(k);
    }
    const row = (name: string, rs: { ms: number; cpuMs: number }[]): VerifyRow => {
      const best = rs.reduce((a, b) => (b.ms < a.ms ? b : a));
      return { name, mb_s: round(bytes / 1e6 / (best.ms / 1000)), runs_ms: rs.map((r) => Math.round(r.ms)), cpu_ms: Math.round(best.cpuMs) };
    };
    const sha = row("sha256sum (GNU coreutils)", runs.sha);
    const kairos = row("kairos log verify", runs.kairos);
    return { bytes, entries, generate_s: round(generate), rows: [kairos, sha], ratio: kairos.mb_s / sha.mb_s, verdict };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mb = arg("--mb");
  console.log(JSON.stringify(await benchLogVerify({ progress: (l) => console.error(l), ...(mb ? { mb: Number(mb) } : {}) }), null, 2));
}
