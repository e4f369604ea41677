// The typed AST of the journey language: strict, every node with a `kind` and a `span`.
// The CST may be partial after error recovery; lowering (lower.ts) turns what is usable
// into these nodes and marks the rest with `error` expressions.
import type { Span } from "../../core/source.ts";

export interface Ident {
  readonly kind: "ident";
  readonly name: string;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export interface BoolLit {
  readonly kind: "bool";
  readonly value: boolean;
  readonly span: Span;
}
export interface IntLit {
  readonly kind: "int";
  readonly value: number;
  readonly span: Span;
}
export interface DecimalLit {
  readonly kind: "decimal";
  readonly value: number;
  /** As written, so the formatter keeps `1.50`. */
  readonly raw: string;
  readonly span: Span;
}
export interface StringLit {
  readonly kind: "string";
  readonly value: string;
  readonly span: Span;
}
export interface DateLit {
  readonly kind: "date";
  /** `YYYY-MM-DD` as written. */
  readonly text: string;
  /** Days since 1970-01-01 (UTC). */
  readonly day: number;
  readonly span: Span;
}
export interface DateTimeLit {
  readonly kind: "datetime";
  readonly text: string;
  /** Milliseconds since the epoch. */
  readonly ms: number;
  readonly span: Span;
}
export interface DurationLit {
  readonly kind: "duration";
  /** As written: `90d`. */
  readonly text: string;
  readonly ms: number;
  readonly span: Span;
}
export interface ListLit {
  readonly kind: "list";
  readonly items: readonly Expr[];
  readonly span: Span;
}

/** `a`, `a.b`, `a.b.c`: resolved by the checker to a field, event field, variable, `now` or condition. */
export interface PathExpr {
  readonly kind: "path";
  readonly segments: readonly Ident[];
  readonly span: Span;
}

export interface CallExpr {
  readonly kind: "call";
  readonly callee: Ident;
  readonly args: readonly Expr[];
  readonly span: Span;
}

export type UnaryOp = "not" | "neg";
export interface UnaryExpr {
  readonly kind: "unary";
  readonly op: UnaryOp;
  readonly operand: Expr;
  readonly span: Span;
}

export type LogicalOp = "and" | "or";
export type ComparisonOp = "==" | "!=" | "<" | "<=" | ">" | ">=";
export type ArithmeticOp = "+" | "-" | "*" | "/";
export type BinaryOp = LogicalOp | ComparisonOp | ArithmeticOp | "in" | "not in";

export interface BinaryExpr {
  readonly kind: "binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  /** The operator token, for diagnostics about the operation itself. */
  readonly opSpan: Span;
  readonly span: Span;
}

/** `x is set` / `x is not set`. */
export interface IsSetExpr {
  readonly kind: "is_set";
  readonly operand: Expr;
  readonly negated: boolean;
  readonly span: Span;
}

export type QuantifierKind = "any" | "all" | "count";
/** `any x in list: body` (also `all`, `count`). */
export interface QuantifierExpr {
  readonly kind: "quantifier";
  readonly quantifier: QuantifierKind;
  readonly variable: Ident;
  readonly list: Expr;
  readonly body: Expr;
  readonly span: Span;
}

/** `( inner )`, kept so spans, the formatter and traces show what the author wrote. */
export interface ParenExpr {
  readonly kind: "paren";
  readonly inner: Expr;
  readonly span: Span;
}

/** Where the parser recovered from a syntax error; already reported, never re-reported. */
export interface ErrorExpr {
  readonly kind: "error";
  readonly span: Span;
}

export type LiteralExpr = BoolLit | IntLit | DecimalLit | StringLit | DateLit | DateTimeLit | DurationLit;
export type Expr = LiteralExpr | ListLit | PathExpr | CallExpr | UnaryExpr | BinaryExpr | IsSetExpr | QuantifierExpr | ParenExpr | ErrorExpr;

// ---------------------------------------------------------------------------------------------
// Clauses and declarations

/** A piece of a `reason` template: literal text or an interpolated `{expr}`. */
export type TemplatePart =
  | { readonly kind: "text"; readonly text: string; readonly span: Span }
  | { readonly kind: "expr"; readonly expr: Expr; readonly span: Span };

export interface Template {
  readonly kind: "template";
  readonly parts: readonly TemplatePart[];
  /** The whole string literal, quotes included. */
  readonly span: Span;
}

export interface TimeOfDay {
  readonly kind: "time";
  readonly text: string;
  /** Minutes after midnight. */
  readonly minutes: number;
  readonly span: Span;
}

export interface NamedArg {
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
}

export type Clause =
  | { readonly kind: "title"; readonly value: StringLit; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: "purpose"; readonly name: Ident; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: "risk"; readonly level: Ident; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: "priority"; readonly value: number; readonly valueSpan: Span; readonly span: Span; readonly keywordSpan: Span }
  | {
      readonly kind: "on";
      /** Dotted event name as written: `claim.filed`. */
      readonly event: Ident;
      readonly timers: readonly DurationLit[];
      readonly span: Span;
      readonly keywordSpan: Span;
    }
  | { readonly kind: "when"; readonly expr: Expr; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: "do"; readonly action: Ident; readonly args: readonly NamedArg[]; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: "cap"; readonly count: IntLit; readonly window: DurationLit; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: "quiet"; readonly from: TimeOfDay; readonly to: TimeOfDay; readonly span: Span; readonly keywordSpan: Span }
  | {
      readonly kind: "holdout";
      readonly percent: number;
      readonly percentText: string;
      readonly percentSpan: Span;
      readonly salt?: StringLit;
      readonly span: Span;
      readonly keywordSpan: Span;
    }
  /** `goal renewal within 30d` (docs/value.md): the outcome type the journey is judged on, and the window. */
  | { readonly kind: "goal"; readonly type: Ident; readonly window: DurationLit; readonly span: Span; readonly keywordSpan: Span }
  /** `stop_loss complaint_rate > 0.5% or … min 200` (docs/value.md#stop-loss). */
  | {
      readonly kind: "stop_loss";
      readonly conditions: readonly StopLossCondition[];
      /** `min N`, as written; absent: the default. */
      readonly min?: IntLit;
      readonly span: Span;
      readonly keywordSpan: Span;
    }
  | { readonly kind: "review"; readonly mode: Ident; readonly span: Span; readonly keywordSpan: Span }
  | { readonly kind: "reason"; readonly template: Template; readonly span: Span; readonly keywordSpan: Span };

export type ClauseKind = Clause["kind"];

/** One condition of a `stop_loss` clause: `complaint_rate > 0.5%`. */
export interface StopLossCondition {
  /** `<type>_rate` or `<type>_uplift`, as written. */
  readonly metric: Ident;
  readonly percent: number;
  /** As written: `0.5%`. */
  readonly percentText: string;
  readonly percentSpan: Span;
  readonly span: Span;
}

export interface JourneyDecl {
  readonly kind: "journey";
  readonly name: Ident;
  readonly clauses: readonly Clause[];
  readonly span: Span;
}

export interface ConditionDecl {
  readonly kind: "condition";
  readonly name: Ident;
  readonly body: Expr;
  readonly span: Span;
}

export type Decl = JourneyDecl | ConditionDecl;

// ---------------------------------------------------------------------------------------------
// Test and property blocks (docs/testing.md). Statements are one per line: a keyword and its
// arguments; their meaning is checked by compiler/tests/, so the AST only keeps their shape.

/** An argument of a test statement: a dotted word, a literal, `{ k: v }`, `[ … ]` or `(k: v)`. */
export type TestValue =
  | { readonly kind: "word"; readonly parts: readonly Ident[]; readonly text: string; readonly span: Span }
  | { readonly kind: "literal"; readonly value: LiteralExpr; readonly span: Span }
  | { readonly kind: "record"; readonly fields: readonly TestField[]; readonly span: Span }
  | { readonly kind: "list"; readonly items: readonly TestValue[]; readonly span: Span }
  | { readonly kind: "args"; readonly fields: readonly TestField[]; readonly span: Span }
  /** A token no statement takes (`21:00`, `10%`), kept so the checker can say so. */
  | { readonly kind: "other"; readonly text: string; readonly span: Span };

/** `name: value` inside `{ … }` or `( … )`. */
export interface TestField {
  readonly name: Ident;
  readonly value: TestValue;
  readonly span: Span;
}

/** One line of a `test` or `property`: `now …`, `given customer { … }`, `expect …`, `on …`. */
export interface TestStatement {
  readonly kind: "statement";
  readonly keyword: Ident;
  readonly args: readonly TestValue[];
  /** The expression of `assume EXPR` / `expect EXPR` in a property. */
  readonly expr?: Expr;
  /** `on E` / `on E after D` in a property. */
  readonly trigger?: { readonly event: Ident; readonly timers: readonly DurationLit[] };
  readonly span: Span;
}

/** `test "name" { … }`: one example request and what its decision must be. */
export interface TestDecl {
  readonly kind: "test";
  readonly name: StringLit;
  readonly statements: readonly TestStatement[];
  readonly span: Span;
}

/** `property "name" { … }`: an invariant over generated requests. */
export interface PropertyDecl {
  readonly kind: "property";
  readonly name: StringLit;
  readonly statements: readonly TestStatement[];
  readonly span: Span;
}

export type TestBlock = TestDecl | PropertyDecl;

/** One `.journey` file. */
export interface JourneyFile {
  readonly kind: "file";
  readonly name: string;
  readonly decls: readonly Decl[];
  /** `test` and `property` blocks, in source order; absent when the file has none. */
  readonly tests?: readonly TestBlock[];
  readonly span: Span;
}

/** The direct sub-expressions of `e`, left to right. */
export function subExpressions(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case "list":
      return e.items;
    case "call":
      return e.args;
    case "unary":
    case "is_set":
      return [e.operand];
    case "binary":
      return [e.left, e.right];
    case "quantifier":
      return [e.list, e.body];
    case "paren":
      return [e.inner];
    default:
      return [];
  }
}

/**
 * Pushes the direct sub-expressions of `e` onto `stack` right to left, so that they pop left to
 * right: `subExpressions` for the iterative walks, without an array per expression.
 */
export function pushSubExpressions(e: Expr, stack: Expr[]): void {
  switch (e.kind) {
    case "list":
      for (let i = e.items.length - 1; i >= 0; i--) stack.push(e.items[i]!);
      return;
    case "call":
      for (let i = e.args.length - 1; i >= 0; i--) stack.push(e.args[i]!);
      return;
    case "unary":
    case "is_set":
      stack.push(e.operand);
      return;
    case "binary":
      stack.push(e.right, e.left);
      return;
    case "quantifier":
      stack.push(e.body, e.list);
      return;
    case "paren":
      stack.push(e.inner);
      return;
    default:
      return;
  }
}

/**
 * Calls `visit` on `e` and every sub-expression, parents first, left to right. Iterative: an
 * expression as deep as the parser allows (a long `and` chain) must not exhaust the stack.
 */
export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const next = stack.pop()!;
    visit(next);
    pushSubExpressions(next, stack);
  }
}

/** The dotted text of a path: `customer.tenure_months`. */
export function pathText(p: PathExpr): string {
  // A loop rather than `map(…).join(".")`: every stage asks for the text of every path.
  const segs = p.segments;
  let text = segs[0]?.name ?? "";
  for (let i = 1; i < segs.length; i++) text += `.${segs[i]!.name}`;
  return text;
}

/** The operands of a left-nested chain of one logical operator, in order (parentheses stop it). */
export function logicalChain(e: Expr): { readonly op: LogicalOp; readonly operands: Expr[] } | undefined {
  if (e.kind !== "binary" || (e.op !== "and" && e.op !== "or")) return undefined;
  const op = e.op;
  const operands: Expr[] = [];
  let cur: Expr = e;
  while (cur.kind === "binary" && cur.op === op) {
    operands.push(cur.right);
    cur = cur.left;
  }
  operands.push(cur);
  return { op, operands: operands.reverse() };
}
