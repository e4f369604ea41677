// Command-line plumbing shared by every command: output streams, colour, usage errors.
// Colour is decided per stream — diagnostics go to stderr, so they are coloured when stderr is a
// terminal, whatever stdout is (`kairos check 2>err.txt` writes no escapes into the file) — and
// honours NO_COLOR (any non-empty value: never) and FORCE_COLOR (non-empty and not `0`: always).
import { parseArgs, type ParseArgsConfig } from "node:util";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether text for stdout may carry colour. */
  readonly color: boolean;
  /** Whether text for stderr may carry colour (default: `color`). */
  readonly errColor?: boolean;
}

/**
 * Whether a stream gets colour: FORCE_COLOR (not `0`/`false`) wins, then NO_COLOR (any
 * non-empty value) and TERM=dumb turn it off, else colour only on a terminal.
 */
export function streamColor(isTTY: boolean | undefined, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const force = env["FORCE_COLOR"];
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["TERM"] === "dumb") return false;
  return Boolean(isTTY);
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
  err: (t) => void process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
  color: streamColor(process.stdout.isTTY),
  errColor: streamColor(process.stderr.isTTY),
};

/** Whether stderr output of `io` may carry colour. */
export function errColor(io: Io): boolean {
  return io.errColor ?? io.color;
}

/** Exit codes of every command (docs/cli.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * JSON for data on stdout, one style for every command: pretty, two-space indentation (what
 * `opa eval` and `cedar … --format json` users read; `jq -c` makes it one line).
 */
export function jsonOut(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

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
    throw new UsageError(msg.replace(/^Unknown option '([^']*)'.*$/s, "unknown option `$1`").replace(/\. To specify a positional.*$/s, ""));
  }
}
