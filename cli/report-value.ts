// `kairos report value --store URL|DATA_DIR --policies DIR|ARTIFACT [--format md|html|json] [--out FILE]
// [--as-of T] [--data-dir DIR]`: the scoreboard of proof of value (docs/value.md) — per journey node
// its arms, uplift with 95% intervals, cost, return and stop-loss state — from a service's store
// (read-only: nothing is migrated or written) and the journeys of the policy set or artifact it
// serves. The same figures as the service's /dashboard and /v1/value, without the golden signals
// (a store has no running service's metrics). `kairos report` hands `value` here.
import { existsSync } from "node:fs";
import { extname, join } from "node:path";
import { compilePolicyDir } from "../compiler/node/index.ts";
import type { Engine } from "../runtime/engine.ts";
import { ArtifactError, loadEngine, PART } from "../runtime/load.ts";
import { loadEngineDir } from "../runtime/node.ts";
import { OpaError } from "../runtime/opa/index.ts";
import { collectValueReport } from "../server/value/analysis.ts";
import { AS_OF_EXAMPLE, parseAsOf } from "../server/value/as-of.ts";
import { withinDeadline } from "../server/value/deadline.ts";
import { renderValueHtml, VALUE_GENERATOR } from "../server/value/render-html.ts";
import { renderValueMarkdown } from "../server/value/render-md.ts";
import { REPORT_TITLE } from "../server/value/scoreboard.ts";
import type { ValueReport } from "../server/value/types.ts";
import { plural, printDiagnostics } from "./diagnostics-output.ts";
import { CliError, EXIT, type Io, parse, UsageError } from "./io.ts";
import { checkReplaceable, type ReplaceOptions, replaceFile } from "./write-file.ts";

/** How long the command waits for the store's figures: 2 minutes (a large store on a far PostgreSQL). */
const REPORT_DEADLINE_MS = 120_000;

/** The formats of the value report. */
export const VALUE_FORMATS = ["md", "html", "json"] as const;
type ValueFormat = (typeof VALUE_FORMATS)[number];

/** The first line of the Markdown report (what `--out` recognises as its own). */
const MD_TITLE = `# ${REPORT_TITLE}`;

/** `--out` replaces only a value report an earlier run wrote, in any of the three formats. */
const OUT: ReplaceOptions = {
  accept: (head) => {
    const text = head.toString("utf8");
    return text.startsWith(MD_TITLE) || text.includes(`<meta name="generator" content="${VALUE_GENERATOR}">`) || /^\{\s*"asOf":/.test(text);
  },
  what: "a value report",
  refusal: "give `--out` a new file name, or a report an earlier `kairos report value` wrote",
};

const EXTENSIONS: Readonly<Record<string, ValueFormat>> = { ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json" };

function formatOf(given: unknown, out: string | undefined): ValueFormat {
  if (given !== undefined) {
    if (typeof given === "string" && (VALUE_FORMATS as readonly string[]).includes(given)) return given as ValueFormat;
    throw new UsageError(`unknown format \`${String(given)}\`; use ${VALUE_FORMATS.map((f) => `\`${f}\``).join(", ")}`);
  }
  return (out !== undefined ? EXTENSIONS[extname(out).toLowerCase()] : undefined) ?? "md";
}

function asOfOf(given: unknown): string {
  if (given === undefined) return new Date().toISOString();
  const ms = typeof given === "string" ? parseAsOf(given) : undefined;
  if (ms === undefined) {
    throw new UsageError(`\`--as-of ${String(given)}\` is not an ISO 8601 time with an offset; write it like \`--as-of ${AS_OF_EXAMPLE}\``);
  }
  return new Date(ms).toISOString();
}

/** The engine of a policy set (compiled in memory) or an artifact; undefined (diagnostics printed) when the set does not compile. */
async function openEngine(path: string, io: Io): Promise<Engine | undefined> {
  if (!existsSync(path)) throw new UsageError(`\`${path}\` does not exist; give \`--policies\` the policy set or artifact the service runs`);
  try {
    if (existsSync(join(path, PART.manifest))) return await loadEngineDir(path);
    const compiled = await compilePolicyDir(path);
    if ("usage" in compiled) throw new UsageError(compiled.usage);
    if (!compiled.artifact) {
      printDiagnostics(compiled.diagnostics, compiled.sources, io, "text", undefined, { dir: path });
      return undefined;
    }
    return await loadEngine(compiled.artifact.files);
  } catch (e) {
    if (e instanceof ArtifactError || e instanceof OpaError) {
      throw new CliError(`\`${path}\`: ${e.message}`, {
        exit: EXIT.failed,
        hint: "give the policy set or the artifact (`kairos compile --out`) the service runs",
      });
    }
    throw e;
  }
}

/** A StoreError (by name: its module loads lazily) as a CLI error: what, where, and the fix. */
function storeFailure(e: unknown): unknown {
  if (e instanceof Error && e.name === "StoreError") {
    const { code, hint } = e as Error & { code?: string; hint?: string };
    const usage = code === "store/bad-location" || code === "store/keys";
    return new CliError(e.message, { exit: usage ? EXIT.usage : EXIT.failed, ...(hint ? { hint } : {}) });
  }
  return e;
}

/** The figures of `engine`'s journeys in the store at `where`, judged at `asOf`. */
async function reportFrom(where: string, dataDir: string | undefined, engine: Engine, asOf: string): Promise<ValueReport> {
  const { openStoreAt } = await import("../server/store/location.ts");
  let store: Awaited<ReturnType<typeof openStoreAt>>;
  try {
    store = await openStoreAt(where, dataDir);
  } catch (e) {
    throw storeFailure(e);
  }
  try {
    // Opened read-only, nothing is migrated: a store from before proof of value has no outcomes to read.
    const { migrations } = await store.health();
    if (migrations.pending.length > 0) {
      throw new CliError(`the store ${store.location} lacks the migrations ${migrations.pending.join(", ")}`, {
        exit: EXIT.failed,
        hint: "start `kairos serve` on it once (it migrates at start), then report again",
      });
    }
    const figures = collectValueReport(store, {
      asOf,
      artifact: engine.hash,
      journeys: engine.predicates.journeys.map((j) => j.meta),
      value: engine.catalog.value,
    });
    const late = () =>
      new CliError(`the store ${store.location} did not answer the value figures within ${REPORT_DEADLINE_MS / 1000} s`, {
        exit: EXIT.failed,
        hint: "check the store (is it busy, or far away?), then report again",
      });
    return await withinDeadline(figures, REPORT_DEADLINE_MS, late);
  } catch (e) {
    throw storeFailure(e);
  } finally {
    await store.close().catch(() => undefined);
  }
}

function render(report: ValueReport, format: ValueFormat): string {
  if (format === "html") return renderValueHtml(report);
  if (format === "json") return JSON.stringify(report, null, 2) + "\n";
  return renderValueMarkdown(report);
}

/** Runs `kairos report value …` (`argv` after `value`); returns the exit code. */
export async function runValueReport(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    store: { type: "string" },
    "data-dir": { type: "string" },
    policies: { type: "string" },
    format: { type: "string" },
    out: { type: "string", short: "o" },
    "as-of": { type: "string" },
  });
  if (positionals.length > 0) {
    throw new UsageError(`unexpected \`${positionals[0]}\`: give the policy set with \`--policies DIR|ARTIFACT\` and the store with \`--store URL|DATA_DIR\``);
  }
  const where = values["store"];
  if (typeof where !== "string" || where === "") {
    throw new UsageError("missing `--store URL|DATA_DIR`: the service's store (a postgres:// URL, sqlite:PATH, or its --data-dir, default .kairos)");
  }
  const policies = values["policies"];
  if (typeof policies !== "string" || policies === "") {
    throw new UsageError("missing `--policies DIR|ARTIFACT`: the policy set or artifact the service runs (its journeys, goals and costs)");
  }
  const dataDir = values["data-dir"];
  if (dataDir !== undefined && (typeof dataDir !== "string" || dataDir === "")) throw new UsageError("`--data-dir` needs a directory");
  const out = values["out"];
  if (out !== undefined && (typeof out !== "string" || out === "")) throw new UsageError("`--out` needs a file name");
  const format = formatOf(values["format"], out);
  const asOf = asOfOf(values["as-of"]);
  // Refuse an output it must not replace before any work.
  if (out !== undefined) checkReplaceable(out, OUT);

  const engine = await openEngine(policies, io);
  if (!engine) {
    io.err(`kairos report: no report written: \`${policies}\` does not compile; fix it first (\`kairos check ${policies}\`)`);
    return EXIT.failed;
  }
  const report = await reportFrom(where, dataDir, engine, asOf);
  const text = render(report, format);
  if (out === undefined) {
    io.out(text);
    return EXIT.ok;
  }
  replaceFile(out, text, OUT);
  const judged = report.journeys.filter((j) => j.goal !== undefined).length;
  const stopped = report.journeys.filter((j) => j.stopLoss?.state === "stopped").length;
  io.out(
    `wrote the value report (${format}) to ${out}: ${plural(report.journeys.length, "journey")}, ${judged} with a goal, ${stopped} stopped; ` +
      `as of ${report.asOf}`,
  );
  return EXIT.ok;
}
