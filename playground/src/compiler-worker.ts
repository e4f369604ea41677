// The compiler worker: the real Kairos compiler (parse, catalog loading, check, format), the
// request validation and, through decide.ts, codegen and the decision engine — all off the
// page's main thread, so typing stays smooth while a large policy set is checked.
import type { Catalog } from "../../core/catalog/types.ts";
import type { Diagnostic } from "../../core/diagnostics.ts";
import { formatFile } from "../../compiler/format/formatter.ts";
import { CheckCache, compilePolicySet, type CompileResult, type PolicySources } from "../../compiler/index.ts";
import { SourceFile, type SourceSet } from "../../core/source.ts";
import { run, runTests } from "./decide.ts";
import { checkInputs, type InputsResult } from "./inputs.ts";
import type { CheckRequest, InputTexts, Marker, NamedText, RunRequest, TestsRequest, WorkerRequest, WorkerResponse } from "./protocol.ts";
import { WarmUp } from "./warm-up.ts";

declare const self: DedicatedWorkerGlobalScope;

/** A diagnostic as an editor marker. Empty spans widen to one character so they show. */
function toMarker(d: Diagnostic, sources: SourceSet): Marker {
  const file = sources.get(d.span.file);
  const start = file ? file.position(d.span.start) : { line: 1, column: 1 };
  const endOffset = d.span.end > d.span.start ? d.span.end : d.span.start + 1;
  const end = file ? file.position(Math.min(endOffset, file.text.length)) : start;
  const wide = end.line > start.line || end.column > start.column ? end : { line: start.line, column: start.column + 1 };
  return {
    file: d.span.file,
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
    line: start.line,
    column: start.column,
    endLine: wide.line,
    endColumn: wide.column,
  };
}

function policySources(catalog: NamedText, journeys: readonly NamedText[]): PolicySources {
  return { catalog, journeys, rego: [] };
}

// Per-file results of earlier checks: a keystroke re-parses only the declarations it changed.
const cache = new CheckCache();

/** The catalog the page last received. */
let sentCatalog: Catalog | undefined;

/** The input panels' check, again only when their texts or the catalog changed. */
let lastInputs: { texts: InputTexts; catalog: Catalog | undefined; result: InputsResult } | undefined;

function checkedInputs(texts: InputTexts, catalog: Catalog | undefined): InputsResult {
  const l = lastInputs;
  if (l && l.catalog === catalog && l.texts.request === texts.request && l.texts.context === texts.context && l.texts.consents === texts.consents)
    return l.result;
  const result = checkInputs(texts, catalog);
  lastInputs = { texts, catalog, result };
  return result;
}

/** The policy set checked (compilePolicySet's `check` mode: no OPA here, the sets have no Rego). */
async function check(req: CheckRequest | RunRequest | TestsRequest): Promise<{ result: CompileResult; markers: Marker[] }> {
  const result = await compilePolicySet(policySources(req.catalog, req.journeys), { cache, mode: "check" });
  return { result, markers: result.diagnostics.map((d) => toMarker(d, result.sources)) };
}

async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  const t0 = performance.now();
  switch (req.type) {
    case "check": {
      const t1 = performance.now();
      const { result, markers } = await check(req);
      const t2 = performance.now();
      const inputs = checkedInputs(req.inputs, result.catalog);
      const stages = { compile: t2 - t1, inputs: performance.now() - t2 };
      // The catalog crosses to the page (a structured clone) only when it changed.
      const catalog = result.catalog !== sentCatalog ? result.catalog : undefined;
      sentCatalog = result.catalog;
      return {
        type: "check",
        seq: req.seq,
        markers,
        inputMarkers: inputs.ok ? [] : inputs.markers,
        ...(catalog ? { catalog } : {}),
        ms: performance.now() - t0,
        stages,
      };
    }
    case "format": {
      const file = new SourceFile(req.file.name, req.file.text);
      const formatted = formatFile(file);
      const sources = { get: (name: string) => (name === file.name ? file : undefined) } as SourceSet;
      return {
        type: "format",
        seq: req.seq,
        name: req.file.name,
        ...(formatted.value === undefined ? {} : { text: formatted.value }),
        markers: formatted.diagnostics.map((d) => toMarker(d, sources)),
      };
    }
    case "run": {
      const { result, markers } = await check(req);
      const inputs = checkInputs(req.inputs, result.catalog);
      const inputMarkers = inputs.ok ? [] : inputs.markers;
      const empty = { type: "run" as const, seq: req.seq, markers, inputMarkers, journeys: [] };
      const errors = markers.filter((m) => m.severity === "error").length;
      if (errors > 0 || !result.program) {
        const count = errors || 1;
        return { ...empty, problem: `fix the policy set first: ${count} error${count === 1 ? "" : "s"} (see Problems)`, ms: performance.now() - t0 };
      }
      if (!inputs.ok) {
        return {
          ...empty,
          problem: `fix the inputs first: ${inputMarkers.length} problem${inputMarkers.length === 1 ? "" : "s"} in ${[...new Set(inputMarkers.map((m) => m.file))].join(", ")}`,
          ms: performance.now() - t0,
        };
      }
      const out = await run({
        input: policySources(req.catalog, req.journeys),
        cache,
        raw: inputs.raw,
        request: inputs.request,
        opaBundleUrl: req.opaBundleUrl,
      });
      return {
        type: "run",
        seq: req.seq,
        // The compile's diagnostics: the check's, and codegen's when it refused.
        markers: out.diagnostics.map((d) => toMarker(d, result.sources)),
        inputMarkers,
        journeys: out.journeys,
        ...(out.problem ? { problem: out.problem } : {}),
        ...(out.decision ? { decision: out.decision } : {}),
        ...(out.typescript ? { typescript: out.typescript } : {}),
        ...(out.legal ? { legal: out.legal } : {}),
        ...(out.customer ? { customer: out.customer } : {}),
        ms: performance.now() - t0,
      };
    }
    case "tests": {
      const { result } = await check(req);
      if (!result.program || !result.tests) return { type: "tests", seq: req.seq, problem: "the policy set has errors; fix them to run its tests" };
      const out = await runTests(policySources(req.catalog, req.journeys), cache, req.opaBundleUrl);
      return { type: "tests", seq: req.seq, ...out };
    }
  }
}

// The first keystrokes after a load find the checker's paths already compiled (warm-up.ts).
const warmUp = new WarmUp((result) => {
  for (const d of result.diagnostics) toMarker(d, result.sources);
});

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  warmUp.interrupt();
  let res: WorkerResponse;
  try {
    res = await handle(req);
  } catch (err) {
    // A bug in the compiler or the playground: reported on the page, never a silent hang.
    res = { type: "crash", seq: req.seq, message: err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err) };
  }
  self.postMessage(res);
  if (req.type === "check" && res.type === "check") warmUp.afterCheck(policySources(req.catalog, req.journeys), cache);
};
