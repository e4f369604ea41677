// Journey and condition declarations: CST → AST for `journey NAME { clauses }` and
// `condition NAME = expr`, each clause (title, purpose, risk, priority, on, when, do, cap, quiet,
// holdout, goal, stop_loss, review, reason) and the `{expr}` interpolations of a reason template. A clause the
// parser could not complete is dropped; its syntax error is already reported.
import type { ClauseCstChildren, ConditionDeclCstNode, FileCstNode, JourneyDeclCstNode } from "../../../grammar/cst.generated.ts";
import type { IToken } from "chevrotain";
import { joinSpans } from "../../../core/source.ts";
import type * as A from "../ast.ts";
import { firstChild, firstKeyword, isToken, node, nodes, tok, toks, type AnyChild, type LowerContext } from "./cst.ts";
import { lowerExpression, parseExpression } from "./expressions.ts";
import { bounded } from "./limits.ts";
import { decodeString, duration, safeInt, stringLit, timeOfDay } from "./literals.ts";
import { mapped } from "../../../core/arrays.ts";

/** A clause node: the alternative a `clause` took. */
type ClauseNode = AnyChild<ClauseCstChildren>;

/** The `journey` and `condition` declarations of a file, in source order. */
export function lowerDecls(cx: LowerContext, cst: FileCstNode): A.Decl[] {
  const decls: A.Decl[] = [];
  const order: { offset: number; decl: A.Decl }[] = [];
  for (const j of nodes(cst, "journeyDecl")) {
    const d = journey(cx, j);
    if (d) order.push({ offset: d.span.start, decl: d });
  }
  for (const c of nodes(cst, "conditionDecl")) {
    const d = condition(cx, c);
    if (d) order.push({ offset: d.span.start, decl: d });
  }
  order.sort((a, b) => a.offset - b.offset);
  for (const o of order) decls.push(o.decl);
  return decls;
}

function journey(cx: LowerContext, n: JourneyDeclCstNode): A.JourneyDecl | undefined {
  const name = tok(n, "name");
  if (!name) return undefined;
  const span = cx.nspan(n, cx.tspan(name));
  const clauses: A.Clause[] = [];
  for (const c of nodes(n, "clause")) {
    const inner = firstChild(c);
    if (!inner || isToken(inner)) continue;
    const cl = clause(cx, inner);
    if (cl) clauses.push(cl);
  }
  return { kind: "journey", name: cx.ident(name), clauses, span };
}

function condition(cx: LowerContext, n: ConditionDeclCstNode): A.ConditionDecl | undefined {
  const name = tok(n, "name");
  if (!name) return undefined;
  const span = cx.nspan(n, cx.tspan(name));
  const body = node(n, "body");
  return { kind: "condition", name: cx.ident(name), body: body ? bounded(cx, lowerExpression(cx, body, span)) : { kind: "error", span }, span };
}

function clause(cx: LowerContext, n: ClauseNode): A.Clause | undefined {
  const kwTok = firstKeyword(n);
  if (!kwTok) return undefined;
  const keywordSpan = cx.tspan(kwTok);
  const span = cx.nspan(n, keywordSpan);
  switch (n.name) {
    case "titleClause": {
      const v = tok(n, "value");
      return v ? { kind: "title", value: stringLit(cx, v), span, keywordSpan } : undefined;
    }
    case "purposeClause": {
      const v = tok(n, "name");
      return v ? { kind: "purpose", name: cx.ident(v), span, keywordSpan } : undefined;
    }
    case "riskClause": {
      const v = tok(n, "level");
      return v ? { kind: "risk", level: cx.ident(v), span, keywordSpan } : undefined;
    }
    case "priorityClause": {
      const v = tok(n, "value");
      if (!v) return undefined;
      const minus = tok(n, "minus");
      const valueSpan = minus ? joinSpans(cx.tspan(minus), cx.tspan(v)) : cx.tspan(v);
      const value = safeInt(cx, v) * (minus ? -1 : 1);
      return { kind: "priority", value, valueSpan, span, keywordSpan };
    }
    case "onClause": {
      const ev = node(n, "event");
      if (!ev) return undefined;
      const parts = toks(ev, "part");
      if (parts.length === 0) return undefined;
      const evSpan = joinSpans(cx.tspan(parts[0]!), cx.tspan(parts[parts.length - 1]!));
      const event: A.Ident = { kind: "ident", name: parts.map((p) => p.image).join("."), span: evSpan };
      const timers = mapped(toks(n, "timer"), (t) => duration(cx, t));
      return { kind: "on", event, timers, span, keywordSpan };
    }
    case "whenClause": {
      const e = node(n, "expr");
      return { kind: "when", expr: e ? bounded(cx, lowerExpression(cx, e, span)) : { kind: "error", span }, span, keywordSpan };
    }
    case "doClause": {
      const a = tok(n, "action");
      if (!a) return undefined;
      const args: A.NamedArg[] = [];
      for (const arg of nodes(n, "arg")) {
        const nm = tok(arg, "name");
        const v = node(arg, "value");
        if (!nm) continue;
        const aspan = cx.nspan(arg, cx.tspan(nm));
        args.push({ name: cx.ident(nm), value: v ? bounded(cx, lowerExpression(cx, v, aspan)) : { kind: "error", span: aspan }, span: aspan });
      }
      return { kind: "do", action: cx.ident(a), args, span, keywordSpan };
    }
    case "capClause": {
      const c = tok(n, "count");
      const w = tok(n, "window");
      if (!c || !w) return undefined;
      return { kind: "cap", count: { kind: "int", value: safeInt(cx, c), span: cx.tspan(c) }, window: duration(cx, w), span, keywordSpan };
    }
    case "quietClause": {
      const f = tok(n, "from");
      const t = tok(n, "to");
      if (!f || !t) return undefined;
      return { kind: "quiet", from: timeOfDay(cx, f), to: timeOfDay(cx, t), span, keywordSpan };
    }
    case "holdoutClause": {
      const p = tok(n, "percent");
      if (!p) return undefined;
      const percentSpan = cx.tspan(p);
      const percent = Number(p.image.slice(0, -1));
      if (!(percent >= 0 && percent <= 100)) {
        cx.report({
          code: "syntax/invalid-percent",
          severity: "error",
          message: `holdout \`${p.image}\` is not between 0% and 100%`,
          span: percentSpan,
          hint: "write a percentage from `0%` to `100%`",
        });
      }
      const s = tok(n, "salt");
      const base = { kind: "holdout" as const, percent: Math.max(0, Math.min(100, percent || 0)), percentText: p.image, percentSpan, span, keywordSpan };
      return s ? { ...base, salt: stringLit(cx, s) } : base;
    }
    case "goalClause": {
      const t = tok(n, "type");
      const w = tok(n, "window");
      if (!t || !w) return undefined;
      return { kind: "goal", type: cx.ident(t), window: duration(cx, w), span, keywordSpan };
    }
    case "stopLossClause": {
      const conditions: A.StopLossCondition[] = [];
      for (const c of nodes(n, "condition")) {
        const m = tok(c, "metric");
        const p = tok(c, "percent");
        if (!m || !p) continue;
        const percentSpan = cx.tspan(p);
        conditions.push({
          metric: cx.ident(m),
          percent: Number(p.image.slice(0, -1)),
          percentText: p.image,
          percentSpan,
          span: joinSpans(cx.tspan(m), percentSpan),
        });
      }
      if (conditions.length === 0) return undefined;
      const c = tok(n, "count");
      const base = { kind: "stop_loss" as const, conditions, span, keywordSpan };
      if (!c) return base;
      const min = safeInt(cx, c);
      // Too large to be an integer: reported here; no second error about it being below 1.
      return Number.isSafeInteger(Number(c.image)) ? { ...base, min: { kind: "int" as const, value: min, span: cx.tspan(c) } } : base;
    }
    case "reviewClause": {
      const m = tok(n, "mode");
      return m ? { kind: "review", mode: cx.ident(m), span, keywordSpan } : undefined;
    }
    case "reasonClause": {
      const v = tok(n, "value");
      return v ? { kind: "reason", template: template(cx, v), span, keywordSpan } : undefined;
    }
    default:
      return undefined;
  }
}

// Reason templates: `"text {expr} text"`; `{{` and `}}` are literal braces.
function template(cx: LowerContext, t: IToken): A.Template {
  const span = cx.tspan(t);
  const raw = t.image;
  const parts: A.TemplatePart[] = [];
  let text = "";
  let textStart = span.start + 1;
  const flush = (endOffset: number) => {
    if (text) parts.push({ kind: "text", text: decodeString(`"${text}"`), span: cx.file.span(textStart, endOffset) });
    text = "";
  };
  let i = 1;
  while (i < raw.length - 1) {
    const ch = raw[i]!;
    if (ch === "\\") {
      text += raw.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === "{" && raw[i + 1] === "{") {
      text += "{";
      i += 2;
      continue;
    }
    if (ch === "}" && raw[i + 1] === "}") {
      text += "}";
      i += 2;
      continue;
    }
    if (ch === "}") {
      cx.report({
        code: "syntax/template-brace",
        severity: "error",
        message: "unmatched `}` in reason",
        span: cx.file.span(span.start + i, span.start + i + 1),
        hint: "write a literal brace as `}}`",
      });
      i++;
      continue;
    }
    if (ch === "{") {
      const close = raw.indexOf("}", i + 1);
      if (close < 0 || close >= raw.length - 1) {
        cx.report({
          code: "syntax/template-brace",
          severity: "error",
          message: "unclosed `{` in reason",
          span: cx.file.span(span.start + i, span.start + i + 1),
          hint: "close the interpolation with `}`, or write a literal brace as `{{`",
        });
        text += raw.slice(i, raw.length - 1).replace(/[{}]/g, "");
        break;
      }
      flush(span.start + i);
      const inner = raw.slice(i + 1, close);
      const base = span.start + i + 1;
      const pspan = cx.file.span(span.start + i, span.start + close + 1);
      if (inner.includes('"') || inner.includes("\\")) {
        cx.report({
          code: "syntax/template-string",
          severity: "error",
          message: "a string literal cannot appear inside `{…}` in a reason",
          span: pspan,
          hint: "move the text outside the braces",
        });
      } else if (inner.trim() === "") {
        cx.report({
          code: "syntax/template-empty",
          severity: "error",
          message: "empty `{}` in reason",
          span: pspan,
          hint: "put an expression inside the braces, or write `{{}}` for literal braces",
        });
      } else {
        const sub = parseExpression(cx.file, inner, base);
        cx.diagnostics.push(...sub.diagnostics);
        parts.push({ kind: "expr", expr: sub.value, span: pspan });
      }
      i = close + 1;
      textStart = span.start + i;
      continue;
    }
    text += ch;
    i++;
  }
  flush(span.end - 1);
  return { kind: "template", parts, span };
}
