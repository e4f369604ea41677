// `check --watch` and `test --watch` as a user runs them: the first run, a file written under
// the policy directory, the re-run it triggers, and a clean exit 0 on SIGINT. Each step waits
// for the output it needs (never for a fixed time); the whole test has a deadline.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = resolve("bin/kairos.js");
const GOOD = `journey j {\n  purpose  renewal_marketing\n  on       daily\n  when     policy.status == "active"\n  do       email(template: "t")\n}\n`;
const TEST = `\ntest "acts on an active policy" {\n  now    2026-03-02T10:00:00Z\n  event  daily\n  given  customer { tenure_months: 1, timezone: "Europe/Berlin", segment: "retail" }\n  given  policy { status: "active" }\n  expect acted j\n}\n`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kairos-watch-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A running `kairos … --watch`, with a way to wait for its n-th line matching a pattern. */
function start(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters: (() => void)[] = [];
  const poke = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on("data", (b: Buffer) => {
    out += b.toString();
    poke();
  });
  child.stderr!.on("data", (b: Buffer) => {
    err += b.toString();
    poke();
  });
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const count = (re: RegExp) => (err.match(new RegExp(re.source, "g")) ?? []).length;
  return {
    child,
    exited,
    output: () => ({ out, err }),
    /** Resolves once stderr holds `n` matches of `re`. */
    async waitFor(re: RegExp, n: number): Promise<void> {
      while (count(re) < n) {
        if (child.exitCode !== null) throw new Error(`exited early (${child.exitCode}):\n${out}\n${err}`);
        await new Promise<void>((res) => waiters.push(res));
      }
    },
  };
}

function policySet(name: string, journey: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, "journeys"), { recursive: true });
  cpSync("policies/catalog.yaml", join(root, "catalog.yaml"));
  writeFileSync(join(root, "journeys", "a.journey"), journey);
  return root;
}

describe("--watch", () => {
  it("`check --watch` re-checks when a file changes and exits 0 on SIGINT", async () => {
    const root = policySet("check", GOOD);
    const w = start(["check", root, "--watch"]);
    await w.waitFor(/\[watch\] exit 0;/, 1);
    expect(w.output().out).toContain("ok: 1 journey");
    writeFileSync(join(root, "journeys", "a.journey"), GOOD.replace("policy.status", "policy.statuss"));
    await w.waitFor(/\[watch\] exit 1;/, 1);
    expect(w.output().err).toContain("error[check/unknown-field]");
    writeFileSync(join(root, "journeys", "a.journey"), GOOD);
    await w.waitFor(/\[watch\] exit 0;/, 2);
    w.child.kill("SIGINT");
    expect(await w.exited).toBe(0);
    expect(w.output().err).toContain("[watch] stopped");
  }, 120_000);

  it("`test --watch` re-runs the tests when a journey changes and exits 0 on SIGINT", async () => {
    const root = policySet("test", GOOD + TEST);
    const w = start(["test", root, "--watch"]);
    await w.waitFor(/\[watch\] exit 0;/, 1);
    expect(w.output().out).toContain("✓ acts on an active policy");
    writeFileSync(join(root, "journeys", "a.journey"), GOOD + TEST.replace('status: "active"', 'status: "lapsed"'));
    await w.waitFor(/\[watch\] exit 1;/, 1);
    expect(w.output().out).toContain("✗ acts on an active policy");
    w.child.kill("SIGINT");
    expect(await w.exited).toBe(0);
  }, 120_000);
});
