// The demo's HTTP client of the decision service (docs/service.md): what a preference centre, an
// event consumer and a scheduler would call — consents and objections, decisions, reviews, outcomes,
// and (in `--clock request` mode) running the wake-ups due up to a simulated time. Every call
// has a deadline; an answer that is not 2xx becomes a ServiceError carrying the service's
// JSON error code, so the demo can count refused decisions by what refused them.
import type { Decision } from "../../runtime/decision.ts";

/** A call the service answered with an error status, or could not be made. */
export class ServiceError extends Error {
  /** HTTP status, or 0 when there was no answer (network error, deadline). */
  readonly status: number;
  /** The service's error code (`store_unavailable`, `contention`, …), or `unreachable`. */
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ServiceError";
    this.status = status;
    this.code = code;
  }
}

export interface ClientOptions {
  /** Base URL, like http://127.0.0.1:8080 */
  readonly url: string;
  readonly token: string;
  /** Per-call deadline (default 30 s). */
  readonly timeoutMs?: number;
}

/** A request as the service takes it: no consents, objections or history (the store has them). */
export interface ServiceRequest {
  readonly event: { readonly type: string; readonly id: string; readonly at?: string; readonly timer?: string; readonly payload?: Record<string, unknown> };
  readonly subject: string;
  readonly now: string;
  readonly region: string;
}

/** What `POST /v1/admin/wakeups/run` did: decided, found already decided, failed (retried later). */
export interface WakeupRun {
  readonly ran: number;
  readonly duplicates: number;
  readonly failed: number;
}

/** A pending review as `GET /v1/reviews` lists it (the fields the demo shows). */
export interface ReviewItem {
  readonly decision_id: string;
  readonly journey: string;
  readonly action?: { readonly name?: string; readonly channel?: string };
  readonly state?: string;
}

export class ServiceClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(o: ClientOptions) {
    this.base = o.url.replace(/\/$/, "");
    this.headers = { authorization: `Bearer ${o.token}`, "content-type": "application/json" };
    this.timeoutMs = o.timeoutMs ?? 30_000;
  }

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: this.headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const why = e instanceof Error && e.name === "TimeoutError" ? `no answer within ${this.timeoutMs / 1000} s` : e instanceof Error ? e.message : String(e);
      throw new ServiceError(0, "unreachable", `${method} ${path}: ${why}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof err?.code === "string" ? err.code : `http_${res.status}`;
      const message = typeof err?.message === "string" ? err.message : text.slice(0, 200);
      throw new ServiceError(res.status, code, `${method} ${path}: ${res.status} ${code}: ${message}`);
    }
    return json as T;
  }

  /** `POST /v1/decisions`. */
  decide(request: ServiceRequest): Promise<Decision> {
    return this.call("POST", "/v1/decisions", request);
  }

  /** `POST /v1/subjects/{subject}/consents` (append-only: a withdrawal is a new record). */
  addConsents(subject: string, records: readonly object[]): Promise<unknown> {
    return this.call("POST", `/v1/subjects/${encodeURIComponent(subject)}/consents`, { records });
  }

  /** `POST /v1/subjects/{subject}/objections`. */
  addObjections(subject: string, records: readonly object[]): Promise<unknown> {
    return this.call("POST", `/v1/subjects/${encodeURIComponent(subject)}/objections`, { records });
  }

  /** `POST /v1/admin/wakeups/run` — runs the wake-ups due up to `until`, in due order, at their due times. */
  async runWakeups(until: string): Promise<WakeupRun> {
    const r = await this.call<Partial<WakeupRun> | undefined>("POST", "/v1/admin/wakeups/run", { until });
    const n = (k: keyof WakeupRun) => (typeof r?.[k] === "number" ? r[k] : undefined);
    const ran = n("ran");
    if (ran === undefined) throw new ServiceError(200, "unexpected_answer", `POST /v1/admin/wakeups/run answered ${JSON.stringify(r).slice(0, 200)}`);
    return { ran, duplicates: n("duplicates") ?? 0, failed: n("failed") ?? 0 };
  }

  /** `POST /v1/outcomes` — business outcomes (at most 1,000 a call); the same id again is a duplicate, not counted twice. */
  async addOutcomes(outcomes: readonly object[]): Promise<{ readonly added: number; readonly duplicates: number }> {
    const r = await this.call<{ added?: unknown; duplicates?: unknown } | undefined>("POST", "/v1/outcomes", { outcomes });
    if (typeof r?.added !== "number") throw new ServiceError(200, "unexpected_answer", `POST /v1/outcomes answered ${JSON.stringify(r).slice(0, 200)}`);
    return { added: r.added, duplicates: typeof r.duplicates === "number" ? r.duplicates : 0 };
  }

  /** `GET /v1/reviews?state=pending`. */
  async pendingReviews(): Promise<readonly ReviewItem[]> {
    const r = await this.call<{ reviews?: ReviewItem[] } | ReviewItem[]>("GET", "/v1/reviews?state=pending");
    return Array.isArray(r) ? r : (r.reviews ?? []);
  }
}
