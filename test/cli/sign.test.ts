// `kairos sign`, `kairos verify` and `kairos serve --trust` as a user runs them (the real binary in a
// child process), on an artifact the real `kairos compile` wrote: a key pair is made (the private key
// 0600, never over a file) with the trusted signers entry printed; a signed artifact keeps its hash
// and verifies; every way to break it — unsigned, an untrusted key, another signer's name, a part or
// the manifest changed after signing, signature.json edited — fails with what failed and the fix;
// the key also comes from KAIROS_SIGNING_KEY and the trust from KAIROS_TRUSTED_SIGNERS; and `kairos
// serve --trust` (server/artifact.ts) refuses what `verify` refuses, and a policy-set directory.
import { generateKeyPairSync } from "node:crypto";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../server/artifact.ts";
import { readTrust } from "../../server/signing.ts";

const BIN = resolve("bin/kairos.js");
const root = mkdtempSync(join(tmpdir(), "kairos-sign-"));
const ART = join(root, "art");
const KEY = join(root, "release.pem");
const TRUST = join(root, "signers.yaml");

function kairos(args: readonly string[], env: Record<string, string | undefined> = {}) {
  const all: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", KAIROS_SIGNING_KEY: undefined, KAIROS_TRUSTED_SIGNERS: undefined, ...env };
  for (const k of Object.keys(all)) if (all[k] === undefined) delete all[k];
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: all as NodeJS.ProcessEnv, timeout: 120_000 });
}

/** A fresh copy of the compiled artifact, signed as `version` by release-bot (or unsigned). */
function copy(name: string, sign?: string): string {
  const dir = join(root, name);
  cpSync(ART, dir, { recursive: true });
  if (sign !== undefined) expect(kairos(["sign", dir, "--key", KEY, "--version", sign, "--signer", "release-bot"]).status).toBe(0);
  return dir;
}

const hashOf = (dir: string) => (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { hash: string }).hash;

beforeAll(() => {
  expect(kairos(["compile", "policies", "--out", ART]).status).toBe(0);
  const made = kairos(["sign", "--keygen", KEY, "--signer", "release-bot"]);
  expect(made.status).toBe(0);
  writeFileSync(TRUST, made.stdout.slice(made.stdout.indexOf("signers:")));
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("kairos sign --keygen", () => {
  it("writes the private key with mode 0600 and prints the trusted signers entry, never over a file", () => {
    expect(statSync(KEY).mode & 0o777).toBe(0o600);
    expect(readFileSync(KEY, "utf8")).toContain("-----BEGIN PRIVATE KEY-----");
    expect(readTrust(TRUST).signers).toEqual([{ name: "release-bot", key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) }]);
    const again = kairos(["sign", "--keygen", KEY, "--signer", "release-bot"]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("already exists; a key is never written over");
    const noSigner = kairos(["sign", "--keygen", join(root, "k2.pem")]);
    expect(noSigner.status).toBe(2);
    expect(noSigner.stderr).toContain("`--keygen` needs `--signer NAME`");
  });
});

describe("kairos sign and kairos verify", () => {
  it("signs without changing the artifact's hash, and verifies it", () => {
    const dir = copy("ok");
    const before = readFileSync(join(dir, "manifest.json"));
    const signed = kairos(["sign", dir, "--key", KEY, "--version", "2026.12.06-1", "--signer", "release-bot", "--format", "json"]);
    expect(signed.stderr).toBe("");
    const sig = JSON.parse(signed.stdout) as Record<string, string>;
    expect(sig).toMatchObject({ format: "kairos-signature/1", artifact: hashOf(dir), version: "2026.12.06-1", signer: "release-bot" });
    expect(readFileSync(join(dir, "manifest.json"))).toEqual(before);
    const ok = kairos(["verify", dir, "--trust", TRUST]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`ok: artifact ${hashOf(dir).slice(0, 12)}… version 2026.12.06-1, signed by release-bot`);
    const json = JSON.parse(kairos(["verify", dir, "--trust", TRUST, "--format", "json"]).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ ok: true, artifact: hashOf(dir), version: "2026.12.06-1", signer: "release-bot" });
  });

  it("takes the key from KAIROS_SIGNING_KEY and the trusted signers from KAIROS_TRUSTED_SIGNERS; names an unnamed version by its hash", () => {
    const dir = copy("env");
    const r = kairos(["sign", dir, "--signer", "release-bot"], { KAIROS_SIGNING_KEY: readFileSync(KEY, "utf8") });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`as version sha-${hashOf(dir).slice(0, 12)} by release-bot`);
    expect(kairos(["verify", dir], { KAIROS_TRUSTED_SIGNERS: TRUST }).status).toBe(0);
    const noTrust = kairos(["verify", dir]);
    expect(noTrust.status).toBe(2);
    expect(noTrust.stderr).toContain("say whom to trust");
    const noKey = kairos(["sign", dir, "--signer", "release-bot"]);
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toContain("no signing key given");
  });

  it("refuses a key that is not Ed25519, and an artifact changed since compiling", () => {
    const rsa = join(root, "rsa.pem");
    writeFileSync(rsa, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "pem", type: "pkcs8" }));
    const bad = kairos(["sign", copy("rsa"), "--key", rsa, "--signer", "x"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("is a rsa key, not Ed25519");
    const changed = copy("changed");
    writeFileSync(join(changed, "predicates.js"), `${readFileSync(join(changed, "predicates.js"), "utf8")}\n// edited\n`);
    const refused = kairos(["sign", changed, "--key", KEY, "--signer", "release-bot"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("cannot sign the artifact: `predicates.js` does not match its hash in the manifest");
  });

  const broken: Array<[string, (dir: string) => void, string]> = [
    ["it is unsigned", (dir) => rmSync(join(dir, "signature.json")), "is not signed (it has no signature.json)"],
    [
      "a part changed after signing",
      (dir) => writeFileSync(join(dir, "catalog.json"), `${readFileSync(join(dir, "catalog.json"), "utf8")} `),
      "`catalog.json` does not match its hash",
    ],
    [
      "the manifest changed after signing",
      (dir) => writeFileSync(join(dir, "manifest.json"), `${readFileSync(join(dir, "manifest.json"), "utf8")}\n`),
      "manifest.json is not the one that was signed",
    ],
    [
      "signature.json was edited",
      (dir) => writeFileSync(join(dir, "signature.json"), readFileSync(join(dir, "signature.json"), "utf8").replace('"version": "v1"', '"version": "v2"')),
      "signature does not match its signature.json",
    ],
    ["signature.json is not JSON", (dir) => writeFileSync(join(dir, "signature.json"), "{"), "signature.json is not JSON"],
  ];
  for (const [name, breakIt, message] of broken) {
    it(`refuses an artifact when ${name}, saying what failed and the fix`, () => {
      const dir = copy(name.replace(/\W+/g, "-"), "v1");
      breakIt(dir);
      const r = kairos(["verify", dir, "--trust", TRUST]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toMatch(/\nhelp: \S/);
    });
  }

  it("refuses a key the trusted signers do not list, and a trusted key under another signer's name", () => {
    const dir = copy("stranger", "v1");
    const other = join(root, "other.yaml");
    const made = kairos(["sign", "--keygen", join(root, "other.pem"), "--signer", "someone"]);
    writeFileSync(other, made.stdout.slice(made.stdout.indexOf("signers:")));
    const r = kairos(["verify", dir, "--trust", other]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("signed by `release-bot` with a key that is not in the trusted signers file");
    const renamed = join(root, "renamed.yaml");
    writeFileSync(renamed, readFileSync(TRUST, "utf8").replace("release-bot", "mallory"));
    const r2 = kairos(["verify", dir, "--trust", renamed]);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain("names signer `release-bot`, but its key is `mallory`'s");
  });

  it("says what is wrong with a trusted signers file, and that a policy set cannot be signed", () => {
    const bad = join(root, "bad.yaml");
    writeFileSync(bad, "signers:\n  - { name: x, key: nope }\n");
    const r = kairos(["verify", copy("badtrust", "v1"), "--trust", bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("signer 1 (`x`): `key` is not an Ed25519 public key");
    const p = kairos(["verify", "policies", "--trust", TRUST]);
    expect(p.status).toBe(1);
    expect(p.stderr).toContain("a policy-set directory cannot be signed: compile it first");
  });
});

describe("kairos serve --trust", () => {
  it("serves a signed artifact, and refuses an unsigned or tampered one and a policy-set directory", async () => {
    const trust = readTrust(TRUST);
    const signed = copy("serve-ok", "v1");
    expect((await loadArtifact(signed, {}, { trust })).engine.hash).toBe(hashOf(signed));
    await expect(loadArtifact(copy("serve-unsigned"), {}, { trust })).rejects.toMatchObject({ name: "StartError", code: "signing/unsigned" });
    const tampered = copy("serve-tampered", "v1");
    writeFileSync(join(tampered, "catalog.json"), `${readFileSync(join(tampered, "catalog.json"), "utf8")} `);
    await expect(loadArtifact(tampered, {}, { trust })).rejects.toMatchObject({
      code: "signing/tampered",
      message: expect.stringContaining("refusing to serve"),
    });
    await expect(loadArtifact("policies", {}, { trust })).rejects.toMatchObject({
      code: "start/unsigned-policy-set",
      hint: expect.stringContaining("kairos sign"),
    });
    // Without --trust nothing changes: the unsigned artifact is served as before.
    expect((await loadArtifact(copy("serve-plain"), {})).engine.hash).toBe(hashOf(ART));
  });

  it("stops `kairos serve` before it listens, with the reason and the fix", () => {
    const r = kairos(["serve", copy("serve-cli"), "--trust", TRUST, "--data-dir", join(root, "data"), "--listen", "127.0.0.1:0"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("kairos serve: refusing to serve: the artifact");
    expect(r.stderr).toContain("is not signed");
    expect(r.stderr).not.toContain("listening on");
  });
});
