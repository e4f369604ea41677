// Freshness through the decision service (real server on 127.0.0.1, embedded store): a
// `claim.filed` event two months old (catalog freshness PT5M) is decided `stale` by
// POST /v1/decisions, committed to the log, counted in /metrics as
// kairos_decisions_total{outcome="stale"} and explained to the customer; the service accepts
// `context_as_of` and refuses a malformed one with 400; and on the system clock an event older
// than its SLA is stale too.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compiledEngine } from "../runtime/compiled.ts";
import { CUSTOMER, SPEC_POLICY_DIR, startTestServer, type TestServer } from "./helpers.ts";
import { claimAck, freshnessJourneys, promoterThanks } from "../helpers/freshness-fixtures.ts";

const JOURNEYS = freshnessJourneys(claimAck(), promoterThanks());

const NOW = "2026-05-30T12:00:00Z";
const claim = (subject: string, at: string, now?: string) => ({
  event: { type: "claim.filed", id: `k-${subject}`, at },
  subject,
  region: "eu",
  ...(now ? { now } : {}),
  context: CUSTOMER,
});

describe("POST /v1/decisions (clock: request)", () => {
  let t: TestServer;
  beforeAll(async () => {
    const { engine } = await compiledEngine(SPEC_POLICY_DIR, JOURNEYS);
    t = await startTestServer({ clock: "request", artifact: engine });
  });
  afterAll(async () => {
    await t?.close();
  });

  test("an event two months older than its five-minute SLA is stale, committed, counted and explained", async () => {
    const r = await t.call("POST", "/v1/decisions", claim("s-stale", "2026-03-30T12:00:00Z", NOW));
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ outcome: "stale", fields: [] });
    expect(r.json).not.toHaveProperty("action");
    expect(r.json.evaluations[0].reasons[0]).toMatchObject({ code: "stale_event", freshness: "PT5M", as_of: "2026-03-30T12:00:00Z" });
    const stored = await t.call("GET", `/v1/decisions/${r.json.decision_id}`);
    expect(stored.status).toBe(200);
    expect(stored.json.decision).toEqual(r.json);
    const m = await t.call("GET", "/metrics", undefined, { token: t.token("prom", ["metrics"]) });
    expect(m.text).toContain('kairos_decisions_total{journey="",outcome="stale"} 1');
    const why = await t.call("GET", `/v1/decisions/${r.json.decision_id}/rationale?format=customer`);
    expect(why.status).toBe(200);
    expect(why.text.trim()).toBe("We did not contact you: the information we had was out of date.");
  });

  test("the same event within its SLA acts, and writes a history row", async () => {
    const r = await t.call("POST", "/v1/decisions", claim("s-fresh", "2026-05-30T11:58:00Z", NOW));
    expect(r.json).toMatchObject({ outcome: "acted", journey: "claim_ack" });
    expect((await t.server.store.state("s-fresh")).history).toHaveLength(1);
    expect((await t.server.store.state("s-stale")).history).toHaveLength(0);
  });

  test("`context_as_of` is accepted, and an old value makes the decision stale", async () => {
    const body = {
      event: { type: "daily", id: "d-1" },
      subject: "s-aged",
      region: "eu",
      now: NOW,
      context: { ...CUSTOMER, customer: { ...CUSTOMER.customer, nps: 10 } },
      context_as_of: { "customer.nps": "2026-04-01T00:00:00Z" },
    };
    const r = await t.call("POST", "/v1/decisions", body);
    expect(r.status, r.text).toBe(200);
    expect(r.json.outcome).toBe("stale");
    const fresh = await t.call("POST", "/v1/decisions", { ...body, subject: "s-aged-2", context_as_of: { "customer.nps": "2026-05-29T00:00:00Z" } });
    expect(fresh.json).toMatchObject({ outcome: "acted", journey: "promoter_thanks" });
  });

  test("an age that is not a datetime is a 400 naming it, and nothing is written", async () => {
    const r = await t.call("POST", "/v1/decisions", { ...claim("s-bad", NOW, NOW), context_as_of: { "customer.nps": "yesterday" } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("invalid_request");
    expect(JSON.stringify(r.json)).toContain("context_as_of.customer.nps");
    expect((await t.server.store.state("s-bad")).version).toBe(0);
  });
});

describe("wake-ups with an inline context", () => {
  // The inline context a wake-up keeps (no provider to ask again) was read when the event was
  // decided: forty days later, a field whose freshness is 30 days is out of date.
  const FOLLOW_UP = `journey claim_follow_up {
  purpose  service_updates
  on       claim.filed after 40d
  when     customer.nps is set and customer.nps >= 0
  do       sms(template: "follow-up")
}
`;
  let t: TestServer;
  beforeAll(async () => {
    const { engine } = await compiledEngine(SPEC_POLICY_DIR, { "w.journey": FOLLOW_UP });
    t = await startTestServer({ clock: "request", artifact: engine });
  });
  afterAll(async () => {
    await t?.close();
  });

  test("a kept context is as old as the decision that kept it: past its field's freshness the wake-up is stale", async () => {
    const body = {
      event: { type: "claim.filed", id: "k-wake", at: NOW },
      subject: "s-wake",
      region: "eu",
      now: NOW,
      context: { ...CUSTOMER, customer: { ...CUSTOMER.customer, nps: 7 } },
    };
    expect((await t.call("POST", "/v1/decisions", body)).status).toBe(200);
    const [wakeup] = await t.server.store.pendingWakeups("s-wake");
    expect(wakeup?.request).toMatchObject({ context_as_of: { customer: NOW } });
    const run = await t.call("POST", "/v1/admin/wakeups/run", { until: "2026-07-10T12:00:00Z" });
    expect(run.json).toEqual({ ran: 1, duplicates: 0, failed: 0 });
    const fired = await t.server.store.findByEvent({ subject: "s-wake", eventId: "k-wake", timer: "40d" });
    expect(fired).toMatchObject({ outcome: "stale" });
  });
});

describe("POST /v1/decisions (system clock)", () => {
  test("an event older than its SLA by the server's clock is stale", async () => {
    const { engine } = await compiledEngine(SPEC_POLICY_DIR, JOURNEYS);
    const t = await startTestServer({ artifact: engine });
    try {
      const old = new Date(Date.now() - 60 * 86_400_000).toISOString();
      const r = await t.call("POST", "/v1/decisions", claim("s-sys", old));
      expect(r.status, r.text).toBe(200);
      expect(r.json.outcome).toBe("stale");
      const recent = await t.call("POST", "/v1/decisions", claim("s-sys-2", new Date(Date.now() - 1000).toISOString()));
      expect(recent.json.outcome).toBe("acted");
    } finally {
      await t.close();
    }
  });
});
