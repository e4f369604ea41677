// `kairos replay LOG --artifact OUT`: re-decides every logged decision from its sealed request and
// reports any difference. Two questions, kept apart: entries made by this artifact must replay
// byte for byte (evidence that decisions are deterministic; a difference is a defect, exit 1);
// entries made by another artifact are a what-if, summarized like `kairos diff` and never called
// "ok". Opening an authenticated log for re-deciding (openForReplay) is shared with `kairos diff`.
import { existsSync } from "node:fs";
import { renderDiff } from "../../runtime/diff.ts";
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
  type SubjectKeyLookup,
} from "../../runtime/log/index.ts";
import { loadEngineDir } from "../../runtime/node.ts";
import { CliError, EXIT, jsonOut, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";
import { helpOf } from "../help/commands.ts";

const clip = (v: unknown) => {
  const s = JSON.stringify(v) ?? "undefined";
  return s.length > 120 ? s.slice(0, 119) + "…" : s;
};

const HELP = helpOf("replay");

/** A log's keys, once the log was verified with its integrity key: what re-deciding its entries needs. */
export interface ReplayKeys {
  readonly key: LogKey;
  readonly subjectKeys?: SubjectKeyLookup;
}

const KEY_PROBLEMS: ReadonlySet<string> = new Set(["log/no-key", "log/weak-key", "log/key-permissions"]);

/** A LogError as a CliError: key problems are the user's to fix (exit 2), the rest failures. */
export function logCliError(e: LogError, extra = ""): CliError {
  return new CliError(`${e.message}${extra}`, { exit: KEY_PROBLEMS.has(e.code) ? EXIT.usage : EXIT.failed, ...(e.hint ? { hint: e.hint } : {}) });
}

/**
 * Verifies LOG with its integrity key and loads its pseudonymization key (and per-subject keys):
 * re-deciding trusts only an authenticated log — a forged entry (a dropped seal, another artifact)
 * must fail here, not pass as a what-if. decision-log/1 logs have no integrity key and are checked
 * by hash alone. Never creates a key. Throws UsageError / CliError saying what and how to fix it.
 */
export function openForReplay(log: string): ReplayKeys {
  const first = verifyLog(log);
  if (first.notALog) throw new UsageError(first.notALog);
  const v1 = first.format === LOG_FORMAT_V1;
  let integrityKey: LogKey | undefined;
  if (!v1 && first.entries > 0) {
    try {
      integrityKey = loadLogKey(log, { purpose: "integrity" });
    } catch (e) {
      if (e instanceof LogError) throw logCliError(e, `\n(entries are re-decided only from a log they can be authenticated in: set ${INTEGRITY_KEY_ENV})`);
      throw e;
    }
  }
  const v = integrityKey ? verifyLog(log, { integrityKey }) : first;
  if (!v.ok) {
    throw new CliError(`${log} is not intact (line ${v.firstBad?.line}: ${v.firstBad?.problem}); re-deciding needs an intact log`, {
      hint: `see \`kairos log verify ${log}\``,
    });
  }
  try {
    // Never create a key here: a missing key is an error (a new key could open nothing).
    const key = loadLogKey(log, { legacy: v1 });
    // Entries under per-subject keys open with their subject's key; an erased subject's are counted, not errors.
    const subjectKeys = !v1 && existsSync(subjectKeysFileFor(log)) ? FileSubjectKeyring.open(log, key) : undefined;
    return subjectKeys === undefined ? { key } : { key, subjectKeys };
  } catch (e) {
    if (e instanceof LogError) throw logCliError(e);
    throw e;
  }
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      artifact: { type: "string" },
      format: { type: "string" },
      show: { type: "string" },
      store: { type: "string" },
      "data-dir": { type: "string" },
    });
    const format = values["format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
    const show = values["show"] === undefined ? 10 : Number(values["show"]);
    if (!Number.isInteger(show) || show < 0) throw new UsageError("`--show` takes a whole number");
    const where = values["store"];
    if (where !== undefined) {
      // The service's log: every entry with the version that made it, from the store's registry.
      if (positionals.length > 0) throw new UsageError("give either a log file or `--store`, not both");
      if (values["artifact"] !== undefined) {
        throw new UsageError("`--store` replays each entry with the version that made it (from the registry); `--artifact` goes with a log file");
      }
      if (typeof where !== "string" || where === "") throw new UsageError("`--store` needs a PostgreSQL URL, `sqlite:PATH` or a data directory");
      const { openStoreAt } = await import("../../server/store/location.ts");
      const { replayStore } = await import("../replay-store.ts");
      let store;
      try {
        store = await openStoreAt(where, values["data-dir"] as string | undefined);
      } catch (e) {
        if (e instanceof Error && e.name === "StoreError") {
          const { code, hint } = e as Error & { code?: string; hint?: string };
          throw new CliError(e.message, { exit: code === "store/bad-location" ? EXIT.usage : EXIT.failed, ...(hint ? { hint } : {}) });
        }
        throw e;
      }
      try {
        return await replayStore(store, where, { format, show }, io);
      } finally {
        await store.close();
      }
    }
    if (values["data-dir"] !== undefined) throw new UsageError("`--data-dir` goes with `--store` (where the store's key files are)");
    if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one log file" : "missing the decision log file (or `--store`)");
    const artifact = values["artifact"];
    if (typeof artifact !== "string") throw new UsageError("missing `--artifact OUT`, the compiled artifact to replay with");
    const log = positionals[0]!;

    const keys = openForReplay(log);
    let engine;
    try {
      engine = await loadEngineDir(artifact);
    } catch (e) {
      io.err(`kairos replay: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.failed;
    }
    let result;
    try {
      result = await replayLog(
        log,
        engine,
        keys.key,
        (n) => format === "text" && process.stderr.isTTY && process.stderr.write(`\rreplayed ${n.toLocaleString("en-US")}…`),
        keys.subjectKeys,
      );
    } catch (e) {
      if (e instanceof LogError) throw logCliError(e);
      throw e;
    }
    if (format === "text" && process.stderr.isTTY) process.stderr.write("\r");
    const defects = result.differences.filter((d) => !d.otherArtifact);
    const same = result.replayed - result.otherArtifact;
    if (format === "json") {
      io.out(jsonOut({ ...result, artifact: engine.hash, sameArtifact: same, defects: defects.length }));
      return defects.length ? EXIT.failed : EXIT.ok;
    }
    const n = (x: number) => x.toLocaleString("en-US");
    io.out(`replayed ${n(result.replayed)} of ${n(result.entries)} entries with artifact ${engine.hash.slice(0, 12)}`);
    if (result.unsealed) io.out(`${result.unsealed} entries carry no sealed request and were not replayed`);
    if (result.purged) io.out(`${result.purged} entries had their sealed request purged (retention or erasure) and were not replayed`);
    if (result.erased) io.out(`${result.erased} entries are about erased subjects (their per-subject keys were destroyed) and were not replayed`);
    // Same artifact: must be identical.
    if (same > 0) {
      io.out(`same artifact: ${n(same)} entries made by this artifact, ${n(same - defects.length)} identical, ${n(defects.length)} different`);
      for (const d of defects.slice(0, show)) {
        io.out(`  line ${d.line} (seq ${d.seq}, ${d.decision_id}): ${d.path}\n      logged:   ${clip(d.logged)}\n      replayed: ${clip(d.replayed)}`);
      }
      if (defects.length > show) io.out(`  … ${defects.length - show} more (--show N, or --format json)`);
      if (!defects.length) io.out("ok: every decision made by this artifact replays byte for byte");
    } else if (result.replayed) {
      io.out("same artifact: no entry was made by this artifact, so nothing was checked for determinism");
    }
    // Another artifact: a what-if, never a defect and never "ok".
    if (result.whatIf) {
      io.out(`what-if: ${n(result.otherArtifact)} entries were made by another artifact; this is what this artifact would decide instead (not a check):`);
      const text = renderDiff(result.whatIf, "text").trimEnd();
      io.out(text.replace(/^(?=.)/gm, "  "));
      io.out(`(to compare two versions on this traffic: \`kairos diff OLD NEW --log ${log}\`)`);
    }
    return defects.length ? EXIT.failed : EXIT.ok;
  },
};
