// Retention of a file decision log (runtime/log/retain.ts): entries past their retention keep
// only the digests of their context and seal, and the log — chain, MACs, checkpoints — still
// verifies, with the integrity key and with exported checkpoints alone.
import { copyFileSync, linkSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../core/sha256.ts";
import {
  checkpointSigner,
  parsePublicKey,
  readCheckpoints,
  verifyLog,
  verifyLogParallel,
  type DecisionLogOptions,
  type LogEntry,
} from "../../runtime/log/index.ts";
import { FileLock } from "../../runtime/log/lock.ts";
import { retainLog } from "../../runtime/log/retain.ts";
import { addRetention, entryDue, type RetentionPolicy } from "../../runtime/log/retain-policy.ts";
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { openLog, readLines, tempDir, TEST_INTEGRITY_KEY, writeLines, writeLog } from "./helpers.ts";

const NOW = Date.parse("2026-12-06T12:00:00Z");
/** The samples are decided on 2026-05-30 (three of them) and 2026-06-01 (the one reading `customer.email`). */
const policy = (fields: Record<string, string>, defaultRetention?: string): RetentionPolicy => ({
  fields: new Map(Object.entries(fields)),
  ...(defaultRetention ? { defaultRetention } : {}),
});

function logOf(n: number, checkpointEvery = 0, options: Partial<DecisionLogOptions> = {}): string {
  const path = join(tempDir(), "decisions.log");
  writeLog(path, n, { checkpointEvery, ...options });
  return path;
}

const retain = (path: string, p: RetentionPolicy, now = NOW, extra: { dryRun?: boolean } = {}) =>
  retainLog(path, { policy: p, now, integrityKey: TEST_INTEGRITY_KEY, ...extra });

const entries = (path: string): LogEntry[] => readLines(path).map((l) => JSON.parse(l) as LogEntry);

/** The member's text in the line as it was written. */
function memberText(line: string, name: "context" | "sealed"): string {
  const v = (JSON.parse(line) as Record<string, unknown>)[name];
  return JSON.stringify(v);
}

describe("kairos log retain (retainLog)", () => {
  it("replaces context and seal of entries past retention by their digests, and the log still verifies", async () => {
    const path = logOf(8);
    const before = readLines(path);
    const r = await retain(path, policy({}, "P90D"));
    expect(r).toMatchObject({ entries: 8, purged: 8, alreadyPurged: 0, kept: 0, unlimited: 0, bySource: { default: 8 }, dryRun: false });
    const after = readLines(path);
    for (let i = 0; i < 8; i++) {
      const old = before[i]!;
      const expected = old
        .replace(`"context":${memberText(old, "context")}`, `"context":"sha256:${sha256Hex(memberText(old, "context"))}"`)
        .replace(`"sealed":${memberText(old, "sealed")}`, `"sealed":"sha256:${sha256Hex(memberText(old, "sealed"))}"`);
      expect(after[i]).toBe(expected);
    }
    expect(r.bytesAfter).toBe(readFileSync(path).length);
    expect(r.bytesAfter).toBeLessThan(r.bytesBefore);
    const v = verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY, checkpoints: readCheckpoints(`${path}.checkpoints`) });
    expect(v).toMatchObject({ ok: true, authenticated: true, entries: 8 });
    expect(v.checkpoints?.every((c) => c.problem === undefined && c.trusted)).toBe(true);
  });

  it("applies the shortest retention among the fields an entry's context holds, on the UTC calendar", async () => {
    const path = logOf(4);
    // Only sample 3 (decided 2026-06-01T22:30:00Z) reads customer.email.
    const p = policy({ "customer.email": "P1M", "customer.recent_interactions": "P1Y" });
    const before = await retain(path, p, Date.parse("2026-07-01T22:29:59.999Z"));
    expect(before).toMatchObject({ purged: 0, kept: 1, unlimited: 3, nextDue: "2026-07-01T22:30:00.000Z" });
    const due = await retain(path, p, Date.parse("2026-07-01T22:30:00Z"));
    expect(due).toMatchObject({ purged: 1, kept: 0, unlimited: 3, bySource: { "customer.email": 1 } });
    const es = entries(path);
    expect(es[2]!.context).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(es[2]!.sealed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(typeof es[0]!.context).toBe("object");
    expect(es[0]!.sealed).not.toMatch(/^sha256:/);
  });

  it("adds years and months on the calendar, clamped to the month's end", () => {
    expect(new Date(addRetention(Date.parse("2026-05-30T09:00:00Z"), "P7Y")!).toISOString()).toBe("2033-05-30T09:00:00.000Z");
    expect(new Date(addRetention(Date.parse("2028-02-29T00:00:00Z"), "P1Y")!).toISOString()).toBe("2029-02-28T00:00:00.000Z");
    expect(new Date(addRetention(Date.parse("2026-01-31T10:00:00Z"), "P1M")!).toISOString()).toBe("2026-02-28T10:00:00.000Z");
    expect(new Date(addRetention(Date.parse("2026-01-31T10:00:00Z"), "P1MT2H")!).toISOString()).toBe("2026-02-28T12:00:00.000Z");
    expect(addRetention(0, "P")).toBeUndefined();
    expect(addRetention(0, "30d")).toBeUndefined();
    const d = entryDue(policy({ "customer.email": "P7Y" }, "P10Y"), "2026-05-30T09:00:00Z", ["customer.email", "event.csat"]);
    expect(d).toEqual({ dueMs: Date.parse("2033-05-30T09:00:00Z"), retention: "P7Y", source: "customer.email" });
  });

  it("is idempotent: a second run purges nothing and leaves the file byte for byte", async () => {
    const path = logOf(6, 2);
    await retain(path, policy({}, "P30D"));
    const bytes = readFileSync(path);
    const cps = readFileSync(`${path}.checkpoints`);
    const again = await retain(path, policy({}, "P30D"));
    expect(again).toMatchObject({ purged: 0, alreadyPurged: 6, checkpointsResigned: 0 });
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(readFileSync(`${path}.checkpoints`).equals(cps)).toBe(true);
  });

  it("writes nothing on a dry run but reports what it would purge", async () => {
    const path = logOf(4, 2);
    const bytes = readFileSync(path);
    const r = await retain(path, policy({}, "P30D"), NOW, { dryRun: true });
    expect(r).toMatchObject({ purged: 4, dryRun: true, checkpointsResigned: 2 });
    expect(r.bytesAfter).toBeLessThan(r.bytesBefore);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("re-signs the log's checkpoints with the new sizes; earlier exported checkpoints still verify, and a writer resumes", async () => {
    const path = logOf(6, 2);
    const exported = join(tempDir(), "anchor.checkpoints");
    copyFileSync(`${path}.checkpoints`, exported);
    const old = readCheckpoints(exported);
    const r = await retain(path, policy({}, "P30D"));
    expect(r.checkpointsResigned).toBe(old.length);
    const now = readCheckpoints(`${path}.checkpoints`);
    const text = readFileSync(path, "utf8");
    const ends: number[] = [];
    for (const l of text.split("\n").slice(0, -1)) ends.push((ends.at(-1) ?? 0) + Buffer.byteLength(l) + 1);
    for (const cp of now) {
      expect(cp.size).toBe(ends[cp.seq - 1]);
      expect(cp.retained_at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(old.find((o) => o.seq === cp.seq)).toMatchObject({ head: cp.head, at: cp.at, log: cp.log });
    }
    // Without any secret: the old anchors (pre-retention sizes) and the new ones, under the pinned key.
    const publicKey = parsePublicKey(checkpointSigner(TEST_INTEGRITY_KEY).publicKey);
    const offline = verifyLog(path, { checkpoints: [...old, ...now], publicKey });
    expect(offline.ok).toBe(true);
    expect(offline.checkpoints?.every((c) => c.trusted && c.problem === undefined)).toBe(true);
    // A writer opens the purged log (verifying from its last checkpoint) and extends it.
    writeLog(path, 2, { checkpointEvery: 0 });
    expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY, checkpoints: readCheckpoints(`${path}.checkpoints`) })).toMatchObject({ ok: true, entries: 8 });
  });

  it("refuses a log that does not verify and leaves it untouched", async () => {
    const path = logOf(4);
    const lines = readLines(path);
    lines[1] = lines[1]!.replace('"outcome":"pending_review"', '"outcome":"acted"');
    writeLines(path, lines);
    const bytes = readFileSync(path);
    await expect(retain(path, policy({}, "P1D"))).rejects.toMatchObject({ code: "log/corrupt", message: expect.stringContaining(":2: entry seq 2") });
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("waits for the log's lock and fails with log/locked while a writer holds it", async () => {
    const path = logOf(2);
    const writer = openLog(path);
    try {
      await expect(retainLog(path, { policy: policy({}, "P1D"), now: NOW, integrityKey: TEST_INTEGRITY_KEY, lock: { timeoutMs: 50 } })).rejects.toMatchObject({
        code: "log/locked",
      });
    } finally {
      writer.close();
    }
    expect((await retain(path, policy({}, "P1D"))).purged).toBe(2);
  });

  it("keeps a torn tail byte for byte for the next writer to move aside", async () => {
    const path = logOf(3);
    const torn = Buffer.from('{"$kairos":"decision-log/2","action":{"chan', "utf8");
    writeFileSync(path, Buffer.concat([readFileSync(path), torn]));
    await retain(path, policy({}, "P1D"));
    expect(readFileSync(path).subarray(-torn.length).equals(torn)).toBe(true);
    expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY })).toMatchObject({ ok: true, entries: 3, torn: { bytes: torn.length } });
  });

  it("verifies purged lines on the parallel fast path too, with the same verdict", async () => {
    const path = logOf(8);
    await retain(path, policy({}, "P30D"));
    const stats = { fastLines: 0 };
    const fast = await verifyLogParallel(path, { integrityKey: TEST_INTEGRITY_KEY }, { always: true, threads: 2, chunkBytes: 4096, stats });
    expect(fast).toEqual(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY }));
    expect(fast.ok).toBe(true);
    expect(stats.fastLines).toBe(8);
  });

  it("purges entries made under per-subject keys the same way", async () => {
    const path = logOf(4, 0, { subjectKeys: true });
    expect(entries(path).every((e) => typeof (e as { subject_key?: unknown }).subject_key === "string")).toBe(true);
    expect(await retain(path, policy({}, "P30D"))).toMatchObject({ purged: 4 });
    expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY })).toMatchObject({ ok: true, entries: 4 });
  });

  it("never loses an append of a writer in shared mode that kept the replaced file open", async () => {
    const path = logOf(3);
    const shared = openLog(path, { shared: true });
    try {
      shared.append(sinkEntry(SAMPLES[0]!, { decision_id: "d-before" }));
      expect((await retain(path, policy({}, "P1D"))).purged).toBe(4);
      // Either the append fails loudly, or it lands in the log the name holds: never in the old file alone.
      let appended = false;
      try {
        shared.append(sinkEntry(SAMPLES[1]!, { decision_id: "d-after" }));
        appended = true;
      } catch (e) {
        expect(e).toMatchObject({ code: "log/corrupt", message: expect.stringContaining("decision-log/replaced") });
      }
      expect(readFileSync(path, "utf8").includes('"decision_id":"d-after"')).toBe(appended);
      expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY })).toMatchObject({ ok: true, entries: appended ? 5 : 4 });
    } finally {
      shared.close();
    }
    // A writer opening the log now extends the purged one.
    writeLog(path, 1);
    expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY }).ok).toBe(true);
  });

  it("leaves a hard link to the old file (a backup) exactly as it was", async () => {
    const path = logOf(2);
    const backup = `${path}.bak`;
    linkSync(path, backup);
    const bytes = readFileSync(backup);
    await retain(path, policy({}, "P1D"));
    expect(readFileSync(backup).equals(bytes)).toBe(true);
    expect(verifyLog(backup, { integrityKey: TEST_INTEGRITY_KEY })).toMatchObject({ ok: true, entries: 2 });
  });

  it("keeps the log file's mode and leaves no temporary file", async () => {
    const path = logOf(2);
    const mode = statSync(path).mode & 0o777;
    await retain(path, policy({}, "P1D"));
    expect(statSync(path).mode & 0o777).toBe(mode);
    expect(() => statSync(`${path}.retain-tmp`)).toThrow();
    // The lock was released.
    FileLock.acquire(`${path}.lock`, { timeoutMs: 10 }).release();
  });
});
