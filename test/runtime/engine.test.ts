// The decision contract of spec §4, step by step, with a scriptable policy and a provider that
// records what it is asked: candidate selection, screening before fetching, the minimal
// bundle, traced predicates, guardrails in order, outcome rules, fail-closed errors.
import { describe, expect, test } from "vitest";
import type { Tracer } from "../../core/artifact.ts";
import { MemorySink } from "../../runtime/sink.ts";
import { engine, FakePolicy, fullContext, journey, NOW_DAY, RecordingProvider, request } from "./fixtures.ts";

const statusActive = (ctx: any, t: Tracer) => t(0, t(1, ctx.policy.status) === "active") as boolean;

describe("candidates", () => {
  test("only journeys triggered by the event are candidates, in priority order then id", async () => {
    const e = engine([
      journey({ id: "b", priority: 5 }),
      journey({ id: "a", priority: 5 }),
      journey({ id: "c", priority: 9 }),
      journey({ id: "t", event: "ticket.resolved" }),
    ]);
    const d = await e.decide(request());
    expect(d.evaluations.map((x) => x.journey)).toEqual(["c", "a", "b"]);
    expect(d.outcome).toBe("acted");
    expect(d.journey).toBe("c");
    expect(d.evaluations.map((x) => x.outcome)).toEqual(["acted", "suppressed", "suppressed"]);
  });

  test("an event no journey listens to is no_match and fetches nothing", async () => {
    const provider = new RecordingProvider(fullContext());
    const d = await engine([journey({ id: "a" })]).decide(request({ event: { type: "ticket.resolved", id: "e" } }), { provider });
    expect(d).toMatchObject({ outcome: "no_match", fields: [], evaluations: [] });
    expect(provider.asked).toEqual([]);
  });

  test("an event type the catalog does not declare is a request error with a hint", async () => {
    const d = await engine([journey({ id: "a" })]).decide(request({ event: { type: "dayly", id: "e" } }));
    expect(d.outcome).toBe("error");
    expect(d.error?.code).toBe("invalid_request");
    expect(d.error?.message).toContain("event.type: unknown event type `dayly`");
    expect(d.error?.message).toContain("did you mean `daily`?");
  });
});

describe("timed follow-ups", () => {
  const claim = journey({
    id: "claim_status_update",
    event: "claim.filed",
    timers: [
      { label: "3d", ms: 3 * 86_400_000 },
      { label: "7d", ms: 7 * 86_400_000 },
    ],
    fields: ["claim.status"],
    when: (ctx, t) => t(0, ["filed", "assessing"].includes(t(1, ctx.claim.status) as string)) as boolean,
  });
  const immediate = journey({ id: "claim_ack", event: "claim.filed" });

  test("the event itself does not evaluate `after` journeys but lists their wake-ups", async () => {
    // Decided when it happened: `claim.filed` has a freshness of PT5M (a later `now` is `stale`, test/runtime/freshness.test.ts).
    const d = await engine([claim, immediate]).decide(
      request({ event: { type: "claim.filed", id: "e", at: "2026-05-27T10:00:00Z" }, now: "2026-05-27T10:00:00Z" }),
    );
    expect(d.evaluations.map((x) => x.journey)).toEqual(["claim_ack"]);
    expect(d.wakeups).toEqual([
      { journey: "claim_status_update", timer: "3d", at: "2026-05-30T10:00:00Z" },
      { journey: "claim_status_update", timer: "7d", at: "2026-06-03T10:00:00Z" },
    ]);
  });

  test("wake-ups count from now when the event has no time", async () => {
    const d = await engine([claim]).decide(request({ event: { type: "claim.filed", id: "e" } }));
    expect(d.outcome).toBe("no_match");
    expect(d.wakeups?.[0]).toEqual({ journey: "claim_status_update", timer: "3d", at: "2026-06-02T12:00:00Z" });
  });

  test("a timer request evaluates only journeys carrying that timer, against current data", async () => {
    const e = engine([claim, immediate]);
    const ev = { type: "claim.filed", id: "e", at: "2026-05-27T10:00:00Z", timer: "3d" };
    const filed = await e.decide(request({ event: ev }));
    expect(filed).toMatchObject({ outcome: "acted", journey: "claim_status_update", fields: ["claim.status"] });
    expect(filed.wakeups).toBeUndefined();
    const paid = await e.decide(request({ event: ev, context: { ...fullContext(), claim: { status: "paid" } } }));
    expect(paid.outcome).toBe("no_match");
    expect(paid.evaluations[0]?.trace).toEqual([
      [1, "paid"],
      [0, false],
    ]);
  });

  test("a timer no journey carries matches nothing", async () => {
    const d = await engine([claim, immediate]).decide(request({ event: { type: "claim.filed", id: "e", timer: "5d" } }));
    expect(d).toMatchObject({ outcome: "no_match", evaluations: [] });
  });
});

describe("screening before fetching", () => {
  test("the provider is asked for the union of the surviving candidates' bundles only", async () => {
    const provider = new RecordingProvider(fullContext());
    const policy = new FakePolicy({ denied: "consent", far: "residency" });
    const e = engine(
      [
        journey({ id: "a", fields: ["policy.status", "customer.tenure_months"] }),
        journey({ id: "b", fields: ["policy.status", "onboarding.total_steps"] }),
        journey({ id: "denied", fields: ["customer.email"] }),
        journey({ id: "far", fields: ["claim.diagnosis"] }),
      ],
      policy,
    );
    const d = await e.decide(request(), { provider });
    expect(provider.asked).toEqual([["customer.tenure_months", "onboarding.total_steps", "policy.status"]]);
    expect(d.fields).toEqual(["customer.tenure_months", "onboarding.total_steps", "policy.status"]);
    expect(policy.calls).toHaveLength(1);
    expect(policy.calls[0]!.candidates.map((c) => c.journey)).toEqual(["a", "b", "denied", "far"]);
    const byId = Object.fromEntries(d.evaluations.map((x) => [x.journey, x]));
    expect(byId["denied"]).toMatchObject({ outcome: "denied_consent", trace: [] });
    expect(byId["far"]).toMatchObject({ outcome: "denied_residency", reasons: [{ code: "region_not_allowed", field: "claim.diagnosis" }] });
  });

  test("nothing is fetched when consent or residency denies every candidate", async () => {
    const provider = new RecordingProvider(fullContext());
    const e = engine(
      [journey({ id: "a", fields: ["policy.status"] }), journey({ id: "b", priority: 1, fields: ["customer.email"] })],
      new FakePolicy({ a: "consent", b: "residency" }),
    );
    const d = await e.decide(request(), { provider });
    expect(provider.asked).toEqual([]);
    expect(d).toMatchObject({ outcome: "denied_residency", fields: [] });
    expect(d.evaluations.map((x) => x.outcome)).toEqual(["denied_residency", "denied_consent"]);
  });

  test("values outside the bundle never reach predicates or the log", async () => {
    const seen: unknown[] = [];
    const sink = new MemorySink();
    const e = engine([journey({ id: "a", fields: ["policy.status"], when: (ctx, t) => (seen.push(ctx), t(0, true) as boolean) })]);
    await e.decide(request(), { sink });
    expect(seen[0]).toEqual({ now: Date.parse("2026-05-30T12:00:00Z"), event: {}, customer: {}, policy: { status: "active" }, onboarding: {} });
    expect(sink.entries[0]!.request.context).toEqual({ policy: { status: "active" } });
  });
});

describe("data", () => {
  test("context values arrive in the runtime representation", async () => {
    let ctx: any;
    const e = engine([
      journey({
        id: "a",
        fields: ["policy.renewal_date", "onboarding.last_progress_at", "policy.premium"],
        when: (c, t) => ((ctx = c), t(0, true) as boolean),
      }),
    ]);
    await e.decide(request());
    expect(ctx.policy.renewal_date).toBe(NOW_DAY + 90);
    expect(ctx.onboarding.last_progress_at).toBe(Date.parse("2026-05-20T08:00:00Z"));
    expect(ctx.policy.premium).toBe(1200.5);
  });

  test("a missing non-optional field makes the decision error naming it, with no action", async () => {
    const ctx = fullContext();
    delete ctx["customer"]!["tenure_months"];
    const d = await engine([journey({ id: "a", fields: ["customer.tenure_months"] })]).decide(request({ context: ctx }));
    expect(d.outcome).toBe("error");
    expect(d.action).toBeUndefined();
    expect(d.error).toMatchObject({ code: "missing_field", message: expect.stringContaining("`customer.tenure_months` is missing") });
  });

  test("a value of the wrong type makes the decision error naming the field", async () => {
    const ctx = fullContext();
    ctx["policy"]!["renewal_date"] = "28/08/2026";
    const d = await engine([journey({ id: "a", fields: ["policy.renewal_date"] })]).decide(request({ context: ctx }));
    expect(d.error).toMatchObject({
      code: "wrong_type",
      message: expect.stringContaining("`policy.renewal_date` has the wrong type: expected a date (YYYY-MM-DD)"),
    });
  });

  test("an absent optional field is not set, not an error", async () => {
    let ctx: any;
    const d = await engine([journey({ id: "a", fields: ["customer.nps"], when: (c, t) => ((ctx = c), t(0, c.customer.nps === undefined) as boolean) })]).decide(
      request(),
    );
    expect(d.outcome).toBe("acted");
    expect("nps" in ctx.customer).toBe(false);
  });

  test("event payload fields are validated like context fields", async () => {
    const j = journey({ id: "r", event: "ticket.resolved", eventFields: ["csat"], when: (c, t) => t(0, (c.event.csat as number) <= 2) as boolean });
    const ok = await engine([j]).decide(request({ event: { type: "ticket.resolved", id: "e", payload: { csat: 1, ticket_id: "T-1", extra: "dropped" } } }));
    expect(ok.outcome).toBe("acted");
    const bad = await engine([j]).decide(request({ event: { type: "ticket.resolved", id: "e", payload: { csat: "1" } } }));
    expect(bad.error).toMatchObject({ code: "wrong_type", message: expect.stringContaining("`event.csat`") });
    const missing = await engine([j]).decide(request({ event: { type: "ticket.resolved", id: "e" } }));
    expect(missing.error?.message).toContain("`event.csat` is missing");
  });
});

describe("guardrails and outcomes", () => {
  const cap = { count: 1, windowMs: 30 * 86_400_000, window: "30d" };

  test("a capped candidate drops out and the next one wins", async () => {
    const e = engine([journey({ id: "hi", priority: 9, cap }), journey({ id: "lo", priority: 1 })]);
    const d = await e.decide(request({ history: [{ journey: "hi", at: "2026-05-10T00:00:00Z" }] }));
    expect(d).toMatchObject({ outcome: "acted", journey: "lo" });
    expect(d.evaluations[0]).toMatchObject({
      journey: "hi",
      outcome: "capped",
      reasons: expect.arrayContaining([expect.objectContaining({ code: "cap_reached" })]),
    });
  });

  test("history of other subjects does not count toward caps", async () => {
    const d = await engine([journey({ id: "hi", cap })]).decide(request({ history: [{ journey: "hi", at: "2026-05-10T00:00:00Z", subject: "someone-else" }] }));
    expect(d.outcome).toBe("acted");
  });

  test("holdout comes before quiet hours and review", async () => {
    const e = engine([
      journey({
        id: "j",
        holdout: { percent: 100, salt: "" },
        quiet: { from: "00:00", to: "23:59", fromMinutes: 0, toMinutes: 1439 },
        review: true,
        fields: ["customer.timezone"],
      }),
    ]);
    const d = await e.decide(request());
    expect(d).toMatchObject({ outcome: "held_out", journey: "j", basis: "contract" });
    expect(d.action).toBeUndefined();
  });

  test("quiet hours defer to the end of the window in the subject's zone", async () => {
    const e = engine([
      journey({ id: "j", quiet: { from: "21:00", to: "08:00", fromMinutes: 1260, toMinutes: 480 }, review: true, fields: ["customer.timezone"] }),
    ]);
    const d = await e.decide(request({ now: "2026-05-30T20:30:00Z" }));
    expect(d).toMatchObject({ outcome: "deferred", journey: "j", deferred_until: "2026-05-31T06:00:00Z" });
    const day = await e.decide(request());
    expect(day).toMatchObject({ outcome: "pending_review", journey: "j" });
    // Both carry the proposed action (spec §6), which nobody has taken yet.
    expect(d.action).toEqual({ name: "email", channel: "email", params: { template: "t" } });
    expect(day.action).toEqual(d.action);
  });

  test("an invalid time zone for quiet hours is an error naming it", async () => {
    const ctx = fullContext();
    ctx["customer"]!["timezone"] = "Berlin";
    const d = await engine([
      journey({ id: "j", quiet: { from: "21:00", to: "08:00", fromMinutes: 1260, toMinutes: 480 }, fields: ["customer.timezone"] }),
    ]).decide(request({ context: ctx }));
    expect(d).toMatchObject({ outcome: "error", error: { code: "timezone_invalid", message: expect.stringContaining("`Berlin`") } });
  });

  test("acted decisions carry the allow-listed action, basis and explanation", async () => {
    const j = journey({ id: "j", fields: ["policy.status"], when: statusActive, reason: (c, t) => `status is ${t(2, c.policy.status) as string}` });
    const d = await engine([j]).decide(request());
    expect(d).toMatchObject({
      outcome: "acted",
      action: { name: "email", channel: "email", params: { template: "t" } },
      basis: "contract",
      explanation: "status is active",
    });
    expect(d.evaluations[0]!.trace).toEqual([
      [1, "active"],
      [0, true],
      [2, "active"],
    ]);
  });

  test("with no winner the outcome is that of the highest-priority candidate", async () => {
    const no = (_ctx: any, t: Tracer) => t(0, false) as boolean;
    const d = await engine([journey({ id: "a", priority: 3, when: no }), journey({ id: "b", priority: 7 })], new FakePolicy({ b: "consent" })).decide(
      request(),
    );
    expect(d.outcome).toBe("denied_consent");
    expect(d.journey).toBeUndefined();
  });

  test("an action outside the purpose's channels fails closed", async () => {
    const d = await engine([journey({ id: "j", purpose: "service_recovery", action: { name: "sms", channel: "sms", params: { template: "x" } } })]).decide(
      request(),
    );
    expect(d).toMatchObject({ outcome: "error", error: { code: "action_not_allowed" } });
    expect(d.action).toBeUndefined();
  });
});

describe("failing closed", () => {
  test("a policy failure is an error with nothing fetched", async () => {
    const provider = new RecordingProvider(fullContext());
    const d = await engine([journey({ id: "a", fields: ["policy.status"] })], new FakePolicy({}, new Error("wasm trap"))).decide(request(), { provider });
    expect(d).toMatchObject({ outcome: "error", error: { code: "policy_failed", message: expect.stringContaining("wasm trap") } });
    expect(provider.asked).toEqual([]);
  });

  test("a missing policy bundle is an error", async () => {
    const d = await engine([journey({ id: "a" })], null).decide(request());
    expect(d.error?.code).toBe("policy_unavailable");
  });

  test("a provider failure is an error", async () => {
    const d = await engine([journey({ id: "a", fields: ["policy.status"] })]).decide(request(), { provider: new RecordingProvider({}, new Error("crm down")) });
    expect(d).toMatchObject({ outcome: "error", error: { code: "provider_failed", message: expect.stringContaining("crm down") } });
  });

  test("a predicate that throws errors its candidate and the decision; others keep their trace", async () => {
    const boom = journey({
      id: "boom",
      priority: 9,
      when: () => {
        throw new Error("division by zero");
      },
    });
    const fine = journey({ id: "fine", priority: 1 });
    const d = await engine([boom, fine]).decide(request());
    expect(d.outcome).toBe("error");
    expect(d.journey).toBeUndefined();
    expect(d.evaluations.map((x) => [x.journey, x.outcome])).toEqual([
      ["boom", "error"],
      ["fine", "error"],
    ]);
    expect(d.evaluations[1]).toMatchObject({
      matched: true,
      trace: [[0, true]],
      reasons: expect.arrayContaining([expect.objectContaining({ code: "aborted" })]),
    });
  });

  test("a sink that refuses the entry turns the decision into an error", async () => {
    const d = await engine([journey({ id: "a" })]).decide(request(), {
      sink: {
        append: () => {
          throw new Error("disk full");
        },
      },
    });
    expect(d).toMatchObject({ outcome: "error", error: { code: "log_failed" } });
    expect(d.action).toBeUndefined();
  });
});

describe("decision ids and the log entry", () => {
  test("the id depends on the request and the artifact, and not on data outside the bundle", async () => {
    const e = engine([journey({ id: "a", fields: ["policy.status"] })]);
    const d1 = await e.decide(request());
    const ctx = fullContext();
    ctx["customer"]!["email"] = "other@example.com";
    const d2 = await e.decide(request({ context: ctx }));
    const d3 = await e.decide(request({ subject: "c-2" }));
    expect(d1.decision_id).toMatch(/^d_[0-9a-f]{32}$/);
    expect(d2.decision_id).toBe(d1.decision_id);
    expect(d3.decision_id).not.toBe(d1.decision_id);
  });

  test("deciding the logged request again gives the same decision", async () => {
    const sink = new MemorySink();
    const e = engine([journey({ id: "a", fields: ["policy.status"], when: statusActive })]);
    const d = await e.decide(
      request({
        consents: [
          { subject: "other", purpose: "service_updates", status: "granted", at: "2026-01-01T00:00:00Z" },
          { purpose: "renewal_marketing", status: "granted", at: "2026-01-01T00:00:00Z" },
          { purpose: "service_updates", channel: "email", status: "granted", at: "2026-01-02T00:00:00Z", source: "web" },
        ],
        objections: [
          { scope: "purpose:service_recovery", at: "2026-01-01T00:00:00Z" },
          { scope: "direct_marketing", at: "2026-01-01T00:00:00Z" },
        ],
        history: [
          { journey: "elsewhere", at: "2026-05-01T00:00:00Z" },
          { journey: "a", at: "2026-01-01T00:00:00Z" },
        ],
      }),
      { sink },
    );
    const entry = sink.entries[0]!;
    // Only this subject's records for the candidates' purposes and journeys are kept.
    expect(entry.request.consents).toEqual([{ purpose: "service_updates", channel: "email", status: "granted", at: "2026-01-02T00:00:00Z", source: "web" }]);
    expect(entry.request.objections).toEqual([{ scope: "direct_marketing", at: "2026-01-01T00:00:00Z" }]);
    expect(entry.request.history).toEqual([{ journey: "a", at: "2026-01-01T00:00:00Z" }]);
    expect(entry).toMatchObject({
      decision_id: d.decision_id,
      outcome: "acted",
      basis: "contract",
      policies: { artifact: "a".repeat(64), rego: { "kairos.rego": "b".repeat(64) } },
    });
    expect(await e.decide(entry.request)).toEqual(d);
  });
});
