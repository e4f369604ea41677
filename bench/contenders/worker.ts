// One decision contender in its own process (forked by bench/decide.ts), so that its memory is
// its own and the parent can interleave contenders round by round. It loads the contender,
// decides the whole workload once untimed (warm-up; the verdicts go back for the agreement
// check), then times a pass per `round` message, and reports its RSS at `finish`.
import { readFileSync } from "node:fs";
import { buildWorkload, type BenchRequest, type Verdict } from "./workload.ts";
import { profile, type ProfileSummary } from "./profile.ts";

/** What the parent asks a worker to run. */
export type ContenderSpec =
  | {
      readonly kind: "kairos";
      readonly artifact: string;
      readonly log?: { readonly path: string; readonly fsync: "batch" | "always" };
      readonly daily?: boolean;
      readonly share?: number;
    }
  | { readonly kind: "handwritten" }
  | { readonly kind: "rules-engine"; readonly artifact: string }
  | { readonly kind: "all-rego"; readonly bundle: string }
  | { readonly kind: "baseline" };

export type ToWorker = { readonly type: "round"; readonly round: number } | { readonly type: "profile" } | { readonly type: "finish" };

export type FromWorker =
  | { readonly type: "ready"; readonly loadMs: number; readonly verdicts: readonly Verdict[]; readonly requests: number }
  | { readonly type: "round"; readonly samples: readonly number[]; readonly wallMs: number; readonly cpuUs: number }
  | { readonly type: "profile"; readonly profile: ProfileSummary }
  | {
      readonly type: "finish";
      readonly rssMb: number;
      readonly maxRssMb: number;
      readonly heapMb: number;
      readonly logBytes?: number;
      readonly logEntries?: number;
    }
  | { readonly type: "failed"; readonly message: string };

type Decide = (req: BenchRequest) => Verdict | Promise<Verdict>;

/** Where a Kairos decision's time goes, by function on the stack (nested stages are indented). */
const KAIROS_STAGES = {
  "request validation (zod schema, catalog checks)": /^parseRequest$/,
  "the contract (docs/runtime.md, steps 1–6)": /^runContract$/,
  "  consent + residency (OPA Wasm, JSON in and out)": /^screen$/,
  "decision id (canonical JSON + sha256)": /^decisionId$/,
  "log append": /^append$/,
  "  lock file (create, write, read back, unlink)": /^(acquire|release)$/,
  "  entry building (pseudonymization, minimization)": /^toEntry$/,
  "  canonical JSON + sha256 of the entry": /^serializeEntry$/,
  "  fdatasync": /^fdatasyncSync$/,
};

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

function verdictOf(d: { outcome: string; journey?: string; candidates: readonly (readonly [string, string])[] }): Verdict {
  return { outcome: d.outcome, ...(d.journey === undefined ? {} : { journey: d.journey }), candidates: d.candidates };
}

async function load(spec: ContenderSpec): Promise<{ decide: Decide; close: () => void }> {
  switch (spec.kind) {
    case "kairos": {
      const { openKairos, kairosVerdict } = await import("./kairos.ts");
      const { engine, close } = await openKairos(spec.artifact, spec.log);
      return { decide: async (r) => kairosVerdict(await engine.decide(r)), close };
    }
    case "handwritten": {
      const { decideHandwritten } = await import("./handwritten.ts");
      return { decide: (r) => verdictOf(decideHandwritten(r)), close: () => {} };
    }
    case "rules-engine": {
      const { loadRulesEngineContender } = await import("./rules-engine.ts");
      const c = await loadRulesEngineContender(spec.artifact);
      return { decide: async (r) => verdictOf(await c.decide(r)), close: () => {} };
    }
    case "all-rego": {
      const { loadAllRego } = await import("./all-rego.ts");
      const c = await loadAllRego(spec.bundle);
      return { decide: (r) => verdictOf(c.decide(r)), close: () => {} };
    }
    case "baseline":
      return { decide: () => ({ outcome: "none", candidates: [] }), close: () => {} };
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as ContenderSpec;
  const send = (m: FromWorker): void => void process.send!(m);
  const all = buildWorkload();
  const requests = spec.kind === "kairos" && spec.daily ? all.filter((r) => r.event.type === "daily") : all;
  const share = spec.kind === "kairos" ? (spec.share ?? 1) : 1;
  const t0 = performance.now();
  const { decide, close } = await load(spec);
  const loadMs = performance.now() - t0;
  // Warm-up: the whole workload once (a slice of it for a worker that only runs a share).
  const verdicts: Verdict[] = [];
  for (const r of share > 1 ? requests.slice(0, Math.ceil(requests.length / (share * 4))) : requests) verdicts.push(await decide(r));
  send({ type: "ready", loadMs, verdicts: share > 1 ? [] : verdicts, requests: requests.length });

  const pass = async (round: number, samples: number[] | undefined): Promise<void> => {
    for (let i = share > 1 ? round % share : 0; i < requests.length; i += share) {
      const t = performance.now();
      const v = decide(requests[i]!);
      if (v instanceof Promise) await v;
      samples?.push((performance.now() - t) * 1000);
    }
  };
  process.on("message", (m: ToWorker) => {
    void (async () => {
      if (m.type === "round") {
        const samples: number[] = [];
        const cpu0 = process.cpuUsage();
        const w0 = performance.now();
        await pass(m.round, samples);
        const wallMs = performance.now() - w0;
        const cpu = process.cpuUsage(cpu0);
        send({ type: "round", samples, wallMs, cpuUs: cpu.user + cpu.system });
      } else if (m.type === "profile") {
        const ops = Math.ceil(requests.length / share);
        send({ type: "profile", profile: await profile(ops, () => pass(0, undefined), spec.kind === "kairos" ? KAIROS_STAGES : {}) });
      } else {
        close();
        const mem = process.memoryUsage();
        const memory = { rssMb: mb(mem.rss), maxRssMb: mb(process.resourceUsage().maxRSS * 1024), heapMb: mb(mem.heapUsed) };
        let log: { logBytes: number; logEntries: number } | undefined;
        if (spec.kind === "kairos" && spec.log) {
          const bytes = readFileSync(spec.log.path);
          let lines = 0;
          for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) lines++;
          log = { logBytes: bytes.length, logEntries: lines };
        }
        process.send!({ type: "finish", ...memory, ...(log ?? {}) } satisfies FromWorker, () => process.disconnect());
      }
    })().catch((e: unknown) => send({ type: "failed", message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  });
}

if (process.send) {
  main().catch((e: unknown) => {
    process.send!({ type: "failed", message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker, () => process.disconnect());
  });
}
