// Contender 4: the whole decision in Rego (all-rego/decide.rego) built by the pinned OPA CLI
// (`opa build -t wasm`) and run on OPA Wasm with @open-policy-agent/opa-wasm. The host glue is
// what OPA Wasm requires and nothing more: the three built-ins Wasm lacks (RFC 3339 parsing,
// wall-clock time in a zone, sha256) and the request passed as JSON, cut to the same minimal
// input Kairos works from (bench/contenders/minimal-input.ts). The Rego does the rest.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as opaWasm from "@open-policy-agent/opa-wasm";
import { DEFAULT_OPA_PATH } from "../../compiler/opa/build.ts";
import { openBundle } from "../../runtime/opa/index.ts";
import type { HandwrittenDecision } from "./handwritten.ts";
import { minimalInput } from "./minimal-input.ts";
import type { BenchRequest } from "./workload.ts";

const run = promisify(execFile);
export const ALL_REGO_DIR = fileURLToPath(new URL("./all-rego", import.meta.url));
export const ALL_REGO_ENTRYPOINT = "allrego/decision";

/** Builds the all-Rego bundle (tar.gz) at `out` with the pinned OPA; returns its size in bytes. */
export async function buildAllRego(out: string, opaPath = process.env["KAIROS_OPA"] ?? DEFAULT_OPA_PATH): Promise<number> {
  await run(opaPath, ["build", "-t", "wasm", "-e", ALL_REGO_ENTRYPOINT, "-o", out, "decide.rego"], { cwd: ALL_REGO_DIR });
  return readFileSync(out).length;
}

const zones = new Map<string, Intl.DateTimeFormat>();
function clock(ns: number, zone: string): [number, number, number] {
  let f = zones.get(zone);
  if (!f) zones.set(zone, (f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", hour: "numeric", minute: "numeric", second: "numeric" })));
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(Math.round(ns / 1e6))) if (part.type !== "literal") p[part.type] = Number(part.value);
  return [p["hour"]!, p["minute"]!, p["second"]!];
}

/** The host built-ins the policy imports (OPA's Go runtime has them natively; Wasm does not). */
const BUILTINS = {
  "time.parse_rfc3339_ns": (s: string) => Date.parse(s) * 1e6,
  "time.clock": (x: [number, string] | number) => (Array.isArray(x) ? clock(x[0], x[1]) : clock(x, "UTC")),
  "crypto.sha256": (s: string) => createHash("sha256").update(s).digest("hex"),
};

interface LoadedPolicy {
  evaluate(input: unknown, entrypoint: string): { result: unknown }[];
}
type LoadPolicy = (
  wasm: Uint8Array,
  memory: WebAssembly.MemoryDescriptor | undefined,
  builtins: Record<string, (...args: never[]) => unknown>,
) => Promise<LoadedPolicy>;

interface RegoDecision {
  readonly outcome: string;
  readonly journey?: string;
  readonly basis?: string;
  readonly candidates: [string, string][];
  readonly deferred_until_ms?: number;
  readonly action?: HandwrittenDecision["action"];
}

/** A loaded contender: `decide` answers one request; `decideInput` one already cut to its minimal input. */
export interface AllRegoContender {
  decide(req: BenchRequest): HandwrittenDecision;
  decideInput(input: BenchRequest): HandwrittenDecision;
}

/** Loads a bundle built by `buildAllRego`. */
export async function loadAllRego(bundlePath: string): Promise<AllRegoContender> {
  const { wasm } = openBundle(new Uint8Array(readFileSync(bundlePath)));
  const ns = opaWasm as unknown as { loadPolicy?: LoadPolicy; default?: { loadPolicy?: LoadPolicy } };
  const load = ns.loadPolicy ?? ns.default?.loadPolicy;
  if (!load) throw new Error("the opa-wasm SDK exports no loadPolicy");
  const policy = await load(wasm, undefined, BUILTINS as unknown as Record<string, (...args: never[]) => unknown>);
  const decideInput = (input: BenchRequest): HandwrittenDecision => {
    const rs = policy.evaluate(input, ALL_REGO_ENTRYPOINT);
    const d = rs[0]?.result as RegoDecision | undefined;
    if (!d) return { outcome: "error", candidates: [] };
    const until = d.deferred_until_ms === undefined ? {} : { deferred_until: new Date(d.deferred_until_ms).toISOString().replace(".000Z", "Z") };
    return {
      outcome: d.outcome,
      ...(d.journey === undefined ? {} : { journey: d.journey }),
      ...(d.basis === undefined ? {} : { basis: d.basis }),
      ...(d.action ? { action: d.action } : {}),
      ...until,
      candidates: d.candidates,
    };
  };
  return { decide: (req) => decideInput(minimalInput(req)), decideInput };
}
