// Review verdicts (docs/service.md#reviews): a `pending_review` decision waits for a person;
// approving it acts — unless, at the time of the verdict, the journey's cap or a catalog channel
// cap is already reached (409 `cap_reached`, the review stays pending) — and rejecting it
// suppresses it. Either way the verdict is a new log entry linked to the first (`review.of`),
// committed with the review's resolution (and, on approval, a cap-history row) in one
// transaction, under the subject's serialization like any decision about it.
import { capCovers, channelCaps } from "../core/catalog/caps.ts";
import { canonicalJson } from "../core/canonical-json.ts";
import { parseDateTimeLiteral } from "../core/literals.ts";
import { sha256Hex } from "../core/sha256.ts";
import type { Decision } from "../runtime/decision.ts";
import { KILL_SWITCH_CODE } from "../runtime/guardrails.ts";
import type { DecisionLogEntry, MinimizedRequest } from "../runtime/sink.ts";
import { journeyActivation } from "./activation.ts";
import { HttpError } from "./errors.ts";
import { fromStore, type DecisionService } from "./service.ts";
import type { Version } from "./rollout/version.ts";
import type { PendingCommit, StoredHistory, StoredReview } from "./store/types.ts";

/** A verdict as `POST /v1/reviews/{id}` receives it. */
export interface VerdictBody {
  readonly verdict: "approve" | "reject";
  readonly reviewer: string;
  readonly note?: string;
  readonly now?: string;
}

/** The verdict's entry and the review after it. */
export interface VerdictResult {
  readonly decision: Decision;
  readonly review: StoredReview;
}

/** `d_` + 32 hex digits of sha256 over the canonical {review_of, verdict, reviewer, at}. */
export function verdictId(reviewOf: string, verdict: string, reviewer: string, at: string): string {
  return `d_${sha256Hex(canonicalJson({ review_of: reviewOf, verdict, reviewer, at }, 0, [])).slice(0, 32)}`;
}

function notPending(review: StoredReview): HttpError {
  return new HttpError(
    409,
    "review_closed",
    `decision \`${review.decision_id}\` was already ${review.state}${review.reviewer ? ` by ${review.reviewer}` : ""}`,
    {
      hint: "list the reviews still waiting with GET /v1/reviews?state=pending",
    },
  );
}

/** A cap the approval would exceed, as a sentence; undefined when none. */
function capReached(version: Version, review: StoredReview, history: readonly StoredHistory[], nowMs: number): string | undefined {
  const inWindow = (h: StoredHistory, windowMs: number): boolean => {
    const at = parseDateTimeLiteral(h.at);
    return at !== undefined && at > nowMs - windowMs && at <= nowMs;
  };
  const meta = version.journeys.get(review.journey);
  if (meta?.cap) {
    const n = history.filter((h) => h.journey === review.journey && inWindow(h, meta.cap!.windowMs)).length;
    if (n >= meta.cap.count)
      return `journey \`${review.journey}\` already acted ${n} time${n === 1 ? "" : "s"} in the last ${meta.cap.window} (cap ${meta.cap.count})`;
  }
  const catalog = version.engine.catalog;
  for (const cap of channelCaps(catalog)) {
    if (!capCovers(cap, review.action.channel, review.purpose, catalog)) continue;
    const n = history.filter((h) => inWindow(h, cap.windowMs) && capCovers(cap, h.channel, h.purpose, catalog)).length;
    if (n >= cap.max) return `channel cap \`${cap.name}\` allows ${cap.max} on \`${cap.channel}\` per ${cap.per}, and ${n} were sent`;
  }
  return undefined;
}

/** Records a verdict on a pending review. Throws HttpError 400/404/409/503. */
export async function resolveReview(service: DecisionService, decisionId: string, body: VerdictBody): Promise<VerdictResult> {
  const first = await fromStore("reading the review", () => service.store.review(decisionId));
  if (!first) {
    throw new HttpError(404, "review_not_found", `no review for decision \`${decisionId}\``, {
      hint: "only `pending_review` decisions have reviews; list them with GET /v1/reviews?state=pending",
    });
  }
  const at = service.timeOf(body as unknown as Record<string, unknown>);
  const nowMs = parseDateTimeLiteral(at);
  if (nowMs === undefined) {
    throw new HttpError(400, "invalid_request", "`now` is not a datetime", {
      problems: [{ path: "now", message: "expected an ISO 8601 datetime with an offset" }],
    });
  }
  return service.subjects.run(first.subject, async () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const review = await fromStore("reading the review", () => service.store.review(decisionId));
      if (!review) throw new HttpError(404, "review_not_found", `no review for decision \`${decisionId}\``);
      if (review.state !== "pending") throw notPending(review);
      // The version that made the pending decision judges and records the verdict (a canary's
      // candidate, a version since rolled back), while it can be loaded; else the stable version.
      const original = await fromStore("reading the decision", () => service.store.getDecision(decisionId));
      const version = await versionOfDecision(service, original?.decision);
      const state = await fromStore("reading the subject's state", () => service.store.state(review.subject, nowMs - version.historyWindowMs));
      if (body.verdict === "approve") {
        // Fail closed: a journey this service left inactive for want of a DPO approval never acts (docs/approvals.md).
        if (!journeyActivation(version.engine, review.journey).active) {
          throw new HttpError(409, "journey_inactive", `journey \`${review.journey}\` is inactive here: it needs a DPO approval that no valid record gives`, {
            hint: "reject it, or approve the journey (`kairos approve`) and restart the service; the review stays pending",
          });
        }
        // Fail closed: a journey its stop-loss stopped does not act until a person resumes it
        // (docs/value.md#stop-loss), nor one a person turned off (docs/kill-switch.md).
        const stop = service.controls?.stoppedFor(version.hash)?.get(review.journey);
        if (stop?.code === KILL_SWITCH_CODE) {
          const channel = stop["kind"] === "channel" && typeof stop["name"] === "string" ? stop["name"] : undefined;
          throw new HttpError(409, "journey_disabled", `journey \`${review.journey}\` is turned off: ${stop.message}`, {
            hint:
              channel === undefined
                ? `reject it, or turn the journey on again (POST /v1/journeys/${review.journey}/enable) first; the review stays pending`
                : `reject it, or turn the channel on again (POST /v1/channels/${channel}/enable) first; the review stays pending`,
          });
        }
        if (stop) {
          throw new HttpError(409, "journey_stopped", `journey \`${review.journey}\` is stopped by its stop-loss: ${stop.message}`, {
            hint: "reject it, or resume the journey (POST /v1/journeys/{id}/resume) first; the review stays pending",
          });
        }
        const reached = capReached(version, review, state.history, nowMs);
        if (reached) {
          throw new HttpError(409, "cap_reached", `approving would exceed a cap: ${reached}; the review stays pending`, {
            hint: "reject it, or approve it later, once the window has passed",
          });
        }
      }
      const item = verdictCommit(version, review, state.version, original?.decision, original?.line, body, at);
      const result = await fromStore("committing the verdict", () => service.committer.submit(item));
      switch (result.status) {
        case "committed": {
          const after = await fromStore("reading the review", () => service.store.review(decisionId));
          return { decision: item.decision, review: after ?? review };
        }
        case "conflict":
          continue;
        case "review_closed":
        case "duplicate": {
          const now = await fromStore("reading the review", () => service.store.review(decisionId));
          throw notPending(now ?? { ...review, state: "approved" });
        }
      }
    }
    throw new HttpError(503, "contention", "the subject's state kept changing while recording the verdict; nothing was written", {
      hint: "retry after the delay in `Retry-After`",
      headers: { "retry-after": "1" },
    });
  });
}

function loggedRequest(line: string | undefined): { event: MinimizedRequest["event"]; region: string } {
  try {
    const r = (JSON.parse(line ?? "") as { request?: { event?: MinimizedRequest["event"]; region?: string } }).request;
    if (r?.event && typeof r.region === "string") {
      const { type, id, at, timer } = r.event;
      return { event: { type, id, ...(at ? { at } : {}), ...(timer ? { timer } : {}) }, region: r.region };
    }
  } catch {
    // fall through: the entry still records the verdict
  }
  return { event: { type: "", id: "" }, region: "" };
}

/** The version a decision was made by, when this instance has it or can load it; else the stable version. */
async function versionOfDecision(service: DecisionService, decision: Decision | undefined): Promise<Version> {
  const hash = decision?.artifact;
  if (typeof hash !== "string" || hash === service.router.stable.hash) return service.router.stable;
  return service.router.versionFor(hash).catch(() => service.router.stable);
}

function verdictCommit(
  version: Version,
  review: StoredReview,
  subjectVersion: number,
  original: Decision | undefined,
  line: string | undefined,
  body: VerdictBody,
  at: string,
): PendingCommit {
  const approve = body.verdict === "approve";
  const id = verdictId(review.decision_id, body.verdict, body.reviewer, at);
  const basis = original?.basis;
  const decision = {
    decision_id: id,
    outcome: approve ? "acted" : "suppressed",
    journey: review.journey,
    ...(approve ? { action: review.action } : {}),
    ...(basis === undefined ? {} : { basis }),
    fields: [],
    evaluations: [],
    artifact: version.hash,
    review: { of: review.decision_id, verdict: body.verdict, reviewer: body.reviewer, ...(body.note === undefined ? {} : { note: body.note }) },
  } as Decision;
  const { event, region } = loggedRequest(line);
  const request: MinimizedRequest = { event, subject: review.subject, now: at, region, context: {}, consents: [], objections: [], history: [] };
  const approval = journeyActivation(version.engine, review.journey).approval;
  const entry: DecisionLogEntry = {
    decision_id: id,
    at,
    subject: review.subject,
    outcome: decision.outcome,
    journey: review.journey,
    ...(basis === undefined ? {} : { basis }),
    request,
    policies: version.engine.policies(),
    decision,
    ...(approval === undefined ? {} : { approval }),
  };
  return {
    key: { subject: review.subject, eventId: `review:${review.decision_id}`, timer: "" },
    expectedVersion: subjectVersion,
    decision,
    entry,
    ...(approve ? { history: [{ journey: review.journey, at, channel: review.action.channel, purpose: review.purpose, decision_id: id }] } : {}),
    resolves: { decision_id: review.decision_id, verdict: body.verdict, reviewer: body.reviewer, ...(body.note === undefined ? {} : { note: body.note }) },
  };
}
