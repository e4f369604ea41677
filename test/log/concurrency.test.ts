import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LogError, verifyLog, type LogEntry } from "../../runtime/log/index.ts";
import { processStart } from "../../runtime/log/lock.ts";
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { openLog, readLines, tempDir, writeLog } from "./helpers.ts";

const WORKER = join(import.meta.dirname, "append-worker.ts");

function runWorker(path: string, n: number, tag: string, go: string, peer?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, path, String(n), tag, go, ...(peer ? [peer] : [])], { stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? -1));
  });
}

describe("decision log: several writers", () => {
  it("two processes appending at once never interleave lines and keep one chain", async () => {
    const path = join(tempDir(), "shared.log");
    const N = 120;
    const go = join(tempDir(), "go");
    const done = Promise.all([runWorker(path, N, "a", go, "b"), runWorker(path, N, "b", go, "a")]);
    // Both writers are running and have opened the log: let them append at once.
    while (!existsSync(`${go}.a.ready`) || !existsSync(`${go}.b.ready`)) await new Promise((r) => setTimeout(r, 10));
    writeFileSync(go, "");
    const codes = await done;
    expect(codes).toEqual([0, 0]);
    const lines = readLines(path);
    expect(lines).toHaveLength(2 * N);
    const ids = lines.map((l) => (JSON.parse(l) as LogEntry).decision_id);
    for (const tag of ["a", "b"]) {
      // Each writer's entries are all there, in its own order.
      expect(ids.filter((id) => id.startsWith(`${tag}-`))).toEqual(Array.from({ length: N }, (_, i) => `${tag}-${i}`));
    }
    // The writers really ran at the same time: their entries alternate somewhere in the middle.
    const switches = ids.filter((id, i) => i > 0 && id[0] !== ids[i - 1]![0]).length;
    expect(switches).toBeGreaterThan(1);
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 2 * N });
  });

  it("a writer picks up what another appended since its own last write", () => {
    const path = join(tempDir(), "shared.log");
    const a = openLog(path, { shared: true });
    const b = openLog(path, { shared: true });
    a.append(sinkEntry(SAMPLES[0]!, { decision_id: "a-1" }));
    b.append(sinkEntry(SAMPLES[1]!, { decision_id: "b-1" }));
    const last = a.append(sinkEntry(SAMPLES[2]!, { decision_id: "a-2" }));
    a.close();
    b.close();
    expect(last.seq).toBe(3);
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 3 });
  });

  it("a writer that is not shared holds the log until it closes; a second writer is refused clearly", () => {
    const path = join(tempDir(), "held.log");
    const a = openLog(path);
    a.append(sinkEntry(SAMPLES[0]!, { decision_id: "a-1" }));
    expect(() => openLog(path, { lock: { timeoutMs: 200 } })).toThrow(expect.objectContaining({ code: "log/locked" }));
    a.close();
    const b = openLog(path);
    expect(b.append(sinkEntry(SAMPLES[1]!, { decision_id: "b-1" })).seq).toBe(2);
    b.close();
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 2 });
  });

  it("a writer repairs a tail torn by another writer's crash before appending", () => {
    const path = join(tempDir(), "shared.log");
    const log = openLog(path, { shared: true });
    log.append(sinkEntry(SAMPLES[0]!, { decision_id: "x-1" }));
    writeFileSync(path, readFileSync(path, "utf8") + '{"$kairos":"decision-log/1","artifact":"7d1f');
    log.append(sinkEntry(SAMPLES[1]!, { decision_id: "x-2" }));
    log.close();
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 2 });
    expect(readFileSync(`${path}.torn-1`, "utf8")).toMatch(/^\{"\$kairos"/);
  });
});

describe("decision log: the lock file", () => {
  it("breaks a lock left by a process that no longer runs", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 1);
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), token: "gone" }));
    const log = openLog(path, { lock: { timeoutMs: 2_000 } });
    log.append(sinkEntry(SAMPLES[0]!, { decision_id: "after-stale" }));
    log.close();
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 2 });
  });

  it("waits for a live holder and then fails with a clear message", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 1);
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)"], { stdio: "ignore" });
    try {
      writeFileSync(`${path}.lock`, JSON.stringify({ pid: holder.pid, host: hostname(), token: "someone-else", start: processStart(holder.pid!) }));
      let thrown: unknown;
      try {
        openLog(path, { lock: { timeoutMs: 150 } });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(LogError);
      expect((thrown as LogError).code).toBe("log/locked");
      expect((thrown as LogError).message).toMatch(new RegExp(`locked by process ${holder.pid}`));
      expect((thrown as LogError).hint).toMatch(/remove .*\.lock/);
    } finally {
      holder.kill();
    }
  });

  it("breaks a lock whose pid is alive but is another process now (pid reused after a restart)", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 1);
    // pid 1 is alive, but it is not the process that took this lock: its start time differs.
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, host: hostname(), token: "before-restart", start: "1" + (processStart(1) ?? "0") }));
    const log = openLog(path, { lock: { timeoutMs: 500 } });
    log.append(sinkEntry(SAMPLES[0]!, { decision_id: "after-restart" }));
    log.close();
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 2 });
  });

  it("breaks a lock left with this very process's pid by an earlier process, or from an earlier boot", () => {
    const path = join(tempDir(), "decisions.log");
    writeLog(path, 1);
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), token: "an-earlier-life", start: processStart(process.pid) }));
    openLog(path, { lock: { timeoutMs: 500 } }).close();
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)"], { stdio: "ignore" });
    try {
      writeFileSync(
        `${path}.lock`,
        JSON.stringify({
          pid: holder.pid,
          host: hostname(),
          token: "old-boot",
          start: processStart(holder.pid!),
          boot: "00000000-0000-0000-0000-000000000000",
        }),
      );
      openLog(path, { lock: { timeoutMs: 500 } }).close();
    } finally {
      holder.kill();
    }
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 1 });
  });

  it("a second writer in the same process waits for the first and is refused clearly", () => {
    const path = join(tempDir(), "decisions.log");
    const first = openLog(path);
    try {
      expect(() => openLog(path, { lock: { timeoutMs: 100 } })).toThrow(/locked by another writer in this same process/);
    } finally {
      first.close();
    }
  });
});
