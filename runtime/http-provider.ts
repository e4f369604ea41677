// A context provider over HTTP (issue 12): asks a system of record for exactly the minimal
// bundle with one GET per decision — a URL template filled with the subject and the requested
// fields — under a per-attempt timeout combined with the engine's deadline, retrying only what
// may succeed on a second try (network errors, timeouts, 5xx, 429; never another 4xx). The
// answer must be JSON `{entity: {field: value}}`; anything else is an error that names the URL
// and what was wrong, so the engine fails closed with a message an operator can act on.
// Browser-safe: the host's global `fetch`, no `node:` imports. Messages never contain the
// subject, the query string (where API keys hide) or the response body (personal data).
import type { ContextProvider, EntityRecords, FetchOptions } from "./context.ts";
import { isRecord } from "./own.ts";

/** The part of a Fetch API response the provider reads. */
export interface HttpResponseLike {
  readonly status: number;
  readonly statusText: string;
  text(): Promise<string>;
}

/** The part of the Fetch API the provider calls (the host's `fetch` by default). */
export type HttpFetch = (
  url: string,
  init: { readonly method: "GET"; readonly headers: Readonly<Record<string, string>>; readonly signal: AbortSignal },
) => Promise<HttpResponseLike>;

export interface HttpProviderOptions {
  /**
   * The URL to GET, with `{subject}` (required) and `{fields}` (the minimal bundle, sorted
   * `entity.field` paths joined by commas) replaced by their URI-encoded values, such as
   * `https://crm.internal/v1/subjects/{subject}/context?fields={fields}`.
   */
  readonly url: string;
  /** Sent with every request, such as `{ Authorization: "Bearer …" }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Milliseconds one attempt may take before it is abandoned (default 1,000). */
  readonly timeoutMs?: number;
  /** Attempts after the first one, on network errors, timeouts, 5xx and 429 only (default 2). */
  readonly retries?: number;
  /** The wait before the first retry in ms, doubled for each next one (default 50). */
  readonly backoffMs?: number;
  /** Largest response body accepted, in characters (default 4 MiB). */
  readonly maxBodyChars?: number;
  /** The `fetch` to call (default: the host's global `fetch`). */
  readonly fetch?: HttpFetch;
}

/** Why an HTTP provider gave up on a request (the engine then fails closed with this message). */
export class HttpProviderError extends Error {
  override readonly name = "HttpProviderError";
  /** The URL as it may be shown: the template's origin and path, `{subject}` unfilled, no query. */
  readonly url: string;
  /** The last HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** How many requests were sent. */
  readonly attempts: number;

  constructor(message: string, url: string, attempts: number, status?: number) {
    super(message);
    this.url = url;
    this.attempts = attempts;
    this.status = status;
  }
}

const DEFAULTS = { timeoutMs: 1000, retries: 2, backoffMs: 50, maxBodyChars: 4 * 1024 * 1024 };

/** The host's `AbortSignal.any` (browsers since 2024, Node ≥ 20), typed here: types/host.d.ts omits it. */
const anySignal = (AbortSignal as unknown as { any?: (signals: AbortSignal[]) => AbortSignal }).any;

/** A provider that GETs the minimal bundle from a system of record (docs/runtime.md#http-provider). */
export class HttpProvider implements ContextProvider {
  private readonly template: string;
  private readonly shown: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBodyChars: number;
  private readonly send: HttpFetch;

  /** Throws a RangeError on a template without `{subject}`, a URL that is not http(s), or bad numbers. */
  constructor(options: HttpProviderOptions) {
    const { url } = options;
    if (typeof url !== "string" || !url.includes("{subject}")) {
      throw new RangeError("the HTTP provider's URL template needs `{subject}`, such as `https://crm.internal/subjects/{subject}/context?fields={fields}`");
    }
    this.shown = shownUrl(url);
    this.template = url;
    this.headers = { accept: "application/json", ...(options.headers ?? {}) };
    this.timeoutMs = positive("timeoutMs", options.timeoutMs ?? DEFAULTS.timeoutMs);
    this.retries = count("retries", options.retries ?? DEFAULTS.retries);
    this.backoffMs = count("backoffMs", options.backoffMs ?? DEFAULTS.backoffMs);
    this.maxBodyChars = positive("maxBodyChars", options.maxBodyChars ?? DEFAULTS.maxBodyChars);
    const host = (globalThis as { fetch?: HttpFetch }).fetch;
    if (options.fetch) this.send = options.fetch;
    else if (typeof host === "function") this.send = (u, init) => host(u, init);
    else throw new RangeError("this host has no global `fetch`; pass `fetch` in the HTTP provider's options");
  }

  /** The URL as it appears in errors: the template's origin and path, `{subject}` unfilled, no query. */
  get url(): string {
    return this.shown;
  }

  /** GETs the bundle; throws an HttpProviderError naming the URL and what went wrong. */
  async fetch(subject: string, fields: readonly string[], options: FetchOptions = {}): Promise<EntityRecords> {
    const url = this.template.replaceAll("{subject}", encodeURIComponent(subject)).replaceAll("{fields}", fields.map(encodeURIComponent).join(","));
    const outer = options.signal;
    let last = "";
    let status: number | undefined;
    for (let attempt = 1; ; attempt++) {
      if (outer?.aborted) throw this.error(`GET ${this.shown} was abandoned: the engine stopped waiting${last ? ` (last: ${last})` : ""}`, attempt - 1, status);
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const signal = outer && anySignal ? anySignal([outer, timeout]) : timeout;
      let retry: boolean;
      try {
        const response = await this.send(url, { method: "GET", headers: this.headers, signal });
        status = response.status;
        if (response.status >= 200 && response.status < 300) return await this.body(response, attempt, signal);
        const why = `answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
        // Drain the body so the connection can be reused; its content is not shown.
        await response.text().catch(() => "");
        retry = response.status >= 500 || response.status === 429;
        if (!retry) throw this.error(`GET ${this.shown} ${why}; not retried, since a ${response.status} will not change on a second try`, attempt, status);
        last = why;
      } catch (e) {
        if (e instanceof HttpProviderError) throw e;
        if (outer?.aborted) throw this.error(`GET ${this.shown} was abandoned: the engine stopped waiting`, attempt, status);
        last = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : `network error: ${networkMessage(e)}`;
        status = undefined;
      }
      if (attempt > this.retries) {
        const tries = attempt === 1 ? "" : ` after ${attempt} attempts`;
        throw this.error(`GET ${this.shown} failed${tries}: ${last}`, attempt, status);
      }
      await sleep(this.backoffMs * 2 ** (attempt - 1));
    }
  }

  private async body(response: HttpResponseLike, attempt: number, signal: AbortSignal): Promise<EntityRecords> {
    let text: string;
    try {
      text = await response.text();
    } catch (e) {
      const why = signal.aborted ? `the body did not arrive within ${this.timeoutMs} ms` : `the body could not be read: ${networkMessage(e)}`;
      throw this.error(`GET ${this.shown} answered ${response.status} but ${why}`, attempt, response.status);
    }
    if (text.length > this.maxBodyChars) {
      throw this.error(
        `GET ${this.shown} answered with ${text.length} characters, more than the ${this.maxBodyChars} the provider accepts`,
        attempt,
        response.status,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the body, which may hold personal data: not shown.
      throw this.error(
        `GET ${this.shown} answered ${response.status} with a body that is not JSON; expected {"<entity>": {"<field>": value}}`,
        attempt,
        response.status,
      );
    }
    const problem = shapeProblem(value);
    if (problem)
      throw this.error(`GET ${this.shown} answered ${response.status} with ${problem}; expected {"<entity>": {"<field>": value}}`, attempt, response.status);
    return value as EntityRecords;
  }

  private error(message: string, attempts: number, status: number | undefined): HttpProviderError {
    return new HttpProviderError(message, this.shown, attempts, status);
  }
}

/** What is wrong with an answer that should be `{entity: {field: value}}`, or undefined. */
function shapeProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `${value === null ? "null" : Array.isArray(value) ? "a list" : `a ${typeof value}`} instead of an object of entities`;
  for (const [entity, record] of Object.entries(value)) {
    if (!isRecord(record)) {
      const name = entity.length > 40 ? `${entity.slice(0, 40)}…` : entity;
      return `entity ${JSON.stringify(name)} as ${record === null ? "null" : Array.isArray(record) ? "a list" : `a ${typeof record}`}, not an object of fields`;
    }
  }
  return undefined;
}

/** The template's origin and path: `{subject}` stays a placeholder, the query becomes `?…`. */
function shownUrl(template: string): string {
  // Split by hand: `URL` is not among the host APIs browser-safe code may assume (types/host.d.ts).
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(template);
  if (!m) throw new RangeError("the HTTP provider's URL template is not an absolute URL, such as `https://crm.internal/subjects/{subject}/context`");
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  if (scheme !== "http" && scheme !== "https") throw new RangeError(`the HTTP provider's URL must be http or https, not \`${scheme.slice(0, 20)}\``);
  if (authority.includes("@")) throw new RangeError("put credentials in the HTTP provider's `headers`, not in its URL");
  if (authority === "" || authority.includes("{"))
    throw new RangeError("the HTTP provider's URL template needs a host, and `{subject}` or `{fields}` may not be part of it");
  return `${scheme}://${authority.toLowerCase()}${m[3]!}${m[4] ? "?…" : ""}`;
}

function networkMessage(e: unknown): string {
  // fetch's TypeError says "fetch failed"; the reason (ECONNREFUSED, …) is its cause.
  const cause = isRecord(e) && e["cause"] instanceof Error ? e["cause"] : undefined;
  const message = e instanceof Error ? e.message : String(e);
  const code = cause && isRecord(cause) && typeof cause["code"] === "string" ? cause["code"] : undefined;
  return code ? `${message} (${code})` : cause ? `${message} (${cause.message})` : message;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function positive(name: string, v: number): number {
  if (!(typeof v === "number" && v > 0 && Number.isFinite(v)))
    throw new RangeError(`the HTTP provider's \`${name}\` must be a positive number, not ${String(v)}`);
  return v;
}

function count(name: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 0 && v <= 10_000)) throw new RangeError(`the HTTP provider's \`${name}\` must be a whole number ≥ 0, not ${String(v)}`);
  return v;
}
