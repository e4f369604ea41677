// The fast verification (runtime/log/verify-parallel.ts: fast-check.ts in worker threads, then
// verifyLog from the first line it does not vouch for) gives verifyLog's result field for field —
// on an intact log, where the fast path must have vouched for every line (the guard that it ran),
// and on logs damaged in every way the property below can think of: an edited, deleted, swapped,
// repeated or truncated line, bytes appended, a checkpoint or `--contains` anchor that no longer
// matches. And fast-check.ts alone: it vouches for exactly the lines the writer wrote, never for
// a line with a byte changed.
import fc from "fast-check";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointFileFor, readCheckpoints, verifyLog, verifyLogParallel, type VerifyOptions } from "../../runtime/log/index.ts";
import { fastLineCheck } from "../../runtime/log/fast-check.ts";
import { EntryMac } from "../../runtime/log/hash.ts";
import { TEST_INTEGRITY_KEY, tempDir, writeLog } from "./helpers.ts";

const N = 30;
/** Small chunks and two workers, so that a log of a few entries is spread over several jobs. */
const PARALLEL = { always: true, threads: 2, chunkBytes: 8192 } as const;

describe("verify in parallel", () => {
  let dir: string;
  let source: Buffer;
  let options: VerifyOptions;

  beforeAll(() => {
    dir = tempDir();
    const path = join(dir, "source.log");
    writeLog(path, N, { checkpointEvery: 7 });
    source = readFileSync(path);
    const lines = source.toString("utf8").split("\n");
    const hashOf = (i: number) => (JSON.parse(lines[i]!) as { hash: string }).hash;
    options = { integrityKey: TEST_INTEGRITY_KEY, checkpoints: readCheckpoints(checkpointFileFor(path)), contains: hashOf(17) };
    expect(options.checkpoints?.length).toBeGreaterThan(3);
  });

  it("gives verifyLog's result on an intact log, the fast path vouching for every line", async () => {
    const path = join(dir, "intact.log");
    writeFileSync(path, source);
    const stats = { fastLines: 0 };
    const r = await verifyLogParallel(path, options, { ...PARALLEL, stats });
    expect(r).toEqual(verifyLog(path, options));
    expect(r.ok).toBe(true);
    expect(stats.fastLines).toBe(N);
  });

  it("is verifyLog itself without the integrity key (nothing would authenticate the fast path)", async () => {
    const path = join(dir, "nokey.log");
    writeFileSync(path, source);
    const { integrityKey: _, ...hashesOnly } = options;
    const stats = { fastLines: -1 };
    expect(await verifyLogParallel(path, hashesOnly, { ...PARALLEL, stats })).toEqual(verifyLog(path, hashesOnly));
    expect(stats.fastLines).toBe(-1);
  });

  it("reports a missing file, a directory and another kind of file as verifyLog does", async () => {
    const other = join(dir, "notes.txt");
    writeFileSync(other, "hello\nworld\n");
    for (const path of [join(dir, "missing.log"), dir, other]) {
      expect(await verifyLogParallel(path, options, PARALLEL)).toEqual(verifyLog(path, options));
    }
  });

  it("gives verifyLog's result, field for field, on a damaged log", async () => {
    const lineStarts = [0];
    for (let i = 0; i < source.length; i++) if (source[i] === 0x0a && i + 1 < source.length) lineStarts.push(i + 1);
    const damage = fc.oneof(
      fc.record({ kind: fc.constant("byte" as const), at: fc.nat({ max: source.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant("delete" as const), line: fc.nat({ max: N - 1 }) }),
      fc.record({ kind: fc.constant("swap" as const), line: fc.nat({ max: N - 2 }) }),
      fc.record({ kind: fc.constant("repeat" as const), line: fc.nat({ max: N - 1 }) }),
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat({ max: source.length - 1 }) }),
      fc.record({ kind: fc.constant("append" as const), text: fc.string({ maxLength: 40 }) }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(damage, async (d) => {
        const lines = source.toString("latin1").split("\n").slice(0, -1);
        let bytes: Buffer;
        if (d.kind === "byte") {
          bytes = Buffer.from(source);
          bytes[d.at] = d.value;
        } else if (d.kind === "truncate") bytes = source.subarray(0, d.at);
        else if (d.kind === "append") bytes = Buffer.concat([source, Buffer.from(d.text)]);
        else {
          if (d.kind === "delete") lines.splice(d.line, 1);
          else if (d.kind === "swap") [lines[d.line], lines[d.line + 1]] = [lines[d.line + 1]!, lines[d.line]!];
          else lines.splice(d.line, 0, lines[d.line]!);
          bytes = Buffer.from(lines.map((l) => `${l}\n`).join(""), "latin1");
        }
        const path = join(dir, `damaged-${n++}.log`);
        writeFileSync(path, bytes);
        expect(await verifyLogParallel(path, options, PARALLEL)).toEqual(verifyLog(path, options));
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe("the fast line check", () => {
  let lines: Buffer[];
  const mac = new EntryMac(TEST_INTEGRITY_KEY);
  const scratch = Buffer.alloc(1 << 16);

  beforeAll(() => {
    const path = join(tempDir(), "lines.log");
    writeLog(path, 8);
    const text = readFileSync(path);
    lines = [];
    for (let start = 0, nl = text.indexOf(0x0a); nl >= 0; start = nl + 1, nl = text.indexOf(0x0a, start)) lines.push(text.subarray(start, nl));
  });

  it("vouches for every line the writer wrote, with the seq, prev and hash JSON.parse reads", () => {
    for (const line of lines) {
      const e = JSON.parse(line.toString("utf8")) as { seq: number; prev: string; hash: string };
      expect(fastLineCheck(line, 0, line.length, mac, scratch)).toEqual({ seq: e.seq, prev: e.prev, hash: e.hash });
    }
  });

  it("vouches for no line with a byte changed, added or removed", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 7 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 255 }),
        fc.nat(2),
        (i, where, value, how) => {
          const line = lines[i]!;
          const at = Math.floor(where * line.length);
          let edited: Buffer;
          if (how === 0) {
            if (line[at] === value) return;
            edited = Buffer.from(line);
            edited[at] = value;
          } else if (how === 1) edited = Buffer.concat([line.subarray(0, at), Buffer.from([value]), line.subarray(at)]);
          else edited = Buffer.concat([line.subarray(0, at), line.subarray(at + 1)]);
          expect(fastLineCheck(edited, 0, edited.length, mac, scratch)).toBeUndefined();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("vouches for no line whose hash or mac was moved, into a nested object or to another place at the top level", () => {
    // The hashed form of such a line is the writer's (moving a member does not change it), so
    // only finding members where the writer puts them keeps the fast path sound.
    const moved = (line: string, name: "hash" | "mac", to: (rest: string, member: string) => string): Buffer => {
      const value = (JSON.parse(line) as Record<string, string>)[name]!;
      const member = `"${name}":"${value}"`;
      const rest = line.replace(`,${member}`, "");
      expect(rest).not.toBe(line);
      return Buffer.from(to(rest, member));
    };
    const places: Array<(rest: string, member: string) => string> = [
      (rest, member) => rest.replace('"context":{', `"context":{${member},`),
      (rest, member) => rest.replace('"evaluations":[{', `"evaluations":[{${member},`),
      (rest, member) => `${rest.slice(0, -1)},${member}}`,
      (rest, member) => rest.replace('"artifact":', `${member},"artifact":`),
      (rest, member) => rest.replace(',"prev":', `,${member},"prev":`),
    ];
    let checked = 0;
    for (const buffer of lines) {
      const line = buffer.toString("utf8");
      expect(fastLineCheck(buffer, 0, buffer.length, mac, scratch)).toBeDefined();
      for (const name of ["hash", "mac"] as const) {
        for (const place of places) {
          const edited = moved(line, name, place);
          if (edited.toString("utf8") === line) continue;
          expect(fastLineCheck(edited, 0, edited.length, mac, scratch)).toBeUndefined();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(lines.length * 6);
  });

  it("vouches for nothing under another integrity key", () => {
    const other = new EntryMac({ bytes: new Uint8Array(32).fill(7), id: "other", source: "test" });
    for (const line of lines) expect(fastLineCheck(line, 0, line.length, other, scratch)).toBeUndefined();
  });
});
