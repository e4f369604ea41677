// The scoreboard in a real service (server/routes/dashboard.ts): decisions made through
// `POST /v1/decisions`, outcomes added to the store, one journey stopped by its stop-loss; then
// `GET /v1/value` answers the figures the arms give (recounted here from the holdout formula),
// `GET /dashboard` the page, both behind a read token (`metrics` or `audit:read`), and a bad
// `as_of` is a 400 that names it. On SQLite and on PGlite.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../../runtime/engine.ts";
import { money, pp, withInterval } from "../../server/value/format.ts";
import type { ValueReport } from "../../server/value/types.ts";
import { compiledEngine } from "../runtime/compiled.ts";
import { AS_OF, heldOutOfReferral, heldOutOfRenewal, NEW, RENEWING, fillValueStore, writeValuePolicies } from "../value/value-policies.ts";
import { startTestServer, type TestServer } from "./helpers.ts";

let dir: string;
let engine: Engine;
beforeAll(async () => {
  dir = writeValuePolicies();
  engine = (await compiledEngine(dir)).engine;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ["SQLite", "sqlite:"],
  ["PGlite", "pglite:"],
])("the scoreboard routes on %s", (_name, storeUrl) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ artifact: engine, clock: "request", store: storeUrl, stopLoss: { intervalMs: 0, controlsRefreshMs: 0 } });
    await fillValueStore(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  test("GET /v1/value answers each journey's arms, uplift, cost and stop-loss state as the holdout formula assigned them", async () => {
    const r = await t.call("GET", `/v1/value?as_of=${AS_OF}`, undefined, { token: t.token("ops-json", ["metrics"]) });
    expect(r.status, r.text).toBe(200);
    const report = r.json as ValueReport;
    expect(report).toMatchObject({ asOf: "2026-06-15T00:00:00.000Z", artifact: engine.hash, currency: "EUR" });
    const renewal = report.journeys.find((j) => j.journey === "renewal_nudge")!;
    const held = RENEWING.filter(heldOutOfRenewal);
    const treated = RENEWING.filter((s) => !heldOutOfRenewal(s));
    const treatedRenewed = RENEWING.filter((s, i) => !heldOutOfRenewal(s) && i % 2 === 0).length;
    const heldRenewed = RENEWING.filter((s, i) => heldOutOfRenewal(s) && i % 3 === 0).length;
    expect(held.length).toBeGreaterThan(0);
    expect(renewal.subjects).toEqual({ treated: treated.length, holdout: held.length, global_control: 0 });
    expect(renewal.volume).toMatchObject({ acted: treated.length, held_out: held.length });
    expect(renewal.treated).toMatchObject({ subjects: treated.length, converted: treatedRenewed });
    expect(renewal.control).toMatchObject({ subjects: held.length, converted: heldRenewed });
    expect(renewal.upliftAbs!.estimate).toBeCloseTo(treatedRenewed / treated.length - heldRenewed / held.length, 12);
    expect(renewal.cost).toBeCloseTo(treated.length * 0.25, 10);
    expect(renewal.goal).toMatchObject({ type: "renewal", within: "30d" });
    const referral = report.journeys.find((j) => j.journey === "referral_invite")!;
    expect(referral.stopLoss).toMatchObject({ state: "stopped", stopped: { by: "stop-loss" } });
    expect(referral.cost).toBeCloseTo(NEW.filter((s) => !heldOutOfReferral(s)).length * 0.01, 10);
    expect(report.outcomes).toMatchObject({ renewal: treatedRenewed + heldRenewed });
    expect(report.signals!.throughput).toBeGreaterThan(0);
    expect(report.signals!.latencyMs.p50).toBeGreaterThan(0);
  });

  test("GET /dashboard is the page, to a read token, and says the same", async () => {
    const r = await t.call("GET", `/dashboard?as_of=${AS_OF}`, undefined, { token: t.token("ops-page", ["audit:read"]) });
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(r.text).toContain("<title>Kairos dashboard: proof of value</title>");
    expect(r.text).toContain("Service health");
    expect(r.text).toMatch(/<section class="journey tone-bad" data-journey="referral_invite">/);
    // Code may wrap after `_` (a `<wbr>`), never inside a word.
    expect(r.text.replaceAll("<wbr>", "")).toContain("kairos journey resume referral_invite");
    expect(r.text).toContain('data-journey="renewal_nudge"');
    // The page's figures are the JSON's, as the scoreboard writes them.
    const json = (await t.call("GET", `/v1/value?as_of=${AS_OF}`)).json as ValueReport;
    const renewal = json.journeys.find((j) => j.journey === "renewal_nudge")!;
    expect(renewal.upliftAbs?.low).not.toBeNull();
    expect(r.text).toContain(`<td>${withInterval(renewal.upliftAbs, pp)}</td>`);
    expect(r.text).toContain(`<td>${money(renewal.cost, "EUR")}</td>`);
    expect(r.text).not.toMatch(/<script/i);
    expect(r.text).not.toContain('http-equiv="refresh"');
    const wall = await t.call("GET", `/dashboard?as_of=${AS_OF}&refresh=60`);
    expect(wall.text).toContain('<meta http-equiv="refresh" content="60">');
    for (const bad of ["5", "3601", "1m"]) expect((await t.call("GET", `/dashboard?refresh=${bad}`)).status, bad).toBe(400);
  });

  test("refuses callers without a read scope, and a bad `as_of`, with the usual errors", async () => {
    expect((await t.call("GET", "/dashboard", undefined, { token: null })).status).toBe(401);
    const forbidden = await t.call("GET", "/v1/value", undefined, { token: t.token("events", ["decide"]) });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe("forbidden");
    const bad = await t.call("GET", "/v1/value?as_of=2026-06-15");
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: "invalid_request", problems: [{ path: "(query) as_of" }] });
    expect(bad.json.error.hint).toContain("2026-07-01T00:00:00Z");
    const unknown = await t.call("GET", "/dashboard?asof=2026-06-15T00:00:00Z");
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.problems[0].path).toBe("(query) asof");
  });
});

test("the OpenAPI document lists both routes with their scopes", async () => {
  const t = await startTestServer({ artifact: engine });
  try {
    const doc = (await t.call("GET", "/openapi.json")).json;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/dashboard", "/v1/value"]));
    expect(JSON.stringify(doc.paths["/dashboard"].get)).toContain("text/html");
  } finally {
    await t.close();
  }
});
