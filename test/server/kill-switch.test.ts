// Kill switches in a real service (docs/kill-switch.md), on SQLite and PGlite, and on a real
// PostgreSQL with two instances: a person turns a journey off (`POST /v1/journeys/{id}/disable`):
// its candidates are `suppressed` with the reason `kill_switch` naming who, when and why, while the
// others act; a second disable, an unknown journey, a missing reason and a reader's token are
// refused; a channel turned off suppresses every journey acting on it — wake-ups too — and takes
// over when the journey's own switch is turned on again; once everything is on again the journey
// acts again; the metrics show the switches; the store's log replays byte for byte (replay reads the
// switches back from the entries). With two instances, a switch turned on one is honoured by the
// other within the refresh bound (polled, not timed), and so is turning it on again.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Engine } from "../../runtime/engine.ts";
import { holdoutBucket } from "../../runtime/guardrails.ts";
import { FileSubjectKeyring, subjectKeysFileFor } from "../../runtime/log/index.ts";
import { replayLog } from "../../runtime/log/replay.ts";
import { exportStoreLog } from "../../server/store/index.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { CUSTOMER, daily, RENEWAL_CONSENT, startTestServer, type TestServer } from "./helpers.ts";

const NOW = "2026-05-30T12:00:00Z";
const OFF_AT = "2026-05-30T12:05:00Z";
const D90 = "renewal_reminder_d90";
const BY = "Dana Scholz";
const WHY = "the renewal template quotes last year's premium";

/** Subjects `prefix-0`, `prefix-1`, … outside the day-90 reminder's 10% holdout (so it acts for them). */
function treated(prefix: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (holdoutBucket(D90, "", `${prefix}-${i}`) >= 1000) out.push(`${prefix}-${i}`);
  return out;
}

const claim = (subject: string, now = "2026-05-27T10:00:00Z") => ({
  event: { type: "claim.filed", id: `K-${subject}`, at: now, payload: { claim_id: `K-${subject}`, at: now } },
  subject,
  region: "eu",
  now,
  context: CUSTOMER,
});

let engine: Engine;
const dirs: string[] = [];
beforeAll(async () => {
  engine = (await compiledEngine(SPEC_POLICY_DIR)).engine;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Decides a daily event for a subject with the renewal consent; the decision. */
async function decide(t: TestServer, subject: string, now = NOW): Promise<any> {
  const consent = await t.call("POST", `/v1/subjects/${subject}/consents`, { records: [RENEWAL_CONSENT] });
  expect(consent.status, consent.text).toBe(201);
  const r = await t.call("POST", "/v1/decisions", daily(subject, `e-${subject}`, now));
  expect(r.status, r.text).toBe(200);
  return r.json;
}

function evaluationOf(decision: any, journey: string): any {
  return decision.evaluations.find((e: { journey: string }) => e.journey === journey);
}

/** Re-decides every entry of the store's log (each shard exported as a file) with the engine: the differences. */
async function replayStore(store: ServiceStore, engine: Engine): Promise<{ replayed: number; identical: number; differences: readonly unknown[] }> {
  const dir = mkdtempSync(join(tmpdir(), "kairos-kill-replay-"));
  dirs.push(dir);
  let replayed = 0;
  let identical = 0;
  const differences: unknown[] = [];
  for (let shard = 0; shard < store.shards; shard++) {
    const file = join(dir, `shard-${shard}.log`);
    await exportStoreLog(store, shard, file);
    const keys = existsSync(subjectKeysFileFor(file)) ? FileSubjectKeyring.open(file, store.keys.key) : undefined;
    const r = await replayLog(file, engine, store.keys.key, undefined, keys);
    replayed += r.replayed;
    identical += r.identical;
    differences.push(...r.differences);
  }
  return { replayed, identical, differences };
}

/** The log lines of the store that mention `text`. */
async function logLinesWith(store: ServiceStore, text: string): Promise<any[]> {
  const out: any[] = [];
  for (const head of await store.heads()) {
    const lines = head.seq === 0 ? [] : await store.logLines(head.shard, 1, head.seq);
    for (const l of lines) if (l.includes(text)) out.push(JSON.parse(l));
  }
  return out;
}

/** The whole story on one instance. */
async function story(t: TestServer): Promise<void> {
  const [s1, s2, s3, s4] = treated("k", 4);
  expect(await decide(t, s1!)).toMatchObject({ outcome: "acted", journey: D90 });

  // A person turns the day-90 reminder off.
  const off = await t.call("POST", `/v1/journeys/${D90}/disable`, { by: BY, reason: WHY, now: OFF_AT });
  expect(off.status, off.text).toBe(200);
  expect(off.json).toMatchObject({
    journey: D90,
    state: "running",
    kill_switch: { kind: "journey", name: D90, state: "disabled", by: BY, reason: WHY, since: OFF_AT },
  });
  const d = await decide(t, s2!);
  expect(d.journey).not.toBe(D90);
  expect(evaluationOf(d, D90)).toMatchObject({
    outcome: "suppressed",
    trace: [],
    reasons: [
      {
        code: "kill_switch",
        kind: "journey",
        name: D90,
        by: BY,
        since: OFF_AT,
        message: `journey \`${D90}\` was turned off by ${BY} at ${OFF_AT}: ${WHY}; it acts again once a person enables it`,
      },
    ],
  });
  // Logged with who and why.
  const [entry] = await logLinesWith(t.server.store as ServiceStore, d.decision_id);
  expect(JSON.stringify(entry)).toContain(`"code":"kill_switch"`);
  expect(JSON.stringify(entry)).toContain(WHY);

  // Refusals: a second disable (409, who came first), an unknown journey (404), no reason (400), a reader (403).
  const twice = await t.call("POST", `/v1/journeys/${D90}/disable`, { by: "Sam", reason: "me too", now: OFF_AT });
  expect(twice.status).toBe(409);
  expect(twice.json.error).toMatchObject({ code: "already_disabled", message: expect.stringContaining(`${BY} turned it off at ${OFF_AT}`) });
  const unknown = await t.call("POST", "/v1/journeys/renewal_reminder_d9/disable", { by: BY, reason: "typo", now: OFF_AT });
  expect(unknown.status).toBe(404);
  expect(unknown.json.error.code).toBe("journey_not_found");
  expect((await t.call("POST", `/v1/journeys/${D90}/enable`, { by: BY, now: OFF_AT })).status).toBe(400);
  const reader = t.token("reader", ["audit:read"]);
  expect((await t.call("POST", `/v1/journeys/${D90}/enable`, { by: BY, reason: "x", now: OFF_AT }, { token: reader })).status).toBe(403);

  // The list and the metrics show it.
  const listed = await t.call("GET", "/v1/journeys", undefined, { token: reader });
  expect(listed.status).toBe(200);
  expect(listed.json.journeys.find((j: { journey: string }) => j.journey === D90)).toMatchObject({ kill_switch: { state: "disabled", by: BY } });
  expect(listed.json.journeys.find((j: { journey: string }) => j.journey === "referral_invite")).not.toHaveProperty("kill_switch");
  expect((await t.call("GET", "/metrics")).text).toContain(`kairos_kill_switch{kind="journey",name="${D90}"} 1`);

  // The e-mail channel turned off too; then the journey's own switch turned on again: the channel's still holds it.
  const emailOff = await t.call("POST", "/v1/channels/email/disable", { by: "Sam", reason: "mail provider down", now: OFF_AT });
  expect(emailOff.status, emailOff.text).toBe(200);
  expect(emailOff.json).toMatchObject({ channel: "email", state: "disabled", by: "Sam", in_artifact: true });
  expect(emailOff.json.journeys).toEqual(expect.arrayContaining([D90, "referral_invite"]));
  expect((await t.call("POST", "/v1/channels/fax/disable", { by: "Sam", reason: "x", now: OFF_AT })).json.error.code).toBe("channel_not_found");
  const channels = await t.call("GET", "/v1/channels", undefined, { token: reader });
  expect(channels.json.channels.map((c: { channel: string; state: string }) => [c.channel, c.state])).toEqual([
    ["call_task", "enabled"],
    ["email", "disabled"],
    ["push", "enabled"],
    ["sms", "enabled"],
  ]);
  const on = await t.call("POST", `/v1/journeys/${D90}/enable`, { by: BY, reason: "template fixed", now: OFF_AT });
  expect(on.status, on.text).toBe(200);
  expect(on.json.kill_switch).toMatchObject({ kind: "channel", name: "email", state: "disabled" });
  const byChannel = await decide(t, s3!);
  expect(evaluationOf(byChannel, D90)).toMatchObject({ outcome: "suppressed", reasons: [{ code: "kill_switch", kind: "channel", name: "email", by: "Sam" }] });
  expect((await t.call("POST", `/v1/journeys/${D90}/enable`, { by: BY, reason: "again", now: OFF_AT })).json.error.code).toBe("not_disabled");

  // A wake-up of a journey whose channel is off is suppressed too (claim follow-ups go by SMS).
  expect((await t.call("POST", "/v1/decisions", claim("kw-1"))).json.wakeups).toHaveLength(2);
  expect((await t.call("POST", "/v1/channels/sms/disable", { by: "Sam", reason: "SMS gateway garbles texts", now: OFF_AT })).status).toBe(200);
  expect((await t.call("POST", "/v1/admin/wakeups/run", { until: "2026-05-31T00:00:00Z" })).json).toMatchObject({ ran: 1, failed: 0 });
  const day3 = await t.server.store.findByEvent({ subject: "kw-1", eventId: "K-kw-1", timer: "3d" });
  expect(day3?.outcome).not.toBe("acted");
  expect(evaluationOf(day3, "claim_status_update")).toMatchObject({ outcome: "suppressed", reasons: [{ code: "kill_switch", name: "sms" }] });

  // Everything on again: it acts.
  for (const c of ["email", "sms"]) expect((await t.call("POST", `/v1/channels/${c}/enable`, { by: "Sam", reason: "fixed", now: OFF_AT })).status).toBe(200);
  expect(await decide(t, s4!)).toMatchObject({ outcome: "acted", journey: D90 });
  const metrics = (await t.call("GET", "/metrics")).text;
  expect(metrics).toContain(`kairos_kill_switch{kind="journey",name="${D90}"} 0`);
  expect(metrics).toContain('kairos_kill_switch{kind="channel",name="email"} 0');
  expect((await (t.server.store as ServiceStore).killSwitchHistory("journey", D90)).map((k) => [k.state, k.by])).toEqual([
    ["disabled", BY],
    ["enabled", BY],
  ]);

  // The log replays byte for byte: the switches are read back from the entries.
  const replay = await replayStore(t.server.store as ServiceStore, engine);
  expect(replay.differences).toEqual([]);
  expect(replay.identical).toBe(replay.replayed);
  expect(replay.replayed).toBeGreaterThanOrEqual(6);
}

describe.each([
  ["SQLite", "sqlite:"],
  ["PGlite", "pglite:"],
])("kill switches on %s", (_name, storeUrl) => {
  test("turn a journey and a channel off and on again, logged with who and why, replayed byte for byte", async () => {
    const t = await startTestServer({ artifact: engine, clock: "request", store: storeUrl, stopLoss: { intervalMs: 0, controlsRefreshMs: 0 } });
    try {
      await story(t);
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe("kill switches on PostgreSQL with two instances", () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });

  test("a journey turned off through one instance is suppressed by the other within the refresh bound, and acts again once turned on", async () => {
    const url = await pg.createDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), "kairos-kill-pg-"));
    dirs.push(dataDir);
    // The default refresh (every second): the bound every instance keeps.
    const options = { artifact: engine, clock: "request" as const, store: url, dataDir, stopLoss: { intervalMs: 0 } };
    const a = await startTestServer(options);
    const b = await startTestServer(options);
    try {
      const subjects = treated("pg", 400);
      let next = 0;
      const take = (): string => subjects[next++]!;
      expect(await decide(b, take())).toMatchObject({ outcome: "acted", journey: D90 });

      expect((await a.call("POST", `/v1/journeys/${D90}/disable`, { by: BY, reason: WHY, now: OFF_AT })).status).toBe(200);
      // `b` turned nothing itself: it reads the switch and suppresses (polled; the deadline only ends a broken run).
      let seen: any;
      for (const until = Date.now() + 15_000; Date.now() < until; ) {
        seen = await decide(b, take());
        if (evaluationOf(seen, D90).outcome === "suppressed") break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(evaluationOf(seen, D90)).toMatchObject({ outcome: "suppressed", reasons: [{ code: "kill_switch", by: BY, since: OFF_AT }] });
      expect(evaluationOf(seen, D90).reasons[0].message).toContain(WHY);
      const [entry] = await logLinesWith(b.server.store as ServiceStore, seen.decision_id);
      expect(JSON.stringify(entry)).toContain(WHY);
      // Every decision `b` makes from now on is suppressed as well: once read, a switch stays.
      expect(evaluationOf(await decide(b, take()), D90)).toMatchObject({ outcome: "suppressed" });

      // Turned on again through `b`: `a` acts again within the bound.
      expect((await b.call("POST", `/v1/journeys/${D90}/enable`, { by: BY, reason: "template fixed", now: OFF_AT })).status).toBe(200);
      let acted: any;
      for (const until = Date.now() + 15_000; Date.now() < until; ) {
        acted = await decide(a, take());
        if (acted.journey === D90) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(acted).toMatchObject({ outcome: "acted", journey: D90 });
      expect((await a.call("GET", "/metrics")).text).toContain(`kairos_kill_switch{kind="journey",name="${D90}"} 0`);

      // Both instances' decisions replay byte for byte.
      const replay = await replayStore(a.server.store as ServiceStore, engine);
      expect(replay.differences).toEqual([]);
      expect(replay.replayed).toBe(next);
      expect(replay.identical).toBe(next);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 180_000);
});
