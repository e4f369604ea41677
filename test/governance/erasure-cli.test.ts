// `kairos subject erase|export` at the command line: usage mistakes and missing keys are clear
// errors (exit 2), a log written without per-subject keys says what it cannot erase (exit 1), and
// a stopped SQLite store is erased and exported through `--store DATA_DIR` (exit 0).
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../server/store/index.ts";
import { runCli } from "../helpers/cli.ts";
import { TEST_INTEGRITY_HEX, TEST_KEY, tempDir, writeLog } from "../log/helpers.ts";
import { KEY_HEX, KEYS, LOG, pending, removeTempDirs, tempDir as storeDir } from "../store/helpers.ts";

afterAll(() => removeTempDirs());

describe("kairos subject", () => {
  it("says what is missing or wrong in the command line, with exit 2", async () => {
    for (const [argv, message] of [
      [["subject"], "missing the subcommand"],
      [["subject", "forget", "c-1", "--log", "x.log"], "unknown subcommand `forget`"],
      [["subject", "erase", "--log", "x.log"], "missing the SUBJECT"],
      [["subject", "erase", "c-1"], "`--log FILE`"],
      [["subject", "erase", "c-1", "--log", "a.log", "--store", "b"], "not both"],
      [["subject", "export", "c-1", "--log", "a.log", "--format", "html"], "use `json` or `md`"],
    ] as const) {
      const r = await runCli([...argv]);
      expect(r.code, `${argv.join(" ")}: ${r.err}`).toBe(2);
      expect(r.err).toContain(message);
    }
  });

  it("refuses without the log's key (exit 2), and never creates one", async () => {
    const dir = tempDir();
    const log = join(dir, "decisions.log");
    writeLog(log, 2, { subjectKeys: true });
    const r = await runCli(["subject", "export", "cust-42", "--log", log]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no pseudonymization key/);
  });

  it("reports entries made under the log key alone as not erasable, with exit 1", async () => {
    const dir = tempDir();
    const log = join(dir, "decisions.log");
    writeLog(log, 4, { subjectKeys: false });
    // The key files the CLI reads: the test keys' bytes, as hex (TEST_KEY is 32 ASCII bytes).
    writeFileSync(`${log}.key`, `${Buffer.from(TEST_KEY.bytes).toString("hex")}\n`, { mode: 0o600 });
    writeFileSync(`${log}.integrity-key`, `${TEST_INTEGRITY_HEX}\n`, { mode: 0o600 });
    // Three of the four sample decisions are about cust-42.
    const r = await runCli(["subject", "erase", "cust-42", "--log", log, "--format", "json"]);
    expect(r.code, r.err).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ key_destroyed: false, entries: 0, not_erasable: 3 });
    expect(r.err).toContain("cannot be erased one person at a time");
    rmSync(dir, { recursive: true, force: true });
  });

  it("erases and exports a subject of a stopped SQLite store through --store DATA_DIR", async () => {
    const dataDir = storeDir();
    const store = await openStore("sqlite:", { dataDir, keys: KEYS, log: LOG });
    await store.addConsents("s-77", [{ purpose: "renewal_marketing", channel: "email", status: "granted", at: "2026-05-01T00:00:00Z" }]);
    await store.commit([pending({ subject: "s-77", version: 1, historyAt: "2026-05-30T09:00:00Z" })]);
    await store.close();
    const env = process.env;
    process.env = { ...env, KAIROS_LOG_KEY: KEY_HEX, KAIROS_LOG_INTEGRITY_KEY: Buffer.from(KEYS.integrityKey.bytes).toString("hex") };
    try {
      const x = await runCli(["subject", "export", "s-77", "--store", dataDir, "--format", "md"]);
      expect(x.code, x.err).toBe(0);
      expect(x.out).toContain("# Decisions about `s-77`");
      expect(x.out).toContain("renewal_marketing");
      const r = await runCli(["subject", "erase", "s-77", "--store", dataDir, "--format", "json"]);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ key_destroyed: true, entries: 1, decisions: 1, consents: 1, history: 1 });
      const v = await runCli(["log", "verify", "--store", dataDir]);
      expect(v.code, v.out + v.err).toBe(0);
      const again = await runCli(["subject", "export", "s-77", "--store", dataDir]);
      expect(JSON.parse(again.out)).toMatchObject({ subject: "s-77", decisions: [], consents: [] });
    } finally {
      process.env = env;
    }
  });
});
