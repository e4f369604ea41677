// The decision log writer: the engine's DecisionSink. Each decision becomes one canonical-JSON
// line chained to the previous one by hash and authenticated by a MAC under the integrity key,
// appended under an exclusive lock with a single write and (by default) an fdatasync before
// `append` returns; signed checkpoints go to `<log>.checkpoints`. Policies in docs/decision-log.md.
import { closeSync, constants, fdatasyncSync, fstatSync, ftruncateSync, openSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import type { DecisionLogEntry, DecisionSink } from "../sink.ts";
import {
  appendCheckpoint,
  checkpointFileFor,
  checkpointSigner,
  checkSignature,
  makeCheckpoint,
  parsePublicKey,
  readCheckpoints,
  type Checkpoint,
  type CheckpointSigner,
} from "./checkpoint.ts";
import { EntryEncoder, LoggedMemory } from "./encode.ts";
import { errnoCode, LogError } from "./errors.ts";
import { LOG_FORMAT, LOG_FORMAT_V1, type LogEntry } from "./format.ts";
import { EntryMac, entryProblem } from "./hash.ts";
import { KEY_ENV, keyFileFor, loadLogKey, type LogKey } from "./key.ts";
import { forEachLine, readFileEnd } from "./lines.ts";
import { FileLock, type LockOptions } from "./lock.ts";
import type { PiiLookup } from "./pseudonymize.ts";
import { notALog, settleTail, type Head } from "./tail.ts";
import { verifyLog } from "./verify.ts";

/**
 * `always` (default): every append is on disk (fdatasync) before it returns — an acknowledged
 * decision survives a power loss. `batch`: fdatasync every `batchSize` appends and on
 * `flush()`/`close()` — a process crash still loses nothing (each line is already in the
 * kernel), a power loss may lose up to `batchSize - 1` acknowledged entries.
 */
export type FsyncPolicy = "always" | "batch";

export interface DecisionLogOptions {
  /** The catalog, or a lookup of its `pii` tags: which context values to pseudonymize. */
  readonly pii: Catalog | PiiLookup;
  /** Metadata of the artifact's journeys; each entry stores those of its candidates. */
  readonly journeys: readonly JourneyMeta[];
  readonly fsync?: FsyncPolicy;
  /** Appends per fdatasync under `batch` (default 100). */
  readonly batchSize?: number;
  readonly lock?: LockOptions;
  /**
   * false (default): this writer holds `<log>.lock` from open to close — the fast path, one
   * writer process per log; another writer waits for it (and fails after the lock timeout).
   * true: the lock is taken for each append, so several processes can append to one log and
   * keep one chain, at the cost of a lock file per entry.
   */
  readonly shared?: boolean;
  /** The pseudonymization key; default: KAIROS_LOG_KEY, else `<log>.key` (see key.ts). */
  readonly key?: LogKey;
  /** The integrity key; default: KAIROS_LOG_INTEGRITY_KEY, else `<log>.integrity-key`. */
  readonly integrityKey?: LogKey;
  /** Environment to read the key variables from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A signed checkpoint goes to `<log>.checkpoints` every this many entries (default 1000; 0: only on close). */
  readonly checkpointEvery?: number;
  /** Told about repairs made on open (a torn last line moved aside…); default: stderr. */
  readonly onWarning?: (message: string) => void;
}

function syncDirectory(path: string): void {
  try {
    const fd = openSync(dirname(path), constants.O_RDONLY);
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not supported everywhere (Windows); the file's own data is still synced.
  }
}

/** How big the file at `path` is; undefined when there is none. Refuses a directory. */
function existingSize(path: string): number | undefined {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new LogError("log/not-a-log", `${path} is a directory, not a decision log`, "give a file name for the log");
    return st.size;
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    if (e instanceof LogError) throw e;
    throw new LogError("log/io", `cannot open the decision log ${path}: ${(e as Error).message}`, undefined, e);
  }
}

/** An append-only, hash-chained, authenticated decision log in one JSON Lines file. */
export class DecisionLog implements DecisionSink {
  readonly path: string;
  private fd: number | undefined;
  private headNow: Head;
  /** The first entry's hash (the log's identity in checkpoints), once there is one. */
  private logId: string | undefined;
  private pending = 0;
  /** Journey metadata and artifact `policies` this writer has logged (see LogFields.meta). */
  private readonly logged = new LoggedMemory();
  private readonly fsync: FsyncPolicy;
  private readonly batchSize: number;
  private readonly checkpointEvery: number;
  private lastCheckpointSeq: number;
  private readonly lockPath: string;
  private readonly lockOptions: LockOptions;
  /** The lock this writer holds for its lifetime (not shared), released by close(). */
  private held: FileLock | undefined;
  private readonly warn: (message: string) => void;
  private readonly encoder: EntryEncoder;
  private readonly key: LogKey;
  private readonly mac: EntryMac;
  private readonly signer: CheckpointSigner;

  private constructor(
    path: string,
    fd: number,
    head: Head,
    logId: string | undefined,
    keys: { key: LogKey; integrity: LogKey },
    options: DecisionLogOptions,
    warn: (m: string) => void,
  ) {
    this.path = path;
    this.fd = fd;
    this.headNow = head;
    this.logId = logId;
    this.fsync = options.fsync ?? "always";
    this.batchSize = Math.max(1, options.batchSize ?? 100);
    this.checkpointEvery = Math.max(0, options.checkpointEvery ?? 1000);
    this.lastCheckpointSeq = head.seq;
    this.lockPath = `${path}.lock`;
    this.lockOptions = options.lock ?? {};
    this.warn = warn;
    this.encoder = new EntryEncoder({ key: keys.key, integrityKey: keys.integrity, pii: options.pii, journeys: options.journeys });
    this.key = keys.key;
    this.mac = this.encoder.mac;
    this.signer = checkpointSigner(keys.integrity);
  }

  /**
   * Opens (creating if needed) the log at `path`. Takes the lock before touching anything, then
   * loads the keys (created only for a new log), repairs a torn last line, and verifies the log
   * from its last trusted checkpoint to the end. Throws a LogError for a file that is not a
   * log, one whose entries are damaged anywhere (never repaired: see `verifyLog`), a
   * decision-log/1 log, or missing or mismatched keys.
   */
  static open(path: string, options: DecisionLogOptions): DecisionLog {
    const warn = options.onWarning ?? ((m: string) => void process.stderr.write(`kairos: warning: ${m}\n`));
    const lock = FileLock.acquire(`${path}.lock`, options.lock);
    let kept = false;
    try {
      const size = existingSize(path);
      const fresh = size === undefined || size === 0;
      const env = options.env;
      const key = options.key ?? loadLogKey(path, { env, create: fresh });
      const integrity = options.integrityKey ?? loadLogKey(path, { purpose: "integrity", env, create: fresh });
      let fd: number;
      try {
        fd = openSync(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o640);
      } catch (e) {
        throw new LogError("log/io", `cannot open the decision log ${path}: ${(e as Error).message}`, undefined, e);
      }
      try {
        if (size === undefined) syncDirectory(path);
        const mac = new EntryMac(integrity);
        const head = settleTail(fd, path, warn, mac);
        if (head.format === LOG_FORMAT_V1) {
          throw new LogError(
            "log/old-format",
            `${path} is a \`${LOG_FORMAT_V1}\` log (written by an earlier Kairos, without an integrity key); this Kairos appends only to \`${LOG_FORMAT}\` logs`,
            `keep it as it is (\`kairos log verify\`, \`explain\` and \`replay\` still read it) and write new decisions to a new log file`,
          );
        }
        if (head.keyId !== undefined && head.keyId !== key.id) {
          // Mixed keys would make one person two pseudonyms: a lost key file is not replaced silently.
          throw new LogError(
            "log/key-mismatch",
            `${path} was pseudonymized with key ${head.keyId}, but the key from ${key.source} is ${key.id}`,
            `set ${KEY_ENV} to the log's key (or restore ${keyFileFor(path)}), or start a new log to change keys`,
          );
        }
        const logId = head.seq > 0 ? checkWholeLog(fd, path, head, integrity, warn) : undefined;
        const log = new DecisionLog(path, fd, head, logId, { key, integrity }, options, warn);
        if (!options.shared) {
          log.held = lock;
          kept = true;
        }
        return log;
      } catch (e) {
        closeSync(fd);
        throw e;
      }
    } finally {
      if (!kept) lock.release();
    }
  }

  /** The last entry's seq and hash as this writer last saw them. */
  get head(): { readonly seq: number; readonly hash: string } {
    return { seq: this.headNow.seq, hash: this.headNow.hash };
  }

  /** The Ed25519 public key that signs this log's checkpoints (base64url): what auditors pin. */
  get publicKey(): string {
    return this.signer.publicKey;
  }

  /** Appends one decision and returns the entry as written (its `hash` is the new head). */
  append(record: DecisionLogEntry): LogEntry {
    const fd = this.fd;
    if (fd === undefined) throw new LogError("log/closed", `the decision log ${this.path} is closed`);
    const prepared = this.encoder.prepare(record, this.logged);
    const lock = this.held ?? FileLock.acquire(this.lockPath, this.lockOptions);
    try {
      // Another process appended (or crashed mid-append) since our last write: find the new head.
      // (A writer holding the lock for its lifetime is the only one: no need to look.)
      if (!this.held && fstatSync(fd).size !== this.headNow.size) {
        this.headNow = settleTail(fd, this.path, this.warn, this.mac);
        this.logId ??= firstEntryHash(fd);
      }
      const head = this.headNow;
      const { line, hash, entry } = this.encoder.chain(prepared, head);
      const bytes = Buffer.from(line, "utf8");
      try {
        let done = 0;
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
        if (this.fsync === "always" || ++this.pending >= this.batchSize) {
          fdatasyncSync(fd);
          this.pending = 0;
        }
      } catch (e) {
        // Disk full or similar: do not leave a partial (or unsynced) line behind for the next writer.
        try {
          ftruncateSync(fd, head.size);
        } catch {
          // The next open moves the torn tail aside.
        }
        throw new LogError("log/io", `cannot append to ${this.path}: ${(e as Error).message}`, describeIo(e), e);
      }
      this.headNow = { seq: head.seq + 1, hash, size: head.size + bytes.length, format: LOG_FORMAT, keyId: this.key.id };
      this.logId ??= hash;
      this.logged.confirm(prepared);
      if (this.checkpointEvery > 0 && this.headNow.seq - this.lastCheckpointSeq >= this.checkpointEvery) this.checkpoint();
      return entry;
    } finally {
      if (lock !== this.held) lock.release();
    }
  }

  /**
   * Syncs the log and appends a signed checkpoint of its head to `<log>.checkpoints`; returns
   * it (undefined for an empty log). Export it to anchor the head outside this file system.
   */
  checkpoint(): Checkpoint | undefined {
    if (this.fd === undefined || this.logId === undefined || this.headNow.seq === 0) return undefined;
    this.flush();
    const cp = makeCheckpoint(this.signer, { log: this.logId, seq: this.headNow.seq, head: this.headNow.hash, size: this.headNow.size });
    try {
      appendCheckpoint(checkpointFileFor(this.path), cp);
    } catch (e) {
      this.warn(`cannot write a checkpoint to ${checkpointFileFor(this.path)}: ${(e as Error).message}`);
    }
    this.lastCheckpointSeq = this.headNow.seq;
    return cp;
  }

  /** Forces appended entries to disk (a no-op under `always`). */
  flush(): void {
    if (this.fd !== undefined && this.pending > 0) {
      fdatasyncSync(this.fd);
      this.pending = 0;
    }
  }

  /** Flushes, writes a checkpoint when entries were appended since the last one, and closes; later appends throw. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
      if (this.headNow.seq > this.lastCheckpointSeq) this.checkpoint();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
      this.held?.release();
      this.held = undefined;
    }
  }
}

function describeIo(e: unknown): string | undefined {
  const code = errnoCode(e);
  if (code === "ENOSPC" || code === "EDQUOT") return "the disk is full: free space, then run again (the entries before this one are intact)";
  if (code === "EFBIG") return "the file is larger than this process may write (ulimit -f)";
  if (code === "EROFS") return "the file system is read-only";
  return undefined;
}

/** The hash of the first entry of an open log. */
function firstEntryHash(fd: number): string | undefined {
  let hash: string | undefined;
  forEachLine(fd, (line) => {
    try {
      const h = (JSON.parse(line.text) as { hash?: unknown }).hash;
      if (typeof h === "string") hash = h;
    } catch {
      // not an entry: no id
    }
    return false;
  });
  return hash;
}

/**
 * Verifies a log a writer is about to extend, from its last checkpoint that this integrity key
 * signed and that the log still holds (or from the start), and refuses it when anything is
 * damaged or when entries a checkpoint covers were removed. Returns the log's id.
 */
function checkWholeLog(fd: number, path: string, head: Head, integrity: LogKey, warn: (m: string) => void): string {
  let checkpoints: Checkpoint[] = [];
  try {
    checkpoints = readCheckpoints(checkpointFileFor(path));
  } catch (e) {
    warn(`${(e as Error).message}; verifying the whole log instead`);
  }
  const trusted = parsePublicKey(checkpointSigner(integrity).publicKey);
  const mac = new EntryMac(integrity);
  const signed = checkpoints.filter((c) => checkSignature(c, trusted).ok);
  const latest = signed.reduce<Checkpoint | undefined>((best, c) => (best === undefined || c.seq > best.seq ? c : best), undefined);
  if (latest !== undefined && latest.seq > head.seq) {
    throw new LogError(
      "log/corrupt",
      `${path}: entries were removed: a checkpoint signed at ${latest.at} covers ${latest.seq} entries, but the log ends at entry ${head.seq}`,
      `run \`kairos log verify ${path}\`; restore the log from a backup before appending`,
    );
  }
  let from: { offset: number; seq: number; hash: string; log: string; format: typeof LOG_FORMAT } | undefined;
  if (latest !== undefined) {
    const line = readFileEnd(fd, latest.size).last;
    let ok = false;
    if (line !== undefined && line.offset + Buffer.byteLength(line.text) + 1 === latest.size) {
      try {
        const e = JSON.parse(line.text) as { $kairos: string; seq: number; hash: string; mac?: string; ikey_id?: string };
        ok = e.seq === latest.seq && e.hash === latest.head && entryProblem(line.text, e, mac) === undefined;
      } catch {
        ok = false;
      }
    }
    // When the checkpointed entry is not where it was, verify everything: the first bad line
    // says more than the checkpoint (which is checked again below).
    if (ok) from = { offset: latest.size, seq: latest.seq, hash: latest.head, log: latest.log, format: LOG_FORMAT };
  }
  const r = verifyLog(path, { integrityKey: integrity, ...(from ? { from } : latest ? { checkpoints: [latest] } : {}) });
  if (r.notALog) throw notALog(path);
  if (!r.ok) {
    const b = r.firstBad;
    const what = b
      ? `${path}:${b.line}: entry seq ${b.seq}: ${b.problem}`
      : `${path}: ${r.checkpoints?.find((c) => c.problem)?.problem ?? "the log does not verify"}`;
    throw new LogError("log/corrupt", `${what}; the log is not extended until this is looked at`, `run \`kairos log verify ${path}\``);
  }
  if (r.head.seq !== head.seq || r.head.hash !== head.hash) {
    throw new LogError(
      "log/corrupt",
      `${path}: the chain ends at entry ${r.head.seq}, but the last line is entry ${head.seq}`,
      `run \`kairos log verify ${path}\``,
    );
  }
  return r.log ?? firstEntryHash(fd) ?? head.hash;
}
