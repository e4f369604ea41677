// Trace node texts and generated code stay linear in the policy text when sub-expressions
// nest (issue 10, defect 2, same class: every node's text holds its sub-expressions' texts and
// every nesting level indented its lines once more, so a 700 KB `when` 250 levels deep around
// a long list made 200 MB of predicates). A node's text is cut at MAX_NODE_TEXT characters and
// indentation stops growing; both are asserted by size, not time.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as A from "../../compiler/syntax/ast.ts";
import { emitPredicates } from "../../compiler/codegen/index.ts";
import { parseJourneyFile } from "../../compiler/syntax/lower.ts";
import { printExpr, printExprBounded } from "../../compiler/syntax/print-expr.ts";
import { SourceFile } from "../../core/source.ts";
import { MAX_NODE_TEXT, planJourney } from "../../compiler/plan/trace-nodes.ts";
import { expression } from "../formatter/journey-arbitrary.ts";
import { compile, compileExample } from "./helpers.ts";

const CATALOG = `version: 1
entities:
  account:
    key: id
    fields:
      id: { type: string }
      n:  { type: int }
events:
  daily: { binds: [account], schedule: true }
purposes:
  service: { bases: [contract], channels: [email] }
actions:
  email: { channel: email, params: { template: string } }
`;

/** `account.n in [0, …, items-1] and account.n != 0 and … ` with `depth` comparisons after the list. */
function deepAroundList(depth: number, items: number): string {
  const list = `account.n in [${Array.from({ length: items }, (_, i) => i).join(", ")}]`;
  const when = [list, ...Array.from({ length: depth }, (_, i) => `account.n != ${i}`)].join(" and ");
  return `journey j {\n  purpose service\n  on daily\n  when ${when}\n  do email(template: "t")\n}\n`;
}

function whenOf(text: string): A.Expr {
  const r = parseJourneyFile(new SourceFile("x.journey", `journey j {\n  when ${text}\n}\n`));
  const decl = r.value.decls[0] as A.JourneyDecl;
  const when = decl.clauses.find((c) => c.kind === "when") as Extract<A.Clause, { kind: "when" }>;
  return when.expr;
}

describe("trace node texts", () => {
  it("are the canonical text, or its first characters and `…` past the bound", () => {
    fc.assert(
      fc.property(expression(4), fc.integer({ min: 1, max: 80 }), (g, max) => {
        const e = whenOf(g.tokens.join(" "));
        const full = printExpr(e);
        const cut = printExprBounded(e, max);
        if (full.length <= max) expect(cut).toBe(full);
        else {
          expect(cut.endsWith("…")).toBe(true);
          expect(cut.length).toBeLessThanOrEqual(max);
          expect(cut.length).toBeGreaterThanOrEqual(max - 1);
          expect(full.startsWith(cut.slice(0, -1))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("are unchanged for the example policies (all shorter than the bound)", () => {
    const r = compileExample();
    for (const j of r.program.journeys) {
      for (const n of planJourney(r.program, j, r.sources).nodes) expect(n.text.length).toBeLessThan(MAX_NODE_TEXT);
    }
  });

  it("and the generated code do not grow with the size of a nested expression times its depth", () => {
    const size = (depth: number, items: number) => {
      const r = compile({ "k.journey": deepAroundList(depth, items) }, CATALOG);
      const nodes = planJourney(r.program, r.program.journeys[0]!, r.sources).nodes;
      const out = emitPredicates(r.program, r.sources);
      return {
        text: nodes.reduce((n, x) => n + x.text.length, 0),
        longest: Math.max(...nodes.map((x) => x.text.length)),
        js: out.js.length,
        ts: out.ts.length,
      };
    };
    // 100 more levels around the list cost the same whether the list is short or ten times
    // longer: each level used to carry the list's text (and indent its lines once more).
    const growth = (items: number) => {
      const shallow = size(100, items);
      const deep = size(200, items);
      expect(deep.longest).toBeLessThanOrEqual(MAX_NODE_TEXT);
      return { text: deep.text - shallow.text, js: deep.js - shallow.js, ts: deep.ts - shallow.ts };
    };
    const short = growth(2_000);
    const long = growth(20_000);
    expect(long.text / short.text).toBeLessThan(1.2);
    expect(long.js / short.js).toBeLessThan(1.2);
    expect(long.ts / short.ts).toBeLessThan(1.2);
  });
});
