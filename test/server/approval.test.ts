// `kairos serve` and DPO approvals (docs/approvals.md#serving): a journey that needs an approval is
// active only when a trusted, valid record covers it as it is now; the service never selects an
// inactive one (a request that would have chosen it decides without it), each logged decision of
// an approved journey names its approval, the gauges say what is inactive, an artifact directory
// uses the approvals given with it (none: inactive), and a broken trust list stops the start.
// A real compile of a copy of the spec's example policy set, real keys, a real service on SQLite.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readPolicyDir, writeArtifactDir, compilePolicyDir } from "../../compiler/node/index.ts";
import { checkSources } from "../../compiler/pipeline.ts";
import type { ApprovalRecord } from "../../core/approval.ts";
import { journeyActivation, registerActivationMetrics } from "../../server/activation.ts";
import { approveProgram } from "../../server/approval-check.ts";
import { newApproverKey, readApproverKey } from "../../server/approvals.ts";
import { loadArtifact, StartError } from "../../server/artifact.ts";
import { exportStoreLog } from "../../server/store/index.ts";
import { loadEngine } from "../../runtime/load.ts";
import { piiLookupOf } from "../../runtime/log/pseudonymize.ts";
import { replayLog } from "../../runtime/log/replay.ts";
import { openLog, TEST_KEY } from "../log/helpers.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { startTestServer } from "./helpers.ts";

const KAIROS = join(import.meta.dirname, "../../bin/kairos.js");
const root = mkdtempSync(join(tmpdir(), "kairos-serve-approval-"));
const dir = join(root, "policies");
let record: ApprovalRecord;

const NOW = "2026-03-02T10:00:00Z";
const NEGATIVE = [
  { at: "2026-02-20T10:00:00Z", channel: "email", sentiment: "negative" },
  { at: "2026-02-21T10:00:00Z", channel: "chat", sentiment: "negative" },
];
const ticket = (subject: string, id: string, csat: number) => ({
  event: { type: "ticket.resolved", id, payload: { ticket_id: id, csat } },
  subject,
  region: "eu",
  now: NOW,
  context: { customer: { segment: "retail", recent_interactions: NEGATIVE } },
});

beforeAll(() => {
  cpSync(SPEC_POLICY_DIR, dir, { recursive: true });
  const keyFile = join(root, "dpo.key");
  const pub = newApproverKey(keyFile);
  writeFileSync(join(dir, "approvers.yaml"), `approvers:\n  - { name: "Dana Scholz", key: "${pub}" }\n`);
  const read = readPolicyDir(dir);
  const program = checkSources(read.sources!).program!;
  // Only one of the two high-risk journeys is approved.
  record = approveProgram(program, {
    home: dir,
    journeys: ["service_recovery"],
    approver: "Dana Scholz",
    privateKey: readApproverKey(keyFile).privateKey,
  }).record;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a served policy set", () => {
  test("activates the approved journey, never selects the unapproved one, and names the approval in the log", async () => {
    const loaded = await loadArtifact(dir);
    expect(loaded.activation.journeys.filter((j) => !j.active).map((j) => j.subject.id)).toEqual(["repeated_negative_interactions"]);
    expect(journeyActivation(loaded.engine, "service_recovery")).toEqual({ active: true, approval: record.id });
    expect(journeyActivation(loaded.engine, "repeated_negative_interactions")).toEqual({ active: false });
    // What the engine hands to the log: the approval of the winner, and the journeys left out.
    const direct = await loaded.engine.decideRecord({ ...ticket("s-0", "T-0", 1), consents: [], objections: [], history: [] });
    expect(direct.entry).toMatchObject({ journey: "service_recovery", approval: record.id, inactive: ["repeated_negative_interactions"] });
    const none = await loaded.engine.decideRecord({ ...ticket("s-0", "T-00", 4), consents: [], objections: [], history: [] });
    expect(none.entry.outcome).toBe("no_match");
    expect(none.entry).not.toHaveProperty("approval");
    expect(none.entry.inactive).toEqual(["repeated_negative_interactions"]);
    const t = await startTestServer({ artifact: loaded.engine, clock: "request" });
    try {
      registerActivationMetrics(t.server.metrics.registry, loaded.activation);
      // A bad rating: the approved journey wins; the other is not even a candidate.
      const first = (await t.call("POST", "/v1/decisions", ticket("s-1", "T-1", 1))).json;
      expect(first).toMatchObject({ outcome: "pending_review", journey: "service_recovery" });
      expect(first.evaluations.map((e: { journey: string }) => e.journey)).toEqual(["service_recovery"]);
      // Two negative interactions and a good rating: only the inactive journey would have matched.
      const second = (await t.call("POST", "/v1/decisions", ticket("s-2", "T-2", 4))).json;
      expect(second.outcome).toBe("no_match");
      expect(second.evaluations.map((e: { journey: string }) => e.journey)).toEqual(["service_recovery"]);

      const ready = (await t.call("GET", "/readyz")).json;
      expect(ready.journeys).toEqual({
        approved: { service_recovery: record.id },
        inactive: [{ journey: "repeated_negative_interactions", why: "it is `risk high`; no approval names it" }],
        refused: [],
      });

      const metrics = (await t.call("GET", "/metrics")).text;
      expect(metrics).toContain("kairos_journeys_inactive 1");
      expect(metrics).toContain('kairos_journey_active{journey="repeated_negative_interactions"} 0');
      expect(metrics).toContain('kairos_journey_active{journey="service_recovery"} 1');

      const file = join(root, "exported.log");
      await exportStoreLog(t.server.store as ServiceStore, 0, file);
      const entries = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { approval?: string; decision_id?: string; id?: string });
      const byDecision = (id: string) => entries.find((e) => JSON.stringify(e).includes(id))!;
      expect(byDecision(first.decision_id).approval).toBe(record.id);
      expect(byDecision(second.decision_id)).not.toHaveProperty("approval");
    } finally {
      await t.close();
    }
  });

  test("the log lists the journeys left inactive, and a replay with the whole artifact decides without them", async () => {
    const loaded = await loadArtifact(dir);
    const compiled = await compilePolicyDir(dir);
    if (!("artifact" in compiled) || !compiled.artifact) throw new Error("the policy set does not compile");
    const whole = await loadEngine(compiled.artifact.files);
    const file = join(root, "replayed.log");
    const log = openLog(file, { pii: piiLookupOf(whole.catalog), journeys: whole.predicates.journeys.map((j) => j.meta) });
    // Only the inactive journey would have matched this one: the service decided `no_match`.
    const r = await loaded.engine.decideRecord({ ...ticket("s-r", "T-r", 4), consents: [], objections: [], history: [] });
    expect(r.decision.outcome).toBe("no_match");
    log.append(r.entry);
    log.close();
    const [line] = readFileSync(file, "utf8").trim().split("\n");
    expect(JSON.parse(line!)).toMatchObject({ outcome: "no_match", inactive: ["repeated_negative_interactions"] });
    // The whole artifact would act on it; replay leaves the inactive journey out, as the service did.
    expect((await whole.decideRecord({ ...ticket("s-r", "T-r", 4), consents: [], objections: [], history: [] })).decision.journey).toBe(
      "repeated_negative_interactions",
    );
    expect(await replayLog(file, whole, TEST_KEY)).toMatchObject({ replayed: 1, identical: 1, differences: [] });
  });

  test("left as it is when no journey needs an approval", async () => {
    const plain = join(root, "plain");
    cpSync(SPEC_POLICY_DIR, plain, { recursive: true });
    writeFileSync(
      join(plain, "journeys/service.journey"),
      readFileSync(join(plain, "journeys/service.journey"), "utf8").replaceAll("risk     high", "risk     low"),
    );
    const loaded = await loadArtifact(plain);
    expect(loaded.activation.journeys.every((j) => j.active && j.state.status === "not-needed")).toBe(true);
    expect(journeyActivation(loaded.engine, "service_recovery")).toEqual({ active: true });
    // The engine as loaded: not rebuilt, its decisions not wrapped.
    expect(Object.hasOwn(loaded.engine, "decideRecord")).toBe(false);
    expect(Object.hasOwn((await loadArtifact(dir)).engine, "decideRecord")).toBe(true);
  });

  test("deactivates an approved journey once it changes", async () => {
    const changed = join(root, "changed");
    cpSync(dir, changed, { recursive: true });
    const path = join(changed, "journeys/service.journey");
    writeFileSync(path, readFileSync(path, "utf8").replace("event.csat <= 2", "event.csat <= 3"));
    const loaded = await loadArtifact(changed);
    const j = loaded.activation.journeys.find((x) => x.subject.id === "service_recovery")!;
    expect(j.active).toBe(false);
    expect(j.state.status === "unapproved" && j.state.why).toContain("approved other content");
  });
});

describe("a review verdict", () => {
  test("acts only for a journey that is active now, and names its approval in the log", async () => {
    const dataDir = mkdtempSync(join(root, "reviews-"));
    const approved = await loadArtifact(dir);
    let t = await startTestServer({ artifact: approved.engine, clock: "request", dataDir });
    let id: string;
    try {
      const pending = (await t.call("POST", "/v1/decisions", ticket("s-r", "T-R", 1))).json;
      expect(pending).toMatchObject({ outcome: "pending_review", journey: "service_recovery" });
      id = pending.decision_id;
    } finally {
      await t.close();
    }
    // The same store, served without the approval: the journey is inactive, its review cannot act.
    const none = await loadArtifact(dir, {}, { approvals: mkdtempSync(join(root, "no-approvals-")) });
    t = await startTestServer({ artifact: none.engine, clock: "request", dataDir });
    try {
      const refused = await t.call("POST", `/v1/reviews/${id}`, { verdict: "approve", reviewer: "agent-7", now: NOW });
      expect(refused.status).toBe(409);
      expect(refused.json.error.code).toBe("journey_inactive");
    } finally {
      await t.close();
    }
    t = await startTestServer({ artifact: approved.engine, clock: "request", dataDir });
    try {
      const ok = await t.call("POST", `/v1/reviews/${id}`, { verdict: "approve", reviewer: "agent-7", now: NOW });
      expect(ok.status, ok.text).toBe(200);
      const file = join(root, "reviews.log");
      await exportStoreLog(t.server.store as ServiceStore, 0, file);
      const last = JSON.parse(readFileSync(file, "utf8").trim().split("\n").pop()!) as { approval?: string; decision_id: string };
      expect(last.decision_id).toBe(ok.json.decision.decision_id);
      expect(last.approval).toBe(record.id);
    } finally {
      await t.close();
    }
  });
});

describe("a served artifact directory", () => {
  test("activates journeys that need an approval only with the approvals given", async () => {
    const compiled = await compilePolicyDir(dir);
    if ("usage" in compiled || !compiled.artifact) throw new Error("does not compile");
    const out = join(root, "artifact");
    writeArtifactDir(out, compiled.artifact.files);
    const bare = await loadArtifact(out);
    expect(bare.activation.journeys.filter((j) => !j.active).map((j) => j.subject.id)).toEqual(["repeated_negative_interactions", "service_recovery"]);
    const given = await loadArtifact(out, {}, { approvals: dir });
    expect(given.activation.journeys.filter((j) => !j.active).map((j) => j.subject.id)).toEqual(["repeated_negative_interactions"]);
    expect(given.engine.hash).toBe(bare.engine.hash);
  });

  test("an approvals directory that does not exist, or a broken approvers.yaml, stops the start", async () => {
    await expect(loadArtifact(dir, {}, { approvals: join(root, "missing") })).rejects.toMatchObject({ code: "start/no-approvals" });
    const broken = join(root, "broken");
    cpSync(dir, broken, { recursive: true });
    writeFileSync(join(broken, "approvers.yaml"), "approvers: nobody\n");
    const e = await loadArtifact(broken).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StartError);
    expect(e).toMatchObject({ code: "approvals/bad-approvers" });
  });
});

describe("kairos serve", () => {
  test("lists the inactive journeys at its start, each with the command that approves it", async () => {
    const proc = spawn(process.execPath, [KAIROS, "serve", dir, "--data-dir", join(root, "data"), "--listen", "127.0.0.1:0", "--quiet"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${err}`)), 60_000);
      proc.stderr.on("data", (d: Buffer) => {
        err += d.toString();
        if (/\n {2}tokens: .*\n/.test(err)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`kairos serve exited with ${code}:\n${err}`));
      });
    });
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(err).toContain(`  approvals: 1 journey approved, 1 inactive (from ${dir})`);
    expect(err).toContain(`    active:   service_recovery (approval ${record.id})`);
    expect(err).toContain("    INACTIVE: repeated_negative_interactions: it is `risk high`; no approval names it");
    expect(err).toContain(`approve it: kairos approve ${dir} --journey repeated_negative_interactions --approver NAME --key FILE`);
  });
});
