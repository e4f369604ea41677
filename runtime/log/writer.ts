// The decision log writer: the engine's DecisionSink. Each decision becomes one canonical-JSON
// line chained to the previous one by hash, appended under an exclusive lock with a single
// write and (by default) an fdatasync before `append` returns. Policies in docs/decision-log.md.
import { closeSync, constants, existsSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { JourneyMeta } from "../../compiler/artifact.ts";
import type { Catalog } from "../../compiler/catalog/types.ts";
import { formatDateTime, parseDateTimeLiteral } from "../../compiler/literals.ts";
import type { DecisionLogEntry, DecisionSink } from "../sink.ts";
import { LogError } from "./errors.ts";
import { LOG_FORMAT, type LogEntry } from "./format.ts";
import { serializeEntry } from "./hash.ts";
import { KEY_ENV, keyFileFor, loadLogKey, type LogKey } from "./key.ts";
import { FileLock, type LockOptions } from "./lock.ts";
import { Pseudonymizer, piiLookupOf, toEntry, type PiiLookup } from "./pseudonymize.ts";
import { sealRequest } from "./seal.ts";
import { settleTail, type Head } from "./tail.ts";

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
  /** Environment to read KAIROS_LOG_KEY from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
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

/** An append-only, hash-chained decision log in one JSON Lines file. */
export class DecisionLog implements DecisionSink {
  readonly path: string;
  private fd: number | undefined;
  private headNow: Head;
  private pending = 0;
  /** `artifact:journey` pairs whose metadata this writer has logged (see LogFields.meta). */
  private readonly metaLogged = new Set<string>();
  private readonly fsync: FsyncPolicy;
  private readonly batchSize: number;
  private readonly lockPath: string;
  private readonly lockOptions: LockOptions;
  /** The lock this writer holds for its lifetime (not shared), released by close(). */
  private held: FileLock | undefined;
  private readonly warn: (message: string) => void;
  private readonly pseudo: Pseudonymizer;
  private readonly key: LogKey;
  private readonly keyId: string;
  private readonly pii: PiiLookup;
  private readonly journeys: ReadonlyMap<string, JourneyMeta>;

  private constructor(path: string, fd: number, head: Head, key: LogKey, options: DecisionLogOptions, warn: (m: string) => void) {
    this.path = path;
    this.fd = fd;
    this.headNow = head;
    this.fsync = options.fsync ?? "always";
    this.batchSize = Math.max(1, options.batchSize ?? 100);
    this.lockPath = `${path}.lock`;
    this.lockOptions = options.lock ?? {};
    this.warn = warn;
    this.pseudo = new Pseudonymizer(key.bytes);
    this.key = key;
    this.keyId = key.id;
    this.pii = typeof options.pii === "function" ? options.pii : piiLookupOf(options.pii);
    this.journeys = new Map(options.journeys.map((j) => [j.id, j]));
  }

  /**
   * Opens (creating if needed) the log at `path`: loads the key, takes the lock, repairs a torn
   * last line, reads the head. Throws a LogError for a file that is not a log or whose end is
   * corrupt (never repaired: see `verifyLog`).
   */
  static open(path: string, options: DecisionLogOptions): DecisionLog {
    const warn = options.onWarning ?? ((m: string) => void process.stderr.write(`kairos: warning: ${m}\n`));
    const key = options.key ?? loadLogKey(path, options.env);
    const created = !existsSync(path);
    const fd = openSync(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o640);
    try {
      if (created) syncDirectory(path);
      const lock = FileLock.acquire(`${path}.lock`, options.lock);
      let kept = false;
      try {
        const head = settleTail(fd, path, warn);
        if (head.keyId !== undefined && head.keyId !== key.id) {
          // Mixed keys would make one person two pseudonyms: a lost key file is not replaced silently.
          throw new LogError(
            "log/key-mismatch",
            `${path} was pseudonymized with key ${head.keyId}, but the key from ${key.source} is ${key.id}`,
            `set ${KEY_ENV} to the log's key (or restore ${keyFileFor(path)}), or start a new log to change keys`,
          );
        }
        const log = new DecisionLog(path, fd, head, key, options, warn);
        if (!options.shared) {
          log.held = lock;
          kept = true;
        }
        return log;
      } finally {
        if (!kept) lock.release();
      }
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** The last entry's seq and hash as this writer last saw them. */
  get head(): { readonly seq: number; readonly hash: string } {
    return { seq: this.headNow.seq, hash: this.headNow.hash };
  }

  /** Appends one decision and returns the entry as written (its `hash` is the new head). */
  append(record: DecisionLogEntry): LogEntry {
    const fd = this.fd;
    if (fd === undefined) throw new LogError("log/closed", `the decision log ${this.path} is closed`);
    const artifact = record.decision.artifact;
    const body = { ...toEntry(record, this.journeys, this.pseudo, this.keyId, this.pii, (id) => !this.metaLogged.has(`${artifact}:${id}`)), sealed: sealRequest(this.key, record.request) };
    const nowMs = parseDateTimeLiteral(record.at);
    const at = nowMs === undefined ? record.at : formatDateTime(nowMs);
    const lock = this.held ?? FileLock.acquire(this.lockPath, this.lockOptions);
    try {
      // Another process appended (or crashed mid-append) since our last write: find the new head.
      // (A writer holding the lock for its lifetime is the only one: no need to look.)
      if (!this.held && fstatSync(fd).size !== this.headNow.size) this.headNow = settleTail(fd, this.path, this.warn);
      const head = this.headNow;
      const chained = { ...body, $kairos: LOG_FORMAT, seq: head.seq + 1, at, prev: head.hash } as const;
      const { line, hash } = serializeEntry(chained);
      const bytes = Buffer.from(line, "utf8");
      try {
        let done = 0;
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      } catch (e) {
        // Disk full or similar: do not leave a partial line behind for the next writer.
        try {
          ftruncateSync(fd, head.size);
        } catch {
          // The next open moves the torn tail aside.
        }
        throw new LogError("log/io", `cannot append to ${this.path}: ${(e as Error).message}`, undefined, e);
      }
      if (this.fsync === "always" || ++this.pending >= this.batchSize) {
        fdatasyncSync(fd);
        this.pending = 0;
      }
      this.headNow = { seq: head.seq + 1, hash, size: head.size + bytes.length };
      for (const id of Object.keys(body.meta ?? {})) this.metaLogged.add(`${artifact}:${id}`);
      return { ...chained, hash } as LogEntry;
    } finally {
      if (lock !== this.held) lock.release();
    }
  }

  /** Forces appended entries to disk (a no-op under `always`). */
  flush(): void {
    if (this.fd !== undefined && this.pending > 0) {
      fdatasyncSync(this.fd);
      this.pending = 0;
    }
  }

  /** Flushes and closes the file; later appends throw. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
    this.held?.release();
    this.held = undefined;
  }
}
