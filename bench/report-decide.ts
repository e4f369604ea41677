// The decision and log sections of the generated benchmark report (docs/benchmarks.md): the
// contenders with and without a log, the profiles, the scaling, candidate and consent-record
// sets, and `kairos log verify` against `sha256sum`. bench/run.ts assembles the whole report.
import { CONTENDER, rowName, type DecideBench } from "./decide.ts";
import type { VerifyBench } from "./log-verify.ts";
import { profileTables, ratio, table, verdict } from "./markdown.ts";

/** The decision contenders: workload, agreement, results with and without decisions in flight, logs, profiles. */
export function decideSection(d: DecideBench): string {
  if (d.rows.length === 0) return "";
  const n = d.inFlight;
  const row = (name: string, mode: number) => d.rows.find((r) => r.name === rowName(name, mode));
  const jre = (mode: number) => row(CONTENDER.rulesEngine, mode);
  const names = Object.values(CONTENDER);
  const results = (mode: number) =>
    table(
      ["contender", "ops/s", "p50 µs", "p99 µs", "CPU µs", "RSS MB", "load ms", "CPU: jre+OPA (no log) ÷ this"],
      names.flatMap((name) => {
        const r = row(name, mode);
        const base = jre(mode);
        return r ? [[name, r.ops_s, r.p50_us, r.p99_us, r.cpu_us, r.rss_mb, r.load_ms, base ? ratio(base.cpu_us / r.cpu_us) : ""]] : [];
      }),
    );
  const agree = table(
    ["contender", "same decision and every candidate's outcome", "same outcome and winner", "same acted / not acted"],
    d.agreement.map((a) => [a.contender, `${a.full}%`, `${a.decision}%`, `${a.acted}%`]),
  );
  const logs = table(
    ["log", "bytes / entry", "entries written", "fdatasyncs"],
    Object.entries(d.logs).map(([name, f]) => [name, f.bytesPerEntry, f.entries, f.syncs ?? "not counted"]),
  );
  const mix = Object.entries(d.workload.mix)
    .map(([o, k]) => `${o} ${k}`)
    .join(", ");
  const k = row(CONTENDER.kairos, n);
  const kn = row(CONTENDER.kairosNoLog, n);
  return `## Decisions: Kairos against three ways of writing the same policies

**Workload** (bench/contenders/workload.ts): ${d.workload.requests.toLocaleString("en-US")} requests over the example policy set
(\`policies/\`, 8 journeys), built from the demo's simulated insurance book: the \`daily\` batch (half
of the requests, a third of them at day 90 and a third at day 30 before renewal), resolved tickets,
claims (filed, and timed follow-ups at 3 and 7 days), and an event no journey listens to; consent
grants, withdrawals (per purpose and per channel), refusals, expired and future-dated consents,
objections to direct marketing and to a purpose, other subjects' records, cap history, EU-resident
health data requested from the US. Decision outcomes (Kairos): ${mix}.
Every contender gets the same requests in the same order: one untimed warm-up pass, then ${d.workload.rounds} timed rounds, each
a pass with **${n} decisions in flight** (${n} lanes, each starting its next request when its last one is answered — as a
service's connections do, so that group commit has concurrent decisions to share an fdatasync) and a pass **one at a time**.

**Contenders**, each in its own Node process:

1. Kairos \`decide\` (compiled in memory, artifact written and loaded with \`loadEngineDir\`) with the
   hash-chained, pseudonymizing decision log attached, fsync policy **always** (an append is acknowledged after the
   fdatasync that covers it; concurrent appends share one when the writer group-commits); and without a log.
2. Hand-written TypeScript of the same journeys, consent/lawful basis/residency (docs/opa-contract.md) and
   guardrails (docs/runtime.md), no trace, no decision id, no log (bench/contenders/handwritten.ts).
3. json-rules-engine 7.3.1 for the journeys' conditions + the same OPA Wasm consent/residency
   bundle as Kairos (\`PolicyEngine\`), given the same purpose-filtered consent records and objections as Kairos
   sends it, + the hand-written trigger table and guardrails; without a log, and with a **durable JSONL log** of its
   decisions (bench/contenders/jsonl-log.ts: one line per decision, its minimal input and result as OPA's decision
   log keeps them; fsync **always**, group commit: the line written at once, the acknowledgement after a shared fdatasync).
4. Everything in Rego (bench/contenders/all-rego/decide.rego), built by the pinned OPA with
   \`opa build -t wasm\`, run with @open-policy-agent/opa-wasm; the host supplies the three built-ins
   OPA Wasm lacks (RFC 3339 parsing, \`time.clock\` in a zone, sha256) and sends the same minimal input Kairos works
   from (bench/contenders/minimal-input.ts: the subject's own records for the candidates' purposes, their cap history,
   the context cut to the fields they read); without a log, and with the same durable JSONL log.

**Agreement with Kairos**, checked on the warm-up pass before anything is timed (the run stops if
the hand-written baseline does not give the same decisions or any contender acts differently):

${agree}

**Results** (ops/s = decisions per second of wall-clock time over all timed passes; p50/p99 per
decision, from its start to its answer; CPU = user + system time of the process per decision, all threads — the verdicts
use it; RSS of the contender's own process after its passes; a bare worker with the workload and nothing else is ${d.baselineRssMb} MB).

With ${n} decisions in flight:

${results(n)}

One at a time:

${results(1)}

Logs written by the run (warm-up and timed passes):

${logs}

### Where a Kairos decision's time goes

${k ? profileTables(d.profile, `With the log (fsync always), ${n} in flight`, k.cpu_us) : ""}
${kn ? profileTables(d.profileNoLog, `Without a log, ${n} in flight`, kn.cpu_us) : ""}`;
}

const BARE = "The bare worker is the benchmark's own worker process with the workload loaded and no engine.";

const HEAD = [
  "journeys",
  "candidates / decision",
  "ops/s",
  "p50 µs",
  "p99 µs",
  "CPU µs",
  "RSS MB after load",
  "RSS MB after the passes",
  "load ms",
  "cost vs the first (CPU)",
  "cost vs the first (wall)",
];

/** Journeys an event does not select: cost and memory against their number. */
export function scalingSection(d: DecideBench): string {
  const first = d.scaling[0];
  if (!first) return "";
  const rows = d.scaling.map((s) => [
    s.journeys,
    s.candidates,
    s.ops_s,
    s.p50_us,
    s.p99_us,
    s.cpu_us,
    s.load_rss_mb,
    s.rss_mb,
    s.load_ms,
    ratio(s.cpu_us / first.cpu_us),
    ratio(first.ops_s / s.ops_s),
  ]);
  const g = d.goals.find((x) => x.goal.startsWith("journeys an event does not select"));
  const m = d.goals.find((x) => x.goal.startsWith("memory:"));
  return `## Scaling: cost per decision against the number of journeys an event does not select

Kairos selects candidates by trigger (docs/runtime.md), so journeys that cannot match should cost
nothing per decision. The sets: ${d.notes[0]}. One at a time, log attached (fsync batch); interleaved passes; one process per set.

${table(HEAD, rows)}

${g ? `Goal: ${g.goal} ${g.target} — measured ${g.measured}: ${verdict(g.pass)}.` : ""}
${m ? `Goal: ${m.goal} — measured ${m.measured}: ${verdict(m.pass)}. ${BARE}` : ""}
`;
}

/** Journeys an event selects: cost against their number. */
export function candidatesSection(d: DecideBench): string {
  if (d.candidates.length === 0) return "";
  const rows = d.candidates.map((s) => [s.name, s.candidates, s.ops_s, s.p50_us, s.p99_us, s.cpu_us, s.rss_mb]);
  const g = d.goals.find((x) => x.goal.startsWith("candidates:"));
  return `## Candidates: cost per decision against the number of journeys an event selects

The sets: ${d.notes[1]}. One at a time; interleaved passes; one process per set. Every selected journey is screened (consent,
residency), evaluated and traced, so the decision (and its log entry) grows with them.

${table(["set", "candidates / decision", "ops/s", "p50 µs", "p99 µs", "CPU µs", "RSS MB"], rows)}

${g ? `Goal: ${g.goal} ${g.target} — measured ${g.measured}: ${verdict(g.pass)}.` : ""}
`;
}

/** 1,000 consent records per subject, with the log. */
export function consentsSection(d: DecideBench): string {
  if (d.consents.length === 0) return "";
  const rows = d.consents.map((s) => [s.name, s.ops_s, s.p50_us, s.p99_us, s.cpu_us, s.rss_mb]);
  const g = d.goals.find((x) => x.goal.startsWith("consent records:"));
  return `## Consent records: a subject with 1,000 of them

Kairos with its log (fsync always), one at a time, on ${d.notes[2]}.

${table(["set", "ops/s", "p50 µs", "p99 µs", "CPU µs", "RSS MB"], rows)}

${g ? `Goal: ${g.goal} ${g.target} — measured ${g.measured}: ${verdict(g.pass)}.` : ""}
`;
}

/** `kairos log verify` against `sha256sum`; `tmpFs` names the file system the log was on. */
export function verifySection(v: VerifyBench, tmpFs: string): string {
  return `## \`kairos log verify\` against \`sha256sum\`

A valid decision log of ${Math.round(v.bytes / 1048576).toLocaleString("en-US")} MiB (${v.entries.toLocaleString("en-US")} entries: the workload's
decisions made once by Kairos, appended over and over through the real writer, so that the chain, the MACs and the
checkpoints are real; written in ${v.generate_s} s) in the OS temp directory (${tmpFs}), deleted afterwards. Both tools
read the same file from the page cache, interleaved, twice each; the best run counts. \`kairos log verify\` said: \`${v.verdict}\`.

${table(
  ["tool", "MB/s (best)", "runs, ms", "CPU ms (best run)"],
  v.rows.map((r) => [r.name, r.mb_s, r.runs_ms.join(", "), r.cpu_ms]),
)}

Goal: \`kairos log verify\` ≥ 2× the throughput of \`sha256sum\` on the same log — measured ${ratio(v.ratio)}: ${verdict(v.ratio >= 2)}.
`;
}
