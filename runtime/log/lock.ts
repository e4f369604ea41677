// An exclusive lock file (`<log>.lock`, created with O_CREAT|O_EXCL) held by a writer, so that
// two processes never interleave lines nor chain two entries to the same `prev`. Stale locks (a
// writer that died holding one) are broken as described in docs/decision-log.md#lock: on the
// same host by process identity — pid AND the process's start time AND the boot id, so a pid
// reused after a restart (pid 1 in a container, or this very process's pid) is not mistaken
// for the holder — and by age across hosts.
import { randomBytes } from "node:crypto";
import { closeSync, constants, openSync, readFileSync, renameSync, statSync, unlinkSync, linkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { LogError, errnoCode } from "./errors.ts";

export interface LockOptions {
  /** How long to wait for a held lock before failing with `log/locked` (default 10 s). */
  readonly timeoutMs?: number;
  /** Age after which a lock from another host, or one without readable content, is stale (default 30 s). */
  readonly staleMs?: number;
}

interface LockContent {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  /** The holder's start time (clock ticks since boot, /proc/<pid>/stat field 22), when known. */
  readonly start?: string;
  /** The kernel's boot id when the lock was taken, when known. */
  readonly boot?: string;
}

/** This machine's boot id (Linux), or undefined. */
function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A process's start time in clock ticks since boot (Linux), or undefined. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: count after its end.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

// Process-wide and safe: `sleeper` is only waited on (never written, never notified), so any
// number of writers may share it.
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const HOST = hostname();
const BOOT = bootId();
const PROCESS_TOKEN = randomBytes(6).toString("hex");
// Process-wide by design: a lock token must be unique within this process (PROCESS_TOKEN + a
// count), and only ever increases (JavaScript runs the synchronous acquire to completion).
let acquisitions = 0;
/**
 * Tokens of the locks this process holds now. Process-wide by design: a lock file naming this
 * process's pid is held by a live writer only if its token is here (a file left by an earlier
 * process with the same pid is not); entries leave on release.
 */
const heldHere = new Set<string>();

/** Blocks the thread for `ms` milliseconds (appends are synchronous by design). */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === "EPERM";
  }
}

function readContent(path: string): { text: string; parsed?: LockContent } | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw e;
  }
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    if (typeof v.pid === "number" && typeof v.host === "string" && typeof v.token === "string") {
      const extra = { ...(typeof v.start === "string" ? { start: v.start } : {}), ...(typeof v.boot === "string" ? { boot: v.boot } : {}) };
      return { text, parsed: { pid: v.pid, host: v.host, token: v.token, ...extra } };
    }
  } catch {
    // Being written right now, or garbage: judged by age below.
  }
  return { text };
}

/** An acquired lock; `release()` removes the file only while it is still this holder's. */
export class FileLock {
  readonly path: string;
  private readonly token: string;

  private constructor(path: string, token: string) {
    this.path = path;
    this.token = token;
  }

  /** Acquires `path`, waiting up to `timeoutMs`; breaks a stale lock once it is sure it is stale. */
  static acquire(path: string, options: LockOptions = {}): FileLock {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const staleMs = options.staleMs ?? 30_000;
    const token = `${PROCESS_TOKEN}-${++acquisitions}`;
    const start = processStart(process.pid);
    const content = JSON.stringify({
      pid: process.pid,
      host: HOST,
      token,
      ...(start ? { start } : {}),
      ...(BOOT ? { boot: BOOT } : {}),
      at: new Date().toISOString(),
    });
    const deadline = Date.now() + timeoutMs;
    let wait = 1;
    for (;;) {
      try {
        const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
        try {
          writeSync(fd, content);
        } finally {
          closeSync(fd);
        }
        heldHere.add(token);
        return new FileLock(path, token);
      } catch (e) {
        if (errnoCode(e) !== "EEXIST") throw new LogError("log/io", `cannot create the lock file ${path}: ${(e as Error).message}`, undefined, e);
      }
      const holder = readContent(path);
      if (holder !== undefined && isStale(path, holder, staleMs)) {
        breakStale(path, holder.text);
        continue;
      }
      if (Date.now() >= deadline) {
        const who = holder?.parsed
          ? holder.parsed.pid === process.pid && holder.parsed.host === HOST
            ? "another writer in this same process"
            : `process ${holder.parsed.pid} on ${holder.parsed.host}`
          : "another process";
        throw new LogError(
          "log/locked",
          `the log is locked by ${who} (${path}) and stayed locked for ${timeoutMs} ms`,
          `if no Kairos process is writing this log, remove ${path}`,
        );
      }
      sleepSync(wait);
      wait = Math.min(wait * 2, 16);
    }
  }

  /** Removes the lock file if it still holds this holder's token. */
  release(): void {
    heldHere.delete(this.token);
    const now = readContent(this.path);
    if (now?.parsed?.token !== this.token) return;
    try {
      unlinkSync(this.path);
    } catch (e) {
      if (errnoCode(e) !== "ENOENT") throw e;
    }
  }
}

/**
 * Whether a lock's holder is gone. Same host: the process identity tells for sure — the pid must
 * be alive, be the same process (same start time), in the same boot; a live holder is never
 * broken by age (a paused writer that resumed would interleave with us). This process's own pid
 * holds the lock only if one of its tokens does.
 */
function isStale(path: string, holder: { parsed?: LockContent }, staleMs: number): boolean {
  const h = holder.parsed;
  if (h && h.host === HOST) {
    if (h.boot !== undefined && BOOT !== undefined && h.boot !== BOOT) return true;
    if (h.pid === process.pid) return !heldHere.has(h.token);
    if (!pidAlive(h.pid)) return true;
    if (h.start !== undefined) {
      const now = processStart(h.pid);
      if (now !== undefined && now !== h.start) return true;
    }
    return false;
  }
  try {
    return Date.now() - statSync(path).mtimeMs > staleMs;
  } catch {
    return false;
  }
}

/**
 * Removes a stale lock without removing a fresh one that replaced it meanwhile: the file is
 * moved aside first and only deleted if it is the one judged stale; otherwise it is put back.
 */
function breakStale(path: string, staleText: string): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return; // someone else broke it first
    throw e;
  }
  let movedText = "";
  try {
    movedText = readFileSync(aside, "utf8");
  } catch {
    // unreadable: treat as the stale one
    movedText = staleText;
  }
  if (movedText !== staleText) {
    try {
      linkSync(aside, path); // restore the live holder's lock (fails if a third one exists)
    } catch {
      // A third process took the lock in the window; nothing safe left to restore.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // already gone
  }
}
