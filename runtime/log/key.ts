// The pseudonymization key of a decision log: from KAIROS_LOG_KEY, else from `<log>.key` next
// to the log (32 random bytes, hex, created 0600 on first use). Without the key nobody can
// link an `hmac:` value back to a person; with it, an auditor can recompute one to find a
// subject's decisions. See docs/decision-log.md.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readFileSync, writeSync, fsyncSync } from "node:fs";
import { LogError } from "./errors.ts";
import { sleepSync } from "./lock.ts";

/** The environment variable that, when set, holds the key (any string of at least 16 characters). */
export const KEY_ENV = "KAIROS_LOG_KEY";
const MIN_KEY_CHARS = 16;

export interface LogKey {
  readonly bytes: Uint8Array;
  /** First 16 hex digits of sha256(key): recorded in every entry, reveals nothing about the key. */
  readonly id: string;
  /** Where it came from, for messages: `KAIROS_LOG_KEY` or the key file's path. */
  readonly source: string;
}

/** The key file that belongs to a log. */
export function keyFileFor(logPath: string): string {
  return `${logPath}.key`;
}

function fromText(text: string, source: string): LogKey {
  const trimmed = text.trim();
  if (trimmed.length < MIN_KEY_CHARS) {
    throw new LogError("log/weak-key", `the pseudonymization key from ${source} is shorter than ${MIN_KEY_CHARS} characters`);
  }
  const bytes = new Uint8Array(Buffer.from(trimmed, "utf8"));
  return { bytes, id: createHash("sha256").update(bytes).digest("hex").slice(0, 16), source };
}

function readKeyFile(path: string): LogKey {
  const fd = openSync(path, "r");
  try {
    const mode = fstatSync(fd).mode;
    if (process.platform !== "win32" && (mode & 0o077) !== 0) {
      throw new LogError(
        "log/key-permissions",
        `the key file ${path} can be read by other users (mode ${(mode & 0o777).toString(8)})`,
        `run \`chmod 600 ${path}\``,
      );
    }
    return fromText(readFileSync(fd, "utf8"), path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads the log's key: `KAIROS_LOG_KEY` when set, else the key file, which is created (mode
 * 0600, O_EXCL so two first writers cannot make two keys) when `create` is true and it is absent.
 */
export function loadLogKey(logPath: string, env: Readonly<Record<string, string | undefined>> = process.env, create = true): LogKey {
  const fromEnv = env[KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromText(fromEnv, KEY_ENV);
  const path = keyFileFor(logPath);
  try {
    return readKeyFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  if (!create) throw new LogError("log/no-key", `no pseudonymization key: ${KEY_ENV} is not set and ${path} does not exist`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    // Another process created it first: use theirs, once it has written it.
    for (let attempt = 0; ; attempt++) {
      try {
        return readKeyFile(path);
      } catch (err) {
        if (!(err instanceof LogError && err.code === "log/weak-key") || attempt >= 100) throw err;
        sleepSync(10);
      }
    }
  }
  try {
    writeSync(fd, randomBytes(32).toString("hex") + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return readKeyFile(path);
}
