// Every file the command line reads as text is decoded strictly: bytes that are not UTF-8 are an
// error naming the file, the byte and its offset — never silently U+FFFD — found in one pass
// (a large file with a bad byte at its end is no slower than one without).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeUtf8, decodeUtf8Strict, firstInvalidUtf8 } from "../../compiler/node/policy-dir.ts";

const BIN = resolve("bin/kairos.js");
const kairos = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kairos-utf8-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fatal = new TextDecoder("utf-8", { fatal: true });

describe("strict UTF-8 decoding", () => {
  it("finds the first ill-formed sequence exactly where TextDecoder({ fatal: true }) fails", () => {
    // Bytes around every boundary of Unicode's table of well-formed sequences.
    const byte = fc.constantFrom(
      0x00,
      0x41,
      0x7f,
      0x80,
      0x8f,
      0x90,
      0x9f,
      0xa0,
      0xbf,
      0xc0,
      0xc1,
      0xc2,
      0xdf,
      0xe0,
      0xe1,
      0xec,
      0xed,
      0xee,
      0xef,
      0xf0,
      0xf1,
      0xf3,
      0xf4,
      0xf5,
      0xff,
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 12 }), (xs) => {
        const bytes = Uint8Array.from(xs);
        const at = firstInvalidUtf8(bytes);
        let valid = true;
        try {
          fatal.decode(bytes);
        } catch {
          valid = false;
        }
        expect(at < 0).toBe(valid);
        if (!valid) {
          expect(() => fatal.decode(bytes.subarray(0, at))).not.toThrow(); // everything before it is text
          expect(() => fatal.decode(bytes.subarray(at))).toThrow(); // and it starts the bad part
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it("reports the bad byte itself, after multi-byte characters", () => {
    const bytes = Buffer.concat([Buffer.from("aé\nb", "utf8"), Buffer.from([0xff]), Buffer.from("c")]);
    expect(decodeUtf8("x.journey", bytes).diagnostic?.message).toBe("the file is not valid UTF-8 (byte 0xff at offset 5)");
    expect(decodeUtf8Strict(bytes).problem).toMatchObject({ offset: 5, byte: 0xff, line: 2, column: 2, textOffset: 4 });
  });

  it("costs one pass: a 1 MiB file with a bad last byte decodes in well under a second", () => {
    for (const fill of ["a", "é"]) {
      const bytes = Buffer.concat([Buffer.alloc(1 << 20, fill), Buffer.from([0xc3])]);
      const started = performance.now();
      expect(decodeUtf8Strict(bytes).problem?.offset).toBe(bytes.length - 1);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});

describe("kairos decide --request", () => {
  it("refuses a request file that is not UTF-8, naming the file, byte, offset, line and column (exit 2)", () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, Buffer.concat([Buffer.from('{\n  "event": { "type": "daily", "id": "x'), Buffer.from([0xff]), Buffer.from('" }\n}\n')]));
    const r = kairos(["decide", "policies", "--request", file]);
    expect(r.stderr).toContain(`kairos decide: the request file \`${file}\` is not valid UTF-8: byte 0xff at offset 40 (line 2, column 39)`);
    expect(r.stderr).toContain("help: save the file as UTF-8");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
  });
});
