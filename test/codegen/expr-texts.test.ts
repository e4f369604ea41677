// ExprTexts (compiler/syntax/print-expr.ts), the memoized printer planJourney uses for trace
// node texts, against the reference it replaces: `printExprBounded` of each sub-expression on
// its own. Every sub-expression of arbitrary expressions, in planJourney's order (parents
// first, one ExprTexts for the whole tree), with and without the author's parentheses (without
// them, the printer adds its own, and a quantifier's text depends on what follows it).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as A from "../../compiler/syntax/ast.ts";
import { subExpressions, walkExpr } from "../../compiler/syntax/ast.ts";
import { parseJourneyFile } from "../../compiler/syntax/lower.ts";
import { ExprTexts, printExprBounded } from "../../compiler/syntax/print-expr.ts";
import { SourceFile } from "../../core/source.ts";
import { expression } from "../formatter/journey-arbitrary.ts";

function whenOf(text: string): A.Expr {
  const r = parseJourneyFile(new SourceFile("x.journey", `journey j {\n  when ${text}\n}\n`));
  const decl = r.value.decls[0] as A.JourneyDecl;
  const when = decl.clauses.find((c) => c.kind === "when") as Extract<A.Clause, { kind: "when" }>;
  return when.expr;
}

/** The same tree without `paren` nodes, as a hand-built AST would be. */
function dropParens(e: A.Expr): A.Expr {
  switch (e.kind) {
    case "paren":
      return dropParens(e.inner);
    case "binary":
      return { ...e, left: dropParens(e.left), right: dropParens(e.right) };
    case "unary":
    case "is_set":
      return { ...e, operand: dropParens(e.operand) };
    case "call":
      return { ...e, args: e.args.map(dropParens) };
    case "list":
      return { ...e, items: e.items.map(dropParens) };
    case "quantifier":
      return { ...e, list: dropParens(e.list), body: dropParens(e.body) };
    default:
      return e;
  }
}

function check(root: A.Expr, max: number): void {
  const texts = new ExprTexts();
  walkExpr(root, (e) => expect(texts.bounded(e, max)).toBe(printExprBounded(e, max)));
}

describe("ExprTexts", () => {
  it("gives printExprBounded's text for every sub-expression", () => {
    fc.assert(
      fc.property(expression(4), fc.integer({ min: 1, max: 120 }), fc.boolean(), (g, max, bare) => {
        const e = whenOf(g.tokens.join(" "));
        check(bare ? dropParens(e) : e, max);
      }),
      { numRuns: 400 },
    );
  });

  it("parenthesizes a quantifier by where it stands, whichever place printed it first", () => {
    const e = dropParens(whenOf("(count x in customer.items: x.n > 1) >= 2 and not (any y in l: y) and (all z in m: z)"));
    check(e, 500);
    // Children first, then their parents: the memo holds texts printed at the right edge.
    const texts = new ExprTexts();
    const post: A.Expr[] = [];
    const visit = (x: A.Expr): void => {
      for (const k of subExpressions(x)) visit(k);
      post.push(x);
    };
    visit(e);
    for (const x of post) expect(texts.bounded(x, 500)).toBe(printExprBounded(x, 500));
    expect(texts.bounded(e, 500)).toBe("(count x in customer.items: x.n > 1) >= 2 and not (any y in l: y) and all z in m: z");
  });
});
