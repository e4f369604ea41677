import { readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyLog } from "../../runtime/log/index.ts";
import { runCli } from "../helpers/cli.ts";
import { readLines, tempDir, writeIntegrityKeyFile, writeLines, writeLog } from "./helpers.ts";

function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCli(argv);
}

function log(n = 5): string {
  const path = join(tempDir(), "decisions.log");
  writeLog(path, n);
  writeIntegrityKeyFile(path);
  return path;
}

describe("kairos log verify", () => {
  it("exits 0 and prints the entry count and head when the chain is intact", async () => {
    const path = log();
    const r = await run("log", "verify", path);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(`ok: 5 entries, chain intact and authenticated, head ${verifyLog(path).head.hash}`);
  });

  it("exits 1 naming the line, seq and damage of the first bad entry", async () => {
    const path = log();
    const lines = readLines(path);
    lines[1] = lines[1]!.replace('"outcome":"pending_review"', '"outcome":"acted"');
    writeLines(path, lines);
    const r = await run("log", "verify", path);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${path}:2: entry seq 2: its contents do not match its hash`);
    expect(r.err).toContain("the entry before it is intact");
  });

  it("exits 1 for removed and reordered entries", async () => {
    const path = log();
    const lines = readLines(path);
    writeLines(path, [lines[0]!, ...lines.slice(2)]);
    expect((await run("log", "verify", path)).err).toMatch(/:2: entry seq 3: seq 3 where 2 was expected: entry 2 is missing/);
    writeLines(path, [lines[1]!, lines[0]!, ...lines.slice(2)]);
    expect((await run("log", "verify", path)).code).toBe(1);
  });

  it("exits 1 when an anchored head is no longer in the chain", async () => {
    const path = log();
    rmSync(`${path}.checkpoints`); // else the log's own checkpoint reports the truncation first
    const head = verifyLog(path).head.hash;
    writeLines(path, readLines(path).slice(0, 4));
    const r = await run("log", "verify", path, "--contains", head);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no entry has hash .*: entries were removed from the end/);
  });

  it("notes a torn tail but still verifies the entries", async () => {
    const path = log(3);
    rmSync(`${path}.checkpoints`); // a crash mid-append leaves no checkpoint of the torn entry
    truncateSync(path, readFileSync(path).length - 40);
    const r = await run("log", "verify", path);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: 2 entries/);
    expect(r.err).toMatch(/interrupted write/);
  });

  it("exits 2 for a missing file, a file that is not a log, and usage mistakes", async () => {
    const dir = tempDir();
    expect(await run("log", "verify", join(dir, "nope.log"))).toMatchObject({ code: 2, err: expect.stringMatching(/does not exist/) });
    writeFileSync(join(dir, "notes.txt"), "hello\n");
    expect(await run("log", "verify", join(dir, "notes.txt"))).toMatchObject({ code: 2, err: expect.stringMatching(/is not a Kairos decision log/) });
    expect((await run("log", "verify")).code).toBe(2);
    expect((await run("log", "check", "x")).err).toMatch(/unknown subcommand `check`/);
    expect((await run("log", "verify", "a", "--contains", "xyz")).code).toBe(2);
  });

  it("prints the verification as JSON on request", async () => {
    const path = log(2);
    const r = await run("log", "verify", path, "--format", "json");
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, entries: 2 });
  });
});

describe("kairos log tail", () => {
  it("shows the last entries, one line each", async () => {
    const path = log(6);
    const r = await run("log", "tail", path, "-n", "2");
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^#5 {2}2026-\S+ {2}d-0005 {2}\S+/);
    expect(lines[1]).toMatch(/^#6 .*d-0006/);
  });

  it("prints raw entries as JSON Lines with --format json", async () => {
    const path = log(3);
    const r = await run("log", "tail", path, "--format", "json", "-n", "1");
    expect(JSON.parse(r.out).seq).toBe(3);
  });
});
