// The command line of spec §6 as scripts use it: `kairos check` (text and JSON, exit codes),
// `kairos compile` (byte-identical artifacts, nothing written on errors), `kairos fmt`, and
// bad input that must give a clear diagnostic, never a stack trace.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = resolve("bin/kairos.js");
const kairos = (args: string[], cwd = process.cwd()) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd, env: { ...process.env, NO_COLOR: "1" } });
let dir: string;

/** A policy set: the example catalog plus the given journey files. */
function policySet(name: string, journeys: Record<string, string | Buffer>): string {
  const root = join(dir, name);
  mkdirSync(join(root, "journeys"), { recursive: true });
  cpSync("policies/catalog.yaml", join(root, "catalog.yaml"));
  for (const [f, text] of Object.entries(journeys)) writeFileSync(join(root, "journeys", f), text);
  return root;
}

function files(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, f.name);
      if (f.isDirectory()) walk(p);
      else out.set(p.slice(root.length), readFileSync(p).toString("base64"));
    }
  };
  walk(root);
  return out;
}

const GOOD = `journey j {\n  purpose renewal_marketing\n  on daily\n  when policy.status == "active"\n  do email(template: "t")\n}\n`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kairos-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("kairos check", () => {
  it("exits 0 on the example policy set", () => {
    const r = kairos(["check", "policies"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: \d+ journeys/);
  });

  it("prints the diagnostics as JSON with 1-based positions and paths as given, and exits 1 on errors", () => {
    const root = policySet("json", { "a.journey": GOOD.replace("policy.status", "policy.statuss") });
    const r = kairos(["check", root, "--format", "json"]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { diagnostics: Record<string, unknown>[] };
    expect(out.diagnostics).toEqual([
      {
        code: "check/unknown-field",
        severity: "error",
        message: "entity `policy` has no field `statuss`",
        file: join(root, "journeys/a.journey"),
        line: 4,
        column: 15,
        endLine: 4,
        endColumn: 22,
        hint: "did you mean `status`?",
      },
    ]);
  });

  it("renders a code frame for people", () => {
    const root = policySet("frame", { "a.journey": GOOD.replace("policy.status", "policy.statuss") });
    const r = kairos(["check", root]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("frame/journeys/a.journey:4:15: error[check/unknown-field]: entity `policy` has no field `statuss`");
    expect(r.stderr).toContain('4 |   when policy.statuss == "active"');
    expect(r.stderr).toContain("  |               ^^^^^^^");
    expect(r.stderr).toContain("= help: did you mean `status`?");
  });

  it("exits 2 on usage errors", () => {
    expect(kairos(["check"]).status).toBe(2);
    expect(kairos(["check", join(dir, "missing")]).status).toBe(2);
    expect(kairos(["check", "policies", "--format", "xml"]).status).toBe(2);
    expect(kairos(["check", "policies", "--bogus"]).status).toBe(2);
  });

  it.each([
    ["an empty file", "", "check/no-journeys"],
    ["non-UTF-8 bytes", Buffer.from([0x6a, 0x6f, 0x75, 0x72, 0x6e, 0x65, 0x79, 0x20, 0xff, 0xfe, 0x0a]), "syntax/invalid-encoding"],
    ["a 10 MB file", "# " + "x".repeat(10 * 1024 * 1024) + "\n", "syntax/file-too-large"],
    ["deeply nested parentheses", GOOD.replace('policy.status == "active"', "(".repeat(5000) + "true" + ")".repeat(5000)), "syntax/too-deep"],
  ])("reports %s as a diagnostic, not a stack trace", (_name, text, code) => {
    const root = policySet(`bad-${code.replace("/", "-")}`, { "a.journey": text });
    const r = kairos(["check", root, "--format", "json"]);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+|internal error/);
    const out = JSON.parse(r.stdout) as { diagnostics: { code: string }[] };
    expect(out.diagnostics.map((d) => d.code)).toContain(code);
  });
});

describe("kairos compile", () => {
  it("writes byte-identical artifacts for the same sources, from any directory", () => {
    const a = kairos(["compile", "policies", "--out", join(dir, "out-a")]);
    expect(a.status, a.stderr).toBe(0);
    const b = kairos(["compile", resolve("policies"), "--out", join(dir, "out-b")], tmpdir());
    expect(b.status, b.stderr).toBe(0);
    const fa = files(join(dir, "out-a"));
    expect([...fa.keys()].sort()).toEqual(["/catalog.json", "/manifest.json", "/opa/bundle.tar.gz", "/predicates.js", "/predicates.ts"]);
    expect(files(join(dir, "out-b"))).toEqual(fa);
    const manifest = JSON.parse(readFileSync(join(dir, "out-a/manifest.json"), "utf8")) as {
      opa: { version: string; rego: Record<string, string> };
      journeys: { id: string; fields: string[] }[];
    };
    expect(manifest.opa.version).toBe("1.22.2");
    expect(Object.keys(manifest.opa.rego).length).toBeGreaterThan(0);
    expect(manifest.journeys.find((j) => j.id === "service_recovery")?.fields).toEqual(["customer.segment"]);
  });

  it("writes nothing and keeps the previous artifact when the policies have errors", () => {
    const out = join(dir, "out-keep");
    expect(kairos(["compile", "policies", "--out", out]).status).toBe(0);
    const before = files(out);
    const root = policySet("broken", { "a.journey": GOOD.replace("email", "emial") });
    const r = kairos(["compile", root, "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error[check/unknown-action]");
    expect(files(out)).toEqual(before);
    expect(existsSync(join(dir, "never"))).toBe(false);
    expect(kairos(["compile", root, "--out", join(dir, "never")]).status).toBe(1);
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  it("exits 2 without --out", () => {
    expect(kairos(["compile", "policies"]).status).toBe(2);
  });
});

describe("kairos fmt", () => {
  it("reports unformatted files with --check and formats them in place", () => {
    const root = policySet("fmt", { "a.journey": 'journey j { purpose renewal_marketing on daily when true do email(template: "t") }\n' });
    const file = join(root, "journeys/a.journey");
    const check = kairos(["fmt", "--check", file]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain("not formatted");
    expect(kairos(["fmt", file]).status).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("  purpose  renewal_marketing\n");
    expect(kairos(["fmt", "--check", file]).status).toBe(0);
  });

  it("refuses to format a file with syntax errors and leaves it untouched", () => {
    const root = policySet("fmt-bad", { "a.journey": "journey j { purpose \n" });
    const file = join(root, "journeys/a.journey");
    const r = kairos(["fmt", file]);
    expect(r.status).toBe(1);
    expect(readFileSync(file, "utf8")).toBe("journey j { purpose \n");
  });
});
