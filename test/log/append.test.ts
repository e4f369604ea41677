import { createHash, createHmac } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../core/canonical-json.ts";
import {
  DecisionLog,
  GENESIS,
  LogError,
  decisionOf,
  findDecision,
  lastEntries,
  loadLogKey,
  parseKey,
  verifyLog,
  type LogEntry,
} from "../../runtime/log/index.ts";
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { TEST_INTEGRITY_KEY, TEST_KEY, openLog, readLines, tempDir, writeLog } from "./helpers.ts";

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

  it("writes each entry as canonical JSON whose hash covers every member but `hash` and `mac`, the committed ones by digest", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 4);
    for (const line of readLines(path)) {
      const entry = JSON.parse(line) as LogEntry;
      expect(line).toBe(canonicalJson(entry));
      const { hash, mac, ...rest } = entry;
      // Computed here from the documented rule, independently of the writer's code.
      const committed = { ...rest, context: `sha256:${sha256(canonicalJson(rest.context))}`, sealed: `sha256:${sha256(canonicalJson(rest.sealed))}` };
      expect(sha256(canonicalJson(committed))).toBe(hash);
      expect(mac).toBe(createHmac("sha256", TEST_INTEGRITY_KEY.bytes).update(`kairos decision-log/2 entry ${hash}`).digest("hex"));
      expect(entry.ikey_id).toBe(TEST_INTEGRITY_KEY.id);
      expect(line.startsWith('{"$kairos":"decision-log/2",')).toBe(true);
    }
  });

  it("keeps `policies` once per artifact: in the first entry, found again for later ones", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 3);
    const es = entries(path);
    expect(es[0]!.policies).toBeDefined();
    expect(es[1]!.policies).toBeUndefined();
    const [found] = findDecision(path, "d-0003");
    expect(found!.entry.policies).toEqual(es[0]!.policies);
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
      request: { event: { type: "daily" }, now: "2026-05-30T09:00:00Z", region: "eu" },
      policies: { rego: { "rego/consent.rego": "44".repeat(32) } },
      consents: [{ purpose: "renewal_marketing", channel: "email", status: "granted", source: "web-preferences" }],
    });
    expect(e!.request.event.id).toBe("hmac:" + createHmac("sha256", TEST_KEY.bytes).update("daily-2026-05-30").digest("hex").slice(0, 16));
    expect(e!.evaluations.map((x) => [x.journey, x.outcome])).toEqual([
      ["renewal_reminder_d90", "acted"],
      ["onboarding_nudge", "suppressed"],
    ]);
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
    expect((pii.context as Record<string, unknown>)["customer.email"]).toBe(expected);
    expect(pii.request.subject).toMatch(HMAC);
    expect(pii.objections[0]!.subject).toBe(pii.request.subject);
    const trace = new Map(pii.evaluations[0]!.trace.map(([id, v]) => [id, v]));
    expect(trace.get(2)).toBe(expected); // `customer.email` in `when`
    expect(trace.get(7)).toBe(expected); // `customer.email` in `reason`
    expect(trace.get(1)).toBe(true); // a boolean computed from PII stays: it is the logic
    expect(trace.get(6)).toBe("negative"); // the quantifier over a non-PII list is kept
    expect(pii.explanation).toBe(`We are following up with ${expected} because your last conversation with us went badly.`);
    expect((pii.context as Record<string, unknown>)["customer.timezone"]).toBe("Europe/Lisbon");
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

describe("decision log: keys", () => {
  const HEX = "3f9c2a7e51d04b8a96e2c7f01d5a3b6c8e4f2a9d7c1b0e5f3a8d6c2b9e7f1a04";

  it("creates `<log>.key` and `<log>.integrity-key` (mode 0600) for a new log and reuses them", () => {
    const path = join(tempDir(), "decisions.log");
    const log = DecisionLog.open(path, { pii: () => "none", journeys: [], env: {}, onWarning: () => {} });
    log.close();
    for (const f of [`${path}.key`, `${path}.integrity-key`]) {
      expect(statSync(f).mode & 0o777).toBe(0o600);
      expect(readFileSync(f, "utf8").trim()).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(loadLogKey(path, { env: {} }).source).toBe(`${path}.key`);
    expect(loadLogKey(path, { env: {}, purpose: "integrity" }).id).not.toBe(loadLogKey(path, { env: {} }).id);
  });

  it("never creates a key for a log that already exists: a missing key is an error, and nothing is written", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 2);
    const before = readFileSync(path);
    expect(() => DecisionLog.open(path, { pii: () => "none", journeys: [], env: {}, onWarning: () => {} })).toThrow(
      /no pseudonymization key .* does not exist/,
    );
    expect(existsSync(`${path}.key`)).toBe(false);
    expect(existsSync(`${path}.integrity-key`)).toBe(false);
    expect(() => loadLogKey(path, { env: {} })).toThrow(LogError);
    expect(existsSync(`${path}.key`)).toBe(false);
    expect(readFileSync(path)).toEqual(before);
  });

  it("prefers KAIROS_LOG_KEY, records which key made the pseudonyms, and derives a key id that is not a plain hash of the key", () => {
    const path = join(tempDir(), "decisions.log");
    const key = loadLogKey(path, { env: { KAIROS_LOG_KEY: HEX } });
    expect(key.source).toBe("KAIROS_LOG_KEY");
    expect(existsSync(`${path}.key`)).toBe(false);
    writeLog(path, 1, { key });
    expect(entries(path)[0]!.key_id).toBe(key.id);
    expect(key.id).not.toBe(sha256(HEX).slice(0, 16));
    expect(key.id).not.toBe(createHash("sha256").update(Buffer.from(HEX, "hex")).digest("hex").slice(0, 16));
    expect(key.id).toBe(createHmac("sha256", Buffer.from(HEX, "hex")).update("kairos decision-log/2 key id: pseudonymization").digest("hex").slice(0, 16));
    // base64 of the same bytes is the same key
    expect(loadLogKey(path, { env: { KAIROS_LOG_KEY: Buffer.from(HEX, "hex").toString("base64") } }).id).toBe(key.id);
  });

  it("refuses to extend a log under another key than the one its entries were made with", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 2);
    expect(() => openLog(path, { key: { ...TEST_KEY, bytes: new Uint8Array(Buffer.from("a-different-key-for-this-log")), id: "other" } })).toThrow(
      /pseudonymized with key test, but the key from test is other/,
    );
    expect(() => openLog(path, { integrityKey: parseKey(HEX, "test", "integrity") })).toThrow(
      /authenticated with integrity key .* but the integrity key given is/,
    );
  });

  it("refuses keys that are not 32 random bytes, and a key file others can read", async () => {
    const path = join(tempDir(), "decisions.log");
    for (const weak of [
      "short",
      "aaaaaaaaaaaaaaaa",
      "a-secret-from-the-vault-of-32-ch",
      "a".repeat(64),
      "0123456789abcdef".repeat(4),
      Buffer.alloc(32, 7).toString("base64"),
    ]) {
      expect(() => loadLogKey(path, { env: { KAIROS_LOG_KEY: weak } }), weak).toThrow(LogError);
    }
    expect(() => loadLogKey(path, { env: { KAIROS_LOG_INTEGRITY_KEY: "aaaaaaaaaaaaaaaa" }, purpose: "integrity" })).toThrow(
      /32 bytes as 64 hex digits or base64/,
    );
    loadLogKey(path, { env: {}, create: true });
    const { chmodSync } = await import("node:fs");
    chmodSync(`${path}.key`, 0o644);
    expect(() => loadLogKey(path, { env: {} })).toThrow(/can be read by other users/);
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
