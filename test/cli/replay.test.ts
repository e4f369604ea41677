// `kairos replay`: every decision of a demo log replays byte for byte with its artifact; a
// changed policy shows up as what-if differences; a damaged log is refused.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const kairos = (args: string[]) => spawnSync(process.execPath, ["bin/kairos.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kairos-replay-"));
  const r = kairos(["demo", "--out", join(dir, "demo"), "--customers", "40", "--days", "6"]);
  expect(r.status, r.stderr).toBe(0);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("kairos replay", () => {
  it("replays every decision of a log byte for byte with the artifact that made it", () => {
    const r = kairos(["replay", join(dir, "demo/decisions.log"), "--artifact", join(dir, "demo/artifact"), "--format", "json"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { replayed: number; identical: number; entries: number; differences: unknown[] };
    expect(out.replayed).toBeGreaterThan(200);
    expect(out.identical).toBe(out.replayed);
    expect(out.replayed).toBe(out.entries);
  });

  it("reports what a changed policy would decide differently, without calling it a defect", () => {
    const policies = join(dir, "policies");
    cpSync("policies", policies, { recursive: true });
    const file = join(policies, "journeys/onboarding.journey");
    writeFileSync(file, readFileSync(file, "utf8").replace("days_since(onboarding.last_progress_at) >= 5", "days_since(onboarding.last_progress_at) >= 1"));
    execFileSync(process.execPath, ["bin/kairos.js", "compile", policies, "--out", join(dir, "changed")], { stdio: "pipe" });
    const r = kairos(["replay", join(dir, "demo/decisions.log"), "--artifact", join(dir, "changed"), "--format", "json"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { otherArtifact: number; differences: { otherArtifact: boolean; path: string }[] };
    expect(out.otherArtifact).toBeGreaterThan(0);
    expect(out.differences.length).toBeGreaterThan(0);
    expect(out.differences.every((d) => d.otherArtifact)).toBe(true);
  });

  it("refuses a log that is not intact", () => {
    const log = join(dir, "tampered.log");
    cpSync(join(dir, "demo/decisions.log"), log);
    cpSync(join(dir, "demo/decisions.log.key"), `${log}.key`);
    cpSync(join(dir, "demo/decisions.log.integrity-key"), `${log}.integrity-key`);
    const text = readFileSync(log, "utf8");
    writeFileSync(log, text.replace('"outcome":"no_match"', '"outcome":"acted"'));
    const r = kairos(["replay", log, "--artifact", join(dir, "demo/artifact")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("is not intact");
  });

  it("never creates a key: without the log's keys it stops with a clear error and writes nothing", () => {
    const log = join(dir, "keyless.log");
    cpSync(join(dir, "demo/decisions.log"), log);
    const r = kairos(["replay", log, "--artifact", join(dir, "demo/artifact")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no integrity key .* does not exist/);
    expect(existsSync(`${log}.key`)).toBe(false);
    expect(existsSync(`${log}.integrity-key`)).toBe(false);
    cpSync(join(dir, "demo/decisions.log.integrity-key"), `${log}.integrity-key`);
    const r2 = kairos(["replay", log, "--artifact", join(dir, "demo/artifact")]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/no pseudonymization key .* does not exist/);
    expect(existsSync(`${log}.key`)).toBe(false);
  });

  it("fails with a usage error without --artifact", () => {
    const r = kairos(["replay", join(dir, "demo/decisions.log")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--artifact");
  });
});
