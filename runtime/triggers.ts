// The trigger index (spec §4 step 1): event type → the journeys that run when it happens, and
// event type → timer → the journeys that run at a timed follow-up. Built once per artifact, so
// the cost of selecting candidates does not grow with journeys that cannot match.
import type { CompiledJourney } from "../core/artifact.ts";
import { mapped } from "../core/arrays.ts";
import { formatDateTime } from "../core/literals.ts";
import type { Wakeup } from "./decision.ts";
import { compareByPriority } from "./guardrails.ts";

interface EventEntry {
  /** Journeys `on E` without `after`, in priority order. */
  readonly immediate: CompiledJourney[];
  /** Timer duration (ms) → journeys `on E after …` carrying it, in priority order. */
  readonly timed: Map<number, CompiledJourney[]>;
  /** Every (journey, timer) of the event, for wake-ups. */
  readonly timers: { readonly journey: string; readonly label: string; readonly ms: number }[];
}

const byPriority = (a: CompiledJourney, b: CompiledJourney): number => compareByPriority(a.meta, b.meta);

/** Candidate selection by event type and timer. */
export class TriggerIndex {
  private readonly events = new Map<string, EventEntry>();

  constructor(journeys: readonly CompiledJourney[]) {
    for (const j of journeys) {
      const { event, timers } = j.meta.trigger;
      let entry = this.events.get(event);
      if (!entry) {
        entry = { immediate: [], timed: new Map(), timers: [] };
        this.events.set(event, entry);
      }
      if (timers.length === 0) {
        entry.immediate.push(j);
        continue;
      }
      for (const t of timers) {
        entry.timers.push({ journey: j.meta.id, label: t.label, ms: t.ms });
        const list = entry.timed.get(t.ms) ?? [];
        if (!list.includes(j)) list.push(j);
        entry.timed.set(t.ms, list);
      }
    }
    for (const entry of this.events.values()) {
      entry.immediate.sort(byPriority);
      for (const list of entry.timed.values()) list.sort(byPriority);
    }
  }

  /**
   * The candidates of a request, in priority order: without a timer, the journeys on the
   * event that have no `after`; with one, the journeys whose `after` carries that duration
   * (timers match by duration, so `72h` finds a journey written `after 3d`).
   */
  candidates(event: string, timerMs?: number): readonly CompiledJourney[] {
    const entry = this.events.get(event);
    if (!entry) return [];
    return timerMs === undefined ? entry.immediate : (entry.timed.get(timerMs) ?? []);
  }

  /**
   * The timed follow-ups an occurrence of the event schedules: one per (journey, timer), at
   * event time + duration, ordered by time, then journey id, then timer.
   */
  wakeups(event: string, eventAtMs: number): Wakeup[] {
    const entry = this.events.get(event);
    if (!entry) return [];
    const timers = [...entry.timers].sort(
      (a, b) => a.ms - b.ms || (a.journey < b.journey ? -1 : a.journey > b.journey ? 1 : 0) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
    );
    return mapped(timers, (t) => ({ journey: t.journey, timer: t.label, at: formatDateTime(eventAtMs + t.ms) }));
  }
}
