import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LogError, verifyLog, type LogEntry } from "../../runtime/log/index.ts";
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { openLog, readLines, tempDir, writeLines, writeLog } from "./helpers.ts";

function freshLog(n = 6): string {
  const path = join(tempDir(), "decisions.log");
  writeLog(path, n);
  return path;
}

/** A log as a crash mid-append leaves it: the writer never closed, so no checkpoint covers its end. */
function crashedLog(n: number): string {
  const path = freshLog(n);
  rmSync(`${path}.checkpoints`);
  return path;
}

/** Offset of the first byte of line `line` (1-based). */
function lineStart(path: string, line: number): number {
  return readLines(path)
    .slice(0, line - 1)
    .reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset] === 0x31 ? 0x32 : 0x31; // "1" ↔ "2": stays valid JSON in numbers and hex
  writeFileSync(path, bytes);
}

describe("verify detects tampering", () => {
  it("names the entry whose byte was changed", () => {
    const path = freshLog();
    const lines = readLines(path);
    flipByte(path, lineStart(path, 4) + lines[3]!.indexOf('"at":"2026') + 8); // 2026 → 2016
    const r = verifyLog(path);
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ line: 4, seq: 4 });
    expect(r.firstBad!.problem).toMatch(/do not match its hash/);
    expect(r.entries).toBe(3);
  });

  it("names the entry after a deleted one", () => {
    const path = freshLog();
    const lines = readLines(path);
    writeLines(path, [...lines.slice(0, 2), ...lines.slice(3)]);
    const r = verifyLog(path);
    expect(r.firstBad).toMatchObject({ line: 3, seq: 4 });
    expect(r.firstBad!.problem).toMatch(/entry 3 is missing/);
  });

  it("names the first of two swapped entries", () => {
    const path = freshLog();
    const lines = readLines(path);
    writeLines(path, [lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)]);
    expect(verifyLog(path).firstBad).toMatchObject({ line: 2, seq: 3 });
  });

  it("names an entry whose hash was edited", () => {
    const path = freshLog();
    const lines = readLines(path);
    const e = JSON.parse(lines[4]!) as LogEntry;
    lines[4] = lines[4]!.replace(e.hash, "f".repeat(64));
    writeLines(path, lines);
    expect(verifyLog(path).firstBad).toMatchObject({ line: 5, seq: 5 });
  });

  it("reports a removed newline as damage to that entry", () => {
    const path = freshLog(3);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = 0x20;
    writeFileSync(path, bytes);
    const r = verifyLog(path);
    expect(r.ok).toBe(false);
    expect(r.firstBad).toMatchObject({ line: 3 });
    expect(r.firstBad!.problem).toMatch(/instead of a newline/);
  });

  it("fails an anchored check when entries were cut off the end", () => {
    const path = freshLog(5);
    const head = verifyLog(path).head.hash;
    writeLines(path, readLines(path).slice(0, 4));
    expect(verifyLog(path).ok).toBe(true); // a shorter chain is still a chain…
    expect(verifyLog(path, { contains: head })).toMatchObject({ ok: false, containsFound: false }); // …but not the anchored one
  });
});

describe("torn last lines", () => {
  it("verifies the complete entries before a torn tail and the writer moves the tail aside", () => {
    const path = crashedLog(5);
    const full = readFileSync(path);
    const cut = lineStart(path, 5) + 100;
    truncateSync(path, cut);
    const before = verifyLog(path);
    expect(before).toMatchObject({ ok: true, entries: 4, torn: { line: 5, bytes: 100 } });

    const warnings: string[] = [];
    const log = openLog(path, { onWarning: (m) => warnings.push(m) });
    expect(log.head.seq).toBe(4);
    const e = log.append(sinkEntry(SAMPLES[0]!, { decision_id: "d-after-crash" }));
    log.close();
    expect(e.seq).toBe(5);
    expect(warnings.join("\n")).toMatch(/torn last line of 100 bytes.*torn-1/);
    expect(readFileSync(`${path}.torn-1`)).toEqual(full.subarray(lineStart(path, 5), cut));
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 5 });
  });

  it("moves aside NUL bytes a power loss left at the end", () => {
    const path = crashedLog(2);
    appendFileSync(path, Buffer.alloc(300));
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 2, torn: { bytes: 300 } });
    openLog(path).close();
    expect(readFileSync(`${path}.torn-1`).length).toBe(300);
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 2 });
    expect(verifyLog(path).torn).toBeUndefined();
  });

  it("completes an entry that only lacks its final newline", () => {
    const path = crashedLog(3);
    truncateSync(path, readFileSync(path).length - 1);
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 3 });
    openLog(path).close();
    expect(readFileSync(path, "utf8").endsWith("}\n")).toBe(true);
    expect(readdirSync(join(path, "..")).filter((f) => f.includes("torn"))).toEqual([]);
  });

  it("moves aside an incomplete last line even when it ends with a newline", () => {
    const path = crashedLog(3);
    const lines = readLines(path);
    writeLines(path, [...lines.slice(0, 2), lines[2]!.slice(0, 80) + "\0\0\0"]);
    expect(verifyLog(path).firstBad).toMatchObject({ line: 3 }); // verify reports, the writer repairs
    openLog(path).close();
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 2 });
  });

  it("never repairs a bad line in the middle, and refuses to extend the log at all", () => {
    const path = freshLog(5);
    const lines = readLines(path);
    lines[2] = lines[2]!.slice(0, 50);
    writeLines(path, lines);
    const before = readFileSync(path);
    expect(() => openLog(path)).toThrow(/decisions\.log:3: entry seq 3: .*not extended until this is looked at/);
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(join(path, "..")).filter((f) => f.includes("torn"))).toEqual([]);
    expect(verifyLog(path).firstBad).toMatchObject({ line: 3 });
  });

  it("with two torn-looking lines at the end moves nothing aside before refusing", () => {
    const path = crashedLog(4);
    const lines = readLines(path);
    writeLines(path, [...lines.slice(0, 2), lines[2]!.slice(0, 80), lines[3]!.slice(0, 60)]);
    const before = readFileSync(path);
    expect(() => openLog(path)).toThrow(LogError);
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(join(path, "..")).filter((f) => f.includes("torn"))).toEqual([]);
  });

  it("refuses to extend a log whose last entry fails its hash", () => {
    const path = freshLog(3);
    const lines = readLines(path);
    lines[2] = lines[2]!.replace('"seq":3', '"seq":3 ');
    writeLines(path, lines);
    expect(() => openLog(path)).toThrow(/do not match its hash/);
  });
});

describe("files that are not logs", () => {
  it("verify says a text file is not a decision log", () => {
    const path = join(tempDir(), "README.md");
    writeFileSync(path, "# Notes\n\nnot a log\n");
    const r = verifyLog(path);
    expect(r.ok).toBe(false);
    expect(r.notALog).toMatch(/is not a Kairos decision log: line 1 is not valid JSON/);
  });

  it("verify says a JSON Lines file of other records is not a decision log", () => {
    const path = join(tempDir(), "events.jsonl");
    writeFileSync(path, '{"type":"daily"}\n{"type":"daily"}\n');
    expect(verifyLog(path).notALog).toMatch(/not a Kairos decision log: line 1 is not a decision log entry/);
  });

  it("verify names a missing file and a directory", () => {
    const dir = tempDir();
    expect(verifyLog(join(dir, "nope.log")).notALog).toMatch(/does not exist/);
    mkdirSync(join(dir, "d"));
    expect(verifyLog(join(dir, "d")).notALog).toMatch(/is a directory/);
  });

  it("the writer refuses to append to another kind of file and leaves it untouched", () => {
    const path = join(tempDir(), "notes.txt");
    writeFileSync(path, "remember the milk");
    let thrown: unknown;
    try {
      openLog(path);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LogError);
    expect((thrown as LogError).code).toBe("log/not-a-log");
    expect(readFileSync(path, "utf8")).toBe("remember the milk");
  });

  it("an empty file is an empty log", () => {
    const path = join(tempDir(), "empty.log");
    writeFileSync(path, "");
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 0 });
  });
});
