// The demo's decision service, started inside the demo's process: the system of record
// (record-server.ts) on 127.0.0.1, the embedded store in `<out>/store` (keys in `<out>`), and
// `kairos serve` itself (server/index.ts `startServer`) on 127.0.0.1 with a port the OS picks,
// on simulated time (`--clock request`), asking the system of record for each decision's
// minimal bundle through the HTTP context provider, with its periodic stop-loss check off (the
// demo runs it once per simulated day). A `demo` token in `<out>/tokens.json`
// (replaced on every run; other tokens in the file are kept) is what the simulation and the
// printed curl commands use.
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../../runtime/engine.ts";
import { createToken, readTokens, SCOPES, type Scope } from "../../server/auth.ts";
import { startServer, type RunningServer } from "../../server/index.ts";
import { openStore, type SqlStore } from "../../server/store/index.ts";
import type { Store } from "../../server/store/types.ts";
import { ServiceClient } from "./client.ts";
import { startRecordServer, type RecordServer } from "./record-server.ts";
import type { SystemOfRecord } from "./records.ts";

/** What the demo's token may do: everything the simulation and the printed commands need (every scope). */
const DEMO_SCOPES: readonly Scope[] = SCOPES;
const DEMO_TOKEN = "demo";

/** The running demo service and what it stands on. */
export interface DemoService {
  readonly server: RunningServer;
  readonly store: SqlStore;
  readonly records: RecordServer;
  readonly client: ServiceClient;
  /** The demo token's secret (for the printed commands). */
  readonly token: string;
  readonly tokensFile: string;
  /** Stops the service (drains requests, flushes the committer), then closes the store and the system of record. */
  close(): Promise<void>;
}

export interface DemoServiceOptions {
  /** The data directory (the demo's output directory). */
  readonly dataDir: string;
  readonly engine: Engine;
  /** The artifact directory the engine was loaded from, and its approvals home: published in the store's registry (docs/rollout.md). */
  readonly artifactDir?: string;
  readonly approvals?: string;
  readonly book: SystemOfRecord;
  /** Put something between the service and the store (tests: a store that fails). */
  readonly wrapStore?: (store: Store) => Store;
  readonly errorLog: (line: string) => void;
}

/** Writes a fresh `demo` token into the tokens file (keeping every other token); returns its secret. */
function demoToken(file: string): string {
  if (existsSync(file)) {
    const others = readTokens(file).filter((t) => t.name !== DEMO_TOKEN);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ tokens: others }, null, 2) + "\n", { mode: 0o600 });
    renameSync(tmp, file);
  }
  return createToken(file, DEMO_TOKEN, DEMO_SCOPES);
}

/** Starts the system of record, the store and the service. */
export async function startDemoService(o: DemoServiceOptions): Promise<DemoService> {
  const tokensFile = join(o.dataDir, "tokens.json");
  const token = demoToken(tokensFile);
  const records = await startRecordServer(o.book);
  let store: SqlStore | undefined;
  try {
    store = await openStore(undefined, {
      dataDir: o.dataDir,
      log: { pii: o.engine.catalog, journeys: o.engine.predicates.journeys.map((j) => j.meta) },
    });
    const server = await startServer({
      artifact: o.engine,
      ...(o.artifactDir === undefined ? {} : { artifactDir: o.artifactDir }),
      ...(o.approvals === undefined ? {} : { approvals: o.approvals }),
      store: o.wrapStore ? o.wrapStore(store) : store,
      dataDir: o.dataDir,
      tokensFile,
      host: "127.0.0.1",
      port: 0,
      clock: "request",
      httpProvider: { url: records.urlTemplate, timeoutMs: 2000, retries: 2 },
      accessLog: false,
      errorLog: o.errorLog,
      otel: false,
      // The demo runs the stop-loss check itself, once per simulated day; one instance, so the
      // stopped journeys it knows are always current (no periodic re-read: decisions stay seeded).
      stopLoss: { intervalMs: 0, controlsRefreshMs: 0 },
    });
    const opened = store;
    return {
      server,
      store: opened,
      records,
      client: new ServiceClient({ url: server.url, token }),
      token,
      tokensFile,
      async close() {
        try {
          await server.close();
        } finally {
          await opened.close();
          await records.close();
        }
      },
    };
  } catch (e) {
    await store?.close().catch(() => {});
    await records.close();
    throw e;
  }
}
