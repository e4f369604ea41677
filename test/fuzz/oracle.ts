// The fuzz oracle: runs one case through every stage a user's input reaches — read, parse,
// check, codegen, format, load, decide, log — and lists everything that went wrong in a way
// that can only be a bug in Kairos (an exception escaping a stage that must report
// diagnostics, an `internal_error` decision, codegen refusing a program `check` accepted, the
// formatter not round-tripping, a decision that cannot be serialized or logged, prototype
// pollution…), with cheap deterministic cost measures for the blow-up checks.
// It runs inside the sandbox child (test/fuzz/child.ts), which the parent kills past the deadline.
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { ARTIFACT_PART, type CompiledJourney, type PredicatesModule } from "../../core/artifact.ts";
import type { CheckedProgram } from "../../compiler/checker/checked.ts";
import {
  catalogCodes,
  checkCodes,
  codegenCodes,
  compilePolicySet,
  opaCodes,
  syntaxCodes,
  testCodes,
  type CompileResult,
  type OpaBackend,
  type OpaBuildOutcome,
  type PolicySources,
} from "../../compiler/index.ts";
import { opaCliBackend, readPolicyDir } from "../../compiler/node/index.ts";
import type { Diagnostic } from "../../core/diagnostics.ts";
import { formatFile } from "../../compiler/format/formatter.ts";
import { interpretProgram } from "../../compiler/eval/interpreter.ts";
import { SourceFile } from "../../core/source.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import type { ContextProvider } from "../../runtime/context.ts";
import type { Decision } from "../../runtime/decision.ts";
import { decisionJson, Engine } from "../../runtime/engine.ts";
import { loadEngine } from "../../runtime/load.ts";
import { PolicyEngine } from "../../runtime/opa/index.ts";
import { fromDecision, RATIONALE_FORMATS, renderRationale } from "../../runtime/rationale/index.ts";
import { withReadableTraces } from "../../runtime/rationale/trace-json.ts";
import type { DecisionLogEntry, DecisionSink } from "../../runtime/sink.ts";
import { renderJunit } from "../../testing/junit.ts";
import { renderJson, renderText } from "../../testing/report.ts";
import { runSuite } from "../../testing/suite.ts";
import { parse as parseAst, withoutSpans } from "../formatter/ast.ts";
import { runCli } from "../helpers/cli.ts";
import { openFuzzLog, verifyFuzzLog, type FuzzLog } from "./log-adapter.ts";
import { generatedRequests } from "./requests.ts";
import type { CliCase, Failure, FuzzCase, Metrics, PolicyCase, SelfTestCase, Verdict } from "./types.ts";

export const ROOT = join(import.meta.dirname, "../..");
const REGISTERED = new Set([
  ...Object.keys(syntaxCodes),
  ...Object.keys(checkCodes),
  ...Object.keys(catalogCodes),
  ...Object.keys(testCodes),
  ...Object.keys(codegenCodes),
  ...Object.keys(opaCodes),
]);

/** Messages of JavaScript's own exceptions: seen in a decision, a bug leaked out as a failure code. */
const JS_ERROR =
  /Invalid time value|Cannot read propert|Cannot set propert|is not a function|is not iterable|is not a constructor|Maximum call stack|Invalid string length|Invalid array length|is not defined|Cannot convert|Unexpected token|non-finite|toISOString|out of memory|\bbug:|this is a bug/;

/** Everything the oracle measures, all zero. */
function emptyMetrics(): Metrics {
  return { textBytes: 0, diagnostics: 0, formattedBytes: 0, jsBytes: 0, traceNodes: 0, decisions: 0, decisionBytes: 0, entryBytes: 0, traceEvents: 0 };
}

function describeError(e: unknown): { message: string; stack?: string } {
  if (e instanceof Error)
    return { message: `${e.name}: ${e.message}`.slice(0, 2000), ...(e.stack ? { stack: e.stack.split("\n").slice(0, 25).join("\n") } : {}) };
  return { message: String(e).slice(0, 2000) };
}

// ---------------------------------------------------------------------------------------------
// Prototype pollution: the built-in prototypes must look the same after every case.

const PROTOTYPES: readonly [string, object][] = [
  ["Object.prototype", Object.prototype],
  ["Array.prototype", Array.prototype],
  ["Function.prototype", Function.prototype],
  ["String.prototype", String.prototype],
];
const baseline = PROTOTYPES.map(([, p]) => Reflect.ownKeys(p).map(String).sort().join(","));

/** A built-in prototype that gained or lost a key, if any. */
export function pollution(): string | undefined {
  for (let i = 0; i < PROTOTYPES.length; i++) {
    const [name, proto] = PROTOTYPES[i]!;
    const now = Reflect.ownKeys(proto).map(String).sort().join(",");
    if (now !== baseline[i]) {
      const before = new Set(baseline[i]!.split(","));
      const added = now.split(",").filter((k) => !before.has(k));
      return `${name} was modified (keys added: ${added.map((k) => `\`${k}\``).join(", ") || "none"})`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Policy sets

/** OPA builds by data document and Rego: the bundle depends on nothing else, and building it spawns OPA. */
const builds = new Map<string, Promise<OpaBuildOutcome>>();

/** Policies loaded from a bundle, by the bundle's bytes (a cached build returns the same bytes). */
const loaded = new WeakMap<Uint8Array, Promise<PolicyEngine>>();

/** An error the OPA backend threw: the environment (no OPA, a full disk), reported as `load`. */
class BackendError extends Error {}

function cached(key: string, build: () => Promise<OpaBuildOutcome>): Promise<OpaBuildOutcome> {
  let hit = builds.get(key);
  if (!hit) {
    if (builds.size > 64) builds.clear();
    hit = build().catch((e: unknown) => {
      throw new BackendError(describeError(e).message);
    });
    builds.set(key, hit);
    hit.then(
      (o) => o.ok || builds.delete(key),
      () => builds.delete(key),
    );
  }
  return hit;
}

/** The OPA CLI backend, its builds cached per data document and Rego. */
function cachedOpa(): OpaBackend {
  const cli = opaCliBackend();
  const key = (what: string, data: unknown, rego: readonly { name: string; text: string }[] = []) =>
    createHash("sha256").update(what).update(JSON.stringify(data)).update(JSON.stringify(rego)).digest("hex");
  return {
    build: (rego, data) => cached(key("own", data, rego), () => cli.build(rego, data)),
    standard: (data) => cached(key("standard", data), () => cli.standard(data)),
  };
}

const OPA = cachedOpa();

function policyOf(bundle: Uint8Array): Promise<PolicyEngine> {
  let hit = loaded.get(bundle);
  if (!hit) {
    hit = PolicyEngine.load(bundle);
    loaded.set(bundle, hit);
  }
  return hit;
}

/** Which stage a bug thrown out of compilePolicySet comes from, by where it was thrown. */
function thrownStage(e: unknown): Failure["stage"] {
  if (e instanceof BackendError) return "load";
  return e instanceof Error && /compiler[\\/]codegen[\\/]/.test(e.stack ?? "") ? "codegen" : "check";
}

interface Compiled {
  readonly failures: Failure[];
  readonly metrics: Metrics;
  readonly engine?: Engine;
  /** The same artifact with the reference interpreter's predicates: decisions must be identical. */
  readonly interpreted?: Engine;
  readonly program?: CheckedProgram;
}

/** Compiled policy sets by content, so that many requests against one set compile it once. */
const compiledCache = new Map<string, Promise<Compiled>>();

function sourcesOf(c: PolicyCase): { sources?: PolicySources; failures: Failure[]; diagnostics: Diagnostic[] } {
  if (c.dir === undefined) return { sources: { catalog: c.catalog!, journeys: c.journeys ?? [], rego: c.rego ?? [] }, failures: [], diagnostics: [] };
  try {
    const read = readPolicyDir(c.dir);
    return { ...(read.sources ? { sources: read.sources } : {}), failures: [], diagnostics: read.diagnostics };
  } catch (e) {
    return { failures: [{ stage: "read", ...describeError(e) }], diagnostics: [] };
  }
}

function compileKey(c: PolicyCase): string {
  const h = createHash("sha256");
  h.update(c.dir ?? "");
  for (const s of [c.catalog, ...(c.journeys ?? []), ...(c.rego ?? [])]) if (s) h.update(`\0${s.name}\0${s.text}`);
  return h.digest("hex");
}

/** Checks that every diagnostic names a registered code and a span inside its file. */
function diagnosticProblems(diagnostics: readonly Diagnostic[], lengths: ReadonlyMap<string, number>): Failure[] {
  const out: Failure[] = [];
  for (const d of diagnostics) {
    const len = lengths.get(d.span.file);
    const bad = !REGISTERED.has(d.code)
      ? `unregistered code \`${d.code}\``
      : typeof d.message !== "string" || d.message.length === 0
        ? "empty message"
        : len !== undefined && (d.span.start < 0 || d.span.end < d.span.start || d.span.end > len)
          ? `span ${d.span.start}..${d.span.end} outside \`${d.span.file}\` (${len} characters)`
          : undefined;
    if (bad) out.push({ stage: "diagnostics", message: `${bad}: ${d.code} ${d.message}`.slice(0, 500) });
    if (out.length >= 3) break;
  }
  return out;
}

/** format(parse(x)) re-parses to the same AST, and formatting is idempotent. */
function formatProblems(name: string, text: string, metrics: { formattedBytes: number }): Failure[] {
  let formatted: string | undefined;
  try {
    formatted = formatFile(new SourceFile(name, text)).value;
  } catch (e) {
    return [{ stage: "format", file: name, ...describeError(e) }];
  }
  if (formatted === undefined) return [];
  metrics.formattedBytes += formatted.length;
  try {
    const before = parseAst(text, name);
    const after = parseAst(formatted, name);
    if (after.errors > 0) return [{ stage: "format", file: name, message: "the formatted file does not parse" }];
    if (JSON.stringify(withoutSpans(before.ast)) !== JSON.stringify(withoutSpans(after.ast)))
      return [{ stage: "format", file: name, message: "formatting changed the AST (format∘parse is not the identity)" }];
    const again = formatFile(new SourceFile(name, formatted)).value;
    if (again !== formatted) return [{ stage: "format", file: name, message: "formatting is not idempotent: the formatted file formats differently" }];
  } catch (e) {
    return [{ stage: "format", file: name, ...describeError(e) }];
  }
  return [];
}

async function compile(c: PolicyCase): Promise<Compiled> {
  const metrics = emptyMetrics();
  const read = sourcesOf(c);
  const failures = [...read.failures];
  if (!read.sources) return { failures, metrics };
  const sources = read.sources;
  metrics.textBytes = [sources.catalog, ...sources.journeys].reduce((n, s) => n + s.text.length, 0);

  // compilePolicySet as `kairos compile` runs it, with the OPA builds cached.
  let checked: CompileResult;
  try {
    checked = await compilePolicySet(sources, { opa: OPA, diagnostics: read.diagnostics });
  } catch (e) {
    return { failures: [...failures, { stage: thrownStage(e), ...describeError(e) }], metrics };
  }
  metrics.diagnostics = checked.diagnostics.length;
  const lengths = new Map([sources.catalog, ...sources.journeys, ...sources.rego].map((s) => [s.name, s.text.length]));
  failures.push(...diagnosticProblems(checked.diagnostics.slice(read.diagnostics.length), lengths));
  for (const j of sources.journeys) failures.push(...formatProblems(j.name, j.text, metrics));

  const program = checked.program;
  if (!program) {
    if (c.mustCompile) {
      const shown = checked.diagnostics.filter((d) => d.severity === "error").slice(0, 5);
      failures.push({
        stage: "check",
        message: `the policy set must compile (it has requests to decide) but \`check\` reports: ${shown.map((d) => `${d.span.file}: ${d.code} ${d.message}`).join("; ")}`,
      });
    }
    return { failures, metrics };
  }
  const refused = checked.diagnostics.filter((d) => d.code.startsWith("codegen/"));
  if (refused.length > 0) {
    failures.push({
      stage: "codegen",
      message: `codegen refused a program \`check\` accepted: ${refused
        .slice(0, 3)
        .map((d) => `${d.span.file}: ${d.code} ${d.message}`)
        .join("; ")}`,
    });
    return { failures, metrics, program };
  }
  const missing = checked.diagnostics.find((d) => d.code === "opa/cli-missing");
  if (missing) return { failures: [...failures, { stage: "load", message: missing.message }], metrics, program };
  // Rego that OPA rejects is the user's mistake, reported by `kairos compile`; not a finding.
  if (!checked.artifact) return { failures, metrics, program };
  const files = checked.artifact.files;
  metrics.jsBytes = new TextDecoder().decode(files.get(ARTIFACT_PART.predicates)).length;
  let engine: Engine;
  let policy: PolicyEngine;
  try {
    // The compiled engine loads its own policy from the artifact; the shared one is for the interpreter's.
    engine = await loadEngine(files);
    policy = await policyOf(files.get(ARTIFACT_PART.bundle)!);
  } catch (e) {
    return { failures: [...failures, { stage: "load", ...describeError(e) }], metrics, program };
  }
  metrics.traceNodes = engine.predicates.journeys.reduce((n, j) => n + j.meta.nodes.length, 0);

  // `kairos test`: the set's own tests and properties (few runs), and every report format.
  if (c.runTests && checked.tests) {
    try {
      const result = await runSuite(engine, program, checked.tests, checked.sources, { runs: 3, builtinRuns: 3, seed: 1 });
      const metas = new Map(engine.predicates.journeys.map((j) => [j.meta.id, j.meta]));
      renderText(result, { sources: checked.sources, metas, color: false, coverage: true });
      JSON.stringify(renderJson(result, { sources: checked.sources, metas }));
      renderJunit(result, metas, checked.sources);
    } catch (e) {
      failures.push({ stage: "tests", ...describeError(e) });
    }
  }

  let interpreted: Engine | undefined;
  try {
    const journeys: CompiledJourney[] = interpretProgram(program, checked.sources);
    const byId = new Map(journeys.map((j) => [j.meta.id, j]));
    const predicates: PredicatesModule = { journeys: engine.predicates.journeys.map((j) => byId.get(j.meta.id) ?? j) };
    interpreted = Engine.fromParts({ manifest: engine.manifest, catalog: engine.catalog, predicates, policy });
  } catch (e) {
    failures.push({ stage: "interpreter", ...describeError(e) });
  }
  return { failures, metrics, engine, ...(interpreted ? { interpreted } : {}), program };
}

// ---------------------------------------------------------------------------------------------
// Decisions

/**
 * A sink that keeps each entry as canonical JSON (an entry that cannot be serialized is a
 * finding) and hands it on to a real decision log, when the case has one.
 */
class SerializingSink implements DecisionSink {
  readonly lines: string[] = [];
  problem: unknown;
  private readonly log: FuzzLog | undefined;
  constructor(log?: FuzzLog) {
    this.log = log;
  }
  async append(entry: DecisionLogEntry): Promise<void> {
    try {
      this.lines.push(canonicalJson(entry as never));
    } catch (e) {
      this.problem ??= e;
      throw e;
    }
    if (this.log) {
      await this.log.log.append(entry);
      this.log.appended++;
    }
  }
}

/** A context provider that never answers (a hung upstream system). */
const HANGING_PROVIDER: ContextProvider = { fetch: () => new Promise(() => undefined) };

function invariantProblem(d: Decision): string | undefined {
  if (d.outcome === "acted" && (typeof d.basis !== "string" || d.action === undefined)) return "acted without a basis or an action";
  // `deferred` and `pending_review` carry the action they propose (sent when the quiet hours end,
  // or when a reviewer approves); every other outcome carries none.
  const proposes = d.outcome === "acted" || d.outcome === "deferred" || d.outcome === "pending_review";
  if (!proposes && d.action !== undefined) return `outcome \`${d.outcome}\` carries an action`;
  if (proposes && d.outcome !== "acted" && (d.action === undefined || d.journey === undefined)) return `outcome \`${d.outcome}\` proposes no action`;
  if (d.outcome === "error" && d.journey !== undefined) return "an error decision names a winner";
  if (d.error?.code === "internal_error") return `internal_error: ${d.error.message}`;
  const messages = [d.error?.message ?? "", ...d.evaluations.flatMap((e) => (e.reasons ?? []).map((r) => r.message))];
  const leaked = messages.find((m) => JS_ERROR.test(m));
  if (leaked !== undefined) return `a JavaScript exception became a decision: ${leaked.slice(0, 300)}`;
  if (d.error?.code === "policy_failed") return `the consent/residency policies failed on a valid request: ${d.error.message.slice(0, 300)}`;
  return undefined;
}

async function decideAll(c: PolicyCase, compiled: Compiled, metrics: Metrics, tmp: string): Promise<Failure[]> {
  const engine = compiled.engine!;
  const failures: Failure[] = [];
  const texts = [...(c.requests ?? [])];
  if (c.generate && compiled.program) {
    try {
      texts.push(...generatedRequests(engine, compiled.program, c.generate.seed, c.generate.count, c.generate.hostile ?? true));
    } catch (e) {
      // testing/generate.ts is `kairos test`'s request generator: it must cope with any checked program.
      failures.push({ stage: "generate", ...describeError(e) });
    }
  }
  if (texts.length === 0) return failures;

  let log: FuzzLog | undefined;
  if (c.log) {
    try {
      log = openFuzzLog(join(tmp, `log-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`), engine);
    } catch (e) {
      failures.push({ stage: "log", message: `cannot open a decision log: ${describeError(e).message}` });
    }
  }
  const provider = c.provider === "hang" ? HANGING_PROVIDER : undefined;
  for (const [index, text] of texts.entries()) {
    const fail = (stage: Failure["stage"], e: unknown) =>
      failures.push({ stage, request: text, ...(typeof e === "string" ? { message: e } : describeError(e)) });
    let decision: Decision;
    const sink = new SerializingSink(log);
    try {
      decision = await engine.decide(JSON.parse(text), { sink, ...(provider ? { provider } : {}) });
    } catch (e) {
      fail("decide", e);
      continue;
    }
    let json: string;
    try {
      json = decisionJson(decision);
    } catch (e) {
      fail("decide", `the decision cannot be serialized: ${describeError(e).message}`);
      continue;
    }
    metrics.decisions++;
    metrics.decisionBytes += json.length;
    metrics.traceEvents += decision.evaluations.reduce((n, e) => n + e.trace.length, 0);
    const problem = invariantProblem(decision);
    if (problem) fail("decide", problem);
    for (const [k, v] of Object.entries(c.expectations?.[index] ?? {})) {
      const got = (decision as unknown as Record<string, unknown>)[k];
      if (canonicalJson((got ?? null) as never) !== canonicalJson(v as never))
        fail(
          "decide",
          `expected \`${k}\` ${canonicalJson(v as never)}, got ${canonicalJson((got ?? null) as never)}${decision.error ? ` (${decision.error.code}: ${decision.error.message.slice(0, 300)})` : ""}`,
        );
    }
    // What `kairos decide` prints and `kairos explain` renders from the same decision.
    try {
      const metas = engine.predicates.journeys.map((j) => j.meta);
      canonicalJson(withReadableTraces(decision, metas) as never, 2);
      for (const format of RATIONALE_FORMATS) renderRationale(fromDecision(decision, metas), format);
    } catch (e) {
      fail("render", e);
    }
    metrics.entryBytes += sink.lines.reduce((n, l) => n + l.length, 0);
    if (sink.problem !== undefined) fail("log", `the log entry cannot be serialized: ${describeError(sink.problem).message}`);
    else if (sink.lines.length === 0) fail("log", "the decision was not offered to the log");
    else if (log && decision.error?.code === "log_failed") fail("log", `the decision log refused the entry: ${decision.error.message.slice(0, 500)}`);
    // Deterministic: the same request again gives the same bytes (not for a hung provider: each try waits out its deadline).
    if (!provider) {
      try {
        const again = decisionJson(await engine.decide(JSON.parse(text)));
        if (again !== json) fail("decide", "the same request gave a different decision the second time");
        if (compiled.interpreted) {
          const ref = decisionJson(await compiled.interpreted.decide(JSON.parse(text)));
          if (ref !== json) fail("differential", `the compiled predicates and the reference interpreter decide differently (${firstDiff(json, ref)})`);
        }
      } catch (e) {
        fail("decide", e);
      }
    }
    if (failures.length >= 5) break;
  }
  if (log) {
    try {
      const problem = verifyFuzzLog(log);
      if (problem) failures.push({ stage: "log", message: problem });
    } catch (e) {
      failures.push({ stage: "log", ...describeError(e) });
    }
  }
  return failures;
}

function firstDiff(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `first difference at character ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 60), i + 60))} vs ${JSON.stringify(b.slice(Math.max(0, i - 60), i + 60))}`;
}

async function runPolicies(c: PolicyCase, tmp: string): Promise<Verdict> {
  const key = compileKey(c);
  let hit = compiledCache.get(key);
  if (!hit) {
    if (compiledCache.size > 8) compiledCache.clear();
    hit = compile(c);
    // Only engines worth reusing are kept (the example set, seed folders).
    if (c.cache) compiledCache.set(key, hit);
  }
  const compiled = await hit;
  const metrics = { ...compiled.metrics };
  const failures = [...compiled.failures];
  if (compiled.engine) failures.push(...(await decideAll(c, compiled, metrics, tmp)));
  return { failures, metrics };
}

// ---------------------------------------------------------------------------------------------
// The command line, in process, in a throw-away copy of the example policies

/** Refuses argv that could reach outside the sandbox: absolute paths and climbing above it. */
function unsafeArg(arg: string): boolean {
  const value = arg.startsWith("--") && arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : arg;
  if (isAbsolute(value)) return true;
  const n = normalize(value).split(sep);
  let depth = 0;
  for (const part of n) {
    depth += part === ".." ? -1 : part === "." || part === "" ? 0 : 1;
    if (depth < -2) return true;
  }
  return false;
}

/** sha256 of every file under `paths` (relative to `root`), by relative path. */
function snapshot(root: string, paths: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string): void => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else out.set(relative(root, p), st.isFile() ? createHash("sha256").update(readFileSync(p)).digest("hex") : "special");
  };
  for (const p of paths) walk(join(root, p));
  return out;
}

/** Files of `before` that are gone or changed in `after`. */
function damaged(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  return [...before].filter(([p, h]) => after.get(p) !== h).map(([p]) => `${p}${after.has(p) ? " (changed)" : " (deleted)"}`);
}

/** Runs the CLI with `work` as the current directory (in process: `chdir` is process-wide, hence the child process). */
async function inDirectory<T>(work: string, run: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  process.chdir(work);
  try {
    return await run();
  } finally {
    try {
      process.chdir(cwd);
    } catch {
      process.chdir(ROOT);
    }
  }
}

/** A small demo run (artifact, decision log, keys, checkpoints), made once per process and copied into sandboxes that ask for it. */
let demoFixture: string | undefined;
async function demo(tmp: string): Promise<string> {
  if (demoFixture && existsSync(join(demoFixture, "d", "decisions.log"))) return join(demoFixture, "d");
  const dir = mkdtempSync(join(tmp, "demo-fixture-"));
  cpSync(join(ROOT, "policies"), join(dir, "policies"), { recursive: true });
  const r = await inDirectory(dir, () => runCli(["demo", "--out", "d", "--customers", "4", "--days", "2"]));
  if (r.code !== 0) throw new Error(`the demo fixture could not be made (exit ${r.code}): ${r.err.slice(0, 500)}`);
  demoFixture = dir;
  return join(dir, "d");
}

const ALLOWED_EXITS = [0, 1, 2];

async function runCliCase(c: CliCase, tmp: string): Promise<Verdict> {
  const metrics = emptyMetrics();
  const unsafe = c.argv.find(unsafeArg);
  if (unsafe !== undefined)
    return {
      failures: [{ stage: "harness", message: `argv \`${unsafe}\` could reach outside the sandbox: use relative paths that stay within two levels above it` }],
      metrics,
    };
  const root = mkdtempSync(join(tmp, "cli-"));
  const work = join(root, "a", "b", "work");
  mkdirSync(work, { recursive: true });
  cpSync(c.policies ?? join(ROOT, "policies"), join(work, "policies"), { recursive: true });
  if (c.fixture === "demo") cpSync(await demo(tmp), join(work, "d"), { recursive: true });
  for (const [name, text] of Object.entries(c.files ?? {})) {
    if (unsafeArg(name) || name.split(/[\\/]/).includes(".."))
      return { failures: [{ stage: "harness", message: `file \`${name}\` is outside the sandbox` }], metrics };
    mkdirSync(join(work, name, ".."), { recursive: true });
    writeFileSync(join(work, name), text);
  }
  const protect = [...(c.mayModifyPolicies ? [] : ["policies"]), ...(c.protect ?? [])];
  const before = snapshot(work, protect);
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(c.env ?? {})) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  const command = `\`kairos ${c.argv.join(" ")}\``;
  const failures: Failure[] = [];
  try {
    const r = await inDirectory(work, () => runCli(c.argv));
    const output = `${r.err}${r.out}`;
    if (/internal error/i.test(output))
      failures.push({ stage: "cli", message: `${command} reported an internal error (exit ${r.code}):\n${r.err.slice(0, 2000)}` });
    if (c.expectExit !== undefined ? r.code !== c.expectExit : !ALLOWED_EXITS.includes(r.code))
      failures.push({
        stage: "cli",
        message: `${command} exited ${r.code}, expected ${c.expectExit ?? ALLOWED_EXITS.join(", ")}\nstderr: ${r.err.slice(0, 2000)}`,
      });
    metrics.decisionBytes = output.length;
  } catch (e) {
    failures.push({ stage: "cli", ...describeError(e) });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const lost = damaged(before, snapshot(work, protect));
  if (lost.length > 0)
    failures.push({
      stage: "cli",
      message: `${command} changed or deleted files it was not asked to write: ${lost.slice(0, 5).join(", ")}${lost.length > 5 ? `, … (${lost.length} in all)` : ""}`,
    });
  rmSync(root, { recursive: true, force: true });
  return { failures, metrics };
}

// ---------------------------------------------------------------------------------------------

/** Misbehaves as asked, so the tests can show that hangs, crashes and pollution are caught. */
function selfTest(c: SelfTestCase): Verdict {
  switch (c.what) {
    case "loop":
      for (;;);
    case "exit":
      return process.exit(70);
    case "pollute":
      Object.defineProperty(Object.prototype, "polluted_by_selftest", { value: 1, configurable: true, enumerable: false });
      break;
    case "reject":
      void Promise.reject(new Error("a stray rejection"));
      break;
  }
  return { failures: [], metrics: emptyMetrics() };
}

/** Runs one case; never throws (a harness problem is a failure of stage `harness`). */
export async function runCase(c: FuzzCase, tmp: string): Promise<Verdict> {
  let verdict: Verdict;
  try {
    verdict = c.kind === "cli" ? await runCliCase(c, tmp) : c.kind === "selftest" ? selfTest(c) : await runPolicies(c, tmp);
  } catch (e) {
    verdict = { failures: [{ stage: "harness", ...describeError(e) }], metrics: emptyMetrics() };
  }
  const polluted = pollution();
  if (polluted) verdict = { ...verdict, failures: [...verdict.failures, { stage: "pollution", message: polluted }], restart: true };
  return verdict;
}
