// A data subject's rights on the service's store (docs/store.md#erasure-and-access): erasure
// (GDPR Art. 17) and the access export (Art. 15), in both SQL dialects. Erasure is ONE
// transaction under the subject's lock: the subject's per-subject key row is deleted (their log
// entries stay in the chain and verify, but can no longer be linked or unsealed), their consents,
// objections, cap history, wake-ups, reviews, assignments, outcomes and shadow results are deleted, their `subjects` row too, and each of
// their decision rows keeps only what the log entry already shows — the subject and event id as
// pseudonymized there and the pseudonymized decision — so `log verify --store` still finds every
// entry's decision row. The export reads the decision rows by subject (clear text: the store
// keeps the engine's decisions as made), a page at a time, with each customer sentence.
import { decisionOf, type LogEntry } from "../../runtime/log/format.ts";
import { subjectDecision, type SubjectDecision } from "../../runtime/log/subject-rights.ts";
import type { Decision } from "../../runtime/decision.ts";
import { num, type Db, type Sql } from "./db.ts";
import { StoreError } from "./errors.ts";
import type { SqliteDb } from "./sqlite-db.ts";
import type { StoreSubjectKeys } from "./subject-keys.ts";

/** What erasing a subject from the store did (counts of rows). */
export interface StoreErasure {
  /** The destroyed per-subject key's id (what the subject's log entries name in `subject_key`). */
  readonly subject_key?: string;
  readonly key_destroyed: boolean;
  /** Log entries made under the destroyed key: they stay in the chain, unlinkable and sealed for good. */
  readonly entries: number;
  /** Log entries about the subject under the log key alone (a store without per-subject keys): not erasable by this. */
  readonly not_erasable: number;
  readonly decisions: number;
  readonly consents: number;
  readonly objections: number;
  readonly history: number;
  readonly wakeups: number;
  readonly reviews: number;
  /**
   * Assignment rows (docs/value.md#arms-who-is-treated-who-is-held-out) and outcomes reported about the subject, deleted. Always
   * set by the stores; optional so that a log file's erasure (which has neither) shares the shape.
   */
  readonly assignments?: number;
  readonly outcomes?: number;
  /** Shadow decisions about the subject made during a rollout (docs/rollout.md#shadow), deleted. Optional like the two above. */
  readonly shadow_results?: number;
}

/** One page of an access export. */
export interface SubjectDecisionPage {
  readonly decisions: readonly SubjectDecision[];
  /** The cursor of the next page; absent on the last one. */
  readonly next?: string;
}

/** A decision row as erasure leaves it: what its log entry shows, nothing more. */
interface ErasedRow {
  readonly id: number;
  readonly subject: string;
  readonly eventId: string;
  readonly decision: string;
  /** The entry's per-subject key id, if it has one. */
  readonly subjectKey: string | undefined;
}

/** The erased form of a decision row from its log line (a row without a line keeps only its id and outcome). */
function erasedRow(id: number, decisionId: string, line: string | null): ErasedRow {
  if (line === null) {
    return { id, subject: `erased:${id}`, eventId: `erased:${id}`, decision: JSON.stringify({ decision_id: decisionId }), subjectKey: undefined };
  }
  const entry = JSON.parse(line) as LogEntry;
  return {
    id,
    subject: entry.request.subject,
    eventId: entry.request.event.id,
    decision: JSON.stringify(decisionOf(entry)),
    subjectKey: typeof entry.subject_key === "string" ? entry.subject_key : undefined,
  };
}

function counted(rows: readonly ErasedRow[], keyId: string | undefined): { entries: number; not_erasable: number } {
  const entries = keyId === undefined ? 0 : rows.filter((r) => r.subjectKey === keyId).length;
  return { entries, not_erasable: rows.filter((r) => r.subjectKey === undefined).length };
}

const TABLES = ["consents", "objections", "history", "wakeups", "reviews", "assignments", "outcomes", "shadow_results"] as const;

/** Erasure on PGlite or PostgreSQL, in one transaction. */
export async function eraseSubjectSql(db: Db, keys: StoreSubjectKeys | undefined, subject: string): Promise<StoreErasure> {
  return db.transaction(async (tx: Sql) => {
    // The subject's lock, as every commit about them takes it: no decision commits half-erased.
    await tx.query("SELECT version FROM subjects WHERE subject = $1 FOR UPDATE", [subject]);
    const gone =
      keys === undefined
        ? []
        : await tx.query<{ key_id: string; key: string }>("DELETE FROM subject_keys WHERE lookup = $1 RETURNING key_id, key", [keys.lookup(subject)]);
    const found = await tx.query<{ id: unknown; decision_id: string; line: string | null }>(
      `SELECT d.id, d.decision_id, e.line FROM decisions d LEFT JOIN log_entries e ON e.shard = d.shard AND e.seq = d.seq
        WHERE d.subject = $1 ORDER BY d.id`,
      [subject],
    );
    const rows = found.map((r) => erasedRow(num(r.id), r.decision_id, r.line));
    if (rows.length > 0) {
      await tx.query(
        `UPDATE decisions d SET subject = v.subject, event_id = v.event_id, decision = v.decision
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS v(id, subject, event_id, decision)
          WHERE d.id = v.id`,
        [rows.map((r) => r.id), rows.map((r) => r.subject), rows.map((r) => r.eventId), rows.map((r) => r.decision)],
      );
    }
    const deleted: Record<string, number> = {};
    for (const table of TABLES) deleted[table] = (await tx.query(`DELETE FROM ${table} WHERE subject = $1 RETURNING 1 AS x`, [subject])).length;
    await tx.query("DELETE FROM subjects WHERE subject = $1", [subject]);
    const key = gone[0];
    if (key !== undefined) keys?.forget(key.key);
    return result(key?.key_id, rows, deleted);
  });
}

/** Erasure on SQLite, in one write transaction. */
export function eraseSubjectSqlite(db: SqliteDb, keys: StoreSubjectKeys | undefined, subject: string): StoreErasure {
  return db.transaction(() => {
    const key =
      keys === undefined
        ? undefined
        : db.get<{ key_id: string; key: string }>("DELETE FROM subject_keys WHERE lookup = ? RETURNING key_id, key", keys.lookup(subject));
    const rows = db
      .all<{ id: number; decision_id: string; line: string | null }>(
        `SELECT d.id, d.decision_id, e.line FROM decisions d LEFT JOIN log_entries e ON e.shard = d.shard AND e.seq = d.seq
          WHERE d.subject = ? ORDER BY d.id`,
        subject,
      )
      .map((r) => erasedRow(Number(r.id), r.decision_id, r.line));
    for (const r of rows) db.run("UPDATE decisions SET subject = ?, event_id = ?, decision = ? WHERE id = ?", r.subject, r.eventId, r.decision, r.id);
    const deleted: Record<string, number> = {};
    for (const table of TABLES) deleted[table] = db.all(`DELETE FROM ${table} WHERE subject = ? RETURNING 1 AS x`, subject).length;
    db.run("DELETE FROM subjects WHERE subject = ?", subject);
    if (key !== undefined) keys?.forget(key.key);
    return result(key?.key_id, rows, deleted);
  });
}

function result(keyId: string | undefined, rows: readonly ErasedRow[], deleted: Record<string, number>): StoreErasure {
  return {
    ...(keyId === undefined ? {} : { subject_key: keyId }),
    key_destroyed: keyId !== undefined,
    ...counted(rows, keyId),
    decisions: rows.length,
    consents: deleted["consents"] ?? 0,
    objections: deleted["objections"] ?? 0,
    history: deleted["history"] ?? 0,
    wakeups: deleted["wakeups"] ?? 0,
    reviews: deleted["reviews"] ?? 0,
    assignments: deleted["assignments"] ?? 0,
    outcomes: deleted["outcomes"] ?? 0,
    shadow_results: deleted["shadow_results"] ?? 0,
  };
}

/** A row of the export's query. */
export interface ExportRow {
  readonly id: unknown;
  readonly decision: string;
  readonly shard: unknown;
  readonly seq: unknown;
  readonly hash: string | null;
  readonly line: string | null;
}

/** The page from rows read with `limit + 1` (the extra row says there is a next page). */
export function exportPage(rows: readonly ExportRow[], limit: number): SubjectDecisionPage {
  const page = rows.slice(0, limit).map((r) => {
    const decision = JSON.parse(r.decision) as Decision;
    // The decision time is the log entry's `at` (the request's `now`).
    let at = "";
    if (r.line !== null) at = (JSON.parse(r.line) as { at?: string }).at ?? "";
    const log = r.hash === null ? undefined : { shard: num(r.shard), seq: num(r.seq), hash: r.hash };
    return subjectDecision(decision, at, log);
  });
  const last = rows[limit - 1];
  return { decisions: page, ...(rows.length > limit && last !== undefined ? { next: String(num(last.id)) } : {}) };
}

/** The cursor as a row id (0: from the start); a cursor this store did not give is a StoreError. */
export function cursorId(cursor: string | undefined): number {
  if (cursor === undefined || cursor === "") return 0;
  if (/^\d{1,15}$/.test(cursor)) return Number(cursor);
  throw new StoreError("store/invalid", `\`${cursor}\` is not a cursor this store gave`, "pass the `next` of the previous page");
}

/** The export's statement in PostgreSQL's dialect ($1 subject, $2 after id, $3 limit + 1). */
export const EXPORT_SQL = `SELECT d.id, d.decision, d.shard, d.seq, e.hash, e.line
  FROM decisions d LEFT JOIN log_entries e ON e.shard = d.shard AND e.seq = d.seq
 WHERE d.subject = $1 AND d.id > $2 ORDER BY d.id LIMIT $3`;

/** The export's statement in SQLite's dialect. */
export const EXPORT_SQLITE = EXPORT_SQL.replace("$1", "?").replace("$2", "?").replace("$3", "?");
