// `kairos check DIR [--format json] [--strict] [--watch]`: diagnostics only, the Rego's included.
// Paths are printed as the user gave DIR (cli/diagnostics-output.ts); `--strict` makes warnings
// fail; `--watch` re-checks on every change (cli/watch.ts).
import { compilePolicyDir } from "../../compiler/node/index.ts";
import { approvalDiagnostics } from "../../server/approval-check.ts";
import { parseFormat, plural, printDiagnostics, shownPath, type OutputFormat } from "../diagnostics-output.ts";
import { helpOf } from "../help/commands.ts";
import { EXIT, jsonOut, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";
import { watchAndRun } from "../watch.ts";

const HELP = helpOf("check");

async function checkOnce(dir: string, io: Io, format: OutputFormat, strict: boolean): Promise<number> {
  // `check` mode: diagnostics only, the policy set's own Rego built by OPA too (a clean check
  // means a clean compile).
  const result = await compilePolicyDir(dir, { mode: "check" });
  if ("usage" in result) {
    if (format === "json") io.out(jsonOut({ diagnostics: [], error: result.usage }));
    throw new UsageError(result.usage);
  }
  const journeys = result.files.reduce((n, f) => n + f.decls.filter((d) => d.kind === "journey").length, 0);
  const summary = `ok: ${plural(journeys, "journey")} in ${plural(result.input.journeys.length, "file")} checked against ${shownPath(dir, result.input.catalog.name)}`;
  // DPO approvals (docs/approvals.md): journeys `kairos serve` would leave inactive, records it would
  // refuse — only for a policy set without errors (an approval covers what compiles).
  const clean = result.program !== undefined && !result.diagnostics.some((d) => d.severity === "error");
  const approvals = clean ? approvalDiagnostics(dir, result.program!, result.sources) : [];
  const waiting = approvals.filter((d) => d.code === "approval/required").length;
  const said = waiting > 0 ? `${summary}; ${plural(waiting, "journey")} wait${waiting === 1 ? "s" : ""} for a DPO approval (\`kairos approve\`)` : summary;
  const failures = printDiagnostics([...result.diagnostics, ...approvals], result.sources, io, format, said, { dir, strict });
  return failures ? EXIT.failed : EXIT.ok;
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, { format: { type: "string" }, strict: { type: "boolean" }, watch: { type: "boolean" } });
    const format = parseFormat(values["format"]);
    if (!format) throw new UsageError(`unknown format \`${String(values["format"])}\`; use \`text\` or \`json\``);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one policy directory" : "missing the policy directory");
    const dir = positionals[0]!;
    const strict = values["strict"] === true;
    if (values["watch"] === true) {
      return watchAndRun(dir, io, async () => {
        try {
          return await checkOnce(dir, io, format, strict);
        } catch (e) {
          if (e instanceof UsageError) {
            io.err(`kairos check: ${e.message}`);
            return EXIT.usage;
          }
          throw e;
        }
      });
    }
    return checkOnce(dir, io, format, strict);
  },
};
