// The diff summarizer (runtime/diff.ts): a decision's digest as the engine's own decisions give
// it, the summary of pairs of digests (transitions per journey, reach, denials, examples), its
// renderings, and the `--fail-on` gate. The CLI's end-to-end output is held by test/cli/diff.test.ts.
import { describe, expect, test } from "vitest";
import {
  breachesOf,
  type DecisionDigest,
  type DiffRow,
  digestOf,
  DiffSummarizer,
  parseFailOn,
  renderDiff,
  sameDigest,
  summarizeDiff,
} from "../../runtime/diff.ts";
import { engine, FakePolicy, journey, request } from "./fixtures.ts";

const acted = (journey: string, rationale?: string): DecisionDigest => ({
  outcome: "acted",
  journey,
  action: "email@email",
  denials: [],
  ...(rationale ? { rationale } : {}),
});
const noMatch: DecisionDigest = { outcome: "no_match", denials: [] };
const row = (subject: string, old: DecisionDigest, neu: DecisionDigest, n = 0): DiffRow => ({
  subject,
  decision_id: `d-${subject}-${n}`,
  at: `2026-05-30T12:00:0${n}Z`,
  old,
  new: neu,
});

describe("digestOf", () => {
  test("keeps the outcome, the winner, its action and its sentence", async () => {
    const hi = journey({ id: "hi", priority: 9, reason: () => "Because you asked." });
    const d = await engine([hi]).decide(request());
    expect(digestOf(d)).toEqual({
      outcome: "acted",
      journey: "hi",
      action: 'email(template: "t")@email',
      denials: [],
      rationale: "Because you asked.",
      evaluations: { hi: "acted" },
    });
  });

  test("lists consent and residency denials as journey:code, sorted, and names no winner when none won", async () => {
    const a = journey({ id: "b_res", priority: 9 });
    const b = journey({ id: "a_con", priority: 5 });
    const d = await engine([a, b], new FakePolicy({ b_res: "residency", a_con: "consent" })).decide(request());
    const g = digestOf(d);
    expect(g.outcome).toBe(d.outcome);
    expect(g.journey).toBeUndefined();
    expect(g.denials).toEqual(["a_con:denied_consent", "b_res:denied_residency"]);
    expect(g.evaluations).toEqual({ a_con: "denied_consent", b_res: "denied_residency" });
    // The rationale is the reason of the evaluation whose outcome the decision took, not a lawful basis's.
    expect(g.rationale).toBe(d.evaluations[0]?.reasons?.find((r) => r["basis"] === undefined)?.message ?? d.evaluations[0]?.reasons?.[0]?.message);
    expect(g.rationale).toBeDefined();
  });

  test("gives no rationale to a decision no journey matched", async () => {
    const never = journey({ id: "never", when: (_c, t) => t(0, false) as boolean });
    const d = await engine([never]).decide(request());
    expect(d.outcome).toBe("no_match");
    expect(digestOf(d).rationale).toBeUndefined();
  });

  test("two decisions of the same request by the same engine have the same digest", async () => {
    const e = engine([journey({ id: "hi" })]);
    expect(sameDigest(digestOf(await e.decide(request())), digestOf(await e.decide(request())))).toBe(true);
  });
});

describe("summarizeDiff", () => {
  const rows: DiffRow[] = [
    row("s1", acted("renew", "Renews in 90 days."), noMatch, 1),
    row("s2", acted("renew", "Renews in 90 days."), noMatch, 2),
    row("s3", noMatch, acted("renew", "Renews in 60 days."), 3),
    row("s4", acted("renew", "Renews in 90 days."), acted("renew", "Renews in 60 days."), 4),
    row("s5", noMatch, noMatch, 5),
    row("s1", noMatch, acted("renew"), 6),
    row("s6", { outcome: "no_match", denials: ["renew:denied_consent"] }, { outcome: "no_match", denials: ["renew:denied_residency"] }, 7),
  ];
  const report = summarizeDiff(rows, { examples: 1 });

  test("counts what changed, per outcome and per journey transition, most frequent first", () => {
    expect(report.compared).toBe(7);
    expect(report.changed).toBe(6);
    expect(report.subjects).toBe(6);
    expect(report.outcomes).toEqual([
      { outcome: "acted", old: 3, new: 3 },
      { outcome: "no_match", old: 4, new: 4 },
    ]);
    expect(report.transitions.map((t) => [t.journey, t.kind, t.from, t.to, t.count])).toEqual([
      ["renew", "outcome", "acted", "no_match", 2],
      ["renew", "outcome", "no_match", "acted", 2],
      ["(none)", "denials", "no_match", "no_match", 1],
      ["renew", "rationale", "acted", "acted", 1],
    ]);
    // One example kept per transition, the first seen, with both rationales.
    expect(report.transitions[0]?.examples).toEqual([{ subject: "s1", decision_id: "d-s1-1", at: "2026-05-30T12:00:01Z", old: "Renews in 90 days." }]);
  });

  test("a subject acted on under NEW in some request is not newly reached when OLD reached it in another", () => {
    // s1 was reached by OLD (row 1) and by NEW (row 6): neither reached nor dropped. s2 dropped, s3 reached.
    expect(report.reach[0]).toEqual({ journey: "(any)", reached: 1, dropped: 1 });
    expect(report.reached_examples).toEqual(["s3"]);
    expect(report.dropped_examples).toEqual(["s2"]);
  });

  test("counts denials added and removed per journey and code", () => {
    expect(report.denials).toEqual([
      { journey: "renew", code: "denied_consent", added: 0, removed: 1 },
      { journey: "renew", code: "denied_residency", added: 1, removed: 0 },
    ]);
  });

  test("streams: adding rows one at a time gives the same report", () => {
    const s = new DiffSummarizer({ examples: 1 });
    for (const r of rows) s.add(r);
    expect(s.report()).toEqual(report);
  });

  test("renders text, Markdown and JSON with the transitions and their examples", () => {
    const text = renderDiff(report, "text");
    expect(text).toContain("changed: 6 of 7 decisions (85.7%)");
    expect(text).toContain("  renew: acted → no_match: 2\n    s1 at 2026-05-30T12:00:01Z");
    expect(text).toContain("old: Renews in 90 days.\n      new: —");
    expect(renderDiff(report, "md")).toContain("| renew | acted | no_match | 2 |");
    expect(JSON.parse(renderDiff(report, "json"))).toEqual(report);
  });
});

describe("transitions per journey", () => {
  test("count each journey whose own outcome changed, with the decision's rationale as the example", () => {
    const old: DecisionDigest = { ...acted("lo", "Low."), evaluations: { hi: "no_match", lo: "acted" } };
    const neu: DecisionDigest = { ...acted("hi", "High."), evaluations: { hi: "acted", lo: "suppressed", added: "no_match" } };
    const report = summarizeDiff([row("s1", old, neu)]);
    expect(report.changed).toBe(1);
    expect(report.transitions.map((t) => [t.journey, t.from, t.to, t.count])).toEqual([
      ["added", "not_evaluated", "no_match", 1],
      ["hi", "no_match", "acted", 1],
      ["lo", "acted", "suppressed", 1],
    ]);
    expect(report.transitions[1]?.examples[0]).toMatchObject({ old: "Low.", new: "High." });
  });

  test("a decision whose journeys all kept their outcome changed its action or its sentence", () => {
    const e = { evaluations: { hi: "acted" } };
    const report = summarizeDiff([
      row("s1", { ...acted("hi", "A."), ...e }, { ...acted("hi", "B."), ...e }),
      row("s2", { ...acted("hi"), ...e }, { ...acted("hi"), action: "sms@sms", ...e }),
    ]);
    expect(report.transitions.map((t) => [t.journey, t.kind, t.from, t.to])).toEqual([
      ["hi", "action", "acted email@email", "acted sms@sms"],
      ["hi", "rationale", "acted", "acted"],
    ]);
  });
});

describe("--fail-on", () => {
  const rows = [
    ...Array.from({ length: 10 }, (_, i) => row(`a${i}`, acted("renew"), acted("renew"), i)),
    row("b", noMatch, acted("renew")),
    row("c", noMatch, acted("renew")),
  ];
  const report = summarizeDiff(rows);
  const gate = (spec: string) => {
    const p = parseFailOn(spec);
    if ("error" in p) throw new Error(p.error);
    return breachesOf(report, p.rules).map((b) => b.rule);
  };

  test("breaches only when the move exceeds the amount, absolute or relative to OLD", () => {
    // acted 10 → 12: +2, +20%.
    expect(gate("acted+10%")).toEqual(["acted+10%"]);
    expect(gate("acted+20%")).toEqual([]);
    expect(gate("acted+1,acted+2")).toEqual(["acted+1"]);
    expect(gate("acted-5%,no_match-1")).toEqual(["no_match-1"]);
    expect(gate("reached+1,dropped+0,changed+10%")).toEqual(["reached+1", "changed+10%"]);
  });

  test("says what is wrong with a rule and how to write it", () => {
    expect(parseFailOn("acted*10")).toEqual({ error: expect.stringContaining("write METRIC+N, METRIC-N") });
    expect(parseFailOn("actd+10")).toEqual({ error: expect.stringContaining("unknown metric `actd`") });
    expect(parseFailOn("reached-1")).toEqual({ error: expect.stringContaining("only grows") });
    expect(parseFailOn("acted+1,,")).toEqual({ error: expect.stringContaining("empty rule") });
  });

  test("explains a breach with the counts", () => {
    const p = parseFailOn("acted+10%");
    if ("error" in p) throw new Error(p.error);
    expect(breachesOf(report, p.rules)[0]?.message).toBe("`acted` decisions grew by 2 (20.0% of 10) from 10 to 12: more than `acted+10%` allows");
  });
});
