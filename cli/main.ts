// The `kairos` command line: dispatches to one module per command (cli/commands/*.ts),
// loaded lazily so `kairos check` never pays for the runtime.
import { explainError } from "./errors.ts";
import { EXIT, processIo, UsageError, type Io } from "./io.ts";

export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[], io: Io): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  check: () => import("./commands/check.ts"),
  compile: () => import("./commands/compile.ts"),
  fmt: () => import("./commands/fmt.ts"),
  decide: () => import("./commands/decide.ts"),
  explain: () => import("./commands/explain.ts"),
  log: () => import("./commands/log.ts"),
  replay: () => import("./commands/replay.ts"),
  demo: () => import("./commands/demo.ts"),
  test: () => import("./commands/test.ts"),
};

const ORDER = ["check", "compile", "fmt", "test", "decide", "explain", "log", "replay", "demo"];

export const VERSION = "0.1.0";

async function help(io: Io): Promise<void> {
  const lines = ["kairos — consent-first journey policies: compile, check, decide, explain", "", "usage: kairos <command> [options]", "", "commands:"];
  for (const name of ORDER) {
    const load = COMMANDS[name];
    if (!load) continue;
    try {
      const { command } = await load();
      lines.push(`  ${name.padEnd(9)} ${command.summary}`);
    } catch {
      // A command still under construction is simply not listed.
    }
  }
  lines.push("", "Run `kairos <command> --help` for a command's options.");
  io.out(lines.join("\n"));
}

/** Runs the command line; returns the exit code. Never throws. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    await help(io);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    io.out(`kairos ${VERSION}`);
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load) {
    const known = ORDER.filter((c) => c[0] === name[0]);
    io.err(
      `kairos: unknown command \`${name}\`${known.length ? `\nhelp: did you mean ${known.map((k) => `\`${k}\``).join(" or ")}?` : ""}\nRun \`kairos --help\` for the list of commands.`,
    );
    return EXIT.usage;
  }
  let command: Command;
  try {
    command = (await load()).command;
  } catch (e) {
    io.err(`kairos: the \`${name}\` command is not available in this build (${e instanceof Error ? e.message : String(e)})`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`${command.summary}\n\nusage: ${command.usage}`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`kairos ${name}: ${e.message}\nusage: ${command.usage}`);
      return EXIT.usage;
    }
    // A user's or the environment's problem (a path that cannot be written, a full disk, a
    // locked log…): what happened, where, and what to do.
    const known = explainError(e);
    if (known) {
      io.err(`kairos ${name}: ${known.message}${known.hint !== undefined ? `\nhelp: ${known.hint}` : ""}`);
      return known.exit;
    }
    // A bug, not a user mistake: say so plainly, with the detail needed to report it.
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    io.err(
      `kairos ${name}: internal error — this is a bug in Kairos, please report it.\n${process.env["KAIROS_DEBUG"] ? detail : String(e instanceof Error ? e.message : e)}`,
    );
    return EXIT.failed;
  }
}
