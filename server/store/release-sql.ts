// Safe change on the store (docs/store.md#safe-change): the artifact registry, the rollout and its
// history, shadow results and kill switches — every statement written once for both dialects
// (`$n` placeholders; SQLite runs them as `?n`), the checks of what is written, and the mappers
// from rows. Each write is a sequence of steps (a generator yielding statements and receiving their
// rows): SqlStore runs it in an awaited PostgreSQL transaction, SqliteStore in one synchronous
// write transaction, so the logic — compare-and-set, history row, activation — exists once.
import { Buffer } from "node:buffer";
import { SIGNATURE_FILE } from "../../core/artifact-signature.ts";
import { num, optText, type Row } from "./db.ts";
import { StoreError } from "./errors.ts";
import type { ArtifactFiles, KillSwitch, RegisteredArtifact, RolloutBudget, RolloutMode, RolloutState, ShadowResult } from "./types.ts";

/** One statement of a write (`$n` placeholders) and its parameters (text, numbers, null). */
export interface Statement {
  readonly sql: string;
  readonly params: readonly (string | number | null)[];
}

/** A write: yields statements, receives each one's rows, returns its result; run in ONE transaction. */
export type Steps<T> = Generator<Statement, T, readonly Row[]>;

/** The rollout before the first change: generation 0, only the stable version (each instance's own) decides. */
export const NO_ROLLOUT: RolloutState = {
  generation: 0,
  mode: "none",
  action: "none",
  by: "",
  reason: "no rollout yet",
  since: "1970-01-01T00:00:00.000Z",
};

// ── The registry ─────────────────────────────────────────────────────────────────────────────

const ARTIFACT_COLUMNS = "hash, version, signature, signer, approvals, published_by, published_at, activated_at";
export const ARTIFACTS_SQL = `SELECT ${ARTIFACT_COLUMNS} FROM artifacts ORDER BY id`;
export const ARTIFACT_BY_HASH_SQL = `SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE hash = $1`;
export const ARTIFACT_BY_VERSION_SQL = `SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE version = $1`;
export const ARTIFACT_FILES_SQL = "SELECT path, bytes FROM artifact_files WHERE hash = $1 ORDER BY path";

/** The hash an artifact's identity is: the manifest's SHA-256, as hex. */
const HASH = /^[0-9a-f]{64}$/;

/**
 * Publishing: the artifact row (nothing when its hash or version is taken), then its files when it
 * was new. One exception to "nothing": a signature for an artifact registered unsigned under the
 * same version name is added to it (a signature file is outside the artifact's parts, so signing
 * after publishing does not make another artifact).
 */
export function* publishSteps(a: Omit<RegisteredArtifact, "activatedAt">, files: ArtifactFiles): Steps<boolean> {
  checkArtifact(a, files);
  const inserted = yield {
    sql: `INSERT INTO artifacts (hash, version, signature, signer, approvals, published_by, published_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
    params: [a.hash, a.version, a.signature ?? null, a.signer ?? null, JSON.stringify(a.approvals), a.publishedBy, a.publishedAt],
  };
  if (inserted.length === 0) {
    const signature = files[SIGNATURE_FILE];
    if (a.signature === undefined || signature === undefined) return false;
    const signed = yield {
      sql: "UPDATE artifacts SET signature = $3, signer = $4 WHERE hash = $1 AND version = $2 AND signature IS NULL RETURNING id",
      params: [a.hash, a.version, a.signature, a.signer ?? null],
    };
    if (signed.length > 0) {
      yield {
        sql: "INSERT INTO artifact_files (hash, path, bytes) VALUES ($1, $2, $3) ON CONFLICT (hash, path) DO UPDATE SET bytes = excluded.bytes",
        params: [a.hash, SIGNATURE_FILE, Buffer.from(signature).toString("base64")],
      };
    }
    return false;
  }
  const rows = Object.keys(files)
    .sort()
    .map((path) => [path, Buffer.from(files[path]!).toString("base64")] as const);
  for (let i = 0; i < rows.length; i += CHUNK) yield insertMany("artifact_files (hash, path, bytes)", rows.slice(i, i + CHUNK), (r) => [a.hash, r[0], r[1]]);
  return true;
}

function checkArtifact(a: Omit<RegisteredArtifact, "activatedAt">, files: ArtifactFiles): void {
  if (typeof a.hash !== "string" || !HASH.test(a.hash)) throw invalid(`an artifact's hash is 64 hex digits (its manifest's sha256), not \`${String(a.hash)}\``);
  if (typeof a.version !== "string" || a.version.trim() === "" || a.version.length > 200) {
    throw invalid(`artifact ${a.hash.slice(0, 12)} needs a version name (1 to 200 characters), not \`${String(a.version)}\``);
  }
  if (HASH.test(a.version) && a.version !== a.hash) throw invalid(`the version name \`${a.version}\` looks like another artifact's hash: choose a name`);
  if (typeof a.publishedBy !== "string" || a.publishedBy === "") throw invalid("publishing an artifact needs `publishedBy`: who published it");
  iso(a.publishedAt, "the artifact's publishedAt");
  if (!Array.isArray(a.approvals) || a.approvals.some((x) => typeof x !== "string")) throw invalid("an artifact's approvals are a list of approval ids");
  if (files["manifest.json"] === undefined) throw invalid(`artifact ${a.hash.slice(0, 12)} is published without its manifest.json`);
  for (const [path, bytes] of Object.entries(files)) {
    if (path === "" || path.startsWith("/") || path.split("/").some((p) => p === ".." || p === "." || p === "")) {
      throw invalid(`\`${path}\` is not a relative path inside an artifact`);
    }
    if (!(bytes instanceof Uint8Array)) throw invalid(`the file \`${path}\` of artifact ${a.hash.slice(0, 12)} is not bytes`);
  }
}

/** An artifacts row as a RegisteredArtifact. */
export function toRegistered(r: Row): RegisteredArtifact {
  const signature = optText(r["signature"]);
  const signer = optText(r["signer"]);
  const activatedAt = optText(r["activated_at"]);
  return {
    hash: String(r["hash"]),
    version: String(r["version"]),
    ...(signature === undefined ? {} : { signature }),
    ...(signer === undefined ? {} : { signer }),
    approvals: JSON.parse(String(r["approvals"])) as string[],
    publishedBy: String(r["published_by"]),
    publishedAt: String(r["published_at"]),
    ...(activatedAt === undefined ? {} : { activatedAt }),
  };
}

/** artifact_files rows as the files (fresh Uint8Arrays, path order). */
export function toFiles(rows: readonly Row[]): ArtifactFiles {
  const out: Record<string, Uint8Array> = {};
  for (const r of rows) out[String(r["path"])] = new Uint8Array(Buffer.from(String(r["bytes"]), "base64"));
  return out;
}

// ── The rollout ──────────────────────────────────────────────────────────────────────────────

const ROLLOUT_COLUMNS = "generation, stable, mode, candidate, percent, salt, budget, action, set_by, reason, detail, since";
export const ROLLOUT_SQL = `SELECT ${ROLLOUT_COLUMNS} FROM rollout WHERE id = 1`;
export const ROLLOUT_HISTORY_SQL = `SELECT ${ROLLOUT_COLUMNS} FROM rollout_history ORDER BY generation`;
const VALUES_12 = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12";

/**
 * Setting the rollout by compare-and-set on its generation: the first one is an insert of the one
 * row (a second first finds it and writes nothing), later ones an update of the row still at the
 * expected generation (a racing writer that came first moved it: nothing written). Then the
 * history row, and the stable version's activation time when first set.
 */
export function* setRolloutSteps(next: RolloutState, expectGeneration: number): Steps<boolean> {
  const params = rolloutParams(next, expectGeneration);
  const set = yield expectGeneration === 0
    ? { sql: `INSERT INTO rollout (id, ${ROLLOUT_COLUMNS}) VALUES (1, ${VALUES_12}) ON CONFLICT (id) DO NOTHING RETURNING id`, params }
    : {
        sql: `UPDATE rollout SET generation = $1, stable = $2, mode = $3, candidate = $4, percent = $5, salt = $6, budget = $7, action = $8,
                                 set_by = $9, reason = $10, detail = $11, since = $12
               WHERE id = 1 AND generation = $13 RETURNING id`,
        params: [...params, expectGeneration],
      };
  if (set.length === 0) return false;
  yield { sql: `INSERT INTO rollout_history (${ROLLOUT_COLUMNS}) VALUES (${VALUES_12})`, params };
  if (next.stable !== undefined) {
    yield { sql: "UPDATE artifacts SET activated_at = $2 WHERE hash = $1 AND activated_at IS NULL", params: [next.stable, next.since] };
  }
  return true;
}

const MODES: readonly RolloutMode[] = ["none", "canary", "shadow"];

/** The parameters ($1…$12) of a rollout row; a `store/invalid` error when it is not a valid next state. */
function rolloutParams(s: RolloutState, expectGeneration: number): (string | number | null)[] {
  if (!Number.isSafeInteger(expectGeneration) || expectGeneration < 0)
    throw invalid(`setRollout: the expected generation \`${expectGeneration}\` is not a whole number ≥ 0`);
  if (s.generation !== expectGeneration + 1) {
    throw invalid(`setRollout: the next generation must be ${expectGeneration + 1} (the expected one plus 1), not \`${String(s.generation)}\``);
  }
  if (!MODES.includes(s.mode)) throw invalid(`a rollout's mode is none, canary or shadow, not \`${String(s.mode)}\``);
  for (const [name, v] of [
    ["stable", s.stable],
    ["candidate", s.candidate],
  ] as const) {
    if (v !== undefined && (typeof v !== "string" || !HASH.test(v)))
      throw invalid(`the rollout's ${name} is an artifact hash (64 hex digits), not \`${String(v)}\``);
  }
  if (s.mode !== "none" && s.candidate === undefined) throw invalid(`a ${s.mode} rollout needs its candidate`);
  if (s.mode === "none" && s.candidate !== undefined) throw invalid("a rollout in mode none has no candidate (promote makes it stable, rollback drops it)");
  if (s.mode === "canary" || s.percent !== undefined) checkPercent(s.percent);
  if (s.mode !== "canary" && s.percent !== undefined) throw invalid(`a percent is for a canary, not a rollout in mode ${s.mode}`);
  if (s.budget !== undefined) checkBudget(s.budget);
  if (typeof s.action !== "string" || s.action === "") throw invalid("a rollout change needs its action (start, promote, rollback…)");
  if (typeof s.by !== "string" || s.by === "") throw invalid("a rollout change needs `by`: who made it");
  iso(s.since, "the rollout's since");
  return [
    s.generation,
    s.stable ?? null,
    s.mode,
    s.candidate ?? null,
    s.percent ?? null,
    s.salt ?? null,
    s.budget === undefined ? null : JSON.stringify(s.budget),
    s.action,
    s.by,
    s.reason ?? "",
    s.detail === undefined ? null : JSON.stringify(s.detail),
    s.since,
  ];
}

function checkPercent(p: number | undefined): void {
  if (typeof p !== "number" || !Number.isFinite(p) || p <= 0 || p > 100 || Math.round(p * 100) / 100 !== p) {
    throw invalid(`a canary's percent is more than 0 and at most 100, with two decimals at most, not \`${String(p)}\``);
  }
}

function checkBudget(b: RolloutBudget): void {
  const { maxErrorRate: rate, maxP99Ms: p99, minDecisions: min } = b;
  if (rate !== undefined && !(typeof rate === "number" && rate >= 0 && rate <= 1))
    throw invalid(`a budget's maxErrorRate is a share from 0 to 1, not \`${String(rate)}\``);
  if (p99 !== undefined && !(typeof p99 === "number" && Number.isFinite(p99) && p99 > 0))
    throw invalid(`a budget's maxP99Ms is a number of ms > 0, not \`${String(p99)}\``);
  if (min !== undefined && !(Number.isSafeInteger(min) && min >= 1)) throw invalid(`a budget's minDecisions is a whole number ≥ 1, not \`${String(min)}\``);
}

/** A rollout or rollout_history row as a RolloutState (absent columns left out). */
export function toRollout(r: Row): RolloutState {
  const text = (k: string) => optText(r[k]);
  const json = (k: string) => {
    const t = text(k);
    return t === undefined ? undefined : (JSON.parse(t) as Record<string, unknown>);
  };
  const stable = text("stable");
  const candidate = text("candidate");
  const percent = r["percent"] === null || r["percent"] === undefined ? undefined : num(r["percent"]);
  const salt = text("salt");
  const budget = json("budget") as RolloutBudget | undefined;
  const detail = json("detail");
  return {
    generation: num(r["generation"]),
    ...(stable === undefined ? {} : { stable }),
    mode: String(r["mode"]) as RolloutMode,
    ...(candidate === undefined ? {} : { candidate }),
    ...(percent === undefined ? {} : { percent }),
    ...(salt === undefined ? {} : { salt }),
    ...(budget === undefined ? {} : { budget }),
    action: String(r["action"]),
    by: String(r["set_by"]),
    reason: String(r["reason"]),
    ...(detail === undefined ? {} : { detail }),
    since: String(r["since"]),
  };
}

// ── Shadow results ───────────────────────────────────────────────────────────────────────────

export const SHADOW_SQL = "SELECT generation, decision_id, subject, at, stable, candidate, same FROM shadow_results WHERE generation = $1 ORDER BY id LIMIT $2";

/** Appending shadow results, a bounded number of rows per statement. */
export function* shadowSteps(rows: readonly ShadowResult[]): Steps<void> {
  for (const r of rows) checkShadow(r);
  for (let i = 0; i < rows.length; i += CHUNK) {
    yield insertMany("shadow_results (generation, decision_id, subject, at, stable, candidate, same)", rows.slice(i, i + CHUNK), (r) => [
      r.generation,
      r.decision_id,
      r.subject,
      r.at,
      r.stable,
      r.candidate,
      r.same ? 1 : 0,
    ]);
  }
}

function checkShadow(r: ShadowResult): void {
  if (!Number.isSafeInteger(r.generation) || r.generation < 1)
    throw invalid(`a shadow result's generation is a rollout generation ≥ 1, not \`${String(r.generation)}\``);
  for (const k of ["decision_id", "subject", "at", "stable", "candidate"] as const) {
    if (typeof r[k] !== "string") throw invalid(`a shadow result needs \`${k}\` as text`);
  }
  if (typeof r.same !== "boolean") throw invalid("a shadow result's `same` is true or false");
}

/** A shadow_results row as a ShadowResult. */
export function toShadow(r: Row): ShadowResult {
  return {
    generation: num(r["generation"]),
    decision_id: String(r["decision_id"]),
    subject: String(r["subject"]),
    at: String(r["at"]),
    stable: String(r["stable"]),
    candidate: String(r["candidate"]),
    same: num(r["same"]) === 1,
  };
}

// ── Kill switches ────────────────────────────────────────────────────────────────────────────

const KILL_COLUMNS = "kind, name, state, set_by, reason, since";
export const KILL_SWITCHES_SQL = `SELECT ${KILL_COLUMNS} FROM kill_switches ORDER BY kind, name`;
/** $1 kind or '' for every kind, $2 name or '' for every name. */
export const KILL_HISTORY_SQL = `SELECT ${KILL_COLUMNS} FROM kill_switch_history WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR name = $2) ORDER BY id`;

/**
 * Setting a kill switch from the expected state — from `enabled` (or no row) one conditional
 * upsert, from `disabled` a conditional update: two instances flipping the same switch write it
 * once — and its history row.
 */
export function* killSwitchSteps(next: KillSwitch, expect: KillSwitch["state"]): Steps<boolean> {
  const params = killParams(next);
  if (expect !== "enabled" && expect !== "disabled") throw invalid(`setKillSwitch: expect \`${String(expect)}\` is not a state (disabled or enabled)`);
  const set = yield expect === "enabled"
    ? {
        sql: `INSERT INTO kill_switches (${KILL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (kind, name) DO UPDATE SET state = excluded.state, set_by = excluded.set_by, reason = excluded.reason, since = excluded.since
                WHERE kill_switches.state = 'enabled'
                RETURNING kind`,
        params,
      }
    : {
        sql: "UPDATE kill_switches SET state = $3, set_by = $4, reason = $5, since = $6 WHERE kind = $1 AND name = $2 AND state = 'disabled' RETURNING kind",
        params,
      };
  if (set.length === 0) return false;
  yield { sql: `INSERT INTO kill_switch_history (${KILL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, params };
  return true;
}

function killParams(k: KillSwitch): (string | number | null)[] {
  if (k.kind !== "journey" && k.kind !== "channel") throw invalid(`a kill switch's kind is journey or channel, not \`${String(k.kind)}\``);
  if (typeof k.name !== "string" || k.name === "") throw invalid(`a ${k.kind} kill switch needs the ${k.kind}'s name`);
  if (k.state !== "disabled" && k.state !== "enabled") throw invalid(`a kill switch's state is disabled or enabled, not \`${String(k.state)}\``);
  if (typeof k.by !== "string" || k.by === "") throw invalid("a kill switch needs `by`: who set it");
  iso(k.since, "the kill switch's since");
  return [k.kind, k.name, k.state, k.by, k.reason ?? "", k.since];
}

/** A kill_switches or kill_switch_history row as a KillSwitch. */
export function toKillSwitch(r: Row): KillSwitch {
  return {
    kind: r["kind"] === "channel" ? "channel" : "journey",
    name: String(r["name"]),
    state: r["state"] === "disabled" ? "disabled" : "enabled",
    by: String(r["set_by"]),
    reason: String(r["reason"]),
    since: String(r["since"]),
  };
}

// ── Shared ───────────────────────────────────────────────────────────────────────────────────

/** Rows per multi-row INSERT (parameters stay far below both dialects' limits). */
const CHUNK = 200;

/** One INSERT of several rows: `table (columns)`, the rows, and each row's values in column order. */
function insertMany<R>(into: string, rows: readonly R[], values: (r: R) => (string | number | null)[]): Statement {
  const params: (string | number | null)[] = [];
  const tuples = rows.map((r) => {
    const v = values(r);
    const start = params.length;
    params.push(...v);
    return `(${v.map((_, i) => `$${start + i + 1}`).join(", ")})`;
  });
  return { sql: `INSERT INTO ${into} VALUES ${tuples.join(", ")}`, params };
}

function iso(v: string, what: string): void {
  if (typeof v !== "string" || !Number.isFinite(Date.parse(v))) throw invalid(`${what} is an ISO 8601 time, not \`${String(v)}\``);
}

function invalid(message: string): StoreError {
  return new StoreError("store/invalid", message);
}

/** The tables of migration 0005_releases (a store an older Kairos made lacks them). */
export const RELEASE_TABLES =
  /(no such table: |relation ")(artifacts|artifact_files|rollout|rollout_history|shadow_results|kill_switches|kill_switch_history)\b/;
