import fc from "fast-check";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyLog } from "../../runtime/log/index.ts";
import { tempDir, writeLog } from "./helpers.ts";

const MAX_ENTRIES = 12;

describe("verify, property: any single-byte edit is caught at the edited entry", () => {
  let dir: string;
  let bytes: Buffer;
  /** Byte offset where each line starts, plus the file's end. */
  let starts: number[];

  beforeAll(() => {
    dir = tempDir();
    const path = join(dir, "source.log");
    writeLog(path, MAX_ENTRIES);
    bytes = readFileSync(path);
    starts = [0];
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
  });

  it("reports exactly the edited entry as the first bad line, and every entry before it as intact", () => {
    const path = join(dir, "edited.log");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_ENTRIES }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 255 }),
        (n, where, delta) => {
          // A log of the first n entries is itself a valid log.
          const log = Buffer.from(bytes.subarray(0, starts[n]!));
          const offset = Math.floor(where * log.length);
          log[offset] = (log[offset]! + delta) % 256; // a different byte
          writeFileSync(path, log);
          const editedLine = starts.findIndex((s) => s > offset); // 1-based line holding the byte
          const r = verifyLog(path);
          expect(r.ok).toBe(false);
          expect(r.firstBad).toBeDefined();
          expect(r.firstBad!.line).toBe(editedLine);
          expect(r.entries).toBe(r.firstBad!.line - 1);
        },
      ),
      { numRuns: 400 },
    );
  });
});
