// The decision log writer: the engine's DecisionSink. Each decision becomes one canonical-JSON
// line chained to the previous one by hash and authenticated by a MAC under the integrity key,
// appended under an exclusive lock with a single write and (by default) an fdatasync before
// the append is acknowledged; signed checkpoints go to `<log>.checkpoints`. Concurrent
// asynchronous appends (the engine's) share one fdatasync: group commit, below. Policies in
// docs/decision-log.md.
import { closeSync, constants, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, statSync, writeSync } from "node:fs";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import type { AppendOptions, DecisionLogEntry, DecisionSink } from "../sink.ts";
import { appendCheckpoint, checkpointFileFor, checkpointSigner, makeCheckpoint, type Checkpoint, type CheckpointSigner } from "./checkpoint.ts";
import { EntryEncoder, LoggedMemory, type PreparedEntry } from "./encode.ts";
import { syncDirectory } from "./durable-file.ts";
import { errnoCode, LogError } from "./errors.ts";
import { LOG_FORMAT, LOG_FORMAT_V1, type LogEntry } from "./format.ts";
import { EntryMac } from "./hash.ts";
import { KEY_ENV, keyFileFor, loadLogKey, type LogKey } from "./key.ts";
import { checkWholeLog, firstEntryHash } from "./open-check.ts";
import { FileLock, type LockOptions } from "./lock.ts";
import type { PiiLookup } from "./pseudonymize.ts";
import type { SubjectKeySource } from "./subject-key.ts";
import { FileSubjectKeyring } from "./subject-keyring.ts";
import { settleTail, type Head } from "./tail.ts";

/**
 * `always` (default): every append is on disk (fdatasync) before it is acknowledged — before
 * `append` returns, or before the promise of an asynchronous append resolves (concurrent ones
 * share one fdatasync) — so an acknowledged decision survives a power loss. `batch`: fdatasync
 * every `batchSize` appends and on `flush()`/`close()` — a process crash still loses nothing
 * (each line is already in the kernel), a power loss may lose up to `batchSize - 1`
 * acknowledged entries.
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
  /**
   * Per-subject keys (docs/decision-log.md#per-subject-keys): each subject's pseudonyms and seal
   * under a key of its own, kept in `<log>.subject-keys`, so that one person can be erased.
   * Default: on for a new log; an existing log keeps the mode its last entry shows. `false`
   * writes a new log under the log key alone (as before); giving a mode an existing log was not
   * written in is refused (`log/key-mismatch`). A SubjectKeySource supplies the keys instead of
   * the file (tests, embedding).
   */
  readonly subjectKeys?: boolean | SubjectKeySource;
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

/** An append waiting for the fdatasync that covers its line. */
interface Waiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * An append-only, hash-chained, authenticated decision log in one JSON Lines file.
 *
 * Two ways to append, the same line: `append(record)` writes and (under `always`) fdatasyncs
 * before it returns; `append(record, options)` — how the engine calls a DecisionSink — and
 * `appendDurable` write the line at once, in the caller's turn, and return a promise that
 * resolves when an fdatasync that started after the write has finished (group commit: every
 * append waiting meanwhile shares the next fdatasync; at most one runs at a time). A failed
 * fdatasync rejects every append it was to cover and any written after it, and the writer
 * refuses further appends (`log/io`): whether those lines reached the disk is unknown, and an
 * fdatasync that failed once cannot be retried into a guarantee — reopen the log (which
 * verifies it) to go on.
 */
export class DecisionLog implements DecisionSink {
  readonly path: string;
  private fd: number | undefined;
  private headNow: Head;
  /** Every entry up to this seq is known to be on disk (an fdatasync covering it finished). */
  private syncedSeq: number;
  /** Asynchronous appends waiting for an fdatasync, in seq order. */
  private waiters: Waiter[] = [];
  /** True while an asynchronous fdatasync runs (the fd must stay open until it ends). */
  private syncing = false;
  /** True when an fdatasync is to start at the end of this turn of the event loop. */
  private syncScheduled = false;
  /** close() was called while an fdatasync ran: the callback closes the fd. */
  private closeWhenSynced: number | undefined;
  /** Set when an fdatasync failed: every later append is refused. */
  private broken: LogError | undefined;
  private syncCount = 0;
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
  /** Where per-subject keys come from; undefined: the log pseudonymizes under its key alone. */
  private readonly keyring: SubjectKeySource | undefined;

  private constructor(
    path: string,
    fd: number,
    head: Head,
    logId: string | undefined,
    keys: { key: LogKey; integrity: LogKey },
    options: DecisionLogOptions,
    warn: (m: string) => void,
    keyring: SubjectKeySource | undefined,
  ) {
    this.keyring = keyring;
    this.path = path;
    this.fd = fd;
    this.headNow = head;
    this.syncedSeq = head.seq;
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
        const keyring = subjectKeyring(path, head, key, options.subjectKeys);
        const log = new DecisionLog(path, fd, head, logId, { key, integrity }, options, warn, keyring);
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

  /** Every entry up to this seq is known to be on disk (what an acknowledged append has been promised). */
  get syncedThrough(): number {
    return this.syncedSeq;
  }

  /** How many fdatasyncs this writer has made of the log (group commit makes it fewer than the appends). */
  get fdatasyncs(): number {
    return this.syncCount;
  }

  /** The Ed25519 public key that signs this log's checkpoints (base64url): what auditors pin. */
  get publicKey(): string {
    return this.signer.publicKey;
  }

  /**
   * Appends one decision. Without `options`: synchronously, returning the entry as written (its
   * `hash` is the new head) once it is durable under the fsync policy. With `options` (the
   * engine's DecisionSink call): the same line is written before this returns, and the promise
   * resolves to the entry once durable — concurrent calls share one fdatasync (see the class).
   */
  append(record: DecisionLogEntry): LogEntry;
  append(record: DecisionLogEntry, options: AppendOptions): Promise<LogEntry>;
  append(record: DecisionLogEntry, options?: AppendOptions): LogEntry | Promise<LogEntry> {
    if (options !== undefined) return this.appendDurable(record);
    return this.write(record, this.fsync).entry;
  }

  /**
   * Appends one decision with group commit: writes its line now (so the chain and the file
   * order are the call order), then resolves to the entry when an fdatasync covering it has
   * finished (`always`); under `batch`, at once unless batchSize acknowledged entries would be
   * unsynced, when it waits for an fdatasync (shared with every append waiting meanwhile).
   * Rejects with a LogError if the line cannot be written or the fdatasync fails. A `shared`
   * writer syncs under its lock as before.
   */
  appendDurable(record: DecisionLogEntry): Promise<LogEntry> {
    let written: { entry: LogEntry; seq: number };
    try {
      // A shared writer syncs under its lock (another process may append right after it).
      written = this.write(record, this.shared ? this.fsync : "later");
    } catch (e) {
      return Promise.reject(e);
    }
    // `batch`: acknowledged at once unless that would leave batchSize acknowledged entries
    // unsynced; then this one waits for the fdatasync (the bound `append` keeps, without a stall).
    if (this.syncedSeq >= written.seq || (this.fsync === "batch" && written.seq - this.syncedSeq < this.batchSize)) {
      return Promise.resolve(written.entry);
    }
    return new Promise<LogEntry>((resolve, reject) => {
      this.waiters.push({ seq: written.seq, resolve: () => resolve(written.entry), reject });
      this.startSync();
    });
  }

  /**
   * Writes one line under the lock. `always`: fdatasync before returning; `batch`: every
   * `batchSize` lines; `later`: the caller arranges the fdatasync (group commit).
   */
  private write(record: DecisionLogEntry, sync: FsyncPolicy | "later"): { entry: LogEntry; seq: number } {
    const fd = this.fd;
    if (fd === undefined) throw new LogError("log/closed", `the decision log ${this.path} is closed`);
    if (this.broken) throw this.broken;
    // Under per-subject keys the entry is prepared under the lock: a new subject's key is written
    // to the keyring (and synced) before its entry, and shared writers must not make two keys.
    let prepared = this.keyring === undefined ? this.encoder.prepare(record, this.logged) : undefined;
    const lock = this.held ?? FileLock.acquire(this.lockPath, this.lockOptions);
    try {
      if (prepared === undefined) {
        if (!this.held && this.keyring instanceof FileSubjectKeyring) this.keyring.refresh();
        prepared = this.encoder.prepare(record, this.logged, this.keyring!.keyFor(record.subject));
      }
      // Another process appended (or crashed mid-append) since our last write: find the new head.
      // (A writer holding the lock for its lifetime is the only one: no need to look.)
      if (!this.held && fstatSync(fd).size !== this.headNow.size) {
        this.headNow = settleTail(fd, this.path, this.warn, this.mac);
        this.logId ??= firstEntryHash(fd);
      }
      const head = this.headNow;
      const { line, hash, entry } = this.encoder.chain(prepared, head);
      const bytes = Buffer.from(line, "utf8");
      let didSync = false;
      try {
        let done = 0;
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
        this.pending++;
        if (sync === "always" || (sync === "batch" && this.pending >= this.batchSize)) {
          fdatasyncSync(fd);
          this.syncCount++;
          this.pending = 0;
          didSync = true;
        }
      } catch (e) {
        // Disk full or similar: do not leave a partial (or unsynced) line behind for the next writer.
        try {
          ftruncateSync(fd, head.size);
        } catch {
          // The next open moves the torn tail aside.
        }
        // Lines that asynchronous appends wrote before this one are not known to be on disk either.
        if (this.waiters.length > 0) this.fail(e);
        throw new LogError("log/io", `cannot append to ${this.path}: ${(e as Error).message}`, describeIo(e), e);
      }
      this.headNow = {
        seq: head.seq + 1,
        hash,
        size: head.size + bytes.length,
        format: LOG_FORMAT,
        keyId: this.key.id,
        subjectKeys: this.keyring !== undefined,
      };
      this.logId ??= hash;
      if (didSync) this.synced(this.headNow.seq);
      this.logged.confirm(prepared);
      if (this.checkpointEvery > 0 && this.headNow.seq - this.lastCheckpointSeq >= this.checkpointEvery) this.checkpoint();
      return { entry, seq: this.headNow.seq };
    } finally {
      if (lock !== this.held) lock.release();
    }
  }

  private get shared(): boolean {
    return this.held === undefined;
  }

  /** Starts an asynchronous fdatasync covering every line written so far, unless one runs (its end starts the next). */
  private startSync(): void {
    if (this.syncing || this.syncScheduled || this.fd === undefined) return;
    // Not at once: at the end of this turn of the event loop, so that every append made in it
    // (the decisions whose previous appends the last fdatasync just acknowledged) shares it.
    this.syncScheduled = true;
    setImmediate(() => {
      this.syncScheduled = false;
      this.runSync();
    });
  }

  private runSync(): void {
    const fd = this.fd;
    if (this.syncing || fd === undefined || this.broken) return;
    const upTo = this.headNow.seq;
    this.syncing = true;
    this.pending = 0;
    this.syncCount++;
    fdatasync(fd, (err) => {
      this.syncing = false;
      if (this.closeWhenSynced !== undefined) {
        closeSync(this.closeWhenSynced);
        this.closeWhenSynced = undefined;
      }
      if (err) {
        this.fail(err);
        return;
      }
      this.synced(upTo);
      if (this.waiters.length > 0) this.startSync();
    });
  }

  /** Every entry up to `seq` is on disk: acknowledge the appends waiting for it. */
  private synced(seq: number): void {
    if (seq > this.syncedSeq) this.syncedSeq = seq;
    let n = 0;
    while (n < this.waiters.length && this.waiters[n]!.seq <= this.syncedSeq) n++;
    if (n === 0) return;
    const done = this.waiters.splice(0, n);
    for (const w of done) w.resolve();
  }

  /** An fdatasync failed: every waiting append fails, and so does every later one. */
  private fail(err: unknown): void {
    this.broken = new LogError(
      "log/io",
      `cannot sync the decision log ${this.path}: ${(err as Error).message}; the entries since the last successful sync may not be on disk`,
      `${describeIo(err) ?? "look at the disk"}; then reopen the log (opening verifies it) — this writer appends nothing more`,
      err,
    );
    const failed = this.waiters;
    this.waiters = [];
    for (const w of failed) w.reject(this.broken);
  }

  /**
   * Appends `records` over and over, in order, until `count` entries were appended or the log
   * holds `bytes` bytes — for benchmarks and load tests that need a large valid log quickly
   * (bench/: `kairos log verify` on 1 GB). The lines are exactly those that `append` would write
   * for the same calls, but each distinct record is prepared (pseudonymized, sealed) once, and
   * lines are written in blocks of about 1 MiB with one fdatasync per block under `always`:
   * an interrupted run leaves a prefix of whole lines and at most one torn line, as `append`
   * does. Checkpoints as configured. Returns the number of entries appended.
   */
  appendRepeated(records: readonly DecisionLogEntry[], until: { readonly count?: number; readonly bytes?: number }): number {
    const fd = this.fd;
    if (fd === undefined) throw new LogError("log/closed", `the decision log ${this.path} is closed`);
    if (this.broken) throw this.broken;
    if (records.length === 0 || (until.count === undefined && until.bytes === undefined)) return 0;
    const lock = this.held ?? FileLock.acquire(this.lockPath, this.lockOptions);
    const prepared = new Map<DecisionLogEntry, PreparedEntry>();
    let appended = 0;
    try {
      if (!this.held && fstatSync(fd).size !== this.headNow.size) this.headNow = settleTail(fd, this.path, this.warn, this.mac);
      const done = () => (until.count !== undefined && appended >= until.count) || (until.bytes !== undefined && this.headNow.size >= until.bytes);
      while (!done()) {
        const block: string[] = [];
        let blockBytes = 0;
        let head = this.headNow;
        // What this block logs becomes the writer's once the block is written.
        const memory = this.logged.fork();
        while (
          blockBytes < 1 << 20 &&
          !(until.count !== undefined && appended + block.length >= until.count) &&
          !(until.bytes !== undefined && head.size >= until.bytes)
        ) {
          const record = records[(appended + block.length) % records.length]!;
          let p = prepared.get(record);
          // Meta and policies go into the first entry that needs them, as `append` does.
          if (p === undefined || p.metaJourneys.length > 0 || p.withPolicies) {
            p = this.encoder.prepare(record, memory, this.keyring?.keyFor(record.subject));
            prepared.set(record, p);
          }
          const { line, hash } = this.encoder.chain(p, head);
          const size = Buffer.byteLength(line);
          block.push(line);
          blockBytes += size;
          head = { seq: head.seq + 1, hash, size: head.size + size, format: LOG_FORMAT, keyId: this.key.id, subjectKeys: this.keyring !== undefined };
          memory.confirm(p);
        }
        const bytes = Buffer.from(block.join(""), "utf8");
        const before = this.headNow;
        try {
          let written = 0;
          while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
          if (this.fsync === "always") {
            fdatasyncSync(fd);
            this.syncCount++;
          }
        } catch (e) {
          try {
            ftruncateSync(fd, before.size);
          } catch {
            // The next open moves the torn tail aside.
          }
          throw new LogError("log/io", `cannot append to ${this.path}: ${(e as Error).message}`, describeIo(e), e);
        }
        this.headNow = head;
        memory.commitTo();
        this.logId ??= firstEntryHash(fd);
        if (this.fsync === "always") this.synced(head.seq);
        else this.pending += block.length;
        appended += block.length;
        if (this.checkpointEvery > 0 && this.headNow.seq - this.lastCheckpointSeq >= this.checkpointEvery) this.checkpoint();
      }
      return appended;
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

  /** Forces appended entries to disk now (and acknowledges the asynchronous appends waiting for it). */
  flush(): void {
    if (this.fd === undefined || this.syncedSeq >= this.headNow.seq) return;
    if (this.broken) throw this.broken;
    try {
      this.syncCount++;
      fdatasyncSync(this.fd);
    } catch (e) {
      this.fail(e);
      throw this.broken;
    }
    this.pending = 0;
    this.synced(this.headNow.seq);
  }

  /** Flushes, writes a checkpoint when entries were appended since the last one, and closes; later appends throw. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
      if (this.headNow.seq > this.lastCheckpointSeq && !this.broken) this.checkpoint();
    } finally {
      // An fdatasync still running in the thread pool holds the fd number: close it when it ends.
      if (this.syncing) this.closeWhenSynced = this.fd;
      else closeSync(this.fd);
      this.fd = undefined;
      this.held?.release();
      this.held = undefined;
      const left = this.waiters;
      this.waiters = [];
      for (const w of left) w.reject(this.broken ?? new LogError("log/closed", `the decision log ${this.path} was closed before the entry was synced`));
    }
  }
}

/**
 * The per-subject keys a writer uses: a new log follows `option` (default on); an existing one
 * keeps the mode its last entry shows, and an explicit mode it was not written in is refused.
 */
function subjectKeyring(path: string, head: Head, key: LogKey, option: boolean | SubjectKeySource | undefined): SubjectKeySource | undefined {
  const wanted = option === undefined ? undefined : option !== false;
  const mode = head.seq === 0 ? (wanted ?? true) : head.subjectKeys === true;
  if (wanted !== undefined && wanted !== mode) {
    throw new LogError(
      "log/key-mismatch",
      mode
        ? `${path} pseudonymizes each subject under a key of its own; it cannot be extended under the log key alone`
        : `${path} pseudonymizes under the log key alone; it cannot be extended under per-subject keys`,
      "leave the key mode to the log (an existing log keeps its mode), or start a new log file",
    );
  }
  if (!mode) return undefined;
  if (typeof option === "object") return option;
  return FileSubjectKeyring.open(path, key, { create: head.seq === 0, repair: true });
}

function describeIo(e: unknown): string | undefined {
  const code = errnoCode(e);
  if (code === "ENOSPC" || code === "EDQUOT") return "the disk is full: free space, then run again (the entries before this one are intact)";
  if (code === "EFBIG") return "the file is larger than this process may write (ulimit -f)";
  if (code === "EROFS") return "the file system is read-only";
  return undefined;
}
