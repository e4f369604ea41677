// A review of a journey its stop-loss stopped cannot be approved (docs/service.md, reviews): the
// decision was `pending_review` before the stop, the stop-loss trips, and approving it then is
// 409 `journey_stopped` with nothing written (the review stays pending); once a person resumes the
// journey the same approval acts. Without this check the stopped journey's action would still go
// out through the review queue.
import { describe, expect, test } from "vitest";
import { holdoutBucket } from "../../runtime/guardrails.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { CUSTOMER, startTestServer } from "./helpers.ts";

const JOURNEYS = `journey callback_offer {
  title     "Callback offer"
  purpose   service_updates
  priority  10
  on        daily
  when      customer.tenure_months >= 12
  do        email(template: "callback")
  holdout   10%
  review    required
  goal      conversion within 30d
  stop_loss complaint_rate > 3% min 5
}
`;
const NOW = "2026-05-30T12:00:00Z";
const LATER = "2026-05-31T12:00:00Z";
const treated = Array.from({ length: 40 }, (_, i) => `r-${i}`)
  .filter((s) => holdoutBucket("callback_offer", "", s) >= 1000)
  .slice(0, 8);

describe("approving a review of a stopped journey", () => {
  test("is refused with journey_stopped until a person resumes the journey", async () => {
    const { engine } = await compiledEngine(SPEC_POLICY_DIR, { "value.journey": JOURNEYS });
    const t = await startTestServer({ artifact: engine, clock: "request", store: "sqlite:", stopLoss: { intervalMs: 0, controlsRefreshMs: 0 } });
    try {
      const ids: string[] = [];
      for (const subject of treated) {
        const r = await t.call("POST", "/v1/decisions", { event: { type: "daily", id: `e-${subject}` }, subject, region: "eu", now: NOW, context: CUSTOMER });
        expect(r.status, r.text).toBe(200);
        expect(r.json).toMatchObject({ outcome: "pending_review", journey: "callback_offer" });
        ids.push(r.json.decision_id);
      }
      const store = t.server.store as ServiceStore;
      await store.addOutcomes(treated.slice(0, 2).map((subject) => ({ id: `c-${subject}`, subject, type: "complaint", at: LATER })));
      expect((await t.server.service.checkStopLoss(LATER)).tripped).toEqual(["callback_offer"]);

      const approve = { verdict: "approve", reviewer: "Sam Reviewer", now: LATER };
      const refused = await t.call("POST", `/v1/reviews/${ids[0]}`, approve);
      expect(refused.status, refused.text).toBe(409);
      expect(refused.json.error).toMatchObject({ code: "journey_stopped", message: expect.stringContaining("stopped by its stop-loss") });
      expect((await store.review(ids[0]!))?.state).toBe("pending");

      // Rejecting is still possible; approving works again once the journey is resumed.
      const rejected = await t.call("POST", `/v1/reviews/${ids[1]}`, { ...approve, verdict: "reject" });
      expect(rejected.status, rejected.text).toBe(200);
      const resumed = await t.call("POST", "/v1/journeys/callback_offer/resume", { by: "Dana Scholz", now: LATER });
      expect(resumed.status, resumed.text).toBe(200);
      const approved = await t.call("POST", `/v1/reviews/${ids[0]}`, approve);
      expect(approved.status, approved.text).toBe(200);
      expect(approved.json.decision).toMatchObject({ outcome: "acted", journey: "callback_offer" });
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe("approving a review of a journey a person turned off", () => {
  test("is refused with journey_disabled until the journey is turned on again", async () => {
    const { engine } = await compiledEngine(SPEC_POLICY_DIR, { "value.journey": JOURNEYS });
    const t = await startTestServer({ artifact: engine, clock: "request", store: "sqlite:", stopLoss: { intervalMs: 0, controlsRefreshMs: 0 } });
    try {
      const subject = treated[0]!;
      const r = await t.call("POST", "/v1/decisions", { event: { type: "daily", id: `e-${subject}` }, subject, region: "eu", now: NOW, context: CUSTOMER });
      expect(r.json).toMatchObject({ outcome: "pending_review", journey: "callback_offer" });
      const off = await t.call("POST", "/v1/journeys/callback_offer/disable", { by: "Dana Scholz", reason: "wrong script", now: LATER });
      expect(off.status, off.text).toBe(200);
      const approve = { verdict: "approve", reviewer: "Sam Reviewer", now: LATER };
      const refused = await t.call("POST", `/v1/reviews/${r.json.decision_id}`, approve);
      expect(refused.status, refused.text).toBe(409);
      expect(refused.json.error).toMatchObject({ code: "journey_disabled", message: expect.stringContaining("turned off") });
      expect(refused.json.error.hint).toContain("/v1/journeys/callback_offer/enable");
      expect((await (t.server.store as ServiceStore).review(r.json.decision_id))?.state).toBe("pending");
      const on = await t.call("POST", "/v1/journeys/callback_offer/enable", { by: "Dana Scholz", reason: "script fixed", now: LATER });
      expect(on.status, on.text).toBe(200);
      const approved = await t.call("POST", `/v1/reviews/${r.json.decision_id}`, approve);
      expect(approved.status, approved.text).toBe(200);
      expect(approved.json.decision).toMatchObject({ outcome: "acted", journey: "callback_offer" });
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe("a review of a decision a canary made", () => {
  test("is recorded by the version that made the decision, even after the canary was rolled back", async () => {
    const { publishArtifactFiles } = await import("../../server/registry.ts");
    const v1 = await compiledEngine(SPEC_POLICY_DIR, { "value.journey": JOURNEYS });
    const v2 = await compiledEngine(SPEC_POLICY_DIR, { "value.journey": JOURNEYS.replace('template: "callback"', 'template: "callback-v2"') });
    expect(v2.engine.hash).not.toBe(v1.engine.hash);
    const t = await startTestServer({ artifact: v1.engine, clock: "request", store: "sqlite:", stopLoss: { intervalMs: 0, controlsRefreshMs: 0 } });
    try {
      await publishArtifactFiles(t.server.store as ServiceStore, v2.files, { version: "v2", by: "test" });
      const started = await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", percent: 100, by: "Dana" });
      expect(started.status, started.text).toBe(200);
      const subject = treated[0]!;
      const r = await t.call("POST", "/v1/decisions", { event: { type: "daily", id: `e-${subject}` }, subject, region: "eu", now: NOW, context: CUSTOMER });
      expect(r.json).toMatchObject({ outcome: "pending_review", journey: "callback_offer", artifact: v2.engine.hash });
      expect((await t.call("POST", "/v1/rollout/rollback", { by: "Dana" })).status).toBe(200);
      const approved = await t.call("POST", `/v1/reviews/${r.json.decision_id}`, { verdict: "approve", reviewer: "Sam Reviewer", now: LATER });
      expect(approved.status, approved.text).toBe(200);
      expect(approved.json.decision).toMatchObject({ outcome: "acted", artifact: v2.engine.hash, action: { params: { template: "callback-v2" } } });
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe("the stop-loss check during a rollout", () => {
  test("judges the journeys of the versions deciding now: a journey only the canary's candidate has is stopped too", async () => {
    const { publishArtifactFiles } = await import("../../server/registry.ts");
    const v1 = await compiledEngine(SPEC_POLICY_DIR);
    const v2 = await compiledEngine(SPEC_POLICY_DIR, { "value.journey": JOURNEYS });
    expect(v1.engine.predicates.journeys.some((j) => j.meta.id === "callback_offer")).toBe(false);
    const t = await startTestServer({ artifact: v1.engine, clock: "request", store: "sqlite:", stopLoss: { intervalMs: 0, controlsRefreshMs: 0 } });
    try {
      await publishArtifactFiles(t.server.store as ServiceStore, v2.files, { version: "v2", by: "test" });
      expect((await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", percent: 100, by: "Dana" })).status).toBe(200);
      for (const subject of treated) {
        const r = await t.call("POST", "/v1/decisions", { event: { type: "daily", id: `e-${subject}` }, subject, region: "eu", now: NOW, context: CUSTOMER });
        expect(r.json).toMatchObject({ outcome: "pending_review", journey: "callback_offer", artifact: v2.engine.hash });
      }
      const store = t.server.store as ServiceStore;
      await store.addOutcomes(treated.slice(0, 2).map((subject) => ({ id: `c-${subject}`, subject, type: "complaint", at: LATER })));
      expect((await t.server.service.checkStopLoss(LATER)).tripped).toEqual(["callback_offer"]);
    } finally {
      await t.close();
    }
  }, 120_000);
});
