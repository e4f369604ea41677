// The `kairos` command line: dispatches to one module per command (cli/commands/*.ts),
// loaded lazily so `kairos check` never pays for the runtime.
import { explainError } from "./errors.ts";
import { helpFor } from "./help/commands.ts";
import { renderCommandList, renderHelpText } from "./help/render.ts";
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
  serve: () => import("./commands/serve.ts"),
  token: () => import("./commands/token.ts"),
  init: () => import("./commands/init.ts"),
  inspect: () => import("./commands/inspect.ts"),
  completion: () => import("./commands/completion.ts"),
  report: () => import("./commands/report.ts"),
  approve: () => import("./commands/approve.ts"),
  subject: () => import("./commands/subject.ts"),
  journey: () => import("./commands/journey.ts"),
  outcomes: () => import("./commands/outcomes.ts"),
  sign: () => import("./commands/sign.ts"),
  verify: () => import("./commands/verify.ts"),
  artifacts: () => import("./commands/artifacts.ts"),
  diff: () => import("./commands/diff.ts"),
  rollout: () => import("./commands/rollout.ts"),
  channel: () => import("./commands/channel.ts"),
  // The language server (lsp/): loaded only for `kairos lsp`; were it to fail to load, only
  // that command would fail, and `kairos --help` would skip it.
  lsp: () => import("./commands/lsp.ts"),
};

export const VERSION = "0.1.0";

/** Whether a command loads (a command still under construction is simply not listed). */
async function loads(name: string): Promise<boolean> {
  const load = COMMANDS[name];
  if (!load) return name === "help";
  try {
    await load();
    return true;
  } catch {
    return false;
  }
}

async function help(io: Io): Promise<void> {
  const available = new Set<string>();
  for (const name of [...Object.keys(COMMANDS), "help"]) if (await loads(name)) available.add(name);
  io.out(renderCommandList((n) => available.has(n)));
}

/** A command's help: its entry in cli/help/, else (a command without one) its summary and usage. */
function commandHelp(name: string, command: Command | undefined): string {
  const entry = helpFor(name);
  if (entry) return renderHelpText(entry);
  return command ? `${command.summary}\n\nusage: ${command.usage}` : `kairos: no help for \`${name}\``;
}

function unknown(name: string, io: Io): number {
  const names = [...Object.keys(COMMANDS), "help"];
  const known = names.filter((c) => c[0] === name[0]);
  io.err(
    `kairos: unknown command \`${name}\`${known.length ? `\nhelp: did you mean ${known.map((k) => `\`${k}\``).join(" or ")}?` : ""}\nRun \`kairos --help\` for the list of commands.`,
  );
  return EXIT.usage;
}

/** Runs the command line; returns the exit code. Never throws. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
    await help(io);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "help") {
    const topic = rest[0] === "--help" || rest[0] === "-h" ? "help" : rest[0]!;
    if (!COMMANDS[topic] && topic !== "help") return unknown(topic, io);
    io.out(commandHelp(topic, undefined));
    return EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    io.out(`kairos ${VERSION}`);
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load) return unknown(name, io);
  let command: Command;
  try {
    command = (await load()).command;
  } catch (e) {
    io.err(`kairos: the \`${name}\` command is not available in this build (${e instanceof Error ? e.message : String(e)})`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(commandHelp(name, command));
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`kairos ${name}: ${e.message}\nusage: ${command.usage}\nRun \`kairos ${name} --help\` for the options.`);
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
