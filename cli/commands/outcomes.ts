// `kairos outcomes import FILE (--url URL [--token TOKEN] | --store URL|DATA_DIR --policies DIR|ARTIFACT)`:
// business outcomes from a CSV or JSON Lines file (cli/outcomes-file.ts) into a running service
// (`POST /v1/outcomes`, in batches of 1,000) and/or straight into its store. The whole file is
// checked first — every problem reported with its line — and nothing is written when it has any;
// each batch is then written all or nothing, and idempotently by outcome id, so importing a file
// again (after a failure half way) counts nothing twice. docs/value.md#outcomes.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Catalog } from "../../core/catalog/types.ts";
import { loadCatalog } from "../../compiler/catalog/index.ts";
import { readPolicyDir } from "../../compiler/node/index.ts";
import { SourceFile, SourceSet } from "../../core/source.ts";
import { ArtifactError, PART } from "../../runtime/load.ts";
import { loadEngineDir } from "../../runtime/node.ts";
import { outcomeTypes } from "../../server/routes/outcomes.ts";
import type { OutcomeRecord, OutcomesAdded, ServiceStore } from "../../server/store/types.ts";
import { printDiagnostics } from "../diagnostics-output.ts";
import { helpOf } from "../help/commands.ts";
import { CliError, EXIT, jsonOut, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";
import { formatOfFile, readOutcomesFile, type FileOutcome, type FileProblem, type OutcomesFileFormat } from "../outcomes-file.ts";
import { readTextFile } from "../read-text.ts";

const HELP = helpOf("outcomes");

/** Outcomes per request and per transaction (the service's limit). */
export const IMPORT_BATCH = 1000;
/** How long the service gets to answer one batch. */
const REQUEST_DEADLINE_MS = 30_000;
/** Problems printed before "… and N more". */
const SHOWN_PROBLEMS = 20;

/** The outcome types of the policy set or artifact at `path` (only its catalog is read); undefined (diagnostics printed) when it has errors. */
async function typesOf(path: string, io: Io): Promise<string[] | undefined> {
  if (!existsSync(path)) throw new UsageError(`\`${path}\` does not exist; give \`--policies\` the policy set or artifact the service runs`);
  let catalog: Catalog | undefined;
  if (existsSync(join(path, PART.manifest))) {
    try {
      catalog = (await loadEngineDir(path)).catalog;
    } catch (e) {
      if (!(e instanceof ArtifactError)) throw e;
      throw new CliError(`\`${path}\`: ${e.message}`, { hint: "give the policy set or the artifact (`kairos compile --out`) the service runs" });
    }
  } else {
    const read = readPolicyDir(path);
    if (!read.sources) throw new UsageError(read.usage ?? `cannot read the policy directory \`${path}\``);
    const sources = new SourceSet();
    const file = sources.add(new SourceFile(read.sources.catalog.name, read.sources.catalog.text));
    const loaded = loadCatalog(file);
    const diagnostics = [...read.diagnostics, ...loaded.diagnostics];
    if (diagnostics.some((d) => d.severity === "error") || loaded.value === undefined) {
      printDiagnostics(diagnostics, sources, io, "text", undefined, { dir: path });
      return undefined;
    }
    catalog = loaded.value;
  }
  return outcomeTypes(catalog);
}

function problemText(file: string, p: FileProblem): string {
  return `${file}:${p.line}: ${p.field === undefined ? "" : `\`${p.field}\` `}${p.message}`;
}

/** Prints the problems (at most SHOWN_PROBLEMS) and gives the error that ends the import. */
function refuse(file: string, problems: readonly FileProblem[], io: Io, what: string): CliError {
  for (const p of problems.slice(0, SHOWN_PROBLEMS)) io.err(problemText(file, p));
  if (problems.length > SHOWN_PROBLEMS) io.err(`… and ${problems.length - SHOWN_PROBLEMS} more`);
  return new CliError(`${problems.length} problem${problems.length === 1 ? "" : "s"} in ${file}; ${what}`, {
    hint: "fix the lines above and import the file again (outcomes already imported are not counted twice)",
  });
}

/** A StoreError (by name: its module loads lazily) as a CLI error. */
function storeFailure(e: unknown): unknown {
  if (e instanceof Error && e.name === "StoreError") {
    const { code, hint } = e as Error & { code?: string; hint?: string };
    const usage = code === "store/bad-location" || code === "store/keys";
    return new CliError(e.message, { exit: usage ? EXIT.usage : EXIT.failed, ...(hint ? { hint } : {}) });
  }
  return e;
}

/** Where the outcomes go: a service, a store, or both. */
interface Targets {
  readonly url?: string;
  readonly token?: string;
  readonly store?: string;
  readonly dataDir?: string;
}

/** Writes one batch through the service's API; a CliError with the service's problems mapped to lines otherwise. */
async function postBatch(file: string, url: string, token: string, batch: readonly FileOutcome[], io: Io): Promise<OutcomesAdded> {
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, "")}/v1/outcomes`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ outcomes: batch.map((o) => o.record) }),
      signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
    });
  } catch (e) {
    const why = e instanceof Error && e.name === "TimeoutError" ? `no answer within ${REQUEST_DEADLINE_MS / 1000} s` : (e as Error).message;
    throw new CliError(`cannot reach the service at ${url}: ${why}`, { hint: "check `--url` and that `kairos serve` runs; importing again is safe" });
  }
  const text = await res.text();
  let body: { added?: number; duplicates?: number; error?: { code?: string; message?: string; hint?: string; problems?: { path: string; message: string }[] } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = {};
  }
  if (res.ok && typeof body.added === "number" && typeof body.duplicates === "number") return { added: body.added, duplicates: body.duplicates };
  const error = body.error;
  if (error?.problems && error.problems.length > 0) {
    const mapped = error.problems.map((p): FileProblem => {
      const m = /^outcomes\[(\d+)\]\.?(.*)$/.exec(p.path);
      const line = m ? (batch[Number(m[1])]?.line ?? 0) : (batch[0]?.line ?? 0);
      return { line, ...(m?.[2] ? { field: m[2] } : {}), message: p.message };
    });
    throw refuse(file, mapped, io, `the service refused the batch from line ${batch[0]?.line}: ${error.message ?? res.status}; this batch was not written`);
  }
  throw new CliError(`the service at ${url} answered ${res.status}${error?.message ? `: ${error.message}` : ""}`, {
    hint: error?.hint ?? (res.status === 401 || res.status === 403 ? "give `--token` a token with the `decide` scope" : "importing again is safe"),
  });
}

async function run(
  file: string,
  targets: Targets,
  format: string,
  types: readonly string[] | undefined,
  fileFormat: OutcomesFileFormat,
  io: Io,
): Promise<number> {
  const read = readOutcomesFile(readTextFile(file, "the outcomes file"), fileFormat, types);
  if (read.problems.length > 0) throw refuse(file, read.problems, io, "nothing was imported");
  let store: ServiceStore | undefined;
  if (targets.store !== undefined) {
    const { openStoreAt } = await import("../../server/store/location.ts");
    try {
      store = await openStoreAt(targets.store, targets.dataDir, { readOnly: false, migrate: true });
    } catch (e) {
      throw storeFailure(e);
    }
  }
  const totals = { service: { added: 0, duplicates: 0 }, store: { added: 0, duplicates: 0 } };
  let batches = 0;
  try {
    for (let i = 0; i < read.outcomes.length; i += IMPORT_BATCH) {
      const batch = read.outcomes.slice(i, i + IMPORT_BATCH);
      if (targets.url !== undefined) {
        const r = await postBatch(file, targets.url, targets.token!, batch, io);
        totals.service.added += r.added;
        totals.service.duplicates += r.duplicates;
      }
      if (store !== undefined) {
        let r: OutcomesAdded;
        try {
          r = await store.addOutcomes(batch.map((o) => o.record as OutcomeRecord));
        } catch (e) {
          throw storeFailure(e);
        }
        totals.store.added += r.added;
        totals.store.duplicates += r.duplicates;
      }
      batches++;
    }
  } catch (e) {
    if (batches > 0) io.err(`kairos outcomes: the first ${batches} batch${batches === 1 ? "" : "es"} (${batches * IMPORT_BATCH} outcomes) were written`);
    throw e;
  } finally {
    await store?.close().catch(() => undefined);
  }
  const where = [...(targets.url !== undefined ? (["service"] as const) : []), ...(store !== undefined ? (["store"] as const) : [])];
  if (format === "json") {
    io.out(jsonOut({ file, outcomes: read.outcomes.length, batches, ...Object.fromEntries(where.map((w) => [w, totals[w]])) }));
  } else {
    for (const w of where) {
      const t = totals[w];
      const at = w === "service" ? targets.url : targets.store;
      io.out(
        `imported ${read.outcomes.length} outcome${read.outcomes.length === 1 ? "" : "s"} from ${file} into the ${w} at ${at}: ${t.added} added, ${t.duplicates} already there`,
      );
    }
  }
  return EXIT.ok;
}

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      url: { type: "string" },
      token: { type: "string" },
      store: { type: "string" },
      "data-dir": { type: "string" },
      policies: { type: "string" },
      "input-format": { type: "string" },
      format: { type: "string" },
    });
    const [sub, file, ...rest] = positionals;
    if (sub !== "import") throw new UsageError(sub === undefined ? "missing the subcommand: `import`" : `unknown subcommand \`${sub}\`; use \`import\``);
    if (file === undefined || file === "") throw new UsageError("missing the FILE to import (CSV or JSON Lines)");
    if (rest.length > 0) throw new UsageError(`give one FILE (got also \`${rest.join(" ")}\`)`);
    const format = values["format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`unknown format \`${String(format)}\`; use \`text\` or \`json\``);
    const given = values["input-format"];
    if (given !== undefined && given !== "csv" && given !== "jsonl")
      throw new UsageError(`unknown input format \`${String(given)}\`; use \`csv\` or \`jsonl\``);
    const fileFormat = (given as OutcomesFileFormat | undefined) ?? formatOfFile(file);
    if (fileFormat === undefined)
      throw new UsageError(`cannot tell the format of \`${file}\` from its name; name it .csv or .jsonl, or give \`--input-format csv|jsonl\``);
    const url = values["url"] as string | undefined;
    const store = values["store"] as string | undefined;
    const policies = values["policies"] as string | undefined;
    if (url === undefined && store === undefined)
      throw new UsageError("say where the outcomes go: `--url URL` (a running service) and/or `--store URL|DATA_DIR` (its store)");
    const token = (values["token"] as string | undefined) ?? process.env["KAIROS_TOKEN"];
    if (url !== undefined && (token === undefined || token === ""))
      throw new UsageError("`--url` needs `--token TOKEN` (or KAIROS_TOKEN): a token with the `decide` scope");
    if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw new UsageError(`\`--url ${url}\` is not an http:// or https:// URL`);
    if (store !== undefined && policies === undefined)
      throw new UsageError("`--store` needs `--policies DIR|ARTIFACT`: the policy set the service runs, whose catalog says which outcome types exist");
    const types = policies === undefined ? undefined : await typesOf(policies, io);
    if (policies !== undefined && types === undefined) return EXIT.failed;
    const dataDir = values["data-dir"] as string | undefined;
    const targets: Targets = {
      ...(url !== undefined ? { url, token: token! } : {}),
      ...(store !== undefined ? { store } : {}),
      ...(dataDir !== undefined ? { dataDir } : {}),
    };
    return run(file, targets, format, types, fileFormat, io);
  },
};
