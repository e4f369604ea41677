// The command-line conventions of docs/cli.md, each run as a user would (the real `kairos`
// binary in a child process): paths as given, colour per stream, `check --strict`, `fmt -d`/
// `-l`/`-`, `decide --request -`/`--explain`/`--log`, `explain --format json`, `inspect`,
// `init` and `completion`.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamColor, type Io } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";

const BIN = resolve("bin/kairos.js");
const ROOT = resolve(".");
type Env = Record<string, string | undefined>;
function kairos(args: string[], opts: { cwd?: string; input?: string; env?: Env } = {}) {
  const env: Env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: opts.cwd ?? ROOT,
    env: env as NodeJS.ProcessEnv,
    timeout: 120_000,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
}

const REQUEST = {
  event: { type: "daily", id: "d" },
  subject: "c-1",
  now: "2026-05-30T12:00:00Z",
  region: "eu",
  context: {
    customer: { customer_id: "c-1", email: "a@b.c", timezone: "Europe/Berlin", tenure_months: 24, segment: "retail", recent_interactions: [] },
    policy: { status: "active", renewal_date: "2026-08-28", premium: 1 },
    onboarding: { completed_steps: 5, total_steps: 5, last_progress_at: "2026-05-01T00:00:00Z" },
  },
  consents: [{ purpose: "renewal_marketing", channel: "email", status: "granted", at: "2026-01-01T00:00:00Z" }],
};
const GOOD = `journey j {\n  purpose  renewal_marketing\n  on       daily\n  when     policy.status == "active"\n  do       email(template: "t")\n}\n`;
const UGLY = `journey j {\n  purpose renewal_marketing\n    on daily\n  when policy.status == "active"\n  do email(template: "t")\n}\n`;

let dir: string;
function policySet(name: string, journeys: Record<string, string>): string {
  const root = join(dir, name);
  mkdirSync(join(root, "journeys"), { recursive: true });
  cpSync("policies/catalog.yaml", join(root, "catalog.yaml"));
  for (const [f, text] of Object.entries(journeys)) writeFileSync(join(root, "journeys", f), text);
  return root;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kairos-conv-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("paths as the user gave them", () => {
  it("`kairos check ../other/policies` names files that open from the current directory", () => {
    const root = policySet("far/policies", { "a.journey": GOOD.replace("policy.status", "policy.statuss") });
    const cwd = join(dir, "here");
    mkdirSync(cwd, { recursive: true });
    const given = relative(cwd, root); // ../far/policies
    const r = kairos(["check", given], { cwd });
    expect(r.status).toBe(1);
    const m = /^(\S+):4:\d+: error\[check\/unknown-field\]/m.exec(r.stderr);
    expect(m?.[1]).toBe(join(given, "journeys/a.journey"));
    expect(existsSync(resolve(cwd, m![1]!))).toBe(true);
  });
});

describe("paths as the user gave them in `kairos test`", () => {
  it("`kairos test ../other/policies` names its files (text and JSON) as they open from the current directory", () => {
    const root = join(dir, "far-tests", "policies");
    expect(kairos(["init", root]).status).toBe(0);
    // One failing expectation, so the report also points at a line.
    const file = join(root, "journeys", "welcome.journey");
    writeFileSync(file, readFileSync(file, "utf8").replace("expect    no_match", "expect    acted welcome_reminder"));
    const cwd = join(dir, "here-tests");
    mkdirSync(cwd, { recursive: true });
    const given = relative(cwd, root); // ../far-tests/policies
    const shownFile = join(given, "journeys/welcome.journey");
    const text = kairos(["test", given], { cwd });
    expect(text.status).toBe(1);
    expect(text.stdout.split("\n")[0]).toBe(shownFile);
    const at = /^\s+(\S+\.journey):\d+:\d+/m.exec(text.stdout);
    expect(at?.[1]).toBe(shownFile);
    expect(existsSync(resolve(cwd, at![1]!))).toBe(true);
    const json = kairos(["test", given, "--format", "json"], { cwd }).stdout;
    expect(json).toContain(`"file": "${shownFile}"`);
    expect(json).not.toContain(`"file": "journeys/welcome.journey"`);
  });
});

describe("colour", () => {
  it("is decided per stream and honours NO_COLOR and FORCE_COLOR", () => {
    expect(streamColor(false, {})).toBe(false);
    expect(streamColor(true, {})).toBe(true);
    expect(streamColor(true, { NO_COLOR: "1" })).toBe(false);
    expect(streamColor(true, { TERM: "dumb" })).toBe(false);
    expect(streamColor(false, { FORCE_COLOR: "1" })).toBe(true);
    expect(streamColor(true, { FORCE_COLOR: "0" })).toBe(false);
    expect(streamColor(false, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(true);
  });

  it("diagnostics on stderr follow stderr's colour, not stdout's", async () => {
    const root = policySet("colour", { "a.journey": GOOD.replace("policy.status", "policy.statuss") });
    const run = async (color: boolean, errColor: boolean) => {
      let err = "";
      const io: Io = { out: () => {}, err: (t) => void (err += t), color, errColor };
      await main(["check", root], io);
      return err;
    };
    expect(await run(true, false)).not.toContain("\u001b[");
    expect(await run(false, true)).toContain("\u001b[");
  });

  it("FORCE_COLOR colours a piped stderr; NO_COLOR keeps it plain", () => {
    const root = policySet("colour2", { "a.journey": GOOD.replace("policy.status", "policy.statuss") });
    expect(kairos(["check", root], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } }).stderr).toContain("\u001b[");
    expect(kairos(["check", root], { env: { NO_COLOR: "1" } }).stderr).not.toContain("\u001b[");
  });
});

describe("unknown options", () => {
  it("are named in backticks, and exit 2", () => {
    const r = kairos(["check", "policies", "--colour"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("kairos check: unknown option `--colour`\n");
  });
});

describe("kairos check --strict", () => {
  it("passes a warning without --strict and fails it with --strict", () => {
    const root = policySet("strict", { "a.journey": `condition unused = policy.status == "active"\n\n${GOOD}` });
    const lax = kairos(["check", root]);
    expect(lax.status, lax.stderr).toBe(0);
    expect(lax.stderr).toContain("warning[check/unused-condition]");
    const strict = kairos(["check", root, "--strict"]);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain("--strict: warnings fail");
    expect(strict.stdout).not.toContain("ok:");
  });
});

describe("kairos fmt", () => {
  it("-l lists only the files that would change and changes nothing", () => {
    const root = policySet("fmt-l", { "a.journey": UGLY, "b.journey": GOOD });
    const r = kairos(["fmt", "-l", join(root, "journeys")]);
    expect(r.status).toBe(1);
    expect(r.stdout.trim()).toBe(join(root, "journeys/a.journey"));
    expect(readFileSync(join(root, "journeys/a.journey"), "utf8")).toBe(UGLY);
    expect(kairos(["fmt", "-l", join(root, "journeys/b.journey")]).status).toBe(0);
  });

  it("--diff prints a unified diff of what would change", () => {
    const root = policySet("fmt-d", { "a.journey": UGLY });
    const file = join(root, "journeys/a.journey");
    const r = kairos(["fmt", "--diff", file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`--- ${file}\n+++ ${file}\n@@ -1,6 +1,6 @@\n journey j {\n-  purpose renewal_marketing\n-    on daily\n`);
    expect(r.stdout).toContain("+  purpose  renewal_marketing\n+  on       daily\n");
    expect(readFileSync(file, "utf8")).toBe(UGLY);
  });

  it("`-` formats stdin to stdout; a syntax error exits 1", () => {
    const r = kairos(["fmt", "-"], { input: UGLY });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(GOOD);
    const bad = kairos(["fmt", "-"], { input: "journey j {\n" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("<stdin>");
  });
});

describe("kairos decide", () => {
  it("reads the request from stdin with `--request -`", () => {
    const r = kairos(["decide", "policies", "--request", "-"], { input: JSON.stringify(REQUEST) });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: "acted", journey: "renewal_reminder_d90" });
    const bad = kairos(["decide", "policies", "--request", "-"], { input: "{\n  nope" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/<stdin>:2:\d+: invalid JSON/);
  });

  it("--explain prints the rationale as text (default) or Markdown instead of JSON", () => {
    const req = join(dir, "req.json");
    writeFileSync(req, JSON.stringify(REQUEST));
    const text = kairos(["decide", "policies", "-r", req, "--explain"]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Decision d_[0-9a-f]+\n=+\n/);
    expect(text.stdout).toContain("Journey:      renewal_reminder_d90");
    const md = kairos(["decide", "policies", "-r", req, "--explain", "md"]);
    expect(md.stdout).toMatch(/^# Decision `d_[0-9a-f]+`/);
    expect(kairos(["decide", "policies", "-r", req, "--explain=pdf"]).status).toBe(2);
  });

  it("--log appends the decision to a log that `kairos explain` (also --format json) reads", () => {
    const req = join(dir, "req2.json");
    writeFileSync(req, JSON.stringify(REQUEST));
    const log = join(dir, "decisions.jsonl");
    const a = kairos(["decide", "policies", "-r", req, "--log", log]);
    const b = kairos(["decide", "policies", "-r", req, "--log", log]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(2);
    const id = (JSON.parse(a.stdout) as { decision_id: string }).decision_id;
    expect(a.stderr).toContain(`kairos explain ${log} --decision ${id}`);
    const verify = kairos(["log", "verify", log]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    const json = kairos(["explain", log, "-d", id, "--format", "json"]);
    expect(json.status, json.stderr).toBe(0);
    expect(json.stdout).toMatch(/^\{\n {2}"/);
    const doc = JSON.parse(json.stdout) as { decision: { outcome: string }; rationale: unknown[]; customer_sentence: string };
    expect(doc.decision.outcome).toBe("acted");
    expect(doc.rationale.length).toBeGreaterThan(0);
    expect(doc.customer_sentence).toContain("renews");
  });
});

describe("kairos inspect", () => {
  let artifact: string;
  beforeAll(() => {
    artifact = join(dir, "artifact");
    const r = kairos(["compile", "policies", "--out", artifact]);
    expect(r.status, r.stderr).toBe(0);
  });

  it("prints the manifest's hash, journeys and verified parts; --format json the same data", () => {
    const manifest = JSON.parse(readFileSync(join(artifact, "manifest.json"), "utf8")) as { hash: string; journeys: { id: string }[] };
    const text = kairos(["inspect", artifact]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(`hash      ${manifest.hash}`);
    for (const j of manifest.journeys) expect(text.stdout).toContain(j.id);
    expect(text.stdout).toMatch(/predicates\.js +\d+ B {2}sha256:[0-9a-f]{64}/);
    const json = JSON.parse(kairos(["inspect", artifact, "--format", "json"]).stdout) as { hash: string; parts: { path: string }[] };
    expect(json.hash).toBe(manifest.hash);
    expect(json.parts.map((p) => p.path)).toContain("predicates.js");
  });

  it("exits 1 on a tampered part and 2 on a directory that is not an artifact", () => {
    const copy = join(dir, "tampered");
    cpSync(artifact, copy, { recursive: true });
    writeFileSync(join(copy, "predicates.js"), "export {};\n");
    const bad = kairos(["inspect", copy]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("is not intact");
    const notOne = kairos(["inspect", "policies"]);
    expect(notOne.status).toBe(2);
    expect(notOne.stderr).toContain("kairos compile DIR --out ARTIFACT");
  });
});

describe("kairos init", () => {
  it("scaffolds a policy set that passes `kairos check` and `kairos test`", () => {
    const target = join(dir, "new-set");
    const r = kairos(["init", target]);
    expect(r.status, r.stderr).toBe(0);
    for (const f of ["catalog.yaml", "journeys/welcome.journey", "rego/consent.rego", "rego/kairos.rego"]) expect(existsSync(join(target, f))).toBe(true);
    const check = kairos(["check", target, "--strict"]);
    expect(check.status, check.stderr).toBe(0);
    const test = kairos(["test", target]);
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/\b[3-9] passed, 0 failed/);
    expect(test.stderr).not.toContain("no `test` or `property` blocks");
  });

  it("refuses a directory that holds files, and touches nothing", () => {
    const target = join(dir, "occupied");
    mkdirSync(target);
    writeFileSync(join(target, "notes.txt"), "mine");
    const r = kairos(["init", target]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is not empty");
    expect(existsSync(join(target, "catalog.yaml"))).toBe(false);
  });
});

describe("kairos completion", () => {
  it("bash completes commands and a command's options", () => {
    const script = kairos(["completion", "bash"]).stdout;
    const complete = (words: string[]) =>
      spawnSync(
        "bash",
        ["-c", `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _kairos; echo "\${COMPREPLY[@]}"`],
        {
          encoding: "utf8",
          timeout: 10_000,
        },
      ).stdout.trim();
    expect(complete(["kairos", "ins"])).toBe("inspect");
    expect(complete(["kairos", "fmt", "--d"]).split(" ")).toEqual(["--diff"]);
    expect(complete(["kairos", "check", "--"]).split(" ")).toEqual(expect.arrayContaining(["--strict", "--watch", "--format"]));
  });

  it("zsh and fish scripts name every command; an unknown shell is a usage error", () => {
    const zsh = kairos(["completion", "zsh"]).stdout;
    const fish = kairos(["completion", "fish"]).stdout;
    for (const name of ["init", "check", "decide", "inspect"]) {
      expect(zsh).toContain(`'${name}:`);
      expect(fish).toContain(`-a ${name} `);
    }
    expect(fish).toContain("complete -c kairos -n '__fish_seen_subcommand_from decide' -l allow-error");
    expect(kairos(["completion", "powershell"]).status).toBe(2);
  });
});
