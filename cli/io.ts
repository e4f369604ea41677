// Command-line plumbing shared by every command: output streams, colour, usage errors.
import { parseArgs, type ParseArgsConfig } from "node:util";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly color: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
  err: (t) => void process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
  color: Boolean(process.stdout.isTTY) && !process.env["NO_COLOR"] && process.env["TERM"] !== "dumb",
};

/** Exit codes of every command (spec §6). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A usage mistake: printed with the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * A user or environment problem that is not a usage mistake (a path that cannot be written, a
 * file that is not UTF-8…): printed as `kairos CMD: message` and `help: hint`, exit `exit`.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exit: number;
  readonly hint: string | undefined;

  constructor(message: string, options: { exit?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exit = options.exit ?? EXIT.failed;
    this.hint = options.hint;
  }
}

/** `util.parseArgs` with strict checking; its errors become UsageErrors with plain messages. */
export function parse<T extends ParseArgsConfig["options"]>(
  argv: string[],
  options: T,
  allowPositionals = true,
): { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options: options ?? {}, allowPositionals, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | boolean[] | undefined>, positionals: r.positionals };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new UsageError(msg.replace(/^Unknown option '(.*)'.*$/s, "unknown option `$1`").replace(/\. To specify a positional.*$/s, ""));
  }
}
