// The one error shape of the decision service's HTTP API (docs/service.md#errors):
// `{"error":{"code","message","hint"?,"problems"?}}` with the right status. Route handlers and
// the service throw HttpError; app.ts's error handler turns it (and Fastify's own errors) into
// that body. Messages say what is wrong, where, and how to fix it; never a stack trace.

/** One thing wrong with a request body, a path parameter or a query: where (a JSON path) and what. */
export interface Problem {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly hint?: string;
    readonly problems?: readonly Problem[];
  };
}

/** An error with an HTTP status and a stable code; thrown by handlers, the service and the auth hook. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  readonly problems: readonly Problem[] | undefined;
  /** Extra response headers (`Retry-After`, `Allow`, `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { hint?: string; problems?: readonly Problem[]; headers?: Readonly<Record<string, string>>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.hint = options.hint;
    this.problems = options.problems;
    this.headers = options.headers ?? {};
  }

  /** The response body. */
  body(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.hint === undefined ? {} : { hint: this.hint }),
        ...(this.problems === undefined ? {} : { problems: this.problems }),
      },
    };
  }
}

/** 503 `store_unavailable`: the store did not answer; nothing was written, try again. */
export function storeUnavailable(detail: string, cause?: unknown): HttpError {
  return new HttpError(503, "store_unavailable", `the store did not answer: ${detail}; nothing was written`, {
    hint: "retry after the delay in `Retry-After`; if it persists, check the store (`GET /readyz`)",
    headers: { "retry-after": "1" },
    cause,
  });
}

/** The JSON Schema of the error body, for the OpenAPI document. */
export const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "stable machine-readable code, e.g. `invalid_request`" },
        message: { type: "string" },
        hint: { type: "string", description: "how to fix it" },
        problems: {
          type: "array",
          items: {
            type: "object",
            required: ["path", "message"],
            properties: { path: { type: "string" }, message: { type: "string" }, hint: { type: "string" } },
          },
        },
      },
    },
  },
} as const;
