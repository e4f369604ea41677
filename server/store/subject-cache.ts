// The embedded store's cache of subject state. The embedded store has exactly one writer — this
// process holds the data directory's lock file — so what it last committed about a subject IS
// the subject's state: reading it back from PGlite before every decision costs two or three
// queries on the one connection the committer also needs, and serializes every request behind
// the last commit (measured: batches of 1, ~100 decisions/s). With the state in memory, requests
// reach the group committer while a batch commits, and batches grow. PostgreSQL stores never
// use it: other instances write there too.
//
// Entries are updated only after a transaction committed, dropped when one failed (the next
// read loads the truth), and evicted least-recently-used beyond `limit` subjects. Each history
// row's time is kept as epoch ms beside it, parsed once, not at every read and every write (the
// window scan of `get` and the ordering of `apply` ran Date.parse per row per decision).
import type { StoredConsent, StoredHistory, StoredObjection, SubjectState } from "./types.ts";

interface Entry {
  consents: StoredConsent[];
  objections: StoredObjection[];
  /** Oldest first; every row at or after `since`. */
  history: StoredHistory[];
  /** Date.parse of each history row's `at`, in the same order. */
  historyMs: number[];
  version: number;
  /** The window start the history was loaded for (epoch ms): older requests read the database. */
  since: number;
}

/** Subject → state, for a store with a single writer. */
export class SubjectCache {
  private readonly entries = new Map<string, Entry>();
  private readonly limit: number;
  private readonly historyLimit: number;

  constructor(limit: number, historyLimit: number) {
    this.limit = limit;
    this.historyLimit = historyLimit;
  }

  /** The cached state for a window starting at `sinceMs`, or undefined when the cache cannot answer. */
  get(subject: string, sinceMs: number): SubjectState | undefined {
    const e = this.entries.get(subject);
    if (e === undefined || sinceMs < e.since) return undefined;
    this.entries.delete(subject);
    this.entries.set(subject, e);
    let from = e.history.length;
    while (from > 0 && e.historyMs[from - 1]! >= sinceMs) from--;
    const history = e.history.slice(Math.max(from, e.history.length - this.historyLimit));
    return { consents: [...e.consents], objections: [...e.objections], history, version: e.version };
  }

  /** Remembers a state read from the database for a window starting at `sinceMs`. */
  set(subject: string, state: SubjectState, sinceMs: number): void {
    this.entries.delete(subject);
    this.entries.set(subject, {
      consents: [...state.consents],
      objections: [...state.objections],
      history: [...state.history],
      historyMs: state.history.map((h) => Date.parse(h.at)),
      version: state.version,
      since: sinceMs,
    });
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** A committed write about a cached subject: new records or history rows, and the version it moved to. */
  apply(
    subject: string,
    version: number,
    change: { consents?: readonly StoredConsent[]; objections?: readonly StoredObjection[]; history?: readonly StoredHistory[] },
  ): void {
    const e = this.entries.get(subject);
    if (e === undefined) return;
    if (version !== e.version + 1) {
      // Not the next version: some write was not seen here — load the truth next time.
      this.entries.delete(subject);
      return;
    }
    e.version = version;
    if (change.consents) e.consents.push(...change.consents);
    if (change.objections) e.objections.push(...change.objections);
    if (change.history && change.history.length > 0) {
      for (const h of change.history) {
        e.history.push(h);
        e.historyMs.push(Date.parse(h.at));
      }
      // Rows come in time order almost always, and a list in order stays as it is under the stable
      // sort by time the list always had; only a list out of order (or with an unreadable time) is sorted.
      if (!inOrder(e.historyMs)) {
        const rows = e.history.map((h, i) => ({ h, ms: e.historyMs[i]! })).sort((a, b) => a.ms - b.ms);
        e.history = rows.map((r) => r.h);
        e.historyMs = rows.map((r) => r.ms);
      }
    }
  }

  /** Forgets subjects whose write may or may not have committed. */
  drop(subjects: Iterable<string>): void {
    for (const s of subjects) this.entries.delete(s);
  }
}

/** True when every time is a number and none is earlier than the one before it. */
function inOrder(ms: readonly number[]): boolean {
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    if (Number.isNaN(m) || (i > 0 && m < ms[i - 1]!)) return false;
  }
  return true;
}
