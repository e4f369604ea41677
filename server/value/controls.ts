// Which journeys are stopped, as this instance decides with them (docs/value.md#stop-loss): the
// store's journey controls (one row per journey ever stopped), read again every second so that a
// stop-loss tripped — or a journey resumed — on any instance takes effect on every instance within
// about a second. Each read has a deadline; a read that fails or is late keeps the last known
// states (a stop once seen is never dropped for want of an answer) and is reported once, not every
// second. The engine gets the stopped journeys as `DecideOptions.stopped`: journey id → the reason
// each of its candidates records (`stop_loss`, with since and by), which replay reads back.
import type { Gauge } from "prom-client";
import type { Reason } from "../../runtime/decision.ts";
import { STOP_LOSS_CODE } from "../../runtime/guardrails.ts";
import type { JourneyControl, Store } from "../store/types.ts";

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

/** Resolves with `call`'s result, or rejects after `ms` (the call itself keeps running). */
async function within<T>(ms: number, what: string, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The journey controls of one instance. */
export class JourneyControls {
  private readonly store: Store;
  private readonly options: ControlsOptions;
  private readonly log: (line: string) => void;
  private rows = new Map<string, JourneyControl>();
  private stoppedMap: ReadonlyMap<string, Reason> | undefined;
  /** Bumped by every local change: a read that began before it is not applied over it. */
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private closed = false;
  private failing = false;

  constructor(store: Store, options: ControlsOptions = {}) {
    this.store = store;
    this.options = options;
    this.log = options.log ?? ((line) => void process.stderr.write(line + "\n"));
    for (const j of options.watched ?? []) options.gauge?.set({ journey: j }, 0);
  }

  /** Whether the store keeps controls at all (else nothing is ever stopped). */
  get enabled(): boolean {
    return hasControls(this.store);
  }

  /** The stopped journeys and their reasons, for `DecideOptions.stopped`; undefined when none is stopped. */
  get stopped(): ReadonlyMap<string, Reason> | undefined {
    return this.stoppedMap;
  }

  /** The control row of a journey as last read (undefined: never stopped). */
  get(journey: string): JourneyControl | undefined {
    return this.rows.get(journey);
  }

  /** Every control row as last read, by journey id. */
  all(): readonly JourneyControl[] {
    return [...this.rows.values()].sort((a, b) => (a.journey < b.journey ? -1 : a.journey > b.journey ? 1 : 0));
  }

  /** Reads the controls now (under the deadline); throws what the store threw, keeping the last known states. */
  async refresh(): Promise<void> {
    if (!hasControls(this.store)) return;
    const store = this.store;
    const generation = this.generation;
    const rows = await within(this.options.deadlineMs ?? 2000, "the store's journey controls", () => store.journeyControls());
    if (generation !== this.generation) return; // a local change came in meanwhile; the next read sees it
    this.replace(rows);
  }

  /** Applies a change this instance wrote (a trip, a resume) at once, before the next read. */
  apply(control: JourneyControl): void {
    this.generation++;
    const rows = new Map(this.rows);
    rows.set(control.journey, control);
    this.replace([...rows.values()]);
  }

  /** Starts the periodic reads (unless `refreshMs` is 0 or the store keeps no controls). */
  start(): void {
    const every = this.options.refreshMs ?? 1000;
    if (every <= 0 || this.timer || this.closed || !this.enabled) return;
    const tick = (): void => {
      this.running = this.refreshReported().finally(() => {
        if (!this.closed) this.timer = setTimeout(tick, every);
      });
    };
    this.timer = setTimeout(tick, every);
    this.timer.unref?.();
  }

  /** Stops the reads and waits for the one in progress. */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
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

  private replace(rows: readonly JourneyControl[]): void {
    const next = new Map<string, JourneyControl>();
    const stopped = new Map<string, Reason>();
    for (const row of rows) {
      next.set(row.journey, row);
      if (row.state === "stopped") stopped.set(row.journey, this.reasonOf(row));
    }
    this.rows = next;
    this.stoppedMap = stopped.size > 0 ? stopped : undefined;
    for (const row of rows) this.options.gauge?.set({ journey: row.journey }, row.state === "stopped" ? 1 : 0);
  }

  /** The same object for an unchanged row (decisions share it; the log walks it once). */
  private reasonOf(row: JourneyControl): Reason {
    const known = this.stoppedMap?.get(row.journey);
    if (known !== undefined && known["since"] === row.since && known["by"] === row.by && known.message === stopReason(row).message) return known;
    return stopReason(row);
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
