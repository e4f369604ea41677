// Context providers and normalization (spec §4 step 3, "Missing data"): the provider is asked
// for exactly the minimal bundle; its answer is cut down to those fields (anything extra is
// dropped before predicates or logs see it), each value is checked against its catalog type
// and converted to the runtime representation. Problems name the field; the engine fails closed.
// Every record built here has no prototype (runtime/own.ts): a field, entity or payload key
// named `constructor`, `toString` or `__proto__` is data like any other, absent when absent.
import type { ContextValue } from "../core/artifact.ts";
import type { Catalog, EventDef } from "../core/catalog/types.ts";
import { checkValueLimits, DEFAULT_LIMITS, thousands, type RequestLimits } from "./limits.ts";
import { dict, isRecord, own, type Dict } from "./own.ts";
import { convertValue, expectedText, type ValueMismatch } from "./values.ts";

/** Entity → field → value, as a provider answers (JSON values, dates as ISO text). */
export type EntityRecords = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** What a provider is told besides the subject and the fields. */
export interface FetchOptions {
  /**
   * Aborts when the engine stops waiting (the provider deadline, docs/runtime.md#deadlines):
   * pass it to `fetch()` or a database driver so the abandoned work stops too.
   */
  readonly signal?: AbortSignal;
}

/**
 * Where context comes from. `fields` is the minimal bundle (`entity.field` paths, sorted); the
 * provider may answer with more, which is dropped, or less, which is an error unless optional.
 * The engine waits at most its provider deadline (default 2 s) and then fails closed. An answer
 * may say how old its values are with a `$as_of` member (runtime/freshness.ts): `entity` or
 * `entity.field` → when read; a value older than its field's `freshness` makes the decision `stale`.
 */
export interface ContextProvider {
  fetch(subject: string, fields: readonly string[], options?: FetchOptions): EntityRecords | Promise<EntityRecords>;
}

/** A provider over an in-memory record (the request file's `context`); answers only what is asked. */
export class InMemoryProvider implements ContextProvider {
  private readonly data: EntityRecords;

  constructor(data: EntityRecords = {}) {
    this.data = data;
  }

  fetch(_subject: string, fields: readonly string[]): EntityRecords {
    const out = dict<Dict<unknown>>();
    for (const path of fields) {
      const [entity, field] = splitPath(path);
      const record = own(this.data, entity);
      if (!isRecord(record) || !Object.hasOwn(record, field)) continue;
      (out[entity] ??= dict())[field] = record[field];
    }
    return out;
  }
}

/** `customer.tenure_months` → [`customer`, `tenure_months`]. */
export function splitPath(path: string): [entity: string, field: string] {
  const dot = path.indexOf(".");
  return dot < 0 ? [path, ""] : [path.slice(0, dot), path.slice(dot + 1)];
}

/** A field the engine cannot use: absent, of the wrong type, unknown to the catalog, or too large. */
export interface FieldProblem {
  readonly code: "missing_field" | "wrong_type" | "unknown_field" | "value_too_large";
  /** `customer.tenure_months`, `event.csat`, or `customer.recent_interactions[2].channel`. */
  readonly field: string;
  readonly message: string;
}

/** The runtime view of the fetched data plus what went wrong. */
export interface NormalizedContext {
  /** Entity → field → runtime value; optional fields that are not set are absent. */
  readonly values: Readonly<Record<string, Readonly<Record<string, ContextValue>>>>;
  /** The provider's answer cut down to the requested fields, as given (for the log). */
  readonly minimized: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly problems: readonly FieldProblem[];
}

function mismatchProblem(path: string, m: ValueMismatch): FieldProblem {
  const where = path + m.at;
  return m.missing
    ? { code: "missing_field", field: where, message: `\`${where}\` is missing (expected ${m.expected})` }
    : { code: "wrong_type", field: where, message: `\`${where}\` has the wrong type: expected ${m.expected}, got ${m.got}` };
}

/**
 * Normalizes a provider's answer for the requested field paths (each `entity.field`). A value
 * past the request limits (`listItems`, `stringLength`, `depth`, and `size` for all of them
 * together) is a `value_too_large` problem and is neither converted nor kept: a provider's
 * answer is bounded like a request.
 */
export function normalizeContext(catalog: Catalog, fields: readonly string[], answer: unknown, limits: RequestLimits = DEFAULT_LIMITS): NormalizedContext {
  const values = dict<Dict<ContextValue>>();
  const minimized = dict<Dict<unknown>>();
  const problems: FieldProblem[] = [];
  const budget = { used: 0 };
  for (const path of fields) {
    const [entity, field] = splitPath(path);
    const def = catalog.entities.get(entity)?.fields.get(field);
    if (!def) {
      problems.push({ code: "unknown_field", field: path, message: `\`${path}\` is not a field of the catalog` });
      continue;
    }
    const entityValues = (values[entity] ??= dict());
    const raw = own(own(answer, entity), field);
    if (raw === undefined || raw === null) {
      if (!def.optional) {
        problems.push({ code: "missing_field", field: path, message: `\`${path}\` is missing from the context (expected ${expectedText(def.type)})` });
      }
      continue;
    }
    const over = checkValueLimits(raw, path, limits, budget);
    if (over) {
      const what =
        over.limit === "size"
          ? `with \`${path}\`, the context provider's values are larger than the limit of ${thousands(limits.size)} characters`
          : `\`${over.path}\` from the context provider ${over.message.replace(/^the (string|key) /, "")}`;
      problems.push({ code: "value_too_large", field: path, message: `${what}; ${over.hint}` });
      continue;
    }
    (minimized[entity] ??= dict())[field] = raw;
    const converted = convertValue(def.type, raw);
    if (converted.ok) entityValues[field] = converted.value;
    else problems.push(mismatchProblem(path, converted.mismatch));
  }
  return { values, minimized, problems };
}

/** The event payload cut down to the fields journeys read, checked against the event's declaration. */
export function normalizePayload(event: EventDef, names: readonly string[], payload: unknown): NormalizedContext {
  const values = dict<ContextValue>();
  const minimized = dict<unknown>();
  const problems: FieldProblem[] = [];
  for (const name of names) {
    const path = `event.${name}`;
    const type = event.fields.get(name);
    if (!type) {
      problems.push({ code: "unknown_field", field: path, message: `\`${path}\` is not declared by event \`${event.name}\`` });
      continue;
    }
    const raw = own(payload, name);
    if (raw === undefined || raw === null) {
      problems.push({ code: "missing_field", field: path, message: `\`${path}\` is missing from the event payload (expected ${expectedText(type)})` });
      continue;
    }
    minimized[name] = raw;
    const converted = convertValue(type, raw);
    if (converted.ok) values[name] = converted.value;
    else problems.push(mismatchProblem(path, converted.mismatch));
  }
  const wrap = <T>(v: T): Dict<T> => Object.assign(dict<T>(), { event: v });
  return { values: wrap(values), minimized: wrap(minimized), problems };
}
