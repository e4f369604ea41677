// The artifact registry (server/registry.ts) on a real SQLite store, with artifacts the real
// `kairos compile` wrote and signed by `kairos sign`: a published version loads on any instance as
// an engine with the same hash, its journeys gated by the approvals published with it; with
// trusted signers an unsigned artifact is neither published nor loaded, and one whose files were
// changed in the store is refused; the version name comes from the signature unless given, and
// must agree with it; and `inForceAt` answers from the rollout history.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inForceAt, loadRegistered, publishArtifactDir } from "../../server/registry.ts";
import { readTrust } from "../../server/signing.ts";
import type { SqliteDb } from "../../server/store/sqlite-db.ts";
import type { RolloutState, ServiceStore } from "../../server/store/types.ts";
import { openStore } from "../../server/store/index.ts";
import { KEYS, LOG } from "../store/helpers.ts";

const BIN = resolve("bin/kairos.js");
const root = mkdtempSync(join(tmpdir(), "kairos-registry-"));
const ART = join(root, "art");
const SIGNED = join(root, "signed");
const APPROVALS = join(root, "approvals");
const TRUST = join(root, "signers.yaml");

function kairos(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`kairos ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  kairos("compile", "policies", "--out", ART);
  cpSync(ART, SIGNED, { recursive: true });
  const entry = kairos("sign", "--keygen", join(root, "release.pem"), "--signer", "release-bot")
    .split("\n")
    .find((l) => l.includes("key:"))!;
  writeFileSync(TRUST, `signers:\n${entry}\n`);
  kairos("sign", SIGNED, "--key", join(root, "release.pem"), "--version", "2026.12.06-1", "--signer", "release-bot");
  // A DPO approval of service_recovery, as `kairos approve` writes it, in an approvals home.
  mkdirSync(APPROVALS);
  const approver = kairos("approve", "--new-key", join(root, "dpo.pem"), "--approver", "dpo")
    .split("\n")
    .find((l) => l.includes("key:"))!;
  writeFileSync(join(APPROVALS, "approvers.yaml"), `approvers:\n${approver}\n`);
  kairos("approve", "policies", "--journey", "service_recovery", "--approver", "dpo", "--key", join(root, "dpo.pem"), "--approvals", APPROVALS);
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function fresh(): Promise<ServiceStore> {
  return (await openStore("sqlite:", { dataDir: mkdtempSync(join(root, "store-")), keys: KEYS, log: LOG })) as ServiceStore;
}

const manifestHash = (dir: string) => (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { hash: string }).hash;

describe("the artifact registry", () => {
  it("loads a published version as an engine of the same hash, its journeys gated by the approvals published with it", async () => {
    const store = await fresh();
    try {
      const approved = await publishArtifactDir(store, ART, { version: "approved", by: "alice", approvals: APPROVALS });
      expect(approved.hash).toBe(manifestHash(ART));
      expect(approved.approvals).toHaveLength(1);
      expect(approved.approvals[0]).toMatch(/^apr_/);
      const loaded = await loadRegistered(store, "approved");
      expect(loaded.engine.hash).toBe(approved.hash);
      expect(loaded.registered).toEqual(approved);
      const state = (id: string) => loaded.activation.journeys.find((j) => j.subject.id === id);
      expect(state("service_recovery")?.active).toBe(true);
      expect(loaded.activation.home).toBe("registry:approved");
      expect(state("repeated_negative_interactions")?.active).toBe(false);
      // By hash too; and a version not registered is said so.
      expect((await loadRegistered(store, approved.hash)).engine.hash).toBe(approved.hash);
      await expect(loadRegistered(store, "nope")).rejects.toMatchObject({ code: "registry/not-registered", hint: expect.stringContaining("publish") });
    } finally {
      await store.close();
    }
  });

  it("without approvals, the journeys that need one stay inactive in the loaded engine", async () => {
    const store = await fresh();
    try {
      await publishArtifactDir(store, ART, { version: "plain", by: "alice" });
      const loaded = await loadRegistered(store, "plain");
      expect(loaded.registered.approvals).toEqual([]);
      expect(loaded.activation.journeys.find((j) => j.subject.id === "service_recovery")?.active).toBe(false);
    } finally {
      await store.close();
    }
  });

  it("with trusted signers, neither publishes nor loads an unsigned artifact, and refuses files changed in the store", async () => {
    const store = await fresh();
    const trust = readTrust(TRUST);
    try {
      await expect(publishArtifactDir(store, ART, { version: "u", by: "alice", trust })).rejects.toMatchObject({ code: "signing/unsigned" });
      expect(await store.artifacts()).toEqual([]);
      // Published without the check, it is still refused where signing is configured …
      const unsigned = await publishArtifactDir(store, ART, { version: "2026.12.06-1", by: "alice" });
      expect(unsigned.signature).toBeUndefined();
      await expect(loadRegistered(store, "2026.12.06-1", { trust })).rejects.toMatchObject({ code: "signing/unsigned" });
      // … until the same artifact, signed as that version, is published: the registered row gets the signature.
      const signed = await publishArtifactDir(store, SIGNED, { by: "bob", trust });
      expect(signed).toMatchObject({
        version: "2026.12.06-1",
        publishedBy: "alice",
        signer: "release-bot",
        signature: readFileSync(join(SIGNED, "signature.json"), "utf8"),
      });
      expect((await store.artifactFiles(signed.hash))?.["signature.json"]).toEqual(new Uint8Array(readFileSync(join(SIGNED, "signature.json"))));
      expect((await loadRegistered(store, "2026.12.06-1", { trust })).engine.hash).toBe(signed.hash);

      // Someone edits a part in the database: refused with signing configured, and by the manifest check without.
      const db = (store as unknown as { parts: { db: SqliteDb } }).parts.db;
      const catalog = Buffer.from(readFileSync(join(SIGNED, "catalog.json"), "utf8").replace("renewal_marketing", "renewal_marketinG")).toString("base64");
      db.run("UPDATE artifact_files SET bytes = ? WHERE hash = ? AND path = 'catalog.json'", catalog, signed.hash);
      await expect(loadRegistered(store, "2026.12.06-1", { trust })).rejects.toMatchObject({ code: "signing/tampered" });
      await expect(loadRegistered(store, "2026.12.06-1")).rejects.toMatchObject({ code: "artifact/hash-mismatch" });
    } finally {
      await store.close();
    }
  });

  it("names a signed artifact by its signature unless told, refuses another name than it was signed as, and an unsigned one without a name", async () => {
    const store = await fresh();
    try {
      await expect(publishArtifactDir(store, SIGNED, { version: "other", by: "alice" })).rejects.toMatchObject({
        code: "registry/version-mismatch",
        message: expect.stringContaining("signed as version `2026.12.06-1`"),
      });
      await expect(publishArtifactDir(store, ART, { by: "alice" })).rejects.toMatchObject({
        code: "registry/no-version",
        hint: expect.stringContaining("--version"),
      });
      await expect(publishArtifactDir(store, ART, { version: "v", by: " " })).rejects.toMatchObject({ code: "registry/no-by" });
      await expect(publishArtifactDir(store, "policies", { version: "v", by: "alice" })).rejects.toMatchObject({ code: "signing/not-an-artifact" });
      expect(await store.artifacts()).toEqual([]);
      expect((await publishArtifactDir(store, SIGNED, { by: "alice" })).version).toBe("2026.12.06-1");
    } finally {
      await store.close();
    }
  });
});

describe("inForceAt", () => {
  const H1 = "1".repeat(64);
  const H2 = "2".repeat(64);
  const state = (generation: number, since: string, extra: Partial<RolloutState> = {}): RolloutState => ({
    generation,
    stable: H1,
    mode: "none",
    action: "start",
    by: "a",
    reason: "",
    since,
    ...extra,
  });
  const history = [
    state(1, "2026-12-01T00:00:00.000Z"),
    state(2, "2026-12-02T00:00:00.000Z", { mode: "canary", candidate: H2, percent: 5, action: "start_canary" }),
    state(3, "2026-12-03T00:00:00.000Z", { action: "rollback" }),
  ];

  it("gives the last change at or before the time, and nothing before the first", () => {
    expect(inForceAt(history, "2026-11-30T23:59:59Z")).toBeUndefined();
    expect(inForceAt(history, "2026-12-01T00:00:00Z")).toMatchObject({ generation: 1, stable: H1, mode: "none" });
    expect(inForceAt(history, "2026-12-02T12:00:00+02:00")).toEqual({
      generation: 2,
      stable: H1,
      mode: "canary",
      candidate: H2,
      percent: 5,
      state: history[1],
    });
    expect(inForceAt(history, Date.parse("2027-01-01T00:00:00Z"))).toMatchObject({ generation: 3, mode: "none" });
    expect(inForceAt([], "2026-12-02T00:00:00Z")).toBeUndefined();
    expect(() => inForceAt(history, "yesterday")).toThrow(/not a time/);
  });
});

describe("POST /v1/artifacts on a service started with trusted signers", () => {
  it("registers a signed artifact and refuses an unsigned one (400 invalid_artifact), writing nothing", async () => {
    const { startTestServer } = await import("./helpers.ts");
    const { readDir } = await import("../../server/signing.ts");
    const t = await startTestServer({ store: "sqlite:", trust: readTrust(TRUST) });
    try {
      const body = async (dir: string) => ({
        by: "release-bot",
        version: dir === ART ? "unsigned-1" : undefined,
        files: Object.fromEntries([...(await readDir(dir))].map(([p, bytes]) => [p, Buffer.from(bytes).toString("base64")])),
      });
      const before = (await t.call("GET", "/v1/artifacts")).json.artifacts.length as number;
      const unsigned = await t.call("POST", "/v1/artifacts", await body(ART));
      expect(unsigned.status, unsigned.text).toBe(400);
      expect(unsigned.json.error.code).toBe("invalid_artifact");
      expect(unsigned.json.error.message).toMatch(/not signed/);
      expect((await t.call("GET", "/v1/artifacts")).json.artifacts).toHaveLength(before);
      const signed = await t.call("POST", "/v1/artifacts", await body(SIGNED));
      expect(signed.status, signed.text).toBe(201);
      expect((await t.call("GET", "/v1/artifacts")).json.artifacts).toHaveLength(before + 1);
    } finally {
      await t.close();
    }
  }, 120_000);
});
