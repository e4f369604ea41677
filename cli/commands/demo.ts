// `kairos demo`: the main job. Compiles the example policy set, starts the decision service
// (`kairos serve`) in this process on the embedded store in the output directory, simulates an
// insurance book through it day by day over HTTP — consents posted, events decided, timed
// follow-ups fired by the service — verifies the store's hash-chained log and its exported copy,
// and prints what happened: outcomes per journey and per reason, rendered rationales, and the
// commands to query the store. The run itself is cli/demo/run.ts; which output directories it
// may use, cli/demo/out-dir.ts.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runDemo } from "../demo/run.ts";
import { parse, UsageError, type Io } from "../io.ts";
import type { Command } from "../main.ts";

/** The embedded default policy set: the example set shipped with Kairos. */
export const DEFAULT_POLICIES = fileURLToPath(new URL("../../policies", import.meta.url));

function positiveInt(v: unknown, name: string, def: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`\`--${name}\` takes a whole number from 1 to ${max}, not \`${String(v)}\``);
  return n;
}

function progress(io: Io, days: number): (day: number, decisions: number) => void {
  const tty = Boolean(process.stderr.isTTY);
  let lastQuarter = -1;
  return (day, decisions) => {
    const pct = Math.round((day / days) * 100);
    const bar = "#".repeat(Math.round(pct / 4)).padEnd(25, ".");
    const text = `[${bar}] ${String(pct).padStart(3)}%  day ${day}/${days}  ${decisions.toLocaleString("en-US")} decisions`;
    if (tty) process.stderr.write(`\r${text}${day === days ? "\n" : ""}`);
    else if (Math.floor(pct / 25) !== lastQuarter) {
      lastQuarter = Math.floor(pct / 25);
      io.err(text);
    }
  };
}

export const command: Command = {
  summary: "simulate an insurance book through the decision service and the example policies, and report every decision",
  usage: "kairos demo [--out DIR] [--customers N] [--days D] [--seed S] [--policies DIR]",
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { out: { type: "string" }, customers: { type: "string" }, days: { type: "string" }, seed: { type: "string" }, policies: { type: "string" } },
      false,
    );
    if (positionals.length) throw new UsageError(`unexpected argument \`${positionals[0]}\``);
    if (values["out"] === "") throw new UsageError("`--out` needs a directory name");
    const days = positiveInt(values["days"], "days", 30, 3650);
    return runDemo(
      {
        out: resolve(String(values["out"] ?? "demo-out")),
        customers: positiveInt(values["customers"], "customers", 200, 100_000),
        days,
        seed: positiveInt(values["seed"], "seed", 42, 2 ** 31),
        policies: String(values["policies"] ?? DEFAULT_POLICIES),
        onProgress: progress(io, days),
      },
      io,
    );
  },
};
