// `test` and `property` blocks: CST → AST for their statements (a word and its arguments, an
// `on` trigger, a property's `assume`/`expect` expression) and the values in them (literals,
// dotted words, records, lists, argument lists). Statements keep their shape; what a word means
// is checked later (compiler/tests/).
import type {
  FileCstNode,
  PropertyStatementCstNode,
  TestArgsCstNode,
  TestItemCstNode,
  TestRecordCstNode,
  TestStatementCstNode,
} from "../../../grammar/cst.generated.ts";
import { joinSpans, type Span } from "../../../core/source.ts";
import type * as A from "../ast.ts";
import { NO_TOKENS, node, nodes, tok, toks, type LowerContext } from "./cst.ts";
import { lowerExpression } from "./expressions.ts";
import { bounded } from "./limits.ts";
import { duration, literal, stringLit } from "./literals.ts";
import { mapped } from "../../../core/arrays.ts";

/** `test` and `property` blocks in source order; statements keep their shape (compiler/tests checks them). */
export function lowerTests(cx: LowerContext, cst: FileCstNode): A.TestBlock[] {
  const out: A.TestBlock[] = [];
  for (const [label, kind] of [
    ["testDecl", "test"],
    ["propertyDecl", "property"],
  ] as const) {
    for (const n of nodes(cst, label)) {
      const name = tok(n, "name");
      if (!name) continue;
      const span = cx.nspan(n, cx.tspan(name));
      const statements = nodes(n, "statement").flatMap((st) => testStatement(cx, st, span) ?? []);
      out.push({ kind, name: stringLit(cx, name), statements, span });
    }
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

function testStatement(cx: LowerContext, n: TestStatementCstNode | PropertyStatementCstNode, fallback: Span): A.TestStatement | undefined {
  const on = node(n, "on");
  if (on) {
    const kwTok = tok(on, "Kw_on");
    const ev = node(on, "event");
    const parts = ev ? toks(ev, "part") : NO_TOKENS;
    if (!kwTok || parts.length === 0) return undefined;
    const evSpan = joinSpans(cx.tspan(parts[0]!), cx.tspan(parts[parts.length - 1]!));
    const event: A.Ident = { kind: "ident", name: parts.map((p) => p.image).join("."), span: evSpan };
    const timers = mapped(toks(on, "timer"), (t) => duration(cx, t));
    return { kind: "statement", keyword: cx.ident(kwTok), args: [], trigger: { event, timers }, span: cx.nspan(on, fallback) };
  }
  // Only a property's statements can be an expression statement (`assume`, `expect`).
  const ex = n.name === "propertyStatement" ? node(n, "expr") : undefined;
  if (ex) {
    const head = tok(ex, "head");
    if (!head) return undefined;
    const span = cx.nspan(ex, cx.tspan(head));
    const e = node(ex, "expr");
    return { kind: "statement", keyword: cx.ident(head), args: [], expr: e ? bounded(cx, lowerExpression(cx, e, span)) : { kind: "error", span }, span };
  }
  const w = node(n, "words");
  const head = w ? tok(w, "head") : undefined;
  if (!w || !head) return undefined;
  const span = cx.nspan(w, cx.tspan(head));
  return { kind: "statement", keyword: cx.ident(head), args: mapped(nodes(w, "item"), (i) => testValue(cx, i, span)), span };
}

function testValue(cx: LowerContext, n: TestItemCstNode, fallback: Span): A.TestValue {
  const span = cx.nspan(n, fallback);
  const word = node(n, "word");
  if (word) {
    const parts = mapped(toks(word, "part"), (t) => cx.ident(t));
    if (parts.length === 0) return { kind: "other", text: "", span };
    return { kind: "word", parts, text: parts.map((p) => p.name).join("."), span: joinSpans(parts[0]!.span, parts[parts.length - 1]!.span) };
  }
  const lit = tok(n, "literal");
  if (lit) {
    const value = literal(cx, lit);
    if (
      value.kind === "error" ||
      value.kind === "list" ||
      value.kind === "path" ||
      value.kind === "call" ||
      value.kind === "unary" ||
      value.kind === "binary" ||
      value.kind === "is_set" ||
      value.kind === "quantifier" ||
      value.kind === "paren"
    )
      return { kind: "other", text: lit.image, span };
    const minus = tok(n, "minus");
    if (minus && (value.kind === "int" || value.kind === "decimal")) {
      const s = joinSpans(cx.tspan(minus), value.span);
      return {
        kind: "literal",
        value: value.kind === "int" ? { kind: "int", value: -value.value, span: s } : { kind: "decimal", value: -value.value, raw: `-${value.raw}`, span: s },
        span: s,
      };
    }
    return { kind: "literal", value, span: value.span };
  }
  const other = tok(n, "other");
  if (other) return { kind: "other", text: other.image, span: cx.tspan(other) };
  const rec = node(n, "record");
  if (rec) return { kind: "record", fields: fields(cx, rec), span: cx.nspan(rec, span) };
  const args = node(n, "args");
  if (args) return { kind: "args", fields: fields(cx, args), span: cx.nspan(args, span) };
  const list = node(n, "list");
  if (list) {
    const lspan = cx.nspan(list, span);
    return { kind: "list", items: mapped(nodes(list, "item"), (i) => testValue(cx, i, lspan)), span: lspan };
  }
  return { kind: "other", text: "", span };
}

/** The `name: value` fields of a record `{…}` or an argument list `(…)`. */
function fields(cx: LowerContext, m: TestRecordCstNode | TestArgsCstNode): A.TestField[] {
  return nodes(m, "field").flatMap((f) => {
    const name = tok(f, "name");
    const v = node(f, "value");
    if (!name) return [];
    const fspan = cx.nspan(f, cx.tspan(name));
    return [{ name: cx.ident(name), value: v ? testValue(cx, v, fspan) : { kind: "other" as const, text: "", span: fspan }, span: fspan }];
  });
}
