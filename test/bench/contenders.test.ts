// The benchmark's own machinery that its verdicts rest on: the contenders' JSONL log keeps
// `always` durability while sharing fdatasyncs (group commit), the service-like driver keeps
// exactly N decisions in flight, and the minimal input the all-Rego contender gets decides
// exactly as the whole request does (the reference: the hand-written contender on the full request).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decideHandwritten } from "../../bench/contenders/handwritten.ts";
import { JsonlLog } from "../../bench/contenders/jsonl-log.ts";
import { minimalInput } from "../../bench/contenders/minimal-input.ts";
import { drive } from "../../bench/contenders/drive.ts";
import { buildWorkload, withConsentHistory, type BenchRequest, type Verdict } from "../../bench/contenders/workload.ts";

const dirs: string[] = [];
const tempLog = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "kairos-bench-test-"));
  dirs.push(dir);
  return join(dir, "contender.log");
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("the contenders' JSONL log", () => {
  it("shares one fdatasync among appends that arrive during a flush, and acknowledges each after a flush that began after it", async () => {
    const path = tempLog();
    const log = new JsonlLog(path, "always");
    const settled: string[] = [];
    const first = log.append({ n: 1 })!.then(() => settled.push("first"));
    // Written while the first flush runs: they must wait for a second one, and share it.
    const rest = Array.from({ length: 20 }, (_, i) => log.append({ n: i + 2 })!.then(() => settled.push(`rest-${i}`)));
    await Promise.all([first, ...rest]);
    expect(log.syncs).toBe(2);
    expect(settled[0]).toBe("first");
    log.close();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it("flushes one append at a time when nothing else is in flight", async () => {
    const log = new JsonlLog(tempLog(), "always");
    for (let i = 0; i < 5; i++) await log.append({ i });
    expect(log.syncs).toBe(5);
    log.close();
  });

  it("syncs every batchSize appends under batch", () => {
    const log = new JsonlLog(tempLog(), "batch", 10);
    for (let i = 0; i < 35; i++) expect(log.append({ i })).toBeUndefined();
    expect(log.syncs).toBe(3);
    log.close();
  });

  it("fails every append a failed fdatasync covered and refuses the next ones", async () => {
    const log = new JsonlLog(tempLog(), "always");
    await log.append({ n: 1 });
    // A flush that fails (as a dying disk makes it): writes still succeed, fdatasync does not (EINVAL on /dev/null).
    const inner = log as unknown as { fd: number };
    closeSync(inner.fd);
    inner.fd = openSync("/dev/null", "a");
    await expect(log.append({ n: 2 })).rejects.toThrow(/cannot sync the contender log/);
    expect(() => log.append({ n: 3 })).toThrow(/failed earlier/);
  });
});

describe("the service-like driver", () => {
  it("decides every request once with exactly N in flight at most, and N reached", async () => {
    const requests = buildWorkload(100, 20);
    let now = 0;
    let peak = 0;
    const seen: string[] = [];
    const decide = async (r: BenchRequest): Promise<Verdict> => {
      peak = Math.max(peak, ++now);
      await new Promise((resolve) => setTimeout(resolve, 1));
      now--;
      seen.push(r.event.id);
      return { outcome: "none", candidates: [] };
    };
    const samples: number[] = [];
    await drive(requests, decide, 16, samples);
    expect(peak).toBe(16);
    expect(samples).toHaveLength(100);
    expect([...seen].sort()).toEqual(requests.map((r) => r.event.id).sort());
  });
});

describe("the minimal input", () => {
  it("decides as the whole request does, on every workload request (with and without a long consent history)", () => {
    const requests = buildWorkload();
    for (const r of [...requests, ...requests.slice(0, 50).map((x) => withConsentHistory(x, 200))]) {
      expect(decideHandwritten(minimalInput(r)), r.event.id).toEqual(decideHandwritten(r));
    }
  });

  it("keeps only the subject's own records for the candidates' purposes", () => {
    const r = buildWorkload().find((x) => x.event.type === "ticket.resolved" && x.consents.some((c) => c.purpose === "renewal_marketing"))!;
    const m = minimalInput(r);
    expect(m.consents.length).toBeLessThan(r.consents.length);
    expect(m.consents.every((c) => c.purpose === "service_recovery" && (c.subject ?? r.subject) === r.subject)).toBe(true);
  });
});
