// The shape of a command's help: the one source that `kairos CMD --help`, `kairos help CMD`,
// shell completion and the generated reference docs/cli.md all read.

/** One option (or positional argument) of a command. */
export interface OptionHelp {
  /** As typed: `--format text|json`, `-l, --list`, `DIR`. */
  readonly flag: string;
  readonly description: string;
}

/** One example: the command line, and what it does. */
export interface ExampleHelp {
  readonly command: string;
  readonly note: string;
}

/** A command's complete help. */
export interface CommandHelp {
  readonly name: string;
  /** One line, lowercase, no final period (the command list). */
  readonly summary: string;
  /** Usage lines, each starting with `kairos NAME`. */
  readonly usage: readonly string[];
  /** A paragraph or two: what the command does and what it prints where. */
  readonly description: string;
  readonly arguments?: readonly OptionHelp[];
  readonly options: readonly OptionHelp[];
  readonly examples: readonly ExampleHelp[];
  /** Exit code → its meaning for this command. */
  readonly exit: readonly { readonly code: number; readonly meaning: string }[];
  /** Subcommands or fixed first arguments, for shell completion. */
  readonly subcommands?: readonly string[];
  /** Owned and documented elsewhere (docs/service.md…): listed, with a pointer. */
  readonly seeAlso?: string;
}
