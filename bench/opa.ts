// Benchmarks of the OPA Wasm consent and residency policies: one evaluation of every candidate
// of a request with the minimal input the runtime sends, the same with a full customer profile
// added (what sending context values to Wasm would cost), the workload's real calls (the example
// policy set's bundle, each decision request's candidates and purpose-filtered records), and
// loading the bundle.
// `npm run bench` calls benchOpa(); `node bench/opa.ts` runs it alone.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildOpaBundle } from "../compiler/opa/index.ts";
import { PolicyEngine, type PolicyRequest } from "../runtime/opa/index.ts";
import { loadCatalog } from "../compiler/catalog/index.ts";
import { SourceFile } from "../core/source.ts";
import { measure, type BenchRow } from "./stats.ts";
import { candidatesOf } from "./contenders/handwritten.ts";
import { compileTo, readSources } from "./contenders/kairos.ts";
import { purposeRecords } from "./contenders/minimal-input.ts";
import { buildWorkload } from "./contenders/workload.ts";

export type { BenchRow };

const POLICIES = fileURLToPath(new URL("../policies", import.meta.url));
const SPEC_CATALOG = fileURLToPath(new URL("../test/conformance/consent-residency/spec-catalog.yaml", import.meta.url));

export function sampleRequest(): PolicyRequest {
  const consents = Array.from({ length: 12 }, (_, i) => ({
    purpose: ["renewal_marketing", "service_recovery", "service_updates"][i % 3] as string,
    ...(i % 2 === 0 ? { channel: "email" } : {}),
    status: i % 5 === 0 ? "withdrawn" : "granted",
    at: `2026-0${1 + (i % 5)}-1${i % 10}T08:00:00Z`,
  }));
  return {
    now: "2026-05-30T09:00:00Z",
    region: "uk",
    candidates: [
      {
        journey: "renewal_reminder_d90",
        purpose: "renewal_marketing",
        channel: "email",
        fields: ["policy.status", "policy.renewal_date", "customer.tenure_months", "customer.timezone"],
      },
      { journey: "claim_status_update", purpose: "service_updates", channel: "sms", fields: ["claim.status"] },
      { journey: "service_recovery", purpose: "service_recovery", channel: "call_task", fields: ["event.csat", "customer.segment"] },
      { journey: "claim_health_followup", purpose: "claims_handling", channel: "email", fields: ["claim.diagnosis", "customer.email"] },
    ],
    consents,
    objections: [{ scope: "purpose:service_recovery", at: "2026-03-01T00:00:00Z" }],
  };
}

/** Everything a provider holds about a subject: what the runtime must NOT send to Wasm. */
export function fullProfile(): Record<string, unknown> {
  return {
    customer: {
      customer_id: "c-000123",
      email: "someone@example.com",
      timezone: "Europe/London",
      tenure_months: 37,
      segment: "retail",
      nps: 8,
      recent_interactions: Array.from({ length: 200 }, (_, i) => ({
        at: `2026-0${1 + (i % 5)}-${String(1 + (i % 28)).padStart(2, "0")}T10:00:00Z`,
        channel: ["email", "phone", "chat"][i % 3],
        sentiment: ["positive", "neutral", "negative"][i % 3],
        note: "customer asked about the renewal terms and the excess on the home policy".repeat(2),
      })),
    },
    policy: { status: "active", renewal_date: "2026-08-28", premium: 412.5 },
    claim: { filed_at: "2026-05-01T12:00:00Z", status: "assessing", diagnosis: "fracture of the left wrist" },
    onboarding: { completed_steps: 4, total_steps: 6, last_progress_at: "2026-05-20T08:00:00Z" },
  };
}

/** The consent/residency calls the decision workload makes: one per request that has candidates. */
async function workloadCalls(): Promise<{ engine: PolicyEngine; calls: PolicyRequest[] }> {
  const dir = mkdtempSync(join(tmpdir(), "kairos-bench-opa-"));
  try {
    await compileTo(readSources(POLICIES), dir);
    const engine = await PolicyEngine.load(new Uint8Array(readFileSync(join(dir, "opa/bundle.tar.gz"))));
    const calls: PolicyRequest[] = [];
    for (const req of buildWorkload()) {
      const journeys = candidatesOf(req);
      if (!journeys) continue;
      const records = purposeRecords(req, new Set(journeys.map((j) => j.purpose)));
      calls.push({
        now: req.now,
        region: req.region,
        candidates: journeys.map((j) => ({ journey: j.id, purpose: j.purpose, channel: j.action.channel, fields: j.fields })),
        consents: records.consents,
        objections: records.objections,
      } as PolicyRequest);
    }
    return { engine, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchOpa(options: { iterations?: number } = {}): Promise<BenchRow[]> {
  const iterations = options.iterations ?? 5000;
  const catalog = loadCatalog(new SourceFile("spec-catalog.yaml", readFileSync(SPEC_CATALOG, "utf8"))).value!;
  const built = await buildOpaBundle({ catalog });
  const engine = await PolicyEngine.load(built.bundle);
  const request = sampleRequest();
  const minimal = engine.toInput(request);
  const full = { ...minimal, context: fullProfile() };
  const bytes = (v: unknown): number => new TextEncoder().encode(JSON.stringify(v)).length;
  return [
    await measure(`opa consent+residency, minimal input (4 candidates, ${bytes(minimal)} B)`, () => engine.evaluate(request), iterations),
    await measure(`opa consent+residency, full profile input (${bytes(full)} B)`, () => engine.evaluateRaw("kairos/decision", full), iterations),
    await (async () => {
      const { engine: example, calls } = await workloadCalls();
      let i = 0;
      const mean = calls.reduce((n, c) => n + c.candidates.length, 0) / calls.length;
      const cpu0 = process.cpuUsage();
      const row = await measure(
        `opa consent+residency, the decision workload's real calls (${calls.length} requests with candidates, ${Math.round(mean * 10) / 10} candidates each)`,
        () => example.evaluate(calls[i++ % calls.length]!),
        iterations,
      );
      const cpu = process.cpuUsage(cpu0);
      return { ...row, cpu_us: Math.round(((cpu.user + cpu.system) / (iterations + Math.min(50, iterations))) * 10) / 10 };
    })(),
    await measure(`opa bundle load (${built.bundle.length} B tar.gz)`, () => PolicyEngine.load(built.bundle), Math.max(20, Math.floor(iterations / 100)), 5),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await benchOpa();
  console.table(rows);
}
