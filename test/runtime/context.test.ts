// Context normalization: only requested fields survive, each value is checked against its
// catalog type and converted; problems name the field (down to list elements).
import { describe, expect, test } from "vitest";
import { InMemoryProvider, normalizeContext, normalizePayload } from "../../runtime/context.ts";
import { catalog, fullContext, NOW_DAY } from "./fixtures.ts";

describe("in-memory provider", () => {
  test("answers only the requested fields", () => {
    const p = new InMemoryProvider(fullContext());
    expect(p.fetch("c-1", ["customer.segment", "policy.status", "claim.nope"])).toEqual({ customer: { segment: "retail" }, policy: { status: "active" } });
  });
});

describe("normalization", () => {
  test("extra entities and fields in the answer are dropped", () => {
    const r = normalizeContext(catalog, ["customer.segment"], { customer: { segment: "sme", email: "x@y.z" }, claim: { diagnosis: "d" } });
    expect(r).toEqual({ values: { customer: { segment: "sme" } }, minimized: { customer: { segment: "sme" } }, problems: [] });
  });

  test("dates, datetimes, decimals and durations become runtime values", () => {
    const r = normalizeContext(catalog, ["policy.renewal_date", "claim.filed_at", "policy.premium"], {
      policy: { renewal_date: "2026-05-30", premium: "99.90" },
      claim: { filed_at: "2026-05-30T02:00:00+02:00" },
    });
    expect(r.problems).toEqual([]);
    expect(r.values).toEqual({ policy: { renewal_date: NOW_DAY, premium: 99.9 }, claim: { filed_at: Date.parse("2026-05-30T00:00:00Z") } });
  });

  test("lists of records are converted element by element", () => {
    const r = normalizeContext(catalog, ["customer.recent_interactions"], {
      customer: { recent_interactions: [{ at: "2026-05-01T00:00:00Z", channel: "call", sentiment: "negative", note: "dropped" }] },
    });
    expect(r.values).toEqual({ customer: { recent_interactions: [{ at: Date.parse("2026-05-01T00:00:00Z"), channel: "call", sentiment: "negative" }] } });
  });

  test("a bad list element is named by its index and member", () => {
    const r = normalizeContext(catalog, ["customer.recent_interactions"], {
      customer: {
        recent_interactions: [
          { at: "2026-05-01T00:00:00Z", channel: "call", sentiment: "negative" },
          { at: "2026-05-02T00:00:00Z", channel: "web", sentiment: "angry" },
        ],
      },
    });
    expect(r.problems).toEqual([
      {
        code: "wrong_type",
        field: "customer.recent_interactions[1].sentiment",
        message: expect.stringContaining('expected one of "positive", "neutral", "negative"'),
      },
    ]);
    const missing = normalizeContext(catalog, ["customer.recent_interactions"], {
      customer: { recent_interactions: [{ at: "2026-05-02T00:00:00Z", sentiment: "neutral" }] },
    });
    expect(missing.problems[0]).toMatchObject({ code: "missing_field", field: "customer.recent_interactions[0].channel" });
  });

  test("wrong types are reported without echoing the value", () => {
    const r = normalizeContext(catalog, ["customer.email", "customer.tenure_months", "policy.status"], {
      customer: { email: 42, tenure_months: 12.5 },
      policy: { status: "lapsd" },
    });
    expect(r.problems.map((p) => [p.field, p.code])).toEqual([
      ["customer.email", "wrong_type"],
      ["customer.tenure_months", "wrong_type"],
      ["policy.status", "wrong_type"],
    ]);
    expect(r.problems[1]!.message).toBe("`customer.tenure_months` has the wrong type: expected an integer, got a non-integer number");
    expect(JSON.stringify(r.problems)).not.toContain("lapsd");
  });

  test("null is absent: an error for a required field, not set for an optional one", () => {
    const r = normalizeContext(catalog, ["customer.nps", "customer.segment"], { customer: { nps: null, segment: null } });
    expect(r.problems).toEqual([{ code: "missing_field", field: "customer.segment", message: expect.stringContaining("is missing from the context") }]);
    expect(r.values).toEqual({ customer: {} });
  });

  test("a provider answer that is not an object makes every required field missing", () => {
    expect(normalizeContext(catalog, ["policy.status"], "nonsense").problems[0]).toMatchObject({ code: "missing_field", field: "policy.status" });
  });

  test("a requested path the catalog does not know is a problem", () => {
    expect(normalizeContext(catalog, ["policy.colour"], {}).problems[0]).toMatchObject({ code: "unknown_field", field: "policy.colour" });
  });
});

describe("event payload", () => {
  const ticket = catalog.events.get("ticket.resolved")!;
  test("keeps the read fields, typed", () => {
    expect(normalizePayload(ticket, ["csat"], { csat: 2, ticket_id: "T" })).toEqual({
      values: { event: { csat: 2 } },
      minimized: { event: { csat: 2 } },
      problems: [],
    });
  });
  test("a missing or ill-typed payload field is named as event.<name>", () => {
    expect(normalizePayload(ticket, ["csat"], {}).problems[0]).toMatchObject({ code: "missing_field", field: "event.csat" });
    expect(normalizePayload(ticket, ["csat"], { csat: "2" }).problems[0]).toMatchObject({ code: "wrong_type", field: "event.csat" });
  });
});
