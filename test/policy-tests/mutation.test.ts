// Mutation check of the example policy set's own tests: every int literal of every `when` (and
// of the named conditions journeys use) is moved by ±1, and every comparison operator is
// replaced by its neighbours; each mutant is recompiled in memory and the `test` blocks run
// against it. A mutant no test notices means the tests do not pin that number or comparison.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import * as A from "../../compiler/syntax/ast.ts";
import { checkSources, type PolicySources } from "../../compiler/pipeline.ts";
import { parseJourneyFile } from "../../compiler/syntax/lower.ts";
import { readPolicyDir } from "../../compiler/node/policy-dir.ts";
import { SourceFile } from "../../core/source.ts";
import type { PolicyEvaluator } from "../../runtime/policy.ts";
import { runTest } from "../../testing/expectations.ts";
import { engineFor, loadPolicies } from "../../testing/harness.ts";

const DIR = fileURLToPath(new URL("../../policies", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const original = readPolicyDir(DIR).sources!;

/** `<` `<=` `==` `>=` `>` in order: a neighbour is the next one either side; `==` and `!=` swap. */
const NEIGHBOURS: Record<A.ComparisonOp, readonly A.ComparisonOp[]> = {
  "<": ["<="],
  "<=": ["<", "=="],
  "==": ["<=", ">=", "!="],
  ">=": ["==", ">"],
  ">": [">="],
  "!=": ["=="],
};
const COMPARISONS = new Set<string>(Object.keys(NEIGHBOURS));

interface Mutant {
  readonly label: string;
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/** Every mutant of the `when` clauses and named conditions of the example journeys. */
function mutants(): Mutant[] {
  const out: Mutant[] = [];
  for (const j of original.journeys) {
    const sf = new SourceFile(j.name, j.text);
    const file = parseJourneyFile(sf).value;
    const exprs: { owner: string; expr: A.Expr }[] = [];
    for (const d of file.decls) {
      if (d.kind === "condition") exprs.push({ owner: `condition ${d.name.name}`, expr: d.body });
      else for (const c of d.clauses) if (c.kind === "when") exprs.push({ owner: d.name.name, expr: c.expr });
    }
    for (const { owner, expr } of exprs) {
      A.walkExpr(expr, (e) => {
        const line = sf.position(e.span.start).line;
        if (e.kind === "int") {
          for (const delta of [-1, 1]) {
            out.push({
              label: `${j.name}:${line} ${owner}: ${e.value} → ${e.value + delta}`,
              file: j.name,
              start: e.span.start,
              end: e.span.end,
              replacement: String(e.value + delta),
            });
          }
        } else if (e.kind === "binary" && COMPARISONS.has(e.op)) {
          for (const op of NEIGHBOURS[e.op as A.ComparisonOp]) {
            out.push({
              label: `${j.name}:${line} ${owner}: \`${sf.slice(e.span)}\` with ${op}`,
              file: j.name,
              start: e.opSpan.start,
              end: e.opSpan.end,
              replacement: op,
            });
          }
        }
      });
    }
  }
  return out;
}

function mutate(m: Mutant): PolicySources {
  return {
    ...original,
    journeys: original.journeys.map((j) => (j.name === m.file ? { name: j.name, text: j.text.slice(0, m.start) + m.replacement + j.text.slice(m.end) } : j)),
  };
}

/** Runs the policy set's tests against a (possibly mutated) source set; names of failing tests. */
async function failingTests(sources: PolicySources, policy: PolicyEvaluator): Promise<{ compiled: boolean; failing: string[]; total: number }> {
  const checked = checkSources(sources);
  if (!checked.program || !checked.tests) return { compiled: false, failing: [], total: 0 };
  const engine = await engineFor(checked.program, checked.sources, policy, { path: "interpreted" });
  const failing: string[] = [];
  for (const t of checked.tests.tests) if (!(await runTest(engine, t)).passed) failing.push(t.name);
  return { compiled: true, failing, total: checked.tests.tests.length };
}

const ALL = mutants();
// Mutants that do not type-check (`<=` on an enum) are not programs anyone could run.
const RUNNABLE = ALL.filter((m) => checkSources(mutate(m)).program !== undefined);
let policy: PolicyEvaluator;

beforeAll(async () => {
  const checked = checkSources(original);
  if (!checked.program) throw new Error("the example policy set does not compile");
  policy = (await loadPolicies(checked.program.catalog, original, DIR)).policy;
});

describe("the example policy set's tests", () => {
  test("all pass on the unmutated policy set, and there are mutants to check", async () => {
    const r = await failingTests(original, policy);
    expect(r.compiled).toBe(true);
    expect(r.failing).toEqual([]);
    expect(r.total).toBeGreaterThan(20);
    expect(ALL.length).toBeGreaterThan(30);
  });

  test.each(RUNNABLE.map((m) => [m.label, m] as const))("notice %s", async (_label, m) => {
    const r = await failingTests(mutate(m), policy);
    expect(r.compiled).toBe(true);
    expect(r.failing.length, `no test fails when ${m.label}`).toBeGreaterThan(0);
  });

  test("most mutants compile, so the check is not vacuous", () => {
    expect(RUNNABLE.length).toBeGreaterThanOrEqual(Math.ceil(ALL.length * 0.7));
  });
});

// A guard that the harness really reads the policies directory the CLI reads.
test("mutants are taken from policies/journeys", () => {
  expect(original.journeys.length).toBeGreaterThan(0);
  for (const j of original.journeys) expect(readFileSync(`${ROOT}/${j.name}`, "utf8")).toBe(j.text);
});
