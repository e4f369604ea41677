// The one module where the playground meets the compiler's back end and the runtime: the
// policy set compiled into an artifact in memory (compilePolicySet, with the standard
// consent/residency bundle built ahead of time as its OPA backend), the generated module loaded
// from a Blob URL, the OPA Wasm policies with the current catalog's data, the decision engine,
// and the rationale renderers. Runs in the compiler worker; everything it returns is plain data.
import { ARTIFACT_PART, type JourneyMeta, type PredicatesModule } from "../../core/artifact.ts";
import type { CheckedProgram } from "../../compiler/checker/checked.ts";
import { compilePolicySet, type BuiltArtifact, type CheckCache, type OpaBackend, type OpaBuildOutcome, type PolicySources } from "../../compiler/index.ts";
import type { Diagnostic } from "../../core/diagnostics.ts";
import { catalogToData } from "../../compiler/opa/data.ts";
import type { SourceSet } from "../../core/source.ts";
import type { CheckedSuite } from "../../compiler/tests/model.ts";
import type { Decision } from "../../runtime/decision.ts";
import { Engine } from "../../runtime/engine.ts";
import { PolicyEngine } from "../../runtime/opa/index.ts";
import { customerSentence, escapeHtml, fromDecision, legalReview, renderHtml } from "../../runtime/rationale/index.ts";
import type { DecisionRequest } from "../../runtime/request.ts";
import { renderJson } from "../../testing/report.ts";
import { runSuite } from "../../testing/suite.ts";
import { writeTar } from "../../core/tar.ts";
import type { OpaBundleInfo, TestReport } from "./protocol.ts";

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

/**
 * The OPA backend of the playground: the standard policies, built when the playground was
 * (playground/vite.config.ts). A policy set with Rego of its own cannot be built in a browser.
 */
function prebuiltOpa(policy: LoadedPolicy): OpaBackend {
  const { opaVersion, entrypoints, rego, wasm } = policy.info;
  const standard: OpaBuildOutcome = { ok: true, value: { bundle: policy.bytes, opaVersion, entrypoints, hashes: { rego, wasm } } };
  return {
    build: async () => ({
      ok: false,
      problem: {
        kind: "cli-missing",
        message: "the playground cannot build Rego",
        hint: "use the standard policies here; build your own Rego with `kairos compile`",
      },
    }),
    standard: async () => standard,
  };
}

const dec = new TextDecoder();
const text = (artifact: BuiltArtifact, part: string): string => dec.decode(artifact.files.get(part));

/** A policy set compiled and loaded into an engine, kept for the next run of the same sources. */
interface Prepared {
  readonly key: string;
  readonly engine: Engine;
  readonly program: CheckedProgram;
  readonly tests: CheckedSuite | undefined;
  readonly sources: SourceSet;
  readonly journeys: readonly JourneyMeta[];
  readonly typescript: string;
  readonly diagnostics: readonly Diagnostic[];
}
let prepared: Prepared | undefined;

type Preparation = Prepared | { readonly problem: string; readonly diagnostics: readonly Diagnostic[]; readonly typescript?: string };

/**
 * Compiles the policy set into an artifact in memory (the same bytes `kairos compile` would
 * hash, with the standard policies), imports its predicates and loads the engine; reuses the
 * last one for the same sources.
 */
async function prepare(input: PolicySources, cache: CheckCache, opaBundleUrl: string): Promise<Preparation> {
  const key = JSON.stringify([input.catalog.text, input.journeys.map((j) => [j.name, j.text])]);
  if (prepared?.key === key) return prepared;
  let policy: LoadedPolicy;
  try {
    policy = await loadPolicy(opaBundleUrl);
  } catch (e) {
    // Without the policies there is no artifact; the predicates alone are still shown.
    const alone = await compilePolicySet(input, { cache });
    return {
      problem: `the consent and residency policies (OPA Wasm) cannot be loaded: ${message(e)}`,
      diagnostics: alone.diagnostics,
      ...(alone.artifact ? { typescript: text(alone.artifact, ARTIFACT_PART.predicatesTs) } : {}),
    };
  }
  const compiled = await compilePolicySet(input, { cache, opa: prebuiltOpa(policy) });
  const { artifact, program } = compiled;
  if (!artifact || !program) return { problem: "the policy set cannot be compiled", diagnostics: compiled.diagnostics };
  const typescript = text(artifact, ARTIFACT_PART.predicatesTs);
  let predicates: PredicatesModule;
  try {
    predicates = await importModule(text(artifact, ARTIFACT_PART.predicates));
  } catch (e) {
    return { problem: `the generated module does not load: ${message(e)}`, diagnostics: compiled.diagnostics, typescript };
  }
  // The bundle carries the example catalog's data document: the current catalog's replaces it.
  policy.engine.setData(catalogToData(program.catalog));
  const engine = Engine.fromParts({ manifest: artifact.manifest, catalog: program.catalog, predicates, policy: policy.engine });
  prepared = {
    key,
    engine,
    program,
    tests: compiled.tests,
    sources: compiled.sources,
    journeys: predicates.journeys.map((j) => j.meta),
    typescript,
    diagnostics: compiled.diagnostics,
  };
  return prepared;
}

export interface RunInput {
  /** The policy set, already checked clean by the caller. */
  readonly input: PolicySources;
  /** The worker's check cache: compiling again re-parses nothing that did not change. */
  readonly cache: CheckCache;
  /** The assembled request (spec §6 request file) as typed, and as validated. */
  readonly raw: Record<string, unknown>;
  readonly request: DecisionRequest;
  readonly opaBundleUrl: string;
}

export interface RunOutput {
  readonly problem?: string;
  /** Every diagnostic of the compile (the check's included): the editor's markers. */
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
  const p = await prepare(r.input, r.cache, r.opaBundleUrl);
  if (!("engine" in p)) return { problem: p.problem, diagnostics: p.diagnostics, journeys: [], ...(p.typescript ? { typescript: p.typescript } : {}) };
  const decision = await p.engine.decide(r.raw);
  return { diagnostics: p.diagnostics, journeys: p.journeys, typescript: p.typescript, decision, ...rationale(decision, p.journeys, r.request) };
}

/** Runs the policy set's `test` and `property` blocks and the built-in properties (`kairos test`). */
export async function runTests(input: PolicySources, cache: CheckCache, opaBundleUrl: string): Promise<{ problem?: string; report?: TestReport }> {
  const p = await prepare(input, cache, opaBundleUrl);
  if (!("engine" in p)) return { problem: p.problem };
  if (!p.tests) return { problem: "the policy set has errors; fix them to run its tests" };
  const result = await runSuite(p.engine, p.program, p.tests, p.sources);
  return { report: renderJson(result, { sources: p.sources, metas: new Map(p.journeys.map((j) => [j.id, j])) }) as TestReport };
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

/** An artifact as one file to download: what `kairos compile --out DIR` writes, as a `.tar.gz`. */
export interface ArtifactArchive {
  /** The gzipped ustar archive: the artifact's files at its root (manifest.json, …). */
  readonly bytes?: Uint8Array;
  /** The artifact hash (the manifest's, as decisions name it). */
  readonly hash?: string;
  /** Why there is none: the policy set has errors, the OPA policies do not load. */
  readonly problem?: string;
}

/**
 * Compiles the policy set (with the standard policies, as Run does) and packs the artifact's
 * files into a deterministic tar (core/tar.ts), gzipped with the browser's CompressionStream.
 */
export async function artifactArchive(input: PolicySources, cache: CheckCache, opaBundleUrl: string): Promise<ArtifactArchive> {
  let policy: LoadedPolicy;
  try {
    policy = await loadPolicy(opaBundleUrl);
  } catch (e) {
    return { problem: `the consent and residency policies (OPA Wasm) cannot be loaded: ${message(e)}` };
  }
  const compiled = await compilePolicySet(input, { cache, opa: prebuiltOpa(policy) });
  if (!compiled.artifact) {
    const errors = compiled.diagnostics.filter((d) => d.severity === "error").length;
    return { problem: `the policy set has ${errors} error${errors === 1 ? "" : "s"}; fix them to download its artifact` };
  }
  const files = [...compiled.artifact.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const tar = writeTar(files.map(([name, data]) => ({ name, data })));
  const gzipped = await new Response(new Blob([tar as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
  return { bytes: new Uint8Array(gzipped), hash: compiled.artifact.manifest.hash };
}
