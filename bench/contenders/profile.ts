// A CPU profile of a piece of work, summarized: the V8 sampling profiler through the inspector,
// then the functions with the most self time and the project functions with the most inclusive
// time, each as a share of the run and as microseconds per operation. V8 samples on a wall-clock
// timer; samples where the thread waits in a blocking system call (a synchronous fdatasync) are
// not CPU time, so they are counted apart (`wait_pct`) and left out of the shares, and the
// process's CPU time over the profiled work is measured beside (`cpu_us_per_op`).
import { Session } from "node:inspector/promises";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface ProfileEntry {
  /** `function (file:line)`, files relative to the repository. */
  readonly fn: string;
  /** Share of the profiled time, percent. */
  readonly pct: number;
  /** Microseconds per operation. */
  readonly us_per_op: number;
}

export interface ProfileSummary {
  readonly ops: number;
  /** CPU time (user + system, all threads) per operation over the profiled work, µs. */
  readonly cpu_us_per_op?: number;
  /** Share of the samples (idle left out) spent waiting in a blocking system call, percent. */
  readonly wait_pct?: number;
  /** Time per stage, callees included (a sample counts for every stage on its stack). */
  readonly stages: readonly ProfileEntry[];
  readonly self: readonly ProfileEntry[];
  /** Project functions only (runtime/, compiler/, server/), callees included. */
  readonly inclusive: readonly ProfileEntry[];
}

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

function where(url: string, line: number): string {
  if (url === "") return "";
  const path = url.startsWith("file://")
    ? relative(root, fileURLToPath(url))
    : url.startsWith("data:")
      ? "predicates.js (artifact)"
      : url.replace(/^node:/, "node:");
  return `${path}:${line + 1}`;
}

/** A named stage: the samples with a frame whose function name matches. */
export type Stages = Readonly<Record<string, RegExp>>;

/**
 * Profiles `work` (which performs `ops` operations) at a 100 µs sampling interval. Samples of
 * the profiler itself and idle time are left out of the total.
 */
export async function profile(ops: number, work: () => Promise<void>, stages: Stages = {}, top = 15): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
    await session.post("Profiler.start");
    const cpu0 = process.cpuUsage();
    await work();
    const cpu = process.cpuUsage(cpu0);
    const { profile: p } = (await session.post("Profiler.stop")) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    return { ...summarizeProfile(p, ops, stages, top), cpu_us_per_op: Math.round(((cpu.user + cpu.system) / ops) * 10) / 10 };
  } finally {
    session.disconnect();
  }
}

/** Native functions in which the thread waits for the disk rather than computing. */
const WAITS = /^(fdatasync|fsync)$/;

/** A V8 CPU profile as the inspector returns it and `node --cpu-prof` writes it. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Summarizes a CPU profile of work that performed `ops` operations (also a `--cpu-prof` file's). */
export function summarizeProfile(p: CpuProfile, ops: number, stages: Stages = {}, top = 15): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode): string => {
    const w = where(n.callFrame.url, n.callFrame.lineNumber);
    return w ? `${n.callFrame.functionName || "(anonymous)"} (${w})` : n.callFrame.functionName || "(anonymous)";
  };
  const project = (n: ProfileNode): boolean => /\/(runtime|compiler|server)\//.test(n.callFrame.url) || n.callFrame.url.startsWith("data:");
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const staged = new Map<string, number>(Object.keys(stages).map((s) => [s, 0]));
  let total = 0;
  let waiting = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === "(idle)" || node.callFrame.url.startsWith("node:inspector")) return;
    if (WAITS.test(node.callFrame.functionName) && node.callFrame.url === "") {
      waiting += dt;
      return;
    }
    total += dt;
    self.set(key(node), (self.get(key(node)) ?? 0) + dt);
    const seen = new Set<string>();
    const hit = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      for (const [stage, re] of Object.entries(stages)) if (re.test(n.callFrame.functionName)) hit.add(stage);
      if (!project(n)) continue;
      const k = key(n);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
    for (const stage of hit) staged.set(stage, staged.get(stage)! + dt);
  });
  const entry = ([fn, t]: [string, number]): ProfileEntry => ({ fn, pct: Math.round((t / total) * 1000) / 10, us_per_op: Math.round((t / ops) * 10) / 10 });
  const entries = (m: Map<string, number>): ProfileEntry[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(entry);
  return {
    ops,
    wait_pct: total + waiting === 0 ? 0 : Math.round((waiting / (total + waiting)) * 1000) / 10,
    stages: [["(everything)", total] as [string, number], ...staged].map(entry),
    self: entries(self),
    inclusive: entries(inclusive),
  };
}
