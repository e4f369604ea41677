// What `kairos test` prints: for people, pass/fail per test grouped by file, each failure with
// expected vs actual and the decision's rationale (every candidate's outcome, reasons and `when`
// trace), coverage, and the summary line; for machines, the same as JSON.
import type { JourneyMeta } from "../core/artifact.ts";
import { renderDiagnostic } from "../core/diagnostics.ts";
import type { SourceSet, Span } from "../core/source.ts";
import type { Decision } from "../runtime/decision.ts";
import { MARK_SYMBOL, traceValueText } from "../runtime/rationale/document.ts";
import { traceTree, type TraceLine } from "../runtime/rationale/trace-tree.ts";
import type { Coverage } from "./coverage.ts";
import type { TestResult } from "./expectations.ts";
import type { PropertyResult } from "./properties.ts";
import type { SuiteResult } from "./suite.ts";

export interface ReportOptions {
  readonly sources?: SourceSet;
  readonly metas: ReadonlyMap<string, JourneyMeta>;
  readonly color?: boolean;
  readonly coverage?: boolean;
  /**
   * How a source file's name is shown (default: as the policy set names it, relative to the
   * set). The command line passes one that prints paths as the user gave the directory, so
   * editors and problem matchers open the right file from the current directory.
   */
  readonly displayPath?: (file: string) => string;
}

const shown = (o: Pick<ReportOptions, "displayPath">, file: string): string => (o.displayPath ? o.displayPath(file) : file);

/** `file:line:col` of a coverage entry with its file shown as `o` says. */
function shownWhere(o: Pick<ReportOptions, "displayPath">, at: string): string {
  const m = /^(.*):(\d+):(\d+)$/.exec(at);
  return m ? `${shown(o, m[1]!)}:${m[2]}:${m[3]}` : at;
}

function where(span: Span | undefined, o: ReportOptions): string {
  if (!span) return "";
  const p = o.sources?.get(span.file)?.position(span.start) ?? { line: 1, column: 1 };
  return `${shown(o, span.file)}:${p.line}:${p.column}`;
}

function ms(x: number): string {
  return x < 1 ? "<1 ms" : `${Math.round(x)} ms`;
}

/** Trace lines as text; below a short-circuited condition its parts are left out. */
function traceLines(lines: readonly TraceLine[], indent: string): string[] {
  let skippedAt = Infinity;
  const shown = lines.filter((l) => {
    if (l.depth > skippedAt) return false;
    skippedAt = l.mark === "skipped" ? l.depth : Infinity;
    return true;
  });
  return shown.map((l) => {
    const value = traceValueText(l);
    return `${indent}${"  ".repeat(l.depth)}${MARK_SYMBOL[l.mark]} ${l.source}${value === "" ? "" : (l.mark === "skipped" ? " — " : " → ") + value}`;
  });
}

/** Why a decision came out as it did: the outcome, then every candidate with reasons and trace. */
export function rationale(d: Decision, metas: ReadonlyMap<string, JourneyMeta>, indent = ""): string[] {
  const head = `${indent}decision: ${d.outcome}${d.journey ? ` (${d.journey})` : ""}${d.basis ? `, basis ${d.basis}` : ""}${d.action ? `, action ${d.action.name}` : ""}${d.deferred_until ? `, until ${d.deferred_until}` : ""}`;
  const out = [head];
  if (d.error) out.push(`${indent}  error: ${d.error.message}`);
  if (d.evaluations.length === 0 && !d.error)
    out.push(
      `${indent}  no journey runs on this event${d.wakeups?.length ? ` (it schedules ${d.wakeups.map((w) => `${w.journey} after ${w.timer}`).join(", ")})` : ""}`,
    );
  for (const e of d.evaluations) {
    out.push(`${indent}  ${e.journey} (priority ${e.priority}): ${e.outcome}${e.basis ? `, basis ${e.basis}` : ""}`);
    for (const r of e.reasons ?? []) if (r.code !== "condition_false") out.push(`${indent}      ${r.message}`);
    const meta = metas.get(e.journey);
    if (meta && e.trace.length > 0) out.push(...traceLines(traceTree(meta, e.trace).when, `${indent}      `));
  }
  return out;
}

function testLines(t: TestResult, o: ReportOptions): string[] {
  const mark = t.passed ? green("✓", o) : red("✗", o);
  const out = [`  ${mark} ${t.test.name} (${ms(t.ms)})`];
  if (t.passed) return out;
  for (const f of t.failures) {
    out.push(`      ${where(f.expectation.span, o)}  ${f.expectation.source.replace(/\s+/g, " ")}`);
    out.push(`        expected  ${f.expected}`);
    out.push(`        actual    ${f.actual}`);
  }
  out.push(...rationale(t.decision, o.metas, "      "));
  return out;
}

function propertyLines(p: PropertyResult, o: ReportOptions): string[] {
  const ok = p.status === "passed";
  const label = p.builtin ? p.name.replace(/^built-in: /, "") : `property: ${p.name}`;
  const counts = `${p.runs} case${p.runs === 1 ? "" : "s"}${p.discarded ? `, ${p.discarded} discarded` : ""}`;
  const out = [`  ${ok ? green("✓", o) : red("✗", o)} ${label} (${counts}, ${ms(p.ms)})`];
  if (p.status === "too-strict" && p.diagnostic) {
    out.push(
      ...renderDiagnostic(p.diagnostic, o.sources ?? emptySources, { color: o.color ?? false })
        .split("\n")
        .map((l) => `      ${l}`),
    );
  }
  if (p.failure) {
    out.push(`      ${p.file ? `${where(p.span, o)}  ` : ""}${p.failure.message}`);
    if (p.failure.trace) out.push(...traceLines(p.failure.trace, "        "));
    out.push(...rationale(p.failure.decision, o.metas, "      "));
    out.push("      shrunk counterexample, ready to paste:", "", ...p.failure.test.split("\n").map((l) => `      ${l}`), "");
  }
  return out;
}

const emptySources = { get: () => undefined } as unknown as SourceSet;

export function coverageLines(c: Coverage, o: Pick<ReportOptions, "displayPath"> = {}): string[] {
  const pct = (a: number, b: number) => (b === 0 ? "100%" : `${Math.floor((a / b) * 1000) / 10}%`);
  const width = Math.max(8, ...c.journeys.map((j) => j.journey.length));
  const out = ["coverage (conditions seen true and false by the tests; outcomes reached)"];
  for (const j of c.journeys) {
    out.push(
      `  ${j.journey.padEnd(width)}  ${`${j.covered}/${j.total}`.padStart(7)} ${pct(j.covered, j.total).padStart(6)}  outcomes: ${j.outcomes.join(", ") || "none"}`,
    );
    for (const a of j.atoms) {
      if (a.seenTrue && a.seenFalse) continue;
      const missing = !a.seenTrue && !a.seenFalse ? "never evaluated" : a.seenTrue ? "never false" : "never true";
      out.push(`      ${missing.padEnd(15)} ${a.text}  (${shownWhere(o, a.where)})`);
    }
  }
  out.push(`  ${"total".padEnd(width)}  ${`${c.covered}/${c.total}`.padStart(7)} ${pct(c.covered, c.total).padStart(6)}`);
  return out;
}

/** The human report; its last line is the summary `N passed, N failed`. */
export function renderText(r: SuiteResult, o: ReportOptions): string {
  const out: string[] = [];
  const files = [...new Set([...r.tests.map((t) => t.test.file), ...r.properties.filter((p) => !p.builtin).map((p) => p.file!)])].sort();
  for (const f of files) {
    out.push(shown(o, f));
    for (const t of r.tests) if (t.test.file === f) out.push(...testLines(t, o));
    for (const p of r.properties) if (!p.builtin && p.file === f) out.push(...propertyLines(p, o));
  }
  const builtins = r.properties.filter((p) => p.builtin);
  if (builtins.length > 0) {
    out.push("built-in properties");
    for (const p of builtins) out.push(...propertyLines(p, o));
  }
  if (o.coverage) out.push("", ...coverageLines(r.coverage, o));
  out.push("", `${r.passed} passed, ${r.failed} failed`);
  return out.join("\n");
}

/** The machine report. */
export function renderJson(r: SuiteResult, o: ReportOptions): unknown {
  const pos = (span: Span | undefined) => {
    if (!span) return {};
    const p = o.sources?.get(span.file)?.position(span.start) ?? { line: 1, column: 1 };
    return { file: shown(o, span.file), line: p.line, column: p.column };
  };
  return {
    summary: {
      passed: r.passed,
      failed: r.failed,
      total: r.passed + r.failed,
      ms: Math.round(r.ms),
      generated_cases: r.generated,
      coverage: Math.round(r.coverage.percent * 10) / 10,
    },
    tests: r.tests.map((t) => ({
      name: t.test.name,
      ...pos(t.test.span),
      status: t.passed ? "passed" : "failed",
      ms: Math.round(t.ms * 1000) / 1000,
      failures: t.failures.map((f) => ({
        ...pos(f.expectation.span),
        expect: f.expectation.source.replace(/\s+/g, " "),
        expected: f.expected,
        actual: f.actual,
      })),
      decision: {
        outcome: t.decision.outcome,
        ...(t.decision.journey ? { journey: t.decision.journey } : {}),
        ...(t.decision.basis ? { basis: t.decision.basis } : {}),
        ...(t.decision.error ? { error: t.decision.error } : {}),
      },
    })),
    properties: r.properties.map((p) => ({
      name: p.name,
      builtin: p.builtin,
      ...pos(p.span),
      status: p.status,
      runs: p.runs,
      discarded: p.discarded,
      seed: p.seed,
      ...(p.failure ? { message: p.failure.message, counterexample: p.failure.test, request: p.failure.request } : {}),
      ...(p.diagnostic ? { diagnostic: { code: p.diagnostic.code, message: p.diagnostic.message, hint: p.diagnostic.hint } } : {}),
    })),
    coverage: {
      percent: Math.round(r.coverage.percent * 10) / 10,
      covered: r.coverage.covered,
      total: r.coverage.total,
      journeys: r.coverage.journeys.map((j) => ({
        journey: j.journey,
        covered: j.covered,
        total: j.total,
        outcomes: j.outcomes,
        conditions: j.atoms.map((a) => ({ text: a.text, where: shownWhere(o, a.where), true: a.seenTrue, false: a.seenFalse })),
      })),
    },
  };
}

function green(s: string, o: ReportOptions): string {
  return o.color ? `\x1b[32m${s}\x1b[0m` : s;
}
function red(s: string, o: ReportOptions): string {
  return o.color ? `\x1b[31m${s}\x1b[0m` : s;
}
