// Replacing one file safely, for the commands that write files (`fmt` in place, `test
// --junit`): the new content goes to a fresh temp file beside it, is fsynced, and takes the
// file's place by rename — an interrupted write never leaves half a file, a temp name never
// clobbers anything, the file keeps its permissions, and a symbolic link keeps pointing at the
// (replaced) file it named. A directory is never replaced.
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, constants, fsyncSync, openSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CliError, EXIT } from "./io.ts";

function errnoOf(e: unknown): string | undefined {
  return e !== null && typeof e === "object" && "code" in e && typeof e.code === "string" ? e.code : undefined;
}

function syncDir(path: string): void {
  try {
    const fd = openSync(path, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not supported everywhere (Windows); the file itself was synced.
  }
}

/** How `replaceFile` judges a file that is already there. */
export interface ReplaceOptions {
  /** Judges an existing file by its first bytes: false refuses to replace it (exit 2). */
  readonly accept?: (start: Buffer) => boolean;
  /** What the file is, for messages: "a JUnit report". */
  readonly what?: string;
  /** The hint when `accept` refuses. */
  readonly refusal?: string;
}

/**
 * Judges `path` before anything is written (commands call it before their work, too): throws a
 * CliError (exit 2) for a directory, a device or a file `accept` refuses. Returns the file to
 * write (a symbolic link's target) and its current mode, when it exists.
 */
export function checkReplaceable(path: string, options: ReplaceOptions = {}): { target: string; mode?: number } {
  let target: string;
  let mode: number;
  try {
    target = realpathSync(path);
    const st = statSync(target);
    if (st.isDirectory())
      throw new CliError(`\`${path}\` is a directory; ${options.what ?? "the output"} is a file`, { exit: EXIT.usage, hint: "give a file name" });
    if (!st.isFile())
      throw new CliError(`\`${path}\` is not a regular file; refusing to replace it`, { exit: EXIT.usage, hint: "give the name of a regular file" });
    mode = st.mode & 0o7777;
  } catch (e) {
    if (errnoOf(e) === "ENOENT") return { target: path }; // a new file (or a dangling link's name)
    throw e;
  }
  if (options.accept) {
    // Its first bytes are enough to recognise a file.
    const fd = openSync(target, "r");
    const head = Buffer.alloc(4096);
    let read = 0;
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    if (!options.accept(head.subarray(0, read))) {
      throw new CliError(`\`${path}\` exists and is not ${options.what ?? "a file this command wrote"}; refusing to replace it`, {
        exit: EXIT.usage,
        hint: options.refusal ?? "give a new file name, or remove that file first",
      });
    }
  }
  return { target, mode };
}

/** Writes `text` to `path` atomically (see the header), after `checkReplaceable`. */
export function replaceFile(path: string, text: string | Uint8Array, options: ReplaceOptions = {}): void {
  const { target, mode } = checkReplaceable(path, options);
  const tmp = join(dirname(target), `.${basename(target)}.kairos-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode ?? 0o666);
  try {
    try {
      if (mode !== undefined) chmodSync(tmp, mode); // exactly the old mode, whatever the umask
      const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    if (e !== null && typeof e === "object" && !("path" in e)) Object.assign(e, { path: target });
    throw e;
  }
  syncDir(dirname(target));
}
