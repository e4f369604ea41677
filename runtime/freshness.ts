// Freshness (docs/runtime.md#freshness): the catalog's `freshness` SLAs, checked against how old
// the data of a decision is. An event older than its event's `freshness`, or a context value
// older than its field's, ends the decision as `stale`: nobody acts on out-of-date data. A
// value's age comes with the data — the request's `context_as_of` and a provider answer's
// `$as_of` member, each `entity` or `entity.field` → when the value was read — and a value
// without one counts as read at `now` (a provider that reads the system of record at decision
// time gives current values; a cache or a snapshot must say how old it is). Browser-safe.
import type { Catalog } from "../core/catalog/types.ts";
import { parseDateTimeLiteral, parseIsoDuration } from "../core/literals.ts";
import type { FieldProblem } from "./context.ts";
import type { Reason } from "./decision.ts";
import { isRecord, own } from "./own.ts";
import type { ParsedRequest } from "./request.ts";

/**
 * The member of a context provider's answer that says how old its values are: `{"$as_of":
 * {"customer": "2026-03-02T09:00:00Z", "customer.nps": "2026-01-10T00:00:00Z"}}`. Catalog names
 * start with a letter, so it cannot be an entity.
 */
export const AS_OF_KEY = "$as_of";

/** An ISO 8601 SLA in ms; undefined for none (or one too long to matter). */
function slaMs(freshness: string | undefined): number | undefined {
  return freshness === undefined ? undefined : parseIsoDuration(freshness);
}

/**
 * An age for people: `61d 2h`, `3h 20m`, `7m 5s`, `42s` (the two largest units, the second
 * left out when zero).
 */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const units: readonly (readonly [string, number])[] = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  for (let i = 0; i < units.length; i++) {
    const [unit, size] = units[i]!;
    if (s < size && i < units.length - 1) continue;
    const first = Math.floor(s / size);
    const next = units[i + 1];
    const rest = next ? Math.floor((s % size) / next[1]) : 0;
    return rest > 0 && next ? `${first}${unit} ${rest}${next[0]}` : `${first}${unit}`;
  }
  return "0s";
}

/**
 * The reason every candidate gets when the request's event is older than its event's
 * `freshness`, or undefined when it is fresh (or the event has no SLA). The event's time is
 * `event.at` (default `now`); an age equal to the SLA is still fresh. A timed follow-up
 * (`event.timer`) is exempt: it decides on purpose days after the event, and its journeys read
 * their context again, which the fields' own `freshness` covers.
 */
export function staleEvent(catalog: Catalog, parsed: ParsedRequest): Reason | undefined {
  if (parsed.timerMs !== undefined) return undefined;
  const type = parsed.request.event.type;
  const freshness = catalog.events.get(type)?.freshness;
  const sla = slaMs(freshness);
  if (sla === undefined) return undefined;
  const ageMs = parsed.nowMs - parsed.eventAtMs;
  if (ageMs <= sla) return undefined;
  const asOf = parsed.request.event.at ?? parsed.request.now;
  const message = `event \`${type}\` happened at ${asOf}, ${formatAge(ageMs)} before \`now\`; its freshness is ${freshness}`;
  return { code: "stale_event", message, event: type, as_of: asOf, age_seconds: Math.floor(ageMs / 1000), freshness };
}

/** What the freshness of the fetched values came to. */
export interface FieldFreshness {
  /** The reason for each fetched field whose value is older than its field's `freshness`, by path. */
  readonly stale: ReadonlyMap<string, Reason>;
  /**
   * The as-of time the check used for each fetched field with a `freshness` whose value was
   * given an age, by path, in code-unit order: what the log keeps (`context_as_of` of the
   * minimized request), so that deciding the logged request again finds the same ages.
   */
  readonly asOf: Readonly<Record<string, string>>;
  /** A provider's `$as_of` that is not a datetime: the fields it names fail closed. */
  readonly problems: readonly FieldProblem[];
}

const NONE: FieldFreshness = { stale: new Map(), asOf: {}, problems: [] };

/**
 * Checks the fetched fields that have a `freshness` and a value. A field's as-of time is the
 * earliest of what the request's `context_as_of` and the provider answer's `$as_of` say for it
 * (its `entity.field` key, else its entity's key); without any it counts as read at `now`.
 */
export function checkFields(catalog: Catalog, fields: readonly string[], parsed: ParsedRequest, answer: unknown, fetched: unknown): FieldFreshness {
  const fromRequest = parsed.request.context_as_of;
  const fromProvider = own(answer, AS_OF_KEY);
  if (fromRequest === undefined && fromProvider === undefined) return NONE;
  const stale = new Map<string, Reason>();
  const asOf: Record<string, string> = {};
  const problems: FieldProblem[] = [];
  const time = (text: string): number | undefined => parsed.times?.get(text) ?? parseDateTimeLiteral(text);
  for (const path of fields) {
    const dot = path.indexOf(".");
    const entity = path.slice(0, dot);
    const def = catalog.entities.get(entity)?.fields.get(path.slice(dot + 1));
    const sla = slaMs(def?.freshness);
    if (sla === undefined) continue;
    if (own(own(fetched, entity), path.slice(dot + 1)) === undefined) continue;
    let earliest: { text: string; ms: number } | undefined;
    const consider = (text: string, ms: number): void => {
      if (earliest === undefined || ms < earliest.ms) earliest = { text, ms };
    };
    const requested = fromRequest === undefined ? undefined : (own(fromRequest, path) ?? own(fromRequest, entity));
    if (typeof requested === "string") consider(requested, time(requested)!);
    if (isRecord(fromProvider)) {
      const key = own(fromProvider, path) !== undefined ? path : entity;
      const given = own(fromProvider, key);
      if (given !== undefined && given !== null) {
        const ms = typeof given === "string" ? parseDateTimeLiteral(given) : undefined;
        if (ms === undefined) {
          problems.push({
            code: "wrong_type",
            field: path,
            message: `the context provider's \`${AS_OF_KEY}.${key}\` (the age of \`${path}\`) is not an ISO 8601 datetime with an offset`,
          });
          continue;
        }
        consider(given as string, ms);
      }
    } else if (fromProvider !== undefined && fromProvider !== null) {
      problems.push({ code: "wrong_type", field: path, message: `the context provider's \`${AS_OF_KEY}\` is not an object of datetimes` });
      continue;
    }
    if (earliest === undefined) continue;
    asOf[path] = earliest.text;
    const ageMs = parsed.nowMs - earliest.ms;
    if (ageMs <= sla) continue;
    stale.set(path, {
      code: "stale_field",
      message: `\`${path}\` was read at ${earliest.text}, ${formatAge(ageMs)} before \`now\`; its freshness is ${def!.freshness}`,
      field: path,
      as_of: earliest.text,
      age_seconds: Math.floor(ageMs / 1000),
      freshness: def!.freshness,
    });
  }
  return { stale, asOf, problems };
}
