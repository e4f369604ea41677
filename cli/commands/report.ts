// `kairos report processing DIR|ARTIFACT [--format md|html|csv|json] [--out FILE] [--date YYYY-MM-DD]`:
// the records of processing activities (GDPR Art. 30) of a policy set, with its legal-basis map
// and risk checklist (compiler/governance/, docs/processing.md). A policy set is checked like
// `kairos check` (without building its Rego, which the record does not read): a set with errors
// gets no record, since it describes processing that cannot run. A compiled artifact (a
// directory with `manifest.json`) is verified against its manifest and read as deployed: the
// catalog it carries and its journeys' metadata. `--out` replaces only a new file or a record an
// earlier run wrote, atomically. `kairos report value` (proof of value, docs/value.md) is cli/report-value.ts.
import { existsSync } from "node:fs";
import { extname, join } from "node:path";
import { hasErrors } from "../../core/diagnostics.ts";
import { catalogFromJson } from "../../core/catalog/serialize.ts";
import {
  buildProcessingRecord,
  PROCESSING_CSV_COLUMNS,
  PROCESSING_FORMATS,
  PROCESSING_GENERATOR,
  PROCESSING_RECORD_FORMAT,
  processingInputOfArtifact,
  processingInputOfProgram,
  renderProcessingRecord,
  type ProcessingFormat,
  type ProcessingInput,
} from "../../compiler/governance/index.ts";
import { readPolicyDir } from "../../compiler/node/index.ts";
import { checkSources } from "../../compiler/pipeline.ts";
import { plural, printDiagnostics } from "../diagnostics-output.ts";
import { helpOf } from "../help/commands.ts";
import { ARTIFACT_PART } from "../../core/artifact.ts";
import { ArtifactError, importPredicates, verifyArtifact } from "../../runtime/load.ts";
import { readArtifactDir } from "../../runtime/node.ts";
import { CliError, EXIT, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";
import { checkReplaceable, replaceFile, type ReplaceOptions } from "../write-file.ts";

const HELP = helpOf("report");
const REPORTS = ["processing", "value"];

/** `--out` replaces only a record an earlier run wrote, in any of the four formats. */
const OUT: ReplaceOptions = {
  accept: (head) => {
    const text = head.toString("utf8");
    return (
      text.includes(PROCESSING_GENERATOR) || text.startsWith(PROCESSING_CSV_COLUMNS.join(",")) || text.includes(`"$kairos": "${PROCESSING_RECORD_FORMAT}"`)
    );
  },
  what: "a records-of-processing report",
  refusal: "give `--out` a new file name, or a report an earlier `kairos report processing` wrote",
};

const EXTENSIONS: Readonly<Record<string, ProcessingFormat>> = {
  ".md": "md",
  ".markdown": "md",
  ".html": "html",
  ".htm": "html",
  ".csv": "csv",
  ".json": "json",
};

/** The format: `--format`, else the extension of `--out`, else Markdown. */
function formatOf(given: unknown, out: string | undefined): ProcessingFormat {
  if (given !== undefined) {
    if (typeof given === "string" && (PROCESSING_FORMATS as readonly string[]).includes(given)) return given as ProcessingFormat;
    throw new UsageError(`unknown format \`${String(given)}\`; use ${PROCESSING_FORMATS.map((f) => `\`${f}\``).join(", ")}`);
  }
  return (out !== undefined ? EXTENSIONS[extname(out).toLowerCase()] : undefined) ?? "md";
}

/** `--date`: a real calendar date written `YYYY-MM-DD`. */
function dateOf(given: unknown): string | undefined {
  if (given === undefined) return undefined;
  const text = String(given);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
    throw new UsageError(`\`--date ${text}\` is not a date; write it as YYYY-MM-DD, e.g. \`--date 2026-12-06\``);
  }
  return text;
}

/** A compiled artifact, verified, as the record's input. ArtifactErrors become CLI errors: unreadable → 2, not intact → 1. */
async function artifactInput(dir: string): Promise<ProcessingInput> {
  let files;
  try {
    files = await readArtifactDir(dir);
  } catch (e) {
    if (!(e instanceof ArtifactError)) throw e;
    throw new CliError(e.message, { exit: EXIT.usage, hint: "an artifact is the directory `kairos compile DIR --out ARTIFACT` writes" });
  }
  try {
    const manifest = verifyArtifact(files);
    const decode = (path: string) => {
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(files.get(path));
      } catch (e) {
        throw new ArtifactError("artifact/bad-part", `\`${path}\` is not UTF-8 text`, e);
      }
    };
    const catalogText = decode(ARTIFACT_PART.catalog);
    let catalog;
    try {
      catalog = catalogFromJson(JSON.parse(catalogText));
    } catch (e) {
      throw new ArtifactError("artifact/bad-part", `\`${ARTIFACT_PART.catalog}\` is not a catalog`, e);
    }
    const predicates = await importPredicates(decode(ARTIFACT_PART.predicates));
    return processingInputOfArtifact(
      catalog,
      predicates.journeys.map((j) => j.meta),
      manifest,
    );
  } catch (e) {
    if (!(e instanceof ArtifactError)) throw e;
    throw new CliError(`\`${dir}\` is not intact: ${e.message}`, { exit: EXIT.failed, hint: "recompile it with `kairos compile`" });
  }
}

/** A policy directory, checked, as the record's input; undefined (diagnostics printed) when it has errors. */
function policySetInput(dir: string, io: Io): ProcessingInput | undefined {
  const read = readPolicyDir(dir);
  if (!read.sources) throw new UsageError(read.usage ?? `cannot read the policy directory \`${dir}\``);
  const checked = checkSources(read.sources);
  const diagnostics = [...read.diagnostics, ...checked.diagnostics];
  if (diagnostics.length > 0) printDiagnostics(diagnostics, checked.sources, io, "text", undefined, { dir });
  if (hasErrors(diagnostics) || !checked.program) return undefined;
  return processingInputOfProgram(checked.program, read.sources, checked.sources);
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    if (argv[0] === "value") return (await import("../report-value.ts")).runValueReport(argv.slice(1), io);
    // An option of `report value` before any report is named (`kairos report --store …`): say what is missing.
    const first = argv[0];
    if (first !== undefined && /^--(store|policies|as-of|data-dir)(=|$)/.test(first))
      throw new UsageError(`missing the report before \`${first.split("=")[0]}\`: \`kairos report value --store URL --policies DIR|ARTIFACT [options]\``);
    const { values, positionals } = parse(argv, { format: { type: "string" }, out: { type: "string", short: "o" }, date: { type: "string" } });
    const [report, dir, ...extra] = positionals;
    if (report === undefined)
      throw new UsageError("missing the report: `kairos report processing DIR|ARTIFACT` or `kairos report value --store URL --policies DIR|ARTIFACT`");
    if (report === "value") throw new UsageError("name the report first: `kairos report value --store URL --policies DIR|ARTIFACT [options]`");
    if (!REPORTS.includes(report)) throw new UsageError(`unknown report \`${report}\`; the reports: ${REPORTS.map((r) => `\`${r}\``).join(", ")}`);
    if (dir === undefined) throw new UsageError("missing the policy directory (or compiled artifact)");
    if (extra.length > 0) throw new UsageError("give exactly one policy directory (or compiled artifact)");
    const out = values["out"];
    if (out !== undefined && (typeof out !== "string" || out === "")) throw new UsageError("`--out` needs a file name");
    const format = formatOf(values["format"], out);
    const date = dateOf(values["date"]);
    // Refuse an output it must not replace before any work.
    if (out !== undefined) checkReplaceable(out, OUT);

    const input = existsSync(join(dir, ARTIFACT_PART.manifest)) ? await artifactInput(dir) : policySetInput(dir, io);
    if (!input) {
      io.err(`kairos report: no record written: the policy set has errors; fix them first (\`kairos check ${dir}\`)`);
      return EXIT.failed;
    }
    const record = buildProcessingRecord(input, date !== undefined ? { date } : {});
    const text = renderProcessingRecord(record, format);
    if (out === undefined) {
      io.out(text);
      return EXIT.ok;
    }
    replaceFile(out, text, OUT);
    const attention = record.checklist.reduce((n, g) => n + g.checks.filter((c) => c.status === "attention").length, 0);
    const journeys = record.purposes.reduce((n, p) => n + p.journeys.length, 0);
    io.out(
      `wrote the records of processing (${format}) to ${out}: ${plural(record.purposes.length, "purpose")}, ` +
        `${plural(journeys, "journey")}, ${plural(attention, "checklist item")} for attention`,
    );
    return EXIT.ok;
  },
};
