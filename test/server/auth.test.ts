// Tokens and scopes: 401 without or with an unknown token, 403 naming the scope a route needs,
// 429 with Retry-After past a token's rate, tokens created while the server runs, the tokens
// file keeping only hashes, and `kairos token create` on the command line.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { daily, startTestServer, type TestServer } from "./helpers.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

describe("authentication", () => {
  test("a route without a token is 401 with how to get one", async () => {
    const a = await t.call("POST", "/v1/decisions", daily("s", "e"), { token: null });
    expect(a.status).toBe(401);
    expect(a.json.error).toMatchObject({ code: "unauthenticated", message: "this route needs a bearer token" });
    expect(a.json.error.hint).toContain("kairos token create");
    expect(a.headers.get("www-authenticate")).toContain("Bearer");
  });

  test("an unknown token and a malformed header are 401", async () => {
    expect((await t.call("GET", "/v1/reviews", undefined, { token: "kairos_nope" })).json.error.message).toBe("the bearer token is not known to this server");
    const digest = await t.call("GET", "/v1/reviews", undefined, { token: null, headers: { authorization: "Digest username=a" } });
    expect(digest.status).toBe(401);
    expect(digest.json.error.message).toContain("not `Bearer TOKEN`");
    // Basic carries the token as the password (a browser's login prompt); without one it is malformed.
    const noPassword = await t.call("GET", "/v1/reviews", undefined, { token: null, headers: { authorization: `Basic ${btoa("a:")}` } });
    expect(noPassword.json.error.message).toContain("not `Bearer TOKEN`");
    const basic = await t.call("GET", "/v1/reviews", undefined, { token: null, headers: { authorization: "Basic YTpi" } });
    expect(basic.status).toBe(401);
    expect(basic.json.error.message).toBe("the bearer token is not known to this server");
  });

  test("a browser's Basic login with the token as the password is the token", async () => {
    const reader = t.token("basic-reader", ["review"]);
    const ok = await t.call("GET", "/v1/reviews", undefined, { token: null, headers: { authorization: `Basic ${btoa(`anyone:${reader}`)}` } });
    expect(ok.status, ok.text).toBe(200);
    const none = await t.call("GET", "/dashboard", undefined, { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain('Basic realm="kairos"');
  });

  test("a token without the route's scope is 403 naming the scope", async () => {
    const reader = t.token("reader", ["consent:read"]);
    const a = await t.call("POST", "/v1/decisions", daily("s", "e"), { token: reader });
    expect(a.status).toBe(403);
    expect(a.json.error).toMatchObject({ code: "forbidden", message: "token `reader` lacks the scope this route needs: `decide`" });
    const m = await t.call("GET", "/metrics", undefined, { token: reader });
    expect(m.json.error.message).toContain("`metrics` or `audit:read`");
  });

  test("a token past its rate is 429 with Retry-After, and others are not affected", async () => {
    const slow = t.token("slow", ["review"], 1);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await t.call("GET", "/v1/reviews", undefined, { token: slow }));
    expect(answers.slice(0, 2).map((a) => a.status)).toEqual([200, 200]);
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.json.error.code).toBe("rate_limited");
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await t.call("GET", "/v1/reviews")).status).toBe(200);
  });

  test("health, readiness and the OpenAPI document need no token", async () => {
    for (const path of ["/healthz", "/readyz", "/openapi.json"]) expect((await t.call("GET", path, undefined, { token: null })).status).toBe(200);
  });

  test("the tokens file keeps hashes, never secrets", () => {
    const text = readFileSync(t.server.tokensFile, "utf8");
    expect(text).not.toContain(t.admin);
    expect(JSON.parse(text).tokens[0]).toMatchObject({ name: "admin", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});

describe("kairos token create", () => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-token-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("prints the secret once and stores its hash; the name must be new", async () => {
    const file = join(dir, "tokens.json");
    const r = await runCli(["token", "create", "--name", "crm", "--scopes", "consent:write,consent:read", "--tokens", file]);
    expect(r.code, r.err).toBe(0);
    const secret = r.out.trim();
    expect(secret).toMatch(/^kairos_/);
    const stored = JSON.parse(readFileSync(file, "utf8")).tokens;
    expect(stored).toMatchObject([{ name: "crm", scopes: ["consent:write", "consent:read"] }]);
    expect(readFileSync(file, "utf8")).not.toContain(secret);
    const again = await runCli(["token", "create", "--name", "crm", "--scopes", "decide", "--tokens", file]);
    expect(again.code).toBe(1);
    expect(again.err).toContain("already has a token named `crm`");
  });

  test("an unknown scope is a usage error with a suggestion", async () => {
    const r = await runCli(["token", "create", "--name", "x", "--scopes", "decid", "--tokens", join(dir, "t2.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown scope `decid` (did you mean `decide`?)");
  });
});
