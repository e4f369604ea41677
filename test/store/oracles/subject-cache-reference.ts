// The embedded stores' subject cache as it was before its history kept the epoch ms of each row
// (server/store/subject-cache.ts), kept as the oracle of test/store/subject-cache.test.ts: every
// sequence of reads and writes must answer exactly what this one answers. Not used by the service.
import type { StoredConsent, StoredHistory, StoredObjection, SubjectState } from "../../../server/store/types.ts";

interface Entry {
  consents: StoredConsent[];
  objections: StoredObjection[];
  /** Oldest first; every row at or after `since`. */
  history: StoredHistory[];
  version: number;
  /** The window start the history was loaded for (epoch ms): older requests read the database. */
  since: number;
}

/** Subject → state, for a store with a single writer. */
export class ReferenceSubjectCache {
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
    while (from > 0 && Date.parse(e.history[from - 1]!.at) >= sinceMs) from--;
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
      e.history.push(...change.history);
      e.history.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    }
  }

  /** Forgets subjects whose write may or may not have committed. */
  drop(subjects: Iterable<string>): void {
    for (const s of subjects) this.entries.delete(s);
  }
}
