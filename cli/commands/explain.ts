// `kairos explain LOG --decision ID`: the rationale of a logged decision — for legal review as
// Markdown, a self-contained HTML page or plain text, or the customer-facing sentence. Node
// texts come from the log itself (each writer logs a journey's metadata once, see
// docs/decision-log.md) or, with `--artifact OUT`, from the artifact that made the decision.
// `--format json` prints the decision and the structured rationale (the blocks every other
// format renders) for scripts.
import { statSync } from "node:fs";
import type { JourneyMeta } from "../../core/artifact.ts";
import { ArtifactError, importPredicates, PART, verifyArtifact } from "../../runtime/load.ts";
import { findDecision, lastEntries, LogError, type FoundEntry } from "../../runtime/log/index.ts";
import { readArtifactDir } from "../../runtime/node.ts";
import { customerSentence, fromLogEntry, legalReview, RATIONALE_FORMATS, renderRationale, type RationaleFormat } from "../../runtime/rationale/index.ts";
import { helpOf } from "../help/commands.ts";
import { EXIT, jsonOut, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";

const HELP = helpOf("explain");
const FORMATS: readonly string[] = [...RATIONALE_FORMATS, "json"];
const MIN_PREFIX = 6;
const LAST_IDS = 5;

/** The journeys of an artifact directory, after checking it is the one the decision was made with. */
async function artifactJourneys(dir: string, expected: string): Promise<ReadonlyMap<string, JourneyMeta>> {
  const files = await readArtifactDir(dir);
  const manifest = verifyArtifact(files);
  if (manifest.hash !== expected) {
    throw new ArtifactError(
      "artifact/hash-mismatch",
      `\`${dir}\` is artifact ${manifest.hash.slice(0, 16)}…, but the decision was made by ${expected.slice(0, 16)}…; its node texts would not match`,
    );
  }
  const predicates = await importPredicates(new TextDecoder().decode(files.get(PART.predicates)));
  return new Map(predicates.journeys.map((j) => [j.meta.id, j.meta]));
}

/** Exact id first; else a unique prefix of at least MIN_PREFIX characters (as git resolves hashes). */
function lookUp(log: string, id: string): { found: FoundEntry[]; ambiguous?: string[] } {
  const exact = findDecision(log, id);
  if (exact.length > 0 || id.length < MIN_PREFIX) return { found: exact };
  const byPrefix = findDecision(log, id, true);
  const ids = [...new Set(byPrefix.map((f) => f.entry.decision_id))];
  return ids.length > 1 ? { found: [], ambiguous: ids } : { found: byPrefix };
}

function notFound(io: Io, log: string, id: string): number {
  const last = lastEntries(log, LAST_IDS).map((e) => `\`${e.decision_id}\``);
  io.err(
    last.length === 0
      ? `kairos explain: no decision \`${id}\` in ${log}; it has no entries`
      : `kairos explain: no decision \`${id}\` in ${log}; the last ids are ${last.join(", ")}`,
  );
  return EXIT.failed;
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      decision: { type: "string", short: "d" },
      format: { type: "string" },
      artifact: { type: "string" },
      seq: { type: "string" },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one log file" : "missing the log file");
    const log = positionals[0]!;
    const id = values["decision"];
    if (typeof id !== "string" || id === "") throw new UsageError("missing `--decision ID`, the decision to explain");
    const format = (values["format"] ?? "md") as RationaleFormat | "json";
    if (!FORMATS.includes(format)) {
      throw new UsageError(`unknown format \`${String(values["format"])}\`; use ${FORMATS.map((f) => `\`${f}\``).join(", ")}`);
    }
    const seq = values["seq"] === undefined ? undefined : Number(values["seq"]);
    if (seq !== undefined && (!Number.isSafeInteger(seq) || seq < 1)) throw new UsageError("`--seq` takes an entry's seq number");

    let result: ReturnType<typeof lookUp>;
    try {
      result = lookUp(log, id);
      if (result.found.length === 0 && !result.ambiguous && lastEntries(log, 1).length === 0 && !isEmptyLog(log)) {
        io.err(`kairos explain: ${log} is not a Kairos decision log`);
        return EXIT.usage;
      }
    } catch (e) {
      if (e instanceof LogError) {
        io.err(`kairos explain: ${e.message}`);
        return EXIT.usage;
      }
      throw e;
    }
    if (result.ambiguous) {
      io.err(
        `kairos explain: \`${id}\` is the start of ${result.ambiguous.length} decision ids in ${log}: ${result.ambiguous
          .slice(0, 8)
          .map((x) => `\`${x}\``)
          .join(", ")}`,
      );
      return EXIT.failed;
    }
    if (result.found.length === 0) return notFound(io, log, id);

    // A replayed decision has the same id: the latest entry unless `--seq` picks another.
    const found = seq === undefined ? result.found.at(-1)! : result.found.find((f) => f.entry.seq === seq);
    if (!found) {
      io.err(
        `kairos explain: decision \`${result.found[0]!.entry.decision_id}\` has no entry with seq ${seq}; it is at seq ${result.found.map((f) => f.entry.seq).join(", ")}`,
      );
      return EXIT.failed;
    }
    if (seq === undefined && result.found.length > 1) {
      io.err(
        `note: decision \`${found.entry.decision_id}\` was logged ${result.found.length} times (seq ${result.found.map((f) => f.entry.seq).join(", ")}); explaining seq ${found.entry.seq} — use --seq to choose`,
      );
    }
    if (!found.intact) {
      io.err(`warning: entry seq ${found.entry.seq} does not match its hash — ${log} was altered; run \`kairos log verify ${log}\``);
    }

    let journeys: ReadonlyMap<string, JourneyMeta> = found.journeys;
    const artifact = values["artifact"];
    if (typeof artifact === "string") {
      try {
        journeys = await artifactJourneys(artifact, found.entry.artifact);
      } catch (e) {
        if (e instanceof ArtifactError) {
          io.err(`kairos explain: ${e.message}`);
          return EXIT.failed;
        }
        throw e;
      }
    }
    const missing = found.entry.evaluations.filter((ev) => !journeys.has(ev.journey)).map((ev) => `\`${ev.journey}\``);
    if (missing.length > 0 && format !== "customer") {
      io.err(`note: no metadata for ${missing.join(", ")} in ${log}; its trace shows node ids (give the artifact with --artifact OUT)`);
    }
    const input = fromLogEntry(found.entry, journeys, found.intact);
    if (format === "json") {
      const winner = input.decision.journey ? journeys.get(input.decision.journey) : undefined;
      io.out(
        jsonOut({
          decision_id: found.entry.decision_id,
          seq: found.entry.seq,
          intact: found.intact,
          decision: input.decision,
          customer_sentence: customerSentence(input.decision, winner),
          rationale: legalReview(input),
        }),
      );
      return EXIT.ok;
    }
    io.out(renderRationale(input, format));
    return EXIT.ok;
  },
};

function isEmptyLog(path: string): boolean {
  try {
    return statSync(path).size === 0;
  } catch {
    return false;
  }
}
