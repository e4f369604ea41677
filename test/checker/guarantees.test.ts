// Spec §2: every compiler guarantee, asserted the way a user sees it — code, underlined
// text and hint.
import { describe, expect, it } from "vitest";
import { checkText, journey, seen } from "../helpers/compile.ts";

const only = (src: string | Record<string, string>) => {
  const r = checkText(src);
  return seen(r);
};
const errorsOf = (src: string | Record<string, string>) => only(src).filter((d) => d.severity === "error");

describe("§2.1 syntax errors", () => {
  it("reports several syntax errors of one file, each at its line and column", () => {
    const src = `journey a {
  purpse renewal_marketing
  on daily
  when policy.status ==
  do email(template: "t")
}
journy b { }
journey c {
  reason "unterminated
}
`;
    const ds = errorsOf(src);
    expect(ds.map((d) => [d.code, d.line, d.underlined])).toEqual(
      expect.arrayContaining([
        ["syntax/unexpected-token", 2, "purpse"],
        ["syntax/unexpected-token", 5, "do"],
        ["syntax/unexpected-token", 7, "journy"],
        ["syntax/unterminated-string", 9, '"unterminated'],
      ]),
    );
    expect(ds.find((d) => d.underlined === "purpse")?.hint).toBe("did you mean `purpose`?");
    expect(ds.find((d) => d.underlined === "journy")?.hint).toBe("did you mean `journey`?");
  });

  it("reports deeply nested parentheses as one diagnostic instead of overflowing the stack", () => {
    const deep = "(".repeat(3000) + "true" + ")".repeat(3000);
    const ds = errorsOf(journey({ when: deep }));
    expect(ds).toEqual([expect.objectContaining({ code: "syntax/too-deep", underlined: "(" })]);
  });

  it("reports an extremely long operator chain without crashing", () => {
    const chain = Array.from({ length: 60_000 }, () => 'policy.status == "active"').join(" and ");
    const ds = errorsOf(journey({ when: chain }));
    expect(ds.every((d) => d.code === "syntax/too-complex")).toBe(true);
  });

  it("reports every check error of a file, each where it is", () => {
    const src = journey({ when: "customer.tenure >= 12" }, "a") + journey({ do: 'sms(template: "t")' }, "b") + journey({ on: "dayly" }, "c");
    expect(errorsOf(src).map((d) => [d.code, d.line])).toEqual([
      ["check/unknown-field", 4],
      ["check/channel-not-allowed", 11],
      ["check/unknown-event", 15],
    ]);
  });
});

describe("§2.2 unknown names with did-you-mean", () => {
  it("rejects an unknown field with the closest name as hint", () => {
    const [d] = errorsOf(journey({ when: "customer.tenure >= 12" }));
    expect(d).toMatchObject({ code: "check/unknown-field", underlined: "tenure", hint: "did you mean `tenure_months`?" });
  });
  it("rejects an unknown entity", () => {
    const [d] = errorsOf(journey({ when: 'polcy.status == "active"' }));
    expect(d).toMatchObject({ code: "check/unknown-entity", underlined: "polcy", hint: "did you mean `policy`?" });
  });
  it("rejects an unknown event", () => {
    const [d] = errorsOf(journey({ on: "dayly" }));
    expect(d).toMatchObject({ code: "check/unknown-event", underlined: "dayly", hint: "did you mean `daily`?" });
  });
  it("rejects an unknown purpose", () => {
    const [d] = errorsOf(journey({ purpose: "renewal_marketin" }));
    expect(d).toMatchObject({ code: "check/unknown-purpose", underlined: "renewal_marketin", hint: "did you mean `renewal_marketing`?" });
  });
  it("rejects an unknown action", () => {
    const [d] = errorsOf(journey({ do: 'emial(template: "t")' }));
    expect(d).toMatchObject({ code: "check/unknown-action", underlined: "emial", hint: "did you mean `email`?" });
  });
  it("rejects an unknown action parameter", () => {
    const ds = errorsOf(journey({ do: 'email(templat: "t")' }));
    expect(ds[0]).toMatchObject({ code: "check/unknown-parameter", underlined: "templat", hint: "did you mean `template`?" });
  });
  it("rejects a missing action parameter", () => {
    const [d] = errorsOf(journey({ do: "email()" }));
    expect(d).toMatchObject({ code: "check/missing-parameter", underlined: "email" });
    expect(d!.hint).toContain("template:");
  });
  it("rejects an unknown event payload field", () => {
    const [d] = errorsOf(journey({ purpose: "service_recovery", on: "ticket.resolved", when: "event.cstat <= 2", do: 'email(template: "t")' }));
    expect(d).toMatchObject({ code: "check/unknown-event-field", underlined: "cstat", hint: "did you mean `csat`?" });
  });
  it("rejects an unknown function", () => {
    const [d] = errorsOf(journey({ when: "day_until(policy.renewal_date) == 90" }));
    expect(d).toMatchObject({ code: "check/unknown-function", underlined: "day_until", hint: "did you mean `days_until`?" });
  });
});

describe("§2.3 types", () => {
  it("rejects comparing a number with a string", () => {
    const [d] = errorsOf(journey({ when: 'customer.tenure_months >= "12"' }));
    expect(d).toMatchObject({ code: "check/type-mismatch", underlined: 'customer.tenure_months >= "12"', hint: "remove the quotes around the number" });
  });
  it("rejects an enum literal that is not among the enum's values", () => {
    const [d] = errorsOf(journey({ when: 'policy.status == "actve"' }));
    expect(d).toMatchObject({ code: "check/unknown-enum-value", underlined: '"actve"', hint: "did you mean `active`?" });
  });
  it("checks enum literals inside `in` lists", () => {
    const [d] = errorsOf(journey({ when: 'policy.status in ["active", "lapse"]' }));
    expect(d).toMatchObject({ code: "check/unknown-enum-value", underlined: '"lapse"', hint: "did you mean `lapsed`?" });
  });
  it("rejects arithmetic on non-numbers", () => {
    // Under a purpose that is not marketing: marketing may not read `customer.email` at all (check/marketing-pii).
    const [d] = errorsOf(journey({ purpose: "service_updates", when: "customer.email * 2 == 4" }));
    expect(d).toMatchObject({ code: "check/type-mismatch", underlined: "*" });
  });
  it("rejects a non-boolean `when`", () => {
    const [d] = errorsOf(journey({ when: "customer.tenure_months + 1" }));
    expect(d).toMatchObject({ code: "check/not-boolean", underlined: "customer.tenure_months + 1" });
  });
  it("rejects comparing a date with a datetime", () => {
    const [d] = errorsOf(journey({ when: "policy.renewal_date < now" }));
    expect(d?.code).toBe("check/type-mismatch");
    expect(d?.hint).toContain("dates and datetimes do not compare");
  });
  it("accepts datetime + duration as a datetime", () => {
    expect(errorsOf(journey({ when: "onboarding.last_progress_at + 5d < now" }))).toEqual([]);
  });
});

describe("§2.4 optional fields are read only where proved set", () => {
  it("rejects an unguarded optional field", () => {
    const [d] = errorsOf(journey({ when: "customer.nps >= 9" }));
    expect(d).toMatchObject({ code: "check/unguarded-optional", underlined: "customer.nps", hint: "guard the read: `customer.nps is set and …`" });
  });
  it("accepts a read guarded by an enclosing `and`", () => {
    expect(errorsOf(journey({ when: "customer.nps is set and customer.nps >= 9" }))).toEqual([]);
  });
  it("accepts a read on the right of `is not set or`", () => {
    expect(errorsOf(journey({ when: "customer.nps is not set or customer.nps < 5" }))).toEqual([]);
  });
  it("rejects a read on the right of `is set or` (the guard proves nothing there)", () => {
    const ds = errorsOf(journey({ when: "customer.nps is set or customer.nps < 5" }));
    expect(ds.map((d) => d.code)).toEqual(["check/unguarded-optional"]);
  });
  it("narrows through `not`", () => {
    expect(errorsOf(journey({ when: "not (customer.nps is not set) and customer.nps > 1" }))).toEqual([]);
  });
  it("narrows through a named condition used as a guard", () => {
    const src = `condition has_nps = customer.nps is set\n` + journey({ when: "has_nps and customer.nps >= 9" });
    expect(errorsOf(src)).toEqual([]);
  });
  it("lets `reason` read what `when` proved set", () => {
    expect(errorsOf(journey({ when: "customer.nps is set and customer.nps >= 9", reason: '"You scored us {customer.nps}"' }))).toEqual([]);
  });
});

describe("§2.5 binding", () => {
  it("rejects reading an entity the trigger does not bind", () => {
    const [d] = errorsOf(journey({ purpose: "service_recovery", on: "ticket.resolved", when: 'policy.status == "active"', do: 'email(template: "t")' }));
    expect(d).toMatchObject({ code: "check/unbound-entity", underlined: "policy.status" });
    expect(d!.message).toContain("`ticket.resolved` binds only `customer`");
    expect(d!.hint).toContain("`daily`");
  });
  it("rejects `event.*` on a trigger that declares no payload", () => {
    const [d] = errorsOf(journey({ when: "event.csat <= 2" }));
    expect(d).toMatchObject({ code: "check/unknown-event-field", underlined: "csat", hint: "`daily` declares no payload fields" });
  });
  it("checks binding of fields read through a named condition, at the reference", () => {
    const src =
      `condition active = policy.status == "active"\n` +
      journey({ purpose: "service_recovery", on: "ticket.resolved", when: "active", do: 'email(template: "t")' });
    const [d] = errorsOf(src);
    expect(d).toMatchObject({ code: "check/unbound-entity", underlined: "active" });
  });
});

describe("§2.6 purpose limitation", () => {
  it("rejects a field with a label the purpose forbids, naming field, label, lineage and purpose", () => {
    const [d] = errorsOf(journey({ when: "policy.premium > 1000" }));
    expect(d).toMatchObject({ code: "check/forbidden-label", underlined: "policy.premium" });
    expect(d!.message).toBe("`policy.premium` carries label `financial`, lineage `billing.invoices.premium`, which purpose `renewal_marketing` forbids");
    expect(d!.hint).toBe("purpose limitation: do not use `financial` data for `renewal_marketing`; remove this read or use a purpose that permits it");
  });
  it("rejects a sensitive field under a purpose that does not allow its label", () => {
    const [d] = errorsOf(journey({ purpose: "service_updates", on: "claim.filed", when: 'contains(claim.diagnosis, "x")', do: 'sms(template: "t")' }));
    expect(d).toMatchObject({ code: "check/sensitive-field", underlined: "claim.diagnosis" });
    expect(d!.message).toContain("`service_updates`");
    expect(d!.message).toContain("`health`");
    expect(d!.hint).toBe("GDPR Art. 9: only a purpose whose `allows` lists `health` may read it");
  });
  it("accepts a sensitive field under a purpose that allows its label", () => {
    expect(
      errorsOf(journey({ purpose: "claims_handling", on: "claim.filed", when: 'contains(claim.diagnosis, "fracture")', do: 'sms(template: "t")' })),
    ).toEqual([]);
  });
});

describe("§2.7 channel allow-list", () => {
  it("rejects an action whose channel the purpose does not allow", () => {
    const [d] = errorsOf(journey({ do: 'sms(template: "t")' }));
    expect(d).toMatchObject({ code: "check/channel-not-allowed", underlined: "sms", hint: "its channels are `email` and `push`" });
  });
});

describe("§2.8 oversight", () => {
  it("rejects risk high without review required", () => {
    const [d] = errorsOf(
      journey({ purpose: "service_recovery", on: "ticket.resolved", when: "event.csat <= 2", do: 'agent_callback(queue: "q")', risk: "high" }),
    );
    expect(d).toMatchObject({ code: "check/review-required", underlined: "high" });
    expect(d!.hint).toContain("review required");
  });
  it("warns on a high-cost action under risk low", () => {
    const ds = only(journey({ purpose: "service_recovery", on: "ticket.resolved", when: "event.csat <= 2", do: 'agent_callback(queue: "q")' }));
    expect(ds).toEqual([expect.objectContaining({ code: "check/high-cost-low-risk", severity: "warning", underlined: "agent_callback" })]);
  });
});

describe("§2.9 minimal context bundle", () => {
  it("collects fields from when, reason, quiet and quantifier bodies", () => {
    const src = journey({
      when: 'policy.status == "active" and (any i in customer.recent_interactions: i.sentiment == "negative")',
      reason: '"renews {policy.renewal_date}"',
      quiet: "21:00 .. 08:00",
    });
    const r = checkText(src);
    expect(r.program?.journeys[0]?.fields).toEqual(["customer.recent_interactions", "customer.timezone", "policy.renewal_date", "policy.status"]);
  });
  it("includes the fields of named conditions, transitively", () => {
    const src = `condition a = b and customer.tenure_months > 1\ncondition b = policy.status == "active"\n` + journey({ when: "a" });
    expect(checkText(src).program?.journeys[0]?.fields).toEqual(["customer.tenure_months", "policy.status"]);
  });
  it("does not count event payload fields as context fields", () => {
    const r = checkText(journey({ purpose: "service_recovery", on: "ticket.resolved", when: "event.csat <= 2", do: 'email(template: "t")' }));
    expect(r.program?.journeys[0]).toMatchObject({ fields: [], eventFields: ["csat"] });
  });
});

describe("§2.10 duplicates and unreachable conditions", () => {
  it("rejects duplicate journey ids across files", () => {
    const ds = errorsOf({ "a.journey": journey({}, "dup"), "b.journey": journey({}, "dup") });
    expect(ds).toEqual([expect.objectContaining({ code: "check/duplicate-journey", underlined: "dup" })]);
  });
  it("rejects a duplicate clause", () => {
    const src = `journey j {\n  purpose renewal_marketing\n  on daily\n  when true\n  do email(template: "t")\n  cap 1 per 30d\n  cap 2 per 30d\n}\n`;
    const [d] = errorsOf(src);
    expect(d).toMatchObject({ code: "check/duplicate-clause", underlined: "cap", line: 7, hint: "keep one of them" });
  });
  it("rejects a missing required clause", () => {
    const [d] = errorsOf(journey({ do: "" }));
    expect(d).toMatchObject({ code: "check/missing-clause", underlined: "j" });
  });
  it("warns when `when` folds to constant false", () => {
    const ds = only(journey({ when: "1 > 2" }));
    expect(ds).toEqual([
      expect.objectContaining({
        code: "check/unreachable-journey",
        severity: "warning",
        underlined: "1 > 2",
        hint: "fix the condition, or delete the journey",
      }),
    ]);
  });
  it("warns when two comparisons on the same field contradict", () => {
    const ds = only(journey({ when: 'policy.status == "active" and customer.tenure_months > 5 and policy.status == "lapsed"' }));
    expect(ds).toEqual([
      expect.objectContaining({
        code: "check/unreachable-journey",
        underlined: 'policy.status == "lapsed"',
        hint: "one of the two comparisons is wrong; did you mean `or`?",
      }),
    ]);
  });
  it("warns on a constant operand of `and`", () => {
    const ds = only(journey({ when: 'policy.status == "active" and 2 > 1' }));
    expect(ds).toEqual([expect.objectContaining({ code: "check/constant-condition", underlined: "2 > 1" })]);
  });
  it("reports a cycle between named conditions", () => {
    const src = `condition a = b\ncondition b = a\n` + journey({ when: "a" });
    expect(errorsOf(src).map((d) => d.code)).toContain("check/condition-cycle");
  });
});

describe("the example policy set", () => {
  it("checks clean", async () => {
    const { readPolicyDir } = await import("../../compiler/node/policy-dir.ts");
    const { checkSources } = await import("../../compiler/pipeline.ts");
    const read = readPolicyDir("policies");
    const r = checkSources(read.sources!);
    expect(r.diagnostics.map((d) => `${d.span.file}: ${d.code} ${d.message}`)).toEqual([]);
    expect(r.program?.journeys.length).toBeGreaterThanOrEqual(6);
  });
});
