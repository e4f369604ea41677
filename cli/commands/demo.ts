// `kairos demo`: the main job. Compiles the example policy set, simulates an insurance book
// through it day by day, logs every decision to a hash-chained log, verifies the log, and
// prints what happened: outcomes per journey and per reason, plus two rendered rationales.
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildArtifact } from "../../compiler/artifact-build.ts";
import { writeArtifactDir } from "../../compiler/artifact-write.ts";
import { OpaBuildError } from "../../compiler/opa/index.ts";
import { checkSources } from "../../compiler/pipeline.ts";
import { readPolicyDir } from "../../compiler/policy-dir.ts";
import type { Decision } from "../../runtime/decision.ts";
import { DecisionLog, verifyLog } from "../../runtime/log/index.ts";
import { loadEngineDir } from "../../runtime/node.ts";
import { fromDecision, renderRationale } from "../../runtime/rationale/index.ts";

import { decisionsByOutcome, outcomesPerJourney, reasons } from "../demo/report.ts";
import { simulate } from "../demo/simulate.ts";
import { printDiagnostics } from "../diagnostics-output.ts";
import { EXIT, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";

/** The embedded default policy set: the example set shipped with Kairos. */
export const DEFAULT_POLICIES = fileURLToPath(new URL("../../policies", import.meta.url));

function positiveInt(v: unknown, name: string, def: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`\`--${name}\` takes a whole number from 1 to ${max}, not \`${String(v)}\``);
  return n;
}

function progress(io: Io, days: number): (day: number, decisions: number) => void {
  const tty = Boolean(process.stderr.isTTY);
  let lastQuarter = -1;
  return (day, decisions) => {
    const pct = Math.round((day / days) * 100);
    const bar = "#".repeat(Math.round(pct / 4)).padEnd(25, ".");
    const text = `[${bar}] ${String(pct).padStart(3)}%  day ${day}/${days}  ${decisions.toLocaleString("en-US")} decisions`;
    if (tty) process.stderr.write(`\r${text}${day === days ? "\n" : ""}`);
    else if (Math.floor(pct / 25) !== lastQuarter) {
      lastQuarter = Math.floor(pct / 25);
      io.err(text);
    }
  };
}

/** Keeps an earlier run's log: decisions.log → decisions.N.log (nothing written is lost). */
function rotate(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  let n = 1;
  while (existsSync(path.replace(/\.log$/, `.${n}.log`))) n++;
  const to = path.replace(/\.log$/, `.${n}.log`);
  renameSync(path, to);
  for (const side of [".key"]) if (existsSync(path + side)) renameSync(path + side, to + side);
  return to;
}

export const command: Command = {
  summary: "simulate an insurance book through the example policies and report every decision",
  usage: "kairos demo [--out DIR] [--customers N] [--days D] [--seed S] [--policies DIR]",
  async run(argv, io) {
    const { values, positionals } = parse(argv, { out: { type: "string" }, customers: { type: "string" }, days: { type: "string" }, seed: { type: "string" }, policies: { type: "string" } }, false);
    if (positionals.length) throw new UsageError(`unexpected argument \`${positionals[0]}\``);
    const out = resolve(String(values["out"] ?? "demo-out"));
    const customers = positiveInt(values["customers"], "customers", 200, 100_000);
    const days = positiveInt(values["days"], "days", 30, 3650);
    const seed = positiveInt(values["seed"], "seed", 42, 2 ** 31);
    const policiesDir = String(values["policies"] ?? DEFAULT_POLICIES);
    const rel = (p: string) => relative(process.cwd(), p) || ".";

    io.out(`Kairos demo — ${customers.toLocaleString("en-US")} customers over ${days} days (seed ${seed})\n`);
    const read = readPolicyDir(policiesDir);
    if (!read.sources) throw new UsageError(read.usage ?? `cannot read ${policiesDir}`);
    const checked = checkSources(read.sources);
    if (!checked.program) {
      printDiagnostics([...read.diagnostics, ...checked.diagnostics], checked.sources, io, "text");
      io.err("the policy set has errors; fix them and run the demo again");
      return EXIT.failed;
    }
    let built;
    try {
      built = await buildArtifact(checked.program, checked.sources, read.sources, { dir: policiesDir });
    } catch (e) {
      if (e instanceof OpaBuildError) {
        io.err(`kairos demo: ${e.message}`);
        return EXIT.failed;
      }
      throw e;
    }
    mkdirSync(out, { recursive: true });
    const artifactDir = join(out, "artifact");
    writeArtifactDir(artifactDir, built.files);
    const m = built.manifest;
    io.out(`1. compiled ${rel(policiesDir)} → ${rel(artifactDir)}: ${m.journeys.length} journeys, artifact ${m.hash.slice(0, 12)}, OPA ${m.opa?.version ?? "-"} consent/residency bundle`);

    const engine = await loadEngineDir(artifactDir);
    const logPath = join(out, "decisions.log");
    const kept = rotate(logPath);
    const log = DecisionLog.open(logPath, { pii: engine.catalog, journeys: engine.predicates.journeys.map((j) => j.meta), fsync: "batch", batchSize: 500, onWarning: (w) => io.err(w) });
    engine.attach(log);
    io.out(`2. simulating; every decision is appended to ${rel(logPath)}${kept ? ` (the previous log was kept as ${rel(kept)})` : ""}`);
    const started = performance.now();
    let result;
    try {
      result = await simulate(engine, { customers, days, seed, start: Date.UTC(2026, 0, 5), onProgress: progress(io, days) });
    } finally {
      log.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const v = verifyLog(logPath);
    io.out(
      `3. ${result.decisions.length.toLocaleString("en-US")} decisions in ${seconds.toFixed(1)} s (${Math.round(result.decisions.length / seconds).toLocaleString("en-US")}/s); ` +
        (v.ok ? `log verified: ${v.entries.toLocaleString("en-US")} entries, hash chain intact, head ${v.head.hash.slice(0, 12)}` : `LOG VERIFICATION FAILED: ${v.firstBad?.problem ?? v.notALog}`),
    );
    io.out("\nOutcomes per journey (each candidate evaluation)\n" + indent(outcomesPerJourney(result.decisions)));
    io.out("\nDecisions by outcome\n" + indent(decisionsByOutcome(result.decisions)));
    io.out("\nWhy candidates did not act\n" + indent(reasons(result.decisions)));

    const metas = engine.predicates.journeys.map((j) => j.meta);
    const show = (title: string, d: Decision | undefined) => {
      if (!d) return;
      io.out(`\n── ${title}: ${d.decision_id} ${"─".repeat(Math.max(0, 60 - title.length))}\n`);
      io.out(renderRationale(fromDecision(d, metas), "text").trimEnd());
    };
    show("Rationale of an acted decision", result.decisions.find((d) => d.outcome === "acted" && d.explanation));
    show("Rationale of a consent denial", result.decisions.find((d) => d.outcome === "denied_consent"));
    const example = result.decisions.find((d) => d.outcome === "acted") ?? result.decisions[0];
    io.out(
      `\nNext: \`npx kairos explain ${rel(logPath)} --decision ${example?.decision_id ?? "ID"} --format html > rationale.html\`` +
        `\n      \`npx kairos log verify ${rel(logPath)}\` — then change any byte of the log and run it again.`,
    );
    return v.ok ? EXIT.ok : EXIT.failed;
  },
};

function indent(s: string): string {
  return s
    .split("\n")
    .map((l) => "  " + l)
    .join("\n");
}

