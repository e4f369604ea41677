// The lock file that keeps an embedded store (PGlite in `<data-dir>/store`, SQLite in its file) to
// one process: their subject caches and group commits assume a single writer. Taken for the
// store's lifetime — never broken by age, only when its holder is dead on this host — and a
// store in use is a `store/locked` error naming the holder and the ways out, whichever engine.
import { LogError } from "../../runtime/log/errors.ts";
import { FileLock } from "../../runtime/log/lock.ts";
import { StoreError } from "./errors.ts";

/** How the lock's errors name what is locked. */
export interface EmbeddedLockNames {
  /** The store, as the subject of "… is in use by another process": `the SQLite store FILE`. */
  readonly store: string;
  /** What could not be locked, after "cannot lock": `the data directory DIR`. */
  readonly target: string;
  /** Where else a second process could run, after "give this one": `another --data-dir`. */
  readonly elsewhere: string;
}

/** Takes the lock file `path` for the store's lifetime, waiting up to `timeoutMs` (default 1,000 ms) for another process to let go. */
export function lockEmbedded(path: string, timeoutMs: number | undefined, names: EmbeddedLockNames): FileLock {
  try {
    return FileLock.acquire(path, { timeoutMs: timeoutMs ?? 1000, staleMs: Number.MAX_SAFE_INTEGER });
  } catch (e) {
    if (e instanceof LogError && e.code === "log/locked") {
      throw new StoreError(
        "store/locked",
        `${names.store} is in use by another process (${e.message.replace(/^the log is locked by /, "")})`,
        `the embedded store serves one process: stop the other one, give this one ${names.elsewhere}, or share a PostgreSQL store with --store postgres://…`,
        e,
      );
    }
    throw new StoreError("store/bad-location", `cannot lock ${names.target}: ${(e as Error).message}`, undefined, e);
  }
}
