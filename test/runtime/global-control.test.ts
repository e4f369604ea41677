// The catalog's global control group (docs/runtime.md#global-control-group): after arbitration
// and before the winner's own holdout, a subject whose bucket — the holdout formula with the
// journey id `global` and the group's salt, recomputed here with node:crypto — is below
// `percent × 100` gets no action: the winner is `held_out` with the reason `global_control`.
// Without the setting every decision is as before.
import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import type { Catalog } from "../../core/catalog/types.ts";
import { decisionJson } from "../../runtime/engine.ts";
import { checkGlobalControl } from "../../runtime/guardrails.ts";
import { catalog, engine, journey, request } from "./fixtures.ts";

/** The spec's bucket formula, written out independently of runtime/guardrails.ts. */
const bucketOf = (journeyId: string, salt: string, subject: string): number =>
  parseInt(createHash("sha256").update(`${journeyId}:${salt}:${subject}`, "utf8").digest("hex").slice(0, 8), 16) % 10000;

const GROUP = { percent: 5, salt: "2026" };
const withGroup = (group: { percent: number; salt: string } = GROUP): Catalog => ({
  ...catalog,
  value: { currency: "EUR", costs: new Map(), outcomes: new Map(), controlGroup: group, loc: { start: 0, end: 0 } },
});

/** The first subjects `c-0`, `c-1`, … whose global bucket is (in) or is not (out) below the group's threshold. */
function subjects(inGroup: boolean, count: number, group = GROUP): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const s = `c-${i}`;
    if (bucketOf("global", group.salt, s) < group.percent * 100 === inGroup) out.push(s);
  }
  return out;
}

describe("the global control group", () => {
  test("holds out the winner for subjects in the group, with the bucket and threshold", async () => {
    const e = engine([journey({ id: "hi", priority: 9 }), journey({ id: "lo", priority: 1 })], undefined, withGroup());
    for (const s of subjects(true, 3)) {
      const d = await e.decide(request({ subject: s }));
      expect(d).toMatchObject({ outcome: "held_out", journey: "hi" });
      expect(d.action).toBeUndefined();
      const hiEval = d.evaluations.find((x) => x.journey === "hi")!;
      // The screening's reasons first (the fixture policy's), then the guardrail's.
      expect(hiEval.reasons?.slice(1)).toEqual([
        {
          code: "global_control",
          message: `bucket ${bucketOf("global", "2026", s)} is below 500: the subject is in the global control group (5%)`,
          bucket: bucketOf("global", "2026", s),
          threshold: 500,
        },
      ]);
      // Arbitration ran first: the loser lost to the winner, as without the group.
      expect(d.evaluations.find((x) => x.journey === "lo")?.reasons?.map((r) => r.code)).toEqual(["asserted_by_controller", "lost_arbitration"]);
    }
  });

  test("leaves every other subject's decision byte for byte as without the setting", async () => {
    const journeys = [journey({ id: "hi", priority: 9 }), journey({ id: "lo", priority: 1 })];
    const grouped = engine(journeys, undefined, withGroup());
    const plain = engine(journeys);
    for (const s of subjects(false, 5)) {
      const r = request({ subject: s });
      const d = await grouped.decide(r);
      expect(d.outcome).toBe("acted");
      expect(decisionJson(d)).toBe(decisionJson(await plain.decide(r)));
    }
  });

  test("comes before the journey's own holdout: a subject in both is held out by the group", async () => {
    const e = engine([journey({ id: "j", holdout: { percent: 100, salt: "" } })], undefined, withGroup());
    const [inside] = subjects(true, 1);
    const [outside] = subjects(false, 1);
    const codes = async (subject: string | undefined) => (await e.decide(request({ subject }))).evaluations[0]!.reasons?.map((r) => r.code);
    expect(await codes(inside)).toEqual(["asserted_by_controller", "global_control"]);
    expect(await codes(outside)).toEqual(["asserted_by_controller", "held_out"]);
  });

  test("a capped journey stays capped: the group applies to the winner only", async () => {
    const cap = { count: 1, windowMs: 30 * 86_400_000, window: "30d" };
    const e = engine([journey({ id: "j", cap })], undefined, withGroup());
    const [inside] = subjects(true, 1);
    const d = await e.decide(request({ subject: inside, history: [{ journey: "j", at: "2026-05-20T00:00:00Z" }] }));
    expect(d.outcome).toBe("capped");
  });

  test("uses the journey id `global` and rounds P × 100 like the holdout", () => {
    const s = "subject-42";
    expect(checkGlobalControl({ percent: 1.1, salt: "x" }, s)).toEqual({
      heldOut: bucketOf("global", "x", s) < 110,
      bucket: bucketOf("global", "x", s),
      threshold: 110,
    });
    // Over many subjects the share in the group is close to the percent.
    let held = 0;
    for (let i = 0; i < 20_000; i++) if (checkGlobalControl(GROUP, `s-${i}`).heldOut) held++;
    expect(held / 20_000).toBeGreaterThan(0.045);
    expect(held / 20_000).toBeLessThan(0.055);
  });
});
