// The one token table of the journey language: the lexer, the formatter and the editor's
// highlighting (playground) are all derived from it, so a keyword exists in exactly one place.
import { createToken, Lexer, type TokenType } from "chevrotain";

/** Any identifier-like word: identifiers and every keyword. Used where a keyword may name a field. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA });

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [Name],
});

/** Highlighting class of a token, for editors. */
export type TokenClass = "keyword" | "operator" | "constant" | "number" | "string" | "date" | "duration" | "identifier" | "punctuation" | "comment";

interface KeywordSpec {
  readonly word: string;
  readonly cls: TokenClass;
  /** Clause keywords start a clause inside `journey { … }`. */
  readonly clause?: boolean;
}

/** Every reserved word of the language, in one table. */
export const KEYWORD_SPECS: readonly KeywordSpec[] = [
  { word: "journey", cls: "keyword" },
  { word: "condition", cls: "keyword" },
  { word: "test", cls: "keyword" },
  { word: "property", cls: "keyword" },
  { word: "title", cls: "keyword", clause: true },
  { word: "purpose", cls: "keyword", clause: true },
  { word: "risk", cls: "keyword", clause: true },
  { word: "priority", cls: "keyword", clause: true },
  { word: "on", cls: "keyword", clause: true },
  { word: "after", cls: "keyword" },
  { word: "when", cls: "keyword", clause: true },
  { word: "do", cls: "keyword", clause: true },
  { word: "cap", cls: "keyword", clause: true },
  { word: "per", cls: "keyword" },
  { word: "quiet", cls: "keyword", clause: true },
  { word: "holdout", cls: "keyword", clause: true },
  { word: "salt", cls: "keyword" },
  { word: "goal", cls: "keyword", clause: true },
  { word: "within", cls: "keyword" },
  { word: "stop_loss", cls: "keyword", clause: true },
  { word: "min", cls: "keyword" },
  { word: "review", cls: "keyword", clause: true },
  { word: "reason", cls: "keyword", clause: true },
  { word: "and", cls: "operator" },
  { word: "or", cls: "operator" },
  { word: "not", cls: "operator" },
  { word: "in", cls: "operator" },
  { word: "is", cls: "operator" },
  { word: "set", cls: "operator" },
  { word: "any", cls: "keyword" },
  { word: "all", cls: "keyword" },
  { word: "count", cls: "keyword" },
  { word: "true", cls: "constant" },
  { word: "false", cls: "constant" },
];

function keyword(word: string): TokenType {
  return createToken({
    name: `Kw_${word}`,
    pattern: new RegExp(`${word}(?![A-Za-z0-9_])`),
    longer_alt: Identifier,
    categories: [Name],
  });
}

/** Keyword tokens by word. */
export const Kw: Readonly<Record<string, TokenType>> = Object.fromEntries(KEYWORD_SPECS.map((k) => [k.word, keyword(k.word)]));

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\r\n]*/, group: "comments" });

// Literals. Order matters: longer, more specific forms first.
export const DateTimeLit = createToken({
  name: "DateTimeLit",
  pattern: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})/,
});
/**
 * A timestamp written almost right (no offset, `+0100`, a space for `T`): lexed as a datetime
 * so the parser goes on and lowering reports it once, with the fix, instead of a token soup.
 */
export const MalformedDateTime = createToken({
  name: "MalformedDateTime",
  pattern: /\d{4}-\d{2}-\d{2}(?:T|[ \t]+(?=\d{2}:\d{2}))\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/,
  categories: [DateTimeLit],
});
export const DateLit = createToken({ name: "DateLit", pattern: /\d{4}-\d{2}-\d{2}(?![\dT])/ });
export const TimeOfDay = createToken({ name: "TimeOfDay", pattern: /\d{2}:\d{2}(?![\d:])/ });
export const DurationLit = createToken({ name: "DurationLit", pattern: /\d+[wdhms](?![A-Za-z0-9_])/ });
export const PercentLit = createToken({ name: "PercentLit", pattern: /\d+(?:\.\d+)?%/ });
export const DecimalLit = createToken({ name: "DecimalLit", pattern: /\d+\.\d+(?![A-Za-z_])/ });
export const IntegerLit = createToken({ name: "IntegerLit", pattern: /\d+(?![A-Za-z_\d])/ });
export const StringLit = createToken({
  name: "StringLit",
  pattern: /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/,
});
/** A string with no closing quote on its line: lexed so it can be reported precisely. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*/,
});

// Operators and punctuation.
export const EqEq = createToken({ name: "EqEq", pattern: /==/ });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/ });
export const LtEq = createToken({ name: "LtEq", pattern: /<=/ });
export const GtEq = createToken({ name: "GtEq", pattern: />=/ });
export const Lt = createToken({ name: "Lt", pattern: /</ });
export const Gt = createToken({ name: "Gt", pattern: />/ });
export const DotDot = createToken({ name: "DotDot", pattern: /\.\./ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/ });

/** All tokens in lexing order (categories included, as chevrotain requires). */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  DateTimeLit,
  MalformedDateTime,
  DateLit,
  TimeOfDay,
  DurationLit,
  PercentLit,
  DecimalLit,
  IntegerLit,
  StringLit,
  UnterminatedString,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Lt,
  Gt,
  DotDot,
  Dot,
  Comma,
  Colon,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  ...KEYWORD_SPECS.map((k) => Kw[k.word]!),
  Identifier,
  Name,
];

/** The words that start a clause inside a journey, for the formatter and completions. */
export const CLAUSE_KEYWORDS: readonly string[] = KEYWORD_SPECS.filter((k) => k.clause).map((k) => k.word);

/**
 * Highlighting rules as plain data (regex source + class), derived from this table, so an
 * editor (Monaco's Monarch) highlights exactly what the lexer lexes.
 */
export function highlightRules(): { keywords: Record<TokenClass, string[]>; patterns: { regex: string; cls: TokenClass }[] } {
  const keywords: Record<TokenClass, string[]> = {
    keyword: [],
    operator: [],
    constant: [],
    number: [],
    string: [],
    date: [],
    duration: [],
    identifier: [],
    punctuation: [],
    comment: [],
  };
  for (const k of KEYWORD_SPECS) keywords[k.cls].push(k.word);
  const src = (t: TokenType) => (t.PATTERN as RegExp).source;
  return {
    keywords,
    patterns: [
      { regex: src(Comment), cls: "comment" },
      { regex: src(DateTimeLit), cls: "date" },
      { regex: src(DateLit), cls: "date" },
      { regex: src(TimeOfDay), cls: "date" },
      { regex: src(DurationLit), cls: "duration" },
      { regex: src(PercentLit), cls: "number" },
      { regex: src(DecimalLit), cls: "number" },
      { regex: src(IntegerLit), cls: "number" },
      { regex: src(StringLit), cls: "string" },
      { regex: "==|!=|<=|>=|<|>|\\+|-|\\*|/|=|\\.\\.", cls: "operator" },
      { regex: "[()\\[\\]{},:.]", cls: "punctuation" },
    ],
  };
}
