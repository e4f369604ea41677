// A policy set whose Rego OPA rejects, through the command line: every command that compiles
// reports it as a diagnostic — file:line:col, code, code frame, hint — never as OPA's raw
// stderr, and exits as for any other error in the policies. Runs the pinned OPA CLI.
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";

let dir: string;
let set: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kairos-rego-cli-"));
  set = join(dir, "broken");
  cpSync("policies", set, { recursive: true });
  // Line 7 closes a body whose comparison has no right-hand side.
  writeFileSync(join(set, "rego/extra.rego"), "package kairos.extra\n\nimport rego.v1\n\nbroken if {\n\tinput.x ==\n}\n");
  // Well-formed: decide reads the request before compiling.
  writeFileSync(join(dir, "request.json"), JSON.stringify({ event: { type: "daily", id: "d" }, subject: "c-1", now: "2026-05-30T12:00:00Z", region: "eu" }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FRAME = [
  "broken/rego/extra.rego:7:1: error[opa/rego-parse-error]: unexpected } token",
  "  |",
  "7 | }",
  "  | ^",
  "   = help: Kairos builds the policies with OPA 1.x, which reads Rego v1: a rule body needs `if` (`allow if { … }`), a multi-value rule `contains`",
].join("\n");

describe("a Rego syntax error", () => {
  it("fails `kairos check` with a code frame in the Rego file (exit 1)", async () => {
    const r = await runCli(["check", set]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(FRAME);
    expect(r.err).toContain("1 error, 0 warnings");
    expect(r.err).not.toContain("opa build failed");
    expect(r.out).toBe("");
  });

  it("is in `kairos check --format json` with its file, line, column, code and hint", async () => {
    const r = await runCli(["check", set, "--format", "json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      diagnostics: [
        {
          code: "opa/rego-parse-error",
          severity: "error",
          message: "unexpected } token",
          // Paths are printed as the user gave them: the policy set was given by its absolute path.
          file: join(set, "rego/extra.rego"),
          line: 7,
          column: 1,
          endLine: 7,
          endColumn: 2,
          hint: "Kairos builds the policies with OPA 1.x, which reads Rego v1: a rule body needs `if` (`allow if { … }`), a multi-value rule `contains`",
        },
      ],
    });
  });

  it("fails `kairos compile` with the same diagnostic and writes nothing (exit 1)", async () => {
    const out = join(dir, "out");
    const r = await runCli(["compile", set, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(FRAME);
    expect(r.err).toContain(`not compiled: 1 error; ${out} was left as it was`);
    expect(existsSync(out)).toBe(false);
  });

  it("fails `kairos decide` (exit 1) and `kairos test` (exit 2) with the same diagnostic", async () => {
    const decide = await runCli(["decide", set, "--request", join(dir, "request.json")]);
    expect(decide.code).toBe(1);
    expect(decide.err).toContain(FRAME);
    expect(decide.err).toContain("does not compile; no decision was made");
    const test = await runCli(["test", set]);
    expect(test.code).toBe(2);
    expect(test.err).toContain(FRAME);
    expect(test.err).toContain("does not compile; no test was run");
  });
});
