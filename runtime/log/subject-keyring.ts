// The file log's per-subject keys (docs/decision-log.md#per-subject-keys): `<log>.subject-keys`,
// mode 0600 next to the log, one JSON line per subject — `{"id","key","lookup"}`, the lookup an
// HMAC of the subject under the log's pseudonymization key (subject-key.ts), never the subject,
// and the key wrapped under that same log key — after a header line naming the log key. A new subject's key is appended with one write and
// fdatasync'd BEFORE the entry that uses it is written, so no entry on disk is ever under a key
// that is not; erasure rewrites the file without the subject's line (temporary file, fsync,
// rename, directory fsync) under the log's lock, so the file is always either the old or the new
// one. A torn last line (a crash mid-append) is dropped: its entry was never written.
import { closeSync, constants, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import { syncDirectory, writeAll } from "./durable-file.ts";
import { errnoCode, LogError } from "./errors.ts";
import type { LogKey } from "./key.ts";
import { newSubjectKey, subjectLookup, unwrapSubjectKey, wrapSubjectKey, type SubjectKeySource } from "./subject-key.ts";

/** The header line's format tag. */
export const SUBJECT_KEYS_FORMAT = "decision-log-subject-keys/1";

/** The subject keys file of a log. */
export function subjectKeysFileFor(logPath: string): string {
  return `${logPath}.subject-keys`;
}

/** One subject's line: its key's id, the key wrapped under the log key, the subject's lookup HMAC. */
export interface KeyLine {
  readonly id: string;
  readonly key: string;
  readonly lookup: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** How many LogKey objects (with their derived subkeys) a keyring keeps built: a bound on memory. */
const BUILT = 4096;

/**
 * A log's per-subject keys, loaded from `<log>.subject-keys`. The caller holds the log's lock
 * around every call that writes (keyFor on a new subject, erase), as the writer and `kairos
 * subject erase` do.
 */
export class FileSubjectKeyring implements SubjectKeySource {
  readonly path: string;
  private readonly master: LogKey;
  /** lookup → key line. */
  private byLookup = new Map<string, KeyLine>();
  /** key id → key line. */
  private byKeyId = new Map<string, KeyLine>();
  /** The file's size when last read or written (another process appended when it differs). */
  private size = 0;
  private readonly built = new Map<string, LogKey>();

  private constructor(path: string, master: LogKey) {
    this.path = path;
    this.master = master;
  }

  /**
   * Opens the keyring of the log at `logPath`, made under the pseudonymization key `master`.
   * `create`: make the file when it does not exist (only for a log without entries under
   * per-subject keys: a lost keyring must never be silently replaced by an empty one).
   */
  static open(logPath: string, master: LogKey, options: { readonly create?: boolean; readonly repair?: boolean } = {}): FileSubjectKeyring {
    const ring = new FileSubjectKeyring(subjectKeysFileFor(logPath), master);
    let fd: number;
    try {
      fd = openSync(ring.path, constants.O_RDONLY);
    } catch (e) {
      if (errnoCode(e) !== "ENOENT") throw new LogError("log/io", `cannot read ${ring.path}: ${(e as Error).message}`, undefined, e);
      if (!options.create) {
        throw new LogError(
          "log/no-key",
          `no per-subject keys for ${logPath}: ${ring.path} does not exist`,
          `restore ${ring.path} from where you keep it; without it no entry made under per-subject keys can be linked or replayed`,
        );
      }
      ring.create();
      return ring;
    }
    try {
      ring.load(fd, options.repair === true);
    } finally {
      closeSync(fd);
    }
    return ring;
  }

  /** Number of subjects with a key. */
  get count(): number {
    return this.byLookup.size;
  }

  private create(): void {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (e) {
      if (errnoCode(e) === "EEXIST") {
        const again = FileSubjectKeyring.open(this.path.slice(0, -".subject-keys".length), this.master);
        this.byLookup = again.byLookup;
        this.byKeyId = again.byKeyId;
        this.size = again.size;
        return;
      }
      throw new LogError("log/io", `cannot create ${this.path}: ${(e as Error).message}`, undefined, e);
    }
    try {
      const header = `${JSON.stringify({ $kairos: SUBJECT_KEYS_FORMAT, key_id: this.master.id })}\n`;
      writeAll(fd, header);
      fdatasyncSync(fd);
      this.size = Buffer.byteLength(header);
    } finally {
      closeSync(fd);
    }
    syncDirectory(this.path);
  }

  /** Reads the file (already open as `fd`): checks its mode and header, drops a torn last line (`repair`: cuts it off the file). */
  private load(fd: number, repair: boolean): void {
    const st = fstatSync(fd);
    if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
      throw new LogError(
        "log/key-permissions",
        `the per-subject key file ${this.path} can be read by other users (mode ${(st.mode & 0o777).toString(8)})`,
        `run \`chmod 600 ${this.path}\``,
      );
    }
    const text = readFileSync(fd, "utf8");
    const end = text.lastIndexOf("\n") + 1;
    if (end < text.length && repair) {
      // A key line cut short by a crash: its entry was never written (keys are synced first).
      const w = openSync(this.path, constants.O_WRONLY);
      try {
        ftruncateSync(w, Buffer.byteLength(text.slice(0, end)));
        fdatasyncSync(w);
      } finally {
        closeSync(w);
      }
    }
    const lines = text.slice(0, end).split("\n").slice(0, -1);
    const header = lines.length > 0 ? parseJson(lines[0]!) : undefined;
    if (header === undefined || header["$kairos"] !== SUBJECT_KEYS_FORMAT) {
      throw new LogError("log/corrupt", `${this.path} is not a per-subject key file (its first line is not a \`${SUBJECT_KEYS_FORMAT}\` header)`);
    }
    if (header["key_id"] !== this.master.id) {
      throw new LogError(
        "log/key-mismatch",
        `${this.path} was made under pseudonymization key ${String(header["key_id"])}, but the key from ${this.master.source} is ${this.master.id}`,
        "set KAIROS_LOG_KEY to the log's key (or restore its key file)",
      );
    }
    const byLookup = new Map<string, KeyLine>();
    const byKeyId = new Map<string, KeyLine>();
    for (let i = 1; i < lines.length; i++) {
      const v = parseJson(lines[i]!);
      const id = v?.["id"];
      const key = v?.["key"];
      const lookup = v?.["lookup"];
      if (typeof id !== "string" || typeof key !== "string" || typeof lookup !== "string" || !HEX64.test(key) || !HEX64.test(lookup)) {
        throw new LogError("log/corrupt", `${this.path}:${i + 1}: not a per-subject key line`, "restore the file from a backup");
      }
      const line = { id, key, lookup };
      byLookup.set(lookup, line);
      byKeyId.set(id, line);
    }
    this.byLookup = byLookup;
    this.byKeyId = byKeyId;
    this.size = Buffer.byteLength(text.slice(0, end));
  }

  /** Re-reads the file when another process changed it since (shared writers). */
  refresh(): void {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY);
    } catch (e) {
      throw new LogError("log/io", `cannot read ${this.path}: ${(e as Error).message}`, undefined, e);
    }
    try {
      if (fstatSync(fd).size !== this.size) this.load(fd, true);
    } finally {
      closeSync(fd);
    }
  }

  /** The key of a line, unwrapped with the log key (and checked against its id). */
  private build(line: KeyLine): LogKey {
    let key = this.built.get(line.key);
    if (key === undefined) {
      key = unwrapSubjectKey(this.master, line.lookup, line.key, line.id, this.path);
      if (key === undefined) {
        throw new LogError(
          "log/corrupt",
          `${this.path}: the key with id ${line.id} does not unwrap under the log key ${this.master.id} (the line was altered)`,
          "restore the file from a backup",
        );
      }
      if (this.built.size >= BUILT) this.built.clear();
      this.built.set(line.key, key);
    }
    return key;
  }

  /** The subject's key, or undefined when it has none (never had one, or it was erased). */
  find(subject: string): LogKey | undefined {
    const line = this.byLookup.get(subjectLookup(this.master, subject));
    return line === undefined ? undefined : this.build(line);
  }

  /** The key with this id (an entry's `subject_key`), or undefined when it was erased. */
  byId(id: string): LogKey | undefined {
    const line = this.byKeyId.get(id);
    return line === undefined ? undefined : this.build(line);
  }

  /** The subject's key; a new one is appended and synced before it is returned. Call under the log's lock. */
  keyFor(subject: string): LogKey {
    const lookup = subjectLookup(this.master, subject);
    const known = this.byLookup.get(lookup);
    if (known !== undefined) return this.build(known);
    const key = newSubjectKey(this.path);
    const hex = wrapSubjectKey(this.master, lookup, key);
    const line = `${JSON.stringify({ id: key.id, key: hex, lookup })}\n`;
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND);
    } catch (e) {
      throw new LogError("log/io", `cannot write a per-subject key to ${this.path}: ${(e as Error).message}`, undefined, e);
    }
    try {
      if (fstatSync(fd).size !== this.size) {
        throw new LogError("log/io", `${this.path} changed under this writer (another process appended keys without holding the log's lock)`);
      }
      writeAll(fd, line);
      fdatasyncSync(fd);
    } catch (e) {
      try {
        ftruncateSync(fd, this.size);
      } catch {
        // The next open drops the torn line.
      }
      if (e instanceof LogError) throw e;
      throw new LogError("log/io", `cannot write a per-subject key to ${this.path}: ${(e as Error).message}`, undefined, e);
    } finally {
      closeSync(fd);
    }
    this.size += Buffer.byteLength(line);
    const entry = { id: key.id, key: hex, lookup };
    this.byLookup.set(lookup, entry);
    this.byKeyId.set(key.id, entry);
    this.built.set(hex, key);
    return key;
  }

  /**
   * Destroys the subject's key: rewrites the file without its line (temporary file, fsync,
   * rename, directory fsync). Returns the destroyed key's id, or undefined when the subject had
   * no key (already erased, or never logged). Call under the log's lock.
   */
  erase(subject: string): string | undefined {
    this.refresh();
    const lookup = subjectLookup(this.master, subject);
    const line = this.byLookup.get(lookup);
    if (line === undefined) return undefined;
    const size = writeKeysFile(
      this.path,
      this.master.id,
      [...this.byLookup.values()].filter((l) => l.lookup !== lookup),
    );
    this.byLookup.delete(lookup);
    this.byKeyId.delete(line.id);
    this.built.delete(line.key);
    this.size = size;
    return line.id;
  }
}

/**
 * Writes a complete subject keys file for the log at `logPath` (temporary file, fsync, rename):
 * what `kairos log export --store` puts next to an exported shard, so that the export is a log
 * that replays and answers access requests like any other. `keyId`: the log key's id.
 */
export function writeSubjectKeysFile(logPath: string, keyId: string, keys: readonly KeyLine[]): void {
  writeKeysFile(subjectKeysFileFor(logPath), keyId, keys);
}

/**
 * Writes the subject keys file `path` whole: the header naming the log key `keyId`, then one
 * line per key. A temporary file created afresh (never one found there: it could be a link
 * planted elsewhere, or have a looser mode than 0600), fdatasync'd, renamed over `path`, the
 * directory synced. Returns the file's size in bytes.
 */
function writeKeysFile(path: string, keyId: string, keys: readonly KeyLine[]): number {
  const text =
    `${JSON.stringify({ $kairos: SUBJECT_KEYS_FORMAT, key_id: keyId })}\n` +
    keys.map((k) => `${JSON.stringify({ id: k.id, key: k.key, lookup: k.lookup })}\n`).join("");
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    throw new LogError("log/io", `cannot write ${tmp}: ${(e as Error).message}`, undefined, e);
  }
  try {
    writeAll(fd, text);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new LogError("log/io", `cannot replace ${path}: ${(e as Error).message}`, undefined, e);
  }
  syncDirectory(path);
  return Buffer.byteLength(text);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
