// Typed errors of the decision log: a stable code, a plain message and, when there is one, the
// fix. The CLI prints them as they are; the engine logs the code and fails closed.

/** Stable codes, never renamed. */
export type LogErrorCode =
  | "log/not-a-log"
  | "log/corrupt"
  | "log/locked"
  | "log/weak-key"
  | "log/no-key"
  | "log/key-permissions"
  | "log/key-mismatch"
  | "log/closed"
  | "log/io"
  | "log/seal"
  | "log/old-format"
  | "log/checkpoint"
  | "log/unserializable";

export class LogError extends Error {
  readonly code: LogErrorCode;
  readonly hint?: string;

  constructor(code: LogErrorCode, message: string, hint?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "LogError";
    this.code = code;
    if (hint !== undefined) this.hint = hint;
  }
}

/** The errno code of a Node system error, if it is one. */
export function errnoCode(e: unknown): string | undefined {
  return e !== null && typeof e === "object" && "code" in e && typeof e.code === "string" ? e.code : undefined;
}
