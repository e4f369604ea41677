// `kairos log verify FILE` and `kairos log tail FILE`: checking and reading the immutable
// decision log (docs/decision-log.md). verify exits 0 when the chain is intact, 1 naming the
// first bad entry, 2 when FILE is missing or not a decision log.
import { lastEntries, LogError, verifyLog, type LogEntry, type VerifyResult } from "../../runtime/log/index.ts";
import { EXIT, parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";

const USAGE = [
  "kairos log verify FILE [--contains HASH] [--format text|json]",
  "       kairos log tail FILE [-n N] [--format text|json]",
].join("\n");

function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

const entries = (n: number): string => plural(n, "entry", "entries");

function format(value: unknown): "text" | "json" {
  if (value === undefined || value === "text") return "text";
  if (value === "json") return "json";
  throw new UsageError(`unknown format \`${String(value)}\`; use \`text\` or \`json\``);
}

function oneFile(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one log file" : "missing the log file");
  return positionals[0]!;
}

function verifyText(file: string, r: VerifyResult, contains: string | undefined): string[] {
  if (r.firstBad) {
    const b = r.firstBad;
    return [
      `${file}:${b.line}: entry seq ${b.seq}: ${b.problem}`,
      r.entries === 0 ? "no intact entry before it" : `${r.entries === 1 ? "the entry before it is" : `the ${r.entries} entries before it are`} intact (head ${r.head.hash})`,
    ];
  }
  if (contains !== undefined && !r.containsFound) {
    return [
      `${file}: no entry has hash ${contains}: entries were removed from the end, or this is another log`,
      `(the ${entries(r.entries)} present verify, head ${r.head.hash})`,
    ];
  }
  return [`ok: ${entries(r.entries)}, chain intact, head ${r.head.hash}`];
}

async function verify(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { contains: { type: "string" }, format: { type: "string" } });
  const fmt = format(values["format"]);
  const file = oneFile(positionals);
  const contains = values["contains"] as string | undefined;
  if (contains !== undefined && !/^[0-9a-f]{64}$/.test(contains)) throw new UsageError("`--contains` takes an entry hash: 64 lowercase hex digits");
  const r = verifyLog(file, contains === undefined ? {} : { contains });
  if (r.notALog) {
    if (fmt === "json") io.out(JSON.stringify({ ok: false, error: r.notALog }));
    io.err(`kairos log verify: ${r.notALog}`);
    return EXIT.usage;
  }
  if (fmt === "json") {
    io.out(JSON.stringify(r));
  } else {
    const lines = verifyText(file, r, contains);
    (r.ok ? io.out : io.err)(lines.join("\n"));
    if (r.torn) {
      io.err(`note: ${file} ends with ${plural(r.torn.bytes, "byte")} of an interrupted write after the last entry (line ${r.torn.line}); the next writer moves them to ${file}.torn-<n>`);
    }
  }
  return r.ok ? EXIT.ok : EXIT.failed;
}

function summary(e: LogEntry): string {
  const action = e.action ? `${e.action.name}(${Object.entries(e.action.params).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")})` : "";
  return [`#${e.seq}`, e.at, e.decision_id, e.outcome, e.journey ?? "-", action].join("  ").trimEnd();
}

async function tail(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { n: { type: "string", short: "n" }, format: { type: "string" } });
  const fmt = format(values["format"]);
  const file = oneFile(positionals);
  const n = values["n"] === undefined ? 10 : Number(values["n"]);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError("`-n` takes a positive number of entries");
  let last: LogEntry[];
  try {
    last = lastEntries(file, n);
  } catch (e) {
    if (e instanceof LogError) {
      io.err(`kairos log tail: ${e.message}`);
      return EXIT.usage;
    }
    throw e;
  }
  if (fmt === "json") for (const e of last) io.out(JSON.stringify(e));
  else if (last.length === 0) io.out(`${file}: no entries`);
  else io.out(last.map(summary).join("\n"));
  return EXIT.ok;
}

export const command: Command = {
  summary: "verify the decision log's hash chain, or show its last entries",
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === "verify") return verify(rest, io);
    if (sub === "tail") return tail(rest, io);
    throw new UsageError(sub === undefined ? "missing the subcommand: `verify` or `tail`" : `unknown subcommand \`${sub}\`; use \`verify\` or \`tail\``);
  },
};
