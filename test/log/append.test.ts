import { createHash, createHmac } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../runtime/canonical-json.ts";
import { GENESIS, decisionOf, findDecision, lastEntries, loadLogKey, verifyLog, type LogEntry } from "../../runtime/log/index.ts";
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { TEST_KEY, openLog, readLines, tempDir, writeLog } from "./helpers.ts";

const HMAC = /^hmac:[0-9a-f]{16}$/;

function entries(path: string): LogEntry[] {
  return readLines(path).map((l) => JSON.parse(l) as LogEntry);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

describe("decision log: append and verify", () => {
  it("chains entries 1..n by hash and verifies them", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 9);
    const es = entries(path);
    expect(es.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(es[0]!.prev).toBe(GENESIS);
    for (let i = 1; i < es.length; i++) expect(es[i]!.prev).toBe(es[i - 1]!.hash);
    const r = verifyLog(path);
    expect(r).toMatchObject({ ok: true, entries: 9, head: { seq: 9, hash: es[8]!.hash } });
    expect(r.firstBad).toBeUndefined();
  });

  it("writes each entry as canonical JSON whose hash covers every member but `hash`", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 4);
    for (const line of readLines(path)) {
      const entry = JSON.parse(line) as LogEntry;
      expect(line).toBe(canonicalJson(entry));
      const { hash, ...rest } = entry;
      expect(sha256(canonicalJson(rest))).toBe(hash);
      expect(line.startsWith('{"$kairos":"decision-log/1",')).toBe(true);
    }
  });

  it("records the decision time, request, policies, basis, outcome and evaluations", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 1);
    const [e] = entries(path);
    const sample = SAMPLES[0]!;
    expect(e).toMatchObject({
      at: "2026-05-30T09:00:00Z",
      decision_id: "d-0001",
      artifact: sample.decision.artifact,
      outcome: "acted",
      basis: "consent",
      action: sample.decision.action,
      request: { event: { type: "daily", id: "daily-2026-05-30" }, now: "2026-05-30T09:00:00Z", region: "eu" },
      policies: { rego: { "rego/consent.rego": "44".repeat(32) } },
      consents: [{ purpose: "renewal_marketing", channel: "email", status: "granted", source: "web-preferences" }],
    });
    expect(e!.evaluations.map((x) => [x.journey, x.outcome])).toEqual([["renewal_reminder_d90", "acted"], ["onboarding_nudge", "suppressed"]]);
    expect(e!.context).toEqual({
      "customer.tenure_months": 14,
      "customer.timezone": "Europe/Lisbon",
      "onboarding.completed_steps": 3,
      "onboarding.last_progress_at": "2026-05-20T10:00:00Z",
      "onboarding.total_steps": 5,
      "policy.renewal_date": "2026-08-28",
      "policy.status": "active",
    });
  });

  it("pseudonymizes the subject and PII values with a keyed HMAC, keeping everything else", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 4);
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain("cust-42");
    expect(text).not.toContain("cust-77");
    expect(text).not.toContain("ana.lima@corp.example");
    const pii = entries(path)[2]!;
    const expected = "hmac:" + createHmac("sha256", TEST_KEY.bytes).update("ana.lima@corp.example").digest("hex").slice(0, 16);
    expect(pii.context["customer.email"]).toBe(expected);
    expect(pii.request.subject).toMatch(HMAC);
    expect(pii.objections[0]!.subject).toBe(pii.request.subject);
    const trace = new Map(pii.evaluations[0]!.trace.map(([id, v]) => [id, v]));
    expect(trace.get(2)).toBe(expected); // `customer.email` in `when`
    expect(trace.get(7)).toBe(expected); // `customer.email` in `reason`
    expect(trace.get(1)).toBe(true); // a boolean computed from PII stays: it is the logic
    expect(trace.get(6)).toBe("negative"); // the quantifier over a non-PII list is kept
    expect(pii.explanation).toBe(`We are following up with ${expected} because your last conversation with us went badly.`);
    expect(pii.context["customer.timezone"]).toBe("Europe/Lisbon");
  });

  it("gives the same person the same pseudonym across entries, and a different one under another key", () => {
    const dir = tempDir();
    writeLog(join(dir, "a.log"), 3);
    writeLog(join(dir, "b.log"), 3, { key: { bytes: new Uint8Array(Buffer.from("another-key-of-enough-length")), id: "other", source: "test" } });
    const a = entries(join(dir, "a.log"));
    const b = entries(join(dir, "b.log"));
    expect(a[0]!.request.subject).toBe(a[1]!.request.subject);
    expect(a[0]!.request.subject).not.toBe(b[0]!.request.subject);
  });

  it("continues the chain after the log is reopened", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 3);
    const log = openLog(path);
    expect(log.head.seq).toBe(3);
    const e = log.append(sinkEntry(SAMPLES[1]!, { decision_id: "d-again" }));
    log.close();
    expect(e.seq).toBe(4);
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 4, head: { hash: e.hash } });
  });

  it("stores a journey's metadata once per writer and finds it again for later entries", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 8);
    const es = entries(path);
    expect(Object.keys(es[0]!.meta ?? {})).toEqual(["onboarding_nudge", "renewal_reminder_d90"]);
    expect(es[4]!.meta).toBeUndefined(); // sample 0 again: already logged
    const [found] = findDecision(path, "d-0005");
    expect(found?.intact).toBe(true);
    expect([...found!.journeys.keys()].sort()).toEqual(["onboarding_nudge", "renewal_reminder_d90"]);
    expect(found!.journeys.get("renewal_reminder_d90")?.nodes[0]?.text).toContain("policy.status");
  });

  it("returns the decision inside an entry without the log's own members", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 2);
    const d = decisionOf(entries(path)[1]!);
    expect(Object.keys(d).sort()).toEqual(Object.keys(SAMPLES[1]!.decision).sort());
    expect(d.outcome).toBe("pending_review");
  });

  it("under the batch fsync policy still writes a complete, valid log once closed", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 25, { fsync: "batch", batchSize: 7 });
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 25 });
  });

  it("lists the last entries in log order", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 6);
    expect(lastEntries(path, 3).map((e) => e.decision_id)).toEqual(["d-0004", "d-0005", "d-0006"]);
    expect(lastEntries(path, 10)).toHaveLength(6);
  });
});

describe("decision log: the pseudonymization key", () => {
  it("creates `<log>.key` with mode 0600 on first use and reuses it", () => {
    const path = join(tempDir(), "decisions.log");
    const first = loadLogKey(path, {});
    expect(existsSync(`${path}.key`)).toBe(true);
    expect(statSync(`${path}.key`).mode & 0o777).toBe(0o600);
    expect(loadLogKey(path, {}).id).toBe(first.id);
    expect(first.source).toBe(`${path}.key`);
  });

  it("prefers KAIROS_LOG_KEY and records which key made the pseudonyms", () => {
    const path = join(tempDir(), "decisions.log");
    const key = loadLogKey(path, { KAIROS_LOG_KEY: "a-secret-from-the-vault" });
    expect(key.source).toBe("KAIROS_LOG_KEY");
    expect(existsSync(`${path}.key`)).toBe(false);
    writeLog(path, 1, { key });
    expect(entries(path)[0]!.key_id).toBe(key.id);
    expect(key.id).toBe(sha256("a-secret-from-the-vault").slice(0, 16));
  });

  it("refuses to extend a log under another key than the one its entries were made with", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 2);
    expect(() => openLog(path, { key: { ...TEST_KEY, bytes: new Uint8Array(Buffer.from("a-different-key-for-this-log")), id: "other" } })).toThrow(
      /pseudonymized with key test, but the key from test is other/,
    );
  });

  it("refuses a short key and a key file others can read", async () => {
    const path = join(tempDir(), "decisions.log");
    expect(() => loadLogKey(path, { KAIROS_LOG_KEY: "short" })).toThrow(/shorter than 16/);
    loadLogKey(path, {});
    const { chmodSync } = await import("node:fs");
    chmodSync(`${path}.key`, 0o644);
    expect(() => loadLogKey(path, {})).toThrow(/can be read by other users/);
  });
});

describe("pseudonyms", () => {
  it("are HMAC-SHA256 under the log key, whatever the key length and value", async () => {
    const { createHmac } = await import("node:crypto");
    const fc = await import("fast-check");
    const { Pseudonymizer } = await import("../../runtime/log/pseudonymize.ts");
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 130 }), fc.string(), (key, value) => {
        const expected = "hmac:" + createHmac("sha256", key).update(value).digest("hex").slice(0, 16);
        return new Pseudonymizer(key).of(value) === expected;
      }),
    );
  });
});
