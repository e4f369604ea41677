// The decision service, assembled (docs/service.md): load or compile the artifact, open the
// store (embedded in a data directory, or PostgreSQL), read the tokens file (created with one
// admin token on first start), and serve the HTTP API with the group committer, the wake-up
// runner, the journey controls and stop-loss check (server/value/), and the rollout (server/rollout/:
// the artifact published in the store's registry, the version set every instance decides with).
// `close()` shuts down gracefully: stop the runner and the checks, stop accepting and drain the
// requests in flight, flush the committer, close the store, flush traces.
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import type { ContextProvider } from "../runtime/context.ts";
import { HttpProvider, type HttpProviderOptions } from "../runtime/http-provider.ts";
import type { Engine, EngineOptions } from "../runtime/engine.ts";
import type { JourneyMeta } from "../core/artifact.ts";
import { buildApp } from "./app.ts";
import { APPROVERS_FILE } from "./approvals.ts";
import { loadArtifact } from "./artifact.ts";
import type { Trust } from "./signing.ts";
import { Authenticator, ensureTokensFile } from "./auth.ts";
import { GroupCommitter, type BatchStats } from "./committer.ts";
import { Metrics, type PoolStats } from "./metrics.ts";
import { DecisionService, type Clock } from "./service.ts";
import { DEFAULT_DATA_DIR, openStore } from "./store/index.ts";
import type { Store } from "./store/types.ts";
import { startTracing } from "./tracing.ts";
import { WakeupRunner, type WakeupOptions } from "./wakeups.ts";
import { RetentionJob, type RetentionOptions } from "./retention.ts";
import { JourneyControls } from "./value/controls.ts";
import { StopLossCheck, type StopLossOptions } from "./value/stop-loss.ts";
import { setUpRollout, type RolloutSetup } from "./rollout/setup.ts";
import type { ArtifactFiles, RegisteredArtifact, ReleaseStore } from "./store/types.ts";
import { PART } from "../runtime/load.ts";
import { SIGNATURE_FILE } from "../core/artifact-signature.ts";
import { loadRegistered, publishArtifactDir, publishArtifactFiles } from "./registry.ts";
import { defaultVersionName } from "./rollout/version.ts";
import { existsSync } from "node:fs";

export { StartError } from "./artifact.ts";
export { TokensFileError } from "./auth.ts";
export type { Clock } from "./service.ts";

export { DEFAULT_DATA_DIR };

export interface ServerOptions {
  /** A policy-set directory (compiled at start) or an artifact directory; or an engine already loaded. */
  readonly artifact: string | Engine;
  /** A Store, a `postgres://` or `sqlite:[PATH]` URL, or nothing: the embedded store in `<dataDir>/store`. */
  readonly store?: Store | string;
  /** Default `.kairos`: the embedded store, the tokens file, the log keys. */
  readonly dataDir?: string;
  /** Log shards of a new store (default 1). */
  readonly logShards?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8181; 0 picks a free port. */
  readonly port?: number;
  /** Default `<dataDir>/tokens.json`, created with an admin token when missing. */
  readonly tokensFile?: string;
  /** `system` (default): the server's clock; `request`: the request's `now` (simulations, tests). */
  readonly clock?: "system" | "request";
  /** Epoch ms for the system clock (tests inject one). */
  readonly now?: () => number;
  /** Where context comes from; none: the request's inline `context`. */
  readonly provider?: ContextProvider;
  /** An HTTP context provider to build (URL template with `{subject}` and `{fields}`, timeout, retries); instead of `provider`. */
  readonly httpProvider?: HttpProviderOptions;
  /** The engine's request limits and deadlines (when `artifact` is a path). */
  readonly engine?: EngineOptions;
  /** Most authenticated requests at once before 503 `overloaded` (default 512). */
  readonly maxInFlight?: number;
  /** Request body limit in bytes (default 4 MiB). */
  readonly bodyLimit?: number;
  /** Group commit: most decisions per transaction (default 256). */
  readonly maxBatch?: number;
  readonly wakeups?: WakeupOptions;
  /** The retention job (server/retention.ts): hourly by default on the system clock. */
  readonly retention?: RetentionOptions;
  /**
   * The stop-loss check (server/value/stop-loss.ts): every minute by default (`intervalMs`, 0: only
   * when `service.checkStopLoss()` is called); `controlsRefreshMs`: how often the stopped journeys
   * are read again (default 1,000 ms; 0: never, tests).
   */
  readonly stopLoss?: StopLossOptions & { readonly controlsRefreshMs?: number };
  /** OTLP trace export; default: on when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  readonly otel?: boolean;
  /** Access-log lines (default: stdout; false: none). */
  readonly accessLog?: false | ((line: string) => void);
  /** Errors and runner failures (default: stderr). */
  readonly errorLog?: (line: string) => void;
  /** The artifact's name in the store's registry (docs/rollout.md; default `sha-<first 12 hex of its hash>`). */
  readonly version?: string;
  /**
   * The artifact directory an `artifact` given as an Engine was loaded from, or its files: published
   * in the store's registry so that every instance can load it. A path `artifact` publishes itself.
   */
  readonly artifactDir?: string;
  readonly artifactFiles?: ArtifactFiles;
  /**
   * Trusted signers (`--trust FILE`, docs/artifacts.md#signatures): when given, only signed,
   * untampered artifacts are served — the one given at start and every version loaded from the registry.
   */
  readonly trust?: Trust;
  /** The approvals home (approvers.yaml, approvals/) published with the artifact, so that every instance activates its journeys alike. */
  readonly approvals?: string;
  /** Who publishes the artifact at start (default `kairos serve`). */
  readonly publishedBy?: string;
  /** The rollout's reads and canary checks (default every 500 ms each; 0: never, tests call them). */
  readonly rollout?: { readonly refreshMs?: number; readonly guardMs?: number };
}

/** A running service. */
export interface RunningServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly service: DecisionService;
  readonly store: Store;
  /** The stable version's engine (the store's stable version, which a rollout changes). */
  readonly engine: Engine;
  readonly runner: WakeupRunner;
  /** The retention job (purges context and seals past the catalog's retention). */
  readonly retention: RetentionJob;
  readonly metrics: Metrics;
  readonly tokensFile: string;
  /** The admin token's secret, when this start created the tokens file (print it once). */
  readonly adminToken: string | undefined;
  /** Whether the artifact was compiled from a policy-set directory at start. */
  readonly compiled: boolean;
  /** The rollout of this instance: its router (which version decides), canary guard and shadow runner. */
  readonly rollout: RolloutSetup;
  /** Batch sizes the group committer saw. */
  batchStats(): BatchStats;
  /** Graceful shutdown; idempotent. */
  close(): Promise<void>;
}

const VERSION = "0.1.0";

function poolOf(store: Store): () => PoolStats | undefined {
  const s = store as Store & { poolStats?: () => PoolStats };
  return () => (typeof s.poolStats === "function" ? s.poolStats() : undefined);
}

/**
 * Starts the service. Throws StartError (artifact), ArtifactError/OpaError (a broken artifact),
 * TokensFileError, or StoreError (`store/unreachable` when the store does not answer).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const loaded: { engine: Engine; compiled: boolean; files?: ReadonlyMap<string, Uint8Array> } =
    typeof options.artifact === "string"
      ? await loadArtifact(options.artifact, options.engine, options.trust === undefined ? {} : { trust: options.trust })
      : { engine: options.artifact, compiled: false };
  const engine = loaded.engine;
  // A policy set compiled here is published as compiled (with its own approvals, when it has some).
  if (loaded.files !== undefined && options.artifactFiles === undefined && typeof options.artifact === "string") {
    const home = options.artifact;
    options = {
      ...options,
      artifactFiles: Object.fromEntries(loaded.files),
      ...(options.approvals === undefined && existsSync(join(home, APPROVERS_FILE)) ? { approvals: home } : {}),
    };
  }
  const provider = options.provider ?? (options.httpProvider ? new HttpProvider(options.httpProvider) : undefined);
  const tokensFile = resolve(options.tokensFile ?? join(dataDir, "tokens.json"));
  const adminToken = ensureTokensFile(tokensFile);
  const auth = new Authenticator(tokensFile);
  const ownsStore = typeof options.store !== "object";
  const store =
    typeof options.store === "object"
      ? options.store
      : await openStore(options.store, {
          dataDir,
          log: { pii: engine.catalog, journeys: engine.predicates.journeys.map((j) => j.meta) },
          ...(options.logShards ? { shards: options.logShards } : {}),
          ...(options.now ? { clock: options.now } : {}),
        });
  try {
    await store.migrate();
  } catch (e) {
    if (ownsStore) await store.close().catch(() => {});
    throw e;
  }
  const metrics = new Metrics(poolOf(store));
  const committer = new GroupCommitter(store, {
    maxBatch: options.maxBatch ?? 256,
    onBatch(size, seconds) {
      metrics.commitBatchSize.observe(size);
      metrics.commitSeconds.observe(seconds);
    },
  });
  const clock: Clock = { mode: options.clock ?? "system", now: options.now ?? Date.now };
  const metas = engine.predicates.journeys.map((j) => j.meta);
  const errorLog = options.errorLog ? { log: options.errorLog } : {};
  const watched = metas.filter((m) => m.stopLoss !== undefined).map((m) => m.id);
  const controls = new JourneyControls(store, {
    refreshMs: options.stopLoss?.controlsRefreshMs ?? 1000,
    gauge: metrics.journeyStopped,
    killGauge: metrics.killSwitch,
    watched,
    journeys: metas,
    ...errorLog,
  });
  // Stopped journeys are honoured from the first decision: read once before serving (a store that
  // cannot say yet is reported, and read again every second).
  await controls.refreshReported();
  // The journeys judged are those of the versions deciding at the time of each check: the stable
  // version's, plus a canary's candidate's own (a journey only the candidate has), by id.
  let deciding: DecisionService | undefined;
  const judgedJourneys = (): readonly JourneyMeta[] => {
    const router = deciding?.router;
    if (router === undefined) return metas;
    const byId = new Map([...router.stable.journeys]);
    const candidate = router.applied.state.mode === "canary" ? router.applied.candidate : undefined;
    for (const [id, meta] of candidate?.journeys ?? []) if (!byId.has(id)) byId.set(id, meta);
    return [...byId.values()];
  };
  const stopLoss = new StopLossCheck(store, judgedJourneys, controls, metrics, {
    ...errorLog,
    ...(options.now ? { now: options.now } : {}),
    ...options.stopLoss,
  });
  let rollout: RolloutSetup;
  try {
    rollout = await setUpRollout(store, engine, rolloutOptions(options, store, engine, metrics, controls));
  } catch (e) {
    if (ownsStore) await store.close().catch(() => {});
    throw e;
  }
  const errorLine = options.errorLog ?? ((line: string) => void process.stderr.write(line + "\n"));
  for (const line of rollout.notes) errorLine(line);
  const service = new DecisionService({
    engine,
    store,
    committer,
    clock,
    metrics,
    controls,
    stopLoss,
    router: rollout.router,
    ...(rollout.guard ? { guard: rollout.guard } : {}),
    ...(rollout.shadow ? { shadow: rollout.shadow } : {}),
    ...(provider ? { provider } : {}),
  });
  deciding = service;
  const runner = new WakeupRunner(service, metrics, {
    owner: `kairos-${randomUUID()}`,
    ...options.wakeups,
    ...(options.errorLog ? { log: options.errorLog } : {}),
  });
  const retention = new RetentionJob(store, engine.catalog, clock, metrics, {
    ...(options.errorLog ? { log: options.errorLog } : {}),
    ...options.retention,
  });
  const tracing = await startTracing(options.otel);
  const app = buildApp({
    // `engine`: the stable version, whichever the rollout has made it since the start.
    ctx: {
      get engine() {
        return service.engine;
      },
      store,
      service,
      runner,
      metrics,
      ...(options.trust === undefined ? {} : { trust: options.trust }),
    },
    auth,
    version: VERSION,
    ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.accessLog === undefined ? {} : { accessLog: options.accessLog }),
    ...(options.errorLog === undefined ? {} : { errorLog: options.errorLog }),
  });
  let address: string;
  try {
    address = await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 8181 });
  } catch (e) {
    await app.close().catch(() => {});
    if (ownsStore) await store.close().catch(() => {});
    await tracing.shutdown();
    throw e;
  }
  runner.start();
  retention.start();
  controls.start();
  stopLoss.start();
  rollout.start();
  let closing: Promise<void> | undefined;
  return {
    url: address,
    app,
    service,
    store,
    // The stable version's engine: the store's, when it is not the one given (docs/rollout.md).
    get engine() {
      return service.engine;
    },
    runner,
    retention,
    metrics,
    tokensFile,
    adminToken,
    compiled: loaded.compiled,
    rollout,
    batchStats: () => committer.stats(),
    close() {
      closing ??= (async () => {
        await runner.stop();
        await rollout.stop();
        await retention.stop();
        await stopLoss.stop();
        await controls.stop();
        await app.close(); // stops accepting; waits for the requests in flight
        await committer.flush();
        if (ownsStore) await store.close();
        await tracing.shutdown();
      })();
      return closing;
    },
  };
}

/** What the rollout's start needs of the server's options: what to publish, how to load a version. */
function rolloutOptions(options: ServerOptions, store: Store, engine: Engine, metrics: Metrics, controls: JourneyControls): Parameters<typeof setUpRollout>[2] {
  const releases = store as Store & Partial<ReleaseStore>;
  const by = options.publishedBy ?? "kairos serve";
  // A path `artifact` that is an artifact directory publishes itself; a policy set compiled at start has no files to publish.
  const dir = options.artifactDir ?? (typeof options.artifact === "string" && existsSync(join(options.artifact, PART.manifest)) ? options.artifact : undefined);
  const files = options.artifactFiles;
  const common = {
    by,
    ...(options.approvals === undefined ? {} : { approvals: options.approvals }),
    ...(options.trust === undefined ? {} : { trust: options.trust }),
  };
  // A signed artifact is published under its signature's version unless one is given; an unsigned one as `sha-<12 hex>`.
  const versionFor = (signed: boolean) => options.version ?? (signed ? undefined : defaultVersionName(engine.hash));
  const withVersion = (v: string | undefined) => (v === undefined ? {} : { version: v });
  let publish: (() => Promise<RegisteredArtifact>) | undefined;
  if (typeof releases.publishArtifact === "function") {
    const release = releases as Store & ReleaseStore;
    if (dir !== undefined) publish = () => publishArtifactDir(release, dir, { ...common, ...withVersion(versionFor(existsSync(join(dir, SIGNATURE_FILE)))) });
    else if (files !== undefined) {
      const map = new Map(Object.entries(files));
      publish = () => publishArtifactFiles(release, map, { ...common, ...withVersion(versionFor(map.has(SIGNATURE_FILE))) });
    }
  }
  return {
    ...(publish ? { publish } : {}),
    load: async (hash) => {
      const loaded = await loadRegistered(releases as Store & ReleaseStore, hash, {
        ...(options.trust === undefined ? {} : { trust: options.trust }),
        ...(options.engine === undefined ? {} : { engine: options.engine }),
      });
      return { engine: loaded.engine, name: loaded.registered.version };
    },
    ...(options.version === undefined ? {} : { version: options.version }),
    metrics,
    controls: () => controls.all(),
    // A version's journeys, so that a channel's kill switch stops those acting on it in that version.
    onLoad: (loaded) =>
      controls.addJourneys(
        loaded.predicates.journeys.map((j) => j.meta),
        loaded.hash,
      ),
    systemClock: (options.clock ?? "system") === "system",
    ...(options.now ? { now: options.now } : {}),
    ...(options.rollout?.refreshMs === undefined ? {} : { refreshMs: options.rollout.refreshMs }),
    ...(options.rollout?.guardMs === undefined ? {} : { guardMs: options.rollout.guardMs }),
    log: options.errorLog ?? ((line: string) => void process.stderr.write(line + "\n")),
  };
}
