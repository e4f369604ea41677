// Compiling a policy set: the one pipeline every caller runs — the CLI, the playground, the
// benchmarks and the tests. Check (compiler/pipeline.ts), generate the predicates, build the
// consent/residency policies with OPA, assemble the artifact; every problem on the way is a
// diagnostic, none is thrown. Pure of I/O and browser-safe: the OPA build comes in through
// `options.opa` (compiler/node/ supplies one that runs the OPA CLI, and reads directories).
import { hasErrors, sortDiagnostics, type Diagnostic } from "../core/diagnostics.ts";
import type { SourceFile, Span } from "../core/source.ts";
import { assembleArtifact, type ArtifactOpa, type BuiltArtifact } from "./artifact/build.ts";
import type { CheckedProgram } from "./checker/checked.ts";
import { generatePredicates } from "./codegen/index.ts";
import { isBundledRego, type OpaBackend, type OpaBuildOutcome, type RegoFile } from "./opa/backend.ts";
import { catalogToData } from "./opa/data.ts";
import { opaProblemDiagnostics } from "./opa/diagnostics.ts";
import { checkSources, type CheckCache, type CheckResult, type PolicySources } from "./pipeline.ts";

/** How compilePolicySet runs: the OPA build to use, check or artifact, a cache, earlier problems. */
export interface CompileOptions {
  /**
   * Builds Rego into the OPA Wasm bundle (compiler/node's `opaCliBackend` runs the OPA CLI;
   * the playground passes its prebuilt standard bundle). Without one, a policy set without
   * Rego of its own compiles to an artifact without a bundle (`opa: null`), and one with Rego
   * does not compile (`opa/cli-missing`): its policies would be silently dropped.
   */
  readonly opa?: OpaBackend;
  /**
   * `artifact` (default): check, then build the artifact when nothing is in error. `check`:
   * diagnostics only — but the policy set's own Rego is still built with `opa` (and the bundle
   * dropped), so that a clean check means a clean compile.
   */
  readonly mode?: "artifact" | "check";
  /** Per-file results of earlier runs, for callers that compile the same sources again and again. */
  readonly cache?: CheckCache;
  /**
   * Problems found before compiling, such as reading the files (bad encoding): reported first,
   * in their order; an error among them means no program and no artifact.
   */
  readonly diagnostics?: readonly Diagnostic[];
}

/** What compilePolicySet found and built: the check's results, the artifact, every diagnostic. */
export interface CompileResult extends CheckResult {
  /** The checked program; undefined when the sources have errors (Rego aside). */
  readonly program: CheckedProgram | undefined;
  /** The artifact, in `artifact` mode when no diagnostic is an error. */
  readonly artifact?: BuiltArtifact;
  /** Everything found: `options.diagnostics` first, then every stage's, sorted by file and position. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Compiles a policy set: `{ artifact, diagnostics }`, the artifact present exactly when no
 * diagnostic is an error (and `mode` is `artifact`). Never throws on a user's mistake; throws
 * only on a bug or on what `options.opa` throws (a broken installation, a failing disk).
 */
export async function compilePolicySet(input: PolicySources, options: CompileOptions = {}): Promise<CompileResult> {
  const mode = options.mode ?? "artifact";
  const prior = options.diagnostics ?? [];
  const checked = checkSources(input, options.cache);
  const program = hasErrors(prior) ? undefined : checked.program;
  const found: Diagnostic[] = [...checked.diagnostics];
  const clean = () => !hasErrors(prior) && !hasErrors(found);

  // Codegen before OPA: the standard policies are built only for an artifact that can exist.
  let predicates: ReturnType<typeof generatePredicates>["value"];
  if (mode === "artifact" && program && clean()) {
    const generated = generatePredicates(program, checked.sources);
    found.push(...generated.diagnostics);
    predicates = generated.value;
  }

  // The Rego: the set's own is built whenever there is a catalog for its data document (its
  // errors are reported with the others); the standard policies only for an artifact.
  let opa: ArtifactOpa | null | undefined;
  if (checked.catalog) {
    const rego = bundleNames(input, checked, found);
    // Where a problem with no line of its own points: the set's first Rego file, else (the
    // standard policies) the catalog, whose data document they are built with.
    const first = [...rego.files.values()][0]?.name ?? input.rego[0]?.name ?? input.catalog.name;
    const anchor: Span = { file: first, start: 0, end: 0 };
    const report = (outcome: OpaBuildOutcome, standard: boolean) => {
      if (outcome.ok) opa = { built: outcome.value, standard };
      else found.push(...opaProblemDiagnostics(outcome.problem, { files: rego.files, anchor, mode }));
    };
    if (input.rego.length > 0) {
      if (rego.bundled.length === 0) {
        found.push({
          code: "opa/no-rego",
          severity: "error",
          message: "the policy set's `rego/` holds only tests (`*_test.rego`): there is no policy to build",
          span: anchor,
          hint: "add the consent and residency policies (docs/opa-contract.md), or remove `rego/` to use the standard ones",
        });
      } else if (options.opa) {
        report(await options.opa.build(rego.bundled, catalogToData(checked.catalog)), false);
      } else if (mode === "artifact") {
        found.push({
          code: "opa/cli-missing",
          severity: "error",
          message: "the Rego policies cannot be built: no OPA build was given to the compiler",
          span: anchor,
          hint: "compile with compiler/node's `compilePolicyDir` (or pass `opa: opaCliBackend()`), which runs the pinned OPA CLI",
        });
      }
    } else if (mode === "artifact" && predicates && clean()) {
      if (options.opa) report(await options.opa.standard(catalogToData(checked.catalog)), true);
      else opa = null;
    }
  }

  const diagnostics = [...prior, ...sortDiagnostics(found)];
  const result: CompileResult = { ...checked, program, diagnostics };
  if (mode !== "artifact" || !program || !predicates || opa === undefined || hasErrors(diagnostics)) return result;
  return { ...result, artifact: assembleArtifact(program, input, predicates, opa) };
}

/**
 * The set's bundled Rego by name inside the bundle (the file name without its folders, as
 * `opa build` of the `rego/` folder names it), tests left out. Two files that would get one
 * name are reported: one would hide the other.
 */
function bundleNames(input: PolicySources, checked: CheckResult, found: Diagnostic[]): { bundled: RegoFile[]; files: Map<string, SourceFile> } {
  const files = new Map<string, SourceFile>();
  const bundled: RegoFile[] = [];
  for (const r of input.rego) {
    const name = r.name.slice(r.name.lastIndexOf("/") + 1);
    if (!isBundledRego(name)) continue;
    const file = checked.sources.get(r.name)!;
    const taken = files.get(name);
    if (taken) {
      found.push({
        code: "opa/build-failed",
        severity: "error",
        message: `\`${r.name}\` and \`${taken.name}\` would both be \`${name}\` in the bundle`,
        span: file.span(0, 0),
        hint: "give the Rego files distinct names",
      });
      continue;
    }
    files.set(name, file);
    bundled.push({ name, text: r.text });
  }
  return { bundled, files };
}
