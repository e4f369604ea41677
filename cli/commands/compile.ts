// `kairos compile DIR --out OUT`: check, then write the artifact (spec §3). Nothing is written
// when there are errors, and OUT is replaced atomically — and only when it is missing, empty or
// an earlier artifact: anything else (a file, the policy directory, `.`, a directory of other
// files) is refused with exit 2 before anything is touched (compiler/node/artifact-write.ts).
import { compilePolicySet } from "../../compiler/index.ts";
import { checkArtifactOut, nodeCompileOptions, readPolicyDir, writeArtifactDir } from "../../compiler/node/index.ts";
import { parseFormat, plural, printDiagnostics } from "../diagnostics-output.ts";
import { EXIT, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";
import { helpOf } from "../help/commands.ts";

const HELP = helpOf("compile");

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, { out: { type: "string", short: "o" }, format: { type: "string" } });
    const format = parseFormat(values["format"]);
    if (!format) throw new UsageError(`unknown format \`${String(values["format"])}\`; use \`text\` or \`json\``);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one policy directory" : "missing the policy directory");
    const out = values["out"];
    if (typeof out !== "string" || out === "") throw new UsageError("missing `--out OUT`, the artifact directory to write");
    const dir = positionals[0]!;
    const read = readPolicyDir(dir);
    if (!read.sources) throw new UsageError(read.usage ?? "cannot read the policy directory");
    // Refuse a dangerous OUT before the work, not after it (and again when writing, in case
    // it changed meanwhile).
    const guard = { protect: [dir] };
    checkArtifactOut(out, guard);
    const result = await compilePolicySet(read.sources, nodeCompileOptions({ diagnostics: read.diagnostics }));
    const errors = printDiagnostics(result.diagnostics, result.sources, io, format, undefined, { dir });
    const built = result.artifact;
    if (errors || !built) {
      if (format === "text") io.err(`not compiled: ${plural(errors, "error")}; ${out} was left as it was`);
      return EXIT.failed;
    }
    const written = writeArtifactDir(out, built.files, guard);
    for (const w of written.warnings) io.err(`kairos compile: warning: ${w}`);
    if (format === "text") {
      const m = built.manifest;
      io.out(
        [
          `compiled ${plural(m.journeys.length, "journey")} → ${out}`,
          `  artifact  ${m.hash.slice(0, 16)}  (kairos ${m.compiler.version}, OPA ${m.opa?.version ?? "-"}${m.opa?.default_policies ? ", standard consent/residency policies" : ""})`,
          ...m.journeys.map(
            (j) =>
              `  ${j.id.padEnd(32)} on ${(j.trigger + (j.timers.length ? ` after ${j.timers.join(", ")}` : "")).padEnd(28)} reads ${j.fields.length ? j.fields.join(", ") : "(nothing)"}`,
          ),
        ].join("\n"),
      );
    }
    return EXIT.ok;
  },
};
