// An `error` decision does not close its event (docs/service.md#flow): a system of record that
// fails once makes the event `error` (no action, logged); the same event sent again — what an
// at-least-once consumer does — is decided again and answered, the error staying in the log as
// superseded; after that the event is closed and a third send is a replay.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { verifyStoreLog, type SqlStore } from "../../server/store/index.ts";
import { startTestServer, type TestServer } from "./helpers.ts";

let provider: Server;
let failures = 1;
let t: TestServer;

beforeAll(async () => {
  provider = createServer((_req, res) => {
    if (failures > 0) {
      failures--;
      res.writeHead(503, { "content-type": "application/json" });
      res.end('{"error":"down for maintenance"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ customer: { timezone: "Europe/Berlin", tenure_months: 24, segment: "retail", recent_interactions: [] } }));
  });
  await new Promise<void>((r) => provider.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  t = await startTestServer({ httpProvider: { url: `${url}/ctx/{subject}?fields={fields}`, timeoutMs: 5_000, retries: 0 } });
});
afterAll(async () => {
  await t?.close();
  provider?.close();
});

const ticket = { event: { type: "ticket.resolved", id: "T-9", payload: { ticket_id: "T-9", csat: 1 } }, subject: "r-1", region: "eu" };

test("the same event after an `error` is decided again; once answered, it is a replay", async () => {
  const first = await t.call("POST", "/v1/decisions", ticket);
  expect(first.status).toBe(200);
  expect(first.json.outcome).toBe("error");
  expect(first.json.error.code).toBe("provider_failed");

  const second = await t.call("POST", "/v1/decisions", ticket);
  expect(second.status).toBe(200);
  expect(second.headers.get("kairos-idempotent-replay")).toBeNull();
  expect(second.json.outcome).not.toBe("error");

  const third = await t.call("POST", "/v1/decisions", ticket);
  expect(third.headers.get("kairos-idempotent-replay")).toBe("true");
  expect(third.json).toEqual(second.json);

  // Both decisions are in the log and can be read back; the chain verifies.
  expect((await t.call("GET", `/v1/decisions/${first.json.decision_id}`)).status).toBe(200);
  const verified = await verifyStoreLog(t.server.store as SqlStore);
  expect(verified.ok).toBe(true);
  expect((await t.server.store.heads())[0]!.seq).toBe(2);
});
