// Saturation and slow dependencies: past the in-flight limit the service answers 503
// `overloaded` with Retry-After at once instead of queueing; a context provider that does not
// answer in time makes the decision `error` (fail closed, no action) — logged, and answered.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./helpers.ts";

let provider: Server;
let providerUrl = "";
let release: () => void = () => {};
const gate = new Promise<void>((r) => {
  release = r;
});
let slow: TestServer;
let hung: TestServer;

beforeAll(async () => {
  // A system of record that answers only when the test lets it (or never, for /hang).
  provider = createServer((req, res) => {
    if (req.url?.startsWith("/hang")) return; // never answers
    void gate.then(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ customer: { timezone: "Europe/Berlin", tenure_months: 24, segment: "retail", recent_interactions: [] } }));
    });
  });
  await new Promise<void>((r) => provider.listen(0, "127.0.0.1", r));
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  slow = await startTestServer({
    maxInFlight: 3,
    httpProvider: { url: `${providerUrl}/ctx/{subject}?fields={fields}`, timeoutMs: 30_000, retries: 0 },
    engine: {},
  });
  hung = await startTestServer({ httpProvider: { url: `${providerUrl}/hang/{subject}?fields={fields}`, timeoutMs: 200, retries: 1, backoffMs: 10 } });
});
afterAll(async () => {
  release();
  await Promise.all([slow?.close(), hung?.close()]);
  provider?.close();
});

const ticket = (subject: string, id: string) => ({ event: { type: "ticket.resolved", id, payload: { ticket_id: id, csat: 1 } }, subject, region: "eu" });

test("past the in-flight limit requests get 503 `overloaded` with Retry-After, and the held ones finish", async () => {
  const held = [1, 2, 3].map((i) => slow.call("POST", "/v1/decisions", ticket(`o-${i}`, "T-1")));
  // The three held requests occupy the limit once the provider has been asked for all of them.
  const deadline = Date.now() + 20_000;
  let over = await slow.call("POST", "/v1/decisions", ticket("o-4", "T-1"));
  while (over.status !== 503 && Date.now() < deadline) over = await slow.call("POST", "/v1/decisions", ticket(`o-${Date.now()}`, "T-1"));
  expect(over.status).toBe(503);
  expect(over.json.error.code).toBe("overloaded");
  expect(over.headers.get("retry-after")).toBe("1");
  release();
  const done = await Promise.all(held);
  expect(done.map((d) => d.status)).toEqual([200, 200, 200]);
  expect(done.map((d) => d.json.outcome)).toEqual(["pending_review", "pending_review", "pending_review"]);
});

test("a provider that does not answer in time makes an `error` decision with no action, and it is logged", async () => {
  const a = await hung.call("POST", "/v1/decisions", ticket("p-1", "T-1"));
  expect(a.status).toBe(200);
  expect(a.json.outcome).toBe("error");
  expect(a.json.action).toBeUndefined();
  expect(a.json.error.message).toContain("no answer within 200 ms");
  const stored = await hung.server.store.getDecision(a.json.decision_id);
  expect(stored?.decision.outcome).toBe("error");
  expect(await hung.server.store.reviews("pending")).toEqual([]);
});

test("a decision request with inline context is refused when the server has a provider", async () => {
  const a = await hung.call("POST", "/v1/decisions", { ...ticket("p-2", "T-1"), context: { customer: { segment: "retail" } } });
  expect(a.status).toBe(400);
  expect(a.json.error.code).toBe("context_not_allowed");
});
