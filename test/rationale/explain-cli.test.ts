import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { openLog, readLines, tempDir, writeLines } from "../log/helpers.ts";
import { SAMPLES, sinkEntry } from "./sample-decisions.ts";

function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCli(argv);
}

function sampleLog(): string {
  const path = join(tempDir(), "decisions.log");
  const log = openLog(path);
  for (const s of SAMPLES) log.append(sinkEntry(s));
  log.append(sinkEntry(SAMPLES[0]!)); // a replay: same decision id again
  log.close();
  return path;
}

const [acted, review, deferred, denied] = SAMPLES.map((s) => s.decision.decision_id) as [string, string, string, string];

describe("kairos explain", () => {
  it("renders the legal review of a logged decision as Markdown by default, node texts from the log", async () => {
    const path = sampleLog();
    const r = await run("explain", path, "--decision", review);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`# Decision \`${review}\``);
    expect(r.out).toContain("- ✓ `event.csat <= 2` → `true`");
    expect(r.out).toContain("Service-recovery outreach after a negative interaction");
  });

  it("finds journey metadata logged by an earlier entry", async () => {
    const path = sampleLog();
    const r = await run("explain", path, "--decision", denied, "--format", "text");
    expect(r.code).toBe(0);
    expect(r.out).toContain("✗ days_since(onboarding.last_progress_at) >= 5 and onboarding.completed_steps < onboarding.total_steps → false");
    expect(r.err).toBe("");
  });

  it("prints the HTML page and the customer sentence", async () => {
    const path = sampleLog();
    expect((await run("explain", path, "--decision", deferred, "--format", "html")).out).toMatch(/^<!doctype html>/);
    const c = await run("explain", path, "--decision", deferred, "--format", "customer");
    expect(c.out).toMatch(/^We are following up with hmac:[0-9a-f]{16} because/);
  });

  it("explains the latest of several entries with the same id, or the one --seq names", async () => {
    const path = sampleLog();
    const latest = await run("explain", path, "--decision", acted, "--format", "text");
    expect(latest.out).toContain("seq 5,");
    expect(latest.err).toMatch(/logged 2 times \(seq 1, 5\)/);
    expect((await run("explain", path, "--decision", acted, "--seq", "1", "--format", "text")).out).toContain("seq 1,");
  });

  it("accepts a unique prefix of a decision id", async () => {
    const path = sampleLog();
    const r = await run("explain", path, "--decision", review.slice(0, 10), "--format", "customer");
    expect(r.code).toBe(0);
  });

  it("exits 1 for an unknown id, listing the last ids", async () => {
    const path = sampleLog();
    const r = await run("explain", path, "--decision", "d_nope");
    expect(r.code).toBe(1);
    expect(r.err).toContain(`no decision \`d_nope\` in ${path}; the last ids are \`${acted}\``);
    expect(r.err).toContain(`\`${denied}\``);
  });

  it("warns when the entry no longer matches its hash", async () => {
    const path = sampleLog();
    const lines = readLines(path);
    lines[1] = lines[1]!.replace('"region":"eu"', '"region":"us"');
    writeLines(path, lines);
    const r = await run("explain", path, "--decision", review, "--format", "text");
    expect(r.err).toMatch(/does not match its hash/);
    expect(r.out).toContain("DOES NOT MATCH ITS CONTENTS");
  });

  it("exits 2 on usage mistakes and files that are not logs", async () => {
    const path = sampleLog();
    expect((await run("explain", path)).code).toBe(2);
    expect((await run("explain", path, "--decision", acted, "--format", "pdf")).code).toBe(2);
    expect((await run("explain", join(tempDir(), "nope.log"), "--decision", acted)).code).toBe(2);
    const notes = join(tempDir(), "notes.txt");
    writeFileSync(notes, "not a log\n");
    expect((await run("explain", notes, "--decision", acted)).code).toBe(2);
  });
});
