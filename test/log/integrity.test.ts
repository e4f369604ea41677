// The log against someone who can write its file but holds no key (docs/decision-log.md#threat-model):
// rewrites re-hashed by the public rules, truncation, a wholesale forged log, forged replays —
// each detected with the integrity key, or with an exported checkpoint and the public key alone.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../core/canonical-json.ts";
import { checkpointFileFor, checkpointSigner, LogError, parseKey, readCheckpoints, verifyLog, type LogEntry } from "../../runtime/log/index.ts";
import { EntryMac, serializeEntry, sha256 } from "../../runtime/log/hash.ts";
import { runCli } from "../helpers/cli.ts";
import { SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";
import { openLog, readLines, tempDir, TEST_INTEGRITY_KEY, writeIntegrityKeyFile, writeLines, writeLog } from "./helpers.ts";

const ATTACKER = parseKey("9d2f7b31c8e64a05b1f3e9d7c2a86b40e5f17d3c9a2b8e6f04c1d5a7b3e9f2c6", "attacker", "integrity");

function freshLog(n: number): string {
  const path = join(tempDir(), "decisions.log");
  writeLog(path, n);
  writeIntegrityKeyFile(path);
  return path;
}

/**
 * What an attacker without the integrity key can do: edit entry `index`, then recompute its hash
 * and every later entry's `prev` and hash by the public rules (a MAC under a key of their own).
 */
function forge(lines: string[], index: number, edit: (e: Record<string, unknown>) => Record<string, unknown>): string[] {
  const out = [...lines];
  let prev: string | undefined;
  const mac = new EntryMac(ATTACKER);
  for (let i = index; i < out.length; i++) {
    const { hash: _h, mac: _m, ...rest } = JSON.parse(out[i]!) as Record<string, unknown>;
    const body = i === index ? edit(rest) : { ...rest, prev };
    const r = serializeEntry(body as never, mac);
    out[i] = r.line.trimEnd();
    prev = r.hash;
  }
  return out;
}

describe("a keyed chain: edits re-hashed without the key", () => {
  it("passes a hash-only check but fails authentication at the forged entry", () => {
    const path = freshLog(6);
    writeLines(
      path,
      forge(readLines(path), 1, (e) => ({ ...e, outcome: "no_match" })),
    );
    expect(verifyLog(path)).toMatchObject({ ok: true, authenticated: false }); // what a plain hash chain would say
    const r = verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY });
    expect(r).toMatchObject({ ok: false, entries: 1, firstBad: { line: 2, seq: 2 } });
    expect(r.firstBad!.problem).toMatch(/mac does not match: the entry was written or rewritten without the log's integrity key/);
  });

  it("kairos log verify exits 1 with the key, and 2 (cannot authenticate) without it", async () => {
    const path = freshLog(4);
    writeLines(
      path,
      forge(readLines(path), 2, (e) => ({ ...e, outcome: "acted" })),
    );
    const withKey = await runCli(["log", "verify", path]);
    expect(withKey.code).toBe(1);
    expect(withKey.err).toContain(`${path}:3: entry seq 3: its mac does not match`);
    rmSync(`${path}.integrity-key`);
    rmSync(checkpointFileFor(path));
    const without = await runCli(["log", "verify", path]);
    expect(without.code).toBe(2);
    expect(without.err).toMatch(/cannot authenticate .*no integrity key/);
    expect((await runCli(["log", "verify", path, "--hashes-only"])).code).toBe(0);
  });

  it("a forged entry that drops its sealed request or names another artifact is refused by replay", async () => {
    const path = freshLog(3);
    writeLines(
      path,
      forge(readLines(path), 1, (e) => ({ ...e, artifact: "f".repeat(64) })),
    );
    expect(verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY }).firstBad).toMatchObject({ line: 2 });
    const dropped = forge(readLines(freshLog(3)), 1, ({ sealed: _s, ...e }) => e);
    const p2 = join(tempDir(), "dropped.log");
    writeLines(p2, dropped);
    expect(verifyLog(p2).firstBad).toMatchObject({ line: 2, problem: "no `sealed` request" });
  });

  it("a whole log forged under another key fails at its first entry", () => {
    const path = freshLog(3);
    const mine = join(tempDir(), "forged.log");
    writeLog(mine, 3, { integrityKey: ATTACKER });
    copyFileSync(mine, path);
    const r = verifyLog(path, { integrityKey: TEST_INTEGRITY_KEY });
    expect(r.firstBad).toMatchObject({ line: 1 });
    expect(r.firstBad!.problem).toMatch(/made with integrity key .*, not with the key given/);
  });
});

describe("signed checkpoints", () => {
  it("the writer checkpoints its head on close, signed by a key derived from the integrity key", () => {
    const path = freshLog(5);
    const [cp] = readCheckpoints(checkpointFileFor(path));
    expect(cp).toMatchObject({
      seq: 5,
      head: verifyLog(path).head.hash,
      size: readFileSync(path).length,
      public_key: checkpointSigner(TEST_INTEGRITY_KEY).publicKey,
    });
    expect(cp!.log).toBe((JSON.parse(readLines(path)[0]!) as LogEntry).hash);
  });

  it("truncation is detected against the log's own checkpoints, and the writer refuses to extend the log", async () => {
    const path = freshLog(5);
    writeLines(path, readLines(path).slice(0, 3));
    const r = await runCli(["log", "verify", path]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/entries were removed: a checkpoint signed at .* covers 5 entries, but the log has 3 intact/);
    expect(() => openLog(path)).toThrow(/entries were removed/);
  });

  it("an exported checkpoint catches truncation and rewrites with the public key alone, even when the attacker also cut the checkpoints file", async () => {
    const path = freshLog(6);
    const cpFile = join(tempDir(), "anchor.json");
    expect((await runCli(["log", "checkpoint", path, "--out", cpFile])).code).toBe(0);
    const publicKey = (await runCli(["log", "public-key", path])).out.trim();
    expect(publicKey).toBe(checkpointSigner(TEST_INTEGRITY_KEY).publicKey);
    // Without the integrity key, the exported checkpoint and the public key vouch for the entries.
    rmSync(`${path}.integrity-key`);
    const ok = await runCli(["log", "verify", path, "--checkpoint", cpFile, "--public-key", publicKey]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/entries 1–6 match a checkpoint signed by the log's key/);

    rmSync(checkpointFileFor(path));
    const full = readLines(path);
    writeLines(path, full.slice(0, 4));
    const cut = await runCli(["log", "verify", path, "--checkpoint", cpFile, "--public-key", publicKey]);
    expect(cut.code).toBe(1);
    expect(cut.err).toMatch(/entries were removed/);

    writeLines(
      path,
      forge(full, 3, (e) => ({ ...e, outcome: "no_match" })),
    );
    const rewritten = await runCli(["log", "verify", path, "--checkpoint", cpFile, "--public-key", publicKey]);
    expect(rewritten.code).toBe(1);
    expect(rewritten.err).toMatch(/entry 6 is not the one signed at .*: the log was rewritten up to there/);
  });

  it("kairos log checkpoint --out never writes over the log or its keys", async () => {
    const path = freshLog(2);
    const before = readFileSync(path);
    for (const target of [path, `${path}.integrity-key`]) {
      const r = await runCli(["log", "checkpoint", path, "--out", target]);
      expect(r.code, target).toBe(2);
    }
    expect(readFileSync(path)).toEqual(before);
    expect(readFileSync(`${path}.integrity-key`, "utf8")).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it("a checkpoint signed by another key is rejected when the public key is pinned", () => {
    const path = freshLog(3);
    const [cp] = readCheckpoints(checkpointFileFor(path));
    const other = { ...cp!, public_key: checkpointSigner(ATTACKER).publicKey };
    const r = verifyLog(path, { checkpoints: [other], integrityKey: TEST_INTEGRITY_KEY });
    expect(r.ok).toBe(false);
    expect(r.checkpoints![0]!.problem).toMatch(/not signed by the log's key/);
    const edited = { ...cp!, seq: 2 };
    expect(verifyLog(path, { checkpoints: [edited] }).checkpoints![0]!.problem).toMatch(/altered after it was signed/);
  });

  it("a bad checkpoint file is a clear error, not a crash", async () => {
    const path = freshLog(2);
    const bad = join(tempDir(), "cp.json");
    writeFileSync(bad, '{"hello":1}\n');
    const r = await runCli(["log", "verify", path, "--checkpoint", bad]);
    expect(r.code).toBeGreaterThan(0);
    expect(r.err).toMatch(/not a decision log checkpoint/);
    expect(() => readCheckpoints(join(tempDir(), "missing.json"), false)).toThrow(LogError);
  });
});

describe("decision-log/1 logs stay verifiable", () => {
  /** A /1 log as an earlier Kairos wrote it: sha256 chain over the canonical JSON, no MAC. */
  function v1Log(n: number): string {
    const lines: string[] = [];
    let prev = "0".repeat(64);
    for (let i = 1; i <= n; i++) {
      const s = SAMPLES[(i - 1) % SAMPLES.length]!;
      const e = sinkEntry(s, { decision_id: `d-${i}` });
      const body = {
        ...e.decision,
        $kairos: "decision-log/1",
        seq: i,
        at: e.at,
        prev,
        key_id: "legacy",
        policies: e.policies,
        request: { event: { type: "daily", id: "x" }, subject: "hmac:00", now: e.at, region: "eu" },
        context: {},
        consents: [],
        objections: [],
        history: [],
      };
      const hash = sha256(canonicalJson(body));
      lines.push(canonicalJson({ ...body, hash }));
      prev = hash;
    }
    const path = join(tempDir(), "old.log");
    writeLines(path, lines);
    return path;
  }

  it("verifies by hash, notes that it is not authenticated, detects edits, and is never extended", async () => {
    const path = v1Log(4);
    expect(verifyLog(path)).toMatchObject({ ok: true, entries: 4, format: "decision-log/1", authenticated: false });
    const r = await runCli(["log", "verify", path]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/decision-log\/1.* could rewrite it unnoticed/);
    expect(() => openLog(path)).toThrow(/decision-log\/1.*appends only to `decision-log\/2` logs/);
    const lines = readLines(path);
    lines[2] = lines[2]!.replace('"seq":3', '"seq":30');
    writeLines(path, lines);
    expect(verifyLog(path).firstBad).toMatchObject({ line: 3 });
  });

  it("a /2 entry inside a /1 log is refused", () => {
    const path = v1Log(2);
    const v2 = join(tempDir(), "v2.log");
    writeLog(v2, 1);
    writeFileSync(path, readFileSync(path, "utf8") + readFileSync(v2, "utf8"));
    expect(verifyLog(path).firstBad!.problem).toMatch(/a `decision-log\/2` entry in a `decision-log\/1` log/);
  });
});

describe("what the log keeps of the request", () => {
  it("pseudonymizes the event id and consent record ids, the same id always to the same pseudonym", () => {
    const path = join(tempDir(), "decisions.log");
    const log = openLog(path);
    const withIds = (id: string) => sinkEntry(SAMPLES[0]!, { decision_id: id });
    const a = log.append(withIds("d-1"));
    const b = log.append(withIds("d-2"));
    log.close();
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain("daily-2026-05-30");
    expect(a.request.event.id).toMatch(/^hmac:[0-9a-f]{16}$/);
    expect(b.request.event.id).toBe(a.request.event.id);
  });
});
