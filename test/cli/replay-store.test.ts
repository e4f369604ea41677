// `kairos replay --store DATA_DIR` (the real binary) on a service's store after a canary: every
// entry is re-decided with the version that made it, loaded from the store's registry, and must
// come out byte for byte — each version's entries counted apart; entries of a version missing from
// the registry are named and fail the audit (exit 1) until it is published.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { publishArtifactFiles } from "../../server/registry.ts";
import type { ServiceStore } from "../../server/store/types.ts";
import { compiledEngine, policySources, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { CUSTOMER, RENEWAL_CONSENT, startTestServer } from "../server/helpers.ts";

const BIN = resolve("bin/kairos.js");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function kairos(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
}

describe("kairos replay --store", () => {
  it("re-decides every entry with the version that made it, from the registry", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "kairos-replay-store-"));
    dirs.push(dataDir);
    const v1 = await compiledEngine(SPEC_POLICY_DIR);
    const sources = policySources(SPEC_POLICY_DIR);
    const v2 = await compiledEngine(
      SPEC_POLICY_DIR,
      Object.fromEntries(sources.journeys.map((j) => [j.name, j.text.replace('template: "renewal-d90"', 'template: "renewal-d90-v2"')])),
    );
    const t = await startTestServer({ artifact: v1.engine, dataDir, clock: "request" });
    let store: ServiceStore;
    try {
      store = t.server.store as ServiceStore;
      await publishArtifactFiles(store, v2.files, { version: "v2", by: "test" });
      const started = await t.call("POST", "/v1/rollout", { candidate: "v2", mode: "canary", percent: 50, by: "test" });
      expect(started.status, started.text).toBe(200);
      const artifacts = new Set<string>();
      for (let i = 0; i < 24; i++) {
        const subject = `rs-${i}`;
        expect((await t.call("POST", `/v1/subjects/${subject}/consents`, { records: [RENEWAL_CONSENT] })).status).toBe(201);
        const r = await t.call("POST", "/v1/decisions", {
          event: { type: "daily", id: "e1" },
          subject,
          region: "eu",
          now: "2026-05-30T12:00:00Z",
          context: CUSTOMER,
        });
        expect(r.status, r.text).toBe(200);
        artifacts.add(r.json.artifact);
      }
      expect(artifacts).toEqual(new Set([v1.engine.hash, v2.engine.hash]));
    } finally {
      await t.close();
    }

    // v1 was handed to the service as an engine, so it is not in the registry yet: its entries cannot be checked.
    const missing = kairos(["replay", "--store", dataDir]);
    expect(missing.status, missing.stderr).toBe(1);
    expect(missing.stdout).toContain(`${v1.engine.hash.slice(0, 12)}`);
    expect(missing.stdout).toMatch(/NOT in the registry/);
    expect(missing.stdout).toMatch(/v2 \([0-9a-f]{12}\) {2}\d+ entries: \d+ identical, 0 different/);

    const { openStore } = await import("../../server/store/index.ts");
    const reopened = (await openStore(undefined, { dataDir })) as ServiceStore;
    try {
      await publishArtifactFiles(reopened, v1.files, { version: "v1", by: "test" });
    } finally {
      await reopened.close();
    }
    const ok = kairos(["replay", "--store", dataDir, "--format", "json"]);
    expect(ok.status, ok.stderr + ok.stdout).toBe(0);
    const report = JSON.parse(ok.stdout) as { entries: number; defects: number; versions: { version: string; entries: number; identical: number }[] };
    expect(report.defects).toBe(0);
    expect(report.versions.map((v) => v.version).sort()).toEqual(["v1", "v2"]);
    for (const v of report.versions) expect(v.identical).toBe(v.entries);
    expect(report.versions.reduce((n, v) => n + v.entries, 0)).toBe(report.entries);
    expect(report.entries).toBe(24);

    // Usage mistakes are said, not thrown.
    const both = kairos(["replay", "some.log", "--store", dataDir]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/either a log file or `--store`/);
    expect(both.stderr).not.toMatch(/\n\s+at /);
  }, 180_000);
});
