// The demo's simulated outcomes (cli/demo/outcomes.ts): a subject's arm is that of its first
// decision for a journey, the drawn rates are the model's (base for held-out subjects, base +
// uplift for treated ones), outcomes fall inside the journey's window, claims close when the
// system of record closes them, the draws do not depend on the order decisions came back in,
// and types the catalog does not know are never drawn (the service would refuse them).
import { describe, expect, it } from "vitest";
import { DAY_MS, generateBook, prng } from "../../cli/demo/book.ts";
import { armOf, DemoOutcomes, type JourneyTruth } from "../../cli/demo/outcomes.ts";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Decision, Outcome } from "../../runtime/decision.ts";
import type { OutcomeRecord } from "../../server/store/types.ts";

const START = Date.UTC(2026, 0, 5);
const customers = generateBook(50, START, prng(3));

/** The parts of a journey's meta the outcome model reads: its id and its goal's window. */
const journey = (id: string, windowDays?: number): JourneyMeta =>
  ({ id, ...(windowDays ? { goal: { type: "conversion", within: `${windowDays}d`, windowMs: windowDays * DAY_MS } } : {}) }) as JourneyMeta;

let seq = 0;
function decision(journeyId: string, outcome: Outcome, reason?: string): Decision {
  return {
    decision_id: `d_${++seq}`,
    outcome,
    journey: journeyId,
    fields: [],
    evaluations: [{ journey: journeyId, outcome, purpose: "p", priority: 1, trace: [], ...(reason ? { reasons: [{ code: reason, message: "" }] } : {}) }],
    artifact: "a",
  };
}

const TRUTH: readonly JourneyTruth[] = [
  {
    journey: "j",
    kind: "positive",
    story: "",
    effects: [
      { type: "conversion", base: 0.2, uplift: 0.3, days: 10, value: () => 12.5 },
      { type: "secret", base: 1, uplift: 0, days: 10 },
    ],
  },
  { journey: "claims", kind: "zero", story: "", drawnAt: "claim", effects: [{ type: "claim_closed", base: 1, uplift: 0, days: 14 }] },
];
const TYPES = new Set(["conversion", "complaint", "claim_closed"]);

function world(seed = 1): DemoOutcomes {
  return new DemoOutcomes({ seed, journeys: [journey("j", 14), journey("claims", 14)], types: TYPES, customers, truth: TRUTH });
}

describe("the arm of a decision", () => {
  it("is treated when the winner acted, was deferred or waits for a review; held out by its own holdout or the global control group", () => {
    expect(armOf(decision("j", "acted"))).toBe("treated");
    expect(armOf(decision("j", "deferred"))).toBe("treated");
    expect(armOf(decision("j", "pending_review"))).toBe("treated");
    expect(armOf(decision("j", "held_out", "held_out"))).toBe("holdout");
    expect(armOf(decision("j", "held_out", "global_control"))).toBe("global_control");
    expect(armOf(decision("j", "capped"))).toBeUndefined();
    expect(armOf(decision("j", "no_match"))).toBeUndefined();
  });
});

describe("the simulated outcomes", () => {
  it("draw the base rate for held-out subjects and base + uplift for treated ones", () => {
    const w = world();
    const n = 4000;
    for (let i = 0; i < n; i++) {
      w.observe(decision("j", "acted"), `t-${i}`, START);
      w.observe(decision("j", "held_out", "held_out"), `h-${i}`, START);
    }
    const all = w.due(Infinity);
    const rate = (prefix: string) => all.filter((o) => o.type === "conversion" && o.subject.startsWith(prefix)).length / n;
    // 4,000 draws: the standard error is under 0.8 points; 3 points is ~4 of them.
    expect(Math.abs(rate("t-") - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(rate("h-") - 0.2)).toBeLessThan(0.03);
    expect(w.arms.get("j")).toEqual({ treated: n, holdout: n, global_control: 0 });
  });

  it("count only a subject's first decision for a journey, within the journey's window, with the model's value", () => {
    const w = world();
    const at = START + 5 * 3_600_000;
    const subject = customers[0]!.id;
    w.observe(decision("j", "held_out", "held_out"), subject, at);
    w.observe(decision("j", "acted"), subject, at + DAY_MS); // the same subject again: no new draw, no new arm
    expect(w.arms.get("j")).toEqual({ treated: 0, holdout: 1, global_control: 0 });
    for (let i = 1; i < 40; i++) w.observe(decision("j", "acted"), customers[i]!.id, at);
    const all = w.due(Infinity);
    expect(all.length).toBeGreaterThan(0);
    for (const o of all) {
      const t = Date.parse(o.at);
      expect(t).toBeGreaterThanOrEqual(at);
      expect(t).toBeLessThan(at + 10 * DAY_MS);
      expect(o.value).toBe(12.5);
      expect(o.id).toMatch(/^oc-[0-9a-f]{24}$/);
    }
    expect(all.filter((o) => o.subject === subject).length).toBeLessThanOrEqual(1);
  });

  it("never draws a type the catalog does not know", () => {
    const w = world();
    for (let i = 0; i < 50; i++) w.observe(decision("j", "acted"), `s-${i}`, START);
    expect(w.due(Infinity).some((o) => o.type === "secret")).toBe(false);
    expect(w.trueUplifts().map((t) => t.type)).toEqual(["conversion", "claim_closed"]);
  });

  it("close a claim when the system of record closes it, whatever the journeys decide", () => {
    const w = world();
    const claim = { filedAt: START, assessingAt: START + 2 * DAY_MS, closedAt: START + 6 * DAY_MS, closedAs: "paid", diagnosis: "theft" };
    w.claimFiled("c-00001", "cl-1", claim);
    w.observe(decision("claims", "acted"), "c-00001", START + 3 * DAY_MS);
    const all = w.due(Infinity);
    expect(all).toEqual([expect.objectContaining({ subject: "c-00001", type: "claim_closed", at: "2026-01-11T00:00:00Z" })]);
  });

  it("are the same for a seed whatever order the decisions came back in, and differ for another seed", () => {
    const ids = customers.map((c) => c.id);
    const run = (order: readonly string[], seed: number): OutcomeRecord[] => {
      const w = world(seed);
      for (const s of order) w.observe(decision("j", s < "c-00020" ? "held_out" : "acted", "held_out"), s, START);
      return w.due(Infinity);
    };
    const forward = run(ids, 1);
    expect(run([...ids].reverse(), 1)).toEqual(forward);
    expect(run(ids, 2)).not.toEqual(forward);
  });

  it("come due in time order and leave the queue once taken", () => {
    const w = world();
    for (let i = 0; i < 30; i++) w.observe(decision("j", "acted"), `s-${i}`, START);
    const total = w.waiting;
    expect(w.due(START)).toEqual([]); // nothing happens before the decision
    const first = w.due(START + 3 * DAY_MS);
    expect(first.length).toBeGreaterThan(0);
    expect(w.due(START + 3 * DAY_MS)).toEqual([]); // taken once
    const rest = w.due(Infinity);
    expect(first.length + rest.length).toBe(total);
    expect(w.waiting).toBe(0);
    for (const o of first) expect(Date.parse(o.at)).toBeLessThan(START + 3 * DAY_MS);
    // Nothing that was due is left behind.
    for (const o of rest) expect(Date.parse(o.at)).toBeGreaterThanOrEqual(START + 3 * DAY_MS);
    const times = rest.map((o) => o.at);
    expect(times).toEqual([...times].sort());
  });
});
