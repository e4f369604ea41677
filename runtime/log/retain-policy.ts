// Which retention applies to a decision log entry (docs/decision-log.md#retention): the catalog
// says how long each field's values are kept (`retention`, an ISO 8601 duration), and an entry's
// `context` and `sealed` request hold the values of the fields in its minimal bundle. Both go
// when the SHORTEST retention among those fields has passed since the decision (`at`): the seal
// holds the whole request, so it cannot outlive its most short-lived value. A default retention
// (the operator's, for what the catalog does not tag: the subject's id, consent records, cap
// history and event payload in the seal) caps every entry. Durations are added on the UTC
// calendar: `P7Y` from 2026-05-30 is 2033-05-30, never a few leap days earlier.
import type { Catalog } from "../../core/catalog/types.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import { sha256Hex } from "../../core/sha256.ts";

/** What decides when an entry's context and seal are purged. */
export interface RetentionPolicy {
  /** `entity.field` → ISO 8601 duration, for every catalog field that has a `retention`. */
  readonly fields: ReadonlyMap<string, string>;
  /** Applies to every entry (what the catalog does not tag); absent: only the catalog's fields limit. */
  readonly defaultRetention?: string;
}

/** When an entry is due, and which rule made it so. */
export interface EntryDue {
  /** Epoch ms at and after which the entry's context and seal are purged. */
  readonly dueMs: number;
  /** The duration that applied. */
  readonly retention: string;
  /** The field it is the retention of (`customer.email`), or `default`. */
  readonly source: string;
}

const ISO = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

function parts(text: string): number[] | undefined {
  const m = ISO.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return undefined;
  return [1, 2, 3, 4, 5, 6, 7].map((i) => (m[i] === undefined ? 0 : Number(m[i])));
}

/** True when `text` is an ISO 8601 duration as the catalog writes them (`P7Y`, `P90D`, `PT12H`). */
export function isRetention(text: string): boolean {
  const p = parts(text);
  if (p === undefined) return false;
  return p.every((n) => Number.isFinite(n)) && p.some((n) => n > 0);
}

/**
 * `atMs` plus an ISO 8601 duration on the UTC calendar: years and months move the calendar date
 * (clamped to the month's last day: 2028-02-29 + P1Y is 2029-02-28), weeks, days, hours, minutes
 * and seconds are fixed lengths. Undefined for a malformed duration or a result out of range.
 */
export function addRetention(atMs: number, duration: string): number | undefined {
  const p = parts(duration);
  if (p === undefined || !Number.isFinite(atMs)) return undefined;
  const [y, mo, w, d, h, mi, s] = p as [number, number, number, number, number, number, number];
  let t = atMs;
  if (y > 0 || mo > 0) {
    const date = new Date(atMs);
    const months = date.getUTCFullYear() * 12 + date.getUTCMonth() + y * 12 + mo;
    const year = Math.floor(months / 12);
    const month = months % 12;
    const end = new Date(0);
    end.setUTCFullYear(year, month + 1, 0);
    const lastDay = end.getUTCDate();
    const moved = new Date(atMs);
    moved.setUTCFullYear(year, month, Math.min(date.getUTCDate(), lastDay));
    t = moved.getTime();
  }
  t += (((w * 7 + d) * 24 + h) * 60 + mi) * 60_000 + s * 1000;
  return Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? t : undefined;
}

/** A lower bound of a duration's length in ms (years as 365 days, months as 28): nothing is due sooner. */
export function minimumLengthMs(duration: string): number | undefined {
  const p = parts(duration);
  if (p === undefined) return undefined;
  const [y, mo, w, d, h, mi, s] = p as [number, number, number, number, number, number, number];
  return ((((y * 365 + mo * 28 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
}

/** The retention policy of a catalog (every field with a `retention`), with an optional default. */
export function retentionPolicy(catalog: Catalog | undefined, defaultRetention?: string): RetentionPolicy {
  const fields = new Map<string, string>();
  for (const entity of catalog?.entities.values() ?? []) {
    for (const field of entity.fields.values()) if (field.retention !== undefined && isRetention(field.retention)) fields.set(field.path, field.retention);
  }
  return { fields, ...(defaultRetention === undefined ? {} : { defaultRetention }) };
}

/** True when the policy can purge anything at all. */
export function hasRetention(policy: RetentionPolicy): boolean {
  return policy.fields.size > 0 || policy.defaultRetention !== undefined;
}

/**
 * The shortest time any entry is kept under the policy (a lower bound, ms): an entry decided
 * less than this long ago is never due. Undefined when the policy purges nothing.
 */
export function shortestRetentionMs(policy: RetentionPolicy): number | undefined {
  const all = [...policy.fields.values(), ...(policy.defaultRetention === undefined ? [] : [policy.defaultRetention])];
  const lengths = all.map(minimumLengthMs).filter((n): n is number => n !== undefined);
  return lengths.length === 0 ? undefined : Math.min(...lengths);
}

/** A stable id of the policy (sha256 of its canonical JSON), so a changed policy is noticed. */
export function policyFingerprint(policy: RetentionPolicy): string {
  const fields = Object.fromEntries([...policy.fields.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return sha256Hex(canonicalJson({ default: policy.defaultRetention ?? null, fields })).slice(0, 16);
}

/**
 * When an entry decided at `at` whose context held `paths` is due: the earliest of `at` + the
 * retention of each path that has one, and `at` + the default. Undefined when nothing limits it
 * (or `at` is not a time: such an entry is never purged by guesswork).
 */
export function entryDue(policy: RetentionPolicy, at: string, paths: Iterable<string>): EntryDue | undefined {
  const atMs = Date.parse(at);
  if (!Number.isFinite(atMs)) return undefined;
  let best: EntryDue | undefined;
  const consider = (retention: string, source: string): void => {
    const dueMs = addRetention(atMs, retention);
    if (dueMs === undefined) return;
    if (best === undefined || dueMs < best.dueMs || (dueMs === best.dueMs && source < best.source)) best = { dueMs, retention, source };
  };
  for (const path of paths) {
    const r = policy.fields.get(path);
    if (r !== undefined) consider(r, path);
  }
  if (policy.defaultRetention !== undefined) consider(policy.defaultRetention, "default");
  return best;
}
