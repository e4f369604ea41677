// From a decision to its chained decision-log/2 line, for any writer that keeps a chain: the
// file log (writer.ts) and the decision service's store (server/store/), whose per-shard chains
// must be byte-for-byte what the file log would write so an exported shard verifies offline.
// Building a line is split in two — `prepare` (pseudonymize, seal: no chain needed, may run
// outside any lock) and `chain` (seq, prev, hash, MAC under the head) — and what a writer has
// already logged (journey `meta`, artifact `policies`, once per writer and chain) is tracked in
// a LoggedMemory that changes only when the caller confirms the line was written: a write that
// fails or a transaction that rolls back never makes a later entry leave its metadata out.
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import { formatDateTime, parseDateTimeLiteral } from "../../core/literals.ts";
import type { DecisionLogEntry } from "../sink.ts";
import { LogError } from "./errors.ts";
import { LOG_FORMAT, type LogEntry } from "./format.ts";
import { assembleEntry, EntryMac, mergeMembers, serializeMembers, type SerializedMembers } from "./hash.ts";
import type { LogKey } from "./key.ts";
import { piiLookupOf, Pseudonymizer, toEntry, TraceTableCache, type PiiLookup } from "./pseudonymize.ts";
import { sealRequest } from "./seal.ts";

/** What a writer has logged on one chain: journey metadata and policies, once per artifact. */
export class LoggedMemory {
  /** Journeys whose metadata was logged, per artifact. */
  private readonly meta = new Map<string, Set<string>>();
  private readonly policies = new Set<string>();
  private readonly parent: LoggedMemory | undefined;

  /** A memory on top of `parent`: sees what it knows, records without touching it (see `fork`). */
  constructor(parent?: LoggedMemory) {
    this.parent = parent;
  }

  /** True when the metadata of `journey` (of `artifact`) was logged on this chain. */
  hasMeta(artifact: string, journey: string): boolean {
    return this.meta.get(artifact)?.has(journey) === true || (this.parent?.hasMeta(artifact, journey) ?? false);
  }

  /** True when the policies of `artifact` were logged on this chain. */
  hasPolicies(artifact: string): boolean {
    return this.policies.has(artifact) || (this.parent?.hasPolicies(artifact) ?? false);
  }

  /** Records that a prepared entry was written (call only once it is). */
  confirm(entry: PreparedEntry): void {
    for (const id of entry.metaJourneys) this.journeysOf(entry.artifact).add(id);
    if (entry.withPolicies) this.policies.add(entry.artifact);
  }

  private journeysOf(artifact: string): Set<string> {
    let set = this.meta.get(artifact);
    if (set === undefined) {
      set = new Set();
      this.meta.set(artifact, set);
    }
    return set;
  }

  /**
   * A tentative memory for a transaction: entries confirmed on it are seen by later entries of
   * the same transaction; `commitTo` moves them to the parent once the transaction committed,
   * and a rolled-back one is simply dropped.
   */
  fork(): LoggedMemory {
    return new LoggedMemory(this);
  }

  /** Moves what a fork recorded into its parent (after the transaction committed). */
  commitTo(): void {
    if (!this.parent) return;
    for (const [artifact, ids] of this.meta) for (const id of ids) this.parent.journeysOf(artifact).add(id);
    for (const a of this.policies) this.parent.policies.add(a);
    this.meta.clear();
    this.policies.clear();
  }
}

/** An entry ready to be chained: everything but seq, prev, hash and MAC. */
export interface PreparedEntry {
  readonly body: Record<string, unknown>;
  /** The decision time as the log writes it (ISO 8601 UTC). */
  readonly at: string;
  readonly artifact: string;
  /** Journeys whose metadata this entry carries. */
  readonly metaJourneys: readonly string[];
  readonly withPolicies: boolean;
}

/** A chained line. */
export interface EncodedEntry {
  /** The line, newline included, exactly as the file log writes it. */
  readonly line: string;
  readonly hash: string;
  readonly mac: string;
  readonly seq: number;
  readonly entry: LogEntry;
}

export interface EncoderOptions {
  /** The pseudonymization key. */
  readonly key: LogKey;
  /** The integrity key (MAC of every entry). */
  readonly integrityKey: LogKey;
  /** The catalog, or a lookup of its `pii` tags: which context values to pseudonymize. */
  readonly pii: Catalog | PiiLookup;
  /** Metadata of the artifact's journeys; each entry stores those of its candidates. */
  readonly journeys: readonly JourneyMeta[];
}

/** Builds decision-log/2 lines under one pair of keys. Stateless: what was logged lives in a LoggedMemory. */
export class EntryEncoder {
  readonly key: LogKey;
  readonly mac: EntryMac;
  private readonly pseudo: Pseudonymizer;
  private readonly pii: PiiLookup;
  private readonly journeys: ReadonlyMap<string, JourneyMeta>;
  /** Other artifacts whose entries this encoder builds (a rollout's versions), by hash: their own catalog and journeys. */
  private readonly artifacts = new Map<string, { readonly pii: PiiLookup; readonly journeys: ReadonlyMap<string, JourneyMeta> }>();
  /** Trace taint tables per journey, computed once for the encoder's lifetime. */
  private readonly tables = new TraceTableCache();
  /** Each prepared body's members, serialized by its first `chain` (a retry or a re-chaining reuses them). */
  private readonly bodies = new WeakMap<PreparedEntry, SerializedMembers>();
  /** Pseudonymizers of per-subject keys, as long as their key objects live (keyrings bound those). */
  private readonly bySubjectKey = new WeakMap<LogKey, Pseudonymizer>();

  constructor(options: EncoderOptions) {
    this.key = options.key;
    this.mac = new EntryMac(options.integrityKey);
    this.pseudo = new Pseudonymizer(options.key.bytes);
    this.pii = remembered(typeof options.pii === "function" ? options.pii : piiLookupOf(options.pii));
    this.journeys = new Map(options.journeys.map((j) => [j.id, j]));
  }

  /**
   * Builds the entries of decisions made by another artifact (`record.decision.artifact === hash`)
   * from that artifact's catalog and journey metadata — a rollout decides with several versions
   * on one log (docs/rollout.md). Entries of an artifact never added use the encoder's own.
   */
  addArtifact(hash: string, options: Pick<EncoderOptions, "pii" | "journeys">): void {
    if (this.artifacts.has(hash)) return;
    this.artifacts.set(hash, {
      pii: remembered(typeof options.pii === "function" ? options.pii : piiLookupOf(options.pii)),
      journeys: new Map(options.journeys.map((j) => [j.id, j])),
    });
  }

  /**
   * The entry without its chain: pseudonymized, sealed, with the meta and policies `memory` has
   * not seen. With `subjectKey` (the per-subject key of the record's subject), the pseudonyms and
   * the seal are made under it instead of the log's key, and `subject_key` names it.
   */
  prepare(record: DecisionLogEntry, memory: LoggedMemory, subjectKey?: LogKey): PreparedEntry {
    const artifact = record.decision.artifact;
    let body: Record<string, unknown>;
    try {
      const storeMeta = (id: string): boolean => !memory.hasMeta(artifact, id);
      const pseudo = subjectKey === undefined ? this.pseudo : this.pseudonymizerOf(subjectKey);
      // A fresh object of ours: the seal is added to it rather than to a copy.
      const own = this.artifacts.get(artifact);
      body = toEntry(
        record,
        own?.journeys ?? this.journeys,
        pseudo,
        this.key.id,
        own?.pii ?? this.pii,
        storeMeta,
        this.tables,
        !memory.hasPolicies(artifact),
      ) as unknown as Record<string, unknown>;
      body["sealed"] = sealRequest(subjectKey ?? this.key, record.request, record.requestJson);
      if (subjectKey !== undefined) body["subject_key"] = subjectKey.id;
      // The DPO approval that covered the decided journey (docs/approvals.md), when the caller names one.
      const approval = (record as { readonly approval?: unknown }).approval;
      if (typeof approval === "string") body["approval"] = approval;
      // The journeys the service had left inactive (no approval): replay decides without them too.
      const inactive = (record as { readonly inactive?: unknown }).inactive;
      if (Array.isArray(inactive) && inactive.length > 0) body["inactive"] = [...(inactive as string[])].sort();
      // The rollout it was decided under (docs/rollout.md#in-the-decision-log), only while one is active: logs
      // without rollouts keep their bytes.
      const rollout = (record as { readonly rollout?: { readonly generation?: unknown; readonly arm?: unknown } }).rollout;
      if (rollout !== undefined && typeof rollout.generation === "number" && typeof rollout.arm === "string") {
        body["rollout"] = { generation: rollout.generation, arm: rollout.arm };
      }
    } catch (e) {
      if (e instanceof LogError) throw e;
      throw new LogError("log/unserializable", `the decision cannot be logged: ${(e as Error).message}`, undefined, e);
    }
    const nowMs = parseDateTimeLiteral(record.at);
    const at = nowMs === undefined ? record.at : formatDateTime(nowMs);
    const withPolicies = "policies" in body && body["policies"] !== undefined;
    return { body, at, artifact, metaJourneys: Object.keys((body["meta"] as Record<string, unknown> | undefined) ?? {}), withPolicies };
  }

  /** The pseudonymizer of a per-subject key (one per key object: its remembered pseudonyms are that key's). */
  private pseudonymizerOf(key: LogKey): Pseudonymizer {
    let p = this.bySubjectKey.get(key);
    if (p === undefined) {
      p = new Pseudonymizer(key.bytes);
      this.bySubjectKey.set(key, p);
    }
    return p;
  }

  /** Chains a prepared entry after `head` (seq 0 and GENESIS for the first entry). */
  chain(prepared: PreparedEntry, head: { readonly seq: number; readonly hash: string }): EncodedEntry {
    const seq = head.seq + 1;
    const chain = { $kairos: LOG_FORMAT, seq, at: prepared.at, prev: head.hash, ikey_id: this.mac.keyId };
    let body = this.bodies.get(prepared);
    if (body === undefined) {
      body = serializeMembers(withoutChainMembers(prepared.body));
      this.bodies.set(prepared, body);
    }
    const { line, hash, mac } = assembleEntry(mergeMembers(body, serializeMembers(chain)), LOG_FORMAT, this.mac);
    return { line, hash, mac, seq, entry: { ...prepared.body, ...chain, hash, mac } as unknown as LogEntry };
  }

  /** `prepare` then `chain`; the caller still confirms the write on `memory`. */
  encode(record: DecisionLogEntry, head: { readonly seq: number; readonly hash: string }, memory: LoggedMemory): EncodedEntry & { prepared: PreparedEntry } {
    const prepared = this.prepare(record, memory);
    return { ...this.chain(prepared, head), prepared };
  }
}

const CHAIN_MEMBERS: ReadonlySet<string> = new Set(["$kairos", "seq", "at", "prev", "ikey_id"]);

/** A body without the members the chain sets (the chain's win, as in `{ ...body, ...chain }`). */
function withoutChainMembers(body: Record<string, unknown>): Record<string, unknown> {
  if (!Object.keys(body).some((k) => CHAIN_MEMBERS.has(k))) return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!CHAIN_MEMBERS.has(k)) out[k] = v;
  return out;
}

/** A PII lookup that remembers its answers (a catalog's tags do not change; bounded all the same). */
function remembered(lookup: PiiLookup): PiiLookup {
  const known = new Map<string, ReturnType<PiiLookup>>();
  return (path) => {
    if (known.has(path)) return known.get(path);
    const answer = lookup(path);
    if (known.size < 100_000) known.set(path, answer);
    return answer;
  };
}
