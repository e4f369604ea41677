// The package as a user gets it. `npm pack` (prepack builds dist/), the tarball installed into
// a temporary project by npm from the local cache only (project.ts says why with a lockfile),
// then, with plain Node — no type-stripping flags; Node refuses to strip inside node_modules
// anyway — an application (fixtures/consumer.ts) type-checked by tsc against the installed
// .d.ts imports every entry point, compiles the example policies two ways and decides; and the
// installed `kairos` command runs. One pack and one install, shared by the tests (~15 s).
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compilePolicyDir } from "../../compiler/node/index.ts";
import { DEFAULT_OPA_PATH } from "../../compiler/opa/index.ts";
import { writeProject } from "./project.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const POLICIES = join(ROOT, "policies");
const OPA = resolve(process.env["KAIROS_OPA"] ?? DEFAULT_OPA_PATH);
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  exports: Record<string, string | Record<string, string>>;
};

interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * The environment of a user's shell: this Node first on PATH, none of the variables the outer
 * `npm test` sets for its scripts (npm_*, which the inner npm would read as configuration —
 * the cache's location aside), no NODE_OPTIONS, no KAIROS_OPA unless given.
 */
function userEnv(extra: Record<string, string> = {}, path: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && key.toLowerCase() !== "npm_config_cache") continue;
    if (key === "NODE_OPTIONS" || key === "KAIROS_OPA") continue;
    env[key] = value;
  }
  env["PATH"] = [dirname(process.execPath), ...path, process.env["PATH"] ?? ""].join(delimiter);
  return { ...env, ...extra };
}

function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Promise<Ran> {
  return new Promise((done) => {
    execFile(file, args, { cwd, env, maxBuffer: 64 << 20 }, (error, out, err) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      done({ code, out, err: err || (error?.message ?? "") });
    });
  });
}

function ok(what: string, r: Ran): Ran {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n${r.err}\n${r.out}`.slice(0, 4000));
  return r;
}

let tmp: string;
let app: string;
let packed: { filename: string; integrity: string; files: { path: string }[] };

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kairos-package-"));
  // --json prints the report on stdout after whatever the lifecycle scripts printed there.
  const pack = ok("npm pack", await run("npm", ["pack", "--json", "--pack-destination", tmp], ROOT));
  packed = (JSON.parse(pack.out.slice(pack.out.search(/^\[/m))) as (typeof packed)[])[0]!;
  app = join(tmp, "app");
  mkdirSync(app);
  const integrity = writeProject(app, { root: ROOT, name: manifest.name, version: manifest.version }, join(tmp, packed.filename), ["@types/node"]);
  if (integrity !== packed.integrity) throw new Error(`the tarball's sha512 is not the one npm pack reported`);
  ok("npm install --offline", await run("npm", ["install", "--offline", "--no-audit", "--no-fund"], app));
  cpSync(join(import.meta.dirname, "fixtures"), app, { recursive: true });
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the packed package", () => {
  test("holds JavaScript, types and the files read at run time, and no TypeScript source", () => {
    const files = packed.files.map((f) => f.path);
    const promised = Object.values(manifest.exports).flatMap((t) => (typeof t === "string" ? [t] : Object.values(t)));
    expect(promised.length).toBeGreaterThan(10);
    for (const p of promised) expect(files).toContain(p.replace(/^\.\//, ""));
    for (const rego of ["kairos.rego", "consent.rego", "residency.rego"]) expect(files).toContain(`dist/runtime/opa/default-rego/${rego}`);
    expect(files).toContain("dist/compiler/catalog/catalog.schema.json");
    expect(files).toContain("dist/policies/catalog.yaml");
    expect(files).toContain("bin/kairos.js");
    expect(files).toContain("README.md");
    // The request and decision JSON Schemas (docs/request.md), for validators in other languages.
    expect(files).toContain("schemas/request.schema.json");
    expect(files).toContain("schemas/decision.schema.json");
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(files.filter((f) => !/^(dist\/|schemas\/|bin\/kairos\.js$|README\.md$|package\.json$|LICENSE)/.test(f))).toEqual([]);
  });

  test("a consumer type-checks against the installed .d.ts under strict settings", async () => {
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const r = await run(process.execPath, [tsc, "-p", "tsconfig.json"], app);
    expect(r.out + r.err).toBe("");
    expect(r.code).toBe(0);
  });

  test("plain Node imports every entry point from dist/, compiles the example policies and decides", async () => {
    // tsc emitted out/consumer.js in the test above.
    const r = ok("node out/consumer.js", await run(process.execPath, [join(app, "out/consumer.js"), POLICIES], app, userEnv({ KAIROS_OPA: OPA })));
    const report = JSON.parse(r.out) as {
      resolved: Record<string, string>;
      hash: string;
      inMemoryHash: string;
      decision: unknown;
      tests: { passed: number; failed: number };
    };
    const installed = `${pathToFileURL(join(realpathSync(app), "node_modules", manifest.name, "dist")).href}/`;
    expect(Object.keys(report.resolved)).toHaveLength(6);
    for (const [entry, url] of Object.entries(report.resolved)) expect(url.startsWith(installed) && url.endsWith(".js"), `${entry} → ${url}`).toBe(true);
    expect(report.decision).toEqual({ outcome: "acted", journey: "renewal_reminder_d90", basis: "consent" });
    expect(report.tests.failed).toBe(0);
    expect(report.tests.passed).toBeGreaterThan(0);
    // The built package compiles the same bytes as the sources in this checkout.
    const here = await compilePolicyDir(POLICIES, { opaPath: OPA });
    expect("artifact" in here && here.artifact?.manifest.hash).toBe(report.hash);
    expect(report.inMemoryHash).toBe(report.hash);
  });

  test("the installed `kairos` command checks a policy set", async () => {
    // `check` builds the set's own Rego too (a clean check is a clean compile): it needs OPA.
    const r = await run(join(app, "node_modules/.bin/kairos"), ["check", POLICIES], app, userEnv({ KAIROS_OPA: OPA }));
    // No error or warning; the only notes are the journeys that wait for a DPO approval (docs/approvals.md).
    expect(r.err).not.toMatch(/(error|warning)\[/);
    expect([...r.err.matchAll(/: info\[([a-z/-]+)\]/g)].map((m) => m[1])).toEqual(["approval/required", "approval/required", "approval/required"]);
    // Paths are printed as given (here the absolute path of the example set).
    expect(r.out).toMatch(/^ok: \d+ journeys in \d+ files checked against \S*policies\/catalog\.yaml; 3 journeys wait for a DPO approval/m);
    expect(r.code).toBe(0);
    expect((await run(join(app, "node_modules/.bin/kairos"), ["--version"], app)).out.trim()).toBe(`kairos ${manifest.version}`);
  });

  test("the installed `kairos demo` runs the example policy set the package ships", async () => {
    const out = join(tmp, "demo");
    const r = await run(join(app, "node_modules/.bin/kairos"), ["demo", "--out", out, "--customers", "20", "--days", "2"], app, userEnv({ KAIROS_OPA: OPA }));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^1\. compiled \S*node_modules\/@kairos-policy\/kairos\/dist\/policies → /m);
    // The demo runs through the decision service: the store's chain and its exported file both verify.
    expect(r.out).toMatch(/log verified: \d+ entries in the store and in \S*decisions\.log, chain intact and authenticated/);
  });

  test("the installed `kairos` command finds `opa` on PATH when KAIROS_OPA is not set", async () => {
    // The pinned CLI under the name `opa`, in a folder of its own put on PATH.
    const bin = join(tmp, "opa-bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(OPA, join(bin, "opa"));
    const out = join(tmp, "artifact");
    const r = await run(join(app, "node_modules/.bin/kairos"), ["compile", POLICIES, "--out", out], app, userEnv({}, [bin]));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const written = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { hash: string; opa: { version: string } | null };
    expect(written.opa?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
