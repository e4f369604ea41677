// The one module where the playground meets the compiler's back end and the runtime: codegen
// (TypeScript + JavaScript predicates), the generated module loaded from a Blob URL, the OPA
// Wasm consent/residency bundle with the current catalog's data, the decision engine, and the
// rationale renderers. Runs in the compiler worker; everything it returns is plain data.
import { ARTIFACT_PART, type JourneyMeta, type Manifest, type PredicatesModule } from "../../core/artifact.ts";
import { catalogToJson } from "../../core/catalog/serialize.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import type { CheckedProgram } from "../../compiler/checker/checked.ts";
import { generatePredicates } from "../../compiler/codegen/index.ts";
import type { Diagnostic } from "../../core/diagnostics.ts";
import { catalogToData } from "../../compiler/opa/data.ts";
import type { PolicySources } from "../../compiler/pipeline.ts";
import type { SourceSet } from "../../core/source.ts";
import type { CheckedSuite } from "../../compiler/tests/model.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import type { Decision } from "../../runtime/decision.ts";
import { Engine } from "../../runtime/engine.ts";
import { PolicyEngine } from "../../runtime/opa/index.ts";
import { customerSentence, escapeHtml, fromDecision, legalReview, renderHtml } from "../../runtime/rationale/index.ts";
import type { DecisionRequest } from "../../runtime/request.ts";
import { renderJson } from "../../testing/report.ts";
import { runSuite } from "../../testing/suite.ts";
import { buildManifest } from "../../compiler/artifact/manifest.ts";
import type { OpaBundleInfo, TestReport } from "./protocol.ts";

export interface Compiled {
  readonly typescript: string;
  readonly javascript: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** Generates the predicates module (TS for people, JS to run). */
export function compile(program: CheckedProgram, sources: SourceSet): Compiled | { readonly diagnostics: readonly Diagnostic[] } {
  const generated = generatePredicates(program, sources);
  if (!generated.value) return { diagnostics: generated.diagnostics };
  return { typescript: generated.value.ts, javascript: generated.value.js, diagnostics: generated.diagnostics };
}

/** Imports generated JavaScript from a Blob URL (revoked once loaded). */
export async function importModule(js: string): Promise<PredicatesModule> {
  const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
  try {
    const mod = (await import(/* @vite-ignore */ url)) as Partial<PredicatesModule>;
    if (!Array.isArray(mod.journeys)) throw new Error("the generated module does not export `journeys`");
    return mod as PredicatesModule;
  } finally {
    URL.revokeObjectURL(url);
  }
}

// The OPA bundle is the same for every catalog (the policies read the catalog as data), so it
// is fetched and compiled once; each run only swaps the data document.
interface LoadedPolicy {
  readonly engine: PolicyEngine;
  readonly bytes: Uint8Array;
  readonly info: OpaBundleInfo;
}
let policyEngine: Promise<LoadedPolicy> | undefined;

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} is not available (HTTP ${res.status}); the playground build writes it (\`npm run playground:build\`)`);
  return res;
}

async function loadPolicy(url: string): Promise<LoadedPolicy> {
  policyEngine ??= (async () => {
    const [bundle, info] = await Promise.all([fetchOk(url), fetchOk(url.replace(/\.tar\.gz$/, ".json"))]);
    const bytes = new Uint8Array(await bundle.arrayBuffer());
    return { engine: await PolicyEngine.load(bytes), bytes, info: (await info.json()) as OpaBundleInfo };
  })();
  try {
    return await policyEngine;
  } catch (e) {
    policyEngine = undefined;
    throw e;
  }
}

const enc = new TextEncoder();

/** The in-memory artifact's manifest: the same content hashing as `kairos compile`. */
function manifestOf(program: CheckedProgram, input: PolicySources, files: ReadonlyMap<string, Uint8Array>, policy: LoadedPolicy): Manifest {
  const { opaVersion, entrypoints, rego, wasm } = policy.info;
  return buildManifest(program, input, files, { version: opaVersion, entrypoints: [...entrypoints], rego, wasm, default_policies: true });
}

/** A policy set compiled and loaded into an engine, kept for the next run of the same sources. */
interface Prepared {
  readonly key: string;
  readonly engine: Engine;
  readonly journeys: readonly JourneyMeta[];
  readonly typescript: string;
  readonly diagnostics: readonly Diagnostic[];
}
let prepared: Prepared | undefined;

type Preparation = Prepared | { readonly problem: string; readonly diagnostics: readonly Diagnostic[]; readonly typescript?: string };

/** Compiles the predicates, imports them and loads the engine; reuses the last one for the same sources. */
async function prepare(program: CheckedProgram, sources: SourceSet, input: PolicySources, opaBundleUrl: string): Promise<Preparation> {
  const key = JSON.stringify([input.catalog.text, input.journeys.map((j) => [j.name, j.text])]);
  if (prepared?.key === key) return prepared;
  const compiled = compile(program, sources);
  if (!("javascript" in compiled)) return { problem: "the policy set cannot be compiled", diagnostics: compiled.diagnostics };
  let predicates: PredicatesModule;
  try {
    predicates = await importModule(compiled.javascript);
  } catch (e) {
    return { problem: `the generated module does not load: ${message(e)}`, diagnostics: [], typescript: compiled.typescript };
  }
  let policy: LoadedPolicy;
  try {
    policy = await loadPolicy(opaBundleUrl);
    policy.engine.setData(catalogToData(program.catalog));
  } catch (e) {
    return { problem: `the consent and residency policies (OPA Wasm) cannot be loaded: ${message(e)}`, diagnostics: compiled.diagnostics, typescript: compiled.typescript };
  }
  const catalog: Catalog = program.catalog;
  const files = new Map<string, Uint8Array>([
    [ARTIFACT_PART.catalog, enc.encode(canonicalJson(catalogToJson(catalog), 2) + "\n")],
    [ARTIFACT_PART.bundle, policy.bytes],
    [ARTIFACT_PART.predicates, enc.encode(compiled.javascript)],
    [ARTIFACT_PART.predicatesTs, enc.encode(compiled.typescript)],
  ]);
  const engine = Engine.fromParts({ manifest: manifestOf(program, input, files, policy), catalog, predicates, policy: policy.engine });
  prepared = { key, engine, journeys: predicates.journeys.map((j) => j.meta), typescript: compiled.typescript, diagnostics: compiled.diagnostics };
  return prepared;
}

export interface RunInput {
  readonly program: CheckedProgram;
  readonly sources: SourceSet;
  readonly input: PolicySources;
  /** The assembled request (spec §6 request file) as typed, and as validated. */
  readonly raw: Record<string, unknown>;
  readonly request: DecisionRequest;
  readonly opaBundleUrl: string;
}

export interface RunOutput {
  readonly problem?: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly decision?: Decision;
  readonly journeys: readonly JourneyMeta[];
  readonly typescript?: string;
  readonly legal?: string;
  readonly customer?: string;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Compiles, loads and decides one request, entirely in this worker. Never throws. */
export async function run(r: RunInput): Promise<RunOutput> {
  const p = await prepare(r.program, r.sources, r.input, r.opaBundleUrl);
  if (!("engine" in p)) return { problem: p.problem, diagnostics: p.diagnostics, journeys: [], ...(p.typescript ? { typescript: p.typescript } : {}) };
  const decision = await p.engine.decide(r.raw);
  return { diagnostics: p.diagnostics, journeys: p.journeys, typescript: p.typescript, decision, ...rationale(decision, p.journeys, r.request) };
}

/** Runs the policy set's `test` and `property` blocks and the built-in properties (`kairos test`). */
export async function runTests(program: CheckedProgram, suite: CheckedSuite, sources: SourceSet, input: PolicySources, opaBundleUrl: string): Promise<{ problem?: string; report?: TestReport }> {
  const p = await prepare(program, sources, input, opaBundleUrl);
  if (!("engine" in p)) return { problem: p.problem };
  const result = await runSuite(p.engine, program, suite, sources);
  return { report: renderJson(result, { sources, metas: new Map(p.journeys.map((j) => [j.id, j])) }) as TestReport };
}
/** The legal-review page (self-contained HTML) and the customer's sentence of a decision. */
function rationale(decision: Decision, journeys: readonly JourneyMeta[], request: DecisionRequest): { legal?: string; customer?: string } {
  const context: Record<string, unknown> = {};
  for (const path of decision.fields) {
    const [entity, field] = [path.slice(0, path.indexOf(".")), path.slice(path.indexOf(".") + 1)];
    const record = request.context?.[entity];
    if (record && Object.hasOwn(record, field)) context[path] = record[field];
  }
  const { type, id, at, timer } = request.event;
  const input = fromDecision(decision, journeys, {
    request: { event: { type, id, ...(at ? { at } : {}), ...(timer ? { timer } : {}) }, subject: request.subject, now: request.now, region: request.region },
    context,
    consents: request.consents ?? [],
    objections: request.objections ?? [],
  });
  try {
    const winner = decision.journey ? journeys.find((j) => j.id === decision.journey) : undefined;
    return { legal: renderHtml(legalReview(input)), customer: customerSentence(decision, winner) };
  } catch (e) {
    return { legal: `<p>the legal-review rendering failed: ${escapeHtml(message(e))}</p>` };
  }
}
