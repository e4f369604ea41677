// One demo run, through the decision service: compile the policy set, claim the output
// directory, approve the journeys that need a DPO approval as a demo DPO (approvals.ts), start
// `kairos serve` in this process on the embedded store in `<out>/store.sqlite`
// (service.ts), simulate the book against it over HTTP (simulate.ts) — decisions, and business
// outcomes with a known true effect per journey (outcomes.ts), the stop-loss checked once per
// simulated day — then verify the store's log chain, export it to `<out>/decisions.log`, verify
// that file offline as anyone would, compute the value per journey (the scoreboard, written to
// `<out>/value.html`; the table beside the simulation's truth: value-table.ts) and report —
// truthfully: calls the service refused are counted and named, the run then exits 1,
// and "log verified" is said only when the log holds exactly the decisions the service
// acknowledged (each answered event, each wake-up it fired), no more, no fewer.
import { chmodSync, copyFileSync, existsSync, linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { outcomeTypes } from "../../core/catalog/value.ts";
import { buildProcessingRecord, processingInputOfProgram, renderProcessingRecord } from "../../compiler/index.ts";
import { compilePolicyDir, writeArtifactDir } from "../../compiler/node/index.ts";
import type { Decision } from "../../runtime/decision.ts";
import { checkpointFileFor, keyFileFor, readCheckpoints, verifyLog } from "../../runtime/log/index.ts";
import { decisionOf, type LogEntry } from "../../runtime/log/format.ts";
import { fromDecision, renderRationale } from "../../runtime/rationale/index.ts";
import { ApprovalError } from "../../server/approvals.ts";
import { loadArtifact } from "../../server/artifact.ts";
import { TokensFileError } from "../../server/auth.ts";
import { exportStoreLog, openStore, StoreError, verifyStoreLog } from "../../server/store/index.ts";
import type { Store } from "../../server/store/types.ts";
import { collectValueReport } from "../../server/value/analysis.ts";
import { renderValueHtml } from "../../server/value/render-html.ts";
import { money as plainMoney, moneySigned } from "../../server/value/format.ts";
import type { ValueReport } from "../../server/value/types.ts";
import { plural, printDiagnostics } from "../diagnostics-output.ts";
import { CliError, EXIT, type Io } from "../io.ts";
import { approveForDemo, DEMO_APPROVER } from "./approvals.ts";
import { DAY_MS, iso } from "./book.ts";
import type { ReviewItem } from "./client.ts";
import { DemoOutcomes } from "./outcomes.ts";
import { claimDemoOutput, embeddedStorePath, keepEarlierLog, keepEarlierStore } from "./out-dir.ts";
import { decisionsByOutcome, outcomesPerJourney, reasons, table } from "./report.ts";
import { startDemoService } from "./service.ts";
import { openBook, simulate, type SimulationResult } from "./simulate.ts";
import { valueJourneys, valueTable } from "./value-table.ts";

export interface DemoOptions {
  /** The output directory (absolute): also the service's data directory. */
  readonly out: string;
  readonly customers: number;
  readonly days: number;
  readonly seed: number;
  readonly policies: string;
  /** Midnight UTC of the first simulated day (default 2026-01-05). */
  readonly start?: number;
  /** Puts something between the service and its store — how tests make the store fail. Default: the store itself. */
  readonly wrapStore?: (store: Store) => Store;
  /** Called after each decision the service answered (tests hold the run here). */
  readonly afterDecision?: (answered: number) => void | Promise<void>;
  readonly onProgress?: (day: number, decisions: number) => void;
}

const n = (x: number) => x.toLocaleString("en-US");

/** The decisions in an exported log file, in log order. */
function decisionsIn(file: string): Decision[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => decisionOf(JSON.parse(l) as LogEntry));
}

/**
 * Puts the store's log keys beside the exported log under the file log's names
 * (`decisions.log.key`, `decisions.log.integrity-key`; hard links, mode 0600 as the originals),
 * so that `kairos log verify`, `explain` and `replay` work on the file as on any file log.
 */
function besideExport(dataDir: string, logPath: string): void {
  for (const purpose of ["pseudonymization", "integrity"] as const) {
    const from = keyFileFor(join(dataDir, "log"), purpose);
    const to = keyFileFor(logPath, purpose);
    if (!existsSync(from)) continue; // keys from the environment: nothing to put beside it
    rmSync(to, { force: true });
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
      chmodSync(to, 0o600);
    }
  }
}

/** A journey the stop-loss check stopped during the run. */
interface Trip {
  readonly journey: string;
  /** The simulated day (1-based) at whose end the check stopped it. */
  readonly day: number;
  readonly reason: string;
}

/** What the run could not do, one sentence each (empty: nothing). */
function problemsOf(r: SimulationResult): string[] {
  const out: string[] = [];
  const by = new Map<string, { n: number; first: string }>();
  for (const x of r.refused) {
    const key = `${x.what}|${x.code}`;
    const c = by.get(key);
    if (c) c.n++;
    else by.set(key, { n: 1, first: x.message });
  }
  for (const [key, c] of by) {
    const [what, code] = key.split("|") as [string, string];
    const calls =
      what === "decision"
        ? plural(c.n, "decision")
        : what === "wake-ups"
          ? plural(c.n, "wake-up run")
          : what === "outcomes"
            ? `${c.n} ${c.n === 1 ? "post" : "posts"} of outcomes`
            : plural(c.n, `${what} post`);
    out.push(
      `${calls} refused by the service (${code}; first: ${c.first})${what === "decision" ? ": no action was taken for them and they are not in the log" : ""}`,
    );
  }
  if (r.wakeupsFailed > 0) out.push(`${plural(r.wakeupsFailed, "wake-up")} failed when the service ran them (they stay pending and are retried)`);
  if (r.abandoned) out.push(`the simulation stopped early: ${r.abandoned}`);
  return out;
}

/** Runs the demo; returns the exit code (0 only when every call succeeded and the log verified). */
export async function runDemo(options: DemoOptions, io: Io): Promise<number> {
  const { out, customers, days, seed, policies } = options;
  const rel = (p: string) => relative(process.cwd(), p) || ".";

  io.out(`Kairos demo — ${n(customers)} customers over ${days} days (seed ${seed}), through the decision service\n`);
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

    // The demo plays the DPO: journeys that need an approval get one, signed with a demo key.
    let approval;
    try {
      approval = approveForDemo(out, compiled.program!);
    } catch (e) {
      if (e instanceof ApprovalError) throw new CliError(`the demo's approval step failed: ${e.message}`, { exit: EXIT.failed, hint: e.hint });
      throw e;
    }
    const approved = approval.signed
      ? `signed approval ${approval.signed.record.id} of ${approval.signed.record.scope.map((x) => x.journey).join(", ")} → ${rel(approval.signed.file)}`
      : "every one already has one";
    io.out(
      `   DPO approval: ${plural(approval.needing.length, "journey")} need${approval.needing.length === 1 ? "s" : ""} one (risk high, or PII in the bundle); ` +
        `as "${DEMO_APPROVER}" with ${approval.newKey ? "a new" : "the"} demo key ${rel(approval.keyFile)} ` +
        `(trusted in ${rel(join(approval.home, "approvers.yaml"))}): ${approved}`,
    );

    // The records of processing (GDPR Art. 30) of the policy set the demo runs, for its DPO to file.
    const record = buildProcessingRecord(processingInputOfProgram(compiled.program!, compiled.input, compiled.sources));
    const recordFile = join(approval.home, "processing.html");
    writeFileSync(recordFile, renderProcessingRecord(record, "html"));
    const attention = record.checklist.reduce((k, g) => k + g.checks.filter((c) => c.status === "attention").length, 0);
    io.out(
      `   records of processing (GDPR Art. 30) → ${rel(recordFile)}: ${plural(record.purposes.length, "purpose")}, ` +
        `${plural(attention, "checklist item")} for the DPO's attention (\`kairos report processing\`)`,
    );

    const logPath = join(out, "decisions.log");
    const keptLog = keepEarlierLog(logPath);
    const keptStore = keepEarlierStore(out);
    const loaded = await loadArtifact(artifactDir, {}, { approvals: approval.home });
    const inactive = loaded.activation.journeys.filter((j) => !j.active).map((j) => j.subject.id);
    if (inactive.length > 0)
      io.err(`kairos demo: warning: ${plural(inactive.length, "journey")} stay inactive without a valid approval: ${inactive.join(", ")}`);
    const engine = loaded.engine;
    const start = options.start ?? Date.UTC(2026, 0, 5);
    const book = openBook(customers, start, seed);
    const metas = engine.predicates.journeys.map((j) => j.meta);
    // The simulated world's business outcomes, with a known true effect per journey.
    const world = new DemoOutcomes({ seed, journeys: metas, types: new Set(outcomeTypes(engine.catalog).keys()), customers: book.customers });
    const trips: Trip[] = [];
    const checkFailures: string[] = [];
    let svc;
    try {
      svc = await startDemoService({
        dataDir: out,
        engine,
        // The demo's artifact becomes the store's stable version, so that `kairos rollout` and `kairos diff --store` can start from it.
        artifactDir,
        approvals: approval.home,
        book: book.records,
        ...(options.wrapStore ? { wrapStore: options.wrapStore } : {}),
        errorLog: (l) => io.err(l),
      });
    } catch (e) {
      if (e instanceof StoreError || e instanceof TokensFileError)
        throw new CliError(`the decision service did not start: ${e.message}`, { exit: EXIT.failed, ...(e.hint ? { hint: e.hint } : {}) });
      throw e;
    }
    const kept = [keptStore && `the previous store was kept as ${rel(keptStore)}`, keptLog && `the previous log as ${rel(keptLog)}`].filter(Boolean);
    io.out(
      `2. started the decision service at ${svc.server.url} (embedded store in ${rel(embeddedStorePath(out))}, simulated clock${kept.length ? `; ${kept.join(", ")}` : ""});\n` +
        `   context comes from the system of record at ${svc.records.url}, asked for each decision's minimal bundle`,
    );
    const started = performance.now();
    let result: SimulationResult;
    let reviews: readonly ReviewItem[] = [];
    try {
      result = await simulate(book, svc.client, {
        customers,
        days,
        seed,
        start,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.afterDecision ? { afterDecision: options.afterDecision } : {}),
        outcomes: world,
        // The service's stop-loss check, once per simulated day (its periodic check is off in the demo).
        endOfDay: async (dayEnd, day) => {
          try {
            const run = await svc.server.service.checkStopLoss(iso(dayEnd));
            for (const j of run.tripped) trips.push({ journey: j, day, reason: run.journeys.find((x) => x.journey === j)?.reason ?? "" });
          } catch (e) {
            checkFailures.push(`day ${day}: ${e instanceof Error ? e.message : String(e)}`);
          }
        },
      });
      reviews = await svc.client.pendingReviews().catch(() => []);
    } finally {
      await svc.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const problems = problemsOf(result);
    if (checkFailures.length > 0) problems.push(`the stop-loss check failed on ${plural(checkFailures.length, "simulated day")} (first: ${checkFailures[0]})`);
    const acknowledged = result.decisions.length + result.wakeupsFired;

    // The store's chain, verified where it lives; then exported and verified as a file, offline.
    const store = await openStore(undefined, { dataDir: out, readOnly: true });
    let verified: string;
    let logged: Decision[] | undefined;
    // Judged once every subject's window has ended: after the days watched for outcomes only.
    const asOf = iso(start + (days + result.followDays) * DAY_MS);
    const valueFile = join(out, "value.html");
    let value: ValueReport | undefined;
    try {
      const inStore = await verifyStoreLog(store);
      const shard = inStore.shards[0];
      const exported = await exportStoreLog(store, 0, logPath);
      besideExport(out, logPath);
      const v = verifyLog(logPath, { integrityKey: store.keys.integrityKey, checkpoints: readCheckpoints(checkpointFileFor(logPath)) });
      const storeEntries = inStore.shards.reduce((s, x) => s + x.entries, 0);
      if (!inStore.ok) verified = `LOG VERIFICATION FAILED in the store: ${inStore.shards.find((s) => !s.ok)?.problem ?? "the chain is not intact"}`;
      else if (!v.ok || !v.authenticated)
        verified = `LOG VERIFICATION FAILED for ${rel(logPath)}: ${v.firstBad ? `line ${v.firstBad.line}: ${v.firstBad.problem}` : (v.notALog ?? "not authenticated")}`;
      else if (storeEntries !== acknowledged || v.entries !== exported.seq || inStore.shards.length !== 1 || shard?.head.hash !== v.head.hash) {
        verified = `LOG VERIFICATION FAILED: the store's log holds ${n(storeEntries)} ${storeEntries === 1 ? "entry" : "entries"}, but the service acknowledged ${n(acknowledged)} decisions (${n(result.decisions.length)} answered, ${n(result.wakeupsFired)} wake-ups): something else wrote to the store, or a decision was lost`;
      } else {
        verified = `log verified: ${n(v.entries)} entries in the store and in ${rel(logPath)}, chain intact and authenticated, head ${v.head.hash.slice(0, 12)}`;
        logged = decisionsIn(logPath);
      }
    } catch (e) {
      verified = `LOG VERIFICATION FAILED: ${e instanceof Error ? e.message : String(e)}`;
    }
    try {
      value = await collectValueReport(store, { asOf, artifact: m.hash, journeys: metas, value: engine.catalog.value });
      writeFileSync(valueFile, renderValueHtml(value));
    } catch (e) {
      problems.push(`the value report could not be computed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await store.close();
    }
    const ok = verified.startsWith("log verified") && problems.length === 0;

    io.out(
      `3. ${n(acknowledged)} decisions in ${seconds.toFixed(1)} s (${n(Math.round(acknowledged / Math.max(seconds, 1e-9)))}/s): ${n(result.decisions.length)} for events, ` +
        `${n(result.wakeupsFired)} timed follow-ups the service fired itself; ${n(result.consentRecords + result.objections)} consent records and objections posted; ${verified}`,
    );
    for (const p of problems) io.err(`kairos demo: ${p}`);
    // The tables count what the log holds when it verified (every decision, wake-ups included); else what the service answered.
    const all = logged ?? result.decisions;
    const source = logged ? "" : " (the decisions the service answered; the log did not verify)";
    io.out(`\nOutcomes per journey (each candidate evaluation)${source}\n` + indent(outcomesPerJourney(all)));
    io.out("\nDecisions by outcome\n" + indent(decisionsByOutcome(all)));
    io.out("\nWhy candidates did not act\n" + indent(reasons(all)));
    if (value) io.out("\n" + valueSection(value, world, trips, result, stopLossSuppressed(all), rel(valueFile), rel(out), customers));

    const asked = [...book.records.asked].sort((a, b) => b[1] - a[1]);
    io.out(
      `\nThe system of record was asked ${n(book.records.lookups)} times, always for a decision's minimal bundle — ${asked.length} distinct field lists, for example:\n` +
        indent(
          table(
            ["fields asked", "times"],
            asked.slice(0, 3).map(([f, c]) => [clip(`${f.split(",").length}: ${f.replaceAll(",", ", ")}`, 96), c]),
          ),
        ),
    );
    if (reviews.length > 0) {
      io.out(`\n${plural(reviews.length, "decision")} wait for a person (pending_review), for example:\n`);
      io.out(
        indent(
          table(
            ["decision", "journey", "proposed action"],
            reviews.slice(0, 3).map((r) => [r.decision_id, r.journey, r.action ? `${r.action.name ?? "?"} (${r.action.channel ?? "?"})` : "-"]),
          ),
        ),
      );
    }

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
    const id = example?.decision_id ?? "ID";
    const review = reviews[0]?.decision_id ?? "DECISION_ID";
    const subject = book.customers[0]?.id ?? "SUBJECT";
    io.out(
      `\nQuery it: the store stays in ${rel(out)}; start the service on it and ask with the demo's token.\n` +
        `  npx kairos serve ${rel(artifactDir)} --data-dir ${rel(out)} --clock request --approvals ${rel(approval.home)}\n` +
        `      # http://127.0.0.1:8181 on the demo's simulated clock, with the demo's approvals; docs/service.md, docs/approvals.md\n` +
        `  curl -s -H 'Authorization: Bearer ${svc.token}' http://127.0.0.1:8181/v1/decisions/${id}/rationale?format=text\n` +
        `  curl -s -H 'Authorization: Bearer ${svc.token}' -H 'content-type: application/json' \\\n` +
        `       -d '{"verdict":"approve","reviewer":"you"}' http://127.0.0.1:8181/v1/reviews/${review}\n` +
        `  npx kairos log verify --store ${rel(out)}                # the chain in the store (stop the service first)\n` +
        `  npx kairos log verify ${rel(logPath)}                    # the exported copy, offline (its keys beside it)\n` +
        `  npx kairos explain ${rel(logPath)} --decision ${id} --format html > rationale.html\n` +
        `  npx kairos subject export ${subject} --store ${rel(out)} --format md   # everything decided about one person (GDPR Art. 15)\n` +
        `  npx kairos subject erase ${subject} --store ${rel(out)}                # forget them (Art. 17); the chain still verifies; docs/governance.md\n` +
        `  npx kairos report value --store ${rel(out)} --policies ${rel(artifactDir)} --as-of ${asOf} --format md   # the value per journey; docs/value.md\n` +
        `  npx kairos journey status --store ${rel(out)}                          # which journeys a stop-loss stopped`,
    );
    if (!ok) io.err(`kairos demo: failed — ${problems.length ? "the service refused some calls, or a check failed" : "the log did not verify"}; see above`);
    return ok ? EXIT.ok : EXIT.failed;
  } finally {
    claim.release();
  }
}

/** Per journey: its candidates suppressed because a stop-loss had stopped it. */
function stopLossSuppressed(decisions: readonly Decision[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of decisions)
    for (const e of d.evaluations) if (e.reasons?.some((r) => r.code === "stop_loss")) out.set(e.journey, (out.get(e.journey) ?? 0) + 1);
  return out;
}

/**
 * The proof of value: the outcomes posted, what the stop-loss did, the value table beside the
 * simulation's truth, and where the scoreboard is (`file`); `store` is the data directory as the
 * printed commands name it.
 */
function valueSection(
  value: ValueReport,
  world: DemoOutcomes,
  trips: readonly Trip[],
  result: SimulationResult,
  suppressed: ReadonlyMap<string, number>,
  file: string,
  store: string,
  customers: number,
): string {
  const money = (x: number) => moneySigned(x, value.currency);
  const byType = [...world.drawn].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const lost = byType.reduce((k, [, c]) => k + c, 0) - result.outcomesAdded - result.outcomeDuplicates;
  const drawn = byType.map(([t, c]) => `${t} ${n(c)}`).join(", ");
  const stops = trips.length
    ? trips
        .map(
          (t) =>
            `${t.journey} STOPPED at the end of day ${t.day}${t.reason ? ` (${t.reason})` : ""}, ` +
            `${n(suppressed.get(t.journey) ?? 0)} later ${suppressed.get(t.journey) === 1 ? "candidate" : "candidates"} of it suppressed (reason \`stop_loss\`)`,
        )
        .join("; ")
    : "no journey was stopped";
  const lines = [
    `4. ${n(result.outcomesAdded)} business outcomes posted to POST /v1/outcomes as they happened${drawn ? ` (${drawn})` : ""}` +
      `${result.outcomeDuplicates ? `, ${n(result.outcomeDuplicates)} already there` : ""}${lost > 0 ? `, ${n(lost)} refused` : ""}; ` +
      `the book was watched ${plural(result.followDays, "more day")} after the last decision (outcomes only) so that every goal window ended; ` +
      `the stop-loss was checked at the end of every simulated day: ${stops}`,
    "",
    `Value per journey as of ${value.asOf.replace(".000Z", "Z")}, measured from the store, beside the simulation's true effect (docs/value.md#the-demo)`,
    valueJourneys(value).length > 0
      ? indent(valueTable(value, world.trueUplifts()))
      : "  no journey of this policy set has a `goal` or a `stop_loss`: add `goal TYPE within DURATION` to judge one (docs/value.md)",
    "",
    "  What the simulation made true:",
    ...world.models().map((t) => `    ${t.journey.padEnd(22)} ${t.kind.padEnd(8)} ${t.story}`),
    "",
    `  Totals over the journeys with a goal: incremental value ${money(value.totals.incrementalValue)}, cost ${plainMoney(value.totals.cost, value.currency)}, ` +
      `return ${money(value.totals.return)}.${customers < 2000 ? " A few hundred customers give wide intervals; `--customers 2000` narrows them." : ""}`,
    `  The scoreboard (every figure, the charts, outcome mix, consent health) → ${file}`,
  ];
  for (const t of trips)
    lines.push(`  ${t.journey} stays stopped until a person resumes it: npx kairos journey resume ${t.journey} --store ${store} --by NAME --note "why"`);
  return lines.join("\n");
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function indent(s: string): string {
  return s
    .split("\n")
    .map((l) => "  " + l)
    .join("\n");
}
