// What the customer and the legal reviewer read about a `stale` decision (spec set compiled for
// real): the customer is told nothing was sent because the data was out of date, without saying
// which data; the legal review names the out-of-date event or value with its age and SLA, says
// the candidate was not evaluated and why, and does not claim a residency or basis result for a
// candidate that was never screened.
import { describe, expect, it } from "vitest";
import { fromDecision, renderRationale } from "../../runtime/rationale/index.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { claimAck, FRESHNESS_CUSTOMER as customer, freshnessJourneys, promoterThanks, tenureGift } from "../helpers/freshness-fixtures.ts";

const JOURNEYS = freshnessJourneys(
  claimAck({ title: "Internal: claim acknowledgement" }),
  promoterThanks({ reason: "You gave us {customer.nps} out of 10." }),
  tenureGift({ reason: "You have been with us for {customer.tenure_months} months." }),
);

async function render(request: Record<string, unknown>) {
  const { engine } = await compiledEngine(SPEC_POLICY_DIR, JOURNEYS);
  const decision = await engine.decide(request);
  const input = fromDecision(
    decision,
    engine.predicates.journeys.map((j) => j.meta),
    { request: request as never },
  );
  return {
    decision,
    md: renderRationale(input, "md"),
    text: renderRationale(input, "text"),
    html: renderRationale(input, "html"),
    customer: renderRationale(input, "customer").trimEnd(),
  };
}

describe("a decision on an event older than its freshness", () => {
  const request = {
    event: { type: "claim.filed", id: "K-1", at: "2026-03-30T12:00:00Z" },
    subject: "c-1",
    now: "2026-05-30T12:00:00Z",
    region: "eu",
    context: { customer, claim: { filed_at: "2026-03-30T12:00:00Z", status: "filed", diagnosis: "x" } },
  };

  it("tells the customer nothing was sent because the data was out of date, and nothing internal", async () => {
    const { decision, customer: sentence } = await render(request);
    expect(decision.outcome).toBe("stale");
    expect(sentence).toBe("We did not contact you: the information we had was out of date.");
    expect(sentence).not.toContain("Internal");
    expect(sentence).not.toContain("claim");
  });

  it("gives the reviewer the event, its age and its SLA, and no screening result", async () => {
    const { md, text, html } = await render(request);
    expect(md).toContain("- **Outcome:** **stale: not sent, the data was out of date**");
    expect(md).toContain("- **Out of date:** event `claim.filed` happened at 2026-03-30T12:00:00Z, 61d before `now`; its freshness is PT5M");
    expect(md).toContain("Not evaluated: the event was out of date (see the reasons below).");
    expect(md).toContain("not determined: the event was out of date, so nothing was screened");
    expect(md).toContain("Not determined (the event was out of date, so nothing was screened).");
    expect(md).not.toContain("Allowed: every field");
    expect(text).toContain("Out of date");
    expect(html).toContain("stale: not sent, the data was out of date");
  });
});

describe("a decision stopped by a stale value", () => {
  const request = {
    event: { type: "daily", id: "d" },
    subject: "c-1",
    now: "2026-05-30T12:00:00Z",
    region: "eu",
    context: { customer },
    context_as_of: { "customer.nps": "2026-04-15T12:00:00Z" },
  };

  it("names the value, its age and its SLA once, and says why the lower-ranked winner did not act", async () => {
    const { decision, md, customer: sentence } = await render(request);
    expect(decision.outcome).toBe("stale");
    expect(decision.explanation).toBeUndefined();
    expect(sentence).toBe("We did not contact you: the information we had was out of date.");
    expect(sentence).not.toContain("24 months");
    const row = "- **Out of date:** `customer.nps` was read at 2026-04-15T12:00:00Z, 45d before `now`; its freshness is P30D";
    expect(md.split(row)).toHaveLength(2);
    expect(md).toContain("Not evaluated: a value it reads was out of date (see the reasons below).");
    expect(md).toContain("- `outranked_by_stale`: not decided: `promoter_thanks` (priority 20) ranks above it and its data is out of date");
    // The stale candidate passed screening: its basis and residency are real results.
    expect(md).toContain("Allowed: every field of the minimal bundle may be processed in `eu`.");
  });
});
