// `kairos diff OLD NEW (--log LOG | --store URL|DATA_DIR)`: what a change would do to whom, before
// it is released (docs/diff.md). Every recorded request (an entry's sealed request, opened as
// `kairos replay` opens it) is decided again under OLD and under NEW — with the journeys its
// writer had left inactive or found stopped, as replay does — and the pairs of decisions are
// summarized by runtime/diff.ts: outcome transitions per journey, subjects newly reached or
// dropped, consent and residency denials, examples with their rationale. `--fail-on` turns it
// into a CI gate. The store's modules load only for `--store`.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compilePolicyDir } from "../../compiler/node/index.ts";
import { breachesOf, type DiffFormat, type DiffSource, DiffSummarizer, digestOf, parseFailOn, renderDiff, type FailOnRule } from "../../runtime/diff.ts";
import type { Engine } from "../../runtime/engine.ts";
import { FileSubjectKeyring, LogError, subjectKeysFileFor, verifyLog, type LogKey } from "../../runtime/log/index.ts";
import { openEntries, type OpenedCounts, Redecider, type SubjectKeyLookup } from "../../runtime/log/replay.ts";
import { ArtifactError, loadEngine, PART } from "../../runtime/load.ts";
import { loadEngineDir } from "../../runtime/node.ts";
import { printDiagnostics } from "../diagnostics-output.ts";
import { helpOf } from "../help/commands.ts";
import { CliError, EXIT, jsonOut, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { logCliError, openForReplay, type ReplayKeys } from "./replay.ts";

const HELP = helpOf("diff");
const FORMATS: readonly DiffFormat[] = ["text", "md", "json"];

/** One log file to re-decide, with the keys that open it. */
interface LogSource {
  readonly file: string;
  readonly key: LogKey;
  readonly subjectKeys?: SubjectKeyLookup;
}

/** An ISO 8601 time option as milliseconds, or a usage error naming the option. */
function timeOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`\`--${name}\` takes an ISO 8601 time such as 2026-12-01 or 2026-12-01T09:00:00Z, not \`${String(value)}\``);
  return ms;
}

/**
 * OLD or NEW: an artifact directory (with manifest.json), a policy set compiled in memory, or —
 * with `--store` — a version (name or hash) of the store's registry. Every journey of it decides,
 * whatever approvals were published with it: what a deployment left inactive is each entry's own
 * `inactive`, as for a directory (so a version compared with itself never differs). Undefined
 * after printing why not.
 */
async function openVersion(dir: string, which: string, io: Io, store: ServiceStore | undefined): Promise<Engine | undefined> {
  if (!existsSync(dir)) {
    if (store === undefined) throw new UsageError(`${which} \`${dir}\` does not exist: give an artifact directory or a policy-set directory`);
    const { registeredEngine } = await import("../../server/registry.ts");
    let found: Awaited<ReturnType<typeof registeredEngine>>;
    try {
      found = await registeredEngine(store, dir);
    } catch (e) {
      if (!(e instanceof ArtifactError || (e instanceof Error && (e.name === "OpaError" || e.name === "RegistryError")))) throw e;
      io.err(`kairos diff: ${which} \`${dir}\` cannot be loaded from the registry: ${e.message}`);
      return undefined;
    }
    if (found === undefined) {
      throw new UsageError(
        `${which} \`${dir}\` is neither a directory nor a version in the registry of ${store.location} (see \`kairos artifacts list --store …\`)`,
      );
    }
    return found.engine;
  }
  try {
    if (existsSync(join(dir, PART.manifest))) return await loadEngineDir(dir);
    const compiled = await compilePolicyDir(dir);
    if ("usage" in compiled) throw new UsageError(`${which}: ${compiled.usage}`);
    if (!compiled.artifact) {
      printDiagnostics(compiled.diagnostics, compiled.sources, io, "text", undefined, { dir });
      io.err(`kairos diff: ${which} \`${dir}\` does not compile; fix it (\`kairos check ${dir}\`) and diff again`);
      return undefined;
    }
    return await loadEngine(compiled.artifact.files);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof ArtifactError || (e instanceof Error && e.name === "OpaError")) {
      io.err(`kairos diff: ${which} \`${dir}\` cannot be loaded: ${e.message}`);
      return undefined;
    }
    throw e;
  }
}

/** What the command line asks for, checked. */
interface DiffOptions {
  readonly oldDir: string;
  readonly newDir: string;
  readonly log?: string;
  readonly where?: string;
  readonly dataDir?: string;
  readonly since?: number;
  readonly until?: number;
  /** ` from … until …`, or empty. */
  readonly window: string;
  readonly format: DiffFormat;
  readonly examples: number;
  readonly rules: readonly FailOnRule[];
}

function optionsOf(argv: string[]): DiffOptions {
  const { values, positionals } = parse(argv, {
    log: { type: "string" },
    store: { type: "string" },
    "data-dir": { type: "string" },
    since: { type: "string" },
    until: { type: "string" },
    format: { type: "string" },
    examples: { type: "string" },
    "fail-on": { type: "string" },
  });
  if (positionals.length !== 2)
    throw new UsageError(positionals.length < 2 ? "give OLD and NEW: two artifact or policy-set directories" : `unexpected argument \`${positionals[2]}\``);
  const [oldDir, newDir] = positionals as [string, string];
  const log = values["log"] as string | undefined;
  const where = values["store"] as string | undefined;
  if ((log === undefined) === (where === undefined)) throw new UsageError("give the recorded traffic: either `--log LOG` or `--store URL|DATA_DIR`");
  if (log === "" || where === "")
    throw new UsageError(log === "" ? "`--log` needs a decision log file" : "`--store` needs a PostgreSQL URL or a data directory");
  const dataDir = values["data-dir"] as string | undefined;
  if (dataDir !== undefined && where === undefined) throw new UsageError("`--data-dir` goes with `--store` (where the store's key files are)");
  const since = timeOption(values["since"], "since");
  const until = timeOption(values["until"], "until");
  if (since !== undefined && until !== undefined && since >= until) throw new UsageError("`--since` must be before `--until`");
  const format = (values["format"] ?? "text") as DiffFormat;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown format \`${String(format)}\`; use ${FORMATS.map((f) => `\`${f}\``).join(", ")}`);
  const examples = values["examples"] === undefined ? 3 : Number(values["examples"]);
  if (!Number.isInteger(examples) || examples < 0 || examples > 1000) throw new UsageError("`--examples` takes a whole number from 0 to 1000");
  let rules: FailOnRule[] = [];
  if (values["fail-on"] !== undefined) {
    const p = parseFailOn(String(values["fail-on"]));
    if ("error" in p) throw new UsageError(p.error);
    rules = p.rules;
  }
  const window = since === undefined && until === undefined ? "" : ` from ${values["since"] ?? "the start"} until ${values["until"] ?? "the end"}`;
  return {
    oldDir,
    newDir,
    ...(log === undefined ? {} : { log }),
    ...(where === undefined ? {} : { where }),
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    window,
    format,
    examples,
    rules,
  };
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const o = optionsOf(argv);
    if (o.log !== undefined) {
      if (!existsSync(o.log)) throw new UsageError(`the log \`${o.log}\` does not exist`);
      for (const [dir, which] of [
        [o.oldDir, "OLD"],
        [o.newDir, "NEW"],
      ] as const) {
        if (!existsSync(dir)) throw new UsageError(`${which} \`${dir}\` does not exist: give an artifact directory or a policy-set directory`);
      }
    }
    // The log's keys and integrity first: a missing key or a damaged log is found before any compiling.
    let keys: ReplayKeys | undefined;
    try {
      keys = o.log === undefined ? undefined : openForReplay(o.log);
    } catch (e) {
      if (e instanceof LogError) throw logCliError(e);
      throw e;
    }
    const store = o.where === undefined ? undefined : await openStoreFor(o.where, o.dataDir);
    try {
      return await diff(o, keys, store, io);
    } catch (e) {
      if (e instanceof LogError) throw logCliError(e);
      throw e;
    } finally {
      await store?.close();
    }
  },
};

/** Re-decides the traffic (the log opened with `keys`, or the store's) under OLD and NEW, prints the report; the exit code. */
async function diff(o: DiffOptions, keys: ReplayKeys | undefined, store: ServiceStore | undefined, io: Io): Promise<number> {
  const oldEngine = await openVersion(o.oldDir, "OLD", io, store);
  if (oldEngine === undefined) return EXIT.failed;
  const newEngine = await openVersion(o.newDir, "NEW", io, store);
  if (newEngine === undefined) return EXIT.failed;

  const made = { old: 0, new: 0, other: 0 };
  const counts: OpenedCounts = { entries: 0, unsealed: 0, purged: 0, erased: 0 };
  let outside = 0;
  let compared = 0;
  // Rows are summarized in the log's order: the examples are the first of each transition.
  const summarizer = new DiffSummarizer({
    examples: o.examples,
    old: { name: o.oldDir, hash: oldEngine.hash },
    new: { name: o.newDir, hash: newEngine.hash },
  });
  const tty = o.format === "text" && process.stderr.isTTY;
  const diffLog = async (source: LogSource) => {
    const olds = new Redecider(oldEngine, source.key.id);
    const news = new Redecider(newEngine, source.key.id);
    for (const opened of openEntries(source.file, source.key, counts, source.subjectKeys)) {
      const { entry } = opened;
      const at = Date.parse(entry.at);
      if ((o.since !== undefined && at < o.since) || (o.until !== undefined && at >= o.until)) {
        outside++;
        continue;
      }
      if (entry.artifact === oldEngine.hash) made.old++;
      else if (entry.artifact === newEngine.hash) made.new++;
      else made.other++;
      const [a, b] = [await olds.decide(opened), await news.decide(opened)];
      summarizer.add({ subject: entry.request.subject, decision_id: entry.decision_id, at: entry.at, old: digestOf(a), new: digestOf(b) });
      if (++compared % 1000 === 0 && tty) process.stderr.write(`\rre-decided ${compared.toLocaleString("en-US")}…`);
    }
  };
  let description: string;
  if (keys !== undefined && o.log !== undefined) {
    description = `log ${o.log}${o.window}`;
    await diffLog({ file: o.log, ...keys });
  } else {
    description = `${await diffStore(store!, o.where!, diffLog)}${o.window}`;
  }
  if (tty) process.stderr.write("\r");

  const source: DiffSource = {
    description,
    entries: counts.entries - outside,
    made_by_old: made.old,
    made_by_new: made.new,
    made_by_other: made.other,
    skipped: counts.unsealed + counts.purged + counts.erased,
  };
  const report = summarizer.report({ source });
  const breaches = breachesOf(report, o.rules);
  if (o.format === "json") io.out(jsonOut(o.rules.length ? { ...report, fail_on: { rules: o.rules.map((r) => r.text), breaches } } : report));
  else io.out(renderDiff(report, o.format).trimEnd());
  if (compared === 0) io.err("kairos diff: no entry was re-decided: the traffic is empty, outside --since/--until, or not re-decidable (see above)");
  for (const b of breaches) io.err(`kairos diff: --fail-on ${b.rule}: ${b.message}`);
  return breaches.length ? EXIT.failed : EXIT.ok;
}

/** Opens the store `--store` names, to read it; its errors become CliErrors (what, where, the fix). */
async function openStoreFor(where: string, dataDir: string | undefined): Promise<ServiceStore> {
  const { openStoreAt } = await import("../../server/store/location.ts");
  try {
    return await openStoreAt(where, dataDir);
  } catch (e) {
    if (e instanceof Error && e.name === "StoreError") {
      const { code, hint } = e as Error & { code?: string; hint?: string };
      throw new CliError(e.message, { exit: code === "store/bad-location" ? EXIT.usage : EXIT.failed, ...(hint ? { hint } : {}) });
    }
    throw e;
  }
}

/**
 * Re-decides the service store's log, shard by shard: each shard is exported as the file log it
 * is (with its per-subject keys), verified with the store's integrity key, and read like `--log`.
 * Returns the source's description.
 */
async function diffStore(store: ServiceStore, where: string, diffLog: (source: LogSource) => Promise<void>): Promise<string> {
  const { exportStoreLog } = await import("../../server/store/log-export.ts");
  const dir = mkdtempSync(join(tmpdir(), "kairos-diff-"));
  try {
    for (let shard = 0; shard < store.shards; shard++) {
      const file = join(dir, `shard-${shard}.jsonl`);
      const head = await exportStoreLog(store, shard, file);
      if (head.seq === 0) continue;
      const v = verifyLog(file, { integrityKey: store.keys.integrityKey });
      if (!v.ok || !v.authenticated) {
        throw new CliError(
          `shard ${shard} of the store ${store.location} is not intact (${v.firstBad?.problem ?? "not authenticated"}); re-deciding needs an intact log`,
          {
            hint: `see \`kairos log verify --store ${where}\``,
          },
        );
      }
      const key = store.keys.key;
      const subjectKeys = existsSync(subjectKeysFileFor(file)) ? FileSubjectKeyring.open(file, key) : undefined;
      await diffLog(subjectKeys === undefined ? { file, key } : { file, key, subjectKeys });
    }
    return `store ${store.location}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
