// `kairos completion bash|zsh|fish`: shell completion scripts generated from the help entries
// (cli/help/commands.ts), so every command and option the help lists is completed, and nothing
// it does not list. Options are taken from each entry's flags (`-l, --list` → `-l` `--list`).
import { COMMAND_HELP } from "../help/commands.ts";
import type { CommandHelp } from "../help/types.ts";
import { EXIT, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";
import { helpOf } from "../help/commands.ts";

const SHELLS = ["bash", "zsh", "fish"] as const;

/** The options of a command, as typed: `--format`, `-l`, `--list`. */
export function optionWords(h: CommandHelp): string[] {
  const words = new Set<string>();
  for (const o of h.options) for (const m of o.flag.matchAll(/(?:^|[\s,])(--?[a-z][a-z-]*)/g)) words.add(m[1]!);
  return [...words];
}

const names = () => COMMAND_HELP.map((h) => h.name);
/** Words completed after the command: subcommands, options; `help` completes command names. */
const wordsOf = (h: CommandHelp) => [...(h.name === "help" ? names() : (h.subcommands ?? [])), ...optionWords(h)];

function bash(): string {
  const cases = COMMAND_HELP.map((h) => `    ${h.name}) opts="${wordsOf(h).join(" ")}" ;;`).join("\n");
  return `# kairos completion for bash: source <(kairos completion bash)
_kairos() {
  local cur cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${names().join(" ")} --help --version" -- "$cur") )
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$cmd" in
${cases}
    *) opts="" ;;
  esac
  if [[ "$cur" == -* || "$cmd" == help || "$cmd" == completion ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -F _kairos kairos
`;
}

function zsh(): string {
  const cases = COMMAND_HELP.map((h) => `    ${h.name}) opts=(${wordsOf(h).join(" ")}) ;;`).join("\n");
  return `#compdef kairos
# kairos completion for zsh: kairos completion zsh > "\${fpath[1]}/_kairos"
_kairos() {
  local -a commands opts
  commands=(
${COMMAND_HELP.map((h) => `    '${h.name}:${h.summary.replace(/'/g, "'\\''").replace(/:/g, "\\:")}'`).join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "$words[2]" in
${cases}
    *) opts=() ;;
  esac
  if [[ "$PREFIX" == -* || "$words[2]" == help || "$words[2]" == completion ]]; then
    compadd -- $opts
  else
    _files
  fi
}
compdef _kairos kairos
`;
}

function fish(): string {
  const lines = [
    "# kairos completion for fish: kairos completion fish > ~/.config/fish/completions/kairos.fish",
    "complete -c kairos -f",
    ...COMMAND_HELP.map((h) => `complete -c kairos -n __fish_use_subcommand -a ${h.name} -d '${h.summary.replace(/'/g, "\\'")}'`),
  ];
  for (const h of COMMAND_HELP) {
    const cond = `-n '__fish_seen_subcommand_from ${h.name}'`;
    for (const s of h.name === "help" ? names() : (h.subcommands ?? [])) lines.push(`complete -c kairos ${cond} -a ${s}`);
    for (const w of optionWords(h))
      lines.push(w.startsWith("--") ? `complete -c kairos ${cond} -l ${w.slice(2)}` : `complete -c kairos ${cond} -s ${w.slice(1)}`);
    if (h.name !== "help" && h.name !== "completion") lines.push(`complete -c kairos ${cond} -F`);
  }
  return lines.join("\n") + "\n";
}

const HELP = helpOf("completion");

export const command: Command = {
  summary: HELP.summary,
  usage: HELP.usage.join("\n       "),
  async run(argv, io) {
    const { positionals } = parse(argv, {});
    const shell = positionals[0];
    if (positionals.length !== 1 || !(SHELLS as readonly string[]).includes(shell ?? ""))
      throw new UsageError(
        shell === undefined ? "missing the shell: `bash`, `zsh` or `fish`" : `unsupported shell \`${shell}\`; use \`bash\`, \`zsh\` or \`fish\``,
      );
    io.out(shell === "bash" ? bash() : shell === "zsh" ? zsh() : fish());
    return EXIT.ok;
  },
};
