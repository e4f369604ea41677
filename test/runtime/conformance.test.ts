// Runs the decision conformance corpus (test/conformance/decisions/*.yaml, format in its
// README) through Engine.decide on artifacts compiled for real, and one case per file through
// the `kairos decide` command line, which must print the same decision.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, test } from "vitest";
import { writeArtifactDir } from "../../compiler/node/artifact-write.ts";
import type { Decision } from "../../runtime/decision.ts";
import { decisionJson } from "../../runtime/engine.ts";
import { CORPUS, corpusFiles, merge, type Obj } from "../conformance/corpus.ts";
import { compiledEngine } from "./compiled.ts";

const run = promisify(execFile);
const KAIROS = join(import.meta.dirname, "../../bin/kairos.js");

function compare(d: Decision, expected: Obj): void {
  const actual = d as unknown as Obj;
  for (const [key, want] of Object.entries(expected)) {
    if (key === "error") expect(d.error?.code, "error code").toBe(want);
    else if (key === "evaluations") {
      const wants = want as Obj[];
      expect(
        d.evaluations.map((e) => e.journey),
        "evaluation order",
      ).toEqual(wants.map((w) => w["journey"]));
      wants.forEach((w, i) => {
        const ev = d.evaluations[i]! as unknown as Obj;
        for (const [k, v] of Object.entries(w)) {
          if (k === "reasons") {
            // The listed codes must appear in this order (other reasons may come between).
            const codes = (d.evaluations[i]!.reasons ?? []).map((r) => r.code);
            let at = 0;
            for (const code of codes) if (code === (v as string[])[at]) at++;
            expect(at, `${w["journey"]} reasons ${JSON.stringify(codes)} contain ${JSON.stringify(v)}`).toBe((v as string[]).length);
          } else expect(ev[k] ?? null, `${w["journey"]}.${k}`).toEqual(v);
        }
      });
    } else expect(actual[key] ?? null, key).toEqual(want);
  }
}

const corpusList = corpusFiles();
const files = corpusList.map((f) => f.file);
const tmp = mkdtempSync(join(tmpdir(), "kairos-conformance-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("the corpus is not empty", () => {
  expect(files.length).toBeGreaterThanOrEqual(5);
});

for (const file of files) {
  const corpus = corpusList.find((f) => f.file === file)!.data;
  describe(file, () => {
    const load = () => compiledEngine(join(CORPUS, corpus.policy), corpus.journeys);

    for (const c of corpus.cases) {
      test(c.name, async () => {
        const { engine } = await load();
        const request = merge(corpus.defaults, c.request);
        const d = await engine.decide(request);
        if (c.expect_request_error !== undefined) {
          expect(d).toMatchObject({ outcome: "error", error: { code: "invalid_request", message: expect.stringContaining(`${c.expect_request_error}:`) } });
          return;
        }
        compare(d, c.expect ?? {});
      });
    }

    test("`kairos decide` prints the same decision for the file's first case", async () => {
      const { engine, files: parts } = await load();
      const c = corpus.cases.find((x) => x.expect_request_error === undefined)!;
      const request = merge(corpus.defaults, c.request);
      const dir = join(tmp, file.replace(/\.yaml$/, ""));
      writeArtifactDir(join(dir, "artifact"), parts);
      writeFileSync(join(dir, "request.json"), JSON.stringify(request));
      const out = await run(process.execPath, [
        KAIROS,
        "decide",
        "--artifact",
        join(dir, "artifact"),
        "--request",
        join(dir, "request.json"),
        "--trace",
        "compact",
        // An `error` outcome exits 1 by default; the corpus has some, and compares the output.
        "--allow-error",
      ]);
      expect(out.stdout).toBe(decisionJson(await engine.decide(request)) + "\n");
    });
  });
}
