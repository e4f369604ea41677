// Shared set-up for the store conformance tests: fixed log keys, fresh data directories, and
// pending commits built from the sample decisions (test/rationale/sample-decisions.ts) with the
// subject, event and decision id each test needs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Decision } from "../../runtime/decision.ts";
import { parseKey } from "../../runtime/log/key.ts";
import { openStore, type OpenStoreOptions } from "../../server/store/index.ts";
import type { StoreKeys } from "../../server/store/keys.ts";
import type { PendingCommit } from "../../server/store/types.ts";
import { JOURNEYS, piiLookup, SAMPLES, sinkEntry } from "../rationale/sample-decisions.ts";

export const KEY_HEX = "6b616972 6f732d73746f72652d746573742d707365756e796d2d6b65792d3031".replace(/ /g, "").padEnd(64, "a").slice(0, 64);
export const INTEGRITY_HEX = "1f2e3d4c5b6a79880a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778";

/** Fixed keys, so tests can verify exports with them. */
export const KEYS: StoreKeys = {
  key: parseKey(KEY_HEX, "test", "pseudonymization"),
  integrityKey: parseKey(INTEGRITY_HEX, "test", "integrity"),
};

/** The environment that gives the store these keys (for child processes and the CLI). */
export const KEY_ENV = { KAIROS_LOG_KEY: KEY_HEX, KAIROS_LOG_INTEGRITY_KEY: INTEGRITY_HEX };

/** What openStore needs to build entries like the file log tests do. */
export const LOG = { pii: piiLookup, journeys: JOURNEYS };

const dirs: string[] = [];

export function tempDir(prefix = "kairos-store-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

let counter = 0;

export interface CommitSpec {
  readonly subject: string;
  readonly eventId?: string;
  readonly timer?: string;
  readonly version: number;
  /** The sample to start from: 0 acted, 1 pending_review, 2 deferred, 3 denied. */
  readonly sample?: number;
  readonly decisionId?: string;
  /** History rows (acted) at this time. */
  readonly historyAt?: string;
  readonly channel?: string;
  readonly extra?: Partial<PendingCommit>;
  readonly decision?: Partial<Decision>;
}

/** A pending commit of one sample decision about `subject`. */
export function pending(spec: CommitSpec): PendingCommit {
  const sample = SAMPLES[spec.sample ?? 0]!;
  const eventId = spec.eventId ?? `ev-${++counter}`;
  const decisionId = spec.decisionId ?? `d_${process.pid}_${++counter}_${Math.random().toString(16).slice(2, 10)}`;
  const request = { ...sample.request, subject: spec.subject, event: { ...sample.request.event, id: eventId, ...(spec.timer ? { timer: spec.timer } : {}) } };
  const entry = sinkEntry({ ...sample, request }, { decision_id: decisionId, ...spec.decision });
  const decision = entry.decision;
  return {
    key: { subject: spec.subject, eventId, timer: spec.timer ?? "" },
    expectedVersion: spec.version,
    decision,
    entry,
    ...(spec.historyAt
      ? {
          history: [
            {
              journey: decision.journey ?? "renewal_reminder_d90",
              at: spec.historyAt,
              channel: spec.channel ?? "email",
              purpose: "renewal_marketing",
              decision_id: decisionId,
            },
          ],
        }
      : {}),
    ...spec.extra,
  };
}

/**
 * The three backends as a test of every store runs them: per backend, a fresh location opened
 * once (`open`) and, for PostgreSQL, by a second instance (`second`; the embedded stores are one
 * process by design). `postgres` gives the cluster the test file started.
 */
export function storeBackends(postgres: () => { createDatabase(): Promise<string> } | undefined) {
  const embedded = (kind: "pglite:" | "sqlite:") => async () => {
    const dataDir = tempDir();
    return { open: (o: Partial<OpenStoreOptions> = {}) => openStore(kind, { dataDir, keys: KEYS, log: LOG, ...o }), second: undefined };
  };
  return [
    { name: "pglite", fresh: embedded("pglite:") },
    { name: "sqlite", fresh: embedded("sqlite:") },
    {
      name: "postgres",
      async fresh() {
        const cluster = postgres();
        if (!cluster) throw new Error("the test PostgreSQL is not started (startPostgres in beforeAll)");
        const url = await cluster.createDatabase();
        const open = (o: Partial<OpenStoreOptions> = {}) => openStore(url, { dataDir: tempDir(), keys: KEYS, log: LOG, ...o });
        return { open, second: open as typeof open | undefined };
      },
    },
  ] as const;
}
