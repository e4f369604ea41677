// Writing the decision log's files so that they survive a crash or a power loss: every byte of
// a string written (writeSync may write less than asked), the directory synced after a file is
// created or renamed in it (or the new name may vanish), and a file replaced as a whole by way
// of a temporary file beside it (written, fdatasync'd, renamed over the old one, the directory
// synced), so that readers only ever see the old file or the new one. Node-only, like all of
// runtime/log.
import { closeSync, fdatasyncSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Writes all of `text` (UTF-8) at the descriptor's position. */
export function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Syncs the directory that holds `path`, so that a file created or renamed there keeps its name. */
export function syncDirectory(path: string): void {
  try {
    const fd = openSync(dirname(path), "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not supported everywhere (Windows); the file's own data is synced.
  }
}

interface Temporary {
  readonly fd: number;
  readonly tmp: string;
}

function openTemporary(file: string, mode: number): Temporary {
  const tmp = `${file}.tmp-${process.pid}`;
  return { fd: openSync(tmp, "w", mode), tmp };
}

function abandon(t: Temporary): void {
  closeSync(t.fd);
  rmSync(t.tmp, { force: true });
}

function commit(t: Temporary, file: string): void {
  try {
    fdatasyncSync(t.fd);
  } catch (e) {
    abandon(t);
    throw e;
  }
  closeSync(t.fd);
  renameSync(t.tmp, file);
  syncDirectory(file);
}

/**
 * Replaces `file` by `text` atomically (temporary file `<file>.tmp-<pid>`, fdatasync, rename,
 * directory sync; `mode` for a new file, default 0644). A failed write removes the temporary
 * file; errors are Node's, as thrown.
 */
export function replaceFile(file: string, text: string, mode = 0o644): void {
  const t = openTemporary(file, mode);
  try {
    writeAll(t.fd, text);
  } catch (e) {
    abandon(t);
    throw e;
  }
  commit(t, file);
}

/** {@link replaceFile} with the text in pieces as they come (a large export, never all in memory). */
export async function replaceFileFrom(file: string, pieces: AsyncIterable<string>, mode = 0o644): Promise<void> {
  const t = openTemporary(file, mode);
  try {
    for await (const piece of pieces) writeAll(t.fd, piece);
  } catch (e) {
    abandon(t);
    throw e;
  }
  commit(t, file);
}
