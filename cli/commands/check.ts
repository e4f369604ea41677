// `kairos check DIR [--format json]`: diagnostics only (spec §6), the Rego's included.
import { compilePolicyDir } from "../../compiler/node/index.ts";
import { parseFormat, plural, printDiagnostics } from "../diagnostics-output.ts";
import { EXIT, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";

export const command: Command = {
  summary: "check a policy set and report diagnostics",
  usage: "kairos check DIR [--format text|json]",
  async run(argv, io) {
    const { values, positionals } = parse(argv, { format: { type: "string" } });
    const format = parseFormat(values["format"]);
    if (!format) throw new UsageError(`unknown format \`${String(values["format"])}\`; use \`text\` or \`json\``);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one policy directory" : "missing the policy directory");
    // `check` mode: diagnostics only, the policy set's own Rego built by OPA too (a clean check
    // means a clean compile).
    const result = await compilePolicyDir(positionals[0]!, { mode: "check" });
    if ("usage" in result) {
      if (format === "json") io.out(JSON.stringify({ diagnostics: [], error: result.usage }));
      throw new UsageError(result.usage);
    }
    const journeys = result.files.reduce((n, f) => n + f.decls.filter((d) => d.kind === "journey").length, 0);
    const summary = `ok: ${plural(journeys, "journey")} in ${plural(result.input.journeys.length, "file")} checked against ${result.input.catalog.name}`;
    const errors = printDiagnostics(result.diagnostics, result.sources, io, format, summary);
    return errors ? EXIT.failed : EXIT.ok;
  },
};
