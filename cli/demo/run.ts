// One demo run: compile the policy set, claim the output directory, simulate the book with
// every decision appended to a fresh hash-chained log, verify that log, and report — truthfully:
// decisions the log refused are counted and named, the run then exits 1, and "log verified" is
// said only when verification covered exactly the entries this run wrote.
import { join, relative } from "node:path";
import { compilePolicyDir, writeArtifactDir } from "../../compiler/node/index.ts";
import type { Decision } from "../../runtime/decision.ts";
import { checkpointFileFor, DecisionLog, loadLogKey, readCheckpoints, verifyLog } from "../../runtime/log/index.ts";
import { loadEngineDir } from "../../runtime/node.ts";
import { fromDecision, renderRationale } from "../../runtime/rationale/index.ts";
import type { DecisionLogEntry, DecisionSink } from "../../runtime/sink.ts";
import { plural, printDiagnostics } from "../diagnostics-output.ts";
import { CliError, EXIT, type Io } from "../io.ts";
import { claimDemoOutput, keepEarlierLog } from "./out-dir.ts";
import { decisionsByOutcome, outcomesPerJourney, reasons } from "./report.ts";
import { simulate } from "./simulate.ts";

export interface DemoOptions {
  /** The output directory (absolute). */
  readonly out: string;
  readonly customers: number;
  readonly days: number;
  readonly seed: number;
  readonly policies: string;
  /** Midnight UTC of the first simulated day (default 2026-01-05). */
  readonly start?: number;
  /**
   * Wraps the decision log before the engine gets it — how tests put a failing disk between
   * the engine and the log. Default: the log itself.
   */
  readonly wrapSink?: (log: DecisionSink) => DecisionSink;
  readonly onProgress?: (day: number, decisions: number) => void;
}

/** Counts what the log accepted and refused, in front of it. */
class CountingSink implements DecisionSink {
  appended = 0;
  refused = 0;
  firstError: unknown;
  private readonly inner: DecisionSink;

  constructor(inner: DecisionSink) {
    this.inner = inner;
  }

  async append(entry: DecisionLogEntry): Promise<unknown> {
    try {
      const written = await this.inner.append(entry);
      this.appended++;
      return written;
    } catch (e) {
      if (this.refused++ === 0) this.firstError = e;
      throw e;
    }
  }
}

const n = (x: number) => x.toLocaleString("en-US");

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs the demo; returns the exit code (0 only when every decision was logged and the log verified). */
export async function runDemo(options: DemoOptions, io: Io): Promise<number> {
  const { out, customers, days, seed, policies } = options;
  const rel = (p: string) => relative(process.cwd(), p) || ".";

  io.out(`Kairos demo — ${n(customers)} customers over ${days} days (seed ${seed})\n`);
  const compiled = await compilePolicyDir(policies);
  if ("usage" in compiled) throw new CliError(compiled.usage, { exit: EXIT.usage });
  const built = compiled.artifact;
  if (!built) {
    printDiagnostics(compiled.diagnostics, compiled.sources, io, "text");
    io.err("the policy set has errors; fix them and run the demo again");
    return EXIT.failed;
  }

  // Nothing in OUT is touched before this run holds it (and knows it may write there).
  const claim = claimDemoOutput(out, policies);
  try {
    const artifactDir = join(out, "artifact");
    for (const w of writeArtifactDir(artifactDir, built.files, { protect: [policies], cwd: null }).warnings) io.err(`kairos demo: warning: ${w}`);
    const m = built.manifest;
    io.out(
      `1. compiled ${rel(policies)} → ${rel(artifactDir)}: ${m.journeys.length} journeys, artifact ${m.hash.slice(0, 12)}, OPA ${m.opa?.version ?? "-"} consent/residency bundle`,
    );

    const engine = await loadEngineDir(artifactDir);
    const logPath = join(out, "decisions.log");
    const kept = keepEarlierLog(logPath);
    const log = DecisionLog.open(logPath, {
      pii: engine.catalog,
      journeys: engine.predicates.journeys.map((j) => j.meta),
      fsync: "batch",
      batchSize: 500,
      onWarning: (w) => io.err(w),
    });
    const before = log.head;
    const sink = new CountingSink(options.wrapSink ? options.wrapSink(log) : log);
    engine.attach(sink);
    io.out(`2. simulating; every decision is appended to ${rel(logPath)}${kept ? ` (the previous log was kept as ${rel(kept)})` : ""}`);
    const started = performance.now();
    let result;
    let closeError: unknown;
    let after = before;
    try {
      result = await simulate(engine, {
        customers,
        days,
        seed,
        start: options.start ?? Date.UTC(2026, 0, 5),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } finally {
      engine.attach(undefined);
      after = log.head;
      try {
        log.close();
      } catch (e) {
        closeError = e; // the last batch may not be on disk: said below
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const written = after.seq - before.seq;
    const head = after.hash;

    const failedToLog = result.decisions.filter((d) => d.outcome === "error" && d.error?.code === "log_failed").length;
    const notInLog = Math.max(0, sink.refused - failedToLog);
    const problems: string[] = [];
    if (failedToLog > 0) {
      problems.push(
        `${plural(failedToLog, "decision")} could not be logged as made — the log refused ${sink.refused === 1 ? "an entry" : `${n(sink.refused)} entries`} (first: ${messageOf(sink.firstError)}); ` +
          `they became \`error\` decisions with no action: ${n(failedToLog - notInLog)} are in the log as \`error\` entries, ${n(notInLog)} are not in the log at all`,
      );
    }
    if (closeError !== undefined) problems.push(`the log could not be flushed to disk when closing it: ${messageOf(closeError)}`);

    // Verified only when the file holds exactly the chain this run wrote, ending at its head.
    // With the integrity key the demo just used: every entry authenticated, checkpoints checked.
    const v = verifyLog(logPath, { integrityKey: loadLogKey(logPath, { purpose: "integrity" }), checkpoints: readCheckpoints(checkpointFileFor(logPath)) });
    let verified: string;
    if (!v.ok) verified = `LOG VERIFICATION FAILED: ${v.firstBad ? `line ${v.firstBad.line}: ${v.firstBad.problem}` : (v.notALog ?? "the log is not intact")}`;
    else if (v.entries !== before.seq + written || v.head.hash !== head || written !== sink.appended) {
      verified = `LOG VERIFICATION FAILED: ${rel(logPath)} holds ${n(v.entries)} ${v.entries === 1 ? "entry" : "entries"} ending at ${v.head.hash.slice(0, 12)}, but this run appended ${n(sink.appended)} ending at ${head.slice(0, 12)}: something else wrote or replaced the log`;
    } else
      verified = `log verified: ${n(v.entries)} entries${problems.length ? " (every entry this run wrote)" : ""}, chain intact and authenticated, head ${v.head.hash.slice(0, 12)}`;
    const ok = v.ok && verified.startsWith("log verified") && problems.length === 0;

    io.out(
      `3. ${n(result.decisions.length)} decisions in ${seconds.toFixed(1)} s (${n(Math.round(result.decisions.length / Math.max(seconds, 1e-9)))}/s); ${verified}`,
    );
    for (const p of problems) io.err(`kairos demo: ${p}`);
    io.out("\nOutcomes per journey (each candidate evaluation)\n" + indent(outcomesPerJourney(result.decisions)));
    io.out("\nDecisions by outcome\n" + indent(decisionsByOutcome(result.decisions)));
    io.out("\nWhy candidates did not act\n" + indent(reasons(result.decisions)));

    const metas = engine.predicates.journeys.map((j) => j.meta);
    const show = (title: string, d: Decision | undefined) => {
      if (!d) return;
      io.out(`\n── ${title}: ${d.decision_id} ${"─".repeat(Math.max(0, 60 - title.length))}\n`);
      io.out(renderRationale(fromDecision(d, metas), "text").trimEnd());
    };
    show(
      "Rationale of an acted decision",
      result.decisions.find((d) => d.outcome === "acted" && d.explanation),
    );
    show(
      "Rationale of a consent denial",
      result.decisions.find((d) => d.outcome === "denied_consent"),
    );
    const example = result.decisions.find((d) => d.outcome === "acted") ?? result.decisions[0];
    io.out(
      `\nNext: \`npx kairos explain ${rel(logPath)} --decision ${example?.decision_id ?? "ID"} --format html > rationale.html\`` +
        `\n      \`npx kairos log verify ${rel(logPath)}\` — then change any byte of the log and run it again.`,
    );
    if (!ok) io.err(`kairos demo: failed — ${problems.length ? "not every decision was logged" : "the log did not verify"}; see above`);
    return ok ? EXIT.ok : EXIT.failed;
  } finally {
    claim.release();
  }
}

function indent(s: string): string {
  return s
    .split("\n")
    .map((l) => "  " + l)
    .join("\n");
}
