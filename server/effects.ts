// What a committed decision changes besides the log (docs/service.md#flow): a cap-history row
// when it acted or was deferred (so later decisions, here or on another instance, count it), a
// wake-up per timed follow-up it scheduled, a review row when it waits for a person, and the
// winner's channel for its assignment row when it names no action (held out: docs/value.md, "Arms").
// A wake-up keeps the artifact of the decision that scheduled it (docs/rollout.md#wake-ups).
// Pure functions of the decision, the request and the artifact's journey metadata.
import type { JourneyMeta } from "../core/artifact.ts";
import type { Decision } from "../runtime/decision.ts";
import type { NewWakeup, PendingCommit, StoredHistory, SubjectState } from "./store/types.ts";

/** The parts of the request the effects need. */
export interface EffectRequest {
  readonly event: Readonly<Record<string, unknown>> & { readonly id: string; readonly at?: string };
  readonly subject: string;
  readonly now: string;
  readonly region: string;
  readonly context?: Readonly<Record<string, unknown>>;
  /** The ages the request gave its context values (docs/runtime.md#freshness). */
  readonly context_as_of?: Readonly<Record<string, string>>;
}

type Effects = Pick<PendingCommit, "history" | "wakeups" | "review" | "channel">;

/**
 * The ages of an inline context kept for a wake-up: each entity as read at the request's `now`,
 * unless the request gave an age of its own. Days later, when the wake-up runs, the values are as
 * old as they really are, so a field's `freshness` can make that decision `stale`.
 */
function agesOf(request: EffectRequest): Record<string, string> {
  const ages: Record<string, string> = {};
  for (const entity of Object.keys(request.context ?? {})) ages[entity] = request.now;
  return { ...ages, ...request.context_as_of };
}

/**
 * History, wake-ups and review of a decision. The wake-up's request is the same event with
 * `timer` set and `at` pinned (timers count from it), the region, and the inline context only
 * when `keepContext` (the request had one and the service has no provider to ask again).
 */
export function effectsOf(decision: Decision, request: EffectRequest, journeys: ReadonlyMap<string, JourneyMeta>, keepContext: boolean): Effects {
  const meta = decision.journey === undefined ? undefined : journeys.get(decision.journey);
  const out: { history?: Omit<StoredHistory, "subject">[]; wakeups?: NewWakeup[]; review?: PendingCommit["review"]; channel?: string } = {};
  // A held-out decision names no action; its assignment row records the channel it would have used.
  if (decision.outcome === "held_out" && decision.action === undefined && meta !== undefined) out.channel = meta.action.channel;
  if ((decision.outcome === "acted" || decision.outcome === "deferred") && decision.journey !== undefined) {
    out.history = [
      {
        journey: decision.journey,
        at: decision.deferred_until ?? request.now,
        channel: decision.action?.channel ?? meta?.action.channel ?? "",
        purpose: meta?.purpose ?? purposeOf(decision),
        decision_id: decision.decision_id,
      },
    ];
  }
  if (decision.wakeups && decision.wakeups.length > 0) {
    const event = { ...request.event, at: request.event.at ?? request.now };
    out.wakeups = decision.wakeups.map((w) => ({
      subject: request.subject,
      journey: w.journey,
      timer: w.timer,
      due_at: w.at,
      request: {
        event: { ...event, timer: w.timer },
        subject: request.subject,
        region: request.region,
        ...(keepContext && request.context !== undefined ? { context: request.context, context_as_of: agesOf(request) } : {}),
      },
      scheduled_by: decision.decision_id,
      // The version that scheduled it decides it, while it can be loaded (docs/rollout.md#wake-ups).
      artifact: decision.artifact,
    }));
  }
  if (decision.outcome === "pending_review" && decision.journey !== undefined) {
    const action = decision.action ?? meta?.action;
    if (action) {
      out.review = {
        decision_id: decision.decision_id,
        subject: request.subject,
        journey: decision.journey,
        purpose: meta?.purpose ?? purposeOf(decision),
        action,
      };
    }
  }
  return out;
}

function purposeOf(decision: Decision): string {
  return decision.evaluations.find((e) => e.journey === decision.journey)?.purpose ?? "";
}

/** The store's records as the runtime request carries them: the request's own keys only, nulls of optional text dropped. */
export function stateForRequest(state: SubjectState): { consents: unknown[]; objections: unknown[]; history: unknown[] } {
  const pick = (r: object, keys: readonly string[], nullable: readonly string[] = []): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = (r as Record<string, unknown>)[k];
      if (v === undefined || (v === null && !nullable.includes(k))) continue;
      out[k] = v;
    }
    return out;
  };
  return {
    consents: state.consents.map((c) =>
      pick(c, ["subject", "purpose", "channel", "status", "at", "expires_at", "source", "notice_version"], ["channel", "expires_at"]),
    ),
    objections: state.objections.map((o) => pick(o, ["subject", "scope", "at"])),
    // Every row is the subject's own, so it carries no `subject` (the request reads as a caller of
    // the library would write it); a row whose channel or purpose is unknown ("") carries neither:
    // the engine takes them from the journey.
    history: state.history.map((h) => pick(h, ["journey", "at", ...(h.channel ? ["channel"] : []), ...(h.purpose ? ["purpose"] : [])])),
  };
}
