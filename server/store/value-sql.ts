// Proof of value on the store (docs/value.md, docs/store.md#proof-of-value): the statements that
// read the assignments, outcomes and journey controls back — the per-arm aggregates uplift is
// computed from, the volumes, the outcome counts, the decision mix and the controls — written
// once for both dialects (`$n` placeholders, CAST instead of `::`; SQLite runs them as `?n`), and
// the mappers from their rows. The writes (outcomes, controls) are in each store class, since
// their transactions differ; their statements are here too.
import type { Decision } from "../../runtime/decision.ts";
import { num, type Row } from "./db.ts";
import { StoreError } from "./errors.ts";
import type { Arm, ArmAggregate, Assignment, DecisionMix, JourneyControl, JourneyVolume, StoredOutcome, ValueMetricQuery } from "./types.ts";

/** Runs one read statement (`$n` placeholders) and gives its rows. */
export type Select = (sql: string, params: readonly (string | number)[]) => Promise<readonly Row[]>;

/** The epoch ms no first assignment is after: a metric without `matureBeforeMs` counts every subject. */
const NO_CUTOFF = 8_640_000_000_000_000;

/**
 * One metric's figures per arm ($1 journey, $2 outcome type, $3 window ms, $4 sinceId, $5 the
 * latest first-assignment time counted): each subject's FIRST assignment row to the journey (the
 * smallest id) gives its arm and the start of its window; its outcomes of the type in
 * [at, at + window) count it as converted and add their values.
 */
export const AGGREGATE_SQL = `
SELECT s.arm AS arm, count(*) AS subjects, sum(CASE WHEN s.n > 0 THEN 1 ELSE 0 END) AS converted,
       sum(s.v) AS value_sum, sum(s.v * s.v) AS value_sum_sq
  FROM (SELECT f.subject, f.arm, count(o.id) AS n, coalesce(sum(o.value), 0) AS v
          FROM (SELECT a.subject, a.arm, a.at_ms
                  FROM assignments a
                  JOIN (SELECT subject, min(id) AS id FROM assignments WHERE journey = $1 GROUP BY subject) m ON a.id = m.id
                 WHERE a.id > CAST($4 AS bigint) AND a.at_ms <= CAST($5 AS bigint)) f
          LEFT JOIN outcomes o ON o.subject = f.subject AND o.type = $2 AND o.at_ms >= f.at_ms AND o.at_ms < f.at_ms + CAST($3 AS bigint)
         GROUP BY f.subject, f.arm) s
 GROUP BY s.arm
 ORDER BY s.arm`;

/** The statements of journeyVolumes: rows by outcome, subjects by the arm of their first row, acted rows by channel, the last row id. */
export const VOLUME_SQL = {
  outcomes: "SELECT journey, outcome AS k, count(*) AS n FROM assignments GROUP BY journey, outcome",
  subjects: `SELECT a.journey, a.arm AS k, count(*) AS n
               FROM assignments a JOIN (SELECT min(id) AS id FROM assignments GROUP BY journey, subject) m ON a.id = m.id
              GROUP BY a.journey, a.arm`,
  actions: "SELECT journey, channel AS k, count(*) AS n FROM assignments WHERE outcome = 'acted' GROUP BY journey, channel",
  last: "SELECT journey, max(id) AS n FROM assignments GROUP BY journey",
} as const;

export const OUTCOME_COUNTS_SQL = "SELECT type, count(*) AS n FROM outcomes GROUP BY type ORDER BY type";

/** The newest decisions that answer their event ($1 how many). */
export const MIX_SQL = "SELECT decision FROM decisions WHERE superseded_by IS NULL ORDER BY id DESC LIMIT $1";

const CONTROL_COLUMNS = "journey, state, set_by, reason, detail, since, since_id";
export const CONTROLS_SQL = `SELECT ${CONTROL_COLUMNS} FROM journey_controls ORDER BY journey`;
export const CONTROL_HISTORY_SQL = `SELECT ${CONTROL_COLUMNS} FROM journey_control_history WHERE journey = $1 ORDER BY id`;

/**
 * Setting a journey's state when it is `active` (or has no row, which counts as active): one
 * conditional upsert, so two instances tripping the same stop-loss write one stop — the second
 * finds the row the first committed and its WHERE refuses it ($1…$7: the control's columns).
 */
export const CONTROL_FROM_ACTIVE_SQL = `INSERT INTO journey_controls (${CONTROL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (journey) DO UPDATE SET state = excluded.state, set_by = excluded.set_by, reason = excluded.reason, detail = excluded.detail,
                                      since = excluded.since, since_id = excluded.since_id
  WHERE journey_controls.state = 'active'
  RETURNING journey`;

/** Setting a journey's state when it is `stopped` (no row: not stopped, nothing written). */
export const CONTROL_FROM_STOPPED_SQL = `UPDATE journey_controls SET state = $2, set_by = $3, reason = $4, detail = $5, since = $6, since_id = $7
  WHERE journey = $1 AND state = 'stopped'
  RETURNING journey`;

/** Appending a change to a journey's control history ($1…$7). */
export const CONTROL_HISTORY_INSERT_SQL = `INSERT INTO journey_control_history (${CONTROL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`;

/** A statement with `$n` placeholders in SQLite's `?n` form (the same numbers, so a parameter may repeat). */
export function sqliteSql(sql: string): string {
  return sql.replace(/\$(\d+)/g, "?$1");
}

/** The figures of every metric, per arm (one statement per metric; arms without subjects left out). */
export async function valueAggregates(select: Select, metrics: readonly ValueMetricQuery[]): Promise<ArmAggregate[]> {
  const out: ArmAggregate[] = [];
  for (const m of metrics) {
    checkMetric(m);
    const cutoff = m.matureBeforeMs === undefined ? NO_CUTOFF : m.matureBeforeMs - m.windowMs;
    const rows = await select(AGGREGATE_SQL, [m.journey, m.type, m.windowMs, m.sinceId ?? 0, cutoff]);
    for (const r of rows) {
      out.push({
        key: m.key,
        journey: m.journey,
        arm: String(r["arm"]) as Arm,
        subjects: num(r["subjects"]),
        converted: num(r["converted"] ?? 0),
        valueSum: num(r["value_sum"] ?? 0),
        valueSumSq: num(r["value_sum_sq"] ?? 0),
      });
    }
  }
  return out;
}

function checkMetric(m: ValueMetricQuery): void {
  const whole = (v: number | undefined) => v === undefined || (Number.isSafeInteger(v) && v >= 0);
  if (!whole(m.windowMs) || !whole(m.sinceId) || !(m.matureBeforeMs === undefined || Number.isSafeInteger(m.matureBeforeMs))) {
    throw new StoreError("store/invalid", `the value metric \`${m.key}\` has a window, sinceId or matureBeforeMs that is not a whole number of ms ≥ 0 (a bug)`);
  }
}

/** Per journey with any assignment, in id order: its volumes (journeyVolumes). */
export async function journeyVolumes(select: Select): Promise<JourneyVolume[]> {
  const [outcomes, subjects, actions, last] = await Promise.all([
    select(VOLUME_SQL.outcomes, []),
    select(VOLUME_SQL.subjects, []),
    select(VOLUME_SQL.actions, []),
    select(VOLUME_SQL.last, []),
  ]);
  const byJourney = new Map<string, { outcomes: Record<string, number>; subjects: Record<Arm, number>; actions: Record<string, number>; lastId: number }>();
  const of = (journey: string) => {
    let v = byJourney.get(journey);
    if (v === undefined) {
      v = { outcomes: {}, subjects: { treated: 0, holdout: 0, global_control: 0 }, actions: {}, lastId: 0 };
      byJourney.set(journey, v);
    }
    return v;
  };
  for (const r of outcomes) of(String(r["journey"])).outcomes[String(r["k"])] = num(r["n"]);
  for (const r of subjects) of(String(r["journey"])).subjects[String(r["k"]) as Arm] = num(r["n"]);
  for (const r of actions) of(String(r["journey"])).actions[String(r["k"])] = num(r["n"]);
  for (const r of last) of(String(r["journey"])).lastId = num(r["n"]);
  return [...byJourney.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([journey, v]) => ({ journey, outcomes: sorted(v.outcomes), subjects: v.subjects, actions: sorted(v.actions), lastId: v.lastId }));
}

function sorted(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Outcome counts by type. */
export async function outcomeCounts(select: Select): Promise<Record<string, number>> {
  const rows = await select(OUTCOME_COUNTS_SQL, []);
  return Object.fromEntries(rows.map((r) => [String(r["type"]), num(r["n"])]));
}

/**
 * Consent health over the newest `limit` decisions: decision outcomes, every candidate evaluated,
 * and the candidates denied (denied_consent, denied_residency) by reason code — by the outcome
 * when a denial carries no reason.
 */
export async function decisionMix(select: Select, limit: number): Promise<DecisionMix> {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new StoreError("store/invalid", `decisionMix: \`${limit}\` is not a whole number ≥ 0 (a bug)`);
  const rows = await select(MIX_SQL, [limit]);
  const outcomes: Record<string, number> = {};
  const denials: Record<string, number> = {};
  let candidates = 0;
  for (const r of rows) {
    const d = JSON.parse(String(r["decision"])) as Partial<Decision>;
    if (typeof d.outcome === "string") outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
    for (const e of d.evaluations ?? []) {
      candidates++;
      if (!e.outcome.startsWith("denied_")) continue;
      const codes = (e.reasons ?? []).map((x) => x.code);
      for (const code of codes.length > 0 ? new Set(codes) : [e.outcome]) denials[code] = (denials[code] ?? 0) + 1;
    }
  }
  return { decisions: rows.length, outcomes: sorted(outcomes), denials: sorted(denials), candidates };
}

/** A subject's assignment rows and outcomes, oldest first ($1 subject). */
export const SUBJECT_ASSIGNMENTS_SQL = "SELECT subject, journey, arm, outcome, channel, at, decision_id FROM assignments WHERE subject = $1 ORDER BY id";
export const SUBJECT_OUTCOMES_SQL = "SELECT outcome_id, subject, type, at, value, recorded_ms FROM outcomes WHERE subject = $1 ORDER BY at_ms, id";

/** An assignments row as an Assignment. */
export function toAssignment(r: Row): Assignment {
  return {
    subject: String(r["subject"]),
    journey: String(r["journey"]),
    arm: String(r["arm"]) as Arm,
    outcome: String(r["outcome"]),
    channel: String(r["channel"]),
    at: String(r["at"]),
    decision_id: String(r["decision_id"]),
  };
}

/** An outcomes row as a StoredOutcome (`value` left out when NULL). */
export function toStoredOutcome(r: Row): StoredOutcome {
  const value = r["value"];
  return {
    id: String(r["outcome_id"]),
    subject: String(r["subject"]),
    type: String(r["type"]),
    at: String(r["at"]),
    ...(value === null || value === undefined ? {} : { value: num(value) }),
    recorded_at: new Date(num(r["recorded_ms"])).toISOString(),
  };
}

/** A journey_controls or journey_control_history row as a JourneyControl. */
export function toControl(r: Row): JourneyControl {
  const detail = r["detail"] === null || r["detail"] === undefined ? undefined : (JSON.parse(String(r["detail"])) as Record<string, unknown>);
  return {
    journey: String(r["journey"]),
    state: r["state"] === "stopped" ? "stopped" : "active",
    by: String(r["set_by"]),
    reason: String(r["reason"]),
    ...(detail === undefined ? {} : { detail }),
    since: String(r["since"]),
    sinceId: num(r["since_id"]),
  };
}

/** The parameters ($1…$7) of a control's row; a `store/invalid` error when it is not one. */
export function controlParams(c: JourneyControl): (string | number | null)[] {
  if (typeof c.journey !== "string" || c.journey === "") throw new StoreError("store/invalid", "a journey control needs the journey's id");
  if (c.state !== "stopped" && c.state !== "active")
    throw new StoreError("store/invalid", `a journey's state is \`stopped\` or \`active\`, not \`${String(c.state)}\``);
  if (typeof c.by !== "string" || c.by === "") throw new StoreError("store/invalid", "a journey control needs `by`: who set the state");
  if (!Number.isSafeInteger(c.sinceId) || c.sinceId < 0) throw new StoreError("store/invalid", `a journey control's sinceId \`${c.sinceId}\` is not a row id`);
  return [c.journey, c.state, c.by, c.reason ?? "", c.detail === undefined ? null : JSON.stringify(c.detail), c.since, c.sinceId];
}
