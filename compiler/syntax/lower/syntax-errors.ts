// Syntax errors as diagnostics: chevrotain's recognition exceptions turned into one message per
// offending token, in the user's words ("expected a clause, found `whn`"), with the likely fix
// (a misspelt keyword, `and` for `&&`) as the hint.
import type { IRecognitionException, IToken } from "chevrotain";
import * as T from "../../../grammar/tokens.ts";
import type { Diagnostic } from "../../../core/diagnostics.ts";
import type { SourceFile } from "../../../core/source.ts";
import type { RuleName } from "./cst.ts";

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

// Rules whose errors read as "expected a value" / "expected an expression". Typed by the
// generated rule names, so a renamed rule is a type error here too.
const VALUE_RULES: readonly string[] = ["testItem", "testField", "testRecord", "testList", "testArgs", "testWord"] satisfies readonly RuleName[];
const EXPRESSION_RULES: readonly string[] = [
  "primary",
  "unary",
  "multiplicative",
  "additive",
  "comparison",
  "notExpr",
  "andExpr",
  "orExpr",
  "expression",
] satisfies readonly RuleName[];

// Chevrotain sets the token before the error on its exceptions, but does not declare it.
function previousToken(e: IRecognitionException): IToken | undefined {
  return (e as IRecognitionException & { readonly previousToken?: IToken }).previousToken;
}

function describeToken(t: IToken): string {
  if (t.tokenType.name === "EOF" || Number.isNaN(t.startOffset)) return "end of file";
  const img = t.image.length > 30 ? t.image.slice(0, 30) + "…" : t.image;
  return `\`${img}\``;
}

/** The diagnostic of one recognition error; `eofAt` is where "end of file" is (the end of the parsed range). */
export function syntaxDiagnostic(file: SourceFile, e: IRecognitionException, eofAt = file.text.length): Diagnostic {
  const tok = e.token;
  const atEof = tok.tokenType.name === "EOF" || Number.isNaN(tok.startOffset);
  const start = atEof ? eofAt : tok.startOffset;
  const end = atEof ? eofAt : (tok.endOffset ?? tok.startOffset) + 1;
  const rules = e.context?.ruleStack ?? [];
  // Chevrotain's rule stack holds rule names; typed so that comparing with a rule that does not exist is an error.
  const inRule = (rules[rules.length - 1] ?? "") as RuleName | "";
  const found = describeToken(tok);
  let message: string;
  let hint: string | undefined;
  if (e.name === "MismatchedTokenException") {
    const expected = /-->\s*(\w+)\s*<--/.exec(e.message)?.[1];
    const exp = expected
      ? ((Object.hasOwn(TOKEN_NAMES, expected) ? TOKEN_NAMES[expected] : undefined) ?? (expected.startsWith("Kw_") ? `\`${expected.slice(3)}\`` : expected))
      : "something else";
    message = `expected ${exp}, found ${found}`;
    const unclosed = expected === "RBrace" && !atEof ? unclosedBlock(file, inRule, tok, previousToken(e)) : undefined;
    if (unclosed) return unclosed;
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
  } else if (VALUE_RULES.includes(inRule)) {
    message = `expected a value, found ${found}`;
    hint = 'values are literals (`12`, `"retail"`, `2026-05-31`, `2026-03-02T10:00:00Z`, `3d`), records `{ name: value }` and lists `[…]`';
  } else if (EXPRESSION_RULES.includes(inRule)) {
    message = `expected an expression, found ${found}`;
    hint = exprHint(tok, previousToken(e));
  } else {
    message = `unexpected ${found}`;
  }
  const d: Diagnostic = { code: atEof ? "syntax/unexpected-eof" : "syntax/unexpected-token", severity: "error", message, span: file.span(start, end) };
  return hint === undefined ? d : { ...d, hint };
}

/** One diagnostic per offending token: recovery can report the same spot twice. */
export function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.code}@${d.span.start}`;
    if (d.code.startsWith("syntax/") && seen.has(key)) return false;
    seen.add(key);
    return true;
  });
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
  return 'a file holds `journey NAME { … }`, `condition NAME = …`, `test "…" { … }` and `property "…" { … }` declarations';
}

function statementHint(block: "test" | "property"): string {
  const words =
    block === "test"
      ? ["now", "region", "subject", "event", "given", "consent", "objection", "history", "expect"]
      : ["on", "now", "region", "subject", "given", "consent", "objection", "history", "assume", "expect", "runs"];
  return `a ${block} holds one statement per line: ${words.map((w) => `\`${w}\``).join(", ")}`;
}

function exprHint(tok: IToken, prev: IToken | undefined): string | undefined {
  if (tok.image === "&&") return "use `and`";
  if (tok.image === "||") return "use `or`";
  if (tok.tokenType === T.Equals) return "compare with `==`";
  // `when a and` followed by the next clause: the expression stopped half-way.
  const dangling = prev && !Number.isNaN(prev.startOffset) ? prev.image : undefined;
  if (dangling && T.CLAUSE_KEYWORDS.includes(tok.image)) {
    const op = ["and", "or", "not", "in", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/"].includes(dangling) ? dangling : undefined;
    return op
      ? `\`${op}\` needs an operand after it: complete the expression before \`${tok.image}\`, or remove the trailing \`${op}\``
      : `the expression ends before \`${tok.image}\`: write it before the next clause`;
  }
  return undefined;
}

/**
 * A block whose `}` is missing, seen when the next declaration (`journey`, `condition`, `test`,
 * `property`) starts inside it: one error at the block that lacks the brace (its header), with
 * the fix, instead of an error at the next declaration.
 */
function unclosedBlock(file: SourceFile, inRule: string, tok: IToken, prev: IToken | undefined): Diagnostic | undefined {
  const kinds: Record<string, string> = { journeyDecl: "journey", testDecl: "test", propertyDecl: "property" };
  const kind = Object.hasOwn(kinds, inRule) ? kinds[inRule] : undefined;
  if (!kind || !["journey", "condition", "test", "property"].includes(tok.image)) return undefined;
  // The header of the open block: the last `journey NAME {` (or `test "…" {`) before the token.
  const before = file.text.slice(0, tok.startOffset);
  const re =
    kind === "journey" ? /(^|\n)[ \t]*journey[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\{/g : new RegExp(`(^|\\n)[ \\t]*${kind}[ \\t]+("[^"\\n]*")[ \\t]*\\{`, "g");
  let header: RegExpExecArray | undefined;
  for (let m = re.exec(before); m; m = re.exec(before)) header = m;
  const afterLast = prev && !Number.isNaN(prev.startOffset) ? (prev.endOffset ?? prev.startOffset) + 1 : tok.startOffset;
  const start = header ? header.index + header[1]!.length + header[0]!.slice(header[1]!.length).search(/\S/) : afterLast;
  const end = header ? header.index + header[0]!.length : afterLast;
  const name = header ? ` ${kind === "journey" ? `\`${header[2]}\`` : header[2]}` : "";
  const line = file.position(afterLast).line;
  return {
    code: "syntax/unexpected-token",
    severity: "error",
    message: `${kind}${name} is missing its closing \`}\``,
    span: file.span(start, end),
    hint: `add \`}\` after line ${line}, before \`${tok.image}\` on line ${file.position(tok.startOffset).line}`,
  };
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
