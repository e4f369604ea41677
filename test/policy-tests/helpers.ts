// Helpers for the policy-testing tests: a small policy set on the spec's catalog, compiled in
// memory behind the real engine and the real OPA policies (built once per test file), and a
// command-line runner that captures output.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Io } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import { checkSources, type CheckResult, type PolicySources } from "../../compiler/pipeline.ts";
import type { Engine } from "../../runtime/engine.ts";
import type { PolicyEvaluator } from "../../runtime/policy.ts";
import { engineFor, loadPolicies, type PredicatePath } from "../../testing/harness.ts";
import { SPEC_CATALOG } from "../helpers/spec-catalog.ts";

/** Journeys on the spec's catalog: a renewal reminder and a service callback. */
export const JOURNEYS = `
journey renewal_reminder_d90 {
  purpose  renewal_marketing
  priority 50
  on       daily
  when     policy.status == "active" and days_until(policy.renewal_date) == 90 and customer.tenure_months >= 12
  do       email(template: "renewal-d90")
  cap      1 per 30d
  quiet    21:00 .. 08:00
  reason   "Your policy renews in {days_until(policy.renewal_date)} days."
}

journey service_recovery {
  purpose  service_recovery
  risk     high
  priority 80
  on       ticket.resolved
  when     event.csat <= 2 and customer.segment != "corporate"
  do       agent_callback(queue: "recovery")
  review   required
}

journey claim_status_update {
  purpose service_updates
  on      claim.filed after 3d, 7d
  when    claim.status in ["filed", "assessing"]
  do      sms(template: "claim-status")
}
`;

/** Daily data in which only the day-90 reminder matches (for `now` 2026-03-02). */
export const DAILY = `  event     daily
  given     customer { tenure_months: 24, timezone: "Europe/Berlin" }
  given     policy { status: "active", renewal_date: 2026-05-31 }`;

export function sources(files: Record<string, string>, catalog: string = SPEC_CATALOG): PolicySources {
  return { catalog: { name: "catalog.yaml", text: catalog }, journeys: Object.entries(files).map(([name, text]) => ({ name, text })), rego: [] };
}

export function compile(files: Record<string, string>, catalog: string = SPEC_CATALOG): CheckResult {
  return checkSources(sources(files, catalog));
}

let cached: Promise<PolicyEvaluator> | undefined;

/** The standard consent/residency policies for the spec's catalog (one OPA build per file). */
export function specPolicy(): Promise<PolicyEvaluator> {
  cached ??= (async () => {
    const c = compile({ "j.journey": JOURNEYS });
    if (!c.catalog) throw new Error("the spec catalog does not load");
    return (await loadPolicies(c.catalog, sources({}))).policy;
  })();
  return cached;
}

/** Compiles files that must have no errors, and an engine over them. */
export async function harness(
  files: Record<string, string>,
  path: PredicatePath = "compiled",
): Promise<{ checked: CheckResult & { program: NonNullable<CheckResult["program"]>; tests: NonNullable<CheckResult["tests"]> }; engine: Engine }> {
  const checked = compile(files);
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !checked.program || !checked.tests) throw new Error(`does not compile: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  const engine = await engineFor(checked.program, checked.sources, await specPolicy(), { path });
  return { checked: checked as typeof checked & { program: NonNullable<CheckResult["program"]>; tests: NonNullable<CheckResult["tests"]> }, engine };
}

/** A policy directory on disk (catalog.yaml + journeys/), for the command line. */
export function policyDir(files: Record<string, string>, catalog: string = SPEC_CATALOG): string {
  const dir = mkdtempSync(join(tmpdir(), "kairos-test-"));
  mkdirSync(join(dir, "journeys"));
  writeFileSync(join(dir, "catalog.yaml"), catalog);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, "journeys", name), text);
  return dir;
}

export async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { out: (t) => void (out += t.endsWith("\n") ? t : t + "\n"), err: (t) => void (err += t.endsWith("\n") ? t : t + "\n"), color: false };
  const code = await main(argv, io);
  return { code, out, err };
}
