// Typed errors of the OPA layer: every failure of loading a bundle, validating a request or
// running the Wasm policy becomes an OpaError with a stable code, so the runtime can fail
// closed (`error`) and log the code instead of a thrown string.

/** Stable codes, never renamed. */
export type OpaErrorCode =
  | "opa/bundle-corrupt"
  | "opa/bundle-missing-manifest"
  | "opa/bundle-missing-data"
  | "opa/bundle-missing-wasm"
  | "opa/wasm-invalid"
  | "opa/wasm-abi"
  | "opa/entrypoint-missing"
  | "opa/eval-failed"
  | "opa/undefined-result"
  | "opa/bad-output"
  | "opa/bad-input"
  | "opa/unknown-status"
  | "opa/bad-timestamp"
  | "opa/unknown-purpose"
  | "opa/bad-objection-scope";

export class OpaError extends Error {
  readonly code: OpaErrorCode;
  /** Machine-readable details: which record, which field, which entrypoint. */
  readonly detail: Readonly<Record<string, unknown>>;

  constructor(code: OpaErrorCode, message: string, detail: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "OpaError";
    this.code = code;
    this.detail = detail;
  }
}

/** The message of anything thrown, including the plain strings the opa-wasm SDK throws; never throws. */
export { thrownMessage } from "../thrown.ts";
