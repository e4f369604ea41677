// The rollout part of an instance's start (docs/rollout.md#versions-and-the-store): publish the artifact it was
// given in the store's registry (so every instance can load it by hash), make it the stable
// version when the store has none yet (action `start`), and otherwise decide with the store's
// version set — the store is the truth, every instance decides with one version set — saying why
// and how to roll the given one out. Then the router (which version decides each request, read
// again every 500 ms), the canary guard (automatic rollback) and the shadow runner, wired to the
// service's metrics. A store that keeps no rollout (a Store object of a test) gets a router that
// always decides with the given engine.
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Engine } from "../../runtime/engine.ts";
import { StartError } from "../artifact.ts";
import type { Metrics } from "../metrics.ts";
import type { JourneyControl, RegisteredArtifact, ReleaseStore, Store } from "../store/types.ts";
import { CanaryGuard } from "./auto-rollback.ts";
import { adoptFirstStable } from "./changes.ts";
import { type Applied, RolloutRouter, type VersionLoader } from "./router.ts";
import { ShadowRunner } from "./shadow.ts";
import { defaultVersionName, type Version, versionOf } from "./version.ts";

/** A store that keeps the registry and the rollout, and logs decisions of several artifacts. */
export type RolloutStore = Store &
  ReleaseStore & {
    addLogArtifact(hash: string, log: { readonly pii: Engine["catalog"]; readonly journeys: readonly JourneyMeta[] }): void;
  };

/** Whether the store keeps the registry and the rollout (every store `openStore` returns). */
export function hasRollout(store: Store): store is RolloutStore {
  const s = store as Partial<RolloutStore>;
  return (
    typeof s.rollout === "function" && typeof s.setRollout === "function" && typeof s.publishArtifact === "function" && typeof s.addLogArtifact === "function"
  );
}

export interface RolloutSetupOptions {
  /** Publishes the given artifact in the registry; undefined when there is nothing to publish (no files). */
  readonly publish?: () => Promise<RegisteredArtifact>;
  /** Loads a registered version (server/registry.ts `loadRegistered`). */
  readonly load: VersionLoader;
  /** The given artifact's registry name, when it is not published (default `sha-<12 hex>`). */
  readonly version?: string;
  readonly metrics: Metrics;
  /** The journey controls as last read (the guard watches stop-loss stops during a canary). */
  readonly controls?: () => readonly JourneyControl[];
  /** Told of every version loaded (the journey controls learn its journeys). */
  readonly onLoad?: (engine: Engine) => void;
  /** Whether decision times are the system clock's (then the switch time is measured). */
  readonly systemClock: boolean;
  /** Epoch ms (default Date.now). */
  readonly now?: () => number;
  /** Rollout reads (default 500 ms; 0: none, tests call `router.refresh()`). */
  readonly refreshMs?: number;
  /** Canary checks (default 500 ms; 0: none, tests call `guard.check()`). */
  readonly guardMs?: number;
  readonly log: (line: string) => void;
}

/** What an instance runs for the rollout. */
export interface RolloutSetup {
  readonly router: RolloutRouter;
  readonly guard: CanaryGuard | undefined;
  readonly shadow: ShadowRunner | undefined;
  /** The given artifact as registered (undefined: not published). */
  readonly registered: RegisteredArtifact | undefined;
  /** Lines for the start banner: which version this instance decides with, and why. */
  readonly notes: readonly string[];
  start(): void;
  stop(): Promise<void>;
}

/** Sets up the rollout of an instance started with `engine`. Throws StartError, and what the store throws. */
export async function setUpRollout(store: Store, engine: Engine, options: RolloutSetupOptions): Promise<RolloutSetup> {
  const now = options.now ?? Date.now;
  if (!hasRollout(store)) {
    const router = new RolloutRouter(versionOf(engine, options.version));
    return { router, guard: undefined, shadow: undefined, registered: undefined, notes: [], start() {}, async stop() {} };
  }
  let registered: RegisteredArtifact | undefined;
  try {
    registered = options.publish ? await options.publish() : undefined;
  } catch (e) {
    if (e instanceof Error && e.name === "StoreError" && (e as { code?: string }).code === "store/conflict") {
      throw new StartError("start/version-taken", e.message, {
        hint: "give this artifact a version name of its own (`--version NAME`), or leave it out for `sha-<hash>`",
        cause: e,
      });
    }
    // The registry's own refusals (a bad signature, unreadable approvals): what and how, as a failed start.
    if (e instanceof Error && ["RegistryError", "SigningError", "ApprovalError"].includes(e.name)) {
      const { code, hint } = e as Error & { code?: string; hint?: string };
      throw new StartError(code ?? "start/publish", `cannot publish the artifact in the store's registry: ${e.message}`, {
        ...(hint ? { hint } : {}),
        cause: e,
      });
    }
    throw e;
  }
  const name = registered?.version ?? options.version ?? defaultVersionName(engine.hash);
  const given = versionOf(engine, name);
  const loader: VersionLoader = async (hash) => {
    const loaded = await options.load(hash);
    store.addLogArtifact(hash, { pii: loaded.engine.catalog, journeys: loaded.engine.predicates.journeys.map((j) => j.meta) });
    options.onLoad?.(loaded.engine);
    return loaded;
  };
  const state = await adoptFirstStable(store, engine.hash, name, new Date(now()).toISOString());
  const notes: string[] = [];
  let stable: Version = given;
  if (state.stable !== undefined && state.stable !== engine.hash) {
    let loaded: { engine: Engine; name?: string };
    try {
      loaded = await loader(state.stable);
    } catch (e) {
      throw new StartError(
        "start/stable-not-loadable",
        `the store's stable version ${state.stable} cannot be loaded: ${e instanceof Error ? e.message : String(e)}`,
        {
          hint:
            "every instance decides with the store's versions: publish that artifact again (kairos artifacts publish DIR --version NAME), " +
            "or roll the stable version over to a loadable one with kairos rollout",
          cause: e,
        },
      );
    }
    stable = versionOf(loaded.engine, loaded.name);
    notes.push(
      `  rollout:  the store's stable version is ${stable.name} (${stable.hash.slice(0, 12)}), not the given ${name} (${engine.hash.slice(0, 12)}):` +
        ` deciding with ${stable.name}, as every instance does`,
      registered
        ? `            to roll ${name} out: kairos rollout start ${name} --canary 5% --by NAME (or --shadow)`
        : `            to roll it out, publish it first: kairos artifacts publish DIR --version NAME, then kairos rollout start NAME --canary 5% --by NAME`,
    );
  }
  let guard: CanaryGuard | undefined;
  const metrics = options.metrics;
  const onApply = (applied: Applied, previous: Applied): void => {
    metrics.rolloutGeneration.set(applied.state.generation);
    // From the change's write to this instance deciding with it (meaningless on `--clock request`).
    const lag = (now() - Date.parse(applied.state.since)) / 1000;
    if (options.systemClock && previous.state.generation > 0 && Number.isFinite(lag) && lag >= 0) metrics.rolloutSwitchSeconds.observe(lag);
    guard?.reset(applied);
    if (previous.state.generation > 0) options.log(`kairos serve: rollout: deciding with generation ${applied.state.generation} (${describe(applied)})`);
  };
  const router = new RolloutRouter(stable, store, loader, {
    onApply,
    log: options.log,
    now,
    ...(options.refreshMs === undefined ? {} : { refreshMs: options.refreshMs }),
  });
  router.add(given);
  try {
    await router.apply(state);
  } catch (e) {
    // The candidate does not load here: decide with the stable version, and keep trying.
    options.log(`kairos serve: rollout: ${e instanceof Error ? e.message : String(e)}; deciding with the stable version until it can be applied`);
  }
  metrics.rolloutGeneration.set(router.applied.state.generation);
  if (router.applied.state.mode !== "none") notes.push(`  rollout:  ${describe(router.applied)} (generation ${router.applied.state.generation})`);
  guard = new CanaryGuard(store, router, {
    ...(options.controls ? { controls: options.controls } : {}),
    ...(options.guardMs === undefined ? {} : { intervalMs: options.guardMs }),
    log: options.log,
    onRollback: (breach) => metrics.autoRollbacks.inc({ metric: String(breach.detail["metric"] ?? "unknown") }),
  });
  const shadow = new ShadowRunner(store, metrics, { log: options.log });
  return {
    router,
    guard,
    shadow,
    registered,
    notes,
    start() {
      router.start();
      guard?.start();
    },
    async stop() {
      await router.stop();
      await guard?.stop();
      await shadow.close();
    },
  };
}

/** A version set in a few words: `v2 stable, canary of v3 for 5%`. */
export function describe(applied: Applied): string {
  const { state, stable, candidate } = applied;
  if (state.mode === "canary" && candidate) return `${stable.name} stable, canary of ${candidate.name} for ${state.percent}% of subjects`;
  if (state.mode === "shadow" && candidate) return `${stable.name} stable, ${candidate.name} in shadow`;
  return `${stable.name} stable`;
}
