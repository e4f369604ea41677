// The records of processing of the example policy set (policies/), in all four formats, as
// golden files (test/golden/processing/record.{md,html,csv,json}) reviewed in diffs. The record
// changes whenever policies/ does (it names every file by its sha256); after an intended change
// regenerate with `UPDATE_GOLDEN=1 npx vitest run test/governance/processing-golden.test.ts`
// and review the diff. The command writes the same bytes (checked for every format below), from
// the policy directory and from the artifact `kairos compile` makes of it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildProcessingRecord,
  PROCESSING_FORMATS,
  processingInputOfProgram,
  renderProcessingRecord,
  type ProcessingFormat,
} from "../../compiler/governance/index.ts";
import { readPolicyDir } from "../../compiler/node/index.ts";
import { checkSources } from "../../compiler/pipeline.ts";
import { runCli } from "../helpers/cli.ts";

const DIR = join(import.meta.dirname, "..", "golden", "processing");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const HOW = "review the diff, then regenerate with `UPDATE_GOLDEN=1 npx vitest run test/governance/processing-golden.test.ts`";

function exampleRecord(format: ProcessingFormat): string {
  const read = readPolicyDir("policies");
  const checked = checkSources(read.sources!);
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  expect(
    errors.map((d) => `${d.span.file}: ${d.code}: ${d.message}`),
    "the example policy set must check without errors",
  ).toEqual([]);
  return renderProcessingRecord(buildProcessingRecord(processingInputOfProgram(checked.program!, read.sources!, checked.sources)), format);
}

const tmp = mkdtempSync(join(tmpdir(), "kairos-ropa-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the example policy set's records of processing (golden)", () => {
  for (const format of PROCESSING_FORMATS) {
    it(`matches test/golden/processing/record.${format}, and \`kairos report processing policies --format ${format}\` writes the same bytes`, async () => {
      const path = join(DIR, `record.${format}`);
      const actual = exampleRecord(format);
      if (UPDATE) {
        mkdirSync(DIR, { recursive: true });
        writeFileSync(path, actual);
      }
      if (!existsSync(path)) throw new Error(`missing golden file ${path}: ${HOW}`);
      expect(actual, `the records of processing of policies/ (${format}) changed: ${HOW}`).toBe(readFileSync(path, "utf8"));
      const out = join(tmp, `record.${format}`);
      const r = await runCli(["report", "processing", "policies", "--format", format, "--out", out]);
      expect(r.code, r.err).toBe(0);
      expect(readFileSync(out, "utf8")).toBe(actual);
    });
  }
});

describe("the records of processing of a compiled artifact", () => {
  it("are the policy set's, byte for byte, in every format; a tampered artifact gets none", async () => {
    const artifact = join(tmp, "artifact");
    const compiled = await runCli(["compile", "policies", "--out", artifact]);
    expect(compiled.code, compiled.err).toBe(0);
    for (const format of PROCESSING_FORMATS) {
      const r = await runCli(["report", "processing", artifact, "--format", format]);
      expect(r.code, r.err).toBe(0);
      // runCli ends every output with a line break of its own.
      expect(r.out, format).toBe(`${exampleRecord(format)}\n`);
    }
    const catalog = join(artifact, "catalog.json");
    const text = readFileSync(catalog, "utf8");
    expect(text).toContain('"P7Y"');
    writeFileSync(catalog, text.replace('"P7Y"', '"P70Y"'));
    const tampered = await runCli(["report", "processing", artifact]);
    expect(tampered.code).toBe(1);
    expect(tampered.err).toContain(`\`${artifact}\` is not intact: \`catalog.json\` does not match its hash in the manifest`);
    expect(tampered.out).toBe("");
  }, 60_000);
});
