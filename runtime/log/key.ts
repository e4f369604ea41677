// The two keys of a decision log (docs/decision-log.md#keys):
// - the pseudonymization key (KAIROS_LOG_KEY, else `<log>.key`): makes the `hmac:` pseudonyms
//   and seals the request; whoever holds it can link entries to people;
// - the integrity key (KAIROS_LOG_INTEGRITY_KEY, else `<log>.integrity-key`): authenticates
//   every entry (`mac`) and signs checkpoints; whoever holds it can append or verify, and
//   nobody without it can rewrite the log unnoticed. It links nobody to anything.
// Both are 32 random bytes written as 64 hex digits or base64. A key is only ever created for a
// log that does not exist yet: a missing key of an existing log is an error, never replaced.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { errnoCode, LogError } from "./errors.ts";
import { sleepSync } from "./lock.ts";

/** The environment variable that, when set, holds the pseudonymization key. */
export const KEY_ENV = "KAIROS_LOG_KEY";
/** The environment variable that, when set, holds the integrity key. */
export const INTEGRITY_KEY_ENV = "KAIROS_LOG_INTEGRITY_KEY";

/** What a key is for: the two never share bytes, ids or files. */
export type KeyPurpose = "pseudonymization" | "integrity";

export interface LogKey {
  readonly bytes: Uint8Array;
  /**
   * 16 hex digits recorded in entries to tell keys apart: HMAC-SHA256(key, a fixed label), so it
   * tells nothing about the key (and a 256-bit random key cannot be guessed offline anyway).
   */
  readonly id: string;
  /** Where it came from, for messages: the environment variable or the key file's path. */
  readonly source: string;
}

const KEY_BYTES = 32;
/** 32 random bytes have ~30 distinct values; fewer than 12 means a pattern, not randomness. */
const MIN_DISTINCT_BYTES = 12;

/** The key file of a log for one purpose. */
export function keyFileFor(logPath: string, purpose: KeyPurpose = "pseudonymization"): string {
  return purpose === "integrity" ? `${logPath}.integrity-key` : `${logPath}.key`;
}

function envName(purpose: KeyPurpose): string {
  return purpose === "integrity" ? INTEGRITY_KEY_ENV : KEY_ENV;
}

/** The id of a decision-log/2 key. */
export function keyIdOf(bytes: Uint8Array, purpose: KeyPurpose): string {
  return createHmac("sha256", bytes).update(`kairos decision-log/2 key id: ${purpose}`).digest("hex").slice(0, 16);
}

function weak(source: string, what: string): LogError {
  return new LogError(
    "log/weak-key",
    `the key from ${source} ${what}`,
    "a key is 32 random bytes written as 64 hex digits or base64, e.g. `openssl rand -hex 32` or `node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\"`",
  );
}

/** Decodes and checks a key's text: 64 hex digits or base64 of exactly 32 bytes, not a pattern. */
export function parseKey(text: string, source: string, purpose: KeyPurpose): LogKey {
  const t = text.trim();
  let bytes: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(t)) bytes = Buffer.from(t, "hex");
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) bytes = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  else throw weak(source, t.length === 0 ? "is empty" : `is not 32 bytes as 64 hex digits or base64 (it has ${t.length} characters)`);
  if (bytes.length !== KEY_BYTES) throw weak(source, `decodes to ${bytes.length} bytes instead of ${KEY_BYTES}`);
  if (new Set(bytes).size < MIN_DISTINCT_BYTES) throw weak(source, "is a pattern, not random bytes");
  const out = new Uint8Array(bytes);
  return { bytes: out, id: keyIdOf(out, purpose), source };
}

/**
 * A key of a decision-log/1 log (written before keys had a format): any text of at least 16
 * characters, used as its UTF-8 bytes, id = sha256 of them. Only for reading and replaying old logs.
 */
export function parseLegacyKey(text: string, source: string): LogKey {
  const t = text.trim();
  if (t.length < 16) throw weak(source, "is shorter than 16 characters");
  const bytes = new Uint8Array(Buffer.from(t, "utf8"));
  return { bytes, id: createHash("sha256").update(bytes).digest("hex").slice(0, 16), source };
}

function readKeyFile(path: string, parse: (text: string, source: string) => LogKey): LogKey {
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
    return parse(readFileSync(fd, "utf8"), path);
  } finally {
    closeSync(fd);
  }
}

export interface LoadKeyOptions {
  readonly purpose?: KeyPurpose;
  /** Environment to read the key variable from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Create the key file when neither the variable nor the file exists. Only a writer starting a
   * NEW log may: a log whose key is missing must never be given a new one.
   */
  readonly create?: boolean;
  /** Read a decision-log/1 key (any text of 16+ characters). */
  readonly legacy?: boolean;
}

/**
 * Loads a log's key: the environment variable when set, else the key file, which is created
 * (mode 0600, O_EXCL so two first writers cannot make two keys) only when `create` is true.
 */
export function loadLogKey(logPath: string, options: LoadKeyOptions = {}): LogKey {
  const purpose = options.purpose ?? "pseudonymization";
  const env = options.env ?? process.env;
  const parse = options.legacy ? parseLegacyKey : (text: string, source: string) => parseKey(text, source, purpose);
  const name = envName(purpose);
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== "") return parse(fromEnv, name);
  const path = keyFileFor(logPath, purpose);
  try {
    return readKeyFile(path, parse);
  } catch (e) {
    if (errnoCode(e) !== "ENOENT") {
      if (e instanceof LogError) throw e;
      throw new LogError("log/io", `cannot read the ${purpose} key file ${path}: ${(e as Error).message}`, undefined, e);
    }
  }
  if (!options.create) {
    throw new LogError(
      "log/no-key",
      `no ${purpose} key for ${logPath}: ${name} is not set and ${path} does not exist`,
      `set ${name} to the log's key (from where you keep it), or restore ${path}; a new key cannot read or extend an existing log`,
    );
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if (errnoCode(e) !== "EEXIST") throw new LogError("log/io", `cannot create the key file ${path}: ${(e as Error).message}`, undefined, e);
    // Another process created it first: use theirs, once it has written it.
    for (let attempt = 0; ; attempt++) {
      try {
        return readKeyFile(path, parse);
      } catch (err) {
        if (!(err instanceof LogError && err.code === "log/weak-key") || attempt >= 100) throw err;
        sleepSync(10);
      }
    }
  }
  try {
    writeSync(fd, randomBytes(KEY_BYTES).toString("hex") + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return readKeyFile(path, parse);
}
