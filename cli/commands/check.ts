// `kairos check DIR [--format json]`: diagnostics only (spec §6).
import { checkSources } from "../../compiler/pipeline.ts";
import { readPolicyDir } from "../../compiler/node/policy-dir.ts";
import { SourceSet } from "../../core/source.ts";
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
    const read = readPolicyDir(positionals[0]!);
    if (!read.sources) {
      if (format === "json") io.out(JSON.stringify({ diagnostics: [], error: read.usage }));
      throw new UsageError(read.usage ?? "cannot read the policy directory");
    }
    const result = checkSources(read.sources);
    const diagnostics = [...read.diagnostics, ...result.diagnostics];
    const journeys = result.files.reduce((n, f) => n + f.decls.filter((d) => d.kind === "journey").length, 0);
    const summary = `ok: ${plural(journeys, "journey")} in ${plural(read.sources.journeys.length, "file")} checked against ${read.sources.catalog.name}`;
    const errors = printDiagnostics(diagnostics, result.sources ?? new SourceSet(), io, format, summary);
    return errors ? EXIT.failed : EXIT.ok;
  },
};
