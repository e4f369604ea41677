// The size and depth bounds of the parsing stage: the largest file, the deepest nesting (the
// parser's own bound, reported here) and the deepest expression tree. Together they keep every
// later stage that walks the tree recursively (checker, formatter, trace planning, codegen,
// interpreter) within the stack, whatever the input.
import type { IToken } from "chevrotain";
import { MAX_NESTING } from "../../../grammar/parser.ts";
import type { Diagnostic } from "../../../core/diagnostics.ts";
import type { SourceFile } from "../../../core/source.ts";
import * as A from "../ast.ts";
import type { LowerContext } from "./cst.ts";

/** Largest file the parser accepts; larger ones get one diagnostic instead of a slow parse. */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/**
 * Deepest expression tree lowering accepts, counting every operation: long operator chains
 * (`a and b and …`, `1 + 1 + …`) are flat for the parser but this deep for every stage that
 * walks the tree (checker, formatter, trace planning, codegen, interpreter). Together with
 * MAX_NESTING it is the one bound that keeps all of them within the stack: an expression past it
 * gets one `syntax/too-complex` diagnostic and is replaced by an error node.
 */
export const MAX_EXPRESSION_DEPTH = 500;

/** The one diagnostic of a file larger than MAX_SOURCE_BYTES. */
export function fileTooLargeDiagnostic(file: SourceFile): Diagnostic {
  return {
    code: "syntax/file-too-large",
    severity: "error",
    message: `file is ${(file.text.length / 1048576).toFixed(1)} MiB, larger than the ${MAX_SOURCE_BYTES / 1048576} MiB limit`,
    span: file.span(0, 0),
    hint: "split the journeys over several files",
  };
}

/** The one diagnostic of input nested deeper than MAX_NESTING, at the token that opens the level too many. */
export function tooDeepDiagnostic(file: SourceFile, t: IToken): Diagnostic {
  return {
    code: "syntax/too-deep",
    severity: "error",
    message: `expression nested more than ${MAX_NESTING} levels deep`,
    span: file.span(t.startOffset, (t.endOffset ?? t.startOffset) + 1),
    hint: "split it into named `condition`s",
  };
}

/** The one diagnostic of a syntax error in nesting too deep for the parser's error recovery. */
export function unrecoverableDiagnostic(file: SourceFile, u: { readonly token: IToken; readonly depth: number }): Diagnostic {
  const t = u.token;
  return {
    code: "syntax/too-complex",
    severity: "error",
    message: `a syntax error inside input nested ${u.depth} levels deep is too complex to recover from`,
    span: file.span(t.startOffset, (t.endOffset ?? t.startOffset) + 1),
    hint: "fix the syntax error (often an unclosed `(` or a missing operand) and split deep nesting into named `condition`s",
  };
}

/** Depth of an expression tree (a leaf is 1), without recursion; stops counting past `limit`. */
export function exprDepth(root: A.Expr, limit = Infinity): number {
  let max = 0;
  // A stack of (expression, depth) as two parallel arrays.
  const exprs: A.Expr[] = [root];
  const depths: number[] = [1];
  while (exprs.length > 0) {
    const e = exprs.pop()!;
    const d = depths.pop()!;
    if (d > max) {
      max = d;
      if (max > limit) return max;
    }
    const from = exprs.length;
    A.pushSubExpressions(e, exprs);
    for (let i = from; i < exprs.length; i++) depths.push(d + 1);
  }
  return max;
}

/**
 * A whole expression (a `when`, a condition, an argument, an interpolation, a property's
 * `assume`/`expect`) within MAX_EXPRESSION_DEPTH; past it, one diagnostic and an error node,
 * so no later stage walks a tree deeper than the bound.
 */
export function bounded(cx: LowerContext, e: A.Expr): A.Expr {
  const depth = exprDepth(e, MAX_EXPRESSION_DEPTH);
  if (depth <= MAX_EXPRESSION_DEPTH) return e;
  cx.report({
    code: "syntax/too-complex",
    severity: "error",
    message: `expression is more than ${MAX_EXPRESSION_DEPTH} operations deep`,
    span: e.span,
    hint: "split long chains of `and`, `or` or arithmetic into named `condition`s",
  });
  return { kind: "error", span: e.span };
}
