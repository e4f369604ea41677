// `kairos test DIR`: runs the policy set's `test` and `property` blocks and the built-in
// properties against the policy set compiled in memory (generated predicates, real OPA Wasm
// policies). Exit 0 when everything passes (and coverage meets `--threshold`), 1 when anything
// fails, 2 on usage errors and when the policy set does not compile.
import { OpaBuildError } from "../../compiler/opa/index.ts";
import { checkSources } from "../../compiler/pipeline.ts";
import { readPolicyDir } from "../../compiler/node/policy-dir.ts";
import { SourceSet } from "../../core/source.ts";
import { OpaError } from "../../runtime/opa/index.ts";
import { engineFor, journeyMetas, loadPolicies } from "../../testing/harness.ts";
import { renderJunit } from "../../testing/junit.ts";
import { renderJson, renderText } from "../../testing/report.ts";
import { runSuite } from "../../testing/suite.ts";
import { parseFormat, printDiagnostics } from "../diagnostics-output.ts";
import { EXIT, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";
import { checkReplaceable, replaceFile, type ReplaceOptions } from "../write-file.ts";

/** `--junit` replaces only a JUnit report (XML whose root is `<testsuites` or `<testsuite`). */
const JUNIT: ReplaceOptions = {
  accept: (start) => /^(\ufeff)?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<testsuites?[\s>]/.test(start.toString("utf8")),
  what: "a JUnit report",
  refusal: "give `--junit` a new file name, or the report an earlier run wrote",
};

function number(v: unknown, what: string, min: number, max: number, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${what} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}, not \`${String(v)}\``);
  }
  return n;
}

export const command: Command = {
  summary: "run a policy set's tests and properties (and the built-in ones)",
  usage: "kairos test DIR [--coverage] [--threshold N] [--junit FILE] [--format text|json] [--filter TEXT] [--seed N] [--runs N]",
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      coverage: { type: "boolean" },
      threshold: { type: "string" },
      junit: { type: "string" },
      format: { type: "string" },
      filter: { type: "string" },
      seed: { type: "string" },
      runs: { type: "string" },
    });
    const format = parseFormat(values["format"]);
    if (!format) throw new UsageError(`unknown format \`${String(values["format"])}\`; use \`text\` or \`json\``);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one policy directory" : "missing the policy directory");
    const threshold = number(values["threshold"], "`--threshold`", 0, 100, false);
    const seed = number(values["seed"], "`--seed`", -(2 ** 31), 2 ** 31 - 1, true);
    const runs = number(values["runs"], "`--runs`", 1, 100_000, true);
    const junit = values["junit"];
    if (junit !== undefined && (typeof junit !== "string" || junit === "")) throw new UsageError("`--junit` needs a file name");
    const filter = typeof values["filter"] === "string" ? values["filter"] : undefined;
    const dir = positionals[0]!;
    // Only a new file or an earlier report is replaced (`--junit policies/catalog.yaml` is
    // refused): judged before the run, not after it.
    if (junit !== undefined) checkReplaceable(junit, JUNIT);

    const read = readPolicyDir(dir);
    if (!read.sources) throw new UsageError(read.usage ?? `cannot read the policy directory \`${dir}\``);
    const checked = checkSources(read.sources);
    const diagnostics = [...read.diagnostics, ...checked.diagnostics];
    const errors = diagnostics.some((d) => d.severity === "error");
    if (errors || !checked.program || !checked.tests) {
      printDiagnostics(diagnostics, checked.sources ?? new SourceSet(), io, format);
      if (format === "text") io.err(`kairos test: \`${dir}\` does not compile; no test was run`);
      return EXIT.usage;
    }
    // Warnings are shown (on stderr) but do not stop the run.
    if (diagnostics.length > 0 && format === "text") printDiagnostics(diagnostics, checked.sources, io, "text");

    let engine;
    try {
      const { policy, hash } = await loadPolicies(checked.program.catalog, read.sources, dir);
      engine = await engineFor(checked.program, checked.sources, policy, { policyHash: hash });
    } catch (e) {
      if (e instanceof OpaBuildError || e instanceof OpaError) {
        io.err(`kairos test: ${e.message}`);
        return EXIT.usage;
      }
      throw e;
    }
    const result = await runSuite(engine, checked.program, checked.tests, checked.sources, { ...(filter !== undefined ? { filter } : {}), ...(seed !== undefined ? { seed } : {}), ...(runs !== undefined ? { runs } : {}) });
    const metas = journeyMetas(engine);
    if (format === "json") io.out(JSON.stringify(renderJson(result, { sources: checked.sources, metas }), null, 2));
    else io.out(renderText(result, { sources: checked.sources, metas, color: io.color, coverage: values["coverage"] === true || threshold !== undefined }));
    if (junit !== undefined) {
      replaceFile(junit, renderJunit(result, metas, checked.sources), JUNIT);
    }
    const below = threshold !== undefined && result.coverage.percent < threshold;
    if (below) io.err(`kairos test: coverage ${result.coverage.percent.toFixed(1)}% is below the threshold ${threshold}%`);
    if (checked.tests.tests.length + checked.tests.properties.length === 0 && format === "text") io.err("kairos test: the policy set has no `test` or `property` blocks; only the built-in properties ran (see docs/testing.md)");
    return result.failed > 0 || below ? EXIT.failed : EXIT.ok;
  },
};
