// One decision contender in its own process (forked by bench/decide.ts), so that its memory is
// its own and the parent can interleave contenders round by round. It loads the contender,
// decides the whole workload once untimed (warm-up; the verdicts go back for the agreement
// check), then times a pass per `round` message — one request at a time, or a fixed number in
// flight as a service sees them — and reports its RSS at `finish`.
import { readFileSync } from "node:fs";
import { buildWorkload, withConsentHistory, type BenchRequest, type Verdict } from "./workload.ts";
import { JsonlLog, type ContenderFsync } from "./jsonl-log.ts";
import { minimalInput } from "./minimal-input.ts";
import { profile, type ProfileSummary } from "./profile.ts";
import { drive, type Decide } from "./drive.ts";
import { fileURLToPath } from "node:url";

/** A durable log for a contender: Kairos's own, or a JSONL file for the others. */
export interface LogSpec {
  readonly path: string;
  readonly fsync: ContenderFsync;
}

/** What the parent asks a worker to run. */
export type ContenderSpec =
  | {
      readonly kind: "kairos";
      readonly artifact: string;
      readonly log?: LogSpec;
      /** Only the workload's `daily` requests. */
      readonly daily?: boolean;
      /** Only the first `limit` requests (after `daily`). */
      readonly limit?: number;
      /** Consent records added to each request's subject (bench/contenders/workload.ts). */
      readonly consents?: number;
    }
  | { readonly kind: "handwritten" }
  | { readonly kind: "rules-engine"; readonly artifact: string; readonly log?: LogSpec }
  | { readonly kind: "all-rego"; readonly bundle: string; readonly log?: LogSpec }
  | { readonly kind: "baseline" };

export type ToWorker =
  | { readonly type: "round"; readonly round: number; readonly inFlight: number }
  | { readonly type: "profile"; readonly inFlight: number }
  | { readonly type: "finish" };

export type FromWorker =
  | {
      readonly type: "ready";
      readonly loadMs: number;
      /** RSS right after loading, before any decision. */
      readonly loadRssMb: number;
      readonly verdicts: readonly Verdict[];
      readonly requests: number;
    }
  | { readonly type: "round"; readonly samples: readonly number[]; readonly wallMs: number; readonly cpuUs: number }
  | { readonly type: "profile"; readonly profile: ProfileSummary }
  | {
      readonly type: "finish";
      readonly rssMb: number;
      readonly maxRssMb: number;
      readonly heapMb: number;
      readonly logBytes?: number;
      readonly logEntries?: number;
      /** fdatasync calls of the contender's log, where its writer counts them (group commit: fewer than entries). */
      readonly logSyncs?: number;
    }
  | { readonly type: "failed"; readonly message: string };

/**
 * Where a Kairos decision's time goes, by function on the stack (nested stages are indented).
 * Names from runtime/engine.ts, runtime/contract.ts and runtime/log/; a stage whose functions
 * were renamed shows no samples and is left out of the table.
 */
const KAIROS_STAGES = {
  "request validation (schema, catalog checks)": /^parseRequest$/,
  "the contract (docs/runtime.md, steps 1–6)": /^runContract$/,
  "  consent + residency (OPA Wasm, JSON in and out)": /^screen$/,
  "decision id (canonical JSON + sha256)": /^decisionId$/,
  "log append (the sink)": /^(append|appendDurable|appendAsync)$/,
  "  lock file (create, write, read back, unlink)": /^(acquire|release)$/,
  "  entry building (pseudonymization, minimization)": /^(prepare|toEntry)$/,
  "    seal of the minimized request (HMAC + AES)": /^sealRequest$/,
  "  chaining: canonical JSON + sha256 + MAC of the entry": /^(chain|serializeEntry)$/,
  "  write (the line to the file)": /^(writeSync|writeBuffer|writeString|writeUtf8String)$/,
  "  fdatasync (synchronous, on this thread)": /^fdatasyncSync$/,
  "  checkpoint (signed, every N entries)": /^checkpoint$/,
  "garbage collection": /^\(garbage collector\)$/,
};

const CONTENDER_STAGES = {
  "log append (JSON.stringify + write)": /^append$/,
  "garbage collection": /^\(garbage collector\)$/,
};

/** Decisions the JIT should have seen before anything is timed, within a time budget. */
const WARM_DECISIONS = 2000;
const WARM_MS = 3000;

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

function verdictOf(d: { outcome: string; journey?: string; candidates: readonly (readonly [string, string])[] }): Verdict {
  return { outcome: d.outcome, ...(d.journey === undefined ? {} : { journey: d.journey }), candidates: d.candidates };
}

/**
 * A contender's decision and its JSONL log line (its minimal input and result, as OPA logs them).
 * `decide` gets the request and its minimal input (computed once, for the contender and the log).
 */
function logged<D>(log: JsonlLog | undefined, decide: (r: BenchRequest, input: () => BenchRequest) => D | Promise<D>, toVerdict: (d: D) => Verdict): Decide {
  if (!log) {
    return (r) => {
      const d = decide(r, () => minimalInput(r));
      return d instanceof Promise ? d.then(toVerdict) : toVerdict(d);
    };
  }
  let seq = 0;
  return async (r) => {
    let cut: BenchRequest | undefined;
    const input = () => (cut ??= minimalInput(r));
    const d = await decide(r, input);
    await log.append({ seq: ++seq, at: r.now, event: r.event.id, input: input(), result: d });
    return toVerdict(d);
  };
}

async function load(spec: ContenderSpec): Promise<{ decide: Decide; close: () => void; syncs?: () => number | undefined }> {
  switch (spec.kind) {
    case "kairos": {
      const { openKairos, kairosVerdict } = await import("./kairos.ts");
      const { engine, close, syncs } = await openKairos(spec.artifact, spec.log);
      return { decide: async (r) => kairosVerdict(await engine.decide(r)), close, syncs };
    }
    case "handwritten": {
      const { decideHandwritten } = await import("./handwritten.ts");
      return { decide: (r) => verdictOf(decideHandwritten(r)), close: () => {} };
    }
    case "rules-engine": {
      const { loadRulesEngineContender } = await import("./rules-engine.ts");
      const c = await loadRulesEngineContender(spec.artifact);
      const log = spec.log ? new JsonlLog(spec.log.path, spec.log.fsync) : undefined;
      return { decide: logged(log, (r) => c.decide(r), verdictOf), close: () => log?.close(), syncs: () => log?.syncs };
    }
    case "all-rego": {
      const { loadAllRego } = await import("./all-rego.ts");
      const c = await loadAllRego(spec.bundle);
      const log = spec.log ? new JsonlLog(spec.log.path, spec.log.fsync) : undefined;
      return { decide: logged(log, (_r, input) => c.decideInput(input()), verdictOf), close: () => log?.close(), syncs: () => log?.syncs };
    }
    case "baseline":
      return { decide: () => ({ outcome: "none", candidates: [] }), close: () => {} };
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as ContenderSpec;
  const send = (m: FromWorker): void => void process.send!(m);
  let requests: BenchRequest[] = buildWorkload();
  if (spec.kind === "kairos") {
    if (spec.daily) requests = requests.filter((r) => r.event.type === "daily");
    if (spec.limit !== undefined) requests = requests.slice(0, spec.limit);
    const extra = spec.consents;
    if (extra) requests = requests.map((r) => withConsentHistory(r, extra));
  }
  const t0 = performance.now();
  const { decide, close, syncs } = await load(spec);
  const loadMs = performance.now() - t0;
  const loadRssMb = mb(process.memoryUsage().rss);
  // Warm-up: the whole workload once, one at a time (its verdicts are compared by the parent);
  // a short one (the candidate and consent sets) again until the JIT has seen ~2,000 decisions.
  const verdicts: Verdict[] = [];
  for (const r of requests) verdicts.push(await decide(r));
  const warm0 = performance.now();
  for (let done = requests.length; done < WARM_DECISIONS && performance.now() - warm0 < WARM_MS; done += requests.length) await drive(requests, decide, 1);
  send({ type: "ready", loadMs, loadRssMb, verdicts, requests: requests.length });

  process.on("message", (m: ToWorker) => {
    void (async () => {
      if (m.type === "round") {
        const samples: number[] = [];
        const cpu0 = process.cpuUsage();
        const w0 = performance.now();
        await drive(requests, decide, m.inFlight, samples);
        const wallMs = performance.now() - w0;
        const cpu = process.cpuUsage(cpu0);
        send({ type: "round", samples, wallMs, cpuUs: cpu.user + cpu.system });
      } else if (m.type === "profile") {
        const stages = spec.kind === "kairos" ? KAIROS_STAGES : CONTENDER_STAGES;
        send({ type: "profile", profile: await profile(requests.length, () => drive(requests, decide, m.inFlight), stages) });
      } else {
        close();
        const mem = process.memoryUsage();
        const memory = { rssMb: mb(mem.rss), maxRssMb: mb(process.resourceUsage().maxRSS * 1024), heapMb: mb(mem.heapUsed) };
        let stats: { logBytes: number; logEntries: number; logSyncs?: number } | undefined;
        const path = spec.kind === "kairos" || spec.kind === "rules-engine" || spec.kind === "all-rego" ? spec.log?.path : undefined;
        if (path) {
          const bytes = readFileSync(path);
          let lines = 0;
          for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) lines++;
          const n = syncs?.();
          stats = { logBytes: bytes.length, logEntries: lines, ...(n === undefined ? {} : { logSyncs: n }) };
        }
        process.send!({ type: "finish", ...memory, ...(stats ?? {}) } satisfies FromWorker, () => process.disconnect());
      }
    })().catch((e: unknown) => send({ type: "failed", message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
  });
}

// Only as the forked worker (not when a test imports its types).
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.send!({ type: "failed", message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker, () => process.disconnect());
  });
}
