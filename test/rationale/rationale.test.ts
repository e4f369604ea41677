import { describe, expect, it } from "vitest";
import type { JourneyMeta } from "../../core/artifact.ts";
import { parseDateLiteral, parseDateTimeLiteral } from "../../core/literals.ts";
import type { Decision, Evaluation } from "../../runtime/decision.ts";
import {
  customerSentence,
  decidingRecord,
  explainBasis,
  formatValue,
  fromDecision,
  guardrailSteps,
  renderRationale,
  traceTree,
} from "../../runtime/rationale/index.ts";
import { codeSpan } from "../../runtime/rationale/markdown.ts";
import { JOURNEYS, SAMPLES, followup, renewal } from "./sample-decisions.ts";

const acted = SAMPLES[0]!.decision;

describe("values by type", () => {
  it("renders epoch days as dates, epoch ms as ISO datetimes and ms as duration literals", () => {
    expect(formatValue(parseDateLiteral("2026-08-28"), "date")).toBe("2026-08-28");
    expect(formatValue(parseDateTimeLiteral("2026-05-30T09:00:00Z"), "datetime")).toBe("2026-05-30T09:00:00Z");
    expect(formatValue(30 * 86_400_000, "duration")).toBe("30d");
    expect(formatValue(36 * 3_600_000, "duration")).toBe("36h");
  });

  it("quotes strings and enums, prints numbers, booleans, lists and pseudonyms as they are", () => {
    expect(formatValue("active", 'enum("active", "lapsed")')).toBe('"active"');
    expect(formatValue(14, "int")).toBe("14");
    expect(formatValue(false, "bool")).toBe("false");
    expect(formatValue([parseDateLiteral("2026-01-02"), parseDateLiteral("2026-01-03")], "list of date")).toBe("[2026-01-02, 2026-01-03]");
    expect(formatValue("hmac:0123456789abcdef", "string")).toBe("hmac:0123456789abcdef");
    expect(formatValue(undefined, "int")).toBe("not set");
  });

  it("formats record members by their declared types", () => {
    const at = parseDateTimeLiteral("2026-05-28T10:00:00Z")!;
    expect(formatValue({ at, channel: "phone" }, "record {at: datetime, channel: string}")).toBe('{at: 2026-05-28T10:00:00Z, channel: "phone"}');
  });
});

describe("the trace tree", () => {
  it("follows nodes[].children with depths, values and results", () => {
    const tree = traceTree(renewal, acted.evaluations[0]!.trace);
    expect(tree.when.map((l) => [l.depth, l.source, l.mark, l.value])).toEqual([
      [0, 'policy.status == "active" and days_until(policy.renewal_date) == 90 and customer.tenure_months >= 12', "true", "true"],
      [1, 'policy.status == "active" and days_until(policy.renewal_date) == 90', "true", "true"],
      [2, 'policy.status == "active"', "true", "true"],
      [3, "policy.status", "value", '"active"'],
      [2, "days_until(policy.renewal_date) == 90", "true", "true"],
      [3, "days_until(policy.renewal_date)", "value", "90"],
      [4, "policy.renewal_date", "value", "2026-08-28"],
      [1, "customer.tenure_months >= 12", "true", "true"],
      [2, "customer.tenure_months", "value", "14"],
    ]);
    expect(tree.reason.map((l) => l.source)).toEqual(["days_until(policy.renewal_date)", "policy.renewal_date"]);
  });

  it("marks short-circuited conditions as not evaluated", () => {
    const trace = [
      [3, "lapsed"],
      [2, false],
      [1, false],
      [0, false],
    ] as const;
    const lines = traceTree(renewal, trace).when;
    expect(lines.find((l) => l.source === "days_until(policy.renewal_date) == 90")?.mark).toBe("skipped");
    expect(lines.find((l) => l.source === "customer.tenure_months >= 12")?.mark).toBe("skipped");
    const md = renderRationale(fromDecision({ ...acted, evaluations: [{ ...acted.evaluations[0]!, trace }] }, JOURNEYS), "md");
    expect(md).toContain("- – `customer.tenure_months >= 12` — not evaluated (short-circuit)");
  });

  it("shows every value of a quantifier body and a mixed result", () => {
    const lines = traceTree(followup, SAMPLES[2]!.decision.evaluations[0]!.trace).when;
    const body = lines.find((l) => l.source === 'i.sentiment == "negative"')!;
    expect(body).toMatchObject({ mark: "mixed", value: "false, true", times: 2 });
  });
});

describe("lawful basis", () => {
  const ev = (over: Partial<Evaluation>): Evaluation => ({ journey: "j", outcome: "acted", purpose: "p", priority: 0, trace: [], ...over });
  const records = [
    { purpose: "p", status: "granted", at: "2026-01-01T00:00:00Z" },
    { purpose: "p", channel: "email", status: "granted", at: "2025-01-01T00:00:00Z" },
    { purpose: "p", channel: "email", status: "withdrawn", at: "2027-01-01T00:00:00Z" },
  ];

  it("takes the latest record for the channel before one for all channels, ignoring records after now", () => {
    const now = parseDateTimeLiteral("2026-06-01T00:00:00Z")!;
    expect(decidingRecord(records, "p", "email", now)).toBe(records[1]);
    expect(decidingRecord(records, "p", "sms", now)).toBe(records[0]);
    expect(decidingRecord(records, "p", "email", parseDateTimeLiteral("2028-01-01T00:00:00Z"))).toBe(records[2]);
  });

  it("explains each kind of basis and lists the objections that bear on the purpose", () => {
    const objections = [
      { scope: "direct_marketing", at: "2025-01-01T00:00:00Z" },
      { scope: "purpose:other", at: "2025-01-01T00:00:00Z" },
    ];
    const consent = explainBasis(ev({ basis: "consent" }), "email", records, objections, parseDateTimeLiteral("2026-06-01T00:00:00Z"));
    expect(consent.summary).toMatch(/^consent \(Art\. 6\(1\)\(a\)\): the latest record for p on email is granted/);
    expect(consent.objections).toEqual([objections[0]]);
    expect(explainBasis(ev({ basis: "contract" }), "email", [], [], undefined).summary).toMatch(/contract.*Art\. 6\(1\)\(b\)/);
    expect(explainBasis(ev({ basis: "legitimate_interest" }), "email", [], [], undefined).summary).toMatch(/^legitimate interest/);
    expect(explainBasis(ev({ outcome: "denied_consent" }), "email", [], [], undefined).summary).toMatch(/no lawful basis/);
  });
});

describe("guardrails", () => {
  const steps = (outcome: Evaluation["outcome"], meta: JourneyMeta = renewal) =>
    guardrailSteps({ journey: meta.id, outcome, purpose: meta.purpose, priority: meta.priority, trace: [] }, meta, {
      ...acted,
      deferred_until: "2026-05-30T07:00:00Z",
    }).map((s) => s.result);

  it("passes the steps before the one that decided the outcome and does not reach the rest", () => {
    expect(steps("acted")).toEqual(["within its cap", "won", "not in the control group", "outside quiet hours", "—"]);
    expect(steps("capped")).toEqual(["over its cap: capped", "not reached", "not reached", "not reached", "not reached"]);
    expect(steps("held_out")).toEqual(["within its cap", "won", "in the control group: held out, no action", "not reached", "not reached"]);
    expect(steps("deferred")[3]).toBe("in quiet hours: deferred until 2026-05-30T07:00:00Z");
    expect(steps("denied_consent").every((r) => r === "not reached")).toBe(true);
  });

  it("says a suppressed candidate was stopped by its stop-loss or turned off, not that it lost arbitration", () => {
    const halted = (reason: Record<string, unknown>) =>
      guardrailSteps(
        { journey: renewal.id, outcome: "suppressed", purpose: renewal.purpose, priority: renewal.priority, trace: [], reasons: [reason as never] },
        renewal,
        { ...acted, journey: undefined, outcome: "suppressed" } as never,
      )[1]!.result;
    expect(halted({ code: "kill_switch", message: "…", kind: "journey", name: renewal.id, by: "Dana" })).toBe(
      "the journey was turned off by Dana (kill switch): suppressed",
    );
    expect(halted({ code: "kill_switch", message: "…", kind: "channel", name: "sms", by: "Sam" })).toBe(
      "its channel `sms` was turned off by Sam (kill switch): suppressed",
    );
    expect(halted({ code: "stop_loss", message: "…", by: "stop-loss" })).toBe("the journey was stopped by its stop-loss: suppressed");
    expect(halted({ code: "lost_arbitration", message: "…" })).toBe("lost arbitration: suppressed");
  });
});

describe("the customer-facing sentence", () => {
  it("is the rendered reason when acted, and says nothing was sent otherwise", () => {
    expect(customerSentence(acted)).toBe("Your policy renews in 90 days, so we sent you your options.");
    const { explanation: _e, ...bare } = acted;
    // Without a `reason`, a plain sentence: the journey's title is internal and never shown.
    expect(customerSentence(bare as Decision, renewal)).toBe("We contacted you.");
    expect(customerSentence(SAMPLES[3]!.decision)).toBe("We did not contact you.");
  });
});

describe("escaping", () => {
  const hostile: JourneyMeta = {
    ...renewal,
    title: `<script>alert("x")</script> & *bold* | pipe \`tick\``,
    nodes: renewal.nodes.map((n) => (n.id === 3 ? { ...n, text: "policy.status`<img src=x>`" } : n)),
  };
  const decision: Decision = {
    ...acted,
    explanation: "<b>hi</b>",
    evaluations: [{ ...acted.evaluations[0]!, trace: [[3, '"><script>'], ...acted.evaluations[0]!.trace] }],
  };
  const input = fromDecision(decision, [hostile]);

  it("HTML-escapes every value and loads nothing from outside the page", () => {
    const html = renderRationale(input, "html");
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).not.toMatch(/<link|<[^>]*\s(src|href)=|url\(|@import/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it("keeps Markdown structure whatever the text holds", () => {
    const md = renderRationale(input, "md");
    expect(md).toContain("\\<script\\>");
    expect(md).toContain("\\*bold\\*");
    expect(codeSpan("a`b")).toBe("``a`b``");
    expect(codeSpan("`x")).toBe("`` `x ``");
  });

  it("escapes `|` in Markdown table cells, even inside code", () => {
    const md = renderRationale(fromDecision(acted, JOURNEYS, { context: { "policy.status": "a|b" } }), "md");
    const row = md.split("\n").find((l) => l.startsWith("| `policy.status`"))!;
    expect(row).toBe('| `policy.status` | `"a\\|b"` |');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(4);
  });

  it("plain text shows control characters escaped", () => {
    const text = renderRationale(fromDecision({ ...acted, explanation: "a\u001b[31mred" }, JOURNEYS), "text");
    expect(text).not.toContain("\u001b");
    expect(text).toContain("\\u001b[31mred");
  });
});

describe("rationale inputs", () => {
  it("renders a trace by node id when the journey's metadata is missing", () => {
    const text = renderRationale(fromDecision(acted, []), "text");
    expect(text).toContain('node #3 → "active"');
    expect(text).toContain("not available");
  });

  it("states when no journey listens to the event", () => {
    const none: Decision = { decision_id: "d_x", outcome: "no_match", fields: [], evaluations: [], artifact: "a" };
    expect(renderRationale(fromDecision(none, []), "text")).toContain("No journey listens to this event.");
  });
});
