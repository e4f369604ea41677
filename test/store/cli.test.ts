// `kairos log verify --store` and `kairos log export --store` as a user runs them, on every
// backend (PGlite and SQLite by their data directory, SQLite by `sqlite:PATH`, PostgreSQL by
// URL): the store's chains verify; an exported shard is a file log that the existing
// `kairos log verify FILE` verifies offline with the integrity key — and rejects once edited.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../server/store/index.ts";
import { runCli } from "../helpers/cli.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { INTEGRITY_HEX, KEY_ENV, KEYS, LOG, pending, removeTempDirs, tempDir } from "./helpers.ts";

let pg: TestPostgres;
const saved = { ...process.env };

beforeAll(async () => {
  pg = await startPostgres();
});

afterEach(() => {
  for (const k of Object.keys(KEY_ENV)) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

afterAll(async () => {
  await pg?.stop();
  removeTempDirs();
});

/** A store with `n` decisions over 2 shards, closed again; returns what `--store` takes. */
async function filledStore(backend: "pglite" | "sqlite" | "sqlite:PATH" | "postgres", n: number): Promise<string> {
  const dataDir = tempDir();
  const url =
    backend === "postgres"
      ? await pg.createDatabase()
      : backend === "sqlite"
        ? "sqlite:"
        : backend === "sqlite:PATH"
          ? `sqlite:${join(tempDir(), "elsewhere.sqlite")}`
          : "pglite:";
  const store = await openStore(url, { dataDir, keys: KEYS, log: LOG, shards: 2, checkpointEvery: 5 });
  for (let i = 0; i < n; i++) await store.commit([pending({ subject: `cli-${i}`, version: 0, historyAt: "2026-05-30T09:00:00Z" })]);
  await store.close();
  return url === "pglite:" || url === "sqlite:" ? dataDir : url;
}

describe.each(["pglite", "sqlite", "sqlite:PATH", "postgres"] as const)("kairos log --store: %s", (backend) => {
  it("verifies every shard, exports one, and the export verifies offline until it is edited", async () => {
    const where = await filledStore(backend, 24);
    Object.assign(process.env, KEY_ENV);
    const v = await runCli(["log", "verify", "--store", where]);
    expect(v.err).toBe("");
    expect(v.code).toBe(0);
    const lines = v.out.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^shard 0: ok: \d+ entries, chain intact and authenticated, (\d+ signed checkpoints? matched, )?head [0-9a-f]{64}$/);
    const counts = lines.map((l) => Number(/ok: (\d+) entries/.exec(l)![1]));
    expect(counts[0]! + counts[1]!).toBe(24);
    const one = await runCli(["log", "verify", "--store", where, "--shard", "1", "--format", "json"]);
    expect(JSON.parse(one.out)).toMatchObject({ ok: true, shards: [{ shard: 1, ok: true, entries: counts[1] }] });

    const out = join(tempDir(), "shard0.jsonl");
    const e = await runCli(["log", "export", "--store", where, "--shard", "0", "--out", out]);
    expect(e.code).toBe(0);
    expect(e.err).toContain(`${counts[0]} entries written to ${out}`);
    // Offline: no store, only the file, its checkpoints and the integrity key in a key file.
    for (const k of Object.keys(KEY_ENV)) delete process.env[k];
    const noKey = await runCli(["log", "verify", out]);
    expect(noKey.code).toBe(2);
    writeFileSync(`${out}.integrity-key`, `${INTEGRITY_HEX}\n`, { mode: 0o600 });
    const offline = await runCli(["log", "verify", out]);
    expect(offline.err).toBe("");
    expect(offline.out).toBe(
      `ok: ${counts[0]} entries, chain intact and authenticated, head ${JSON.parse(readFileSync(out, "utf8").trim().split("\n").at(-1)!).hash}\n`,
    );
    const text = readFileSync(out, "utf8");
    writeFileSync(out, text.replace('"outcome":"acted"', '"outcome":"denied"'));
    const edited = await runCli(["log", "verify", out]);
    expect(edited.code).toBe(1);
    expect(edited.err).toMatch(/^.*shard0\.jsonl:1: entry seq 1: its contents do not match its hash/);
  });

  it("says clearly what is wrong with --store, --shard and --out", async () => {
    const where = await filledStore(backend, 2);
    Object.assign(process.env, KEY_ENV);
    const shard = await runCli(["log", "verify", "--store", where, "--shard", "7"]);
    expect(shard.code).toBe(2);
    expect(shard.err).toContain("`--shard` takes a shard number from 0 to 1");
    const which = await runCli(["log", "export", "--store", where, "--out", join(tempDir(), "x.jsonl")]);
    expect(which.code).toBe(2);
    expect(which.err).toContain("has 2 shards: say which with `--shard N`");
    const notLog = join(tempDir(), "notes.txt");
    writeFileSync(notLog, "my notes\n");
    const refused = await runCli(["log", "export", "--store", where, "--shard", "0", "--out", notLog]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`${notLog} exists and is not a decision log`);
    expect(readFileSync(notLog, "utf8")).toBe("my notes\n");
    const keysGone = { ...KEY_ENV, KAIROS_LOG_INTEGRITY_KEY: "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0" };
    Object.assign(process.env, keysGone);
    const wrongKey = await runCli(["log", "verify", "--store", where]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toMatch(/logs with integrity key [0-9a-f]{16}, but the key from KAIROS_LOG_INTEGRITY_KEY is [0-9a-f]{16}/);
  });
});

describe("kairos log --store: locations", () => {
  it("refuses a directory without a store and a URL that is not PostgreSQL", async () => {
    const empty = tempDir();
    const r = await runCli(["log", "verify", "--store", empty]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${empty} holds no embedded store`);
    const m = await runCli(["log", "verify", "--store", "mysql://u:pw@h/db"]);
    expect(m.code).toBe(2);
    expect(m.err).toContain("is neither a PostgreSQL URL nor a directory");
    expect(m.err).not.toContain(":pw@");
  });
});
