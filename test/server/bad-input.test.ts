// Bad input to the decision service: every mistake gets the JSON error shape with a code, the
// right status and no stack trace, and nothing is written (the log's length does not move).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { daily, startTestServer, type TestServer } from "./helpers.ts";

let t: TestServer; // system clock
let r: TestServer; // request clock
let logBefore = 0;

async function logLength(s: TestServer): Promise<number> {
  return (await s.server.store.heads()).reduce((n, h) => n + h.seq, 0);
}

beforeAll(async () => {
  [t, r] = await Promise.all([startTestServer({ bodyLimit: 64 * 1024 }), startTestServer({ clock: "request" })]);
  logBefore = await logLength(t);
});
afterAll(async () => {
  await Promise.all([t?.close(), r?.close()]);
});

function expectError(a: { status: number; json: any; text: string }, status: number, code: string): void {
  expect(a.status, a.text).toBe(status);
  expect(a.json?.error?.code, a.text).toBe(code);
  expect(typeof a.json.error.message).toBe("string");
  expect(a.text).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
}

describe("the decision body", () => {
  test("malformed JSON names the line and column", async () => {
    const a = await t.call("POST", "/v1/decisions", undefined, { raw: '{"event": {"type": "daily",\n "id": }' });
    expectError(a, 400, "malformed_json");
    expect(a.json.error.message).toContain("line 2");
  });

  test("an empty JSON body is an error of its own", async () => {
    expectError(await t.call("POST", "/v1/decisions", undefined, { raw: "", headers: { "content-type": "application/json" } }), 400, "empty_body");
  });

  test("a body that is not JSON is 415", async () => {
    const a = await t.call("POST", "/v1/decisions", undefined, { raw: "event=daily", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expectError(a, 415, "unsupported_media_type");
    expectError(await t.call("POST", "/v1/decisions", undefined, { raw: "x", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
  });

  test("wrong types and unknown keys are listed with their paths", async () => {
    const a = await t.call("POST", "/v1/decisions", { event: { type: "daily", id: 7 }, subject: ["x"], region: "eu", colour: "red" });
    expectError(a, 400, "invalid_request");
    const paths = a.json.error.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(["colour", "event.id", "subject"]);
  });

  test("a JSON value that is not an object is refused", async () => {
    expectError(await t.call("POST", "/v1/decisions", [1, 2]), 400, "invalid_request");
    expectError(await t.call("POST", "/v1/decisions", "daily"), 400, "invalid_request");
  });

  test("consents, objections or history in a decision are refused with a pointer to the store's routes", async () => {
    const a = await t.call("POST", "/v1/decisions", { ...daily("s-1", "e-1"), consents: [], history: [] });
    expectError(a, 400, "state_in_request");
    expect(a.json.error.problems.map((p: { path: string }) => p.path)).toEqual(["consents", "history"]);
    expect(a.json.error.hint).toContain("POST /v1/subjects/s-1/consents");
  });

  test("`now` is the server's unless it runs on request time", async () => {
    const a = await t.call("POST", "/v1/decisions", daily("s-1", "e-1", "2026-05-30T12:00:00Z"));
    expectError(a, 400, "client_clock_not_allowed");
    expect(a.json.error.hint).toContain("--clock request");
    const b = await r.call("POST", "/v1/decisions", daily("s-1", "e-1"));
    expectError(b, 400, "invalid_request");
    expect(b.json.error.problems[0].path).toBe("now");
  });

  test("an event type the catalog does not declare is refused with a suggestion", async () => {
    const a = await t.call("POST", "/v1/decisions", { event: { type: "dayly", id: "e" }, subject: "s-1", region: "eu" });
    expectError(a, 400, "invalid_request");
    expect(a.json.error.problems[0]).toMatchObject({ path: "event.type", hint: "did you mean `daily`?" });
  });

  test("a body over the limit is 413", async () => {
    const big = { ...daily("s-1", "e-big"), context: { customer: { note: "x".repeat(100 * 1024) } } };
    const a = await t.call("POST", "/v1/decisions", big);
    expectError(a, 413, "body_too_large");
    expect(a.json.error.message).toContain("65,536 bytes");
  });
});

describe("routes and records", () => {
  test("an unknown route is 404 and lists the routes", async () => {
    const a = await t.call("GET", "/v1/decision");
    expectError(a, 404, "route_not_found");
    expect(a.json.error.hint).toContain("POST /v1/decisions");
  });

  test("a known path with the wrong method is 405 with Allow", async () => {
    const a = await t.call("PUT", "/v1/decisions", {});
    expectError(a, 405, "method_not_allowed");
    expect(a.headers.get("allow")).toBe("POST");
  });

  test("more than 1,000 consent records in one write are refused", async () => {
    const records = Array.from({ length: 1001 }, () => ({ purpose: "renewal_marketing", status: "granted", at: "2026-01-01T00:00:00Z" }));
    const a = await r.call("POST", "/v1/subjects/s-1/consents", { records });
    expectError(a, 400, "invalid_request");
    expect(a.json.error.problems[0]).toMatchObject({ path: "records", message: "has more than 1000 items" });
    expect((await r.server.store.consents("s-1")).consents).toEqual([]);
  });

  test("a record about another subject is refused", async () => {
    const a = await t.call("POST", "/v1/subjects/s-1/consents", {
      records: [{ subject: "s-2", purpose: "renewal_marketing", status: "granted", at: "2026-01-01T00:00:00Z" }],
    });
    expectError(a, 400, "invalid_request");
    expect(a.json.error.problems[0].path).toBe("records[0].subject");
  });

  test("an unknown subject's consents are 404", async () => {
    expectError(await t.call("GET", "/v1/subjects/nobody/consents"), 404, "unknown_subject");
  });

  test("none of the above wrote anything", async () => {
    expect(await logLength(t)).toBe(logBefore);
    expect((await t.server.store.consents("s-1")).consents).toEqual([]);
  });
});
