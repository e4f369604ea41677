// Shared set-up for the decision log tests: a fresh directory, a fixed key, sample entries.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DecisionLog, keyFileFor, parseKey, type DecisionLogOptions, type LogKey } from "../../runtime/log/index.ts";
import { JOURNEYS, SAMPLES, piiLookup, sinkEntry } from "../rationale/sample-decisions.ts";

/** A fixed key, so that pseudonyms and hashes are reproducible across runs. */
export const TEST_KEY: LogKey = {
  bytes: new Uint8Array(Buffer.from("kairos-test-key-0123456789abcdef", "utf8")),
  id: "test",
  source: "test",
};

/** A fixed integrity key (the chain's MAC and checkpoint signatures), as its key file holds it. */
export const TEST_INTEGRITY_HEX = Buffer.from("kairos-test-integrity-key-012345", "utf8").toString("hex");
export const TEST_INTEGRITY_KEY: LogKey = parseKey(TEST_INTEGRITY_HEX, "test", "integrity");

/** Puts the test integrity key where the CLI looks for it: `<log>.integrity-key`, mode 0600. */
export function writeIntegrityKeyFile(logPath: string): void {
  writeFileSync(keyFileFor(logPath, "integrity"), TEST_INTEGRITY_HEX + "\n", { mode: 0o600 });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "kairos-log-"));
}

/**
 * Opens a log with the fixed test keys. Under the log key alone unless `subjectKeys` is given:
 * per-subject keys are random, and most of these tests compare bytes with fixed expectations
 * (the golden log); the per-subject tests (subject-keys*.test.ts, erasure) pass their own.
 */
export function openLog(path: string, options: Partial<DecisionLogOptions> = {}): DecisionLog {
  return DecisionLog.open(path, {
    pii: piiLookup,
    journeys: JOURNEYS,
    key: TEST_KEY,
    integrityKey: TEST_INTEGRITY_KEY,
    onWarning: () => {},
    subjectKeys: false,
    ...options,
  });
}

/** Writes a log of `n` entries (cycling through the samples, each with its own decision id). */
export function writeLog(path: string, n: number, options: Partial<DecisionLogOptions> = {}): void {
  const log = openLog(path, { fsync: "batch", ...options });
  for (let i = 0; i < n; i++) log.append(sinkEntry(SAMPLES[i % SAMPLES.length]!, { decision_id: `d-${String(i + 1).padStart(4, "0")}` }));
  log.close();
}

export function readLines(path: string): string[] {
  return readFileSync(path, "utf8").split("\n").slice(0, -1);
}

export function writeLines(path: string, lines: readonly string[]): void {
  writeFileSync(path, lines.map((l) => l + "\n").join(""));
}
