// The catalog's `value:` section (docs/catalog.md#value): currency, costs per channel, outcome
// types (built-in and declared) and the global control group — what it builds, every mistake
// reported at its place in catalog.yaml with the fix, and its round trip through the artifact's
// catalog.json (a catalog without the section serializes exactly as before).
import { describe, expect, it } from "vitest";
import { catalogFromJson, catalogToJson } from "../../core/catalog/serialize.ts";
import { outcomeTypes } from "../../core/catalog/value.ts";
import { catalogOf, load, only, POLICIES_CATALOG } from "./helpers.ts";

const withValue = (value: string) => `${POLICIES_CATALOG.replace(/\nvalue:\n[\s\S]*$/, "\n")}value:\n${value}`;
const VALUE = `  currency: USD
  costs: { email: 0.02, sms: 0.06, call_task: 4.5 }
  outcomes:
    claim_closed: { description: "the claim was settled" }
    churn: { harm: true }
  control_group: { percent: 5, salt: "2026" }
  retention: P2Y
`;

describe("the value section", () => {
  it("builds currency, costs, the built-in and declared outcome types, and the control group", () => {
    const v = catalogOf(withValue(VALUE)).value!;
    expect(v.currency).toBe("USD");
    expect([...v.costs]).toEqual([
      ["email", 0.02],
      ["sms", 0.06],
      ["call_task", 4.5],
    ]);
    expect([...v.outcomes.keys()]).toEqual(["conversion", "renewal", "complaint", "unsubscribe", "claim_closed", "churn"]);
    expect(v.outcomes.get("complaint")).toMatchObject({ harm: true });
    expect(v.outcomes.get("renewal")).toMatchObject({ harm: false });
    expect(v.outcomes.get("claim_closed")).toMatchObject({ harm: false, description: "the claim was settled" });
    expect(v.outcomes.get("churn")).toMatchObject({ harm: true });
    expect(v.controlGroup).toEqual({ percent: 5, salt: "2026" });
    expect(v.retention).toBe("P2Y");
  });

  it("defaults: EUR, no costs, the built-in types, no control group; a catalog without it has the built-in types only", () => {
    const v = catalogOf(withValue("  costs: {}\n")).value!;
    expect(v.currency).toBe("EUR");
    expect(v.costs.size).toBe(0);
    expect(v.controlGroup).toBeUndefined();
    const none = catalogOf(POLICIES_CATALOG.replace(/\nvalue:\n[\s\S]*$/, "\n"));
    expect(none.value).toBeUndefined();
    expect([...outcomeTypes(none).keys()]).toEqual(["conversion", "renewal", "complaint", "unsubscribe"]);
  });

  it("is part of the example catalog, with a cost for each of its four channels", () => {
    const v = catalogOf(POLICIES_CATALOG).value!;
    expect([...v.costs.keys()].sort()).toEqual(["call_task", "email", "push", "sms"]);
    expect(v.outcomes.has("claim_closed")).toBe(true);
    expect(v.controlGroup).toBeUndefined();
  });

  it("survives catalog.json, and a catalog without it serializes with no `value` member", () => {
    const c = catalogOf(withValue(VALUE));
    const back = catalogFromJson(JSON.parse(JSON.stringify(catalogToJson(c))));
    expect(back.value).toEqual(c.value);
    const plain = catalogOf(POLICIES_CATALOG.replace(/\nvalue:\n[\s\S]*$/, "\n"));
    expect(Object.keys(catalogToJson(plain) as object)).not.toContain("value");
    expect(catalogFromJson(JSON.parse(JSON.stringify(catalogToJson(plain)))).value).toBeUndefined();
  });
});

describe("mistakes in the value section", () => {
  it("a retention that is not a duration, or that keeps nothing", () => {
    expect(only(withValue("  retention: 2 years\n"), "catalog/invalid-value").under).toBe("2 years");
    expect(only(withValue("  retention: P0D\n"), "catalog/invalid-value")).toMatchObject({
      under: "P0D",
      message: "`retention: P0D` keeps nothing: it must be longer than zero and at most a few thousand years",
    });
    expect(catalogOf(withValue("  retention: P2Y\n")).value?.retention).toBe("P2Y");
    expect(catalogOf(withValue("  costs: {}\n")).value?.retention).toBeUndefined();
  });

  it("a cost for a channel no action uses, with the near one", () => {
    const d = only(withValue("  costs: { emial: 0.02 }\n"), "catalog/unknown-cost-channel");
    expect(d).toMatchObject({ under: "emial", hint: "did you mean `email`?", message: "`value: costs` prices channel `emial`, which no action uses" });
  });

  it("a negative cost, and a cost that is not a number", () => {
    expect(only(withValue("  costs: { email: -1 }\n"), "catalog/invalid-value").under).toBe("-1");
    expect(only(withValue('  costs: { email: "cheap" }\n'), "catalog/invalid-value").under).toBe('"cheap"');
  });

  it("a currency that is not an ISO 4217 code", () => {
    expect(only(withValue("  currency: eur\n"), "catalog/invalid-value")).toMatchObject({ under: "eur", hint: "did you mean `EUR`?" });
    expect(only(withValue("  currency: euros\n"), "catalog/invalid-value").hint).toBe("write three capital letters, such as `EUR`, `USD` or `GBP`");
  });

  it("a declared outcome type that is built in", () => {
    const d = only(withValue("  outcomes:\n    complaint: { harm: true }\n"), "catalog/builtin-outcome-type");
    expect(d).toMatchObject({ under: "complaint", message: "`complaint` is a built-in outcome type" });
  });

  it("a control group of 0% or more than half of the subjects, and a salt that is not text", () => {
    expect(only(withValue("  control_group: { percent: 0 }\n"), "catalog/invalid-value")).toMatchObject({
      under: "0",
      hint: "to have no global control group, remove `control_group`",
    });
    expect(only(withValue("  control_group: { percent: 60 }\n"), "catalog/invalid-value").message).toBe(
      "`control_group.percent` must be above 0 and at most 50, not 60",
    );
    expect(only(withValue("  control_group: { percent: 5, salt: 2026 }\n"), "catalog/invalid-value")).toMatchObject({
      under: "2026",
      hint: 'quote it to make it text: `"2026"`',
    });
    expect(catalogOf(withValue("  control_group: { percent: 50 }\n")).value?.controlGroup).toEqual({ percent: 50, salt: "" });
    expect(only(withValue('  control_group: { salt: "x" }\n'), "catalog/missing-key")).toMatchObject({
      under: "control_group",
      hint: 'add the share of subjects held out of every journey, such as `control_group: { percent: 5, salt: "2026" }`',
    });
  });

  it("an unknown key, with the near one, and harm that is not a boolean", () => {
    expect(only(withValue("  cost: { email: 1 }\n"), "catalog/unknown-key")).toMatchObject({ under: "cost", hint: "did you mean `costs`?" });
    expect(only(withValue("  outcomes:\n    churn: { harm: yes }\n"), "catalog/invalid-value").hint).toBe(
      "YAML 1.2 reads `yes` as text: write `true` or `false`",
    );
    expect(load(withValue("  outcomes:\n    churn: { harm: yes }\n")).value?.value?.outcomes.has("churn")).toBe(true);
  });
});
