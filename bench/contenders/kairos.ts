// Contender 1, Kairos itself: compile a policy set in memory (compilePolicySet, the pinned OPA
// for the consent/residency bundle), write the artifact, load it the way production does
// (loadEngineDir: hashes verified, predicates imported), attach the hash-chained decision log,
// and decide. Also the scaling policy sets: generated journeys that cannot match.
import { compilePolicySet, type PolicySources } from "../../compiler/index.ts";
import { nodeCompileOptions, readPolicyDir, writeArtifactDir } from "../../compiler/node/index.ts";
import type { Decision } from "../../runtime/decision.ts";
import type { Engine } from "../../runtime/engine.ts";
import { DecisionLog, type FsyncPolicy } from "../../runtime/log/index.ts";
import { loadEngineDir } from "../../runtime/node.ts";
import type { Verdict } from "./workload.ts";

/** Reads a policy directory (catalog, journeys, rego) into sources. */
export function readSources(dir: string): PolicySources {
  const read = readPolicyDir(dir);
  if (!read.sources) throw new Error(read.usage ?? `cannot read ${dir}`);
  return read.sources;
}

/** Compiles a policy set in memory and writes its artifact to `out`. */
export async function compileTo(sources: PolicySources, out: string): Promise<{ journeys: number; hash: string }> {
  const compiled = await compilePolicySet(sources, nodeCompileOptions());
  const built = compiled.artifact;
  if (!built) {
    const first = compiled.diagnostics.filter((d) => d.severity === "error").slice(0, 3);
    throw new Error(`the policy set does not compile: ${first.map((d) => `${d.span.file}: ${d.message}`).join("; ")}`);
  }
  writeArtifactDir(out, built.files);
  return { journeys: built.manifest.journeys.length, hash: built.manifest.hash };
}

/**
 * An engine over a written artifact, with a fresh decision log attached (or none). The engine
 * appends through the DecisionSink call (`append(entry, {signal})`), which group-commits where
 * the writer does; `syncs` reads the writer's fdatasync count where it keeps one.
 */
export async function openKairos(
  artifactDir: string,
  log: { path: string; fsync: FsyncPolicy } | undefined,
): Promise<{ engine: Engine; close: () => void; syncs: () => number | undefined }> {
  const engine = await loadEngineDir(artifactDir);
  if (!log) return { engine, close: () => {}, syncs: () => undefined };
  const sink = DecisionLog.open(log.path, {
    pii: engine.catalog,
    journeys: engine.predicates.journeys.map((j) => j.meta),
    fsync: log.fsync,
    onWarning: () => {},
  });
  engine.attach(sink);
  const counted = sink as unknown as { readonly fdatasyncs?: unknown };
  return { engine, close: () => sink.close(), syncs: () => (typeof counted.fdatasyncs === "number" ? counted.fdatasyncs : undefined) };
}

/** A Kairos decision reduced to what the contenders are compared on. */
export function kairosVerdict(d: Decision): Verdict {
  return {
    outcome: d.outcome,
    ...(d.journey === undefined ? {} : { journey: d.journey }),
    candidates: d.evaluations.map((e) => [e.journey, e.outcome] as const),
  };
}

// ---- scaling sets -------------------------------------------------------------------------

/** Journeys on `daily` that are in every scaling set: the only ones a daily request can select. */
const MATCHING = `condition active_policyholder = policy.status == "active" and customer.tenure_months >= 12

journey s_renewal_d90 {
  purpose  renewal_marketing
  priority 50
  on       daily
  when     active_policyholder and days_until(policy.renewal_date) == 90
  do       email(template: "renewal-d90")
  cap      1 per 30d
  quiet    21:00 .. 08:00
  holdout  10%
}

journey s_renewal_d30 {
  purpose  renewal_marketing
  priority 60
  on       daily
  when     active_policyholder and days_until(policy.renewal_date) == 30
  do       push(template: "renewal-d30")
  cap      1 per 30d
}

journey s_onboarding {
  purpose  service_updates
  priority 20
  on       daily
  when     onboarding.completed_steps < onboarding.total_steps and days_since(onboarding.last_progress_at) >= 5
  do       push(template: "onboarding-nudge")
  cap      1 per 7d
}

journey s_referral {
  purpose  renewal_marketing
  priority 10
  on       daily
  when     customer.nps is set and customer.nps >= 9 and customer.tenure_months >= 24
  do       email(template: "referral-invite")
  holdout  20%
}
`;

/** A journey that a `daily` request can never select (another trigger), varied by `i`. */
function nonMatching(i: number): string {
  switch (i % 4) {
    case 0:
      return `journey n_recovery_${i} {
  purpose  service_recovery
  risk     high
  priority ${i % 90}
  on       ticket.resolved
  when     event.csat <= ${(i % 5) + 1} and customer.segment != "corporate"
  do       agent_callback(queue: "recovery-${i}")
  review   required
}`;
    case 1:
      return `journey n_claim_${i} {
  purpose  service_updates
  priority ${i % 50}
  on       claim.filed after ${(i % 9) + 1}d
  when     claim.status in ["filed", "assessing"] and hours_since(claim.filed_at) >= ${i % 48}
  do       sms(template: "claim-${i}")
}`;
    case 2:
      return `journey n_lapsed_${i} {
  purpose  service_updates
  priority ${i % 70}
  on       policy.lapsed
  when     policy.status == "lapsed" and customer.tenure_months >= ${i % 60}
  do       email(template: "lapsed-${i}")
}`;
    default:
      return `journey n_injury_${i} {
  purpose  claims_handling
  risk     high
  priority ${i % 40}
  on       claim.filed
  when     contains(lower(claim.diagnosis), "fracture") and claim.status == "filed"
  do       agent_callback(queue: "injury-${i}")
  review   required
}`;
  }
}

/** Number of journeys in every scaling set that a `daily` request selects. */
export const SCALING_MATCHING = 4;

/** A policy set of `total` journeys over the example catalog: 4 on `daily`, the rest on other triggers. */
export function scalingSources(total: number, catalog: { name: string; text: string }): PolicySources {
  const files = [{ name: "journeys/matching.journey", text: MATCHING }];
  let current: string[] = [];
  for (let i = 0; i < total - SCALING_MATCHING; i++) {
    current.push(nonMatching(i));
    if (current.length === 500 || i === total - SCALING_MATCHING - 1) {
      files.push({ name: `journeys/other-${String(files.length).padStart(3, "0")}.journey`, text: current.join("\n\n") + "\n" });
      current = [];
    }
  }
  return { catalog, journeys: files, rego: [] };
}

// ---- candidate sets -------------------------------------------------------------------------

/** A generated journey on `daily`: selected by every daily request, rarely matching. */
function selectedDaily(i: number): string {
  const marketing = i % 2 === 0;
  return `journey c_daily_${i} {
  purpose  ${marketing ? "renewal_marketing" : "service_updates"}
  priority ${i % 100}
  on       daily
  when     customer.tenure_months >= ${12 + (i % 48)} and days_until(policy.renewal_date) == ${100 + (i % 200)}
  do       ${marketing ? "email" : "push"}(template: "daily-${i}")
  cap      1 per 30d
}`;
}

/**
 * A policy set of `total` journeys over the example catalog that a `daily` request all selects:
 * the scaling sets' 4 plus generated `daily` journeys (the candidates goal: cost per candidate).
 */
export function candidateSources(total: number, catalog: { name: string; text: string }): PolicySources {
  const files = [{ name: "journeys/matching.journey", text: MATCHING }];
  let current: string[] = [];
  for (let i = 0; i < total - SCALING_MATCHING; i++) {
    current.push(selectedDaily(i));
    if (current.length === 500 || i === total - SCALING_MATCHING - 1) {
      files.push({ name: `journeys/daily-${String(files.length).padStart(3, "0")}.journey`, text: current.join("\n\n") + "\n" });
      current = [];
    }
  }
  return { catalog, journeys: files, rego: [] };
}
