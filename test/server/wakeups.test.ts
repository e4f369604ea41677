// Wake-ups: a claim schedules its day-3 and day-7 follow-ups in the store; on `--clock request`
// POST /v1/admin/wakeups/run runs those due up to a time, in due order, each exactly once; on the
// system clock the runner fires them by itself once they are due.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CUSTOMER, startTestServer, type TestServer } from "./helpers.ts";

const claim = (subject: string, now = "2026-05-27T10:00:00Z") => ({
  event: { type: "claim.filed", id: `K-${subject}`, at: now, payload: { claim_id: `K-${subject}`, at: now } },
  subject,
  region: "eu",
  now,
  context: CUSTOMER,
});

describe("on `--clock request`", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ clock: "request" });
  });
  afterAll(async () => {
    await t?.close();
  });

  test("the run route fires what is due, at its due time, once", async () => {
    expect((await t.call("POST", "/v1/decisions", claim("w-1"))).status).toBe(200);
    const run = (until: string) => t.call("POST", "/v1/admin/wakeups/run", { until });
    expect((await run("2026-05-29T00:00:00Z")).json).toEqual({ ran: 0, duplicates: 0, failed: 0 });
    expect((await run("2026-05-30T10:00:00Z")).json).toEqual({ ran: 1, duplicates: 0, failed: 0 });
    const day3 = await t.server.store.findByEvent({ subject: "w-1", eventId: "K-w-1", timer: "3d" });
    expect(day3).toMatchObject({ journey: "claim_status_update", outcome: "acted" });
    const entry = await t.server.store.getDecision(day3!.decision_id);
    expect(JSON.parse(entry!.line).request.now).toBe("2026-05-30T10:00:00Z");
    expect((await t.server.store.pendingWakeups("w-1")).map((w) => w.timer)).toEqual(["7d"]);
    expect((await run("2026-07-01T00:00:00Z")).json).toEqual({ ran: 1, duplicates: 0, failed: 0 });
    expect((await run("2026-07-01T00:00:00Z")).json).toEqual({ ran: 0, duplicates: 0, failed: 0 });
    expect(await t.server.store.pendingWakeups("w-1")).toEqual([]);
  });

  test("a wake-up whose event was already decided directly is a duplicate, not a second action", async () => {
    expect((await t.call("POST", "/v1/decisions", claim("w-2"))).status).toBe(200);
    const direct = await t.call("POST", "/v1/decisions", { ...claim("w-2", "2026-05-30T10:00:00Z"), event: { ...claim("w-2").event, timer: "3d" } });
    expect(direct.json.journey).toBe("claim_status_update");
    const before = (await t.server.store.heads()).reduce((n, h) => n + h.seq, 0);
    expect((await t.call("POST", "/v1/admin/wakeups/run", { until: "2026-05-31T00:00:00Z" })).json).toEqual({ ran: 0, duplicates: 1, failed: 0 });
    expect((await t.server.store.heads()).reduce((n, h) => n + h.seq, 0)).toBe(before);
    expect((await t.server.store.pendingWakeups("w-2")).map((w) => w.timer)).toEqual(["7d"]);
  });

  test("the run route needs the admin scope and a datetime", async () => {
    const other = t.token("decider", ["decide"]);
    expect((await t.call("POST", "/v1/admin/wakeups/run", { until: "2026-07-01T00:00:00Z" }, { token: other })).status).toBe(403);
    const bad = await t.call("POST", "/v1/admin/wakeups/run", { until: "tomorrow" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.problems[0].path).toBe("until");
  });
});

describe("on the system clock", () => {
  let t: TestServer;
  let now = Date.parse("2026-05-27T10:00:00Z");
  beforeAll(async () => {
    t = await startTestServer({ now: () => now, wakeups: { intervalMs: 20 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  test("the runner fires a wake-up once it is due, and the run route is refused", async () => {
    const { now: _n, ...body } = claim("w-sys");
    expect((await t.call("POST", "/v1/decisions", body)).status).toBe(200);
    expect((await t.call("POST", "/v1/admin/wakeups/run", { until: "2026-06-01T00:00:00Z" })).json.error.code).toBe("clock_not_request");
    now = Date.parse("2026-05-30T10:00:01Z");
    const deadline = Date.now() + 20_000;
    while ((await t.server.store.pendingWakeups("w-sys")).length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await t.server.store.pendingWakeups("w-sys")).map((w) => w.timer)).toEqual(["7d"]);
    const fired = await t.server.store.findByEvent({ subject: "w-sys", eventId: "K-w-sys", timer: "3d" });
    expect(fired?.outcome).toBe("acted");
  });
});
