// The store's schema, as migrations applied in order and recorded in `kairos_migrations`: the
// same SQL on PGlite and PostgreSQL. Applied under a PostgreSQL advisory lock so instances
// starting together apply each migration once; a store with a migration this Kairos does not
// know was made by a newer Kairos and is refused. Tables are described in docs/store.md.
// Times are epoch milliseconds (bigint) next to their ISO text where the API returns them, and
// JSON is kept as text, so both drivers read back exactly what was written.
import { num, type Db, type Sql } from "./db.ts";
import { StoreError } from "./errors.ts";

/** One schema change: an id that sorts in order, and its statements. */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

/** Every migration, oldest first. Never edit one that shipped: add another. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: "0001_initial",
    sql: `
CREATE TABLE subjects (
  subject text PRIMARY KEY,
  version bigint NOT NULL DEFAULT 0
);
CREATE TABLE consents (
  id bigserial PRIMARY KEY,
  subject text NOT NULL,
  record text NOT NULL,
  recorded_at text NOT NULL
);
CREATE INDEX consents_by_subject ON consents (subject, id);
CREATE TABLE objections (
  id bigserial PRIMARY KEY,
  subject text NOT NULL,
  record text NOT NULL,
  recorded_at text NOT NULL
);
CREATE INDEX objections_by_subject ON objections (subject, id);
CREATE TABLE decisions (
  id bigserial PRIMARY KEY,
  decision_id text NOT NULL,
  subject text NOT NULL,
  event_id text NOT NULL,
  timer text NOT NULL,
  decision text NOT NULL,
  shard integer NOT NULL,
  seq bigint NOT NULL,
  created_ms bigint NOT NULL,
  UNIQUE (subject, event_id, timer),
  UNIQUE (shard, seq)
);
CREATE INDEX decisions_by_id ON decisions (decision_id);
CREATE TABLE history (
  id bigserial PRIMARY KEY,
  subject text NOT NULL,
  journey text NOT NULL,
  channel text NOT NULL,
  purpose text NOT NULL,
  at text NOT NULL,
  at_ms bigint NOT NULL,
  decision_id text NOT NULL
);
CREATE INDEX history_by_subject ON history (subject, at_ms);
CREATE TABLE wakeups (
  id bigserial PRIMARY KEY,
  subject text NOT NULL,
  journey text NOT NULL,
  timer text NOT NULL,
  due_at text NOT NULL,
  due_ms bigint NOT NULL,
  request text NOT NULL,
  scheduled_by text NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  lease_owner text,
  lease_until_ms bigint,
  attempts integer NOT NULL DEFAULT 0,
  done_by text
);
CREATE INDEX wakeups_due ON wakeups (due_ms, id) WHERE state = 'pending';
CREATE INDEX wakeups_by_subject ON wakeups (subject, id);
CREATE TABLE reviews (
  decision_id text PRIMARY KEY,
  subject text NOT NULL,
  journey text NOT NULL,
  purpose text NOT NULL,
  action text NOT NULL,
  created_at text NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  reviewer text,
  note text,
  resolved_at text,
  resolution text
);
CREATE INDEX reviews_by_state ON reviews (state, created_at);
CREATE TABLE log_meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE log_heads (
  shard integer PRIMARY KEY,
  seq bigint NOT NULL DEFAULT 0,
  hash text NOT NULL,
  size bigint NOT NULL DEFAULT 0,
  log_id text,
  checkpoint_seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE log_entries (
  shard integer NOT NULL,
  seq bigint NOT NULL,
  hash text NOT NULL,
  line text NOT NULL,
  PRIMARY KEY (shard, seq)
);
CREATE TABLE log_checkpoints (
  shard integer NOT NULL,
  seq bigint NOT NULL,
  checkpoint text NOT NULL,
  PRIMARY KEY (shard, seq)
);
`,
  },
  {
    // An `error` decision does not close its event: the same (subject, event id, timer) again is
    // decided again (a provider that timed out may answer now; an error never acted). The error
    // keeps its row and its log entry, marked superseded by the decision that answered the event.
    id: "0002_errors_retry",
    sql: `
ALTER TABLE decisions ADD COLUMN superseded_by text;
ALTER TABLE decisions DROP CONSTRAINT decisions_subject_event_id_timer_key;
CREATE UNIQUE INDEX decisions_by_event ON decisions (subject, event_id, timer) WHERE superseded_by IS NULL;
`,
  },
  {
    // Per-subject keys (docs/store.md#per-subject-keys): one row per subject, found by an HMAC of
    // the subject (never the subject); erasure deletes the row. Decisions are read by subject for
    // access exports and erasure.
    id: "0003_subject_keys",
    sql: `
CREATE TABLE subject_keys (
  lookup text PRIMARY KEY,
  key_id text NOT NULL UNIQUE,
  key text NOT NULL,
  created_ms bigint NOT NULL
);
CREATE INDEX decisions_by_subject ON decisions (subject, id);
`,
  },
  {
    // Proof of value (docs/value.md, docs/store.md#proof-of-value): one assignment row per decision
    // a journey won that treated its subject or held them out (written in the decision's commit),
    // the business outcomes reported to Kairos (idempotent by outcome id), and whether each journey
    // runs (stop-loss), with every change kept in its history.
    id: "0004_value",
    sql: `
CREATE TABLE assignments (
  id bigserial PRIMARY KEY,
  subject text NOT NULL,
  journey text NOT NULL,
  arm text NOT NULL,
  outcome text NOT NULL,
  channel text NOT NULL,
  at text NOT NULL,
  at_ms bigint NOT NULL,
  decision_id text NOT NULL
);
CREATE INDEX assignments_by_journey ON assignments (journey, subject, id);
CREATE INDEX assignments_by_subject ON assignments (subject, id);
CREATE TABLE outcomes (
  id bigserial PRIMARY KEY,
  outcome_id text NOT NULL UNIQUE,
  subject text NOT NULL,
  type text NOT NULL,
  at text NOT NULL,
  at_ms bigint NOT NULL,
  value double precision,
  recorded_ms bigint NOT NULL
);
CREATE INDEX outcomes_by_subject ON outcomes (subject, type, at_ms);
CREATE TABLE journey_controls (
  journey text PRIMARY KEY,
  state text NOT NULL,
  set_by text NOT NULL,
  reason text NOT NULL,
  detail text,
  since text NOT NULL,
  since_id bigint NOT NULL DEFAULT 0
);
CREATE TABLE journey_control_history (
  id bigserial PRIMARY KEY,
  journey text NOT NULL,
  state text NOT NULL,
  set_by text NOT NULL,
  reason text NOT NULL,
  detail text,
  since text NOT NULL,
  since_id bigint NOT NULL DEFAULT 0
);
CREATE INDEX journey_control_history_by_journey ON journey_control_history (journey, id);
`,
  },
  {
    // Safe change (docs/artifacts.md, docs/rollout.md, docs/kill-switch.md, docs/store.md#safe-change):
    // the artifact registry with each artifact's files (base64 text), the rollout (one row, replaced
    // by compare-and-set on its generation) and its history, the shadow decisions of a rollout, the
    // kill switches and their history, and the artifact that scheduled each wake-up.
    id: "0005_releases",
    sql: `
CREATE TABLE artifacts (
  id bigserial PRIMARY KEY,
  hash text NOT NULL UNIQUE,
  version text NOT NULL UNIQUE,
  signature text,
  signer text,
  approvals text NOT NULL,
  published_by text NOT NULL,
  published_at text NOT NULL,
  activated_at text
);
CREATE TABLE artifact_files (
  hash text NOT NULL,
  path text NOT NULL,
  bytes text NOT NULL,
  PRIMARY KEY (hash, path)
);
CREATE TABLE rollout (
  id integer PRIMARY KEY,
  generation bigint NOT NULL,
  stable text,
  mode text NOT NULL,
  candidate text,
  percent double precision,
  salt text,
  budget text,
  action text NOT NULL,
  set_by text NOT NULL,
  reason text NOT NULL,
  detail text,
  since text NOT NULL
);
CREATE TABLE rollout_history (
  id bigserial PRIMARY KEY,
  generation bigint NOT NULL UNIQUE,
  stable text,
  mode text NOT NULL,
  candidate text,
  percent double precision,
  salt text,
  budget text,
  action text NOT NULL,
  set_by text NOT NULL,
  reason text NOT NULL,
  detail text,
  since text NOT NULL
);
CREATE TABLE shadow_results (
  id bigserial PRIMARY KEY,
  generation bigint NOT NULL,
  decision_id text NOT NULL,
  subject text NOT NULL,
  at text NOT NULL,
  stable text NOT NULL,
  candidate text NOT NULL,
  same integer NOT NULL
);
CREATE INDEX shadow_results_by_generation ON shadow_results (generation, id);
CREATE INDEX shadow_results_by_subject ON shadow_results (subject);
CREATE TABLE kill_switches (
  kind text NOT NULL,
  name text NOT NULL,
  state text NOT NULL,
  set_by text NOT NULL,
  reason text NOT NULL,
  since text NOT NULL,
  PRIMARY KEY (kind, name)
);
CREATE TABLE kill_switch_history (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  name text NOT NULL,
  state text NOT NULL,
  set_by text NOT NULL,
  reason text NOT NULL,
  since text NOT NULL
);
CREATE INDEX kill_switch_history_by_name ON kill_switch_history (kind, name, id);
ALTER TABLE wakeups ADD COLUMN artifact text;
`,
  },
];

/** The advisory lock key migrations are applied under ("kairos" in ASCII, as a 32-bit number). */
export const MIGRATION_LOCK = 0x6b616972;

const CREATE_TABLE = "CREATE TABLE IF NOT EXISTS kairos_migrations (id text PRIMARY KEY, applied_at text NOT NULL)";

/** The ids of the migrations applied to the store ([] when it has none yet). */
export async function appliedMigrations(sql: Sql): Promise<string[]> {
  const exists = await sql.query<{ n: unknown }>("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'kairos_migrations' AND schemaname = current_schema()");
  if (num(exists[0]?.n ?? 0) === 0) return [];
  const rows = await sql.query<{ id: string }>("SELECT id FROM kairos_migrations ORDER BY id");
  return rows.map((r) => r.id);
}

/**
 * Ids this Kairos has that the store lacks, and ids the store has that this Kairos does not know,
 * against `known` (this file's MIGRATIONS; sqlite-db.ts passes SQLite's, which have the same ids).
 */
export function compareMigrations(
  applied: readonly string[],
  known: readonly { readonly id: string }[] = MIGRATIONS,
): { pending: string[]; unknown: string[] } {
  const ids = new Set(known.map((m) => m.id));
  const have = new Set(applied);
  return { pending: known.filter((m) => !have.has(m.id)).map((m) => m.id), unknown: applied.filter((id) => !ids.has(id)) };
}

/** The refusal of a store that has migrations this Kairos does not know (`unknown`, from compareMigrations). */
export function unknownMigrations(store: string, unknown: readonly string[]): StoreError {
  return new StoreError(
    "store/migration",
    `the store ${store} has migrations this Kairos does not know (${unknown.join(", ")}): a newer Kairos made it`,
    "run the Kairos version that manages this store (or a newer one)",
  );
}

/**
 * Applies the pending migrations, each in its own transaction with its record, under the
 * advisory lock: a second instance waits, then finds nothing to do. Idempotent.
 */
export async function migrate(db: Db, location: string): Promise<void> {
  await db.withAdvisoryLock(MIGRATION_LOCK, async (sql) => {
    await sql.query(CREATE_TABLE);
    const applied = await appliedMigrations(sql);
    const { pending, unknown } = compareMigrations(applied);
    if (unknown.length > 0) throw unknownMigrations(location, unknown);
    for (const id of pending) {
      const m = MIGRATIONS.find((x) => x.id === id)!;
      await sql.query("BEGIN");
      try {
        for (const statement of m.sql
          .split(";")
          .map((s) => s.trim())
          .filter((s) => s !== ""))
          await sql.query(statement);
        await sql.query("INSERT INTO kairos_migrations (id, applied_at) VALUES ($1, $2)", [m.id, new Date().toISOString()]);
        await sql.query("COMMIT");
      } catch (e) {
        await sql.query("ROLLBACK").catch(() => {});
        if (e instanceof StoreError) throw e;
        throw new StoreError("store/migration", `migration ${m.id} failed on the store ${location}: ${(e as Error).message}`, undefined, e);
      }
    }
  });
}
