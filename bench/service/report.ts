// The service benchmark in the generated report (docs/benchmarks.md) and its goal verdicts:
// `kairos serve` against the OPA server, where a Kairos server's time goes when the goal is
// missed, and the two-instances-on-one-PostgreSQL check.
import type { Goal } from "../decide.ts";
import { ratio, table, verdict } from "../markdown.ts";
import type { ServiceBench } from "../service.ts";
import type { ServiceMetrics } from "./metrics.ts";
import type { PairResult } from "./pair.ts";

const ms = (us: number) => `${Math.round(us / 10) / 100} ms`;

function isPair(p: ServiceBench["pair"]): p is PairResult {
  return p !== undefined && !("skipped" in p);
}

/** The goals this benchmark measures, as the report's goal table lists them. */
export function serviceGoals(s: ServiceBench): Goal[] {
  const goals: Goal[] = [s.goal];
  if (isPair(s.pair)) {
    const p = s.pair;
    goals.push({
      goal: "two kairos serve instances on one PostgreSQL: 0 cap violations, 0 lost or duplicated log entries (issue 12)",
      target: "0, 0, 0",
      measured: `${p.capViolations} cap violations, ${p.lost} lost, ${p.duplicated} duplicated of ${p.logEntries.toLocaleString("en-US")} entries; chain ${p.chainVerified ? "verified" : "NOT verified"}`,
      pass: p.pass,
    });
  }
  return goals;
}

function pairSection(p: ServiceBench["pair"]): string {
  if (!p) return "";
  if (!isPair(p)) return `### Two instances on one PostgreSQL\n\n${p.skipped}.\n`;
  const refused = Object.entries(p.refused)
    .map(([k, n]) => `${k}: ${n}`)
    .join(", ");
  return `### Two instances on one PostgreSQL

Two \`kairos serve --store postgres://…\` children on one throwaway PostgreSQL 15 cluster, sharing the
log keys; ${p.subjects} subjects, ${p.requests.toLocaleString("en-US")} requests (every subject's events at the same \`now\`, on
which three journeys match, so every cap window holds them all), 16 in flight at a time over both
instances, round-robin over the subjects so that both instances decide about the same subject at
once; ${p.repeats} events sent a second time to the other instance. Then \`kairos log verify --store\` and
\`kairos log export --store\` of every shard, and the counts below from the exported log.

${table(
  ["figure", "value"],
  [
    ["acknowledged (200)", p.acknowledged],
    ["refused", refused || "none"],
    ["acted (incl. deferred)", p.acted],
    ["log entries", p.logEntries],
    ["**cap violations**", p.capViolations],
    ["**acknowledged decisions missing from the log**", p.lost],
    ["**decisions or event keys logged twice**", p.duplicated],
    ["repeats answered with another decision", p.repeatMismatches],
    ["chain", p.chainVerified ? "verified" : `NOT verified: ${p.verifyDetail}`],
    ["wall time", `${p.seconds} s (${p.decisions_s.toLocaleString("en-US")} decisions/s, not a speed figure: fetch from one process)`],
    ["verdict", verdict(p.pass)],
  ],
  ["l", "l"],
)}
`;
}

/** Stage means and group commit from the Kairos servers' own /metrics (embedded, and PostgreSQL when measured). */
function metricsSection(s: ServiceBench): string {
  const e = s.kairosMetrics;
  if (!e) return "";
  const p = s.postgresMetrics;
  const stages = [...new Set([...Object.keys(e.stages), ...Object.keys(p?.stages ?? {})])];
  const cell = (m: ServiceMetrics | undefined, stage: string) =>
    m?.stages[stage] ? `${m.stages[stage].mean_ms} ms (${m.stages[stage].count.toLocaleString("en-US")})` : "";
  const rows = stages.map((stage) => [stage, cell(e, stage), ...(p ? [cell(p, stage)] : [])]);
  const whole = (m: ServiceMetrics | undefined) => (m?.request ? `${m.request.mean_ms} ms (${m.request.count.toLocaleString("en-US")})` : "");
  rows.push(["the whole `POST /v1/decisions`, server side", whole(e), ...(p ? [whole(p)] : [])]);
  const commit = (m: ServiceMetrics | undefined) =>
    m?.commit ? `${m.commit.batches.toLocaleString("en-US")} transactions, mean batch ${m.commit.mean_batch}, ${m.commit.mean_ms} ms each` : "";
  rows.push(["group commit", commit(e), ...(p ? [commit(p)] : [])]);
  return `**Where the time goes, by the Kairos servers' own metrics** (\`kairos_decision_stage_seconds\`, \`kairos_commit_*\` at
\`/metrics\`; wall time, waiting included; mean and observations over the whole run — pass, warm-up and timed):

${table(["stage", "embedded store", ...(p ? ["PostgreSQL"] : [])], rows)}
`;
}

/** Where the Kairos server's CPU goes, from the profiled run. */
function profileSection(s: ServiceBench, k: ServiceBench["rows"][0]): string {
  const p = s.profile;
  if (!p) return "";
  const us = (pct: number) => (k.cpu_us === undefined ? "" : Math.round((pct / 100) * k.cpu_us));
  return `### Where a \`kairos serve\` decision's CPU time goes

A separate \`kairos serve\` (embedded store) with \`node --cpu-prof\`, the same load for the same time
(${p.ops.toLocaleString("en-US")} decisions); the profile covers the process's whole life (start, consents, load), so shares are
what it measures well. Each sample is charged to the first frame on its stack that names a source
(a native \`open\` or a Wasm function to the JavaScript that called it); µs = share × the ${k.cpu_us ?? "?"} µs of
server CPU per decision of the timed run.

${table(
  ["component", "share of CPU", "≈ µs / decision"],
  p.components.filter((c) => c.pct >= 0.5).map((c) => [c.component, `${c.pct}%`, us(c.pct)]),
)}

${table(
  ["function (self time)", "share"],
  p.self.map((e) => [`\`${e.fn}\``, `${e.pct}%`]),
)}
`;
}

/** The report section. */
export function serviceSection(s: ServiceBench): string {
  const [opa, k] = s.rows as [ServiceBench["rows"][0], ServiceBench["rows"][0]];
  const rows = s.rows.map((r) => [
    r.name,
    r.decisions_s,
    ms(r.p50_us),
    ms(r.p99_us),
    r.cpu_us ?? "",
    r.rss_mb ?? "",
    r.errors === 0 ? "0" : `${r.errors} (${JSON.stringify(r.statuses)})`,
    r === opa ? "1×" : ratio(r.decisions_s / opa.decisions_s),
  ]);
  const mix = (m: Record<string, number>) =>
    Object.entries(m)
      .map(([o, n]) => `${o} ${n}`)
      .join(", ");
  const d = s.durable;
  return `## The decision service: \`kairos serve\` against the OPA server

The servers are child processes on loopback, all started before the measurements (a server not
under load waits idle); the load generator is autocannon 9 in the benchmark's own process,
${s.load.connections} connections, one request in flight per connection, ${s.load.warmup_s} s of warm-up each, then ${s.load.seconds} s timed per
server in ${s.load.rounds} interleaved rounds (server after server, round after round, so that load from elsewhere on the
machine falls on all alike). Requests cycle through the ${s.load.requests.toLocaleString("en-US")} requests of the decision workload
(bench/contenders/workload.ts), each with a fresh event id. p50 and p99 are over every answer of the timed rounds.

- **OPA**: \`opa run --server\` (Go, the pinned OPA CLI) with bench/contenders/all-rego/decide.rego — the whole decision in
  Rego — and its console decision log (\`--set decision_logs.console=true\`) into a file${s.opaLogBytesPerDecision ? ` (${s.opaLogBytesPerDecision.toLocaleString("en-US")} bytes per decision)` : ""}.
  Body: \`{"input": <request>}\` with the subject's consents, objections and cap history inline.
- **Kairos**: \`kairos serve ARTIFACT --clock request\` on the embedded store (SQLite, the default; PGlite below it for comparison), every decision
  committed (log entry, cap history, wake-ups, idempotency key) before the answer, group commit.
  Body: the request without consents, objections or history — the store has them (posted once before
  the runs); \`--clock request\` so that the workload's \`now\` is the decision time on both.

${table(["server", "decisions/s", "p50", "p99", "server CPU µs / decision", "server RSS MB", "errors", "decisions/s vs OPA"], rows)}

**Goal**: ${s.goal.goal} — measured ${s.goal.measured}: ${verdict(s.goal.pass)}.

**Same decisions?** One untimed pass of the workload on each before the load: the same outcome and
winner on ${s.agreement}% of requests. OPA: ${mix(s.mix.opa)}. Kairos: ${mix(s.mix.kairos)}. The differences are
cap history: OPA is sent the workload's inline history, while Kairos counts the actions it took itself
— each subject has five requests at different times, so an action Kairos took for an earlier one caps a
later one where OPA acts, and the other way round. Given the same inline history, Kairos's engine and the
all-Rego policy decide alike (the decision benchmark above checks that before timing anything).

**Durable?** Kairos (embedded store) acknowledged ${d.acknowledged.toLocaleString("en-US")} decisions over the whole run; \`kairos log verify --store\` afterwards:
${d.verified ? "verified" : "**NOT verified**"}${d.logged !== undefined ? `, ${d.logged.toLocaleString("en-US")} entries` : ""} (${d.detail.replace(/\|/g, "\\|")}). The log may hold up to
${(s.load.rounds + 1) * s.load.connections} more entries than were acknowledged: the requests in flight when each load run stopped were
committed, their answers not counted — ${d.ok ? "**within that bound**" : "**OUTSIDE that bound: decisions were lost or the chain does not verify**"}.
${
  s.postgresDurable
    ? `The instance on PostgreSQL: ${s.postgresDurable.acknowledged.toLocaleString("en-US")} acknowledged, ${s.postgresDurable.logged?.toLocaleString("en-US") ?? "?"} entries in its store's log, ${s.postgresDurable.verified ? "verified" : "**NOT verified**"} — ${s.postgresDurable.ok ? "**within that bound**" : "**OUTSIDE that bound**"}.\n`
    : s.postgres
      ? `Kairos on PostgreSQL: ${s.postgres}.\n`
      : ""
}
${metricsSection(s)}
${s.notes.map((n) => `- ${n}`).join("\n")}

${profileSection(s, k)}
${pairSection(s.pair)}`;
}
