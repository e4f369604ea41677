// Typed errors of the decision service's store: a stable code, a plain message that says what
// failed and where (the store's location, never a password) and, when there is one, the fix.
// The service maps them to 503 `store_unavailable` (fail closed); the CLI prints them as they are.

/** Stable codes, never renamed. */
export type StoreErrorCode =
  /** The store could not be reached when opening it (refused, unknown host, timeout, authentication). */
  | "store/unreachable"
  /** The store went away or timed out during an operation: nothing of that operation was written. */
  | "store/unavailable"
  /** The embedded store's data directory is in use by another process. */
  | "store/locked"
  /** The URL or data directory given is not one the store can use. */
  | "store/bad-location"
  /** The store was made by a newer Kairos (it has migrations this one does not know), or a migration failed. */
  | "store/migration"
  /** The log keys given are not the ones the store's log was written with, or are missing. */
  | "store/keys"
  /** `shards` differs from the number the store was created with. */
  | "store/shards"
  /** The store's contents contradict themselves (a log head without its entries…). */
  | "store/corrupt"
  /** The store was closed. */
  | "store/closed"
  /** A request to the store that it refused (a bug or bad input, named in the message). */
  | "store/invalid"
  /** A write that contradicts what the store has (a version name already used by another artifact). */
  | "store/conflict";

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly hint?: string;

  constructor(code: StoreErrorCode, message: string, hint?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "StoreError";
    this.code = code;
    if (hint !== undefined) this.hint = hint;
  }
}

/** The error's SQLSTATE or errno code, when it has one. */
export function codeOf(e: unknown): string | undefined {
  return e !== null && typeof e === "object" && "code" in e && typeof e.code === "string" ? e.code : undefined;
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * True when an error from the driver means the connection to the store was lost or never made
 * (as opposed to a statement the store refused): SQLSTATE class 08 (connection), 57P0x
 * (shutdown), the socket errnos, and the drivers' own "terminated"/"timeout" errors.
 */
export function isConnectionLoss(e: unknown): boolean {
  const code = codeOf(e);
  if (code !== undefined && (CONNECTION_CODES.has(code) || code.startsWith("08") || code.startsWith("57P"))) return true;
  const message = e instanceof Error ? e.message : String(e);
  return /Connection terminated|connection timeout|timeout exceeded|Query read timeout|Client has encountered a connection error|not queryable|terminating connection/i.test(
    message,
  );
}

/**
 * Wraps any failure of an operation as a StoreError: StoreErrors pass through; a lost
 * connection or a timeout becomes `store/unavailable` (fail closed: the transaction rolled back).
 */
export function storeFailure(e: unknown, location: string, what: string): StoreError {
  if (e instanceof StoreError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (isConnectionLoss(e) || codeOf(e) === "57014") {
    return new StoreError(
      "store/unavailable",
      `the store ${location} did not complete ${what}: ${message}`,
      "nothing of it was written; retry once the store is reachable again",
      e,
    );
  }
  return new StoreError("store/unavailable", `the store ${location} failed ${what}: ${message}${codeOf(e) ? ` (SQLSTATE ${codeOf(e)})` : ""}`, undefined, e);
}
