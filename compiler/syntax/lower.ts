// Parsing stage: text → tokens → CST (chevrotain, with recovery) → typed AST. Syntax errors
// become diagnostics at the offending token; whatever parsed is still lowered so later stages
// can keep checking the rest of the file.
import type { CstNode, IRecognitionException, IToken, TokenType } from "chevrotain";
import { lex } from "../../grammar/lexer.ts";
import { MAX_NESTING, parseTokens } from "../../grammar/parser.ts";
import * as T from "../../grammar/tokens.ts";
import type * as A from "./ast.ts";
import type { Diagnostic, StageResult } from "../../core/diagnostics.ts";
import { joinSpans, type SourceFile, type Span } from "../../core/source.ts";
import { MAX_DURATION_DAYS, MAX_DURATION_MS, parseDurationLiteral, parseDateLiteral, parseDateTimeLiteral } from "../../core/literals.ts";

/** Largest file the parser accepts; larger ones get one diagnostic instead of a slow parse. */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/** Parses one `.journey` file. Never throws on any input. */
export function parseJourneyFile(file: SourceFile): StageResult<A.JourneyFile> {
  const whole = file.span(0, file.text.length);
  const empty: A.JourneyFile = { kind: "file", name: file.name, decls: [], span: whole };
  if (file.text.length > MAX_SOURCE_BYTES) {
    return {
      value: empty,
      diagnostics: [
        {
          code: "syntax/file-too-large",
          severity: "error",
          message: `file is ${(file.text.length / 1048576).toFixed(1)} MiB, larger than the ${MAX_SOURCE_BYTES / 1048576} MiB limit`,
          span: file.span(0, 0),
          hint: "split the journeys over several files",
        },
      ],
    };
  }
  const lexed = lex(file);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const { cst, errors, tooDeep } = parseTokens(lexed.tokens, "file");
  if (tooDeep) return { value: empty, diagnostics: [...diagnostics, tooDeepDiagnostic(file, tooDeep)] };
  diagnostics.push(...errors.map((e) => syntaxDiagnostic(file, e)));
  const lowerer = new Lowerer(file, diagnostics);
  const decls = lowerer.lowerFile(cst);
  const tests = lowerer.lowerTests(cst);
  return { value: { kind: "file", name: file.name, decls, ...(tests.length > 0 ? { tests } : {}), span: whole }, diagnostics: dedupe(diagnostics) };
}

/**
 * Parses the top-level declarations and test blocks in `[start, end)` of `file`, with spans in
 * the whole file's offsets: the building block of incremental reparsing (compiler/syntax/incremental.ts).
 */
export function parseJourneyRange(file: SourceFile, start: number, end: number): { decls: A.Decl[]; tests: A.TestBlock[]; diagnostics: Diagnostic[] } {
  const lexed = lex(file, file.text.slice(start, end), start);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const { cst, errors, tooDeep } = parseTokens(lexed.tokens, "file");
  if (tooDeep) return { decls: [], tests: [], diagnostics: [...diagnostics, tooDeepDiagnostic(file, tooDeep)] };
  diagnostics.push(...errors.map((e) => syntaxDiagnostic(file, e, end)));
  const lowerer = new Lowerer(file, diagnostics);
  return { decls: lowerer.lowerFile(cst), tests: lowerer.lowerTests(cst), diagnostics: dedupe(diagnostics) };
}

/** Parses a standalone expression (used by reason templates and tools such as the playground). */
export function parseExpression(file: SourceFile, text: string, base: number): StageResult<A.Expr> {
  const lexed = lex(file, text, base);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const whole = file.span(base, base + text.length);
  const { cst, errors, tooDeep } = parseTokens(lexed.tokens, "expression");
  if (tooDeep) return { value: { kind: "error", span: whole }, diagnostics: [...diagnostics, tooDeepDiagnostic(file, tooDeep)] };
  diagnostics.push(...errors.map((e) => syntaxDiagnostic(file, e, base + text.length)));
  const lowerer = new Lowerer(file, diagnostics);
  const expr = lowerer.bounded(lowerer.expression(cst, whole));
  return { value: expr, diagnostics };
}

/** Deepest nesting the parser accepts (see grammar/parser.ts); re-exported for tools and tests. */
export { MAX_NESTING };

/**
 * Deepest expression tree lowering accepts, counting every operation: long operator chains
 * (`a and b and …`, `1 + 1 + …`) are flat for the parser but this deep for every stage that
 * walks the tree (checker, formatter, trace planning, codegen, interpreter). Together with
 * MAX_NESTING it is the one bound that keeps all of them within the stack: an expression past it
 * gets one `syntax/too-complex` diagnostic and is replaced by an error node.
 */
export const MAX_EXPRESSION_DEPTH = 500;

function tooDeepDiagnostic(file: SourceFile, t: IToken): Diagnostic {
  return {
    code: "syntax/too-deep",
    severity: "error",
    message: `expression nested more than ${MAX_NESTING} levels deep`,
    span: file.span(t.startOffset, (t.endOffset ?? t.startOffset) + 1),
    hint: "split it into named `condition`s",
  };
}

/** Depth of an expression tree (a leaf is 1), without recursion; stops counting past `limit`. */
export function exprDepth(root: A.Expr, limit = Infinity): number {
  let max = 0;
  // A stack of (expression, depth) as two parallel arrays; `d` is the depth being expanded.
  const exprs: A.Expr[] = [root];
  const depths: number[] = [1];
  let d = 0;
  const push = (c: A.Expr) => {
    exprs.push(c);
    depths.push(d + 1);
  };
  while (exprs.length > 0) {
    const e = exprs.pop()!;
    d = depths.pop()!;
    if (d > max) {
      max = d;
      if (max > limit) return max;
    }
    switch (e.kind) {
      case "list":
        for (const c of e.items) push(c);
        break;
      case "call":
        for (const c of e.args) push(c);
        break;
      case "unary":
      case "is_set":
        push(e.operand);
        break;
      case "binary":
        push(e.left);
        push(e.right);
        break;
      case "quantifier":
        push(e.list);
        push(e.body);
        break;
      case "paren":
        push(e.inner);
        break;
      default:
        break;
    }
  }
  return max;
}

// One diagnostic per offending token: recovery can report the same spot twice.
function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.code}@${d.span.start}`;
    if (d.code.startsWith("syntax/") && seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Syntax errors

const TOKEN_NAMES: Record<string, string> = {
  Identifier: "a name",
  Name: "a name",
  StringLit: "a string",
  IntegerLit: "an integer",
  DecimalLit: "a number",
  DurationLit: "a duration such as `30d`",
  PercentLit: "a percentage such as `10%`",
  TimeOfDay: "a time such as `21:00`",
  DateLit: "a date",
  DateTimeLit: "a datetime",
  EqEq: "`==`",
  NotEq: "`!=`",
  LtEq: "`<=`",
  GtEq: "`>=`",
  Lt: "`<`",
  Gt: "`>`",
  DotDot: "`..`",
  Dot: "`.`",
  Comma: "`,`",
  Colon: "`:`",
  Equals: "`=`",
  Plus: "`+`",
  Minus: "`-`",
  Star: "`*`",
  Slash: "`/`",
  LParen: "`(`",
  RParen: "`)`",
  LBracket: "`[`",
  RBracket: "`]`",
  LBrace: "`{`",
  RBrace: "`}`",
};

function describeType(t: TokenType): string {
  if (t.name.startsWith("Kw_")) return `\`${t.name.slice(3)}\``;
  return (Object.hasOwn(TOKEN_NAMES, t.name) ? TOKEN_NAMES[t.name] : undefined) ?? t.name;
}

function describeToken(t: IToken): string {
  if (t.tokenType.name === "EOF" || Number.isNaN(t.startOffset)) return "end of file";
  const img = t.image.length > 30 ? t.image.slice(0, 30) + "…" : t.image;
  return `\`${img}\``;
}

function syntaxDiagnostic(file: SourceFile, e: IRecognitionException, eofAt = file.text.length): Diagnostic {
  const tok = e.token;
  const atEof = tok.tokenType.name === "EOF" || Number.isNaN(tok.startOffset);
  const start = atEof ? eofAt : tok.startOffset;
  const end = atEof ? eofAt : (tok.endOffset ?? tok.startOffset) + 1;
  const rules = e.context?.ruleStack ?? [];
  const inRule = rules[rules.length - 1] ?? "";
  const found = describeToken(tok);
  let message: string;
  let hint: string | undefined;
  if (e.name === "MismatchedTokenException") {
    const expected = /-->\s*(\w+)\s*<--/.exec(e.message)?.[1];
    const exp = expected ? ((Object.hasOwn(TOKEN_NAMES, expected) ? TOKEN_NAMES[expected] : undefined) ?? (expected.startsWith("Kw_") ? `\`${expected.slice(3)}\`` : expected)) : "something else";
    message = `expected ${exp}, found ${found}`;
    if (expected === "RBrace" && inRule === "journeyDecl") {
      message = `expected a clause or \`}\`, found ${found}`;
      hint = clauseHint(tok) ?? `a journey body holds clauses: ${T.CLAUSE_KEYWORDS.map((k) => `\`${k}\``).join(", ")}`;
    } else if (expected === "RBrace" && (inRule === "testDecl" || inRule === "propertyDecl")) {
      message = `expected a statement or \`}\`, found ${found}`;
      hint = statementHint(inRule === "testDecl" ? "test" : "property");
    } else if (expected === "EOF") {
      message = `expected \`journey\`, \`condition\`, \`test\` or \`property\`, found ${found}`;
      hint = topLevelHint(tok);
    }
  } else if (e.name === "NotAllInputParsedException") {
    message = `unexpected ${found} after the expression`;
    hint = "a `{…}` interpolation holds one expression";
  } else if (inRule === "clause" || (inRule === "journeyDecl" && !atEof)) {
    message = `expected a clause, found ${found}`;
    hint = clauseHint(tok) ?? `a journey body holds clauses: ${T.CLAUSE_KEYWORDS.map((k) => `\`${k}\``).join(", ")}`;
  } else if (inRule === "file") {
    message = `expected \`journey\`, \`condition\`, \`test\` or \`property\`, found ${found}`;
    hint = topLevelHint(tok);
  } else if (["testItem", "testField", "testRecord", "testList", "testArgs", "testWord"].includes(inRule)) {
    message = `expected a value, found ${found}`;
    hint = "values are literals (`12`, `\"retail\"`, `2026-05-31`, `2026-03-02T10:00:00Z`, `3d`), records `{ name: value }` and lists `[…]`";
  } else if (["primary", "unary", "multiplicative", "additive", "comparison", "notExpr", "andExpr", "orExpr", "expression"].includes(inRule)) {
    message = `expected an expression, found ${found}`;
    hint = exprHint(tok);
  } else {
    message = `unexpected ${found}`;
  }
  const d: Diagnostic = { code: atEof ? "syntax/unexpected-eof" : "syntax/unexpected-token", severity: "error", message, span: file.span(start, end) };
  return hint === undefined ? d : { ...d, hint };
}

function clauseHint(tok: IToken): string | undefined {
  if (tok.tokenType !== T.Identifier) return undefined;
  let best: string | undefined;
  let bestD = 3;
  for (const k of T.CLAUSE_KEYWORDS) {
    const d = lev(tok.image, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best ? `did you mean \`${best}\`?` : undefined;
}

function topLevelHint(tok: IToken): string {
  for (const w of ["journey", "condition", "test", "property"]) if (tok.image && lev(tok.image, w) <= 2) return `did you mean \`${w}\`?`;
  return "a file holds `journey NAME { … }`, `condition NAME = …`, `test \"…\" { … }` and `property \"…\" { … }` declarations";
}

/** The fix for a timestamp that does not parse: the offset, the `T`, or the calendar. */
function datetimeHint(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (m && (m[3] === undefined || (m[3] !== "Z" && !m[3].includes(":")) || text.includes(" "))) {
    const offset = m[3] === undefined ? "Z" : m[3] === "Z" ? "Z" : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`;
    return `write \`${m[1]}T${m[2]}${offset}\`${m[3] === undefined ? " (`Z` is UTC; or give an offset such as `+01:00`)" : ""}`;
  }
  return "write datetimes as ISO 8601 with an offset, with a real date and time: `2026-05-30T09:00:00Z`";
}

function statementHint(block: "test" | "property"): string {
  const words = block === "test" ? ["now", "region", "subject", "event", "given", "consent", "objection", "history", "expect"] : ["on", "now", "region", "subject", "given", "consent", "objection", "history", "assume", "expect", "runs"];
  return `a ${block} holds one statement per line: ${words.map((w) => `\`${w}\``).join(", ")}`;
}

function exprHint(tok: IToken): string | undefined {
  if (tok.image === "&&") return "use `and`";
  if (tok.image === "||") return "use `or`";
  if (tok.tokenType === T.Equals) return "compare with `==`";
  return undefined;
}

function lev(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

// ---------------------------------------------------------------------------------------------
// CST → AST

type Child = CstNode | IToken;

function isToken(c: Child): c is IToken {
  return (c as IToken).image !== undefined;
}

/** The first child of the first label (`Object.values(n.children)[0]?.[0]`). */
function firstChild(n: CstNode): Child | undefined {
  for (const label in n.children) return n.children[label]![0];
  return undefined;
}

/** The first keyword token among the children, labels in order. */
function firstKeyword(n: CstNode): IToken | undefined {
  for (const label in n.children) {
    for (const c of n.children[label]!) if (isToken(c) && c.tokenType.name.startsWith("Kw_")) return c;
  }
  return undefined;
}

/** A real token: recovered (inserted) tokens count as missing. */
function isRealToken(c: Child): c is IToken {
  return isToken(c) && !c.isInsertedInRecovery && !Number.isNaN(c.startOffset);
}

/** Whether chevrotain gave `n` a location (a node recovered with no tokens has none, or a negative one). */
function hasLocation(n: CstNode): boolean {
  const l = n.location;
  return l !== undefined && !Number.isNaN(l.startOffset) && l.startOffset >= 0;
}

/**
 * The span to use for a node without a location: a span, or an enclosing node that has a
 * location (its span, computed only in the rare case it is needed, so lowering a well-formed
 * expression does not build a span per grammar level).
 */
type Fallback = Span | CstNode;

const NO_TOKENS: readonly IToken[] = [];
const NO_NODES: readonly CstNode[] = [];

class Lowerer {
  private readonly file: SourceFile;
  private readonly diagnostics: Diagnostic[];

  constructor(file: SourceFile, diagnostics: Diagnostic[]) {
    this.file = file;
    this.diagnostics = diagnostics;
  }

  // Access helpers: recovered (inserted) tokens count as missing.
  private toks(n: CstNode, label: string): readonly IToken[] {
    const cs = n.children[label] as Child[] | undefined;
    if (cs === undefined) return NO_TOKENS;
    let out: IToken[] | undefined;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      if (isRealToken(c)) {
        if (out === undefined) {
          // Usually every child is a real token: share the array rather than copy it.
          if (i === 0 && cs.every(isRealToken)) return cs as IToken[];
          out = [];
        }
        out.push(c);
      }
    }
    return out ?? NO_TOKENS;
  }
  private tok(n: CstNode, label: string): IToken | undefined {
    const cs = n.children[label] as Child[] | undefined;
    if (cs !== undefined) for (const c of cs) if (isRealToken(c)) return c;
    return undefined;
  }
  private nodes(n: CstNode, label: string): readonly CstNode[] {
    const cs = n.children[label] as Child[] | undefined;
    if (cs === undefined) return NO_NODES;
    let tokens = false;
    for (const c of cs) if (isToken(c)) tokens = true;
    return tokens ? cs.filter((c): c is CstNode => !isToken(c)) : (cs as CstNode[]);
  }
  private node(n: CstNode, label: string): CstNode | undefined {
    const cs = n.children[label] as Child[] | undefined;
    if (cs !== undefined) for (const c of cs) if (!isToken(c)) return c;
    return undefined;
  }
  private tspan(t: IToken): Span {
    return this.file.span(t.startOffset, (t.endOffset ?? t.startOffset) + 1);
  }
  private nspan(n: CstNode, fallback: Fallback): Span {
    return hasLocation(n) ? this.locSpan(n) : this.resolve(fallback);
  }
  /** The span of a node that has a location. */
  private locSpan(n: CstNode): Span {
    const l = n.location!;
    const end = l.endOffset === undefined || Number.isNaN(l.endOffset) ? l.startOffset : l.endOffset + 1;
    return this.file.span(l.startOffset, Math.max(end, l.startOffset));
  }
  /** The fallback for what is inside `n`: `nspan(n, fallback)`, left unevaluated. */
  private within(n: CstNode, fallback: Fallback): Fallback {
    return hasLocation(n) ? n : fallback;
  }
  private resolve(f: Fallback): Span {
    return (f as Span).file !== undefined ? (f as Span) : this.locSpan(f as CstNode);
  }
  private ident(t: IToken): A.Ident {
    return { kind: "ident", name: t.image, span: this.tspan(t) };
  }
  private report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  /**
   * A whole expression (a `when`, a condition, an argument, an interpolation, a property's
   * `assume`/`expect`) within MAX_EXPRESSION_DEPTH; past it, one diagnostic and an error node,
   * so no later stage walks a tree deeper than the bound.
   */
  bounded(e: A.Expr): A.Expr {
    const depth = exprDepth(e, MAX_EXPRESSION_DEPTH);
    if (depth <= MAX_EXPRESSION_DEPTH) return e;
    this.report({
      code: "syntax/too-complex",
      severity: "error",
      message: `expression is more than ${MAX_EXPRESSION_DEPTH} operations deep`,
      span: e.span,
      hint: "split long chains of `and`, `or` or arithmetic into named `condition`s",
    });
    return { kind: "error", span: e.span };
  }

  lowerFile(cst: CstNode): A.Decl[] {
    const decls: A.Decl[] = [];
    const order: { offset: number; decl: A.Decl }[] = [];
    for (const j of this.nodes(cst, "journeyDecl")) {
      const d = this.journey(j);
      if (d) order.push({ offset: d.span.start, decl: d });
    }
    for (const c of this.nodes(cst, "conditionDecl")) {
      const d = this.condition(c);
      if (d) order.push({ offset: d.span.start, decl: d });
    }
    order.sort((a, b) => a.offset - b.offset);
    for (const o of order) decls.push(o.decl);
    return decls;
  }

  private journey(n: CstNode): A.JourneyDecl | undefined {
    const name = this.tok(n, "name");
    if (!name) return undefined;
    const span = this.nspan(n, this.tspan(name));
    const clauses: A.Clause[] = [];
    for (const c of this.nodes(n, "clause")) {
      const inner = firstChild(c);
      if (!inner || isToken(inner)) continue;
      const cl = this.clause(inner);
      if (cl) clauses.push(cl);
    }
    return { kind: "journey", name: this.ident(name), clauses, span };
  }

  private condition(n: CstNode): A.ConditionDecl | undefined {
    const name = this.tok(n, "name");
    if (!name) return undefined;
    const span = this.nspan(n, this.tspan(name));
    const body = this.node(n, "body");
    return { kind: "condition", name: this.ident(name), body: body ? this.bounded(this.expression(body, span)) : { kind: "error", span }, span };
  }

  private clause(n: CstNode): A.Clause | undefined {
    const kwTok = firstKeyword(n);
    if (!kwTok) return undefined;
    const keywordSpan = this.tspan(kwTok);
    const span = this.nspan(n, keywordSpan);
    switch (n.name) {
      case "titleClause": {
        const v = this.tok(n, "value");
        return v ? { kind: "title", value: this.stringLit(v), span, keywordSpan } : undefined;
      }
      case "purposeClause": {
        const v = this.tok(n, "name");
        return v ? { kind: "purpose", name: this.ident(v), span, keywordSpan } : undefined;
      }
      case "riskClause": {
        const v = this.tok(n, "level");
        return v ? { kind: "risk", level: this.ident(v), span, keywordSpan } : undefined;
      }
      case "priorityClause": {
        const v = this.tok(n, "value");
        if (!v) return undefined;
        const minus = this.tok(n, "minus");
        const valueSpan = minus ? joinSpans(this.tspan(minus), this.tspan(v)) : this.tspan(v);
        const value = this.safeInt(v) * (minus ? -1 : 1);
        return { kind: "priority", value, valueSpan, span, keywordSpan };
      }
      case "onClause": {
        const ev = this.node(n, "event");
        if (!ev) return undefined;
        const parts = this.toks(ev, "part");
        if (parts.length === 0) return undefined;
        const evSpan = joinSpans(this.tspan(parts[0]!), this.tspan(parts[parts.length - 1]!));
        const event: A.Ident = { kind: "ident", name: parts.map((p) => p.image).join("."), span: evSpan };
        const timers = this.toks(n, "timer").map((t) => this.duration(t));
        return { kind: "on", event, timers, span, keywordSpan };
      }
      case "whenClause": {
        const e = this.node(n, "expr");
        return { kind: "when", expr: e ? this.bounded(this.expression(e, span)) : { kind: "error", span }, span, keywordSpan };
      }
      case "doClause": {
        const a = this.tok(n, "action");
        if (!a) return undefined;
        const args: A.NamedArg[] = [];
        for (const arg of this.nodes(n, "arg")) {
          const nm = this.tok(arg, "name");
          const v = this.node(arg, "value");
          if (!nm) continue;
          const aspan = this.nspan(arg, this.tspan(nm));
          args.push({ name: this.ident(nm), value: v ? this.bounded(this.expression(v, aspan)) : { kind: "error", span: aspan }, span: aspan });
        }
        return { kind: "do", action: this.ident(a), args, span, keywordSpan };
      }
      case "capClause": {
        const c = this.tok(n, "count");
        const w = this.tok(n, "window");
        if (!c || !w) return undefined;
        return { kind: "cap", count: { kind: "int", value: this.safeInt(c), span: this.tspan(c) }, window: this.duration(w), span, keywordSpan };
      }
      case "quietClause": {
        const f = this.tok(n, "from");
        const t = this.tok(n, "to");
        if (!f || !t) return undefined;
        return { kind: "quiet", from: this.timeOfDay(f), to: this.timeOfDay(t), span, keywordSpan };
      }
      case "holdoutClause": {
        const p = this.tok(n, "percent");
        if (!p) return undefined;
        const percentSpan = this.tspan(p);
        const percent = Number(p.image.slice(0, -1));
        if (!(percent >= 0 && percent <= 100)) {
          this.report({ code: "syntax/invalid-percent", severity: "error", message: `holdout \`${p.image}\` is not between 0% and 100%`, span: percentSpan, hint: "write a percentage from `0%` to `100%`" });
        }
        const s = this.tok(n, "salt");
        const base = { kind: "holdout" as const, percent: Math.max(0, Math.min(100, percent || 0)), percentText: p.image, percentSpan, span, keywordSpan };
        return s ? { ...base, salt: this.stringLit(s) } : base;
      }
      case "reviewClause": {
        const m = this.tok(n, "mode");
        return m ? { kind: "review", mode: this.ident(m), span, keywordSpan } : undefined;
      }
      case "reasonClause": {
        const v = this.tok(n, "value");
        return v ? { kind: "reason", template: this.template(v), span, keywordSpan } : undefined;
      }
      default:
        return undefined;
    }
  }

  // --- test and property blocks ----------------------------------------------------------------

  /** `test` and `property` blocks in source order; statements keep their shape (compiler/tests checks them). */
  lowerTests(cst: CstNode): A.TestBlock[] {
    const out: A.TestBlock[] = [];
    for (const [label, kind] of [["testDecl", "test"], ["propertyDecl", "property"]] as const) {
      for (const n of this.nodes(cst, label)) {
        const name = this.tok(n, "name");
        if (!name) continue;
        const span = this.nspan(n, this.tspan(name));
        const statements = this.nodes(n, "statement").flatMap((st) => this.testStatement(st, span) ?? []);
        out.push({ kind, name: this.stringLit(name), statements, span });
      }
    }
    return out.sort((a, b) => a.span.start - b.span.start);
  }

  private testStatement(n: CstNode, fallback: Span): A.TestStatement | undefined {
    const on = this.node(n, "on");
    if (on) {
      const kwTok = this.tok(on, "Kw_on");
      const parts = this.toks(this.node(on, "event") ?? on, "part");
      if (!kwTok || parts.length === 0) return undefined;
      const evSpan = joinSpans(this.tspan(parts[0]!), this.tspan(parts[parts.length - 1]!));
      const event: A.Ident = { kind: "ident", name: parts.map((p) => p.image).join("."), span: evSpan };
      const timers = this.toks(on, "timer").map((t) => this.duration(t));
      return { kind: "statement", keyword: this.ident(kwTok), args: [], trigger: { event, timers }, span: this.nspan(on, fallback) };
    }
    const ex = this.node(n, "expr");
    if (ex) {
      const head = this.tok(ex, "head");
      if (!head) return undefined;
      const span = this.nspan(ex, this.tspan(head));
      const e = this.node(ex, "expr");
      return { kind: "statement", keyword: this.ident(head), args: [], expr: e ? this.bounded(this.expression(e, span)) : { kind: "error", span }, span };
    }
    const w = this.node(n, "words");
    const head = w ? this.tok(w, "head") : undefined;
    if (!w || !head) return undefined;
    const span = this.nspan(w, this.tspan(head));
    return { kind: "statement", keyword: this.ident(head), args: this.nodes(w, "item").map((i) => this.testValue(i, span)), span };
  }

  private testValue(n: CstNode, fallback: Span): A.TestValue {
    const span = this.nspan(n, fallback);
    const word = this.node(n, "word");
    if (word) {
      const parts = this.toks(word, "part").map((t) => this.ident(t));
      if (parts.length === 0) return { kind: "other", text: "", span };
      return { kind: "word", parts, text: parts.map((p) => p.name).join("."), span: joinSpans(parts[0]!.span, parts[parts.length - 1]!.span) };
    }
    const lit = this.tok(n, "literal");
    if (lit) {
      const value = this.literal(lit);
      if (value.kind === "error" || value.kind === "list" || value.kind === "path" || value.kind === "call" || value.kind === "unary" || value.kind === "binary" || value.kind === "is_set" || value.kind === "quantifier" || value.kind === "paren") return { kind: "other", text: lit.image, span };
      const minus = this.tok(n, "minus");
      if (minus && (value.kind === "int" || value.kind === "decimal")) {
        const s = joinSpans(this.tspan(minus), value.span);
        return { kind: "literal", value: value.kind === "int" ? { kind: "int", value: -value.value, span: s } : { kind: "decimal", value: -value.value, raw: `-${value.raw}`, span: s }, span: s };
      }
      return { kind: "literal", value, span: value.span };
    }
    const other = this.tok(n, "other");
    if (other) return { kind: "other", text: other.image, span: this.tspan(other) };
    const fields = (m: CstNode): A.TestField[] =>
      this.nodes(m, "field").flatMap((f) => {
        const name = this.tok(f, "name");
        const v = this.node(f, "value");
        if (!name) return [];
        const fspan = this.nspan(f, this.tspan(name));
        return [{ name: this.ident(name), value: v ? this.testValue(v, fspan) : { kind: "other" as const, text: "", span: fspan }, span: fspan }];
      });
    const rec = this.node(n, "record");
    if (rec) return { kind: "record", fields: fields(rec), span: this.nspan(rec, span) };
    const args = this.node(n, "args");
    if (args) return { kind: "args", fields: fields(args), span: this.nspan(args, span) };
    const list = this.node(n, "list");
    if (list) {
      const lspan = this.nspan(list, span);
      return { kind: "list", items: this.nodes(list, "item").map((i) => this.testValue(i, lspan)), span: lspan };
    }
    return { kind: "other", text: "", span };
  }

  // --- literals -------------------------------------------------------------------------------

  private safeInt(t: IToken): number {
    const v = Number(t.image);
    if (!Number.isSafeInteger(v)) {
      this.report({ code: "syntax/number-too-large", severity: "error", message: `integer \`${t.image.slice(0, 30)}${t.image.length > 30 ? "…" : ""}\` is too large`, span: this.tspan(t), hint: `integers must be at most ${Number.MAX_SAFE_INTEGER}` });
      return 0;
    }
    return v;
  }

  /** A decimal literal's value; one too large for a double (it would be `Infinity`) is reported. */
  private finite(t: IToken): number {
    const v = Number(t.image);
    if (!Number.isFinite(v)) {
      this.report({ code: "syntax/number-too-large", severity: "error", message: `number \`${t.image.slice(0, 30)}${t.image.length > 30 ? "…" : ""}\` is too large`, span: this.tspan(t), hint: `numbers must be at most ${Number.MAX_VALUE}` });
      return 0;
    }
    return v;
  }

  private stringLit(t: IToken): A.StringLit {
    return { kind: "string", value: decodeString(t.image), span: this.tspan(t) };
  }

  private duration(t: IToken): A.DurationLit {
    const span = this.tspan(t);
    const ms = parseDurationLiteral(t.image);
    if (ms === undefined) {
      this.report({
        code: "syntax/invalid-duration",
        severity: "error",
        message: `duration \`${t.image.length > 30 ? t.image.slice(0, 30) + "…" : t.image}\` is longer than the ${MAX_DURATION_DAYS}d (10,000 years) a duration can be`,
        span,
        hint: "use a shorter duration, e.g. `365d`",
      });
    }
    // Past the limit, the longest duration stands in: no second error (a zero timer or window) follows.
    return { kind: "duration", text: t.image, ms: ms ?? MAX_DURATION_MS, span };
  }

  private timeOfDay(t: IToken): A.TimeOfDay {
    const span = this.tspan(t);
    const [h, m] = t.image.split(":").map(Number) as [number, number];
    if (h > 23 || m > 59) {
      this.report({ code: "syntax/invalid-time", severity: "error", message: `\`${t.image}\` is not a time of day`, span, hint: "write times as `HH:MM` from `00:00` to `23:59`" });
    }
    return { kind: "time", text: t.image, minutes: Math.min(h, 23) * 60 + Math.min(m, 59), span };
  }

  private literal(t: IToken): A.Expr {
    const span = this.tspan(t);
    switch (t.tokenType) {
      case T.Kw["true"]:
        return { kind: "bool", value: true, span };
      case T.Kw["false"]:
        return { kind: "bool", value: false, span };
      case T.IntegerLit:
        return { kind: "int", value: this.safeInt(t), span };
      case T.DecimalLit:
        return { kind: "decimal", value: this.finite(t), raw: t.image, span };
      case T.StringLit:
        return this.stringLit(t);
      case T.DateLit: {
        const day = parseDateLiteral(t.image);
        if (day === undefined) this.report({ code: "syntax/invalid-date", severity: "error", message: `\`${t.image}\` is not a calendar date`, span, hint: "write dates as `YYYY-MM-DD` with a real month and day" });
        return { kind: "date", text: t.image, day: day ?? 0, span };
      }
      case T.DateTimeLit:
      case T.MalformedDateTime: {
        const ms = parseDateTimeLiteral(t.image);
        if (ms === undefined) this.report({ code: "syntax/invalid-datetime", severity: "error", message: `\`${t.image}\` is not a valid datetime`, span, hint: datetimeHint(t.image) });
        return { kind: "datetime", text: t.image, ms: ms ?? 0, span };
      }
      case T.DurationLit:
        return this.duration(t);
      default:
        return { kind: "error", span };
    }
  }

  // Reason templates: `"text {expr} text"`; `{{` and `}}` are literal braces.
  private template(t: IToken): A.Template {
    const span = this.tspan(t);
    const raw = t.image;
    const parts: A.TemplatePart[] = [];
    let text = "";
    let textStart = span.start + 1;
    const flush = (endOffset: number) => {
      if (text) parts.push({ kind: "text", text: decodeString(`"${text}"`), span: this.file.span(textStart, endOffset) });
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
        this.report({ code: "syntax/template-brace", severity: "error", message: "unmatched `}` in reason", span: this.file.span(span.start + i, span.start + i + 1), hint: "write a literal brace as `}}`" });
        i++;
        continue;
      }
      if (ch === "{") {
        const close = raw.indexOf("}", i + 1);
        if (close < 0 || close >= raw.length - 1) {
          this.report({ code: "syntax/template-brace", severity: "error", message: "unclosed `{` in reason", span: this.file.span(span.start + i, span.start + i + 1), hint: "close the interpolation with `}`, or write a literal brace as `{{`" });
          text += raw.slice(i, raw.length - 1).replace(/[{}]/g, "");
          break;
        }
        flush(span.start + i);
        const inner = raw.slice(i + 1, close);
        const base = span.start + i + 1;
        const pspan = this.file.span(span.start + i, span.start + close + 1);
        if (inner.includes('"') || inner.includes("\\")) {
          this.report({ code: "syntax/template-string", severity: "error", message: "a string literal cannot appear inside `{…}` in a reason", span: pspan, hint: "move the text outside the braces" });
        } else if (inner.trim() === "") {
          this.report({ code: "syntax/template-empty", severity: "error", message: "empty `{}` in reason", span: pspan, hint: "put an expression inside the braces, or write `{{}}` for literal braces" });
        } else {
          const sub = parseExpression(this.file, inner, base);
          this.diagnostics.push(...sub.diagnostics);
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

  // --- expressions ----------------------------------------------------------------------------

  expression(n: CstNode, fallback: Fallback): A.Expr {
    const inner = n.name === "expression" ? this.node(n, "orExpr") : n;
    if (!inner) return { kind: "error", span: this.nspan(n, fallback) };
    return this.binaryChain(inner, fallback);
  }

  /** The operands of a chain, lowered; just the expression when there is one (the chain is that operand). */
  private operands(n: CstNode, fallback: Fallback): A.Expr[] | A.Expr {
    const nodes = this.nodes(n, "operand");
    // Most chains are a single operand (each expression passes through four chain levels).
    if (nodes.length === 1) return this.binaryChain(nodes[0]!, fallback);
    return nodes.map((o) => this.binaryChain(o, fallback));
  }

  // orExpr / andExpr / additive / multiplicative share the shape `operand (op operand)*`.
  private binaryChain(n: CstNode, fallback: Fallback): A.Expr {
    // What `nspan(n, fallback)` would give, for the children and for error nodes.
    const span = this.within(n, fallback);
    switch (n.name) {
      case "orExpr":
      case "andExpr": {
        const ops = this.operands(n, span);
        if (!Array.isArray(ops)) return ops;
        const kwToks = ops.length > 1 ? this.toks(n, n.name === "orExpr" ? "Kw_or" : "Kw_and") : NO_TOKENS;
        return this.fold(ops, kwToks, n.name === "orExpr" ? "or" : "and", span);
      }
      case "notExpr": {
        const not = this.tok(n, "not");
        if (not) {
          const operand = this.node(n, "operand");
          const e = operand ? this.binaryChain(operand, span) : ({ kind: "error", span: this.resolve(span) } as A.Expr);
          return { kind: "unary", op: "not", operand: e, span: joinSpans(this.tspan(not), e.span) };
        }
        const c = this.node(n, "comparison");
        return c ? this.comparison(c, span) : { kind: "error", span: this.resolve(span) };
      }
      case "additive":
      case "multiplicative": {
        const ops = this.operands(n, span);
        if (!Array.isArray(ops)) return ops;
        const opToks = ops.length > 1 ? this.toks(n, "op") : NO_TOKENS;
        return this.foldTokens(ops, opToks, span);
      }
      case "unary": {
        const minus = this.tok(n, "minus");
        if (minus) {
          const operand = this.node(n, "operand");
          const e = operand ? this.binaryChain(operand, span) : ({ kind: "error", span: this.resolve(span) } as A.Expr);
          // A negative literal is a literal, so `-5` prints and folds as written.
          if (e.kind === "int" || e.kind === "decimal") {
            const s = joinSpans(this.tspan(minus), e.span);
            return e.kind === "int" ? { kind: "int", value: -e.value, span: s } : { kind: "decimal", value: -e.value, raw: `-${e.raw}`, span: s };
          }
          return { kind: "unary", op: "neg", operand: e, span: joinSpans(this.tspan(minus), e.span) };
        }
        const p = this.node(n, "primary");
        return p ? this.primary(p, span) : { kind: "error", span: this.resolve(span) };
      }
      default:
        return { kind: "error", span: this.resolve(span) };
    }
  }

  private fold(ops: A.Expr[], kwToks: readonly IToken[], op: "and" | "or", span: Fallback): A.Expr {
    if (ops.length === 0) return { kind: "error", span: this.resolve(span) };
    let acc = ops[0]!;
    for (let i = 1; i < ops.length; i++) {
      const right = ops[i]!;
      const t = kwToks[i - 1];
      acc = { kind: "binary", op, left: acc, right, opSpan: t ? this.tspan(t) : right.span, span: joinSpans(acc.span, right.span) };
    }
    return acc;
  }

  private foldTokens(ops: A.Expr[], opToks: readonly IToken[], span: Fallback): A.Expr {
    if (ops.length === 0) return { kind: "error", span: this.resolve(span) };
    let acc = ops[0]!;
    for (let i = 1; i < ops.length; i++) {
      const right = ops[i]!;
      const t = opToks[i - 1];
      const op = (t?.image ?? "+") as A.ArithmeticOp;
      acc = { kind: "binary", op, left: acc, right, opSpan: t ? this.tspan(t) : right.span, span: joinSpans(acc.span, right.span) };
    }
    return acc;
  }

  private comparison(n: CstNode, fallback: Fallback): A.Expr {
    const span = this.within(n, fallback);
    const leftN = this.node(n, "left");
    const left = leftN ? this.binaryChain(leftN, span) : ({ kind: "error", span: this.resolve(span) } as A.Expr);
    const is = this.tok(n, "is");
    if (is) {
      const set = this.tok(n, "set");
      return { kind: "is_set", operand: left, negated: this.tok(n, "isNot") !== undefined, span: joinSpans(left.span, set ? this.tspan(set) : this.tspan(is)) };
    }
    const rightN = this.node(n, "right");
    const opTok = this.tok(n, "op") ?? this.tok(n, "in");
    if (!opTok) return left;
    const right = rightN ? this.binaryChain(rightN, span) : ({ kind: "error", span: this.tspan(opTok) } as A.Expr);
    const notIn = this.tok(n, "notIn");
    const op: A.BinaryOp = opTok.image === "in" ? (notIn ? "not in" : "in") : (opTok.image as A.ComparisonOp);
    const opSpan = notIn ? joinSpans(this.tspan(notIn), this.tspan(opTok)) : this.tspan(opTok);
    return { kind: "binary", op, left, right, opSpan, span: joinSpans(left.span, right.span) };
  }

  private primary(n: CstNode, fallback: Fallback): A.Expr {
    const span = this.within(n, fallback);
    const lit = this.tok(n, "literal");
    if (lit) return this.literal(lit);
    const list = this.node(n, "list");
    if (list) {
      const items = this.nodes(list, "item").map((i) => this.expression(i, span));
      return { kind: "list", items, span: this.nspan(list, span) };
    }
    const paren = this.node(n, "paren");
    if (paren) {
      const inner = this.node(paren, "inner");
      const pspan = this.nspan(paren, span);
      return { kind: "paren", inner: inner ? this.expression(inner, pspan) : { kind: "error", span: pspan }, span: pspan };
    }
    const q = this.node(n, "quantifier");
    if (q) {
      const qt = this.tok(q, "q");
      const v = this.tok(q, "variable");
      const l = this.node(q, "list");
      const b = this.node(q, "body");
      const qspan = this.nspan(q, span);
      if (!qt || !v) return { kind: "error", span: qspan };
      return {
        kind: "quantifier",
        quantifier: qt.image as A.QuantifierKind,
        variable: this.ident(v),
        list: l ? this.binaryChain(l, qspan) : { kind: "error", span: qspan },
        body: b ? this.expression(b, qspan) : { kind: "error", span: qspan },
        span: qspan,
      };
    }
    const ref = this.node(n, "ref");
    if (ref) {
      const head = this.tok(ref, "head");
      if (!head) return { kind: "error", span: this.nspan(ref, span) };
      if (this.tok(ref, "call") !== undefined) {
        const rspan = this.nspan(ref, span);
        const args = this.nodes(ref, "arg").map((a) => this.expression(a, rspan));
        return { kind: "call", callee: this.ident(head), args, span: rspan };
      }
      const members = this.toks(ref, "member");
      const first = this.ident(head);
      // Array literals, sized exactly: paths are many and live as long as the program.
      const segments: A.Ident[] = members.length === 0 ? [first] : members.length === 1 ? [first, this.ident(members[0]!)] : [first, ...members.map((m) => this.ident(m))];
      return { kind: "path", segments, span: segments.length === 1 ? segments[0]!.span : joinSpans(segments[0]!.span, segments[segments.length - 1]!.span) };
    }
    return { kind: "error", span: this.resolve(span) };
  }
}

/** Decodes a JSON-escaped string literal (quotes included). */
export function decodeString(image: string): string {
  try {
    const v: unknown = JSON.parse(image);
    return typeof v === "string" ? v : image.slice(1, -1);
  } catch {
    return image.slice(1, -1);
  }
}
