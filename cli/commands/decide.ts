// `kairos decide DIR --request FILE|-`: one decision as canonical JSON on stdout, or with
// `--explain [text|md]` its rationale (like `opa eval --explain`); `--log FILE` also appends it
// to a decision log. DIR is a policy set (compiled in memory) or an artifact directory;
// `--artifact OUT` names an artifact explicitly. Exit 0 when a decision was made; 1 when its
// outcome is `error` (unless `--allow-error`), the policies do not compile or the artifact
// cannot be loaded; 2 on usage errors and malformed requests.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { compilePolicyDir } from "../../compiler/node/index.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import { decisionJson, type Engine } from "../../runtime/engine.ts";
import { DecisionLog, LogError } from "../../runtime/log/index.ts";
import { fromDecision, RATIONALE_FORMATS, renderRationale, type RationaleFormat } from "../../runtime/rationale/index.ts";
import { withReadableTraces } from "../../runtime/rationale/trace-json.ts";
import { parseJsonText } from "../../runtime/json-text.ts";
import { ArtifactError, loadEngine, PART, type ArtifactFileMap } from "../../runtime/load.ts";
import { loadEngineDir } from "../../runtime/node.ts";
import { OpaError } from "../../runtime/opa/index.ts";
import { formatProblems, parseRequest } from "../../runtime/request.ts";
import { printDiagnostics } from "../diagnostics-output.ts";
import { helpOf } from "../help/commands.ts";
import { EXIT, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";
import { readTextFile } from "../read-text.ts";

/** A request file that is not a request: exit 2 with the file, the JSON path and the problem. */
class BadRequestFile extends Error {}

const HELP = helpOf("decide");

/** How a request file is named in messages: stdin has no name of its own. */
const shownName = (file: string) => (file === "-" ? "<stdin>" : file);

function readRequest(file: string): unknown {
  const text = readTextFile(file, "the request file"); // strict UTF-8: a CliError otherwise
  const json = parseJsonText(text);
  if (!json.ok) throw new BadRequestFile(`${shownName(file)}:${json.line}:${json.column}: invalid JSON: ${json.message}`);
  // Shape first (cheap, no policies needed); the catalog-aware checks follow once loaded.
  const shape = parseRequest(json.value);
  if (!shape.ok) throw new BadRequestFile(formatProblems(shape.problems, shownName(file)));
  return json.value;
}

/**
 * `--explain` takes an optional format (`--explain`, `--explain md`, `--explain=md`), which
 * `util.parseArgs` cannot express: a bare `--explain` becomes `--explain=text` first.
 */
function explainDefault(argv: readonly string[]): string[] {
  return argv.map((a, i) => (a === "--explain" && !(RATIONALE_FORMATS as readonly string[]).includes(argv[i + 1] ?? "") ? "--explain=text" : a));
}

/**
 * Compiles a policy directory in memory into an artifact's files. Returns undefined (after
 * printing diagnostics) when the policies do not compile.
 */
async function compileDir(dir: string, io: Io): Promise<ArtifactFileMap | undefined> {
  const compiled = await compilePolicyDir(dir);
  if ("usage" in compiled) throw new UsageError(compiled.usage);
  if (!compiled.artifact) {
    printDiagnostics(compiled.diagnostics, compiled.sources, io, "text", undefined, { dir });
    io.err(`kairos decide: \`${dir}\` does not compile; no decision was made`);
    return undefined;
  }
  return compiled.artifact.files;
}

async function openEngine(dir: string | undefined, artifact: string | undefined, io: Io): Promise<Engine | undefined> {
  if (artifact !== undefined) return loadEngineDir(artifact);
  const target = dir!;
  if (existsSync(join(target, PART.manifest))) return loadEngineDir(target);
  const files = await compileDir(target, io);
  return files ? loadEngine(files) : undefined;
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(explainDefault(argv), {
      request: { type: "string", short: "r" },
      artifact: { type: "string" },
      trace: { type: "string" },
      explain: { type: "string" },
      log: { type: "string" },
      "allow-error": { type: "boolean" },
    });
    if (values["trace"] !== undefined && values["trace"] !== "compact" && values["trace"] !== "full")
      throw new UsageError("`--trace` is `full` (default: each step with its expression) or `compact` (`[node, value]` pairs)");
    const explain = values["explain"] as RationaleFormat | undefined;
    if (explain !== undefined && !RATIONALE_FORMATS.includes(explain))
      throw new UsageError(`\`--explain\` is ${RATIONALE_FORMATS.map((f) => `\`${f}\``).join(", ")} (default \`text\`), not \`${String(explain)}\``);
    const logFile = values["log"];
    if (logFile !== undefined && (typeof logFile !== "string" || logFile === "")) throw new UsageError("`--log` needs the decision log's file name");
    const requestFile = values["request"];
    const artifact = values["artifact"] as string | undefined;
    if (typeof requestFile !== "string" || requestFile === "")
      throw new UsageError("missing `--request FILE` (or `--request -` for stdin), the request to decide");
    if (positionals.length > 1) throw new UsageError("give exactly one policy directory");
    if (positionals.length === 1 && artifact !== undefined) throw new UsageError("give either a policy directory or `--artifact OUT`, not both");
    if (positionals.length === 0 && artifact === undefined) throw new UsageError("missing the policy directory (or `--artifact OUT`)");

    let raw: unknown;
    try {
      raw = readRequest(requestFile);
    } catch (e) {
      if (!(e instanceof BadRequestFile)) throw e;
      io.err(`kairos decide: the request is malformed\n${e.message}`);
      return EXIT.usage;
    }

    let engine: Engine | undefined;
    try {
      engine = await openEngine(positionals[0], artifact, io);
    } catch (e) {
      if (e instanceof ArtifactError || e instanceof OpaError) {
        io.err(`kairos decide: ${e.message}`);
        return EXIT.failed;
      }
      throw e;
    }
    if (!engine) return EXIT.failed;

    const valid = engine.validate(raw);
    if (!valid.ok) {
      io.err(`kairos decide: the request does not fit the policy set\n${formatProblems(valid.problems, shownName(requestFile))}`);
      return EXIT.usage;
    }
    const metas = engine.predicates.journeys.map((j) => j.meta);
    let log: DecisionLog | undefined;
    if (typeof logFile === "string") {
      try {
        log = DecisionLog.open(logFile, { pii: engine.catalog, journeys: metas, onWarning: (m) => io.err(`kairos decide: warning: ${m}`) });
      } catch (e) {
        if (!(e instanceof LogError)) throw e;
        io.err(`kairos decide: ${e.message}${e.hint ? `\nhelp: ${e.hint}` : ""}`);
        return EXIT.failed;
      }
    }
    let decision;
    try {
      decision = await engine.decide(raw, log ? { sink: log } : {});
    } finally {
      log?.close();
    }
    if (explain !== undefined) {
      io.out(renderRationale(fromDecision(decision, metas), explain));
    } else {
      // `--trace compact` prints traces as the log stores them: `[node, value]` pairs.
      io.out(values["trace"] === "compact" ? decisionJson(decision) : canonicalJson(withReadableTraces(decision, metas) as never, 2));
    }
    if (log) io.err(`logged decision ${decision.decision_id} to ${logFile}; explain it with \`kairos explain ${logFile} --decision ${decision.decision_id}\``);
    if (decision.outcome === "error" && values["allow-error"] !== true) {
      io.err(`kairos decide: the outcome is \`error\`${decision.error ? `: ${decision.error.message}` : ""} (exit 1; \`--allow-error\` exits 0)`);
      return EXIT.failed;
    }
    return EXIT.ok;
  },
};
