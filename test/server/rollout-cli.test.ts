// `kairos rollout` as a user runs it (the real binary in a child process): straight on a real
// SQLite store — a canary started with its budget, shown by `status`, refused while one is in
// progress, rolled back, listed by `history` — and through a running service (`--url --token`),
// which switches at once and says which generation it decides with; its refusals come back as
// messages with a hint and exit 1, never a stack trace. Usage mistakes exit 2 and say what is wrong.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ArtifactFiles as CompiledFiles } from "../../compiler/index.ts";
import type { Engine } from "../../runtime/engine.ts";
import { openStore } from "../../server/store/index.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { kairosAsync, noStackTrace } from "../helpers/kairos-process.ts";
import { startTestServer } from "./helpers.ts";

const root = mkdtempSync(join(tmpdir(), "kairos-rollout-cli-"));
const dataDir = join(root, "data");
let v1: { files: CompiledFiles; engine: Engine };
let v2: { files: CompiledFiles; engine: Engine };

const kairos = kairosAsync;

async function publish(store: Awaited<ReturnType<typeof openStore>>, files: CompiledFiles, hash: string, version: string): Promise<void> {
  await store.publishArtifact({ hash, version, approvals: [], publishedBy: "ci", publishedAt: "2026-06-01T08:00:00Z" }, Object.fromEntries(files));
}

beforeAll(async () => {
  v1 = await compiledEngine(SPEC_POLICY_DIR);
  const journeys: Record<string, string> = {};
  for (const name of ["claims", "onboarding", "renewals", "service"]) {
    const text = readFileSync(join(SPEC_POLICY_DIR, "journeys", `${name}.journey`), "utf8");
    journeys[`${name}.journey`] = name === "renewals" ? text.replace("== 90", "== 91") : text;
  }
  v2 = await compiledEngine(SPEC_POLICY_DIR, journeys);
  // A migrated store, as a service leaves it: v1 published and stable, v2 published.
  const store = await openStore(undefined, { dataDir });
  try {
    await publish(store, v1.files, v1.engine.hash, "v1");
    await publish(store, v2.files, v2.engine.hash, "v2");
    const start = {
      generation: 1,
      stable: v1.engine.hash,
      mode: "none" as const,
      action: "start",
      by: "kairos serve",
      reason: "first start",
      since: "2026-06-01T08:00:00Z",
    };
    expect(await store.setRollout(start, 0)).toBe(true);
  } finally {
    await store.close();
  }
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("usage mistakes", () => {
  test("neither or both of --canary and --shadow, a percent out of range, no --by, no target: exit 2 saying what is wrong", async () => {
    const cases: [string[], RegExp][] = [
      [["start", "v2", "--by", "ana", "--store", dataDir], /--canary PERCENT.*or `--shadow`/],
      [["start", "v2", "--canary", "5%", "--shadow", "--by", "ana", "--store", dataDir], /one of them/],
      [["start", "v2", "--canary", "0%", "--by", "ana", "--store", dataDir], /above 0 and at most 100/],
      [["start", "v2", "--canary", "150", "--by", "ana", "--store", dataDir], /above 0 and at most 100/],
      [["start", "v2", "--canary", "5%", "--store", dataDir], /--by NAME/],
      [["start", "v2", "--shadow", "--max-error-rate", "1%", "--by", "ana", "--store", dataDir], /no error budget/],
      [["promote", "--by", "ana"], /--store URL\|DATA_DIR.*--url URL/],
      [["status", "--by", "ana", "--store", dataDir], /changes nothing/],
      [["pause", "--store", dataDir], /unknown action `pause`/],
    ];
    for (const [args, message] of cases) {
      const r = await kairos("rollout", ...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
      noStackTrace(r);
    }
  }, 120_000);
});

describe("on the store", () => {
  test("starts a canary with its budget, refuses a second one, rolls it back, and lists the history", async () => {
    const started = await kairos(
      "rollout",
      "start",
      "v2",
      "--canary",
      "5%",
      "--max-error-rate",
      "0.5%",
      "--by",
      "ana",
      "--reason",
      "day 91",
      "--store",
      dataDir,
    );
    expect(started.status, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/^started in .*: generation 2, canary of v2 \([0-9a-f]{12}\) for 5% of subjects, stable v1 \([0-9a-f]{12}\)/);
    expect(started.stdout).toContain("budget: errors ≤ 0.5%, judged after 100 decisions");
    const status = await kairos("rollout", "status", "--store", dataDir, "--format", "json");
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).rollout).toMatchObject({
      generation: 2,
      mode: "canary",
      candidate_version: "v2",
      percent: 5,
      budget: { max_error_rate: 0.005, min_decisions: 100 },
      by: "ana",
      reason: "day 91",
    });
    const twice = await kairos("rollout", "start", "v2", "--shadow", "--by", "bo", "--store", dataDir);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toMatch(/a canary rollout of .* is in progress \(generation 2, by ana\)/);
    expect(twice.stderr).toMatch(/promote it or roll it back first/);
    noStackTrace(twice);
    const unknown = await kairos("rollout", "start", "v9", "--shadow", "--by", "bo", "--store", dataDir);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no version `v9` in the registry[\s\S]*kairos artifacts publish/);
    const back = await kairos("rollout", "rollback", "--by", "ana", "--reason", "not yet", "--store", dataDir);
    expect(back.status, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/^rolled the candidate back: the stable version decides for everyone in .*: generation 3, no rollout in progress: stable v1/);
    const nothing = await kairos("rollout", "promote", "--by", "ana", "--store", dataDir);
    expect(nothing.status).toBe(1);
    expect(nothing.stderr).toContain("nothing to promote");
    const history = await kairos("rollout", "history", "--store", dataDir);
    expect(history.status, history.stderr).toBe(0);
    const lines = history.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^#2 \S+ start by ana: canary of v2 .* — day 91$/);
    expect(lines[2]).toMatch(/^#3 \S+ rollback by ana: no rollout in progress: stable v1 .* — not yet$/);
  }, 120_000);
});

describe("through a running service", () => {
  test("starts a shadow rollout the service decides with at once, shows its generation, and refuses with the service's message", async () => {
    const t = await startTestServer({ artifact: v1.engine, artifactFiles: Object.fromEntries(v1.files), version: "v1", clock: "request", store: "sqlite:" });
    try {
      await (t.server.store as Awaited<ReturnType<typeof openStore>>).publishArtifact(
        { hash: v2.engine.hash, version: "v2", approvals: [], publishedBy: "ci", publishedAt: "2026-06-01T08:00:00Z" },
        Object.fromEntries(v2.files),
      );
      const started = await kairos("rollout", "start", "v2", "--shadow", "--by", "ana", "--url", t.url, "--token", t.admin);
      expect(started.status, started.stderr).toBe(0);
      expect(started.stdout).toMatch(/^started in the service at .*: generation 2, shadow rollout of v2/);
      expect(started.stdout).toContain("the service decides with it already");
      const status = await kairos("rollout", "status", "--url", t.url, "--token", t.admin);
      expect(status.status, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/this instance: generation 2 since /);
      const refused = await kairos("rollout", "start", "v9", "--shadow", "--by", "ana", "--url", t.url, "--token", t.admin);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/no version `v9` in the registry[\s\S]*kairos artifacts publish/);
      noStackTrace(refused);
      const reader = t.token("reader", ["audit:read"]);
      const forbidden = await kairos("rollout", "promote", "--by", "ana", "--url", t.url, "--token", reader);
      expect(forbidden.status).toBe(1);
      noStackTrace(forbidden);
    } finally {
      await t.close();
    }
  }, 120_000);
});
