// The HTTP context provider against a real node:http server on 127.0.0.1 (port 0) and the
// host's real `fetch`: what it asks for, how it fails closed through the engine (a slow system
// of record is `provider_timeout`), what it retries (network errors, timeouts, 5xx, 429) and
// what it does not (other 4xx), and the errors for answers that are not the expected JSON.
// No assertion is about time: slow servers hold their answer until the test releases them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { HttpProvider, HttpProviderError } from "../../runtime/http-provider.ts";
import { engine, fullContext, journey, request } from "./fixtures.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

interface TestServer {
  readonly base: string;
  readonly hits: IncomingMessage[];
  /** Resolves when a request's connection closes before it was answered (the client gave up). */
  readonly abandoned: Promise<void>;
}

const servers: Server[] = [];
const held: ServerResponse[] = [];

afterEach(async () => {
  for (const res of held.splice(0)) res.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function serve(handler: Handler): Promise<TestServer> {
  const hits: IncomingMessage[] = [];
  let onAbandon: () => void = () => {};
  const abandoned = new Promise<void>((resolve) => (onAbandon = resolve));
  const server = createServer((req, res) => {
    hits.push(req);
    res.on("close", () => {
      if (!res.writableEnded) onAbandon();
    });
    handler(req, res, hits.length);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, abandoned };
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};
/** Never answers (until the test ends): a system of record that hangs. */
const hang = (res: ServerResponse): void => void held.push(res);

const CONTEXT = fullContext();
const statusJourney = journey({ id: "j", fields: ["customer.segment", "policy.status"] });
/** The request without inline context: the engine must get it from the provider. */
const bare = (): Record<string, unknown> => {
  const { context: _c, ...rest } = request({ subject: "c 1/ä" });
  return rest;
};

describe("asking for the minimal bundle", () => {
  test("GETs the template with the subject and the fields URI-encoded, sends the headers, and the engine decides on the answer", async () => {
    const s = await serve((_req, res) => json(res, 200, { customer: CONTEXT["customer"], policy: CONTEXT["policy"] }));
    const provider = new HttpProvider({
      url: `${s.base}/subjects/{subject}/context?fields={fields}`,
      headers: { Authorization: "Bearer t0k3n" },
    });
    const d = await engine([statusJourney]).decide(bare(), { provider });
    expect(d).toMatchObject({ outcome: "acted", fields: ["customer.segment", "policy.status"] });
    expect(s.hits).toHaveLength(1);
    expect(s.hits[0]!.method).toBe("GET");
    expect(s.hits[0]!.url).toBe("/subjects/c%201%2F%C3%A4/context?fields=customer.segment,policy.status");
    expect(s.hits[0]!.headers["authorization"]).toBe("Bearer t0k3n");
    expect(s.hits[0]!.headers["accept"]).toBe("application/json");
  });

  test("a slow system of record makes the decision `provider_timeout`, and the request is abandoned", async () => {
    const s = await serve((_req, res) => hang(res));
    const provider = new HttpProvider({ url: `${s.base}/c/{subject}`, timeoutMs: 60_000, retries: 0 });
    const d = await engine([statusJourney]).decide(bare(), { provider, deadlines: { provider: 50 } });
    expect(d.outcome).toBe("error");
    expect(d.error?.code).toBe("provider_timeout");
    expect(d.action).toBeUndefined();
    // The engine's signal reached fetch: the server sees the client hang up (else this test times out).
    await s.abandoned;
  }, 10_000);
});

describe("retries", () => {
  test("a 500 is retried and the second answer is used", async () => {
    const s = await serve((_req, res, hit) => (hit === 1 ? json(res, 500, { error: "down" }) : json(res, 200, CONTEXT)));
    const provider = new HttpProvider({ url: `${s.base}/c/{subject}`, backoffMs: 1 });
    const d = await engine([statusJourney]).decide(bare(), { provider });
    expect(d.outcome).toBe("acted");
    expect(s.hits).toHaveLength(2);
  });

  test("a 429 is retried", async () => {
    const s = await serve((_req, res, hit) => (hit === 1 ? json(res, 429, {}) : json(res, 200, CONTEXT)));
    const answer = await new HttpProvider({ url: `${s.base}/c/{subject}`, backoffMs: 1 }).fetch("s", ["customer.segment"]);
    expect(answer["customer"]).toMatchObject({ segment: "retail" });
    expect(s.hits).toHaveLength(2);
  });

  test("an attempt that times out is retried", async () => {
    const s = await serve((_req, res, hit) => (hit === 1 ? hang(res) : json(res, 200, CONTEXT)));
    const answer = await new HttpProvider({ url: `${s.base}/c/{subject}`, timeoutMs: 100, backoffMs: 1 }).fetch("s", ["policy.status"]);
    expect(answer["policy"]).toMatchObject({ status: "active" });
    expect(s.hits).toHaveLength(2);
  });

  test("gives up after `retries` more attempts, saying how many and what the last one got", async () => {
    const s = await serve((_req, res) => json(res, 503, {}));
    const error = await new HttpProvider({ url: `${s.base}/c/{subject}`, retries: 2, backoffMs: 1 }).fetch("s", ["policy.status"]).catch((e) => e);
    expect(error).toBeInstanceOf(HttpProviderError);
    expect(error.message).toBe(`GET ${s.base}/c/{subject} failed after 3 attempts: answered 503 Service Unavailable`);
    expect(error).toMatchObject({ attempts: 3, status: 503 });
    expect(s.hits).toHaveLength(3);
  });

  test("a 404 is not retried, and the engine fails closed with the provider's message", async () => {
    const s = await serve((_req, res) => json(res, 404, { error: "no such subject" }));
    const provider = new HttpProvider({ url: `${s.base}/c/{subject}`, backoffMs: 1 });
    const d = await engine([statusJourney]).decide(bare(), { provider });
    expect(d.outcome).toBe("error");
    expect(d.error?.code).toBe("provider_failed");
    expect(d.error?.message).toContain(`GET ${s.base}/c/{subject} answered 404 Not Found; not retried`);
    expect(s.hits).toHaveLength(1);
  });

  test("a server that is not there is a network error, retried, then named", async () => {
    const s = await serve(() => {});
    const url = `${s.base}/c/{subject}`;
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const error = await new HttpProvider({ url, retries: 1, backoffMs: 1 }).fetch("s", ["policy.status"]).catch((e) => e);
    expect(error).toBeInstanceOf(HttpProviderError);
    expect(error.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/c\/\{subject\} failed after 2 attempts: network error: fetch failed \(ECONNREFUSED\)$/);
  });
});

describe("answers that are not `{entity: {field: value}}`", () => {
  test("a body that is not JSON is an error that does not quote the body", async () => {
    const s = await serve((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>ana@example.com</html>"));
    const error = await new HttpProvider({ url: `${s.base}/c/{subject}` }).fetch("s", ["customer.email"]).catch((e) => e);
    expect(error.message).toBe(`GET ${s.base}/c/{subject} answered 200 with a body that is not JSON; expected {"<entity>": {"<field>": value}}`);
    expect(s.hits).toHaveLength(1);
  });

  test.each([
    [[1, 2], "a list instead of an object of entities"],
    [null, "null instead of an object of entities"],
    [{ customer: 5 }, 'entity "customer" as a number, not an object of fields'],
    [{ customer: [{ segment: "retail" }] }, 'entity "customer" as a list, not an object of fields'],
  ])("answering %j is an error saying what is wrong", async (body, what) => {
    const s = await serve((_req, res) => json(res, 200, body));
    const error = await new HttpProvider({ url: `${s.base}/c/{subject}` }).fetch("s", ["customer.segment"]).catch((e) => e);
    expect(error.message).toBe(`GET ${s.base}/c/{subject} answered 200 with ${what}; expected {"<entity>": {"<field>": value}}`);
  });

  test("errors name the URL without the subject or the query string", async () => {
    const s = await serve((_req, res) => json(res, 401, {}));
    const provider = new HttpProvider({ url: `${s.base}/c/{subject}/ctx?fields={fields}&api_key=SECRET` });
    const error = await provider.fetch("cust-42", ["customer.segment"]).catch((e) => e);
    expect(error.message).toBe(`GET ${s.base}/c/{subject}/ctx?… answered 401 Unauthorized; not retried, since a 401 will not change on a second try`);
    expect(s.hits[0]!.url).toBe("/c/cust-42/ctx?fields=customer.segment&api_key=SECRET");
  });
});

describe("configuration", () => {
  test.each([
    [{ url: "https://crm.example/context" }, "needs `{subject}`"],
    [{ url: "crm.example/{subject}" }, "not an absolute URL"],
    [{ url: "ftp://crm.example/{subject}" }, "must be http or https, not `ftp`"],
    [{ url: "https://user:pw@crm.example/{subject}" }, "put credentials in the HTTP provider's `headers`"],
    [{ url: "https://crm.example/{subject}", retries: -1 }, "`retries` must be a whole number"],
    [{ url: "https://crm.example/{subject}", timeoutMs: 0 }, "`timeoutMs` must be a positive number"],
  ])("refuses %j", (options, message) => {
    expect(() => new HttpProvider(options)).toThrow(message);
  });
});
