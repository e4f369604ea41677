// The store's per-subject keys (docs/store.md#per-subject-keys, docs/decision-log.md#per-subject-keys):
// a row per subject in `subject_keys(lookup, key_id, key, created_ms)`, the lookup an HMAC of the
// subject under the log's pseudonymization key (runtime/log/subject-key.ts) — never the subject —
// so deleting the row (erasure) leaves nothing that maps the subject to the key its log entries
// were made under. A key is created in the transaction that commits the subject's first entry,
// under the subject's row lock, and read in the transaction of every later one (never from a
// cache that an erasure on another instance could leave stale); only the derived key objects
// (pseudonymizer and seal subkeys hang off them) are kept in memory, bounded, and dropped on
// erasure. The stored key is wrapped under the log key (runtime/log/subject-key.ts): a dump of the
// table opens nothing without it.
import type { LogKey } from "../../runtime/log/key.ts";
import { LogError } from "../../runtime/log/errors.ts";
import { newSubjectKey, subjectLookup, unwrapSubjectKey, wrapSubjectKey } from "../../runtime/log/subject-key.ts";

/** How many built key objects a store keeps (a bound on memory). */
const BUILT = 4096;

/** A new key as the commit inserts it. */
export interface NewSubjectKeyRow {
  readonly lookup: string;
  readonly keyId: string;
  readonly key: string;
}

/** Lookups and key objects of a store's per-subject keys. */
export class StoreSubjectKeys {
  private readonly master: LogKey;
  private readonly built = new Map<string, LogKey>();

  constructor(master: LogKey) {
    this.master = master;
  }

  /** The subject's lookup (its row's primary key). */
  lookup(subject: string): string {
    return subjectLookup(this.master, subject);
  }

  /** The key object of a stored row: its key unwrapped under the log key and checked against its id. */
  build(row: { readonly lookup: string; readonly keyId: string; readonly key: string }): LogKey {
    let key = this.built.get(row.key);
    if (key === undefined) {
      key = unwrapSubjectKey(this.master, row.lookup, row.key, row.keyId, "the store's subject_keys");
      if (key === undefined) {
        throw new LogError("log/corrupt", `the store's per-subject key ${row.keyId} does not unwrap under the log key ${this.master.id} (the row was altered)`);
      }
      if (this.built.size >= BUILT) this.built.clear();
      this.built.set(row.key, key);
    }
    return key;
  }

  /** A new key for `subject`: the row to insert and the key. */
  create(subject: string): { row: NewSubjectKeyRow; key: LogKey } {
    const key = newSubjectKey("the store's subject_keys");
    const lookup = this.lookup(subject);
    const hex = wrapSubjectKey(this.master, lookup, key);
    this.built.set(hex, key);
    return { row: { lookup, keyId: key.id, key: hex }, key };
  }

  /** Forgets a destroyed key's object (erasure). */
  forget(hex: string): void {
    this.built.delete(hex);
  }
}

/** A stored key row: lookup, key id, wrapped key. */
export type SubjectKeyRow = NewSubjectKeyRow;

/**
 * The per-subject keys one commit uses: those the transaction read (`found`, lookup → row) and
 * those it creates, which it must insert in the same transaction (`created`).
 */
export class CommitSubjectKeys {
  private readonly keys: StoreSubjectKeys;
  private readonly found: Map<string, SubjectKeyRow>;
  readonly created: NewSubjectKeyRow[] = [];
  private readonly read: ((lookup: string) => SubjectKeyRow | undefined) | undefined;

  /** `found`: keys already read; `read`: reads one more (SQLite, inside its transaction). */
  constructor(keys: StoreSubjectKeys, found: Map<string, SubjectKeyRow>, read?: (lookup: string) => SubjectKeyRow | undefined) {
    this.keys = keys;
    this.found = found;
    this.read = read;
  }

  /** The subject's key, created (to be inserted by this transaction) when it has none. */
  keyFor = (subject: string): LogKey => {
    const lookup = this.keys.lookup(subject);
    let row = this.found.get(lookup);
    if (row === undefined && this.read !== undefined) {
      row = this.read(lookup);
      if (row !== undefined) this.found.set(lookup, row);
    }
    if (row !== undefined) return this.keys.build(row);
    const created = this.keys.create(subject);
    this.created.push(created.row);
    this.found.set(lookup, created.row);
    return created.key;
  };
}
