// `kairos test DIR`: runs the policy set's `test` and `property` blocks and the built-in
// properties against the policy set compiled in memory (generated predicates, real OPA Wasm
// policies). Exit 0 when everything passes (and coverage meets `--threshold`), 1 when anything
// fails, 2 on usage errors and when the policy set does not compile. `--watch` runs them again
// on every change (cli/watch.ts).
import { compilePolicyDir } from "../../compiler/node/index.ts";
import { ARTIFACT_PART } from "../../core/artifact.ts";
import { hasErrors } from "../../core/diagnostics.ts";
import { sha256Hex } from "../../core/sha256.ts";
import { OpaError, PolicyEngine } from "../../runtime/opa/index.ts";
import { engineFor, journeyMetas } from "../../testing/harness.ts";
import { renderJunit } from "../../testing/junit.ts";
import { renderJson, renderText } from "../../testing/report.ts";
import { runSuite } from "../../testing/suite.ts";
import { parseFormat, printDiagnostics, shownPath } from "../diagnostics-output.ts";
import { helpOf } from "../help/commands.ts";
import { EXIT, jsonOut, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";
import { watchAndRun } from "../watch.ts";
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

const HELP = helpOf("test");

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      coverage: { type: "boolean" },
      threshold: { type: "string" },
      junit: { type: "string" },
      format: { type: "string" },
      filter: { type: "string" },
      seed: { type: "string" },
      runs: { type: "string" },
      watch: { type: "boolean" },
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
    const options: TestOptions = { dir, format, threshold, seed, runs, junit, filter, coverage: values["coverage"] === true };
    if (values["watch"] === true) {
      return watchAndRun(dir, io, async () => {
        try {
          return await testOnce(options, io);
        } catch (e) {
          if (e instanceof UsageError) {
            io.err(`kairos test: ${e.message}`);
            return EXIT.usage;
          }
          throw e;
        }
      });
    }
    return testOnce(options, io);
  },
};

interface TestOptions {
  readonly dir: string;
  readonly format: "text" | "json";
  readonly threshold: number | undefined;
  readonly seed: number | undefined;
  readonly runs: number | undefined;
  readonly junit: string | undefined;
  readonly filter: string | undefined;
  readonly coverage: boolean;
}

/** One run of the suite; the exit code. */
async function testOnce(o: TestOptions, io: Io): Promise<number> {
  const { dir, format, threshold, seed, runs, junit, filter } = o;
  // Compiled like `kairos compile` would (the OPA bundle included); the tests then run the
  // generated predicates behind the real engine and that bundle's Wasm policies.
  const compiled = await compilePolicyDir(dir);
  if ("usage" in compiled) throw new UsageError(compiled.usage);
  const diagnostics = compiled.diagnostics;
  const bundle = compiled.artifact?.files.get(ARTIFACT_PART.bundle);
  if (hasErrors(diagnostics) || !compiled.program || !compiled.tests || !bundle) {
    printDiagnostics(diagnostics, compiled.sources, io, format, undefined, { dir });
    if (format === "text") io.err(`kairos test: \`${dir}\` does not compile; no test was run`);
    return EXIT.usage;
  }
  // Warnings are shown (on stderr) but do not stop the run.
  if (diagnostics.length > 0 && format === "text") printDiagnostics(diagnostics, compiled.sources, io, "text", undefined, { dir });

  let engine;
  try {
    const policy = await PolicyEngine.load(bundle);
    engine = await engineFor(compiled.program, compiled.sources, policy, { policyHash: sha256Hex(bundle) });
  } catch (e) {
    if (e instanceof OpaError) {
      io.err(`kairos test: ${e.message}`);
      return EXIT.usage;
    }
    throw e;
  }
  const result = await runSuite(engine, compiled.program, compiled.tests, compiled.sources, {
    ...(filter !== undefined ? { filter } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(runs !== undefined ? { runs } : {}),
  });
  const metas = journeyMetas(engine);
  // Paths as the user gave the directory (like `check`), so editors open them from the cwd.
  const displayPath = (file: string) => shownPath(dir, file);
  if (format === "json") io.out(jsonOut(renderJson(result, { sources: compiled.sources, metas, displayPath })));
  else io.out(renderText(result, { sources: compiled.sources, metas, color: io.color, coverage: o.coverage || threshold !== undefined, displayPath }));
  if (junit !== undefined) {
    replaceFile(junit, renderJunit(result, metas, compiled.sources), JUNIT);
  }
  const below = threshold !== undefined && result.coverage.percent < threshold;
  if (below) io.err(`kairos test: coverage ${result.coverage.percent.toFixed(1)}% is below the threshold ${threshold}%`);
  if (compiled.tests.tests.length + compiled.tests.properties.length === 0 && format === "text")
    io.err("kairos test: the policy set has no `test` or `property` blocks; only the built-in properties ran (see docs/testing.md)");
  return result.failed > 0 || below ? EXIT.failed : EXIT.ok;
}
