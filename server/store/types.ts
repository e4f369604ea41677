// The store interface of the decision service (docs/service.md#store): everything `kairos serve`
// keeps between requests — consent records and objections (append-only), cap history, the
// decisions by event id (idempotency), pending wake-ups with leases, the review queue and the
// hash-chained decision log. Three backends implement it: the embedded default (PGlite,
// PostgreSQL compiled to Wasm, in a local data directory) and a real PostgreSQL
// (`--store postgres://…`) that any number of instances share run the same SQL and migrations;
// the embedded SQLite store (`--store sqlite:`) has its own dialect. All three run the same
// conformance tests (test/store/).
import type { Action, Decision } from "../../runtime/decision.ts";
import type { ConsentRecord, HistoryEntry, Objection } from "../../runtime/request.ts";
import type { Checkpoint } from "../../runtime/log/checkpoint.ts";
import type { DecisionLogEntry } from "../../runtime/sink.ts";
import type { StoreKeys } from "./keys.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { PiiLookup } from "../../runtime/log/pseudonymize.ts";
import type { StoreErasure, SubjectDecisionPage } from "./subject-rights.ts";
import type { RetentionPolicy, StoreRetainOptions, StoreRetainResult } from "./retain.ts";

export type { StoreErasure, SubjectDecisionPage } from "./subject-rights.ts";

/** A consent record as stored: the record as written plus what the store adds. */
export interface StoredConsent extends ConsentRecord {
  /** `cr_…`, assigned by the store. */
  readonly id: string;
  /** When the store accepted it (server clock, ISO 8601 UTC). */
  readonly recorded_at: string;
}

/** An objection (GDPR Art. 21) as stored. */
export interface StoredObjection extends Objection {
  readonly id: string;
  readonly recorded_at: string;
}

/** One earlier action that counts towards caps (acted, deferred, approved after review). */
export interface StoredHistory extends HistoryEntry {
  /** The action's channel and the journey's purpose, so cross-journey channel caps can count it. */
  readonly channel: string;
  readonly purpose: string;
  readonly decision_id: string;
}

/** What a decision about one subject is made from. */
export interface SubjectState {
  readonly consents: readonly StoredConsent[];
  readonly objections: readonly StoredObjection[];
  /** Cap history, newest last, at most the store's history limit (entries older than `since` left out). */
  readonly history: readonly StoredHistory[];
  /**
   * Bumped by every write about the subject (consents, objections, committed decisions). A
   * commit names the version its decision was made from and is refused (`conflict`) when it
   * moved: the decision is then made again from the new state (optimistic concurrency; this is
   * what keeps caps across instances).
   */
  readonly version: number;
}

/** The idempotency key of a decision: the same subject, event id and timer again is the same decision. */
export interface EventKey {
  readonly subject: string;
  readonly eventId: string;
  /** `event.timer`, or "" for the event itself. */
  readonly timer: string;
}

/** A timed follow-up to run when due. */
export interface NewWakeup {
  readonly subject: string;
  readonly journey: string;
  readonly timer: string;
  /** When it is due (ISO 8601 UTC). */
  readonly due_at: string;
  /** The request to decide then, without `now` (set when it fires) — event with `timer` set. */
  readonly request: Readonly<Record<string, unknown>>;
  /** The decision that scheduled it. */
  readonly scheduled_by: string;
  /**
   * The artifact hash of the decision that scheduled it: the wake-up is decided by that version
   * while it is loadable, whatever rollout came since (docs/rollout.md#wake-ups); absent in rows an
   * older Kairos wrote (then: the version the rollout gives the subject).
   */
  readonly artifact?: string;
}

export interface StoredWakeup extends NewWakeup {
  readonly id: string;
  readonly state: "pending" | "done";
  /** Who holds the lease and until when (ISO), while one does. */
  readonly lease_owner?: string;
  readonly lease_until?: string;
  readonly attempts: number;
}

/** A decision waiting for a person (outcome `pending_review`). */
export interface StoredReview {
  readonly decision_id: string;
  readonly subject: string;
  readonly journey: string;
  readonly purpose: string;
  readonly action: Action;
  readonly created_at: string;
  readonly state: "pending" | "approved" | "rejected";
  readonly reviewer?: string;
  readonly note?: string;
  readonly resolved_at?: string;
  /** The decision id of the entry that recorded the verdict. */
  readonly resolution?: string;
}

/** Resolving a review, as part of a commit. */
export interface ReviewVerdict {
  readonly decision_id: string;
  readonly verdict: "approve" | "reject";
  readonly reviewer: string;
  readonly note?: string;
}

/** One decision to make durable: the log entry, the cap state and the rest, all or nothing. */
export interface PendingCommit {
  readonly key: EventKey;
  /** SubjectState.version the decision was made from. */
  readonly expectedVersion: number;
  readonly decision: Decision;
  /** The entry the engine produced; the store pseudonymizes, chains and appends it to the log. */
  readonly entry: DecisionLogEntry;
  /** Cap history rows to add (the decision acted or was deferred; an approval acted). */
  readonly history?: readonly Omit<StoredHistory, "subject">[];
  readonly wakeups?: readonly NewWakeup[];
  /** Set when the decision is `pending_review`. */
  readonly review?: Omit<StoredReview, "state" | "created_at">;
  /** The review this entry resolves (an approval or rejection). */
  readonly resolves?: ReviewVerdict;
  /** The wake-up this decision ran (marked done in the same transaction). */
  readonly completesWakeup?: { readonly id: string; readonly owner: string };
  /**
   * The winner's action channel (effects.ts, from the journey), for the decision's assignment row
   * when the decision carries no action (held out). The commit derives the rest of the row from
   * the decision (server/store/assignments.ts); without it a held-out row's channel is the action's or "".
   */
  readonly channel?: string;
}

/** Where a committed entry sits in the log. */
export interface LogPosition {
  readonly shard: number;
  readonly seq: number;
  readonly hash: string;
}

export type CommitResult =
  | { readonly status: "committed"; readonly position: LogPosition }
  /**
   * The key was already decided: the first decision, unchanged; nothing was written. (An
   * `error` decision does not count: the key is decided again, and the new decision supersedes it.)
   */
  | { readonly status: "duplicate"; readonly decision: Decision }
  /** The subject's version moved since the decision was made: nothing was written; decide again. */
  | { readonly status: "conflict" }
  /** The review was already resolved (or does not exist): nothing was written. */
  | { readonly status: "review_closed"; readonly state: string };

/** A decision as the store keeps it. */
export interface StoredDecision {
  readonly decision: Decision;
  readonly subject: string;
  readonly key: EventKey;
  readonly position: LogPosition;
  /** The log line (JSON text of the chained, pseudonymized entry). */
  readonly line: string;
}

/** What /readyz reports about the store. */
export interface StoreHealth {
  readonly reachable: boolean;
  /** Applied migration ids, and whether this Kairos has any the store lacks. */
  readonly migrations: { readonly applied: readonly string[]; readonly pending: readonly string[] };
  readonly problem?: string;
}

/** One shard's chain head. */
export interface ShardHead {
  readonly shard: number;
  readonly seq: number;
  readonly hash: string;
}

/**
 * A business outcome reported to Kairos (`POST /v1/outcomes`, `kairos outcomes import`):
 * docs/value.md#outcomes. `id` makes a report idempotent: the same id again is not counted twice
 * (absent: the store derives it from subject, type, at and value).
 */
export interface OutcomeRecord {
  readonly id?: string;
  readonly subject: string;
  /** A built-in outcome type (conversion, renewal, complaint, unsubscribe) or one the catalog declares. */
  readonly type: string;
  /** When it happened (ISO 8601 with an offset). */
  readonly at: string;
  /** Its value in the catalog's currency (a renewal's premium), when it has one. */
  readonly value?: number;
}

/** An outcome as the store keeps it: its id (given or derived), its time in UTC, and when it was recorded. */
export interface StoredOutcome {
  readonly id: string;
  readonly subject: string;
  readonly type: string;
  readonly at: string;
  readonly value?: number;
  /** When the store accepted it (server clock, ISO 8601 UTC). */
  readonly recorded_at: string;
}

/** What adding outcomes did. */
export interface OutcomesAdded {
  readonly added: number;
  /** Records whose id the store already had: not counted again. */
  readonly duplicates: number;
}

/**
 * Which arm of a journey's experiment a decision put its subject in (docs/value.md#arms): the
 * journey won and its action went ahead (`treated`: acted, deferred or pending review), or the
 * subject was held out by the journey's `holdout` (`holdout`) or by the catalog's global control
 * group (`global_control`). The store writes one row per such decision, in the decision's commit.
 */
export type Arm = "treated" | "holdout" | "global_control";

/** One row of the assignments table. */
export interface Assignment {
  readonly subject: string;
  readonly journey: string;
  readonly arm: Arm;
  /** The decision's outcome: acted, deferred, pending_review or held_out. */
  readonly outcome: string;
  /** The action's channel (what its cost is looked up by). */
  readonly channel: string;
  /** The decision's `now`. */
  readonly at: string;
  readonly decision_id: string;
}

/**
 * One metric to aggregate (docs/value.md#how-uplift-is-computed): for the subjects whose FIRST
 * assignment to `journey` comes after `sinceId` (an assignments row id, exclusive: its row id is
 * greater; 0: all; a resume sets it to JourneyVolume.lastId), and — when
 * `matureBeforeMs` is set — at or before `matureBeforeMs - windowMs` (their window has ended), per
 * arm: how many subjects, how many had at least one outcome of `type` in
 * [first assignment's at, at + windowMs), and the sum and sum of squares of the per-subject total
 * `value` of those outcomes (0 for a subject without one).
 */
export interface ValueMetricQuery {
  /** The caller's name for the metric; echoed in each row. */
  readonly key: string;
  readonly journey: string;
  readonly type: string;
  readonly windowMs: number;
  readonly sinceId?: number;
  readonly matureBeforeMs?: number;
}

/** One metric's figures in one arm. */
export interface ArmAggregate {
  readonly key: string;
  readonly journey: string;
  readonly arm: Arm;
  /** Subjects (first assignments) in the arm. */
  readonly subjects: number;
  /** Of them, those with the outcome in the window. */
  readonly converted: number;
  readonly valueSum: number;
  readonly valueSumSq: number;
}

/** Per journey: decisions it won by outcome and arm, actions taken (acted rows), and subjects. */
export interface JourneyVolume {
  readonly journey: string;
  /** Assignment rows by decision outcome (acted, deferred, pending_review, held_out). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Distinct subjects per arm, each in the arm of its first assignment row (as valueAggregates counts them). */
  readonly subjects: Readonly<Record<Arm, number>>;
  /** Acted rows by channel (what the costs multiply). */
  readonly actions: Readonly<Record<string, number>>;
  /** The largest assignments row id (what a resume's `sinceId` is set to). */
  readonly lastId: number;
}

/** Candidate outcomes and their reason codes, over committed decisions (consent health). */
export interface DecisionMix {
  readonly decisions: number;
  /** Decision outcomes. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Candidates denied (denied_consent, denied_residency) by reason code. */
  readonly denials: Readonly<Record<string, number>>;
  readonly candidates: number;
}

/**
 * Whether a journey runs (docs/value.md#stop-loss): `stopped` by the stop-loss (or, later, a
 * kill switch), until a person resumes it. One row per journey that was ever stopped.
 */
export interface JourneyControl {
  readonly journey: string;
  readonly state: "stopped" | "active";
  /** Who set the state: `stop-loss` or the person who resumed it. */
  readonly by: string;
  /** Why, in a sentence (`complaint_rate 0.83% > 0.5% over 240 treated subjects`). */
  readonly reason: string;
  /** Machine-readable detail (metric, value, threshold, subjects). */
  readonly detail?: Readonly<Record<string, unknown>>;
  /** When the state was set (ISO 8601 UTC, server clock). */
  readonly since: string;
  /** Assignments row id at the time it was resumed: the stop-loss counts only later subjects. */
  readonly sinceId: number;
}

/** What one call of `retainValue` deleted, and whether it got through everything due. */
export interface ValueRetained {
  readonly assignments: number;
  readonly outcomes: number;
  /** False when it stopped at `maxBatches` after a full batch: rows may still be due; call again. */
  readonly complete: boolean;
}

/** The store of the decision service. Every method may throw a StoreError (store/errors.ts). */
export interface Store {
  /** `embedded` (PGlite in a data directory) or `postgres`. */
  readonly kind: "embedded" | "postgres";
  /** Where it is, without any password (for messages and /readyz). */
  readonly location: string;

  /** Applies pending migrations (idempotent; safe when several instances start at once). */
  migrate(): Promise<void>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;

  /** Appends consent records / objections for a subject (bumps its version); returns them as stored. */
  addConsents(subject: string, records: readonly ConsentRecord[]): Promise<readonly StoredConsent[]>;
  addObjections(subject: string, records: readonly Objection[]): Promise<readonly StoredObjection[]>;
  /** Every consent record and objection of a subject, oldest first. */
  consents(subject: string): Promise<{ readonly consents: readonly StoredConsent[]; readonly objections: readonly StoredObjection[] }>;

  /** What a decision about `subject` is made from; history since `sinceMs` (epoch ms) when given. */
  state(subject: string, sinceMs?: number): Promise<SubjectState>;
  /** The decision that answers this key, if any (the latest, when an `error` was decided again). */
  findByEvent(key: EventKey): Promise<Decision | undefined>;
  /**
   * Makes decisions durable, in one transaction when it can (group commit): each item is
   * committed entirely (log entry + decision + cap history + wake-ups + review) or not at all,
   * and its result says which. Log entries of one shard are chained in the order given.
   */
  commit(items: readonly PendingCommit[]): Promise<readonly CommitResult[]>;
  getDecision(decisionId: string): Promise<StoredDecision | undefined>;

  /**
   * Leases up to `limit` wake-ups due at `now` (ISO) that nobody holds a live lease on, for
   * `leaseMs`, to `owner` (FOR UPDATE SKIP LOCKED: two instances never get the same one).
   */
  claimWakeups(now: string, limit: number, owner: string, leaseMs: number): Promise<readonly StoredWakeup[]>;
  /** Gives a leased wake-up back (its decision failed); it is retried after the lease. */
  releaseWakeup(id: string, owner: string): Promise<void>;
  pendingWakeups(subject?: string): Promise<readonly StoredWakeup[]>;

  reviews(state?: StoredReview["state"]): Promise<readonly StoredReview[]>;
  review(decisionId: string): Promise<StoredReview | undefined>;

  /** The log's shards and their heads. */
  heads(): Promise<readonly ShardHead[]>;
  /** Log lines of a shard from `fromSeq` (inclusive), at most `limit`, in order. */
  logLines(shard: number, fromSeq: number, limit: number): Promise<readonly string[]>;

  /**
   * Erases a subject (GDPR Art. 17) in one transaction: destroys their per-subject key, deletes
   * their consents, objections, history, wake-ups and reviews, and leaves their decision rows only
   * what the log shows. Idempotent (a second call erases nothing); counts what it did.
   */
  eraseSubject(subject: string): Promise<StoreErasure>;
  /** A page of the decisions about a subject, oldest first (GDPR Art. 15); `after`: a previous page's `next`. */
  subjectDecisions(subject: string, page: { readonly after?: string; readonly limit: number }): Promise<SubjectDecisionPage>;
}

/**
 * The store `openStore` returns: the Store plus what `kairos log verify|export --store`, metrics
 * and the service's start need. Both implementations (SqlStore on PGlite or PostgreSQL,
 * SqliteStore on SQLite) are one.
 */
export interface ServiceStore extends Store, ReleaseStore {
  /**
   * Builds log entries of decisions made by artifact `hash` from its own catalog and journeys (a
   * rollout's candidate, a wake-up's older version); the store's own artifact needs no call.
   */
  addLogArtifact(hash: string, log: { readonly pii: Catalog | PiiLookup; readonly journeys: readonly JourneyMeta[] }): void;
  readonly kind: "embedded" | "postgres";
  /** `pglite`, `sqlite` or `postgres`: which engine runs it. */
  readonly engine: "pglite" | "sqlite" | "postgres";
  /** The number of log shards (fixed when the store was created). */
  readonly shards: number;
  /** The log's keys. */
  readonly keys: StoreKeys;
  /** Pool figures (for metrics). */
  poolStats(): { readonly total: number; readonly idle: number; readonly waiting: number };
  /** The signed checkpoints of a shard, oldest first. */
  checkpoints(shard: number): Promise<readonly Checkpoint[]>;
  /** Per shard: how many decisions point into the log and how many point at their own entry. */
  decisionCounts(shard: number): Promise<{ decisions: number; matched: number }>;
  /** The per-subject keys with these ids that still exist (for an exported shard's `.subject-keys` file). */
  subjectKeysById(ids: readonly string[]): Promise<readonly { readonly id: string; readonly key: string; readonly lookup: string }[]>;
  /**
   * Retention (docs/decision-log.md#retention): replaces the context and seal of log entries past
   * their retention by their digests, in bounded batches (server/store/retain.ts); the chain
   * still verifies.
   */
  retainLog(policy: RetentionPolicy, options: StoreRetainOptions): Promise<StoreRetainResult>;

  // Proof of value (docs/value.md).
  /** Adds outcomes (idempotent by id), all or nothing. */
  addOutcomes(records: readonly OutcomeRecord[]): Promise<OutcomesAdded>;
  /** The figures of each metric per arm (arms without subjects left out). */
  valueAggregates(metrics: readonly ValueMetricQuery[]): Promise<readonly ArmAggregate[]>;
  /** Per journey with any assignment: volumes (journeys in id order). */
  journeyVolumes(): Promise<readonly JourneyVolume[]>;
  /** Outcome counts by type (all time). */
  outcomeCounts(): Promise<Readonly<Record<string, number>>>;
  /** Consent health over the decisions committed (their JSON), newest `limit` decisions at most. */
  decisionMix(limit: number): Promise<DecisionMix>;
  /** Every journey's control row. */
  journeyControls(): Promise<readonly JourneyControl[]>;
  /**
   * Sets a journey's state. `expect`: only when its current state is this (absent counts as
   * `active`); returns false (nothing written) otherwise — so two instances tripping the same
   * stop-loss write one stop. Every change is also appended to the journey's control history.
   */
  setJourneyControl(control: JourneyControl, expect: JourneyControl["state"]): Promise<boolean>;
  /** A journey's control history, oldest first. */
  journeyControlHistory(journey: string): Promise<readonly JourneyControl[]>;
  /**
   * Retention of the proof-of-value rows (docs/value.md#retention): deletes assignments and
   * outcomes whose time is before `beforeMs`, oldest ids first, in transactions of `batch` rows
   * (default 1,000), at most `maxBatches` per table (default 20) per call.
   */
  retainValue(beforeMs: number, options?: { readonly batch?: number; readonly maxBatches?: number }): Promise<ValueRetained>;
  /** A subject's assignment rows and outcomes, oldest first (the access export, GDPR Art. 15). */
  subjectValue(subject: string): Promise<{ readonly assignments: readonly Assignment[]; readonly outcomes: readonly StoredOutcome[] }>;
}

// ── Safe change (issue 17: docs/artifacts.md, docs/rollout.md, docs/kill-switch.md) ──────────────

/**
 * An artifact in the store's registry: published once (its files kept, so that every instance can
 * load it), immutable after. `hash` is the manifest's hash (the artifact's identity, what every
 * decision records as `artifact`).
 */
export interface RegisteredArtifact {
  readonly hash: string;
  /** A person's name for it (`2026.12.06-1`, `v42`), unique in the registry. */
  readonly version: string;
  /** The signature file's JSON text (`signature.json`, docs/artifacts.md), when it was signed. */
  readonly signature?: string;
  /** The signer's name, from the signature (undefined: unsigned). */
  readonly signer?: string;
  /** The ids of the DPO approvals (`apr_…`) published with it. */
  readonly approvals: readonly string[];
  /** Who published it and when (ISO 8601 UTC). */
  readonly publishedBy: string;
  readonly publishedAt: string;
  /** When it first became the stable version (ISO 8601 UTC); undefined: never. */
  readonly activatedAt?: string;
}

/** An artifact's files as published: relative path → bytes (manifest.json, predicates.js, catalog.json, opa/bundle.tar.gz, signature.json …). */
export type ArtifactFiles = Readonly<Record<string, Uint8Array>>;

/** How a rollout stands (docs/rollout.md). `none`: only the stable version decides. */
export type RolloutMode = "none" | "canary" | "shadow";

/**
 * The version set every instance decides with: one row, replaced as a whole by compare-and-set on
 * `generation` (every change bumps it, and is kept in the rollout history: "which artifact was in
 * force at time T").
 */
export interface RolloutState {
  /** Bumped by every change; 0 before the first. */
  readonly generation: number;
  /** The artifact hash that decides for everyone outside the canary (undefined: the one each instance was started with). */
  readonly stable?: string;
  readonly mode: RolloutMode;
  /** The new version, in `canary` and `shadow` mode. */
  readonly candidate?: string;
  /** Share of subjects the candidate decides for, in `canary` mode: 0 < percent ≤ 100 (two decimals at most). */
  readonly percent?: number;
  /** The salt of the subject buckets (each subject sees one version for the whole rollout). */
  readonly salt?: string;
  /** The error budget whose breach rolls the canary back (docs/rollout.md#automatic-rollback). */
  readonly budget?: RolloutBudget;
  /** What the change was: `start`, `promote`, `rollback`, `auto_rollback`, `publish` … */
  readonly action: string;
  /** Who made it (a person, or `auto-rollback`). */
  readonly by: string;
  /** Why, in a sentence. */
  readonly reason: string;
  /** Machine-readable detail (the breach: metric, value, threshold, window). */
  readonly detail?: Readonly<Record<string, unknown>>;
  /** When (ISO 8601 UTC, server clock). */
  readonly since: string;
}

/** A canary's error budget: breaching any one rolls it back. */
export interface RolloutBudget {
  /** Most share of the candidate's decisions that may be `error` (0..1); default 0.01. */
  readonly maxErrorRate?: number;
  /** Most p99 decision latency of the candidate, ms; default none. */
  readonly maxP99Ms?: number;
  /** Decisions of the candidate before the budget is judged; default 100. */
  readonly minDecisions?: number;
}

/** One shadow decision: what the stable version decided and what the candidate would have (docs/rollout.md#shadow). */
export interface ShadowResult {
  /** The rollout generation it was made under. */
  readonly generation: number;
  readonly decision_id: string;
  readonly subject: string;
  readonly at: string;
  /** The two decisions' digests (runtime/diff.ts DecisionDigest), as JSON text. */
  readonly stable: string;
  readonly candidate: string;
  /** True when the digests are equal. */
  readonly same: boolean;
}

/** A kill switch (docs/kill-switch.md): a journey or a channel a person turned off, on every instance. */
export interface KillSwitch {
  /** `journey` or `channel`. */
  readonly kind: "journey" | "channel";
  /** The journey id or channel name. */
  readonly name: string;
  readonly state: "disabled" | "enabled";
  readonly by: string;
  readonly reason: string;
  /** ISO 8601 UTC. */
  readonly since: string;
}

/** What the store keeps for safe change: the artifact registry, the rollout, shadow results, kill switches. */
export interface ReleaseStore {
  /**
   * Adds an artifact to the registry with its files, all or nothing. Publishing the same hash
   * again returns the row already there (idempotent); a version name already used by another hash
   * throws StoreError `store/conflict`.
   */
  publishArtifact(artifact: Omit<RegisteredArtifact, "activatedAt">, files: ArtifactFiles): Promise<RegisteredArtifact>;
  /** Every registered artifact, oldest first (without files). */
  artifacts(): Promise<readonly RegisteredArtifact[]>;
  /** One artifact by hash or version (undefined: not registered). */
  artifact(hashOrVersion: string): Promise<RegisteredArtifact | undefined>;
  /** The files of a registered artifact (undefined: not registered). */
  artifactFiles(hash: string): Promise<ArtifactFiles | undefined>;
  /** The rollout as it stands (generation 0, mode `none`, before the first change). */
  rollout(): Promise<RolloutState>;
  /**
   * Replaces the rollout when its generation is still `expectGeneration`; `next.generation` must be
   * `expectGeneration + 1`. Appends it to the history, and sets `activatedAt` of `next.stable` when
   * first set, in the same transaction. False (nothing written) when another change came first.
   */
  setRollout(next: RolloutState, expectGeneration: number): Promise<boolean>;
  /** Every rollout state ever set, oldest first. */
  rolloutHistory(): Promise<readonly RolloutState[]>;
  /** Appends shadow results (one transaction). */
  addShadowResults(rows: readonly ShadowResult[]): Promise<void>;
  /** Shadow results of one generation, oldest first, at most `limit` (default 100,000). */
  shadowResults(generation: number, limit?: number): Promise<readonly ShadowResult[]>;
  /** Every kill switch ever set (its latest state). */
  killSwitches(): Promise<readonly KillSwitch[]>;
  /**
   * Sets a kill switch when its current state is `expect` (absent counts as `enabled`); appends it
   * to the history in the same transaction. False (nothing written) when it was not.
   */
  setKillSwitch(next: KillSwitch, expect: KillSwitch["state"]): Promise<boolean>;
  /** A kill switch's history (or every one's), oldest first. */
  killSwitchHistory(kind?: KillSwitch["kind"], name?: string): Promise<readonly KillSwitch[]>;
}
