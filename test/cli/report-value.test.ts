// `kairos report value` (cli/report-value.ts) on a store a real service filled and closed: the
// JSON is the service's `/v1/value` without the golden signals — the same figures from the policy
// set's directory or its compiled artifact — Markdown goes to stdout, `--out` writes a page and
// replaces only its own, and every mistake (no store, no policies, a bad time, a set that does
// not compile, a foreign `--out`) is a one-line error with the exit code of docs/cli.md.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValueReport } from "../../server/value/types.ts";
import { runCli } from "../helpers/cli.ts";
import { compiledEngine } from "../runtime/compiled.ts";
import { startTestServer } from "../server/helpers.ts";
import { AS_OF, fillValueStore, writeValuePolicies } from "../value/value-policies.ts";

let policies: string;
let work: string;
let dataDir: string;
let served: ValueReport;

beforeAll(async () => {
  policies = writeValuePolicies();
  work = mkdtempSync(join(tmpdir(), "kairos-report-value-"));
  dataDir = join(work, "data");
  const { engine } = await compiledEngine(policies);
  const t = await startTestServer({ artifact: engine, clock: "request", dataDir, stopLoss: { intervalMs: 0, controlsRefreshMs: 0 } });
  try {
    await fillValueStore(t);
    served = (await t.call("GET", `/v1/value?as_of=${AS_OF}`)).json;
  } finally {
    await t.close();
  }
}, 120_000);

afterAll(() => {
  rmSync(policies, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe("kairos report value", () => {
  it("prints the service's figures as JSON, from the policy set or its compiled artifact", async () => {
    const { signals: _, ...expected } = served;
    const r = await runCli(["report", "value", "--store", dataDir, "--policies", policies, "--as-of", AS_OF, "--format", "json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as ValueReport;
    expect(report.signals).toBeUndefined();
    expect(report).toEqual(expected);
    expect(report.journeys.find((j) => j.journey === "referral_invite")?.stopLoss?.state).toBe("stopped");

    const artifact = join(work, "artifact");
    expect((await runCli(["compile", policies, "--out", artifact])).code).toBe(0);
    const fromArtifact = await runCli(["report", "value", "--store", dataDir, "--policies", artifact, "--as-of", AS_OF, "--format", "json"]);
    expect(fromArtifact.code).toBe(0);
    expect(JSON.parse(fromArtifact.out)).toEqual(expected);
  });

  it("prints Markdown by default, and judges at `--as-of`: before the windows end, nobody is judged", async () => {
    const r = await runCli(["report", "value", "--store", dataDir, "--policies", policies, "--as-of", AS_OF]);
    expect(r.code).toBe(0);
    expect(r.out.startsWith("# Kairos: proof of value\n")).toBe(true);
    expect(r.out).toMatch(/\| `renewal_nudge` \| `renewal` within 30d \| \d+ \| \d+ \|/);
    expect(r.out).toMatch(/\| `referral_invite` \|[^\n]*\*\*stopped\*\* \|/);
    const early = await runCli(["report", "value", "--store", dataDir, "--policies", policies, "--as-of", "2026-05-02T00:00:00+02:00", "--format", "json"]);
    const renewal = (JSON.parse(early.out) as ValueReport).journeys.find((j) => j.journey === "renewal_nudge")!;
    expect(renewal.treated?.subjects).toBe(0);
    expect(renewal.immature).toBe(renewal.subjects.treated + renewal.subjects.holdout);
  });

  it("writes a page with `--out`, replaces its own, and refuses a file it did not write", async () => {
    const out = join(work, "value.html");
    const first = await runCli(["report", "value", "--store", dataDir, "--policies", policies, "--as-of", AS_OF, "--out", out]);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`wrote the value report (html) to ${out}: 2 journeys, 2 with a goal, 1 stopped`);
    expect(readFileSync(out, "utf8")).toContain('<meta name="generator" content="kairos report value">');
    expect((await runCli(["report", "value", "--store", dataDir, "--policies", policies, "--out", out])).code).toBe(0);
    const foreign = join(work, "notes.md");
    writeFileSync(foreign, "my notes\n");
    const refused = await runCli(["report", "value", "--store", dataDir, "--policies", policies, "--out", foreign]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("a value report");
    expect(readFileSync(foreign, "utf8")).toBe("my notes\n");
  });

  it("explains each mistake in one line, with the exit code of docs/cli.md", async () => {
    const cases: [string[], number, string][] = [
      [["--policies", policies], 2, "missing `--store URL|DATA_DIR`"],
      [["--store", dataDir], 2, "missing `--policies DIR|ARTIFACT`"],
      [["--store", dataDir, "--policies", policies, "--as-of", "2026-06-15"], 2, "is not an ISO 8601 time with an offset"],
      [["--store", dataDir, "--policies", policies, "--as-of", "2026-02-30T00:00:00Z"], 2, "is not an ISO 8601 time with an offset"],
      [["--store", dataDir, "--policies", policies, "--format", "pdf"], 2, "unknown format `pdf`"],
      [["--store", join(work, "nowhere"), "--policies", policies], 2, "neither a PostgreSQL URL nor a directory"],
      [["--store", dataDir, "--policies", join(work, "nowhere")], 2, "does not exist"],
      [["--store", dataDir, "--policies", policies, "extra"], 2, "unexpected `extra`"],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(["report", "value", ...args]);
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.err, args.join(" ")).toContain(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it("writes nothing for a policy set that does not compile (exit 1)", async () => {
    const broken = writeValuePolicies();
    try {
      writeFileSync(
        join(broken, "journeys", "value.journey"),
        readFileSync(join(broken, "journeys", "value.journey"), "utf8").replace("goal     renewal", "goal     renewals"),
      );
      const out = join(work, "broken.md");
      const r = await runCli(["report", "value", "--store", dataDir, "--policies", broken, "--out", out]);
      expect(r.code).toBe(1);
      expect(r.err).toContain("does not compile");
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
