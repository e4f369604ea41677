// `kairos replay LOG --artifact OUT`: re-decides every logged decision from its sealed
// request and reports any difference — evidence that decisions are deterministic.
import { existsSync } from "node:fs";
import {
  FileSubjectKeyring,
  INTEGRITY_KEY_ENV,
  loadLogKey,
  LOG_FORMAT_V1,
  LogError,
  replayLog,
  subjectKeysFileFor,
  verifyLog,
  type LogKey,
} from "../../runtime/log/index.ts";
import { loadEngineDir } from "../../runtime/node.ts";
import { EXIT, jsonOut, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";
import { helpOf } from "../help/commands.ts";

const clip = (v: unknown) => {
  const s = JSON.stringify(v) ?? "undefined";
  return s.length > 120 ? s.slice(0, 119) + "…" : s;
};

const HELP = helpOf("replay");

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, { artifact: { type: "string" }, format: { type: "string" }, show: { type: "string" } });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one log file" : "missing the decision log file");
    const artifact = values["artifact"];
    if (typeof artifact !== "string") throw new UsageError("missing `--artifact OUT`, the compiled artifact to replay with");
    const format = values["format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
    const show = values["show"] === undefined ? 10 : Number(values["show"]);
    if (!Number.isInteger(show) || show < 0) throw new UsageError("`--show` takes a whole number");
    const log = positionals[0]!;

    // Replay trusts what it re-decides only from an authenticated log: a forged entry (a dropped
    // seal, another artifact) must fail here, not pass as a what-if. decision-log/1 logs have
    // no integrity key and are checked by hash alone.
    const first = verifyLog(log);
    if (first.notALog) throw new UsageError(first.notALog);
    const v1 = first.format === LOG_FORMAT_V1;
    let integrityKey: LogKey | undefined;
    if (!v1 && first.entries > 0) {
      try {
        integrityKey = loadLogKey(log, { purpose: "integrity" });
      } catch (e) {
        if (e instanceof LogError) {
          io.err(
            `kairos replay: ${e.message}${e.hint ? `\nhelp: ${e.hint}` : ""}\n(replay re-decides only entries it can authenticate: set ${INTEGRITY_KEY_ENV})`,
          );
          return EXIT.usage;
        }
        throw e;
      }
    }
    const v = integrityKey ? verifyLog(log, { integrityKey }) : first;
    if (!v.ok) {
      io.err(
        `kairos replay: ${log} is not intact (line ${v.firstBad?.line}: ${v.firstBad?.problem}); replay needs an intact log — see \`kairos log verify ${log}\``,
      );
      return EXIT.failed;
    }
    let engine;
    try {
      engine = await loadEngineDir(artifact);
    } catch (e) {
      io.err(`kairos replay: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.failed;
    }
    let result;
    try {
      // Never create a key here: a missing key is an error (a new key could open nothing).
      const key = loadLogKey(log, { legacy: v1 });
      // Entries under per-subject keys open with their subject's key; an erased subject's are counted, not errors.
      const subjectKeys = !v1 && existsSync(subjectKeysFileFor(log)) ? FileSubjectKeyring.open(log, key) : undefined;
      result = await replayLog(
        log,
        engine,
        key,
        (n) => format === "text" && process.stderr.isTTY && process.stderr.write(`\rreplayed ${n.toLocaleString("en-US")}…`),
        subjectKeys,
      );
    } catch (e) {
      if (e instanceof LogError) {
        io.err(`kairos replay: ${e.message}${e.hint ? `\nhelp: ${e.hint}` : ""}`);
        return e.code === "log/no-key" || e.code === "log/weak-key" || e.code === "log/key-permissions" ? EXIT.usage : EXIT.failed;
      }
      throw e;
    }
    if (format === "text" && process.stderr.isTTY) process.stderr.write("\r");
    const defects = result.differences.filter((d) => !d.otherArtifact);
    if (format === "json") {
      io.out(jsonOut({ ...result, artifact: engine.hash }));
    } else {
      io.out(
        `replayed ${result.replayed.toLocaleString("en-US")} of ${result.entries.toLocaleString("en-US")} entries with artifact ${engine.hash.slice(0, 12)}: ${result.identical.toLocaleString("en-US")} identical, ${result.differences.length.toLocaleString("en-US")} different`,
      );
      if (result.unsealed) io.out(`${result.unsealed} entries carry no sealed request and were not replayed`);
      if (result.purged) io.out(`${result.purged} entries had their sealed request purged (retention or erasure) and were not replayed`);
      if (result.erased) io.out(`${result.erased} entries are about erased subjects (their per-subject keys were destroyed) and were not replayed`);
      if (result.otherArtifact)
        io.out(`${result.otherArtifact} entries were decided by another artifact: their differences show what this artifact would decide instead`);
      for (const d of result.differences.slice(0, show)) {
        io.out(
          `  line ${d.line} (seq ${d.seq}, ${d.decision_id})${d.otherArtifact ? " [other artifact]" : ""}: ${d.path}\n      logged:   ${clip(d.logged)}\n      replayed: ${clip(d.replayed)}`,
        );
      }
      if (result.differences.length > show) io.out(`  … ${result.differences.length - show} more (--show N, or --format json)`);
      if (!defects.length && result.replayed) io.out("ok: every decision made by this artifact replays byte for byte");
    }
    return defects.length ? EXIT.failed : EXIT.ok;
  },
};
