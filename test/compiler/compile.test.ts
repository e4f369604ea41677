// compilePolicySet: the one pipeline (check → codegen → OPA → artifact), every problem a
// diagnostic. Rego errors come back with the file, line, code, underlined token and hint; the
// OPA build is injected, so the compiler runs without one (no bundle) and says so when the
// policy set has Rego it cannot build. Runs the pinned OPA CLI (`npm run setup`).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compilePolicySet, type CompileResult, type PolicySources } from "../../compiler/index.ts";
import { nodeCompileOptions, readPolicyDir } from "../../compiler/node/index.ts";
import { ARTIFACT_PART } from "../../core/artifact.ts";
import type { Diagnostic } from "../../core/diagnostics.ts";
import { runCli } from "../helpers/cli.ts";
import { SPEC_CATALOG } from "../helpers/spec-catalog.ts";

const POLICIES = readPolicyDir("policies").sources!;
const JOURNEY = `journey j {\n  purpose renewal_marketing\n  on daily\n  when policy.status == "active"\n  do email(template: "t")\n}\n`;
/** A Rego syntax error on line 6: the `}` closing a body whose comparison has no right side. */
const BROKEN_REGO = "package kairos.extra\n\nimport rego.v1\n\nbroken if {\n\tinput.x ==\n}\n";

const tmp = mkdtempSync(join(tmpdir(), "kairos-compile-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The example policy set with one more Rego file. */
function withRego(name: string, text: string): PolicySources {
  return { ...POLICIES, rego: [...POLICIES.rego, { name: `policies/rego/${name}`, text }] };
}

/** Diagnostics as a user sees them: code, severity, file, line, underlined text, message, hint. */
function seen(r: CompileResult): { code: string; severity: string; file: string; line: number; underlined: string; message: string; hint?: string }[] {
  return r.diagnostics.map((d: Diagnostic) => {
    const f = r.sources.get(d.span.file)!;
    return {
      code: d.code,
      severity: d.severity,
      file: d.span.file,
      line: f.position(d.span.start).line,
      underlined: f.slice(d.span),
      message: d.message,
      ...(d.hint !== undefined ? { hint: d.hint } : {}),
    };
  });
}

describe("compilePolicySet", () => {
  it("compiles the example set in memory to the bytes `kairos compile` writes", async () => {
    const r = await compilePolicySet(POLICIES, nodeCompileOptions());
    expect(r.diagnostics).toEqual([]);
    const out = join(tmp, "art");
    expect((await runCli(["compile", "policies", "--out", out])).code).toBe(0);
    const written = new Map(
      readdirSync(out, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => [join(e.parentPath, e.name).slice(out.length + 1), new Uint8Array(readFileSync(join(e.parentPath, e.name)))]),
    );
    expect(new Map([...r.artifact!.files].sort())).toEqual(new Map([...written].sort()));
    expect(r.artifact!.manifest.opa).toMatchObject({
      version: "1.22.2",
      default_policies: false,
      rego: { "consent.rego": expect.any(String), "kairos.rego": expect.any(String), "residency.rego": expect.any(String) },
    });
  });

  it("reports a Rego syntax error in its file, on its line, with the code and the hint — and builds nothing", async () => {
    const r = await compilePolicySet(withRego("extra.rego", BROKEN_REGO), nodeCompileOptions());
    expect(seen(r)).toEqual([
      {
        code: "opa/rego-parse-error",
        severity: "error",
        file: "policies/rego/extra.rego",
        line: 7,
        underlined: "}",
        message: "unexpected } token",
        hint: "Kairos builds the policies with OPA 1.x, which reads Rego v1: a rule body needs `if` (`allow if { … }`), a multi-value rule `contains`",
      },
    ]);
    expect(r.artifact).toBeUndefined();
    expect(r.program).toBeDefined(); // the journeys themselves are fine
  });

  it("reports the same in `check` mode, where the bundle is built and dropped", async () => {
    const r = await compilePolicySet(withRego("extra.rego", BROKEN_REGO), nodeCompileOptions({ mode: "check" }));
    expect(seen(r).map((d) => [d.code, d.file, d.line])).toEqual([["opa/rego-parse-error", "policies/rego/extra.rego", 7]]);
    expect(r.artifact).toBeUndefined();
    const clean = await compilePolicySet(POLICIES, nodeCompileOptions({ mode: "check" }));
    expect(clean.diagnostics).toEqual([]);
    expect(clean.artifact).toBeUndefined();
  });

  it("underlines the function a compile error is about", async () => {
    const r = await compilePolicySet(withRego("extra.rego", "package kairos.extra\n\nimport rego.v1\n\nz if { nosuch.fn(1) }\n"), nodeCompileOptions());
    expect(seen(r)).toMatchObject([
      {
        code: "opa/rego-compile-error",
        file: "policies/rego/extra.rego",
        line: 5,
        underlined: "nosuch.fn",
        message: "undefined function nosuch.fn",
        hint: expect.stringContaining("`rego_type_error`"),
      },
    ]);
  });

  it("reports Rego errors together with the journeys' own", async () => {
    const sources = withRego("extra.rego", BROKEN_REGO);
    const r = await compilePolicySet(
      { ...sources, journeys: [...sources.journeys, { name: "policies/journeys/zz.journey", text: JOURNEY.replace("email", "emial") }] },
      nodeCompileOptions(),
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(["check/unknown-action", "opa/rego-parse-error"]);
    expect(r.program).toBeUndefined();
  });

  it("puts the caller's reading problems first, and builds nothing after an error among them", async () => {
    const early: Diagnostic = {
      code: "syntax/invalid-encoding",
      severity: "error",
      message: "the file is not valid UTF-8",
      span: { file: "policies/catalog.yaml", start: 0, end: 1 },
    };
    const r = await compilePolicySet(POLICIES, nodeCompileOptions({ diagnostics: [early] }));
    expect(r.diagnostics).toEqual([early]);
    expect(r.program).toBeUndefined();
    expect(r.artifact).toBeUndefined();
  });

  it("reports a `rego/` that holds only tests", async () => {
    const r = await compilePolicySet({ ...POLICIES, rego: POLICIES.rego.filter((f) => f.name.endsWith("_test.rego")) }, nodeCompileOptions());
    expect(seen(r)).toMatchObject([{ code: "opa/no-rego", severity: "error", file: "policies/rego/consent_test.rego" }]);
  });

  it("reports a missing OPA CLI: an error when compiling, a warning when checking", async () => {
    const opts = { opaPath: join(tmp, "no-opa") };
    const compiled = await compilePolicySet(POLICIES, nodeCompileOptions(opts));
    expect(seen(compiled)).toMatchObject([
      {
        code: "opa/cli-missing",
        severity: "error",
        file: "policies/rego/consent.rego",
        message: expect.stringContaining("is not installed at"),
        hint: expect.stringContaining("npm run setup"),
      },
    ]);
    expect(compiled.artifact).toBeUndefined();
    const checked = await compilePolicySet(POLICIES, nodeCompileOptions({ ...opts, mode: "check" }));
    expect(seen(checked)).toMatchObject([{ code: "opa/rego-not-checked", severity: "warning" }]);
    // The standard policies are needed only for an artifact: checking a set without Rego needs no OPA.
    const standard = await compilePolicySet({ ...POLICIES, rego: [] }, nodeCompileOptions({ ...opts, mode: "check" }));
    expect(standard.diagnostics).toEqual([]);
  });

  it("builds the standard policies for a set without Rego of its own", async () => {
    const r = await compilePolicySet({ ...POLICIES, rego: [] }, nodeCompileOptions());
    expect(r.diagnostics).toEqual([]);
    expect(r.artifact!.manifest.opa).toMatchObject({ default_policies: true, rego: { "consent.rego": expect.any(String) } });
  });
});

describe("compilePolicySet without an OPA backend (pure, as in a browser)", () => {
  const alone: PolicySources = { catalog: { name: "catalog.yaml", text: SPEC_CATALOG }, journeys: [{ name: "j.journey", text: JOURNEY }], rego: [] };

  it("compiles a set without Rego to an artifact without a bundle", async () => {
    const r = await compilePolicySet(alone);
    expect(r.diagnostics).toEqual([]);
    expect([...r.artifact!.files.keys()].sort()).toEqual(
      [ARTIFACT_PART.catalog, ARTIFACT_PART.manifest, ARTIFACT_PART.predicates, ARTIFACT_PART.predicatesTs].sort(),
    );
    expect(r.artifact!.manifest.opa).toBeNull();
  });

  it("refuses to drop a set's own Rego it cannot build, and leaves it alone when only checking", async () => {
    const withOwn = { ...alone, rego: [{ name: "rego/extra.rego", text: BROKEN_REGO }] };
    const r = await compilePolicySet(withOwn);
    expect(seen(r)).toMatchObject([{ code: "opa/cli-missing", severity: "error", file: "rego/extra.rego", hint: expect.stringContaining("compilePolicyDir") }]);
    expect(r.artifact).toBeUndefined();
    expect((await compilePolicySet(withOwn, { mode: "check" })).diagnostics).toEqual([]);
  });

  it("reports two Rego files that would share a name in the bundle", async () => {
    const r = await compilePolicySet(
      {
        ...alone,
        rego: [
          { name: "a/x.rego", text: "package a\n" },
          { name: "b/x.rego", text: "package b\n" },
        ],
      },
      { mode: "check" },
    );
    expect(seen(r)).toMatchObject([{ code: "opa/build-failed", file: "b/x.rego", message: "`b/x.rego` and `a/x.rego` would both be `x.rego` in the bundle" }]);
  });
});
