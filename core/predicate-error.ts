// The error a predicate throws when it cannot produce a value (division by zero, a date out of
// range): part of the artifact contract — generated modules define a class of the same name and
// shape, the reference interpreter throws this one, and the runtime recognises both by shape
// and fails closed.

/** A predicate that cannot produce a value (division by zero). The runtime fails closed. */
export class PredicateError extends Error {
  /** Stable: `predicate/division-by-zero`. */
  readonly code: string;
  /** Trace node id of the failing operation. */
  readonly node: number;

  constructor(code: string, message: string, node: number) {
    super(message);
    this.name = "PredicateError";
    this.code = code;
    this.node = node;
  }
}

/** Whether a thrown value is a PredicateError, including one from a generated module. */
export function isPredicateError(e: unknown): e is { name: "PredicateError"; code: string; node: number; message: string } {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "PredicateError" && typeof (e as { code?: unknown }).code === "string";
}
