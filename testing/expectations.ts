// Running example tests: one decision per test, then each `expect` line compared with it.
// A mismatch says what was expected and what the decision actually was, in the test's words.
import type { CheckedTest, Expectation } from "../compiler/tests/model.ts";
import { parseDateTimeLiteral } from "../core/literals.ts";
import type { Decision } from "../runtime/decision.ts";
import type { Engine } from "../runtime/engine.ts";

export interface ExpectationFailure {
  readonly expectation: Expectation;
  readonly expected: string;
  readonly actual: string;
}

export interface TestResult {
  readonly test: CheckedTest;
  readonly passed: boolean;
  readonly failures: readonly ExpectationFailure[];
  readonly decision: Decision;
  readonly ms: number;
}

function params(p: Readonly<Record<string, string | number | boolean>>): string {
  const keys = Object.keys(p).sort();
  return keys.length ? `(${keys.map((k) => `${k}: ${JSON.stringify(p[k])}`).join(", ")})` : "";
}

function outcomeText(d: Decision): string {
  const who = d.journey ? `, won by \`${d.journey}\`` : d.outcome === "error" ? "" : ", no winner";
  const until = d.deferred_until ? ` until ${d.deferred_until}` : "";
  const why = d.outcome === "error" && d.error ? ` (${d.error.message})` : "";
  return `\`${d.outcome}\`${until}${who}${why}`;
}

/** undefined when the decision meets the expectation; else what was expected and what happened. */
export function checkExpectation(e: Expectation, d: Decision): Omit<ExpectationFailure, "expectation"> | undefined {
  switch (e.kind) {
    case "outcome": {
      const ok =
        d.outcome === e.outcome &&
        (e.journey === undefined || d.journey === e.journey) &&
        (e.until === undefined || (d.deferred_until !== undefined && parseDateTimeLiteral(d.deferred_until) === e.until.ms));
      if (ok) return undefined;
      const expected = `\`${e.outcome}\`${e.until ? ` until ${e.until.text}` : ""}${e.journey ? `, won by \`${e.journey}\`` : ""}`;
      return { expected, actual: outcomeText(d) };
    }
    case "candidate": {
      const ev = d.evaluations.find((x) => x.journey === e.journey);
      if (ev?.outcome === e.outcome) return undefined;
      const reasons = ev?.reasons?.filter((r) => r.code !== "condition_false").map((r) => r.message) ?? [];
      const actual = ev
        ? `\`${ev.outcome}\`${reasons.length ? ` (${reasons.join("; ")})` : ""}`
        : `not a candidate (the candidates were ${d.evaluations.map((x) => `\`${x.journey}\``).join(", ") || "none"})`;
      return { expected: `\`${e.journey}\` is \`${e.outcome}\``, actual: ev ? `\`${e.journey}\` is ${actual}` : `\`${e.journey}\` was ${actual}` };
    }
    case "basis":
      return d.basis === e.basis
        ? undefined
        : { expected: `basis \`${e.basis}\``, actual: d.basis ? `basis \`${d.basis}\`` : `no basis (outcome ${outcomeText(d)})` };
    case "action": {
      const a = d.action;
      const ok = a?.name === e.action && (e.params === undefined || Object.entries(e.params).every(([k, v]) => a.params[k] === v));
      if (ok) return undefined;
      return {
        expected: `action \`${e.action}${e.params ? params(e.params) : ""}\``,
        actual: a ? `action \`${a.name}${params(a.params)}\`` : `no action (outcome ${outcomeText(d)})`,
      };
    }
    case "channel":
      return d.action?.channel === e.channel
        ? undefined
        : { expected: `channel \`${e.channel}\``, actual: d.action ? `channel \`${d.action.channel}\`` : `no action (outcome ${outcomeText(d)})` };
    case "reason":
      return d.explanation === e.text
        ? undefined
        : { expected: JSON.stringify(e.text), actual: d.explanation === undefined ? `no reason (outcome ${outcomeText(d)})` : JSON.stringify(d.explanation) };
    case "wakeup": {
      const ws = d.wakeups ?? [];
      const hit = ws.find((w) => w.journey === e.journey && w.timer === e.timer.label && (e.at === undefined || parseDateTimeLiteral(w.at) === e.at.ms));
      if (hit) return undefined;
      return {
        expected: `wake-up \`${e.journey}\` after \`${e.timer.label}\`${e.at ? ` at ${e.at.text}` : ""}`,
        actual: ws.length ? `wake-ups ${ws.map((w) => `\`${w.journey}\` after \`${w.timer}\` at ${w.at}`).join(", ")}` : "no wake-ups",
      };
    }
  }
}

/** Decides a test's request and checks every expectation. */
export async function runTest(engine: Engine, test: CheckedTest): Promise<TestResult> {
  const start = performance.now();
  const decision = await engine.decide(test.request);
  const failures: ExpectationFailure[] = [];
  for (const e of test.expectations) {
    const f = checkExpectation(e, decision);
    if (f) failures.push({ expectation: e, ...f });
  }
  return { test, passed: failures.length === 0, failures, decision, ms: performance.now() - start };
}
