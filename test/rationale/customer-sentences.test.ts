// What the customer and the legal reviewer read about a real decision (compiled policy set, real
// engine): a deferral sentence never shows the journey's internal title, a decimal amount reads
// `49.90` in the legal review's values, and only the winner's `reason` gets a values section
// (a loser's reason was never rendered, so it is not listed as "not evaluated (short-circuit)").
import { describe, expect, it } from "vitest";
import type { Decision } from "../../runtime/decision.ts";
import { customerSentence, formatDecimal, formatValue, fromDecision, renderRationale } from "../../runtime/rationale/index.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";

const TITLE = "Internal: premium campaign B7 (ops only)";
const journeys = {
  "quiet.journey": `journey premium_notice {
  title    "${TITLE}"
  purpose  service_updates
  priority 90
  on       daily
  when     policy.status == "active" and policy.premium > 10
  do       sms(template: "premium")
  quiet    21:00 .. 08:00
  reason   "Your premium is {policy.premium} EUR."
}

journey silent_notice {
  title    "Internal: silent variant"
  purpose  service_updates
  priority 80
  on       daily
  when     policy.status == "active"
  do       sms(template: "silent")
  quiet    21:00 .. 08:00
}

journey lapsed_notice {
  purpose  service_updates
  priority 10
  on       daily
  when     policy.status == "lapsed" and days_until(policy.renewal_date) < 30
  do       sms(template: "lapsed")
  reason   "Your policy lapsed; it renews in {days_until(policy.renewal_date)} days."
}
`,
};

const request = (premium: number) => ({
  event: { type: "daily", id: "d1" },
  subject: "c-1",
  // 23:30 in Berlin: quiet hours.
  now: "2026-03-02T22:30:00Z",
  region: "eu",
  context: {
    customer: { customer_id: "c-1", email: "a@b.c", timezone: "Europe/Berlin", tenure_months: 1, segment: "sme", recent_interactions: [] },
    policy: { status: "active", renewal_date: "2026-12-01", premium },
  },
});

async function decide(premium: number): Promise<{ decision: Decision; md: string; customer: string }> {
  const { engine } = await compiledEngine(SPEC_POLICY_DIR, journeys);
  const metas = engine.predicates.journeys.map((j) => j.meta);
  const decision = await engine.decide(request(premium));
  const input = fromDecision(decision, metas, { request: request(premium) });
  return { decision, md: renderRationale(input, "md"), customer: renderRationale(input, "customer").trimEnd() };
}

describe("a deferred decision", () => {
  it("tells the customer the reason and when, never the journey's internal title", async () => {
    const { decision, customer } = await decide(49.9);
    expect(decision).toMatchObject({ outcome: "deferred", journey: "premium_notice", deferred_until: "2026-03-03T07:00:00Z" });
    expect(customer).toBe("Your premium is 49.90 EUR. (We will send it after quiet hours, at 2026-03-03T07:00:00Z.)");
    expect(customer).not.toContain("Internal");
  });

  it("without a `reason`, says what happens next without the title", async () => {
    const { decision, customer } = await decide(5);
    expect(decision).toMatchObject({ outcome: "deferred", journey: "silent_notice" });
    expect(customer).toBe("We will contact you after quiet hours, at 2026-03-03T07:00:00Z.");
    expect(customerSentence({ ...decision, outcome: "pending_review" })).toBe("A member of our team will review whether to contact you.");
    expect(customerSentence({ ...decision, outcome: "acted" })).toBe("We contacted you.");
  });

  it("shows the winner's reason values, a decimal as an amount, and no values section for losers", async () => {
    const { md } = await decide(49.9);
    const sections = md.split("\n### ").filter((s) => s.startsWith("Values in the customer-facing reason"));
    expect(sections).toHaveLength(1);
    expect(sections[0]).toContain("`policy.premium` → `49.90`");
    expect(md.split("\n## ").find((s) => s.startsWith("Journey `lapsed_notice`"))).not.toContain("customer-facing reason");
  });
});

describe("decimals", () => {
  it("read with at least two fraction digits, and keep the ones they have", () => {
    expect(formatDecimal(49.9)).toBe("49.90");
    expect(formatDecimal(50)).toBe("50.00");
    expect(formatDecimal(0.125)).toBe("0.125");
    expect(formatDecimal(-3.5)).toBe("-3.50");
    expect(formatValue(49.9, "decimal")).toBe("49.90");
    expect(formatValue(49, "int")).toBe("49");
  });
});
