// Per-subject keys in the file log (docs/decision-log.md#per-subject-keys): a new log makes each
// subject's pseudonyms and seal under a key of its own, kept in `<log>.subject-keys` (mode 0600)
// under a keyed lookup; an existing log keeps the mode its entries show; a lost, torn or exposed
// key file is handled as the log's own key files are; shared writers agree on one key per subject.
import { chmodSync, existsSync, readFileSync, statSync, unlinkSync, writeFileSync, appendFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decisionOf,
  FileSubjectKeyring,
  Pseudonymizer,
  subjectKeysFileFor,
  subjectLookup,
  unsealRequest,
  verifyLog,
  type LogEntry,
} from "../../runtime/log/index.ts";
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { openLog, readLines, TEST_INTEGRITY_KEY, TEST_KEY, tempDir, writeLog } from "./helpers.ts";

const entries = (path: string): LogEntry[] => readLines(path).map((l) => JSON.parse(l) as LogEntry);

function record(subject: string, n: number) {
  const s = SAMPLES[n % SAMPLES.length]!;
  return sinkEntry({ ...s, request: { ...s.request, subject } }, { decision_id: `d-${subject}-${n}` });
}

describe("per-subject keys in the file log", () => {
  it("pseudonymizes and seals each subject under its own key, named by `subject_key`, found by a keyed lookup", () => {
    const path = join(tempDir(), "decisions.log");
    const log = openLog(path, { subjectKeys: true });
    for (const [i, s] of ["alice", "bob", "alice"].entries()) log.append(record(s, i));
    log.close();
    const file = subjectKeysFileFor(path);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("alice");
    expect(text).toContain(subjectLookup(TEST_KEY, "alice"));
    const ring = FileSubjectKeyring.open(path, TEST_KEY);
    const alice = ring.find("alice")!;
    const bob = ring.find("bob")!;
    expect(alice.id).not.toBe(bob.id);
    // Stored wrapped under the log key: the file alone opens nothing.
    expect(text).toContain(alice.id);
    expect(text).not.toContain(Buffer.from(alice.bytes).toString("hex"));
    expect(() => FileSubjectKeyring.open(path, TEST_INTEGRITY_KEY)).toThrow(expect.objectContaining({ code: "log/key-mismatch" }));
    const [a1, b1, a2] = entries(path);
    expect([a1!.subject_key, b1!.subject_key, a2!.subject_key]).toEqual([alice.id, bob.id, alice.id]);
    expect(a1!.request.subject).toBe(new Pseudonymizer(alice.bytes).of("alice"));
    expect(a1!.key_id).toBe(TEST_KEY.id);
    expect(unsealRequest(alice, a1!.sealed!).subject).toBe("alice");
    expect(() => unsealRequest(TEST_KEY, a1!.sealed!)).toThrow(/does not open/);
    // Verification needs only the integrity key, as before.
    expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY })).toMatchObject({ ok: true, authenticated: true, entries: 3 });
  });

  it("keeps the mode an existing log was written in, and refuses to switch it", () => {
    const dir = tempDir();
    const legacy = join(dir, "legacy.log");
    writeLog(legacy, 2, { subjectKeys: false });
    const log = openLog(legacy, { subjectKeys: undefined });
    log.append(record("carol", 2));
    log.close();
    expect(entries(legacy).every((e) => e.subject_key === undefined)).toBe(true);
    expect(existsSync(subjectKeysFileFor(legacy))).toBe(false);
    expect(() => openLog(legacy, { subjectKeys: true })).toThrow(/under the log key alone; it cannot be extended under per-subject keys/);

    const modern = join(dir, "modern.log");
    writeLog(modern, 2, { subjectKeys: true });
    openLog(modern, { subjectKeys: undefined }).close();
    expect(() => openLog(modern, { subjectKeys: false })).toThrow(expect.objectContaining({ code: "log/key-mismatch" }));
  });

  it("refuses to extend a per-subject log whose key file is lost or readable by others, and drops a torn last key line", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 2, { subjectKeys: true });
    const file = subjectKeysFileFor(path);
    const saved = readFileSync(file, "utf8");
    chmodSync(file, 0o644);
    expect(() => openLog(path, { subjectKeys: undefined })).toThrow(expect.objectContaining({ code: "log/key-permissions" }));
    unlinkSync(file);
    expect(() => openLog(path, { subjectKeys: undefined })).toThrow(expect.objectContaining({ code: "log/no-key" }));
    writeFileSync(file, saved, { mode: 0o600 });
    // A crash mid-append leaves part of a key line: its entry was never written (keys are synced first).
    appendFileSync(file, '{"id":"0123","key":"ab');
    const log = openLog(path, { subjectKeys: undefined });
    log.append(record("dave", 3));
    log.close();
    expect(readFileSync(file, "utf8").startsWith(saved)).toBe(true);
    expect(readFileSync(file, "utf8")).not.toContain('"key":"ab{');
    expect(FileSubjectKeyring.open(path, TEST_KEY).find("dave")).toBeDefined();
    expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY })).toMatchObject({ ok: true, entries: 3 });
  });

  it("gives one key per subject to shared writers appending in turn", () => {
    const path = join(tempDir(), "decisions.log");
    const a = openLog(path, { subjectKeys: true, shared: true });
    const b = openLog(path, { subjectKeys: true, shared: true });
    a.append(record("erin", 0));
    b.append(record("erin", 1));
    b.append(record("frank", 2));
    a.append(record("frank", 3));
    a.close();
    b.close();
    const keys = entries(path).map((e) => e.subject_key);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).toBe(keys[3]);
    expect(keys[0]).not.toBe(keys[2]);
    expect(readFileSync(subjectKeysFileFor(path), "utf8").trim().split("\n")).toHaveLength(3); // header + two subjects
  });

  it("writes the DPO approval that covered the decision as `approval`, outside the decision replay compares", () => {
    const path = join(tempDir(), "decisions.log");
    const log = openLog(path);
    log.append({ ...record("gina", 0), approval: "apr_0123abcd" } as ReturnType<typeof record>);
    log.append(record("gina", 1));
    log.close();
    const [first, second] = entries(path);
    expect(first!.approval).toBe("apr_0123abcd");
    expect(second!.approval).toBeUndefined();
    expect(decisionOf(first!)).not.toHaveProperty("approval");
    expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY })).toMatchObject({ ok: true, entries: 2 });
  });
});

describe("the subject lookup", () => {
  it("is HMAC-SHA256 of the label and the subject under the log key, remembered or not", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }), { minLength: 1, maxLength: 20 }), (subjects) => {
        // Twice over: the second round answers from memory and must say the same.
        for (const subject of [...subjects, ...subjects]) {
          const expected = createHmac("sha256", TEST_KEY.bytes).update(`kairos subject-key lookup v1\n${subject}`).digest("hex");
          expect(subjectLookup(TEST_KEY, subject)).toBe(expected);
        }
      }),
      { numRuns: 100 },
    );
  });
});
