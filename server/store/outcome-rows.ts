// Outcome records as the store writes them (docs/value.md#outcomes): checked (a subject, a type,
// an ISO 8601 time with an offset, a finite value), their time as epoch ms, and an id — the
// caller's, or one derived from what the record says, so the same report sent twice (a retried
// request, a file imported again) is counted once. Shared by both SQL dialects and by the route
// and `kairos outcomes import`, which check records the same way before anything is written.
import { canonicalJson } from "../../core/canonical-json.ts";
import { formatDateTime, parseDateTimeLiteral } from "../../core/literals.ts";
import { sha256Hex } from "../../core/sha256.ts";
import { StoreError } from "./errors.ts";
import type { OutcomeRecord } from "./types.ts";

/** An outcome as its row holds it. */
export interface OutcomeRow {
  readonly outcomeId: string;
  readonly subject: string;
  readonly type: string;
  /** The time normalized to UTC (`2026-05-30T09:00:00Z`). */
  readonly at: string;
  readonly atMs: number;
  readonly value: number | null;
}

/** The longest id, subject or type an outcome may have (in characters). */
export const OUTCOME_TEXT_LIMIT = 256;

/** One problem of one record: which field, what is wrong. */
export interface OutcomeProblem {
  readonly index: number;
  readonly field: string;
  readonly message: string;
}

/** The problems of one record ([] when it is fine); `index` is its place in the batch. */
export function outcomeProblems(record: unknown, index: number): OutcomeProblem[] {
  const out: OutcomeProblem[] = [];
  const bad = (field: string, message: string) => out.push({ index, field, message });
  if (record === null || typeof record !== "object" || Array.isArray(record)) {
    bad("", "is not an object with `subject`, `type` and `at`");
    return out;
  }
  const r = record as Record<string, unknown>;
  for (const field of Object.keys(r)) {
    if (!["id", "subject", "type", "at", "value"].includes(field)) bad(field, "is not a field of an outcome (id, subject, type, at, value)");
  }
  for (const field of ["subject", "type"] as const) {
    const v = r[field];
    if (typeof v !== "string" || v === "") bad(field, "is missing or not a non-empty string");
    else if (v.length > OUTCOME_TEXT_LIMIT) bad(field, `is longer than ${OUTCOME_TEXT_LIMIT} characters`);
  }
  const id = r["id"];
  if (id !== undefined && (typeof id !== "string" || id === "" || id.length > OUTCOME_TEXT_LIMIT)) {
    bad("id", `is not a non-empty string of at most ${OUTCOME_TEXT_LIMIT} characters`);
  }
  const at = r["at"];
  if (typeof at !== "string") bad("at", "is missing or not a string (ISO 8601 with an offset: `2026-05-30T09:00:00Z`)");
  else if (parseDateTimeLiteral(at) === undefined) bad("at", `\`${at}\` is not an ISO 8601 datetime with an offset (\`2026-05-30T09:00:00Z\`)`);
  const value = r["value"];
  if (value !== undefined && value !== null && (typeof value !== "number" || !Number.isFinite(value))) bad("value", "is not a finite number");
  return out;
}

/** The id the store gives a record without one: `o_` + 32 hex digits of sha256 over subject, type, time and value. */
export function derivedOutcomeId(subject: string, type: string, atMs: number, value: number | null): string {
  return `o_${sha256Hex(canonicalJson([subject, type, atMs, value])).slice(0, 32)}`;
}

/** The rows of a batch of records; a `store/invalid` error naming the first problem when one is not an outcome. */
export function outcomeRows(records: readonly OutcomeRecord[]): OutcomeRow[] {
  return records.map((record, index) => {
    const problem = outcomeProblems(record, index)[0];
    if (problem !== undefined) {
      throw new StoreError(
        "store/invalid",
        `outcome ${index + 1}${problem.field === "" ? "" : `: \`${problem.field}\``} ${problem.message}; nothing was written`,
        "fix the record and add the batch again",
      );
    }
    const atMs = parseDateTimeLiteral(record.at)!;
    const value = typeof record.value === "number" ? record.value : null;
    return {
      outcomeId: record.id ?? derivedOutcomeId(record.subject, record.type, atMs, value),
      subject: record.subject,
      type: record.type,
      at: formatDateTime(atMs),
      atMs,
      value,
    };
  });
}
