// The decision log's side of opening a store, whatever the backend (index.ts for PGlite and
// PostgreSQL, sqlite-open.ts for SQLite): the shard count and key ids recorded at first use and
// checked on every later start, the shard heads created, and the parts a store is built from
// (entry encoder, checkpoint signer, per-shard memories, limits). Each backend gives the four
// statements this needs in its own dialect (LogMetaSql); the checks and their messages are here
// once, so the two openers cannot drift apart.
import { checkpointSigner, type CheckpointSigner } from "../../runtime/log/checkpoint.ts";
import { EntryEncoder, LoggedMemory } from "../../runtime/log/encode.ts";
import { mkdirSync } from "node:fs";
import { StoreError } from "./errors.ts";
import { checkKeyIds, loadStoreKeys, type StoreKeys } from "./keys.ts";
import { validShards } from "./shard.ts";
import { StoreSubjectKeys } from "./subject-keys.ts";
import type { OpenStoreOptions } from "./index.ts";

/** What a store is made of (built by openStore), on a connection of type `D`. */
export interface StoreParts<D> {
  readonly db: D;
  readonly location: string;
  readonly shards: number;
  readonly keys: StoreKeys;
  readonly encoder: EntryEncoder;
  readonly signer: CheckpointSigner;
  readonly memories: readonly LoggedMemory[];
  /** The per-subject keys' lookups and key objects; undefined: the log pseudonymizes under its key alone. */
  readonly subjectKeys: StoreSubjectKeys | undefined;
  readonly checkpointEvery: number;
  readonly historyLimit: number;
  readonly clock: () => number;
  /** Released after the database closes (an embedded store's lock file). */
  readonly onClose?: () => void;
}

/** The statements initLog runs, in a backend's dialect. */
export interface LogMetaSql {
  /** Every `log_meta` row: key → value. */
  readMeta(): Promise<Map<string, string>>;
  /** Inserts these `log_meta` rows in one transaction, leaving any key already there as it is. */
  recordMeta(rows: ReadonlyArray<readonly [key: string, value: string]>): Promise<void>;
  /** Creates the missing `log_heads` rows of shards 0…shards-1 at the genesis hash. */
  createHeads(shards: number): Promise<void>;
  /** The number of `log_heads` rows. */
  countHeads(): Promise<number>;
}

/** The log's shard count and keys, as initLog found or recorded them. */
export interface LogInit {
  readonly shards: number;
  readonly keys: StoreKeys;
  /** True when the log makes each subject's pseudonyms and seals under a key of its own. */
  readonly subjectKeys: boolean;
}

/** Records (first open) or checks (every later open) the log's shard count and key ids. */
export async function initLog(sql: LogMetaSql, location: string, dataDir: string, options: OpenStoreOptions): Promise<LogInit> {
  let meta = await sql.readMeta();
  const fresh = !meta.has("shards");
  if (fresh && options.readOnly) {
    throw new StoreError("store/invalid", `the store ${location} has no decision log yet`, "start `kairos serve` on it first");
  }
  const create = !options.readOnly && !meta.has("key_id");
  if (create && options.keys === undefined) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keys = options.keys ?? loadStoreKeys(dataDir, create, options.env);
  if (fresh) {
    const shards = options.shards ?? 1;
    await sql.recordMeta([
      ["shards", String(shards)],
      ["key_id", keys.key.id],
      ["ikey_id", keys.integrityKey.id],
      ["created_at", new Date().toISOString()],
      ["subject_keys", options.subjectKeys === false ? "off" : "on"],
    ]);
    meta = await sql.readMeta();
  }
  const shards = Number(meta.get("shards"));
  if (!validShards(shards)) throw new StoreError("store/corrupt", `the store ${location} records ${meta.get("shards")} log shards`);
  if (options.shards !== undefined && options.shards !== shards) {
    throw new StoreError(
      "store/shards",
      `the store ${location} was created with ${shards} log shard${shards === 1 ? "" : "s"}, not ${options.shards}`,
      "leave --log-shards out (an existing store keeps its shards), or use a new store",
    );
  }
  checkKeyIds({ keyId: meta.get("key_id"), ikeyId: meta.get("ikey_id") }, keys, location);
  // A store from before per-subject keys has no `subject_keys` row: it keeps the log key alone.
  const subjectKeys = meta.get("subject_keys") === "on";
  if (options.subjectKeys !== undefined && options.subjectKeys !== subjectKeys) {
    throw new StoreError(
      "store/keys",
      `the store ${location} logs ${subjectKeys ? "under per-subject keys" : "under the log key alone"}; it cannot be switched`,
      "leave the key mode to the store (an existing store keeps its mode), or use a new store",
    );
  }
  if (!options.readOnly) await sql.createHeads(shards);
  const count = await sql.countHeads();
  if (!options.readOnly && count !== shards) throw new StoreError("store/corrupt", `the store ${location} has ${count} log heads for ${shards} shards`);
  return { shards, keys, subjectKeys };
}

/** The parts of a store on `db` once its log is initialized (options' defaults applied here, for every backend). */
export function storeParts<D>(db: D, location: string, init: LogInit, options: OpenStoreOptions, onClose?: () => void): StoreParts<D> {
  const log = options.log ?? { pii: () => undefined, journeys: [] };
  return {
    db,
    location,
    shards: init.shards,
    keys: init.keys,
    encoder: new EntryEncoder({ key: init.keys.key, integrityKey: init.keys.integrityKey, pii: log.pii, journeys: log.journeys }),
    signer: checkpointSigner(init.keys.integrityKey),
    memories: Array.from({ length: init.shards }, () => new LoggedMemory()),
    subjectKeys: init.subjectKeys ? new StoreSubjectKeys(init.keys.key) : undefined,
    checkpointEvery: Math.max(0, options.checkpointEvery ?? 1000),
    historyLimit: Math.max(1, options.historyLimit ?? 10_000),
    clock: options.clock ?? Date.now,
    ...(onClose ? { onClose } : {}),
  };
}
