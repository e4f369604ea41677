// `kairos artifacts publish|list|show|at` as a user runs them (the real binary in a child process):
// straight into a real SQLite store (the data directory `kairos serve` made) and through a running
// service (`POST /v1/artifacts`, `GET /v1/artifacts[/at|/{ref}]`). Publishing writes the artifact
// with its files and approvals once (again: nothing written), refuses a version name another
// artifact has, and with `--trust` an unsigned artifact; `at` answers from the rollout history;
// mistakes are usage errors.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../server/store/index.ts";
import type { RolloutState, ServiceStore } from "../../server/store/types.ts";
import { startTestServer, type TestServer } from "../server/helpers.ts";

const BIN = resolve("bin/kairos.js");
const root = mkdtempSync(join(tmpdir(), "kairos-artifacts-cli-"));
const dataDir = join(root, "data");
const ART = join(root, "art");
const OTHER = join(root, "other");
const SIGNED = join(root, "signed");
const TRUST = join(root, "signers.yaml");
const APPROVALS = join(root, "approvals");

/** Runs the binary without blocking this process (a test server answers it meanwhile). */
function kairos(args: readonly string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, cwd: root, timeout: 120_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

function must(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`kairos ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const hashOf = (dir: string) => (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { hash: string }).hash;

async function withStore<T>(use: (store: ServiceStore) => Promise<T>): Promise<T> {
  const store = (await openStore("sqlite:", { dataDir })) as ServiceStore;
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  must("compile", "policies", "--out", ART);
  // Another artifact: the example policy set with one journey's priority changed.
  const changed = join(root, "changed");
  cpSync("policies", changed, { recursive: true });
  const renewals = join(changed, "journeys", "renewals.journey");
  const text = readFileSync(renewals, "utf8");
  const edited = text.replace(/priority\s+(\d+)/, (_m, n: string) => `priority ${Number(n) + 1}`);
  expect(edited).not.toBe(text);
  writeFileSync(renewals, edited);
  must("compile", changed, "--out", OTHER);
  cpSync(ART, SIGNED, { recursive: true });
  const made = must("sign", "--keygen", join(root, "k.pem"), "--signer", "release-bot");
  writeFileSync(TRUST, made.slice(made.indexOf("signers:")));
  must("sign", SIGNED, "--key", join(root, "k.pem"), "--version", "v-signed", "--signer", "release-bot");
  // A DPO approval of service_recovery, as `kairos approve` writes it, in an approvals home.
  const approver = must("approve", "--new-key", join(root, "dpo.pem"), "--approver", "dpo")
    .split("\n")
    .find((l) => l.includes("key:"))!;
  mkdirSync(APPROVALS);
  writeFileSync(join(APPROVALS, "approvers.yaml"), `approvers:\n${approver}\n`);
  must("approve", "policies", "--journey", "service_recovery", "--approver", "dpo", "--key", join(root, "dpo.pem"), "--approvals", APPROVALS);
  // The store a `kairos serve --store sqlite:` made (its data directory), not in use.
  await (await openStore("sqlite:", { dataDir })).close();
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("kairos artifacts on the store", () => {
  it("publishes an artifact with its files and approvals once, lists and shows it; again writes nothing", async () => {
    const first = await kairos(["artifacts", "publish", ART, "--version", "v1", "--by", "alice", "--approvals", APPROVALS, "--store", dataDir]);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`published v1  ${hashOf(ART).slice(0, 12)}  unsigned, 1 approval; published `);
    expect(first.stdout).toContain("roll it out with: kairos rollout start v1 --canary 5% --by NAME");
    const again = await kairos(["artifacts", "publish", ART, "--version", "v1", "--by", "bob", "--store", dataDir, "--format", "json"]);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ version: "v1", published_by: "alice", created: false });

    const list = await kairos(["artifacts", "list", "--store", dataDir, "--format", "json"]);
    const listed = JSON.parse(list.stdout) as { artifacts: Array<Record<string, unknown>> };
    expect(listed.artifacts).toEqual([
      { version: "v1", hash: hashOf(ART), signed: false, approvals: [expect.stringMatching(/^apr_/)], published_by: "alice", published_at: expect.any(String) },
    ]);
    const show = await kairos(["artifacts", "show", "v1", "--store", dataDir]);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain(`hash:         ${hashOf(ART)}`);
    expect(show.stdout).toContain("stable since: never (not rolled out yet)");
    expect(show.stdout).toMatch(/ {2}approvals\/approvals\/\S+\.json \(\d+ bytes\)/);
    expect(show.stdout).toContain("  manifest.json (");
    const stored = await withStore(async (s) => s.artifactFiles(hashOf(ART)));
    expect(stored?.["predicates.js"]).toEqual(new Uint8Array(readFileSync(join(ART, "predicates.js"))));
  });

  it("refuses a version name another artifact has, and with --trust an unsigned artifact, writing nothing", async () => {
    const taken = await kairos(["artifacts", "publish", OTHER, "--version", "v1", "--by", "alice", "--store", dataDir]);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain("the version name `v1` is already used by another artifact");
    expect(taken.stderr).toContain("help: version names are unique");
    const unsigned = await kairos(["artifacts", "publish", OTHER, "--version", "v9", "--by", "alice", "--trust", TRUST, "--store", dataDir]);
    expect(unsigned.status).toBe(1);
    expect(unsigned.stderr).toContain("is not signed");
    expect(await withStore(async (s) => (await s.artifacts()).map((a) => a.version))).toEqual(["v1"]);
    const missing = await kairos(["artifacts", "show", "v9", "--store", dataDir]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no artifact `v9` in");
  });

  it("says which version set was in force at a time, from the rollout history", async () => {
    await kairos(["artifacts", "publish", OTHER, "--version", "v2", "--by", "alice", "--store", dataDir]);
    const state = (generation: number, since: string, extra: Partial<RolloutState>): RolloutState => ({
      generation,
      stable: hashOf(ART),
      mode: "none",
      action: "start",
      by: "alice",
      reason: "first start",
      since,
      ...extra,
    });
    await withStore(async (s) => {
      expect(await s.setRollout(state(1, "2026-12-01T00:00:00.000Z", {}), 0)).toBe(true);
      const canary = { mode: "canary" as const, candidate: hashOf(OTHER), percent: 5, action: "start_canary", reason: "new priority" };
      expect(await s.setRollout(state(2, "2026-12-02T00:00:00.000Z", canary), 1)).toBe(true);
    });
    const before = await kairos(["artifacts", "at", "2026-11-30T00:00:00Z", "--store", dataDir]);
    expect(before.status).toBe(1);
    expect(before.stderr).toContain("nothing was in force");
    const during = await kairos(["artifacts", "at", "2026-12-01T12:00:00Z", "--store", dataDir]);
    expect(during.stdout).toContain(`at 2026-12-01T12:00:00Z in sqlite:${join(dataDir, "store.sqlite")}: v1 (${hashOf(ART).slice(0, 12)}…) was stable`);
    const canary = JSON.parse((await kairos(["artifacts", "at", "2026-12-03T00:00:00+01:00", "--store", dataDir, "--format", "json"])).stdout) as Record<
      string,
      unknown
    >;
    expect(canary).toMatchObject({
      generation: 2,
      mode: "canary",
      percent: 5,
      stable: { version: "v1" },
      candidate: { version: "v2", hash: hashOf(OTHER) },
      action: "start_canary",
    });
    const shown = await kairos(["artifacts", "show", "v1", "--store", dataDir]);
    expect(shown.stdout).toContain("stable since: 2026-12-01T00:00:00.000Z");
  });

  it("treats mistakes as usage errors", async () => {
    for (const [args, message] of [
      [["artifacts"], "say what to do"],
      [["artifacts", "drop", "--store", dataDir], "unknown action `drop`"],
      [["artifacts", "publish", ART, "--version", "x", "--store", dataDir], "`--by NAME`"],
      [["artifacts", "list", "--store", dataDir, "--url", "http://127.0.0.1:1"], "not both"],
      [["artifacts", "list"], "say where the service's state is"],
      [["artifacts", "at", "yesterday", "--store", dataDir], "not an ISO 8601 time"],
      [["artifacts", "list", "--by", "x", "--store", dataDir], "`--by` goes with `publish`"],
    ] as const) {
      const r = await kairos(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});

describe("kairos artifacts through a running service", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ store: "sqlite:", rollout: { refreshMs: 0, guardMs: 0 } });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it("publishes, lists, shows and answers `at` over HTTP; a taken name is refused with the service's message", async () => {
    const auth = ["--url", t.url, "--token", t.admin];
    const published = await kairos(["artifacts", "publish", SIGNED, "--by", "alice", "--trust", TRUST, "--approvals", APPROVALS, ...auth, "--format", "json"]);
    expect(published.stderr).toBe("");
    expect(JSON.parse(published.stdout)).toMatchObject({
      version: "v-signed",
      signed: true,
      signer: "release-bot",
      approvals: [expect.any(String)],
      created: true,
    });
    const again = await kairos(["artifacts", "publish", SIGNED, "--by", "bob", ...auth]);
    expect(again.stdout).toContain("already registered in the service at");
    const taken = await kairos(["artifacts", "publish", OTHER, "--version", "v-signed", "--by", "alice", ...auth]);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain("the version name `v-signed` is already used by another artifact");
    const list = JSON.parse((await kairos(["artifacts", "list", ...auth, "--format", "json"])).stdout) as { artifacts: Array<{ version: string }> };
    expect(list.artifacts.map((a) => a.version)).toContain("v-signed");
    const show = await kairos(["artifacts", "show", hashOf(SIGNED), ...auth]);
    expect(show.stdout).toContain("signed:       yes, by release-bot");
    // A rollout change, as `kairos rollout` would write it: `at` names its versions.
    const store = t.server.store as ServiceStore;
    const now = await store.rollout();
    const since = new Date(Date.now() - 1000).toISOString();
    const next: RolloutState = { generation: now.generation + 1, stable: hashOf(SIGNED), mode: "none", action: "promote", by: "alice", reason: "test", since };
    expect(await store.setRollout(next, now.generation)).toBe(true);
    const at = JSON.parse((await kairos(["artifacts", "at", new Date().toISOString(), ...auth, "--format", "json"])).stdout) as Record<string, unknown>;
    expect(at).toMatchObject({ generation: next.generation, mode: "none", stable: { hash: hashOf(SIGNED), version: "v-signed" }, action: "promote" });
    const readOnly = t.token("reader", ["audit:read"]);
    const refused = await kairos(["artifacts", "publish", OTHER, "--version", "v-x", "--by", "eve", "--url", t.url, "--token", readOnly]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("help: give `--token` a token with the scope");
    expect((await kairos(["artifacts", "list", "--url", t.url, "--token", readOnly])).status).toBe(0);
  });

  it("answers the registry routes with clear errors", async () => {
    expect((await t.call("GET", "/v1/artifacts/nope")).json).toMatchObject({ error: { code: "not_registered" } });
    const badTime = await t.call("GET", "/v1/artifacts/at?t=2026-12-01");
    expect(badTime.status).toBe(400);
    const notBase64 = await t.call("POST", "/v1/artifacts", { by: "a", version: "x", files: { "manifest.json": "***" } });
    expect(notBase64.status).toBe(400);
    const noManifest = await t.call("POST", "/v1/artifacts", { by: "a", version: "x", files: { "catalog.json": "e30=" } });
    expect(noManifest.status).toBe(400);
    expect(noManifest.json.error.code).toBe("invalid_artifact");
  });
});
