// Reading a text file the user names (a request, …) for a command: strictly UTF-8, so bytes
// that are not text are an error naming the file, the byte and where it is — never silently
// turned into U+FFFD. Policy sets are read by compiler/node/policy-dir.ts with the same decoder.
// The name `-` means stdin (`kairos decide --request -`, `kairos fmt -`).
import { readFileSync } from "node:fs";
import { decodeUtf8Strict } from "../compiler/node/policy-dir.ts";
import { describeErrno } from "./errors.ts";
import { CliError, EXIT } from "./io.ts";

/**
 * The text of `path` (a leading BOM dropped). Throws a CliError when it cannot be read (the
 * reason, e.g. no such file: exit 2; permission denied: exit 1) or is not UTF-8 (exit 2).
 * `what` names the file in messages: "the request file". `-` reads stdin to its end.
 */
export function readTextFile(path: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path === "-" ? 0 : path);
  } catch (e) {
    const why = describeErrno(e);
    if (!why) throw e;
    throw new CliError(`cannot read ${what} ${path === "-" ? "from stdin" : `\`${path}\``}: ${why.what}`, {
      exit: why.exit,
      ...(why.hint !== undefined ? { hint: why.hint } : {}),
      cause: e,
    });
  }
  const { text, problem } = decodeUtf8Strict(bytes);
  if (problem) {
    throw new CliError(
      `${what} \`${path}\` is not valid UTF-8: byte 0x${problem.byte.toString(16).padStart(2, "0")} at offset ${problem.offset} (line ${problem.line}, column ${problem.column})`,
      {
        exit: EXIT.usage,
        hint: "save the file as UTF-8",
      },
    );
  }
  return text;
}
