// Issue 17's "done when": two instances on one PostgreSQL (a throwaway cluster the test starts) run
// a canary of a new version under load and roll it back — once by hand, once automatically when
// the canary breaches its error budget — and every decision is attributed to the version that
// made it, with none lost or doubled:
// - every request is answered 200, each event is decided once (a second send to the other instance
//   gets the same decision), and the log holds exactly one entry per event and verifies;
// - a decision's recorded artifact is the version that decided it: v2 differs from v1 only in its
//   email template, so an acted decision's template says which version acted, and it must agree
//   with `artifact` in the answer, in the store's decision and in the log entry;
// - v2 decided only for subjects in the canary's buckets, and only under the canary's generation;
//   the log entry's `rollout` member names that generation and the subject's arm; entries without
//   it (before the start, after the rollback) were decided by v1;
// - after both instances applied the rollback, no decision is v2's.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { publishArtifactFiles } from "../../server/registry.ts";
import { bucketOf, inCanary } from "../../server/rollout/bucket.ts";
import { verifyStoreLog } from "../../server/store/index.ts";
import type { SqlStore } from "../../server/store/sql-store.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { compiledEngine, policySources, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { CUSTOMER, RENEWAL_CONSENT, startTestServer, type Answer, type TestServer } from "./helpers.ts";

const NOW = "2026-05-30T12:00:00Z";
let pg: TestPostgres;
const dirs: string[] = [];

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The spec set with the day-90 reminder's template renamed: v2 acts like v1, with another template. */
async function v2(): Promise<Awaited<ReturnType<typeof compiledEngine>>> {
  const sources = policySources(SPEC_POLICY_DIR);
  const journeys = Object.fromEntries(sources.journeys.map((j) => [j.name, j.text.replace('template: "renewal-d90"', 'template: "renewal-d90-v2"')]));
  expect(Object.values(journeys).join("\n")).toContain("renewal-d90-v2");
  return compiledEngine(SPEC_POLICY_DIR, journeys);
}

async function twoInstances(): Promise<[TestServer, TestServer]> {
  const url = await pg.createDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "kairos-pg-rollout-"));
  dirs.push(dataDir);
  const a = await startTestServer({ store: url, dataDir, clock: "request" });
  const b = await startTestServer({ store: url, dataDir, clock: "request" });
  return [a, b];
}

/** A daily event; each subject's first one acts (the day-90 reminder, cap 1 per 30 days), unless held out. */
function daily(subject: string, id: string): Record<string, unknown> {
  return { event: { type: "daily", id }, subject, region: "eu", now: NOW, context: CUSTOMER };
}

/** Waits until every instance decides with generation `g` (polling, bounded). */
async function applied(instances: readonly TestServer[], g: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const views = await Promise.all(instances.map((t) => t.call("GET", "/v1/rollout")));
    if (views.every((v) => v.status === 200 && v.json.instance.generation >= g)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the instances did not apply generation ${g} within 10 s`);
}

interface Sent {
  readonly subject: string;
  readonly event: string;
  readonly answer: Answer;
}

/** Sends one round (one event per subject) across both instances, 16 at a time. */
async function round(instances: readonly TestServer[], subjects: readonly string[], r: number, into: Sent[]): Promise<void> {
  for (let i = 0; i < subjects.length; i += 16) {
    const batch = subjects.slice(i, i + 16);
    const answers = await Promise.all(batch.map((s, j) => instances[(i + j + r) % 2]!.call("POST", "/v1/decisions", daily(s, `r${r}`))));
    for (const [j, s] of batch.entries()) into.push({ subject: s, event: `r${r}`, answer: answers[j]! });
  }
}

interface Entry {
  readonly decision_id: string;
  readonly artifact: string;
  readonly action?: { readonly params: { readonly template?: string } };
  readonly rollout?: { readonly generation: number; readonly arm: string };
}

async function logEntries(store: ServiceStore): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const h of await store.heads()) {
    for (let from = 1; from <= h.seq; from += 1000) for (const line of await store.logLines(h.shard, from, 1000)) out.push(JSON.parse(line) as Entry);
  }
  return out;
}

/** The version an acted decision's template shows (undefined when it did not act). */
function templateVersion(template: string | undefined): "v1" | "v2" | undefined {
  return template === "renewal-d90" ? "v1" : template === "renewal-d90-v2" ? "v2" : undefined;
}

/**
 * Checks the run: nothing lost or doubled, every decision attributed to the version that made it.
 * Returns the decisions per version.
 */
async function checkAttribution(
  a: TestServer,
  sent: readonly Sent[],
  hashes: { readonly v1: string; readonly v2: string },
  canary: { readonly generation: number; readonly salt: string; readonly percent: number },
): Promise<{ v1: number; v2: number }> {
  const store = a.server.store as ServiceStore;
  expect(sent.filter((s) => s.answer.status !== 200).map((s) => s.answer.text)).toEqual([]);
  // One decision per event: a resend to the other instance answered with the first decision.
  const byEvent = new Map<string, string>();
  for (const s of sent) {
    const key = `${s.subject}/${s.event}`;
    const known = byEvent.get(key);
    if (known === undefined) byEvent.set(key, s.answer.json.decision_id);
    else expect(s.answer.json.decision_id, key).toBe(known);
  }
  const entries = await logEntries(store);
  const logged = new Map(entries.map((e) => [e.decision_id, e]));
  expect(logged.size).toBe(entries.length); // no entry twice
  const decided = new Set(byEvent.values());
  for (const id of decided) expect(logged.has(id), `decision ${id} is in the log`).toBe(true);
  const verified = await verifyStoreLog(store as unknown as SqlStore);
  expect(verified.ok, JSON.stringify(verified.shards.map((s) => s.problem))).toBe(true);

  const count = { v1: 0, v2: 0 };
  const subjectOf = new Map(sent.map((s) => [s.answer.json.decision_id as string, s.subject]));
  for (const id of decided) {
    const entry = logged.get(id)!;
    const subject = subjectOf.get(id)!;
    const version = entry.artifact === hashes.v1 ? "v1" : entry.artifact === hashes.v2 ? "v2" : undefined;
    expect(version, `decision ${id}: artifact ${entry.artifact}`).toBeDefined();
    count[version!]++;
    // The answer, the store's decision and the log agree on the version.
    const answer = sent.find((s) => s.answer.json.decision_id === id)!.answer.json;
    expect(answer.artifact).toBe(entry.artifact);
    expect((await store.getDecision(id))?.decision.artifact).toBe(entry.artifact);
    // What the decision did shows which version made it.
    const shown = templateVersion(entry.action?.params.template);
    if (shown !== undefined) expect(shown, `decision ${id}`).toBe(version);
    // v2 decides only for the canary's subjects, under the canary's generation and arm.
    const inIt = inCanary(bucketOf(canary.salt, subject), canary.percent);
    if (version === "v2") {
      expect(inIt, `${subject} is in the canary`).toBe(true);
      expect(entry.rollout).toEqual({ generation: canary.generation, arm: "canary" });
    } else if (entry.rollout !== undefined) {
      expect(entry.rollout.generation).toBe(canary.generation);
      expect(entry.rollout.arm).toBe("stable");
      expect(inIt, `${subject} is outside the canary`).toBe(false);
    }
  }
  return count;
}

describe("a canary on two instances sharing one PostgreSQL", () => {
  let a: TestServer;
  let b: TestServer;
  let hashes: { v1: string; v2: string };
  const subjects = Array.from({ length: 64 }, (_, i) => `rc-${i}`);

  beforeAll(async () => {
    [a, b] = await twoInstances();
    const next = await v2();
    hashes = { v1: a.server.engine.hash, v2: next.engine.hash };
    expect(hashes.v2).not.toBe(hashes.v1);
    await publishArtifactFiles(a.server.store as ServiceStore, next.files, { version: "v2", by: "release-bot" });
    for (const s of subjects) expect((await a.call("POST", `/v1/subjects/${s}/consents`, { records: [RENEWAL_CONSENT] })).status).toBe(201);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  test("rolled back by hand under load: every decision attributed to the right version, none lost or doubled", async () => {
    const sent: Sent[] = [];
    const before = await a.call("GET", "/v1/rollout");
    expect(before.status).toBe(200);
    const g0 = before.json.rollout.generation as number;
    await round([a, b], subjects, 0, sent);
    // Start the canary while the next rounds run.
    const load1 = (async () => {
      for (let r = 1; r <= 4; r++) await round([a, b], subjects, r, sent);
    })();
    const started = await a.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", percent: 40, by: "Dana", reason: "new template" });
    expect(started.status, started.text).toBe(200);
    const canary = { generation: started.json.rollout.generation as number, salt: started.json.rollout.salt as string, percent: 40 };
    expect(canary.generation).toBe(g0 + 1);
    await load1;
    await applied([a, b], canary.generation);
    // Under the canary on both instances: new subjects' first events act with the version of their bucket.
    const fresh = Array.from({ length: 48 }, (_, i) => `rc-new-${i}`);
    for (const s of fresh) expect((await b.call("POST", `/v1/subjects/${s}/consents`, { records: [RENEWAL_CONSENT] })).status).toBe(201);
    await round([a, b], [...subjects, ...fresh], 5, sent);
    // Roll back while the next rounds run.
    const load2 = (async () => {
      for (let r = 6; r <= 8; r++) await round([a, b], [...subjects, ...fresh], r, sent);
    })();
    const rolledBack = await b.call("POST", "/v1/rollout/rollback", { by: "Dana", reason: "complaints from the call centre" });
    expect(rolledBack.status, rolledBack.text).toBe(200);
    expect(rolledBack.json.rollout.mode).toBe("none");
    await load2;
    await applied([a, b], canary.generation + 1);
    const late = Array.from({ length: 32 }, (_, i) => `rc-late-${i}`);
    for (const s of late) expect((await a.call("POST", `/v1/subjects/${s}/consents`, { records: [RENEWAL_CONSENT] })).status).toBe(201);
    const after: Sent[] = [];
    await round([a, b], [...subjects, ...fresh, ...late], 9, after);
    // Every event of rounds 1–4 again, to the other instance: the same decisions, nothing new.
    const resent: Sent[] = [];
    await round([b, a], subjects, 1, resent);
    sent.push(...after, ...resent);

    const count = await checkAttribution(a, sent, hashes, canary);
    expect(count.v2).toBeGreaterThan(0); // the canary decided
    expect(count.v1).toBeGreaterThan(count.v2);
    // After both applied the rollback nothing is v2's, though canary subjects were decided.
    expect(after.filter((s) => s.answer.json.artifact !== hashes.v1)).toEqual([]);
    expect(after.some((s) => inCanary(bucketOf(canary.salt, s.subject), 40))).toBe(true);
    // v2's acted decisions used v2's template (the canary really ran v2).
    const v2Answers = sent.filter((s) => s.answer.json.artifact === hashes.v2).map((s) => s.answer.json);
    expect(
      v2Answers.some((d) => d.action?.params?.template === "renewal-d90-v2"),
      JSON.stringify(v2Answers.slice(0, 3).map((d) => [d.outcome, d.journey, d.evaluations?.map((e: any) => [e.journey, e.outcome, e.reasons])])),
    ).toBe(true);
    // The history records who did what, and answers which version was in force when.
    const history = await a.call("GET", "/v1/rollout/history");
    const changes = (history.json.history as { generation: number; action: string; by: string }[]).filter((h) => h.generation > g0);
    expect(changes.map((h) => [h.action, h.by])).toEqual([
      ["start", "Dana"],
      ["rollback", "Dana"],
    ]);
  });

  test("rolled back automatically when the canary breaches its latency budget, with the reason recorded", async () => {
    const sent: Sent[] = [];
    const started = await a.call("POST", "/v1/rollout", {
      candidate: "v2",
      mode: "canary",
      percent: 50,
      by: "Dana",
      reason: "second try",
      // No decision takes less than a microsecond: the budget is breached once 20 canary decisions are in.
      budget: { max_p99_ms: 0.001, min_decisions: 20 },
    });
    expect(started.status, started.text).toBe(200);
    const canary = { generation: started.json.rollout.generation as number, salt: started.json.rollout.salt as string, percent: 50 };
    await applied([a, b], canary.generation);
    const subjectsHere = Array.from({ length: 96 }, (_, i) => `ar-${i}`);
    for (const s of subjectsHere) expect((await a.call("POST", `/v1/subjects/${s}/consents`, { records: [RENEWAL_CONSENT] })).status).toBe(201);
    let rolledBack: any;
    for (let r = 0; r < 40 && rolledBack === undefined; r++) {
      await round([a, b], subjectsHere, 100 + r, sent);
      const now = await a.call("GET", "/v1/rollout");
      if (now.json.rollout.generation > canary.generation) rolledBack = now.json.rollout;
    }
    expect(rolledBack, "the canary was rolled back").toBeDefined();
    expect(rolledBack.action).toBe("auto_rollback");
    expect(rolledBack.by).toBe("auto-rollback");
    expect(rolledBack.mode).toBe("none");
    expect(rolledBack.reason).toMatch(/p99/);
    await applied([a, b], rolledBack.generation);
    const after: Sent[] = [];
    await round([a, b], subjectsHere, 999, after);
    sent.push(...after);
    expect(after.filter((s) => s.answer.json.artifact !== hashes.v1)).toEqual([]);
    const count = await checkAttribution(a, sent, hashes, canary);
    expect(count.v2).toBeGreaterThanOrEqual(1);
  });
});
