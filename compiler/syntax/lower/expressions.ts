// Expressions: CST → AST for the expression grammar (or, and, not, comparisons, `in`, `is set`,
// arithmetic, unary minus, literals, lists, parentheses, quantifiers, calls and paths), and
// `parseExpression`, which parses one standalone expression (reason interpolations, tools).
// Lowering is tolerant: a part the parser could not recover becomes an error node with the best
// span at hand, so the checker still sees the rest.
import { lex } from "../../../grammar/lexer.ts";
import { parseTokens } from "../../../grammar/parser.ts";
import type {
  AdditiveCstNode,
  AndExprCstNode,
  ComparisonCstNode,
  ExpressionCstNode,
  MultiplicativeCstNode,
  NotExprCstNode,
  OrExprCstNode,
  PrimaryCstNode,
  UnaryCstNode,
} from "../../../grammar/cst.generated.ts";
import type { IToken } from "chevrotain";
import type { Diagnostic, StageResult } from "../../../core/diagnostics.ts";
import { joinSpans, type SourceFile } from "../../../core/source.ts";
import type * as A from "../ast.ts";
import { LowerContext, NO_TOKENS, node, nodes, tok, toks, type Fallback } from "./cst.ts";
import { bounded, tooDeepDiagnostic, unrecoverableDiagnostic } from "./limits.ts";
import { literal } from "./literals.ts";
import { syntaxDiagnostic } from "./syntax-errors.ts";
import { printExprBounded } from "../print-expr.ts";
import { mapped } from "../../../core/arrays.ts";

/** The grammar levels between `expression` and `primary`, lowered by `binaryChain`. */
type ChainNode = OrExprCstNode | AndExprCstNode | NotExprCstNode | AdditiveCstNode | MultiplicativeCstNode | UnaryCstNode;

/** Parses a standalone expression (used by reason templates and tools such as the playground). */
export function parseExpression(file: SourceFile, text: string, base: number): StageResult<A.Expr> {
  const lexed = lex(file, text, base);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const whole = file.span(base, base + text.length);
  const { cst, errors, tooDeep, unrecoverable } = parseTokens(lexed.tokens, "expression");
  if (tooDeep) return { value: { kind: "error", span: whole }, diagnostics: [...diagnostics, tooDeepDiagnostic(file, tooDeep)] };
  if (unrecoverable) return { value: { kind: "error", span: whole }, diagnostics: [...diagnostics, unrecoverableDiagnostic(file, unrecoverable)] };
  diagnostics.push(...errors.map((e) => syntaxDiagnostic(file, e, base + text.length)));
  const cx = new LowerContext(file, diagnostics);
  const expr = bounded(cx, lowerExpression(cx, cst, whole));
  return { value: expr, diagnostics };
}

/** An `expression` node; `fallback` is the span for parts without a location. Not depth-checked: callers wrap a whole expression in `bounded`. */
export function lowerExpression(cx: LowerContext, n: ExpressionCstNode, fallback: Fallback): A.Expr {
  const inner = node(n, "orExpr");
  if (!inner) return { kind: "error", span: cx.nspan(n, fallback) };
  return binaryChain(cx, inner, fallback);
}

/** The operands of a chain, lowered; just the expression when there is one (the chain is that operand). */
function operands(cx: LowerContext, n: OrExprCstNode | AndExprCstNode | AdditiveCstNode | MultiplicativeCstNode, fallback: Fallback): A.Expr[] | A.Expr {
  const ns: readonly ChainNode[] = nodes(n, "operand");
  // Most chains are a single operand (each expression passes through four chain levels).
  if (ns.length === 1) return binaryChain(cx, ns[0]!, fallback);
  return mapped(ns, (o) => binaryChain(cx, o, fallback));
}

// orExpr / andExpr / additive / multiplicative share the shape `operand (op operand)*`.
function binaryChain(cx: LowerContext, n: ChainNode, fallback: Fallback): A.Expr {
  // What `nspan(n, fallback)` would give, for the children and for error nodes.
  const span = cx.within(n, fallback);
  switch (n.name) {
    case "orExpr":
    case "andExpr": {
      const ops = operands(cx, n, span);
      if (!Array.isArray(ops)) return ops;
      const kwToks = ops.length > 1 ? (n.name === "orExpr" ? toks(n, "Kw_or") : toks(n, "Kw_and")) : NO_TOKENS;
      return fold(cx, ops, kwToks, n.name === "orExpr" ? "or" : "and", span);
    }
    case "notExpr": {
      const not = tok(n, "not");
      if (not) {
        const operand = node(n, "operand");
        const e = operand ? binaryChain(cx, operand, span) : ({ kind: "error", span: cx.resolve(span) } as A.Expr);
        return { kind: "unary", op: "not", operand: e, span: joinSpans(cx.tspan(not), e.span) };
      }
      const c = node(n, "comparison");
      return c ? comparison(cx, c, span) : { kind: "error", span: cx.resolve(span) };
    }
    case "additive":
    case "multiplicative": {
      const ops = operands(cx, n, span);
      if (!Array.isArray(ops)) return ops;
      const opToks = ops.length > 1 ? toks(n, "op") : NO_TOKENS;
      return foldTokens(cx, ops, opToks, span);
    }
    case "unary": {
      const minus = tok(n, "minus");
      if (minus) {
        const operand = node(n, "operand");
        const e = operand ? binaryChain(cx, operand, span) : ({ kind: "error", span: cx.resolve(span) } as A.Expr);
        // A negative literal is a literal, so `-5` prints and folds as written.
        if (e.kind === "int" || e.kind === "decimal") {
          const s = joinSpans(cx.tspan(minus), e.span);
          return e.kind === "int" ? { kind: "int", value: -e.value, span: s } : { kind: "decimal", value: -e.value, raw: `-${e.raw}`, span: s };
        }
        return { kind: "unary", op: "neg", operand: e, span: joinSpans(cx.tspan(minus), e.span) };
      }
      const p = node(n, "primary");
      return p ? primary(cx, p, span) : { kind: "error", span: cx.resolve(span) };
    }
    default:
      return { kind: "error", span: cx.resolve(span) };
  }
}

function fold(cx: LowerContext, ops: A.Expr[], kwToks: readonly IToken[], op: "and" | "or", span: Fallback): A.Expr {
  if (ops.length === 0) return { kind: "error", span: cx.resolve(span) };
  let acc = ops[0]!;
  for (let i = 1; i < ops.length; i++) {
    const right = ops[i]!;
    const t = kwToks[i - 1];
    acc = { kind: "binary", op, left: acc, right, opSpan: t ? cx.tspan(t) : right.span, span: joinSpans(acc.span, right.span) };
  }
  return acc;
}

function foldTokens(cx: LowerContext, ops: A.Expr[], opToks: readonly IToken[], span: Fallback): A.Expr {
  if (ops.length === 0) return { kind: "error", span: cx.resolve(span) };
  let acc = ops[0]!;
  for (let i = 1; i < ops.length; i++) {
    const right = ops[i]!;
    const t = opToks[i - 1];
    const op = (t?.image ?? "+") as A.ArithmeticOp;
    acc = { kind: "binary", op, left: acc, right, opSpan: t ? cx.tspan(t) : right.span, span: joinSpans(acc.span, right.span) };
  }
  return acc;
}

function comparison(cx: LowerContext, n: ComparisonCstNode, fallback: Fallback): A.Expr {
  const span = cx.within(n, fallback);
  const leftN = node(n, "left");
  const left = leftN ? binaryChain(cx, leftN, span) : ({ kind: "error", span: cx.resolve(span) } as A.Expr);
  const is = tok(n, "is");
  if (is) {
    const set = tok(n, "set");
    return { kind: "is_set", operand: left, negated: tok(n, "isNot") !== undefined, span: joinSpans(left.span, set ? cx.tspan(set) : cx.tspan(is)) };
  }
  const rightN = node(n, "right");
  const opTok = tok(n, "op") ?? tok(n, "in");
  if (!opTok) return left;
  const right = rightN ? binaryChain(cx, rightN, span) : ({ kind: "error", span: cx.tspan(opTok) } as A.Expr);
  const notIn = tok(n, "notIn");
  if (opTok.image === "=")
    cx.diagnostics.push({
      code: "syntax/unexpected-token",
      severity: "error",
      message: "`=` is not a comparison: write `==`",
      span: cx.tspan(opTok),
      hint: `compare with \`==\`: \`${printExprBounded(left, 40)} == ${rightN ? printExprBounded(right, 40) : "…"}\``,
    });
  const op: A.BinaryOp = opTok.image === "in" ? (notIn ? "not in" : "in") : opTok.image === "=" ? "==" : (opTok.image as A.ComparisonOp);
  const opSpan = notIn ? joinSpans(cx.tspan(notIn), cx.tspan(opTok)) : cx.tspan(opTok);
  return { kind: "binary", op, left, right, opSpan, span: joinSpans(left.span, right.span) };
}

/** `[first, ...members as idents]`, packed in every tier. */
function withFirst(first: A.Ident, members: readonly IToken[], cx: LowerContext): A.Ident[] {
  const out: A.Ident[] = [first];
  for (let i = 0; i < members.length; i++) out.push(cx.ident(members[i]!));
  return out;
}

function primary(cx: LowerContext, n: PrimaryCstNode, fallback: Fallback): A.Expr {
  const span = cx.within(n, fallback);
  const lit = tok(n, "literal");
  if (lit) return literal(cx, lit);
  const list = node(n, "list");
  if (list) {
    const items = mapped(nodes(list, "item"), (i) => lowerExpression(cx, i, span));
    return { kind: "list", items, span: cx.nspan(list, span) };
  }
  const paren = node(n, "paren");
  if (paren) {
    const inner = node(paren, "inner");
    const pspan = cx.nspan(paren, span);
    return { kind: "paren", inner: inner ? lowerExpression(cx, inner, pspan) : { kind: "error", span: pspan }, span: pspan };
  }
  const q = node(n, "quantifier");
  if (q) {
    const qt = tok(q, "q");
    const v = tok(q, "variable");
    const l = node(q, "list");
    const b = node(q, "body");
    const qspan = cx.nspan(q, span);
    if (!qt || !v) return { kind: "error", span: qspan };
    return {
      kind: "quantifier",
      quantifier: qt.image as A.QuantifierKind,
      variable: cx.ident(v),
      list: l ? binaryChain(cx, l, qspan) : { kind: "error", span: qspan },
      body: b ? lowerExpression(cx, b, qspan) : { kind: "error", span: qspan },
      span: qspan,
    };
  }
  const ref = node(n, "ref");
  if (ref) {
    const head = tok(ref, "head");
    if (!head) return { kind: "error", span: cx.nspan(ref, span) };
    if (tok(ref, "call") !== undefined) {
      const rspan = cx.nspan(ref, span);
      const args = mapped(nodes(ref, "arg"), (a) => lowerExpression(cx, a, rspan));
      return { kind: "call", callee: cx.ident(head), args, span: rspan };
    }
    const members = toks(ref, "member");
    const first = cx.ident(head);
    // Array literals, sized exactly: paths are many and live as long as the program.
    const segments: A.Ident[] = members.length === 0 ? [first] : members.length === 1 ? [first, cx.ident(members[0]!)] : withFirst(first, members, cx);
    return { kind: "path", segments, span: segments.length === 1 ? segments[0]!.span : joinSpans(segments[0]!.span, segments[segments.length - 1]!.span) };
  }
  return { kind: "error", span: cx.resolve(span) };
}
