// OPA's error text (as `opa build` prints it) into `opa/*` diagnostics: which file, which line,
// which token is underlined, the code and the hint — without running OPA, on the outputs OPA
// 1.22 really prints (captured from the pinned CLI).
import { describe, expect, it } from "vitest";
import { opaProblemDiagnostics, parseOpaOutput } from "../../compiler/opa/diagnostics.ts";
import { SourceFile, type Span } from "../../core/source.ts";

const anchor: Span = { file: "p/rego/bad.rego", start: 0, end: 0 };

/** Diagnostics for OPA `output` about `text` in `p/rego/bad.rego`, as a user sees them. */
function seen(output: string, text: string) {
  const file = new SourceFile("p/rego/bad.rego", text);
  return opaProblemDiagnostics({ kind: "rejected", output }, { files: new Map([["bad.rego", file]]), anchor, mode: "artifact" }).map((d) => ({
    code: d.code,
    severity: d.severity,
    line: file.position(d.span.start).line,
    column: file.position(d.span.start).column,
    underlined: file.slice(d.span),
    message: d.message,
    hint: d.hint,
  }));
}

describe("parseOpaOutput", () => {
  it("reads one error after OPA's prefix, and a parse error's caret detail", () => {
    const out = 'error: load error: 1 error occurred during loading: bad.rego:4: rego_parse_error: unexpected eof token\n\tallow if { "a" \n\t             ^\n';
    expect(parseOpaOutput(out, ["bad.rego"])).toEqual([
      { file: "bad.rego", row: 4, code: "rego_parse_error", message: "unexpected eof token", caret: { line: 'allow if { "a" ', indent: 13 } },
    ]);
  });

  it("reads several errors, joining the lines of a multi-line message", () => {
    const out = [
      "error: 2 errors occurred:",
      "kairos.rego:5: rego_type_error: package kairos.consent conflicts with rule consent defined at kairos.rego:20",
      "kairos.rego:20: rego_type_error: rule data.kairos.consent conflicts with:",
      "  rule data.kairos.consent.allow at bad.rego:3",
    ].join("\n");
    expect(parseOpaOutput(out, ["kairos.rego", "bad.rego"])).toEqual([
      { file: "kairos.rego", row: 5, code: "rego_type_error", message: "package kairos.consent conflicts with rule consent defined at kairos.rego:20" },
      {
        file: "kairos.rego",
        row: 20,
        code: "rego_type_error",
        message: "rule data.kairos.consent conflicts with: rule data.kairos.consent.allow at bad.rego:3",
      },
    ]);
  });

  it("recognises only the bundled files, whole names only", () => {
    const out = "error: 1 error occurred: xbad.rego:4: rego_unsafe_var_error: var y is unsafe";
    expect(parseOpaOutput(out, ["bad.rego"])).toEqual([]);
    expect(parseOpaOutput(out.replace("xbad", "./bad"), ["bad.rego"])).toMatchObject([{ file: "bad.rego", row: 4 }]);
  });
});

describe("opaProblemDiagnostics", () => {
  it("points a parse error at the token under OPA's caret, with the Rego v1 hint", () => {
    const text = "package kairos.extra\n\nallow if {\n  input.x ==\n}\n";
    const out = "error: load error: 1 error occurred during loading: bad.rego:5: rego_parse_error: unexpected } token\n\t}\n\t^";
    expect(seen(out, text)).toEqual([
      {
        code: "opa/rego-parse-error",
        severity: "error",
        line: 5,
        column: 1,
        underlined: "}",
        message: "unexpected } token",
        hint: expect.stringContaining("Rego v1: a rule body needs `if`"),
      },
    ]);
  });

  it("counts the caret past leading tabs and multi-byte characters", () => {
    // OPA drops the line's leading tabs and counts the caret's indent in UTF-8 bytes.
    const text = 'package kairos.extra\n\n\tmsg := "é" ++ rego.v0\n';
    const out =
      'error: load error: 1 error occurred during loading: bad.rego:3: rego_parse_error: unexpected plus token\n\tmsg := "é" ++ rego.v0\n\t             ^\n';
    // The second `+`: 13 bytes into the line without its tab, 12 characters (`é` is 2 bytes).
    expect(seen(out, text)).toMatchObject([{ line: 3, column: 14, underlined: "+" }]);
  });

  it("underlines the name a compile error is about, and names OPA's code in the hint", () => {
    const text = "package kairos.extra\n\nallow if {\n  y == 1\n}\n\nz if { nosuch.fn(1) }\n";
    expect(seen("error: 1 error occurred: bad.rego:4: rego_unsafe_var_error: var y is unsafe", text)).toEqual([
      {
        code: "opa/rego-compile-error",
        severity: "error",
        line: 4,
        column: 3,
        underlined: "y",
        message: "var y is unsafe",
        hint: expect.stringContaining("`rego_unsafe_var_error`"),
      },
    ]);
    expect(seen("error: 1 error occurred: bad.rego:7: rego_type_error: undefined function nosuch.fn", text)).toMatchObject([
      { line: 7, underlined: "nosuch.fn" },
    ]);
  });

  it("underlines the whole line when the message names nothing on it", () => {
    const text = "package kairos.extra\n\n  x := 1\n";
    expect(seen("bad.rego:3: rego_compile_error: something odd", text)).toMatchObject([{ code: "opa/rego-compile-error", line: 3, underlined: "x := 1" }]);
  });

  it("reports output it cannot tie to a line as opa/build-failed with OPA's message", () => {
    const d = seen('error: entrypoint "kairos/nope" does not refer to a rule or policy decision\n', "package x\n");
    expect(d).toEqual([
      {
        code: "opa/build-failed",
        severity: "error",
        line: 1,
        column: 1,
        underlined: "",
        message: '`opa build` failed: entrypoint "kairos/nope" does not refer to a rule or policy decision',
        hint: expect.stringContaining("opa build"),
      },
    ]);
  });

  it("reports a missing OPA CLI as an error when building and as a warning when checking", () => {
    const problem = { kind: "cli-missing" as const, message: "the OPA CLI is not installed at /x/opa", hint: "run `npm run setup`" };
    const ctx = { files: new Map<string, SourceFile>(), anchor };
    expect(opaProblemDiagnostics(problem, { ...ctx, mode: "artifact" })).toEqual([
      {
        code: "opa/cli-missing",
        severity: "error",
        message: "the Rego policies cannot be built: the OPA CLI is not installed at /x/opa",
        span: anchor,
        hint: "run `npm run setup`",
      },
    ]);
    expect(opaProblemDiagnostics(problem, { ...ctx, mode: "check" })).toEqual([
      {
        code: "opa/rego-not-checked",
        severity: "warning",
        message: "the Rego policies were not checked: the OPA CLI is not installed at /x/opa",
        span: anchor,
        hint: "run `npm run setup`",
      },
    ]);
  });
});
