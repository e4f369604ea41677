// Real decision services for the HTTP tests: `startServer` on 127.0.0.1 port 0 over the spec's
// example policy set (compiled for real, once), with the embedded store in a fresh temporary
// data directory (or a PostgreSQL URL), and a tiny `fetch` client with deadlines.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createToken, type Scope } from "../../server/auth.ts";
import { type RunningServer, type ServerOptions, startServer } from "../../server/index.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";

export { SPEC_POLICY_DIR };

/** A running test server and what it needs to be called. */
export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  /** The admin token (every scope). */
  readonly admin: string;
  /** Lines the server reported as errors. */
  readonly errors: string[];
  call(method: string, path: string, body?: unknown, options?: CallOptions): Promise<Answer>;
  /** A new token with these scopes. */
  token(name: string, scopes: readonly Scope[], rate?: number): string;
  close(): Promise<void>;
}

export interface CallOptions {
  /** The bearer token; default the admin's; null: none. */
  readonly token?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  /** A raw body (sent as is). */
  readonly raw?: string;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: any;
}

/** Sends one request with a 20 s deadline. */
export async function call(url: string, method: string, path: string, body: unknown, token: string | null, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (token !== null) headers["authorization"] = `Bearer ${token}`;
  let payload: string | undefined = options.raw;
  if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  const res = await fetch(url + path, { method, headers, ...(payload === undefined ? {} : { body: payload }), signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Starts a service over the spec policy set; `store` a PostgreSQL URL, else embedded in a temporary directory. */
export async function startTestServer(options: Partial<ServerOptions> & { dataDir?: string } = {}): Promise<TestServer> {
  const { engine } = await compiledEngine(SPEC_POLICY_DIR);
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "kairos-serve-"));
  const errors: string[] = [];
  const server = await startServer({
    artifact: engine,
    dataDir,
    port: 0,
    accessLog: false,
    errorLog: (line) => errors.push(line),
    ...options,
  });
  const tokensFile = server.tokensFile;
  let admin = server.adminToken;
  if (admin === undefined)
    admin = createToken(tokensFile, `admin-${Math.random().toString(36).slice(2)}`, [
      "decide",
      "consent:write",
      "consent:read",
      "audit:read",
      "review",
      "metrics",
      "admin",
    ]);
  const adminToken = admin;
  return {
    server,
    url: server.url,
    dataDir,
    admin: adminToken,
    errors,
    call: (method, path, body, o = {}) => call(server.url, method, path, body, o.token === undefined ? adminToken : o.token, o),
    token: (name, scopes, rate) => createToken(tokensFile, name, scopes, rate),
    async close() {
      await server.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The spec set's customer context, as the conformance corpus's defaults give it. */
export const CUSTOMER = {
  customer: {
    customer_id: "c-1",
    email: "ana@example.com",
    timezone: "Europe/Berlin",
    tenure_months: 24,
    segment: "retail",
    recent_interactions: [],
  },
  policy: { status: "active", renewal_date: "2026-08-28", premium: 1200.5 },
  onboarding: { completed_steps: 5, total_steps: 5, last_progress_at: "2026-05-01T00:00:00Z" },
  claim: { filed_at: "2026-05-27T10:00:00Z", status: "filed", diagnosis: "sprained ankle" },
} as const;

/** A daily event for `subject` at `now` (a day-90 renewal reminder acts when consent is granted). */
export function daily(subject: string, id: string, now?: string): Record<string, unknown> {
  return { event: { type: "daily", id }, subject, region: "eu", ...(now ? { now } : {}), context: CUSTOMER };
}

/** The renewal-marketing consent the day-90 reminder needs. */
export const RENEWAL_CONSENT = { purpose: "renewal_marketing", channel: "email", status: "granted", at: "2026-01-01T00:00:00Z" } as const;
