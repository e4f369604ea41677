// Renders the help entries (commands.ts) for the terminal (`kairos CMD --help`) and as the CLI
// reference docs/cli.md, so both say the same thing.
import { COMMAND_HELP } from "./commands.ts";
import { CONVENTIONS } from "./conventions.ts";
import type { CommandHelp, OptionHelp } from "./types.ts";

function table(rows: readonly OptionHelp[], indent = "  "): string[] {
  const width = Math.min(30, Math.max(...rows.map((r) => r.flag.length)));
  return rows.map((r) =>
    r.flag.length > width ? `${indent}${r.flag}\n${indent}${" ".repeat(width)}  ${r.description}` : `${indent}${r.flag.padEnd(width)}  ${r.description}`,
  );
}

/** Wraps a paragraph at `width` columns. */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The terminal help of one command. */
export function renderHelpText(h: CommandHelp): string {
  const out = [`kairos ${h.name} — ${h.summary}`, "", "usage:", ...h.usage.map((u) => `  ${u}`), "", ...wrap(h.description)];
  if (h.arguments?.length) out.push("", "arguments:", ...table(h.arguments));
  if (h.options.length) out.push("", "options:", ...table(h.options));
  if (h.examples.length) {
    out.push("", "examples:");
    for (const e of h.examples) out.push(`  ${e.command}`, `      ${e.note}`);
  }
  out.push("", "exit codes:", ...h.exit.map((e) => `  ${e.code}  ${e.meaning}`));
  if (h.seeAlso) out.push("", `see also: ${h.seeAlso}`);
  return out.join("\n");
}

/** The top-level help: every command and its summary. */
export function renderCommandList(available: (name: string) => boolean = () => true): string {
  const shown = COMMAND_HELP.filter((h) => available(h.name));
  const width = Math.max(...shown.map((h) => h.name.length));
  return [
    "kairos — consent-first journey policies: compile, check, decide, explain",
    "",
    "usage: kairos <command> [options]",
    "",
    "commands:",
    ...shown.map((h) => `  ${h.name.padEnd(width)}  ${h.summary}`),
    "",
    "global options:",
    "  -h, --help     help (also `kairos help <command>`)",
    "  -v, --version  the version",
    "",
    "Run `kairos <command> --help` for a command's options, examples and exit codes.",
  ].join("\n");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** docs/cli.md: the conventions table, then every command's reference. */
export function renderCliMarkdown(): string {
  const out = [
    "# Command-line reference",
    "",
    "<!-- Generated from cli/help/ by `node cli/help/gen-docs.ts`; do not edit by hand (test/cli/help.test.ts fails when stale). -->",
    "",
    "Every command prints this same text with `kairos COMMAND --help` (or `kairos help COMMAND`).",
    "",
    "## Conventions",
    "",
    "What users of OPA and Cedar expect from a policy tool's command line, and where `kairos` stands.",
    "",
    "| Convention | OPA | Cedar | Kairos | Done |",
    "|---|---|---|---|---|",
    ...CONVENTIONS.map((c) => `| ${cell(c.convention)} | ${cell(c.opa)} | ${cell(c.cedar)} | ${cell(c.kairos)} | ${c.done ? "yes" : "**not done**"} |`),
    "",
    "Common to every command:",
    "",
    "- **Exit codes**: 0 success, 1 the command ran and found a problem (errors, a failed test, an `error` decision), 2 a usage error or unusable input.",
    "- **Streams**: data and summaries on stdout; diagnostics, warnings and notes on stderr.",
    "- **Paths** in diagnostics are the policy directory as you typed it followed by the path inside it, so they open from the current directory.",
    "- **Colour**: stdout and stderr are each coloured only when that stream is a terminal. `NO_COLOR=1` turns colour off, `FORCE_COLOR=1` on " +
      "(FORCE_COLOR wins), `TERM=dumb` off.",
    "- **JSON** (`--format json`): pretty-printed with a two-space indent, one document on stdout (`jq -c` makes it one line).",
    "- **`-`** as a file name reads stdin.",
    "",
    "## Commands",
    "",
    ...COMMAND_HELP.map((h) => `- [\`kairos ${h.name}\`](#kairos-${h.name}): ${h.summary}`),
    "",
  ];
  for (const h of COMMAND_HELP) {
    out.push(`### kairos ${h.name}`, "", `${h.summary[0]!.toUpperCase()}${h.summary.slice(1)}.`, "", "```", ...h.usage, "```", "", h.description, "");
    const rows = [...(h.arguments ?? []), ...h.options];
    if (rows.length) {
      out.push("| Argument / option | Meaning |", "|---|---|", ...rows.map((r) => `| \`${cell(r.flag)}\` | ${cell(r.description)} |`), "");
    }
    if (h.examples.length) {
      out.push("Examples:", "", "```sh");
      for (const e of h.examples) out.push(`# ${e.note}`, e.command);
      out.push("```", "");
    }
    out.push("| Exit | Meaning |", "|---|---|", ...h.exit.map((e) => `| ${e.code} | ${cell(e.meaning)} |`), "");
    if (h.seeAlso) out.push(`See also ${h.seeAlso}.`, "");
  }
  return out.join("\n");
}
