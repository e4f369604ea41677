// Which version decides a request (docs/rollout.md): the rollout state every instance reads from
// the store every 500 ms (each read with a 2 s deadline; a read that fails or is late keeps the
// state last applied and is reported once, not on every tick), the engines of its stable and
// candidate versions (loaded from the registry when this instance does not have them yet), and
// the route of each request — the subject's bucket picks the arm in a canary, the stable version
// decides everything in shadow mode (the candidate deciding the same request afterwards), and a
// wake-up keeps the version that scheduled it while that version can be loaded. A new state is
// applied only once every engine it names is loaded, so an instance never decides with half of a
// version set; until then it keeps the previous one and says why (`problem`).
import { Periodic } from "../periodic.ts";
import type { RolloutState } from "../store/types.ts";
import { withinDeadline } from "../value/deadline.ts";
import { bucketOf, inCanary } from "./bucket.ts";
import { type Version, versionOf } from "./version.ts";
import type { Engine } from "../../runtime/engine.ts";

/** Where the rollout state comes from (the store). */
export interface RolloutSource {
  rollout(): Promise<RolloutState>;
}

/** Loads a registered version by hash (server/registry.ts `loadRegistered`); throws when it cannot. */
export type VersionLoader = (hash: string) => Promise<{ readonly engine: Engine; readonly name?: string }>;

/** Which side of a rollout a decision was made on: `pinned` is a wake-up kept on the older version that scheduled it. */
export type Arm = "stable" | "canary" | "pinned";

/** What the log records of a decision made while a rollout is active. */
export interface RolloutMark {
  readonly generation: number;
  readonly arm: Arm;
}

/** The version that decides one request. */
export interface Route {
  readonly version: Version;
  /** The generation of the version set applied when the request was routed. */
  readonly generation: number;
  /** The log's `rollout` member: present while a rollout is active (mode ≠ none). */
  readonly rollout?: RolloutMark;
  /** In shadow mode: the candidate that decides the same request after the commit, without effect. */
  readonly shadow?: Version;
}

/** The version set this instance decides with. */
export interface Applied {
  readonly state: RolloutState;
  readonly stable: Version;
  readonly candidate?: Version;
  /** When this instance applied it (epoch ms, the process's clock). */
  readonly appliedAt: number;
}

export interface RouterOptions {
  /** Time between reads (default 500 ms); 0: no periodic reads (tests call `refresh`). */
  readonly refreshMs?: number;
  /** How long one read may take (default 2,000 ms). */
  readonly deadlineMs?: number;
  /** Told of every version set applied after the first (metrics, the budget check). */
  readonly onApply?: (applied: Applied, previous: Applied) => void;
  /** Where failing reads and loads are reported (default: stderr). */
  readonly log?: (line: string) => void;
  /** Epoch ms (default Date.now): when a state is applied. */
  readonly now?: () => number;
}

/** How long a version that failed to load is not tried again for a wake-up. */
const RETRY_LOAD_MS = 30_000;

const NO_ROLLOUT: RolloutState = { generation: 0, mode: "none", action: "none", by: "", reason: "", since: new Date(0).toISOString() };

/** Routes the requests of one instance to versions. */
export class RolloutRouter {
  private readonly source: RolloutSource | undefined;
  private readonly loader: VersionLoader | undefined;
  private readonly options: RouterOptions;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private current: Applied;
  private readonly versions = new Map<string, Version>();
  private readonly loading = new Map<string, Promise<Version>>();
  private readonly unloadable = new Map<string, { readonly at: number; readonly message: string }>();
  private readonly periodic: Periodic;
  private queue: Promise<unknown> = Promise.resolve();
  private failing = false;
  private lastProblem: string | undefined;

  /**
   * A router deciding with `stable` until a state is applied; without a source (a store that keeps
   * no rollout) it never changes.
   */
  constructor(stable: Version, source?: RolloutSource, loader?: VersionLoader, options: RouterOptions = {}) {
    this.source = source;
    this.loader = loader;
    this.options = options;
    this.log = options.log ?? ((line) => void process.stderr.write(line + "\n"));
    this.now = options.now ?? Date.now;
    this.versions.set(stable.hash, stable);
    this.current = { state: NO_ROLLOUT, stable, appliedAt: this.now() };
    this.periodic = new Periodic(source === undefined ? 0 : (options.refreshMs ?? 500), () => this.refreshReported());
  }

  /** Makes a version known without loading it (the engine this instance was started with). */
  add(version: Version): void {
    if (!this.versions.has(version.hash)) this.versions.set(version.hash, version);
  }

  /** The version set applied now. */
  get applied(): Applied {
    return this.current;
  }

  /** The stable version applied now. */
  get stable(): Version {
    return this.current.stable;
  }

  /** Why the last state read could not be applied (a failing read, a version that does not load); undefined when all is well. */
  get problem(): string | undefined {
    return this.lastProblem;
  }

  /** The version that decides a request about `subject`. */
  route(subject: string): Route {
    const a = this.current;
    const { state } = a;
    if (state.mode === "none" || a.candidate === undefined) return { version: a.stable, generation: state.generation };
    const mark = (arm: Arm): RolloutMark => ({ generation: state.generation, arm });
    if (state.mode === "shadow") return { version: a.stable, generation: state.generation, rollout: mark("stable"), shadow: a.candidate };
    if (inCanary(bucketOf(state.salt ?? "", subject), state.percent ?? 0)) {
      return { version: a.candidate, generation: state.generation, rollout: mark("canary") };
    }
    return { version: a.stable, generation: state.generation, rollout: mark("stable") };
  }

  /**
   * The version that decides a wake-up: the one that scheduled it (`artifact`) while it can be
   * loaded, else the subject's route. Never throws.
   */
  async routeWakeup(subject: string, artifact: string | undefined): Promise<Route> {
    const routed = this.route(subject);
    if (artifact === undefined || artifact === routed.version.hash) return routed;
    const a = this.current;
    const mark = (arm: Arm): RolloutMark | undefined => (a.state.mode === "none" ? undefined : { generation: a.state.generation, arm });
    const as = (version: Version, arm: Arm): Route => {
      const m = mark(arm);
      return { version, generation: a.state.generation, ...(m ? { rollout: m } : {}) };
    };
    if (artifact === a.stable.hash) return as(a.stable, "stable");
    if (a.candidate !== undefined && artifact === a.candidate.hash && a.state.mode === "canary") return as(a.candidate, "canary");
    const version = await this.versionFor(artifact).catch(() => undefined);
    return version === undefined ? routed : as(version, "pinned");
  }

  /**
   * A version by hash: one this instance has, else loaded from the registry (once; a failure is
   * reported and not tried again for 30 s). Throws when it cannot be loaded.
   */
  versionFor(hash: string): Promise<Version> {
    const known = this.versions.get(hash);
    if (known !== undefined) return Promise.resolve(known);
    const pending = this.loading.get(hash);
    if (pending !== undefined) return pending;
    const failed = this.unloadable.get(hash);
    if (failed !== undefined && this.now() - failed.at < RETRY_LOAD_MS) return Promise.reject(new Error(failed.message));
    if (this.loader === undefined) return Promise.reject(new Error(`version ${hash} is not loaded here and this service has no registry to load it from`));
    const load = this.loader(hash).then(
      ({ engine, name }) => {
        const version = versionOf(engine, name);
        this.versions.set(hash, version);
        this.unloadable.delete(hash);
        this.loading.delete(hash);
        return version;
      },
      (e: unknown) => {
        const message = `version ${hash} cannot be loaded: ${e instanceof Error ? e.message : String(e)}`;
        this.loading.delete(hash);
        if (!this.unloadable.has(hash)) this.log(`kairos serve: rollout: ${message}`);
        this.unloadable.set(hash, { at: this.now(), message });
        throw new Error(message);
      },
    );
    this.loading.set(hash, load);
    return load;
  }

  /**
   * Applies `state` once its versions are loaded (a generation older than the one applied is
   * ignored). Throws when a version cannot be loaded; the applied set is then unchanged.
   */
  apply(state: RolloutState): Promise<Applied> {
    const run = this.queue.then(() => this.applyNow(state));
    this.queue = run.catch(() => {});
    return run;
  }

  private async applyNow(state: RolloutState): Promise<Applied> {
    const previous = this.current;
    if (state.generation <= previous.state.generation && previous.state.generation > 0) return previous;
    const stable = state.stable === undefined ? previous.stable : await this.versionFor(state.stable);
    const candidate = state.mode !== "none" && state.candidate !== undefined ? await this.versionFor(state.candidate) : undefined;
    // A state read while this one loaded may have been applied meanwhile.
    if (this.current.state.generation >= state.generation && this.current.state.generation > 0) return this.current;
    const next: Applied = { state, stable, ...(candidate ? { candidate } : {}), appliedAt: this.now() };
    this.current = next;
    this.options.onApply?.(next, previous);
    return next;
  }

  /** Reads the state now (under the deadline) and applies it; throws what failed, keeping the set applied. */
  async refresh(): Promise<Applied> {
    if (this.source === undefined) return this.current;
    const source = this.source;
    const ms = this.options.deadlineMs ?? 2000;
    const state = await withinDeadline(source.rollout(), ms, () => new Error(`the store's rollout did not answer within ${ms} ms`));
    if (state.generation === this.current.state.generation) return this.current;
    return this.apply(state);
  }

  /** One read; a failure is reported when it starts and when it ends, not on every tick. */
  async refreshReported(): Promise<void> {
    try {
      await this.refresh();
      if (this.failing) this.log(`kairos serve: rollout: read again; deciding with generation ${this.current.state.generation}`);
      this.failing = false;
      this.lastProblem = undefined;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!this.failing) this.log(`kairos serve: rollout: ${message}; deciding with generation ${this.current.state.generation} until it can be applied`);
      this.failing = true;
      this.lastProblem = message;
    }
  }

  /** Starts the periodic reads (unless `refreshMs` is 0 or there is no source). */
  start(): void {
    this.periodic.start();
  }

  /** Stops the reads and waits for the one in progress. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
