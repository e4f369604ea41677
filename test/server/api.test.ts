// The decision service's API end to end on a real server (127.0.0.1, port 0) with the embedded
// store: deciding and committing, idempotency by event id, caps within one instance, consent
// records, reading decisions back and their rationale, reviews, metrics and the OpenAPI document.
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ROUTES } from "../../server/app.ts";
import { openapiPath } from "../../server/openapi.ts";
import { CUSTOMER, daily, RENEWAL_CONSENT, startTestServer, type TestServer } from "./helpers.ts";

const NOW = "2026-05-30T12:00:00Z";
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ clock: "request" });
});
afterAll(async () => {
  await t?.close();
});

async function consent(subject: string, records: unknown[] = [RENEWAL_CONSENT]): Promise<void> {
  const r = await t.call("POST", `/v1/subjects/${encodeURIComponent(subject)}/consents`, { records });
  expect(r.status, r.text).toBe(201);
}

async function logLength(): Promise<number> {
  return (await t.server.store.heads()).reduce((n, h) => n + h.seq, 0);
}

describe("POST /v1/decisions", () => {
  test("decides from the consents in the store and commits the decision before answering", async () => {
    await consent("s-acted");
    const before = await logLength();
    const r = await t.call("POST", "/v1/decisions", daily("s-acted", "e-1", NOW));
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ outcome: "acted", journey: "renewal_reminder_d90", basis: "consent", action: { channel: "email" } });
    expect(r.headers.get("kairos-idempotent-replay")).toBeNull();
    expect(await logLength()).toBe(before + 1);
    const stored = await t.call("GET", `/v1/decisions/${r.json.decision_id}`);
    expect(stored.status).toBe(200);
    expect(stored.json.decision).toEqual(r.json);
    expect(stored.json).toMatchObject({ subject: "s-acted", event: { id: "e-1" }, log: { seq: expect.any(Number) } });
    const state = await t.server.store.state("s-acted");
    expect(state.history.map((h) => [h.journey, h.channel, h.decision_id])).toEqual([["renewal_reminder_d90", "email", r.json.decision_id]]);
  });

  test("without consent records in the store the basis is legitimate interest", async () => {
    // c-1 is outside the holdout of the spec set (the corpus decides it too).
    const r = await t.call("POST", "/v1/decisions", daily("c-1", "e-1", NOW));
    expect(r.json).toMatchObject({ outcome: "acted", basis: "legitimate_interest" });
  });

  test("the same event again returns the first decision, marked as a replay, and writes nothing", async () => {
    await consent("s-replay");
    const first = await t.call("POST", "/v1/decisions", daily("s-replay", "e-1", NOW));
    const before = await logLength();
    // A day later the cap would make it `capped`: the replay must still be the first decision.
    const again = await t.call("POST", "/v1/decisions", daily("s-replay", "e-1", "2026-05-31T12:00:00Z"));
    expect(again.status).toBe(200);
    expect(again.headers.get("kairos-idempotent-replay")).toBe("true");
    expect(again.json).toEqual(first.json);
    expect(await logLength()).toBe(before);
  });

  test("twenty copies of one event sent at once act once", async () => {
    await consent("s-dup");
    const before = await logLength();
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.call("POST", "/v1/decisions", daily("s-dup", "e-dup", NOW))));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.json.decision_id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get("kairos-idempotent-replay") !== "true")).toHaveLength(1);
    expect(await logLength()).toBe(before + 1);
    expect((await t.server.store.state("s-dup")).history).toHaveLength(1);
  });

  test("concurrent different events for one subject respect the journey's cap", async () => {
    await consent("s-cap");
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => t.call("POST", "/v1/decisions", daily("s-cap", `e-${i}`, NOW))));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const d90 = answers.filter((a) => a.json.outcome === "acted" && a.json.journey === "renewal_reminder_d90");
    expect(d90).toHaveLength(1);
    const d90Capped = answers.filter((a) =>
      a.json.evaluations.some((e: { journey: string; outcome: string }) => e.journey === "renewal_reminder_d90" && e.outcome === "capped"),
    );
    expect(d90Capped).toHaveLength(11);
  });

  test("a timed follow-up is stored as a pending wake-up", async () => {
    const r = await t.call("POST", "/v1/decisions", {
      event: { type: "claim.filed", id: "K-1", at: "2026-05-27T10:00:00Z", payload: { claim_id: "K-1", at: "2026-05-27T10:00:00Z" } },
      subject: "s-claim",
      region: "eu",
      now: "2026-05-27T10:00:00Z",
      context: CUSTOMER,
    });
    expect(r.json.wakeups).toHaveLength(2);
    const pending = await t.server.store.pendingWakeups("s-claim");
    expect(pending.map((w) => [w.timer, w.due_at]).sort()).toEqual([
      ["3d", "2026-05-30T10:00:00Z"],
      ["7d", "2026-06-03T10:00:00Z"],
    ]);
  });
});

describe("consent records", () => {
  test("are appended and read back, oldest first", async () => {
    await consent("s-c", [RENEWAL_CONSENT]);
    await consent("s-c", [{ ...RENEWAL_CONSENT, status: "withdrawn", at: "2026-03-01T00:00:00Z" }]);
    const o = await t.call("POST", "/v1/subjects/s-c/objections", { records: [{ scope: "direct_marketing", at: "2026-04-01T00:00:00Z" }] });
    expect(o.status).toBe(201);
    const r = await t.call("GET", "/v1/subjects/s-c/consents");
    expect(r.status).toBe(200);
    expect(r.json.consents.map((c: { status: string }) => c.status)).toEqual(["granted", "withdrawn"]);
    expect(r.json.objections).toMatchObject([{ scope: "direct_marketing" }]);
  });

  test("a withdrawal in the store is what the next decision sees", async () => {
    await consent("s-w", [RENEWAL_CONSENT, { ...RENEWAL_CONSENT, status: "withdrawn", at: "2026-03-01T00:00:00Z" }]);
    const r = await t.call("POST", "/v1/decisions", daily("s-w", "e-1", NOW));
    expect(r.json.evaluations.find((e: { journey: string }) => e.journey === "renewal_reminder_d90")).toMatchObject({ outcome: "denied_consent" });
  });

  test("a batch with one bad record is refused whole, naming the record", async () => {
    const r = await t.call("POST", "/v1/subjects/s-bad/consents", { records: [RENEWAL_CONSENT, { ...RENEWAL_CONSENT, purpose: "renewal_marketin" }] });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("invalid_request");
    expect(r.json.error.problems[0]).toMatchObject({ path: "records[1].purpose", hint: "did you mean `renewal_marketing`?" });
    expect((await t.call("GET", "/v1/subjects/s-bad/consents")).status).toBe(404);
  });
});

describe("reading decisions", () => {
  test("the rationale renders from the logged entry in every format", async () => {
    await consent("s-why");
    const d = (await t.call("POST", "/v1/decisions", daily("s-why", "e-1", NOW))).json;
    const md = await t.call("GET", `/v1/decisions/${d.decision_id}/rationale`);
    expect(md.status).toBe(200);
    expect(md.headers.get("content-type")).toContain("text/markdown");
    expect(md.text).toContain("renewal_reminder_d90");
    expect(md.text).not.toContain("s-why"); // the subject is pseudonymized in the log
    const html = await t.call("GET", `/v1/decisions/${d.decision_id}/rationale?format=html`);
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(html.text).toContain("<html");
    const customer = await t.call("GET", `/v1/decisions/${d.decision_id}/rationale?format=customer`);
    expect(customer.text.trim()).toBe(d.explanation);
    const bad = await t.call("GET", `/v1/decisions/${d.decision_id}/rationale?format=pdf`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.problems[0]).toMatchObject({ path: "(query) format" });
  });

  test("an unknown decision id is 404 and a malformed one 400", async () => {
    const missing = await t.call("GET", `/v1/decisions/d_${"0".repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("decision_not_found");
    const malformed = await t.call("GET", "/v1/decisions/nope/rationale");
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.problems[0].message).toContain("not a decision id");
  });
});

describe("reviews", () => {
  const ticket = (subject: string, id: string) => ({
    event: { type: "ticket.resolved", id, payload: { ticket_id: id, csat: 1 } },
    subject,
    region: "eu",
    now: NOW,
    context: CUSTOMER,
  });

  test("a pending review is listed; approval acts once, as a new entry linked to the first", async () => {
    const d = (await t.call("POST", "/v1/decisions", ticket("s-rev", "T-1"))).json;
    expect(d).toMatchObject({ outcome: "pending_review", journey: "service_recovery" });
    const list = await t.call("GET", "/v1/reviews?state=pending");
    expect(list.json.reviews.map((r: { decision_id: string }) => r.decision_id)).toContain(d.decision_id);
    const ok = await t.call("POST", `/v1/reviews/${d.decision_id}`, { verdict: "approve", reviewer: "agent-7", note: "called", now: NOW });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.decision).toMatchObject({
      outcome: "acted",
      journey: "service_recovery",
      review: { of: d.decision_id, verdict: "approve", reviewer: "agent-7" },
    });
    expect(ok.json.review).toMatchObject({ state: "approved", reviewer: "agent-7" });
    expect((await t.call("GET", `/v1/decisions/${ok.json.decision.decision_id}`)).status).toBe(200);
    expect((await t.server.store.state("s-rev")).history.map((h) => h.journey)).toEqual(["service_recovery"]);
    const again = await t.call("POST", `/v1/reviews/${d.decision_id}`, { verdict: "approve", reviewer: "agent-8", now: NOW });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("review_closed");
  });

  test("approving past the journey's cap is refused and the review stays pending; rejecting suppresses", async () => {
    const a = (await t.call("POST", "/v1/decisions", ticket("s-rev2", "T-1"))).json;
    const b = (await t.call("POST", "/v1/decisions", ticket("s-rev2", "T-2"))).json;
    expect([a.outcome, b.outcome]).toEqual(["pending_review", "pending_review"]);
    expect((await t.call("POST", `/v1/reviews/${a.decision_id}`, { verdict: "approve", reviewer: "r", now: NOW })).status).toBe(200);
    const capped = await t.call("POST", `/v1/reviews/${b.decision_id}`, { verdict: "approve", reviewer: "r", now: NOW });
    expect(capped.status).toBe(409);
    expect(capped.json.error.code).toBe("cap_reached");
    expect((await t.server.store.review(b.decision_id))?.state).toBe("pending");
    const rejected = await t.call("POST", `/v1/reviews/${b.decision_id}`, { verdict: "reject", reviewer: "r", now: NOW });
    expect(rejected.json.decision).toMatchObject({ outcome: "suppressed" });
    expect(rejected.json.decision.action).toBeUndefined();
    expect(rejected.json.review.state).toBe("rejected");
  });

  test("a verdict on a decision with no review is 404", async () => {
    const r = await t.call("POST", `/v1/reviews/d_${"1".repeat(32)}`, { verdict: "approve", reviewer: "r", now: NOW });
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe("review_not_found");
  });
});

describe("operations", () => {
  test("health needs no token; readiness names the artifact and the store", async () => {
    expect((await t.call("GET", "/healthz", undefined, { token: null })).json).toEqual({ status: "ok" });
    const ready = await t.call("GET", "/readyz", undefined, { token: null });
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: "ready", artifact: t.server.engine.hash, store: { kind: "embedded" } });
  });

  test("/metrics has the golden signals, stages, decisions, saturation and batch sizes", async () => {
    await consent("s-metrics");
    await t.call("POST", "/v1/decisions", daily("s-metrics", "e-1", NOW));
    const m = await t.call("GET", "/metrics", undefined, { token: t.token("prom", ["metrics"]) });
    expect(m.status).toBe(200);
    for (const needle of [
      'kairos_http_requests_total{route="/v1/decisions",method="POST",status="200"}',
      'kairos_http_request_duration_seconds_bucket{le="0.005",route="/v1/decisions",method="POST"}',
      'kairos_decision_stage_seconds_count{stage="predicates"}',
      'kairos_decision_stage_seconds_count{stage="commit"}',
      'kairos_decisions_total{journey="renewal_reminder_d90",outcome="acted"}',
      "kairos_inflight_requests",
      "kairos_process_nodejs_eventloop_lag_seconds",
      "kairos_store_pool_connections",
      "kairos_commit_batch_size_count",
    ]) {
      expect(m.text, needle).toContain(needle);
    }
  });

  test("/openapi.json is OpenAPI 3.1 with every route, its scopes and schemas that compile", async () => {
    const r = await t.call("GET", "/openapi.json", undefined, { token: null });
    expect(r.status).toBe(200);
    const doc = r.json;
    expect(doc.openapi).toBe("3.1.0");
    const ajv = new Ajv2020({ strict: false });
    for (const route of ROUTES) {
      const op = doc.paths[openapiPath(route.url)]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url}`).toBeDefined();
      if (route.scopes) expect(op["x-kairos-scopes"]).toEqual(route.scopes);
      if (route.schema?.body) ajv.compile(op.requestBody.content["application/json"].schema);
      for (const p of op.parameters) ajv.compile(p.schema);
    }
    const ops = Object.values(doc.paths).flatMap((p) => Object.keys(p as object));
    expect(ops).toHaveLength(ROUTES.length);
    expect(doc.components.schemas.Error.required).toEqual(["error"]);
  });
});
