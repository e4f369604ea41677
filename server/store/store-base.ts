// What the two store classes do alike, whatever their connection: SqlStore (PGlite and
// PostgreSQL, sql-store.ts) and SqliteStore (sqlite-store.ts) keep their SQL — reads, appends,
// commits — and share here the bookkeeping around it: the store's identity, refusing work once
// closed, turning driver failures into StoreErrors, closing (then releasing the lock file), the
// consent and objection entry points, health from the migrations applied, answering a
// subject's state from the embedded stores' cache (subject-cache.ts) before reading it, and the
// proof-of-value methods, whose reads are the same SQL on every backend (value-sql.ts), and the
// safe-change methods (registry, rollout, shadow results, kill switches: release-sql.ts).
// Commits and appends stay in each class: SQLite's must update the cache in the same tick as its
// synchronous transaction, PostgreSQL's after an awaited one.
import type { ConsentRecord, Objection } from "../../runtime/request.ts";
import { StoreError, storeFailure } from "./errors.ts";
import type { StoreKeys } from "./keys.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { PiiLookup } from "../../runtime/log/pseudonymize.ts";
import type { StoreParts } from "./log-init.ts";
import { compareMigrations } from "./migrations.ts";
import type { RecordTable } from "./rows.ts";
import type { SubjectCache } from "./subject-cache.ts";
import type { Row } from "./db.ts";
import {
  ARTIFACT_BY_HASH_SQL,
  ARTIFACT_BY_VERSION_SQL,
  ARTIFACT_FILES_SQL,
  ARTIFACTS_SQL,
  KILL_HISTORY_SQL,
  KILL_SWITCHES_SQL,
  killSwitchSteps,
  NO_ROLLOUT,
  publishSteps,
  RELEASE_TABLES,
  ROLLOUT_HISTORY_SQL,
  ROLLOUT_SQL,
  setRolloutSteps,
  SHADOW_SQL,
  shadowSteps,
  toFiles,
  toKillSwitch,
  toRegistered,
  toRollout,
  toShadow,
  type Steps,
} from "./release-sql.ts";
import { outcomeRows, type OutcomeRow } from "./outcome-rows.ts";
import {
  CONTROL_HISTORY_SQL,
  CONTROLS_SQL,
  controlParams,
  decisionMix,
  journeyVolumes,
  outcomeCounts,
  SUBJECT_ASSIGNMENTS_SQL,
  SUBJECT_OUTCOMES_SQL,
  toAssignment,
  toControl,
  toStoredOutcome,
  valueAggregates,
  type Select,
} from "./value-sql.ts";
import type {
  ArtifactFiles,
  KillSwitch,
  RegisteredArtifact,
  RolloutState,
  ShadowResult,
  ArmAggregate,
  Assignment,
  DecisionMix,
  JourneyControl,
  JourneyVolume,
  OutcomeRecord,
  OutcomesAdded,
  StoreHealth,
  StoredConsent,
  StoredObjection,
  StoredOutcome,
  SubjectState,
  ValueMetricQuery,
  ValueRetained,
} from "./types.ts";

/** A store on a connection of type `D` (PGlite/`pg`'s Db or SqliteDb). */
export abstract class StoreBase<D extends { close(): void | Promise<void> }> {
  readonly location: string;
  /** The number of log shards (fixed when the store was created). */
  readonly shards: number;
  /** The log's keys (what verification and export need). */
  readonly keys: StoreKeys;
  protected readonly parts: StoreParts<D>;
  /** The embedded stores' subject states (they are their only writer); none on PostgreSQL. */
  protected readonly cache: SubjectCache | undefined;
  private closed = false;

  constructor(parts: StoreParts<D>, cache: SubjectCache | undefined) {
    this.parts = parts;
    this.cache = cache;
    this.location = parts.location;
    this.shards = parts.shards;
    this.keys = parts.keys;
  }

  /** The connection; a `store/closed` error once the store is closed. */
  protected get db(): D {
    if (this.closed) throw new StoreError("store/closed", `the store ${this.location} is closed`);
    return this.parts.db;
  }

  /** Runs `fn` on the connection, turning driver failures into StoreErrors. */
  protected async run<T>(what: string, fn: (db: D) => T | Promise<T>): Promise<T> {
    const db = this.db;
    try {
      return await fn(db);
    } catch (e) {
      throw storeFailure(e, this.location, what);
    }
  }

  /** The ids of the migrations applied to the database. */
  protected abstract appliedMigrations(): Promise<string[]>;

  /** The migrations this Kairos has for the backend (their ids are the same on every backend). */
  protected abstract readonly migrations: readonly { readonly id: string }[];

  async health(): Promise<StoreHealth> {
    try {
      const applied = await this.appliedMigrations();
      const { pending } = compareMigrations(applied, this.migrations);
      return { reachable: true, migrations: { applied, pending } };
    } catch (e) {
      return { reachable: false, migrations: { applied: [], pending: [] }, problem: storeFailure(e, this.location, "a health check").message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.parts.db.close();
    } finally {
      this.parts.onClose?.();
    }
  }

  addConsents(subject: string, records: readonly ConsentRecord[]): Promise<readonly StoredConsent[]> {
    return this.append("consents", subject, records) as Promise<readonly StoredConsent[]>;
  }

  addObjections(subject: string, records: readonly Objection[]): Promise<readonly StoredObjection[]> {
    return this.append("objections", subject, records) as Promise<readonly StoredObjection[]>;
  }

  /** Appends records to `consents` or `objections` and bumps the subject's version, in one transaction. */
  protected abstract append(table: RecordTable, subject: string, records: readonly object[]): Promise<readonly object[]>;

  async state(subject: string, sinceMs?: number): Promise<SubjectState> {
    const since = sinceMs ?? Number.MIN_SAFE_INTEGER;
    const cached = this.cache?.get(subject, since);
    if (cached) return cached;
    const state = await this.load(subject, since);
    this.cache?.set(subject, state, since);
    return state;
  }

  /**
   * Reads a subject's state from the database, history from `sinceMs` on. The version FIRST:
   * anything written after it moves the version, so a decision made from a state newer than its
   * version can only be refused (`conflict`), never committed on stale caps.
   */
  protected abstract load(subject: string, sinceMs: number): Promise<SubjectState>;

  // Proof of value (docs/value.md): the reads run the same statements on every backend (value-sql.ts);
  // the two writes are each class's, in its own transactions.

  /** Runs a read statement of value-sql.ts (`$n` placeholders) on the connection. */
  protected abstract select(sql: string, params: readonly (string | number)[]): Promise<readonly Row[]>;

  /** Inserts outcome rows (skipping ids the store has) in one transaction; returns how many were new. */
  protected abstract insertOutcomes(rows: readonly OutcomeRow[], recordedMs: number): Promise<number>;

  /** Writes a control row when the journey's state is `expect`, and its history row, in one transaction; false when it was not. */
  protected abstract writeControl(params: readonly (string | number | null)[], expect: JourneyControl["state"]): Promise<boolean>;

  /** Runs one DELETE … RETURNING statement (written in PostgreSQL's dialect) in a durable transaction; the rows it deleted. */
  protected abstract deleteRows(what: string, sql: string, params: readonly number[]): Promise<number>;

  private reader(what: string): Select {
    return (sql, params) => this.valueCall(() => this.run(what, () => this.select(sql, params)));
  }

  /**
   * Runs a proof-of-value call; a store an older Kairos made (opened without migrating, as the
   * read-only tools do) lacks its tables, which is said as such instead of as a failed statement.
   */
  private async valueCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      const text = `${e instanceof Error ? e.message : String(e)} ${e instanceof Error && e.cause instanceof Error ? e.cause.message : ""}`;
      if (/(no such table: |relation ")(assignments|outcomes|journey_controls|journey_control_history)\b/.test(text)) {
        throw new StoreError(
          "store/migration",
          `the store ${this.location} has no proof-of-value tables yet (migration 0004_value): an older Kairos made it`,
          "start `kairos serve` on it once with this Kairos (it applies the migration), then try again",
          e,
        );
      }
      throw e;
    }
  }

  async addOutcomes(records: readonly OutcomeRecord[]): Promise<OutcomesAdded> {
    const rows = outcomeRows(records);
    if (rows.length === 0) return { added: 0, duplicates: 0 };
    const added = await this.valueCall(() => this.insertOutcomes(rows, this.parts.clock()));
    return { added, duplicates: rows.length - added };
  }

  valueAggregates(metrics: readonly ValueMetricQuery[]): Promise<readonly ArmAggregate[]> {
    return valueAggregates(this.reader("aggregating outcomes per arm"), metrics);
  }

  journeyVolumes(): Promise<readonly JourneyVolume[]> {
    return journeyVolumes(this.reader("reading the journeys' volumes"));
  }

  outcomeCounts(): Promise<Readonly<Record<string, number>>> {
    return outcomeCounts(this.reader("counting outcomes"));
  }

  decisionMix(limit: number): Promise<DecisionMix> {
    return decisionMix(this.reader("reading the decision mix"), limit);
  }

  async journeyControls(): Promise<readonly JourneyControl[]> {
    return (await this.reader("reading the journey controls")(CONTROLS_SQL, [])).map(toControl);
  }

  async setJourneyControl(control: JourneyControl, expect: JourneyControl["state"]): Promise<boolean> {
    if (expect !== "active" && expect !== "stopped") throw new StoreError("store/invalid", `setJourneyControl: expect \`${String(expect)}\` is not a state`);
    const params = controlParams(control);
    return this.valueCall(() => this.writeControl(params, expect));
  }

  async journeyControlHistory(journey: string): Promise<readonly JourneyControl[]> {
    return (await this.reader("reading a journey's control history")(CONTROL_HISTORY_SQL, [journey])).map(toControl);
  }

  async retainValue(beforeMs: number, options: { readonly batch?: number; readonly maxBatches?: number } = {}): Promise<ValueRetained> {
    const batch = options.batch ?? 1_000;
    const maxBatches = options.maxBatches ?? 20;
    if (!Number.isSafeInteger(batch) || batch < 1 || !Number.isSafeInteger(maxBatches) || maxBatches < 1 || !Number.isFinite(beforeMs)) {
      throw new StoreError("store/invalid", `retainValue: batch ${batch}, maxBatches ${maxBatches} and before ${beforeMs} must be positive numbers`);
    }
    const deleted = { assignments: 0, outcomes: 0 };
    let complete = true;
    for (const table of ["assignments", "outcomes"] as const) {
      // Oldest ids first, a bounded batch per transaction: commits never wait long behind it.
      const sql = `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE at_ms < $1 ORDER BY id LIMIT $2) RETURNING 1 AS x`;
      for (let i = 0; ; i++) {
        if (i === maxBatches) {
          complete = false;
          break;
        }
        const n = await this.valueCall(() => this.deleteRows(`deleting ${table} past their retention`, sql, [beforeMs, batch]));
        deleted[table] += n;
        if (n < batch) break;
      }
    }
    return { ...deleted, complete };
  }

  async subjectValue(subject: string): Promise<{ readonly assignments: readonly Assignment[]; readonly outcomes: readonly StoredOutcome[] }> {
    const read = this.reader("reading a subject's assignments and outcomes");
    const [assignments, outcomes] = await Promise.all([read(SUBJECT_ASSIGNMENTS_SQL, [subject]), read(SUBJECT_OUTCOMES_SQL, [subject])]);
    return { assignments: assignments.map(toAssignment), outcomes: outcomes.map(toStoredOutcome) };
  }

  addLogArtifact(hash: string, log: { readonly pii: Catalog | PiiLookup; readonly journeys: readonly JourneyMeta[] }): void {
    this.parts.encoder.addArtifact(hash, log);
  }

  // Safe change (docs/store.md#safe-change): the reads run the same statements on every backend,
  // the writes the same steps (release-sql.ts), each in one transaction of the class's own kind.

  /** Runs a write's steps (release-sql.ts) in one transaction, durable before it resolves. */
  protected abstract write<T>(what: string, steps: () => Steps<T>): Promise<T>;

  /**
   * Runs a safe-change call; a store an older Kairos made (opened without migrating, as the
   * read-only tools do) lacks its tables, which is said as such instead of as a failed statement.
   */
  private async releaseCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      const text = `${e instanceof Error ? e.message : String(e)} ${e instanceof Error && e.cause instanceof Error ? e.cause.message : ""}`;
      if (RELEASE_TABLES.test(text)) {
        throw new StoreError(
          "store/migration",
          `the store ${this.location} has no registry, rollout or kill switch tables yet (migration 0005_releases): an older Kairos made it`,
          "start `kairos serve` on it once with this Kairos (it applies the migration), then try again",
          e,
        );
      }
      throw e;
    }
  }

  private releaseRead(what: string, sql: string, params: readonly (string | number)[]): Promise<readonly Row[]> {
    return this.releaseCall(() => this.run(what, () => this.select(sql, params)));
  }

  async publishArtifact(a: Omit<RegisteredArtifact, "activatedAt">, files: ArtifactFiles): Promise<RegisteredArtifact> {
    await this.releaseCall(() => this.write("publishing an artifact", () => publishSteps(a, files)));
    const mine = await this.artifactBy(ARTIFACT_BY_HASH_SQL, a.hash);
    if (mine !== undefined) return mine;
    const other = await this.artifactBy(ARTIFACT_BY_VERSION_SQL, a.version);
    const whose = `${other?.hash.slice(0, 12) ?? "unknown"}…, published by ${other?.publishedBy ?? "?"}`;
    throw new StoreError(
      "store/conflict",
      `the version name \`${a.version}\` is already used by another artifact (${whose})`,
      "version names are unique: publish this artifact under another --version",
    );
  }

  async artifacts(): Promise<readonly RegisteredArtifact[]> {
    return (await this.releaseRead("reading the artifact registry", ARTIFACTS_SQL, [])).map(toRegistered);
  }

  async artifact(hashOrVersion: string): Promise<RegisteredArtifact | undefined> {
    return (await this.artifactBy(ARTIFACT_BY_HASH_SQL, hashOrVersion)) ?? (await this.artifactBy(ARTIFACT_BY_VERSION_SQL, hashOrVersion));
  }

  private async artifactBy(sql: string, key: string): Promise<RegisteredArtifact | undefined> {
    const row = (await this.releaseRead("reading an artifact", sql, [key]))[0];
    return row === undefined ? undefined : toRegistered(row);
  }

  async artifactFiles(hash: string): Promise<ArtifactFiles | undefined> {
    // Every registered artifact has files (its manifest.json at least): none means not registered.
    const rows = await this.releaseRead("reading an artifact's files", ARTIFACT_FILES_SQL, [hash]);
    return rows.length === 0 ? undefined : toFiles(rows);
  }

  async rollout(): Promise<RolloutState> {
    const row = (await this.releaseRead("reading the rollout", ROLLOUT_SQL, []))[0];
    return row === undefined ? NO_ROLLOUT : toRollout(row);
  }

  setRollout(next: RolloutState, expectGeneration: number): Promise<boolean> {
    return this.releaseCall(() => this.write("setting the rollout", () => setRolloutSteps(next, expectGeneration)));
  }

  async rolloutHistory(): Promise<readonly RolloutState[]> {
    return (await this.releaseRead("reading the rollout history", ROLLOUT_HISTORY_SQL, [])).map(toRollout);
  }

  async addShadowResults(rows: readonly ShadowResult[]): Promise<void> {
    if (rows.length === 0) return;
    await this.releaseCall(() => this.write("adding shadow results", () => shadowSteps(rows)));
  }

  async shadowResults(generation: number, limit = 100_000): Promise<readonly ShadowResult[]> {
    if (!Number.isSafeInteger(generation) || !Number.isSafeInteger(limit) || limit < 0) {
      throw new StoreError("store/invalid", `shadowResults: generation ${generation} and limit ${limit} must be whole numbers`);
    }
    return (await this.releaseRead("reading shadow results", SHADOW_SQL, [generation, limit])).map(toShadow);
  }

  async killSwitches(): Promise<readonly KillSwitch[]> {
    return (await this.releaseRead("reading the kill switches", KILL_SWITCHES_SQL, [])).map(toKillSwitch);
  }

  setKillSwitch(next: KillSwitch, expect: KillSwitch["state"]): Promise<boolean> {
    return this.releaseCall(() => this.write("setting a kill switch", () => killSwitchSteps(next, expect)));
  }

  async killSwitchHistory(kind?: KillSwitch["kind"], name?: string): Promise<readonly KillSwitch[]> {
    return (await this.releaseRead("reading the kill switch history", KILL_HISTORY_SQL, [kind ?? "", name ?? ""])).map(toKillSwitch);
  }
}
