// Context providers and normalization (spec §4 step 3, "Missing data"): the provider is asked
// for exactly the minimal bundle; its answer is cut down to those fields (anything extra is
// dropped before predicates or logs see it), each value is checked against its catalog type
// and converted to the runtime representation. Problems name the field; the engine fails closed.
import type { ContextValue } from "../compiler/artifact.ts";
import type { Catalog, EventDef } from "../compiler/catalog/types.ts";
import { convertValue, expectedText, type ValueMismatch } from "./values.ts";

/** Entity → field → value, as a provider answers (JSON values, dates as ISO text). */
export type EntityRecords = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * Where context comes from. `fields` is the minimal bundle (`entity.field` paths, sorted); the
 * provider may answer with more, which is dropped, or less, which is an error unless optional.
 */
export interface ContextProvider {
  fetch(subject: string, fields: readonly string[]): EntityRecords | Promise<EntityRecords>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A provider over an in-memory record (the request file's `context`); answers only what is asked. */
export class InMemoryProvider implements ContextProvider {
  private readonly data: EntityRecords;

  constructor(data: EntityRecords = {}) {
    this.data = data;
  }

  fetch(_subject: string, fields: readonly string[]): EntityRecords {
    const out: Record<string, Record<string, unknown>> = {};
    for (const path of fields) {
      const [entity, field] = splitPath(path);
      const record = this.data[entity];
      if (!isRecord(record) || !Object.hasOwn(record, field)) continue;
      (out[entity] ??= {})[field] = record[field];
    }
    return out;
  }
}

/** `customer.tenure_months` → [`customer`, `tenure_months`]. */
export function splitPath(path: string): [entity: string, field: string] {
  const dot = path.indexOf(".");
  return dot < 0 ? [path, ""] : [path.slice(0, dot), path.slice(dot + 1)];
}

/** A field the engine cannot use: absent, of the wrong type, or unknown to the catalog. */
export interface FieldProblem {
  readonly code: "missing_field" | "wrong_type" | "unknown_field";
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

/** Normalizes a provider's answer for the requested field paths (each `entity.field`). */
export function normalizeContext(catalog: Catalog, fields: readonly string[], answer: unknown): NormalizedContext {
  const values: Record<string, Record<string, ContextValue>> = {};
  const minimized: Record<string, Record<string, unknown>> = {};
  const problems: FieldProblem[] = [];
  const records = isRecord(answer) ? answer : {};
  for (const path of fields) {
    const [entity, field] = splitPath(path);
    const def = catalog.entities.get(entity)?.fields.get(field);
    if (!def) {
      problems.push({ code: "unknown_field", field: path, message: `\`${path}\` is not a field of the catalog` });
      continue;
    }
    values[entity] ??= {};
    const record = records[entity];
    const raw = isRecord(record) && Object.hasOwn(record, field) ? record[field] : undefined;
    if (raw === undefined || raw === null) {
      if (!def.optional) {
        problems.push({ code: "missing_field", field: path, message: `\`${path}\` is missing from the context (expected ${expectedText(def.type)})` });
      }
      continue;
    }
    (minimized[entity] ??= {})[field] = raw;
    const converted = convertValue(def.type, raw);
    if (converted.ok) values[entity][field] = converted.value;
    else problems.push(mismatchProblem(path, converted.mismatch));
  }
  return { values, minimized, problems };
}

/** The event payload cut down to the fields journeys read, checked against the event's declaration. */
export function normalizePayload(event: EventDef, names: readonly string[], payload: unknown): NormalizedContext {
  const values: Record<string, ContextValue> = {};
  const minimized: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  const record = isRecord(payload) ? payload : {};
  for (const name of names) {
    const path = `event.${name}`;
    const type = event.fields.get(name);
    if (!type) {
      problems.push({ code: "unknown_field", field: path, message: `\`${path}\` is not declared by event \`${event.name}\`` });
      continue;
    }
    const raw = Object.hasOwn(record, name) ? record[name] : undefined;
    if (raw === undefined || raw === null) {
      problems.push({ code: "missing_field", field: path, message: `\`${path}\` is missing from the event payload (expected ${expectedText(type)})` });
      continue;
    }
    minimized[name] = raw;
    const converted = convertValue(type, raw);
    if (converted.ok) values[name] = converted.value;
    else problems.push(mismatchProblem(path, converted.mismatch));
  }
  return { values: { event: values }, minimized: { event: minimized }, problems };
}
