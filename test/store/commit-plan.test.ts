// The fate of each item of a group commit (server/store/commit-plan.ts's planCommit), the one
// piece of logic commit.ts (PGlite, PostgreSQL) and sqlite-commit.ts (SQLite) share between
// their reads and their writes. The conformance suite runs it through every backend; these tests
// pin each rule on its own, in batch order, from what the reads found.
import { describe, expect, it } from "vitest";
import { keyOf, planCommit, type Found } from "../../server/store/commit-plan.ts";
import { pending } from "./helpers.ts";

function found(versions: Record<string, number>, reviews: Record<string, string> = {}): Found {
  return { existing: new Map(), versions: new Map(Object.entries(versions)), reviewStates: new Map(Object.entries(reviews)) };
}

describe("planCommit", () => {
  it("commits in batch order: a later item of the same event is a duplicate of the earlier one, a stale version a conflict", () => {
    const first = pending({ subject: "s1", version: 0 });
    const again = pending({ subject: "s1", eventId: first.key.eventId, version: 1 });
    const next = pending({ subject: "s1", version: 1 });
    const stale = pending({ subject: "s2", version: 5 });
    const f = found({ s1: 0, s2: 0 });
    const plan = planCommit([first, again, next, stale], f);
    expect(plan.results).toEqual([undefined, { status: "duplicate", decision: first.decision }, undefined, { status: "conflict" }]);
    expect(plan.committed.map((c) => c.index)).toEqual([0, 2]);
    expect(f.versions.get("s1")).toBe(2);
    expect(f.versions.get("s2")).toBe(0);
    expect(plan.superseded.size).toBe(0);
  });

  it("answers an event again after an `error` decision, superseding it, but not after any other outcome", () => {
    const retried = pending({ subject: "s1", version: 0 });
    const replayed = pending({ subject: "s2", version: 0 });
    const f = found({ s1: 0, s2: 0 });
    f.existing.set(keyOf(retried), { ...retried.decision, decision_id: "d_error", outcome: "error" });
    f.existing.set(keyOf(replayed), { ...replayed.decision, decision_id: "d_acted" });
    const plan = planCommit([retried, replayed], f);
    expect(plan.results[0]).toBeUndefined();
    expect(plan.results[1]).toEqual({ status: "duplicate", decision: { ...replayed.decision, decision_id: "d_acted" } });
    expect([...plan.superseded.values()]).toEqual([{ subject: "s1", eventId: retried.key.eventId, timer: "", by: retried.decision.decision_id }]);
    expect(f.existing.get(keyOf(retried))).toBe(retried.decision);
  });

  it("resolves a pending review once: a second verdict in the batch, or one on an unknown review, is review_closed", () => {
    const verdict = (subject: string, id: string) =>
      pending({ subject, version: 0, extra: { resolves: { decision_id: id, verdict: "approve", reviewer: "ana" } } });
    const f = found({ s1: 0, s2: 0, s3: 0 }, { d_review: "pending" });
    const plan = planCommit([verdict("s1", "d_review"), verdict("s2", "d_review"), verdict("s3", "d_nowhere")], f);
    expect(plan.results).toEqual([undefined, { status: "review_closed", state: "approved" }, { status: "review_closed", state: "unknown" }]);
    expect(f.reviewStates.get("d_review")).toBe("approved");
    expect(f.versions.get("s2")).toBe(0);
  });

  it("marks the wake-up a duplicate ran as done by the decision that exists, and one a commit ran by the new decision", () => {
    const done = pending({ subject: "s1", version: 0, extra: { completesWakeup: { id: "wk_7", owner: "me" } } });
    const fresh = pending({ subject: "s2", version: 0, extra: { completesWakeup: { id: "wk_8", owner: "me" } } });
    const notOurs = pending({ subject: "s3", version: 0, extra: { completesWakeup: { id: "not-a-wakeup", owner: "me" } } });
    const f = found({ s1: 0, s2: 0, s3: 0 });
    f.existing.set(keyOf(done), { ...done.decision, decision_id: "d_before" });
    const plan = planCommit([done, fresh, notOurs], f);
    expect(plan.doneWakeups).toEqual([
      { id: 7, by: "d_before" },
      { id: 8, by: fresh.decision.decision_id },
    ]);
  });
});
