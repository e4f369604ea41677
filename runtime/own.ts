// Records keyed by names people choose (fields, entities, parameters, journey ids, enum values,
// payload keys, context keys) must never reach `Object.prototype`: on a plain object an absent
// `constructor` reads a function, `toString` a method, and assigning `__proto__` replaces the
// prototype. These helpers are the runtime's one way to build and read such records: built with
// no prototype, read by own property only.

/** A string-keyed record, as JSON objects are. */
export type Dict<T> = Record<string, T>;

/** A new, empty record with no prototype: `constructor`, `__proto__` and `toString` are plain keys. */
export function dict<T>(): Dict<T> {
  return Object.create(null) as Dict<T>;
}

/** An object, not null and not an array: what JSON calls an object. */
export function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `record[key]` when `record` is an object that holds `key` itself; never a prototype's member. */
export function own(record: unknown, key: string): unknown {
  return isRecord(record) && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `table[key]` for a constant lookup table, or undefined: `table["constructor"]` is not a hit. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
