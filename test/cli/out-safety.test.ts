// Commands that write never destroy what they were not asked to: `compile --out` replaces only
// an earlier artifact (missing and empty directories are fine), `demo --out` writes only into a
// new, empty or earlier demo directory, `fmt` keeps links, modes and unrelated files, and
// `test --junit` replaces only a JUnit report. Everything else exits 2 with a clear message
// and every file stays exactly as it was.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkArtifactOut, OutputRefusedError, writeArtifactDir } from "../../compiler/node/artifact-write.ts";

const BIN = resolve("bin/kairos.js");
const POLICIES = resolve("policies");
const kairos = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd, env: { ...process.env, NO_COLOR: "1" } });

let root: string;
/** The current directory of the commands: holds `policies/` (a copy of the example set). */
let work: string;

/** Every path under `dir` with its type, mode and content (or link target). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const key = p.slice(dir.length);
      if (st.isSymbolicLink()) out.set(key, `link ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(key, `dir ${st.mode.toString(8)}`);
        walk(p);
      } else out.set(key, `file ${st.mode.toString(8)} ${readFileSync(p).toString("base64")}`);
    }
  };
  walk(dir);
  return out;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "kairos-out-"));
  work = join(root, "a", "work");
  mkdirSync(work, { recursive: true });
  cpSync(POLICIES, join(work, "policies"), { recursive: true });
  writeFileSync(join(work, "notes.txt"), "my notes\n");
  mkdirSync(join(work, "docs"));
  writeFileSync(join(work, "docs", "plan.md"), "# plan\n");
  mkdirSync(join(work, "pkg"));
  writeFileSync(join(work, "pkg", "manifest.json"), JSON.stringify({ name: "not-kairos", version: "1.0.0", hash: "x", parts: {} }));
  writeFileSync(join(work, "pkg", "index.js"), "export {};\n");
  mkdirSync(join(root, "a", "elsewhere"));
  writeFileSync(join(root, "a", "elsewhere", "keep.txt"), "keep\n");
  // A real artifact with a file of the user's in it, and a link to a real artifact.
  expect(kairos(["compile", "policies", "--out", "art-plus"], work).status).toBe(0);
  writeFileSync(join(work, "art-plus", "notes.txt"), "mine\n");
  expect(kairos(["compile", "policies", "--out", "art"], work).status).toBe(0);
  symlinkSync("art", join(work, "link"));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("kairos compile --out refuses anything but an artifact, a new or an empty directory", () => {
  it.each([
    ["the current directory, which holds the policies", ".", "`.` contains the policy directory"],
    ["the policy directory", "policies", "`policies` is the policy directory"],
    ["a directory inside the policy directory", "policies/journeys", "is inside the policy directory"],
    ["a new directory inside the policy directory", "policies/out", "is inside the policy directory"],
    ["an ancestor of the current and policy directories", "..", "`..` contains the policy directory"],
    ["the policy directory by another spelling", "policies/journeys/..", "is the policy directory"],
    ["an existing file", "notes.txt", "`notes.txt` is a file, not a directory"],
    ["a directory of other files", "docs", "`docs` is not empty and is not a Kairos artifact (it holds `plan.md`"],
    ["a directory whose manifest.json is not Kairos'", "pkg", "`pkg` is not empty and is not a Kairos artifact"],
    ["an artifact holding a file of the user's", "art-plus", "`art-plus` is a Kairos artifact but also holds `notes.txt`"],
    ["a symbolic link to an artifact", "link", "`link` is a symbolic link"],
    ["a path under a file", "notes.txt/out", "a part of the path is a file, not a directory (ENOTDIR)"],
  ])("refuses %s with exit 2 and touches nothing", (_what, out, message) => {
    const before = snapshot(root);
    const r = kairos(["compile", "policies", "--out", out], work);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/\nhelp: /);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.status).toBe(2);
    expect(snapshot(root)).toEqual(before);
  });

  it("refuses the current directory even when the policies are elsewhere", () => {
    const cwd = join(root, "a", "elsewhere");
    const before = snapshot(root);
    const r = kairos(["compile", "../work/policies", "--out", "."], cwd);
    expect(r.stderr).toContain("`.` is the current directory");
    expect(r.status).toBe(2);
    expect(snapshot(root)).toEqual(before);
  });

  it("refuses `/` and the ancestors of the current directory (judged, never attempted)", () => {
    for (const out of ["/", root]) {
      expect(() => checkArtifactOut(out, { protect: [join(work, "policies")], cwd: work })).toThrow(OutputRefusedError);
      expect(() => checkArtifactOut(out, { cwd: work })).toThrow(/contains the current directory/);
    }
  });

  it("re-compiles over its own earlier artifact, atomically, leaving nothing beside it", () => {
    expect(kairos(["compile", "policies", "--out", "again"], work).status).toBe(0);
    const first = snapshot(join(work, "again"));
    const r = kairos(["compile", "policies", "--out", "again"], work);
    expect(r.status, r.stderr).toBe(0);
    expect(snapshot(join(work, "again"))).toEqual(first);
    expect(readdirSync(work).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("writes into an empty directory and creates missing parents", () => {
    mkdirSync(join(work, "empty"));
    expect(kairos(["compile", "policies", "--out", "empty"], work).status).toBe(0);
    expect(existsSync(join(work, "empty", "manifest.json"))).toBe(true);
    expect(kairos(["compile", "policies", "--out", "new/deeper/out"], work).status).toBe(0);
    expect(existsSync(join(work, "new/deeper/out/manifest.json"))).toBe(true);
  });

  it("keeps the previous artifact whole when writing the new one fails half-way", () => {
    const out = join(work, "art");
    const before = snapshot(work);
    // `x` as a file and `x/y` below it: the second write fails after the first succeeded.
    const files = new Map([
      ["manifest.json", new TextEncoder().encode("{}")],
      ["x", new Uint8Array([1])],
      ["x/y", new Uint8Array([2])],
    ]);
    expect(() => writeArtifactDir(out, files, { cwd: root })).toThrow();
    expect(snapshot(work)).toEqual(before);
  });
});

describe("kairos demo --out writes only into a new, empty or earlier demo directory", () => {
  const small = ["--customers", "5", "--days", "1"];

  it.each([
    ["an existing file", ["--out", "notes.txt"], "`notes.txt` is a file, not a directory"],
    ["the current directory, which holds other files", ["--out", "."], "is not empty and is not the output of an earlier `kairos demo`"],
    ["a directory of other files", ["--out", "docs"], "is not empty and is not the output of an earlier `kairos demo` (it holds `plan.md`"],
    ["the policy directory", ["--out", "policies", "--policies", "policies"], "is the policy directory"],
    ["an ancestor of the policy directory", ["--out", "..", "--policies", "policies"], "contains the policy directory"],
  ])("refuses %s with exit 2 and touches nothing", (_what, args, message) => {
    const before = snapshot(root);
    const r = kairos(["demo", ...args, ...small], work);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.status).toBe(2);
    expect(snapshot(root)).toEqual(before);
  });

  it("reuses an earlier demo directory from before the marker, keeping its log", () => {
    const dir = join(work, "old-demo");
    mkdirSync(dir);
    cpSync(join(work, "art"), join(dir, "artifact"), { recursive: true });
    writeFileSync(join(dir, "decisions.log"), "the old run's log\n");
    writeFileSync(join(dir, "decisions.log.key"), "the old run's key\n");
    const r = kairos(["demo", "--out", "old-demo", ...small], work);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "decisions.1.log"), "utf8")).toBe("the old run's log\n");
    expect(readFileSync(join(dir, "decisions.1.log.key"), "utf8")).toBe("the old run's key\n");
    expect(existsSync(join(dir, ".kairos-demo"))).toBe(true);
  });
});

describe("kairos fmt and kairos test --junit", () => {
  const UNFORMATTED = 'journey j { purpose renewal_marketing on daily when true do email(template: "t") }\n';

  it("fmt formats what a link points to, keeps the file's mode and never clobbers a file beside it", () => {
    const dir = join(work, "fmt");
    mkdirSync(dir);
    writeFileSync(join(dir, "a.journey"), UNFORMATTED);
    chmodSync(join(dir, "a.journey"), 0o600);
    symlinkSync("a.journey", join(dir, "link.journey"));
    writeFileSync(join(dir, "a.journey.kairos-fmt.tmp"), "precious\n");
    const r = kairos(["fmt", join(dir, "link.journey")], work);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(join(dir, "link.journey")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "a.journey"), "utf8")).toContain("  purpose  renewal_marketing\n");
    expect(statSync(join(dir, "a.journey")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "a.journey.kairos-fmt.tmp"), "utf8")).toBe("precious\n");
    expect(readdirSync(dir).sort()).toEqual(["a.journey", "a.journey.kairos-fmt.tmp", "link.journey"]);
  });

  it("test --junit refuses to replace a file that is not a JUnit report, before running anything", () => {
    const before = snapshot(root);
    const r = kairos(["test", "policies", "--junit", "policies/catalog.yaml"], work);
    expect(r.stderr).toContain("`policies/catalog.yaml` exists and is not a JUnit report; refusing to replace it");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(snapshot(root)).toEqual(before);
  });

  it("test --junit replaces an earlier report", () => {
    writeFileSync(join(work, "report.xml"), '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="old"></testsuites>\n');
    const r = kairos(["test", "policies", "--junit", "report.xml"], work);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(work, "report.xml"), "utf8")).toContain('<testsuites name="kairos test"');
  });
});
