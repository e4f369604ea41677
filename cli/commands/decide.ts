// `kairos decide DIR --request FILE`: one decision as canonical JSON on stdout (spec §6).
// DIR is a policy set (compiled in memory) or an artifact directory; `--artifact OUT` names an
// artifact explicitly. Exit 0 whenever a decision was produced, whatever its outcome; 1 when
// the policies do not compile or the artifact cannot be loaded; 2 on usage errors and
// malformed request files.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { compilePolicyDir } from "../../compiler/node/index.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import { decisionJson, type Engine } from "../../runtime/engine.ts";
import { withReadableTraces } from "../../runtime/rationale/trace-json.ts";
import { parseJsonText } from "../../runtime/json-text.ts";
import { ArtifactError, loadEngine, PART, type ArtifactFileMap } from "../../runtime/load.ts";
import { readArtifactDir } from "../../runtime/node.ts";
import { OpaError } from "../../runtime/opa/index.ts";
import { formatProblems, parseRequest } from "../../runtime/request.ts";
import { printDiagnostics } from "../diagnostics-output.ts";
import { EXIT, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";
import { readTextFile } from "../read-text.ts";

/** A request file that is not a request: exit 2 with the file, the JSON path and the problem. */
class BadRequestFile extends Error {}

function readRequest(file: string): unknown {
  const text = readTextFile(file, "the request file"); // strict UTF-8: a CliError otherwise
  const json = parseJsonText(text);
  if (!json.ok) throw new BadRequestFile(`${file}:${json.line}:${json.column}: invalid JSON: ${json.message}`);
  // Shape first (cheap, no policies needed); the catalog-aware checks follow once loaded.
  const shape = parseRequest(json.value);
  if (!shape.ok) throw new BadRequestFile(formatProblems(shape.problems, file));
  return json.value;
}

/**
 * Compiles a policy directory in memory into an artifact's files. Returns undefined (after
 * printing diagnostics) when the policies do not compile.
 */
async function compileDir(dir: string, io: Io): Promise<ArtifactFileMap | undefined> {
  const compiled = await compilePolicyDir(dir);
  if ("usage" in compiled) throw new UsageError(compiled.usage);
  if (!compiled.artifact) {
    printDiagnostics(compiled.diagnostics, compiled.sources, io, "text");
    io.err(`kairos decide: \`${dir}\` does not compile; no decision was made`);
    return undefined;
  }
  return compiled.artifact.files;
}

async function openEngine(dir: string | undefined, artifact: string | undefined, io: Io): Promise<Engine | undefined> {
  if (artifact !== undefined) return loadEngine(await readArtifactDir(artifact));
  const target = dir!;
  if (existsSync(join(target, PART.manifest))) return loadEngine(await readArtifactDir(target));
  const files = await compileDir(target, io);
  return files ? loadEngine(files) : undefined;
}

export const command: Command = {
  summary: "make one decision for a request file and print it as JSON",
  usage: "kairos decide DIR --request FILE [--trace full|compact] | kairos decide --artifact OUT --request FILE",
  async run(argv, io) {
    const { values, positionals } = parse(argv, { request: { type: "string", short: "r" }, artifact: { type: "string" }, trace: { type: "string" } });
    if (values["trace"] !== undefined && values["trace"] !== "compact" && values["trace"] !== "full")
      throw new UsageError("`--trace` is `full` (default: each step with its expression) or `compact` (`[node, value]` pairs)");
    const requestFile = values["request"];
    const artifact = values["artifact"] as string | undefined;
    if (typeof requestFile !== "string" || requestFile === "") throw new UsageError("missing `--request FILE`, the request to decide");
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
      io.err(`kairos decide: the request does not fit the policy set\n${formatProblems(valid.problems, requestFile)}`);
      return EXIT.usage;
    }
    const decision = await engine.decide(raw);
    // `--trace compact` prints traces as the log stores them: `[node, value]` pairs.
    io.out(
      values["trace"] === "compact"
        ? decisionJson(decision)
        : canonicalJson(
            withReadableTraces(
              decision,
              engine.predicates.journeys.map((j) => j.meta),
            ) as never,
            2,
          ),
    );
    return EXIT.ok;
  },
};
