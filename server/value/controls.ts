// Which journeys are stopped, as this instance decides with them: the store's journey controls
// (one row per journey a stop-loss ever stopped, docs/value.md#stop-loss) and its kill switches (one
// row per journey or channel a person ever turned off, docs/kill-switch.md), both read again every
// second so that a stop-loss tripped, a kill switch turned — or either undone — on any instance
// takes effect on every instance within about a second. Each read has a deadline; a read that fails
// or is late keeps the last known states (a stop once seen is never dropped for want of an answer)
// and is reported once, not every second. The engine gets the stopped journeys as
// `DecideOptions.stopped`: journey id → the reason each of its candidates records (`kill_switch`
// before `stop_loss`), which replay reads back. A channel's kill switch stops the journeys whose
// action uses the channel, in each version this instance decides with (`addJourneys`).
import { withinDeadline } from "./deadline.ts";
import { Periodic } from "../periodic.ts";
import type { Gauge } from "prom-client";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Reason } from "../../runtime/decision.ts";
import { STOP_LOSS_CODE } from "../../runtime/guardrails.ts";
import type { JourneyControl, KillSwitch, Store } from "../store/types.ts";
import { hasKillSwitches, killReason, switchKey } from "./kill-switches.ts";

/** A store that keeps journey controls (every store `openStore` returns). */
export type ControlStore = Store & {
  journeyControls(): Promise<readonly JourneyControl[]>;
  setJourneyControl(control: JourneyControl, expect: JourneyControl["state"]): Promise<boolean>;
  journeyControlHistory(journey: string): Promise<readonly JourneyControl[]>;
};

/** Whether the store keeps journey controls. */
export function hasControls(store: Store): store is ControlStore {
  const s = store as Partial<ControlStore>;
  return typeof s.journeyControls === "function" && typeof s.setJourneyControl === "function";
}

export interface ControlsOptions {
  /** Time between reads (default 1,000 ms); 0: no periodic reads (tests call `refresh`). */
  readonly refreshMs?: number;
  /** How long one read may take before it is given up on (default 2,000 ms). */
  readonly deadlineMs?: number;
  /** `kairos_journey_stopped{journey}` (1 stopped, 0 running), set on every read. */
  readonly gauge?: Gauge<"journey">;
  /** Journeys shown on the gauge even before they have a control row (those with a `stop_loss`). */
  readonly watched?: readonly string[];
  /** Where a failing read is reported (default: stderr). */
  readonly log?: (line: string) => void;
  /** The journeys of the artifact this instance was started with: the channel each acts on. */
  readonly journeys?: readonly JourneyMeta[];
  /** `kairos_kill_switch{kind,name}` (1 turned off, 0 on again), set on every read. */
  readonly killGauge?: Gauge<"kind" | "name">;
}

/**
 * The reason a stopped journey's candidates record (`code: stop_loss`), from its control row: the
 * same row gives the same reason, byte for byte, on every instance.
 */
export function stopReason(control: JourneyControl): Reason {
  return {
    code: STOP_LOSS_CODE,
    message: `journey \`${control.journey}\` was stopped by ${control.by} at ${control.since}: ${control.reason}; it acts again once a person resumes it`,
    since: control.since,
    by: control.by,
  };
}

/** The error of a read that did not answer within `ms`. */
function lateRead(what: string, ms: number): () => Error {
  return () => new Error(`${what} did not answer within ${ms} ms`);
}

/** Journey id → the channel its action uses, in one version of the policies. */
type ChannelsOf = ReadonlyMap<string, string>;

function channelsOf(metas: readonly JourneyMeta[]): ChannelsOf {
  return new Map(metas.map((m) => [m.id, m.action.channel]));
}

function byName<T>(name: (row: T) => string): (a: T, b: T) => number {
  return (a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
}

/** The journey controls and kill switches of one instance. */
export class JourneyControls {
  private readonly store: Store;
  private readonly options: ControlsOptions;
  private readonly log: (line: string) => void;
  private rows = new Map<string, JourneyControl>();
  /** Kill switches by `kind:name`. */
  private switches = new Map<string, KillSwitch>();
  /** The journeys of the artifact this instance was started with, and of other versions by artifact hash. */
  private readonly channels: ChannelsOf;
  private readonly versions = new Map<string, ChannelsOf>();
  private stoppedMap: ReadonlyMap<string, Reason> | undefined;
  private versionStopped = new Map<string, ReadonlyMap<string, Reason> | undefined>();
  /** The reasons handed out, so that an unchanged row gives the very same object (decisions share it; the log walks it once). */
  private stopReasons = new Map<string, Reason>();
  private killReasons = new Map<string, Reason>();
  /** Bumped by every local change: a read that began before it is not applied over it. */
  private generation = 0;
  private readonly periodic: Periodic;
  private failing = false;

  constructor(store: Store, options: ControlsOptions = {}) {
    this.store = store;
    this.options = options;
    this.log = options.log ?? ((line) => void process.stderr.write(line + "\n"));
    this.channels = channelsOf(options.journeys ?? []);
    for (const j of options.watched ?? []) options.gauge?.set({ journey: j }, 0);
    this.periodic = new Periodic(this.enabled ? (options.refreshMs ?? 1000) : 0, () => this.refreshReported());
  }

  /** Whether the store keeps controls or kill switches at all (else nothing is ever stopped). */
  get enabled(): boolean {
    return hasControls(this.store) || hasKillSwitches(this.store);
  }

  /**
   * The stopped journeys of the artifact this instance was started with, and their reasons, for
   * `DecideOptions.stopped`; undefined when none is stopped.
   */
  get stopped(): ReadonlyMap<string, Reason> | undefined {
    return this.stoppedMap;
  }

  /**
   * The stopped journeys of one version (an artifact hash given to `addJourneys`; any other: the
   * artifact this instance was started with): a channel's kill switch stops the journeys whose
   * action uses it in that version.
   */
  stoppedFor(artifact: string | undefined): ReadonlyMap<string, Reason> | undefined {
    return artifact !== undefined && this.versionStopped.has(artifact) ? this.versionStopped.get(artifact) : this.stoppedMap;
  }

  /**
   * Adds the journeys of another version this instance decides with (a canary, a shadow, the
   * version that scheduled a wake-up), so that `stoppedFor(artifact)` knows which channel each acts
   * on. Adding the same artifact again replaces its journeys.
   */
  addJourneys(metas: readonly JourneyMeta[], artifact: string): void {
    this.versions.set(artifact, channelsOf(metas));
    this.recompute();
  }

  /** The control row of a journey as last read (undefined: never stopped). */
  get(journey: string): JourneyControl | undefined {
    return this.rows.get(journey);
  }

  /** Every control row as last read, by journey id. */
  all(): readonly JourneyControl[] {
    return [...this.rows.values()].sort(byName((c) => c.journey));
  }

  /** Every kill switch as last read (its latest state), journeys first, by name. */
  killSwitches(): readonly KillSwitch[] {
    return [...this.switches.values()].sort(byName((k) => `${k.kind === "journey" ? 0 : 1}:${k.name}`));
  }

  /** One kill switch as last read (undefined: never turned). */
  killSwitch(kind: KillSwitch["kind"], name: string): KillSwitch | undefined {
    return this.switches.get(switchKey(kind, name));
  }

  /** The channel a journey's action uses (in `artifact`, else in the artifact this instance was started with, else in any version). */
  channelOf(journey: string, artifact?: string): string | undefined {
    const own = (artifact === undefined ? undefined : this.versions.get(artifact)?.get(journey)) ?? this.channels.get(journey);
    if (own !== undefined) return own;
    for (const v of this.versions.values()) if (v.has(journey)) return v.get(journey);
    return undefined;
  }

  /** The kill switch that turns a journey off now (its own, else its channel's), undefined when none does. */
  killing(journey: string, artifact?: string): KillSwitch | undefined {
    const own = this.switches.get(switchKey("journey", journey));
    if (own?.state === "disabled") return own;
    const channel = this.channelOf(journey, artifact);
    const ch = channel === undefined ? undefined : this.switches.get(switchKey("channel", channel));
    return ch?.state === "disabled" ? ch : undefined;
  }

  /** Whether a journey or channel is one of a version this instance decides with. */
  knows(kind: KillSwitch["kind"], name: string): boolean {
    const maps = [this.channels, ...this.versions.values()];
    return maps.some((m) => (kind === "journey" ? m.has(name) : [...m.values()].includes(name)));
  }

  /** Reads the controls and kill switches now (each under the deadline); throws what the store threw, keeping the last known states of what failed. */
  async refresh(): Promise<void> {
    const store = this.store;
    const generation = this.generation;
    const deadline = this.options.deadlineMs ?? 2000;
    const [controls, switches] = await Promise.allSettled([
      hasControls(store) ? withinDeadline(store.journeyControls(), deadline, lateRead("the store's journey controls", deadline)) : Promise.resolve(undefined),
      hasKillSwitches(store) ? withinDeadline(store.killSwitches(), deadline, lateRead("the store's kill switches", deadline)) : Promise.resolve(undefined),
    ]);
    // A local change came in meanwhile: the next read sees it.
    if (generation === this.generation) {
      if (controls.status === "fulfilled" && controls.value !== undefined) this.rows = new Map(controls.value.map((r) => [r.journey, r]));
      if (switches.status === "fulfilled" && switches.value !== undefined) this.switches = new Map(switches.value.map((k) => [switchKey(k.kind, k.name), k]));
      this.recompute();
    }
    if (controls.status === "rejected") throw controls.reason;
    if (switches.status === "rejected") throw switches.reason;
  }

  /** Applies a change this instance wrote (a trip, a resume) at once, before the next read. */
  apply(control: JourneyControl): void {
    this.generation++;
    this.rows = new Map(this.rows).set(control.journey, control);
    this.recompute();
  }

  /** Applies a kill switch this instance wrote (turned off or on again) at once, before the next read. */
  applyKillSwitch(row: KillSwitch): void {
    this.generation++;
    this.switches = new Map(this.switches).set(switchKey(row.kind, row.name), row);
    this.recompute();
  }

  /** Starts the periodic reads (unless `refreshMs` is 0 or the store keeps neither controls nor kill switches). */
  start(): void {
    this.periodic.start();
  }

  /** Stops the reads and waits for the one in progress. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One read; a failure is reported when it starts and when it ends, not on every tick. */
  async refreshReported(): Promise<void> {
    try {
      await this.refresh();
      if (this.failing) this.log("kairos serve: journey controls: read again; stopped journeys are current");
      this.failing = false;
    } catch (e) {
      if (!this.failing) {
        this.log(`kairos serve: journey controls: ${e instanceof Error ? e.message : String(e)}; deciding with the states last read until the store answers`);
      }
      this.failing = true;
    }
  }

  /** Recomputes the stopped journeys of every version, and sets the gauges. */
  private recompute(): void {
    const stopReasons = new Map<string, Reason>();
    for (const row of this.rows.values()) if (row.state === "stopped") stopReasons.set(row.journey, this.stopReasonOf(row));
    this.stopReasons = stopReasons;
    const killReasons = new Map<string, Reason>();
    this.stoppedMap = this.compute(this.channels, killReasons);
    const versions = new Map<string, ReadonlyMap<string, Reason> | undefined>();
    for (const [artifact, channels] of this.versions) versions.set(artifact, this.compute(channels, killReasons));
    this.versionStopped = versions;
    this.killReasons = killReasons;
    for (const row of this.rows.values()) this.options.gauge?.set({ journey: row.journey }, row.state === "stopped" ? 1 : 0);
    for (const k of this.switches.values()) this.options.killGauge?.set({ kind: k.kind, name: k.name }, k.state === "disabled" ? 1 : 0);
  }

  /** One version's stopped journeys: a journey's own kill switch, else its channel's, else its stop-loss stop. */
  private compute(channels: ChannelsOf, killReasons: Map<string, Reason>): ReadonlyMap<string, Reason> | undefined {
    const stopped = new Map(this.stopReasons);
    for (const [journey, channel] of channels) {
      const k = this.switches.get(switchKey("channel", channel));
      if (k?.state === "disabled") stopped.set(journey, this.killReasonOf(k, journey, killReasons));
    }
    for (const k of this.switches.values()) if (k.kind === "journey" && k.state === "disabled") stopped.set(k.name, this.killReasonOf(k, k.name, killReasons));
    return stopped.size > 0 ? stopped : undefined;
  }

  private stopReasonOf(row: JourneyControl): Reason {
    const known = this.stopReasons.get(row.journey);
    const fresh = stopReason(row);
    if (known !== undefined && known["since"] === row.since && known["by"] === row.by && known.message === fresh.message) return known;
    return fresh;
  }

  private killReasonOf(row: KillSwitch, journey: string, into: Map<string, Reason>): Reason {
    const key = `${journey}\n${switchKey(row.kind, row.name)}`;
    const fresh = killReason(row, journey);
    const known = into.get(key) ?? this.killReasons.get(key);
    const reason = known !== undefined && known["since"] === row.since && known["by"] === row.by && known.message === fresh.message ? known : fresh;
    into.set(key, reason);
    return reason;
  }
}

/** Why a resume was refused. */
export class ResumeError extends Error {
  /** `not_stopped`: the journey is not stopped (never was, or was resumed already). */
  readonly code: "not_stopped";
  readonly current: JourneyControl | undefined;
  constructor(message: string, current: JourneyControl | undefined) {
    super(message);
    this.name = "ResumeError";
    this.code = "not_stopped";
    this.current = current;
  }
}

/** What a person gives to resume a journey. */
export interface ResumeRequest {
  readonly journey: string;
  /** Who resumes it (recorded, shown in `kairos journey status`). */
  readonly by: string;
  /** Why it may act again. */
  readonly note?: string;
  /** When (ISO 8601 UTC; default now). */
  readonly at?: string;
}

type ResumeStore = ControlStore & { journeyVolumes(): Promise<readonly { readonly journey: string; readonly lastId: number }[]> };

/**
 * Resumes a stopped journey (`kairos journey resume`, `POST /v1/journeys/{id}/resume`): one
 * conditional write from `stopped` to `active`, counting the stop-loss again only over subjects
 * first exposed after this moment (`sinceId` = the journey's last assignment row). Throws a
 * ResumeError when the journey is not stopped (so two people resuming at once write one resume),
 * and what the store throws.
 */
export async function resumeJourney(store: Store, request: ResumeRequest): Promise<JourneyControl> {
  if (!hasControls(store) || typeof (store as Partial<ResumeStore>).journeyVolumes !== "function") {
    throw new Error("this store keeps no journey controls");
  }
  const s = store as ResumeStore;
  const current = (await s.journeyControls()).find((c) => c.journey === request.journey);
  if (current?.state !== "stopped") {
    throw new ResumeError(
      current === undefined
        ? `journey \`${request.journey}\` is not stopped: its stop-loss never stopped it`
        : `journey \`${request.journey}\` is not stopped: ${current.by} resumed it at ${current.since}`,
      current,
    );
  }
  const lastId = (await s.journeyVolumes()).find((v) => v.journey === request.journey)?.lastId ?? 0;
  const control: JourneyControl = {
    journey: request.journey,
    state: "active",
    by: request.by,
    reason: request.note ?? `resumed by ${request.by}`,
    detail: { stopped_at: current.since, stopped_by: current.by, stopped_reason: current.reason },
    since: request.at ?? new Date().toISOString(),
    sinceId: lastId,
  };
  if (!(await s.setJourneyControl(control, "stopped"))) {
    const now = (await s.journeyControls()).find((c) => c.journey === request.journey);
    throw new ResumeError(`journey \`${request.journey}\` is not stopped: ${now?.by ?? "someone"} resumed it meanwhile`, now);
  }
  return control;
}
