// Group commit in the file log: asynchronous appends (the engine's DecisionSink call) write their
// line at once and are acknowledged only after an fdatasync that covers it; concurrent ones share
// an fdatasync; a failed fdatasync fails every append it was to cover and the writer refuses more
// (the log here is a symlink to /dev/null, whose fdatasync the kernel refuses with EINVAL — a
// real failure, no fake). The lines are the same bytes the synchronous path writes.
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LogError, verifyLog, type LogEntry } from "../../runtime/log/index.ts";
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { openLog, TEST_INTEGRITY_KEY, tempDir } from "./helpers.ts";

const record = (i: number) => sinkEntry(SAMPLES[i % SAMPLES.length]!, { decision_id: `d-${String(i + 1).padStart(4, "0")}` });

describe("group commit", () => {
  it("acknowledges each append only once an fdatasync covering it has finished, and shares fdatasyncs", async () => {
    const path = join(tempDir(), "decisions.log");
    const log = openLog(path);
    const n = 40;
    const acknowledged: number[] = [];
    const appends = Array.from({ length: n }, (_, i) =>
      log.append(record(i), {}).then((entry) => {
        // Resolved: the writer must already know this entry to be on disk.
        expect(log.syncedThrough).toBeGreaterThanOrEqual(entry.seq);
        acknowledged.push(entry.seq);
        return entry;
      }),
    );
    // Every line was written in the caller's turn, in call order, before any fdatasync ended.
    expect(log.head.seq).toBe(n);
    expect(log.syncedThrough).toBeLessThan(n);
    const entries = await Promise.all(appends);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(acknowledged).toHaveLength(n);
    expect(log.fdatasyncs).toBeGreaterThanOrEqual(1);
    expect(log.fdatasyncs).toBeLessThan(n / 4);
    log.close();
    const r = verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY });
    expect(r.ok).toBe(true);
    expect(r.entries).toBe(n);
  });

  it("writes the same bytes as synchronous appends", async () => {
    const dir = tempDir();
    const sync = openLog(join(dir, "sync.log"), { checkpointEvery: 0 });
    for (let i = 0; i < 12; i++) sync.append(record(i));
    sync.close();
    const grouped = openLog(join(dir, "grouped.log"), { checkpointEvery: 0 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => grouped.appendDurable(record(i))));
    grouped.close();
    expect(readFileSync(join(dir, "grouped.log"), "utf8")).toBe(readFileSync(join(dir, "sync.log"), "utf8"));
  });

  it("under `batch`, never leaves batchSize acknowledged entries unsynced", async () => {
    const path = join(tempDir(), "decisions.log");
    const log = openLog(path, { fsync: "batch", batchSize: 10 });
    const entries: LogEntry[] = [];
    for (let i = 0; i < 25; i++) {
      entries.push(await log.appendDurable(record(i)));
      expect(log.head.seq - log.syncedThrough).toBeLessThan(10);
    }
    expect(entries.at(-1)?.seq).toBe(25);
    expect(log.fdatasyncs).toBe(2);
    // Concurrent appends past the bound share the fdatasync they wait for.
    await Promise.all(Array.from({ length: 30 }, (_, i) => log.appendDurable(record(25 + i))));
    expect(log.head.seq - log.syncedThrough).toBeLessThan(10);
    expect(log.fdatasyncs).toBeLessThanOrEqual(4);
    log.close();
    expect(log.syncedThrough).toBe(55);
    expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY }).ok).toBe(true);
  });

  it("a failed fdatasync fails every append it covered, and the writer refuses further appends", async () => {
    const dir = tempDir();
    const path = join(dir, "decisions.log");
    symlinkSync("/dev/null", path);
    const log = openLog(path);
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => log.append(record(i), {})));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected", "rejected", "rejected"]);
    const reason = (results[0] as PromiseRejectedResult).reason as LogError;
    expect(reason).toBeInstanceOf(LogError);
    expect(reason.code).toBe("log/io");
    expect(reason.message).toMatch(/cannot sync the decision log .*: .*may not be on disk/);
    expect(reason.hint).toMatch(/reopen the log/);
    expect(log.syncedThrough).toBe(0);
    // Refused from now on, synchronously and asynchronously.
    expect(() => log.append(record(9))).toThrow(/cannot sync the decision log/);
    await expect(log.appendDurable(record(9))).rejects.toThrow(/cannot sync the decision log/);
    expect(() => log.close()).toThrow(/cannot sync the decision log/);
  });

  it("closing acknowledges every append still waiting (close syncs first)", async () => {
    const path = join(tempDir(), "decisions.log");
    const log = openLog(path);
    const pending = Array.from({ length: 6 }, (_, i) => log.appendDurable(record(i)));
    log.close();
    const entries = await Promise.all(pending);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(log.appendDurable(record(7))).rejects.toThrow(/is closed/);
    expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY }).entries).toBe(6);
  });
});
