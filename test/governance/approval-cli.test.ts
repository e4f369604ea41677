// The approval workflow from the command line (docs/approvals.md): `kairos approve --new-key`
// makes a key and prints the approvers.yaml line; `kairos approve` refuses a key that is not
// trusted and writes a signed record with one that is; `kairos check` reports each journey that
// still waits (`approval/required`, info, with the exact command) and each record it would refuse
// (`approval/refused`, a warning that `--strict` fails on); usage mistakes are exit 2.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPEC_POLICY_DIR } from "../runtime/compiled.ts";

const BIN = resolve("bin/kairos.js");
const kairos = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
const root = mkdtempSync(join(tmpdir(), "kairos-approve-cli-"));
const dir = join(root, "policies");
const key = join(root, "dpo.key");

interface Diag {
  code: string;
  severity: string;
  message: string;
  file: string;
  hint?: string;
}
const diagnostics = (args: string[] = []): { status: number | null; list: Diag[] } => {
  const r = kairos(["check", dir, "--format", "json", ...args]);
  return { status: r.status, list: (JSON.parse(r.stdout) as { diagnostics: Diag[] }).diagnostics.filter((d) => d.code.startsWith("approval/")) };
};

beforeAll(() => cpSync(SPEC_POLICY_DIR, dir, { recursive: true }));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("kairos approve", () => {
  it("makes an approver key, approves once the key is trusted, and `check` lists what still waits", () => {
    const before = diagnostics();
    expect(before.status).toBe(0);
    expect(before.list.map((d) => [d.code, d.severity, d.file])).toEqual([
      ["approval/required", "info", join(dir, "journeys/service.journey")],
      ["approval/required", "info", join(dir, "journeys/service.journey")],
    ]);
    expect(before.list[0]!.hint).toBe(`approve it: \`kairos approve ${dir} --journey service_recovery --approver NAME --key FILE\` (docs/approvals.md)`);
    expect(kairos(["check", dir]).stdout).toContain("; 2 journeys wait for a DPO approval (`kairos approve`)");

    const made = kairos(["approve", "--new-key", key, "--approver", "Dana Scholz"]);
    expect(made.status, made.stderr).toBe(0);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const line = made.stdout.trim();
    expect(line).toMatch(/^- \{ name: "Dana Scholz", key: "[A-Za-z0-9_-]{43}" \}$/);
    expect(kairos(["approve", "--new-key", key]).status).toBe(1); // never over an existing key

    const untrusted = kairos(["approve", dir, "--journey", "service_recovery", "--approver", "Dana Scholz", "--key", key]);
    expect(untrusted.status).toBe(1);
    expect(untrusted.stderr).toContain("so an approval signed with it would be refused");
    expect(untrusted.stderr).toContain(line);
    expect(untrusted.stderr).not.toMatch(/\n\s+at /);

    writeFileSync(join(dir, "approvers.yaml"), `approvers:\n  ${line}\n`);
    const ok = kairos(["approve", dir, "--journey", "service_recovery", "--approver", "Dana Scholz", "--key", key, "--date", "2026-12-06T09:00:00Z"]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /^approved by Dana Scholz at 2026-12-06T09:00:00Z: apr_[0-9a-f]{32}\n {2}service_recovery \(high, service_recovery; needs one: it is `risk high`\)/,
    );
    expect(readdirSync(join(dir, "approvals"))).toEqual([expect.stringMatching(/^20261206T090000Z-apr_[0-9a-f]{32}\.json$/)]);
    expect(diagnostics().list.map((d) => d.message)).toEqual([
      "journey `repeated_negative_interactions` needs a DPO approval before `kairos serve` activates it: it is `risk high`; no approval names it",
    ]);

    const all = kairos(["approve", dir, "--all", "--approver", "Dana Scholz", "--key", key]);
    expect(all.status, all.stderr).toBe(0);
    expect(all.stdout).toContain("  repeated_negative_interactions (high");
    expect(all.stdout).not.toContain("  service_recovery (");
    expect(diagnostics().list).toEqual([]);
    expect(kairos(["approve", dir, "--all", "--approver", "Dana Scholz", "--key", key]).stdout).toContain("nothing to approve");
  });

  it("makes `check` warn about a record it would refuse, and `--strict` fail on it", () => {
    const file = join(dir, "approvals", readdirSync(join(dir, "approvals"))[0]!);
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace('"approver": "Dana Scholz"', '"approver": "Someone Else"'));
    try {
      const lax = diagnostics();
      expect(lax.status).toBe(0);
      expect(lax.list.map((d) => [d.code, d.severity])).toEqual([
        ["approval/refused", "warning"],
        ["approval/required", "info"],
      ]);
      expect(lax.list[0]!.message).toContain("is not accepted: `id` is");
      expect(diagnostics(["--strict"]).status).toBe(1);
    } finally {
      writeFileSync(file, text);
    }
  });

  it("refuses usage mistakes with exit 2 and a policy set with errors with exit 1", () => {
    const usage = (args: string[], text: string) => {
      const r = kairos(["approve", ...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(text);
    };
    usage([dir, "--approver", "D", "--key", key], "`--journey ID` (repeatable) or `--all`");
    usage([dir, "--journey", "service_recovery", "--key", key], "missing `--approver NAME`");
    usage([dir, "--journey", "service_recovery", "--approver", "D"], "missing `--key FILE`");
    usage([dir, "--journey", "service_recovry", "--approver", "D", "--key", key], "did you mean `service_recovery`?");
    usage([dir, "--journey", "service_recovery", "--approver", "D", "--key", key, "--date", "yesterday"], "`--date` takes an ISO 8601 UTC datetime");
    usage([join(root, "missing"), "--all", "--approver", "D", "--key", key], "no such directory");
    const broken = join(root, "broken");
    cpSync(dir, broken, { recursive: true });
    writeFileSync(join(broken, "journeys/bad.journey"), "journey x {\n  purpose nope\n}\n");
    const r = kairos(["approve", broken, "--all", "--approver", "Dana Scholz", "--key", key]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the policy set has errors; an approval covers only what compiles");
  });
});
