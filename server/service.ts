// The decision flow of the service (docs/service.md#flow), shared by `POST /v1/decisions`, the
// wake-up runner and nothing else: check the body (no state in it, no client clock unless the
// server runs on request time), validate it against the artifact, then — one subject at a time
// in this instance — return the first decision of an event already decided (idempotency), read
// the subject's consents, objections and cap history from the store, decide (journeys a stop-loss
// stopped are suppressed: server/value/controls.ts) with the version the rollout gives the subject
// (server/rollout/: the stable one, a canary's candidate, or the version that scheduled a wake-up),
// and commit the log entry with its effects through the group committer. A commit refused because another instance
// changed the subject (`conflict`) is decided again from the new state; a store that fails makes
// the request fail closed with 503 — no decision is returned as acted unless it is durable.
import type { JourneyMeta } from "../core/artifact.ts";
import type { ContextProvider } from "../runtime/context.ts";
import type { Decision } from "../runtime/decision.ts";
import type { DecideOptions, Engine } from "../runtime/engine.ts";
import type { DecisionLogEntry } from "../runtime/sink.ts";
import type { GroupCommitter } from "./committer.ts";
import { effectsOf, stateForRequest, type EffectRequest } from "./effects.ts";
import { HttpError, storeUnavailable } from "./errors.ts";
import type { Metrics } from "./metrics.ts";
import { KeyedQueue } from "./serial.ts";
import type { EventKey, PendingCommit, Store, StoredWakeup } from "./store/types.ts";
import type { CanaryGuard } from "./rollout/auto-rollback.ts";
import { type Route, type RolloutMark, RolloutRouter } from "./rollout/router.ts";
import type { ShadowRunner } from "./rollout/shadow.ts";
import { versionOf } from "./rollout/version.ts";
import { stageSpan } from "./tracing.ts";
import type { JourneyControls } from "./value/controls.ts";
import type { StopLossCheck, StopLossRun } from "./value/stop-loss.ts";
import type { Span } from "@opentelemetry/api";

/** Where decision times come from: the server's clock, or the request's `now` (simulations, tests). */
export interface Clock {
  readonly mode: "system" | "request";
  /** Epoch milliseconds (injectable for tests). */
  now(): number;
}

/** A decision as the service returns it. */
export interface ServiceResult {
  readonly decision: Decision;
  /** True when the event had been decided before: this is that first decision, nothing was written. */
  readonly replay: boolean;
}

export interface ServiceOptions {
  readonly engine: Engine;
  readonly store: Store;
  readonly committer: GroupCommitter;
  readonly clock: Clock;
  /** Where context comes from; none: the request's inline `context`. */
  readonly provider?: ContextProvider;
  readonly metrics?: Metrics;
  /** Decide-and-commit attempts before 503 `contention` (default 8). */
  readonly maxTries?: number;
  /** The journeys stopped by their stop-loss (server/value/controls.ts); none: no journey is ever stopped. */
  readonly controls?: JourneyControls;
  /** The stop-loss check (server/value/stop-loss.ts), run by `checkStopLoss`. */
  readonly stopLoss?: StopLossCheck;
  /** Which version decides each request (server/rollout/router.ts); none: always `engine`. */
  readonly router?: RolloutRouter;
  /** Runs a shadow rollout's candidate after each commit (server/rollout/shadow.ts). */
  readonly shadow?: ShadowRunner;
  /** Counts the canary's decisions for its budget (server/rollout/auto-rollback.ts). */
  readonly guard?: CanaryGuard;
}

const STATE_KEYS = ["consents", "objections", "history"] as const;
/** Event keys remembered per instance for instant idempotent replies. */
const RECENT_KEYS = 10_000;

/** Wraps a store call: any failure is a 503 `store_unavailable` (fail closed). */
export async function fromStore<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof HttpError) throw e;
    const detail = e instanceof Error && e.name === "StoreError" ? e.message : `${what} failed`;
    throw storeUnavailable(detail, e);
  }
}

/** A log entry with the rollout it was decided under (runtime/log/encode.ts writes it as `rollout`). */
function marked(entry: DecisionLogEntry, rollout: RolloutMark): DecisionLogEntry & { readonly rollout: RolloutMark } {
  return { ...entry, rollout };
}

/** The decision service of one instance. */
export class DecisionService {
  readonly store: Store;
  readonly committer: GroupCommitter;
  readonly clock: Clock;
  readonly provider: ContextProvider | undefined;
  /** Which version decides each request: the stable one, a canary's candidate, a wake-up's own. */
  readonly router: RolloutRouter;
  /** Decisions, wake-ups and verdicts about one subject run one at a time in this instance. */
  readonly subjects = new KeyedQueue();
  /** The journeys stopped by their stop-loss, as this instance last read them. */
  readonly controls: JourneyControls | undefined;
  /** The stop-loss check. */
  readonly stopLoss: StopLossCheck | undefined;
  private readonly metrics: Metrics | undefined;
  private readonly maxTries: number;
  /** The shadow runner (undefined: the store keeps no rollout). */
  readonly shadow: ShadowRunner | undefined;
  /** The canary guard (undefined: the store keeps no rollout). */
  readonly guard: CanaryGuard | undefined;
  /** Event keys this instance committed lately → their decision (redeliveries come soon after). */
  private readonly recent = new Map<string, Decision>();

  constructor(options: ServiceOptions) {
    this.store = options.store;
    this.committer = options.committer;
    this.clock = options.clock;
    this.provider = options.provider;
    this.metrics = options.metrics;
    this.maxTries = options.maxTries ?? 8;
    this.controls = options.controls;
    this.stopLoss = options.stopLoss;
    this.router = options.router ?? new RolloutRouter(versionOf(options.engine));
    this.shadow = options.shadow;
    this.guard = options.guard;
  }

  /** The stable version's engine: what decides for every subject outside a canary. */
  get engine(): Engine {
    return this.router.stable.engine;
  }

  /** The stable version's journeys by id. */
  get journeys(): ReadonlyMap<string, JourneyMeta> {
    return this.router.stable.journeys;
  }

  /** The longest cap window of the stable version (journey caps and catalog channel caps), plus an hour, ms. */
  get historyWindowMs(): number {
    return this.router.stable.historyWindowMs;
  }

  private remember(key: string, decision: Decision): void {
    // An `error` does not close its event: the same event again is decided again.
    if (decision.outcome === "error") {
      this.recent.delete(key);
      return;
    }
    this.recent.set(key, decision);
    if (this.recent.size > RECENT_KEYS) this.recent.delete(this.recent.keys().next().value!);
  }

  /** The time of a decision or verdict: the server's clock, or the body's `now` on request time. */
  timeOf(body: Readonly<Record<string, unknown>>): string {
    if (this.clock.mode === "request") {
      if (typeof body["now"] !== "string") {
        throw new HttpError(400, "invalid_request", "`now` is required: this server runs with `--clock request`", {
          problems: [{ path: "now", message: "is required (an ISO 8601 datetime)" }],
          hint: "give the decision time as `now`, like `2026-05-30T09:00:00Z`",
        });
      }
      return body["now"];
    }
    if (body["now"] !== undefined) {
      throw new HttpError(400, "client_clock_not_allowed", "`now` is set by the server's clock; the request may not carry it", {
        problems: [{ path: "now", message: "not allowed with `--clock system`" }],
        hint: "remove `now`; start the server with `--clock request` to decide at times the client gives (simulations, tests)",
      });
    }
    return new Date(this.clock.now()).toISOString();
  }

  /**
   * Runs the stop-loss check now (docs/value.md#stop-loss): the demo calls it once per simulated
   * day, tests call it directly; `at` is recorded as the stops' `since` (default now). Throws what
   * the store throws; without a check (none was configured) nothing is judged.
   */
  async checkStopLoss(at?: string): Promise<StopLossRun> {
    if (!this.stopLoss) return { at: at ?? new Date(this.clock.now()).toISOString(), journeys: [], tripped: [] };
    return this.stopLoss.run(at);
  }

  /** Refuses a decision body that carries state the store owns. */
  checkNoState(body: Readonly<Record<string, unknown>>): void {
    const found = STATE_KEYS.filter((k) => Object.hasOwn(body, k));
    if (found.length === 0) return;
    const subject = typeof body["subject"] === "string" ? encodeURIComponent(body["subject"]) : "{subject}";
    throw new HttpError(400, "state_in_request", `the request carries ${found.map((k) => `\`${k}\``).join(", ")}; the service reads them from its store`, {
      problems: found.map((k) => ({ path: k, message: "not allowed in a decision request" })),
      hint: `remove ${found.join(", ")}; write consents with POST /v1/subjects/${subject}/consents and objections with POST /v1/subjects/${subject}/objections (cap history is recorded by the decisions themselves)`,
    });
  }

  /** `POST /v1/decisions`: the body as the route validated it. Throws HttpError 400/503. */
  async decide(body: Readonly<Record<string, unknown>>, span?: Span): Promise<ServiceResult> {
    this.checkNoState(body);
    if (this.provider && body["context"] !== undefined) {
      throw new HttpError(400, "context_not_allowed", "this server asks its context provider for context; the request may not carry `context`", {
        problems: [{ path: "context", message: "not allowed with a context provider" }],
        hint: "remove `context`; the server fetches the minimal bundle from the provider given with `--provider`",
      });
    }
    const started = performance.now();
    const request = { ...body, now: this.timeOf(body) };
    // The version the rollout gives this subject validates and decides (a candidate's catalog may differ).
    const route = this.router.route(typeof body["subject"] === "string" ? body["subject"] : "");
    const valid = route.version.engine.validate(request);
    this.observe("validate", performance.now() - started, span);
    if (!valid.ok) {
      throw new HttpError(400, "invalid_request", "the request does not fit the policy set", {
        problems: valid.problems,
        hint: "fix the fields named in `problems`; nothing was written",
      });
    }
    return this.run(request as unknown as EffectRequest, route, undefined, span);
  }

  /** Runs one claimed wake-up: its request at `now`, completing the wake-up in the same commit. */
  async runWakeup(w: StoredWakeup, owner: string, now: string): Promise<ServiceResult> {
    const request = { ...w.request, now } as unknown as EffectRequest;
    // The version that scheduled it, while it can be loaded (docs/rollout.md#wake-ups).
    const route = await this.router.routeWakeup(w.subject, w.artifact);
    return this.run(request, route, { id: w.id, owner });
  }

  private key(request: EffectRequest): EventKey {
    const timer = request.event["timer"];
    return { subject: request.subject, eventId: request.event.id, timer: typeof timer === "string" ? timer : "" };
  }

  private run(request: EffectRequest, route: Route, completesWakeup: PendingCommit["completesWakeup"], span?: Span): Promise<ServiceResult> {
    const version = route.version;
    const key = this.key(request);
    const recentKey = JSON.stringify([key.subject, key.eventId, key.timer]);
    return this.subjects.run(request.subject, async () => {
      for (let attempt = 1; attempt <= this.maxTries; attempt++) {
        // No look-up in the store first: the commit refuses a decided key (`duplicate`, with the
        // first decision) in the same transaction, so a redelivered event costs one discarded
        // decision instead of every event paying a query. Keys this instance committed lately
        // answer at once. A wake-up never takes the shortcut: its commit, even as a duplicate,
        // is what marks it done.
        if (!completesWakeup) {
          const found = this.recent.get(recentKey);
          if (found) return { decision: found, replay: true };
        }
        const nowMs = Date.parse(request.now);
        const state = await this.timed("state", span, () =>
          fromStore("reading the subject's state", () => this.store.state(request.subject, nowMs - version.historyWindowMs)),
        );
        const full = { ...request, ...stateForRequest(state) };
        // Per version: a channel's kill switch stops the journeys acting on it in the deciding version.
        const stopped = this.controls?.stoppedFor(version.hash);
        const options: DecideOptions = {
          ...(this.provider ? { provider: this.provider } : {}),
          // Journeys stopped by their stop-loss or turned off: suppressed (reason `stop_loss`, `kill_switch`), nothing fetched for them.
          ...(stopped ? { stopped } : {}),
          // The engine validates again (its own contract); the service timed validation above.
          observe: (stage, ms) => {
            if (stage !== "validate") this.observe(stage, ms, span);
          },
        };
        const decideStarted = performance.now();
        const record = await version.engine.decideRecord(full, options);
        const decideMs = performance.now() - decideStarted;
        const effects = effectsOf(record.decision, request, version.journeys, this.provider === undefined);
        const item: PendingCommit = {
          key,
          expectedVersion: state.version,
          decision: record.decision,
          // While a rollout is active the log records its generation and the arm (docs/rollout.md#in-the-decision-log).
          entry: route.rollout === undefined ? record.entry : marked(record.entry, route.rollout),
          ...effects,
          ...(completesWakeup ? { completesWakeup } : {}),
        };
        const result = await this.timed("commit", span, () => fromStore("committing the decision", () => this.committer.submit(item)));
        switch (result.status) {
          case "committed":
            this.metrics?.decisions.inc({ journey: record.decision.journey ?? "", outcome: record.decision.outcome });
            this.metrics?.decisionsByVersion.inc({ version: version.name, arm: route.rollout?.arm ?? "none" });
            this.guard?.observe(route, record.decision.outcome, decideMs);
            if (route.shadow !== undefined) {
              // The same request and provider; the journeys stopped or turned off as the candidate's own journeys have them.
              const { observe: _observe, stopped: _stopped, ...shared } = options;
              const candidateStopped = this.controls?.stoppedFor(route.shadow.hash);
              const shadowOptions: DecideOptions = { ...shared, ...(candidateStopped ? { stopped: candidateStopped } : {}) };
              this.shadow?.enqueue({ generation: route.generation, candidate: route.shadow, request: full, options: shadowOptions, stable: record.decision });
            }
            this.remember(recentKey, record.decision);
            return { decision: record.decision, replay: false };
          case "duplicate":
            this.remember(recentKey, result.decision);
            return { decision: result.decision, replay: true };
          case "conflict":
            this.metrics?.conflicts.inc();
            continue;
          default:
            throw new Error(`the store answered a decision's commit with \`${result.status}\``);
        }
      }
      throw new HttpError(503, "contention", `the subject's state kept changing while deciding (${this.maxTries} attempts); nothing was written`, {
        hint: "retry after the delay in `Retry-After`; other instances are writing about the same subject",
        headers: { "retry-after": "1" },
      });
    });
  }

  private async timed<T>(stage: string, span: Span | undefined, call: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await call();
    } finally {
      this.observe(stage, performance.now() - t, span);
    }
  }

  private observe(stage: string, ms: number, span: Span | undefined): void {
    this.metrics?.stageSeconds.observe({ stage }, ms / 1000);
    if (span) stageSpan(span, stage, ms);
  }
}
