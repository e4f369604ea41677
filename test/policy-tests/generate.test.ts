// Generated requests for properties: always valid requests for the policy set's catalog, fixed
// inputs kept, values aimed at the journeys' boundaries; and counterexamples printed from them
// paste back as tests that check cleanly and reproduce the same request and decision.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDateLiteral, parseDateTimeLiteral } from "../../core/literals.ts";
import type { TestRequest } from "../../compiler/tests/model.ts";
import type { Engine } from "../../runtime/engine.ts";
import { counterexampleTest } from "../../testing/counterexample.ts";
import { caseArbitrary, mineHints, triggersOf } from "../../testing/generate.ts";
import { compile, harness, JOURNEYS } from "./helpers.ts";

const c = compile({ "j.journey": JOURNEYS });
const catalog = c.catalog!;
const program = c.program!;
const metas = () => program.journeys.map((j) => ({ id: j.id, trigger: { event: j.trigger.event, timers: j.trigger.timers } }) as never);
const hints = mineHints(
  program.journeys.map((j) => j.when),
  program.resolutions,
);
const space = (fixed: Partial<Parameters<typeof caseArbitrary>[0]["fixed"]> = {}) =>
  caseArbitrary({
    catalog,
    journeys: metas(),
    triggers: triggersOf(metas()),
    fixed: { context: {}, consents: [], objections: [], history: [], ...fixed },
    hints,
  });

let engine: Engine;
beforeAll(async () => {
  engine = (await harness({ "j.journey": JOURNEYS })).engine;
});

describe("generated requests", () => {
  it("are valid requests for the catalog, with every field of every entity typed as the catalog says", () => {
    fc.assert(
      fc.property(space(), (r) => {
        const v = engine.validate(r);
        expect(v.ok, JSON.stringify(v)).toBe(true);
        expect(typeof r.context["customer"]!["tenure_months"]).toBe("number");
        expect(parseDateLiteral(String(r.context["policy"]!["renewal_date"]))).toBeDefined();
        expect(parseDateTimeLiteral(r.now)).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });

  it("know which fields the journeys compare with which literals, and how", () => {
    expect(hints.fields.get("policy.renewal_date")).toEqual([{ kind: "days_until", k: 90 }]);
    expect(hints.fields.get("customer.tenure_months")).toEqual([{ kind: "value", k: 12 }]);
    expect(hints.fields.get("event.csat")).toEqual([{ kind: "value", k: 2 }]);
    expect(hints.fields.get("claim.status")).toEqual([
      { kind: "string", s: "filed" },
      { kind: "string", s: "assessing" },
    ]);
  });

  it("land on the journeys' boundaries often: renewal exactly 90 days ahead, tenure 11, 12 and 13", () => {
    const sample = fc.sample(space({ now: "2026-03-02T10:00:00Z" }), { numRuns: 600, seed: 1 });
    const days = sample.map((r) => parseDateLiteral(String(r.context["policy"]!["renewal_date"]))! - parseDateLiteral("2026-03-02")!);
    for (const d of [89, 90, 91]) expect(days.filter((x) => x === d).length).toBeGreaterThan(40);
    const tenure = sample.map((r) => r.context["customer"]!["tenure_months"]);
    for (const t of [11, 12, 13]) expect(tenure.filter((x) => x === t).length).toBeGreaterThan(40);
  });

  it("keep what a property fixes", () => {
    fc.assert(
      fc.property(
        space({
          now: "2026-05-01T12:00:00Z",
          region: "us",
          subject: "c-7",
          context: { customer: { segment: "sme" } },
          consents: [{ purpose: "renewal_marketing", status: "denied" }],
          objections: [{ scope: "direct_marketing" }],
        }),
        (r) => {
          expect(r).toMatchObject({ now: "2026-05-01T12:00:00Z", region: "us", subject: "c-7" });
          expect(r.context["customer"]!["segment"]).toBe("sme");
          const renewal = r.consents.filter((x) => x.purpose === "renewal_marketing");
          expect(renewal).toEqual([{ purpose: "renewal_marketing", status: "denied", at: expect.any(String) }]);
          expect(Date.parse(renewal[0]!.at)).toBeLessThan(Date.parse(r.now));
          expect(r.objections.some((o) => o.scope === "direct_marketing")).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("counterexamples", () => {
  it("paste back as a test that checks cleanly, sends the same request for what the decision read, and passes", async () => {
    await fc.assert(
      fc.asyncProperty(space(), async (r: TestRequest) => {
        const decision = await engine.decide(r);
        const text = counterexampleTest(catalog, r, decision, { name: "counterexample", comments: ["generated"] });
        const back = compile({ "j.journey": JOURNEYS, "t.journey": text });
        expect(back.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const t = back.tests!.tests[0]!;
        expect(t.request.now).toBe(r.now);
        expect(t.request.consents).toEqual(r.consents);
        expect(t.request.objections).toEqual(r.objections);
        expect(t.request.history).toEqual(r.history);
        for (const path of decision.fields) {
          const [entity, field] = path.split(".") as [string, string];
          expect(t.request.context[entity]?.[field]).toEqual(r.context[entity]![field]);
        }
        const again = await engine.decide(t.request);
        // The same decision; only its id differs (the pasted request has the test's event id).
        expect({ ...again, decision_id: "" }).toEqual({ ...decision, decision_id: "" });
      }),
      { numRuns: 60 },
    );
  });
});
