// The lexer: text → tokens, with lexing problems as diagnostics (never thrown).
import { Lexer, type IToken, type TokenType } from "chevrotain";
import type { Diagnostic } from "../core/diagnostics.ts";
import type { SourceFile } from "../core/source.ts";
import { allTokens, Identifier, Kw, KEYWORD_SPECS, UnterminatedString } from "./tokens.ts";

/**
 * Keyword tokens by word. A keyword's pattern matches exactly where the whole identifier at that
 * place is the word (it ends at a word boundary), so keywords are lexed as identifiers and then
 * retyped by their text: the same tokens, with one pattern tried per word rather than every
 * keyword that starts with its letter first.
 */
const KEYWORDS: ReadonlyMap<string, TokenType> = new Map(KEYWORD_SPECS.map((k) => [k.word, Kw[k.word]!]));
const KEYWORD_TYPES: ReadonlySet<TokenType> = new Set(KEYWORDS.values());

// Process-wide and safe: chevrotain's Lexer carries no state between tokenize calls, and
// building one analyses every token pattern, so it is built once.
const lexer = new Lexer(
  allTokens.filter((t) => !KEYWORD_TYPES.has(t)),
  { positionTracking: "full", ensureOptimizations: false },
);

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
}

export function lex(file: SourceFile, text: string = file.text, base = 0): LexResult {
  const result = lexer.tokenize(text);
  for (const t of result.tokens) {
    if (t.tokenType !== Identifier) continue;
    const keyword = KEYWORDS.get(t.image);
    if (keyword) {
      t.tokenType = keyword;
      t.tokenTypeIdx = keyword.tokenTypeIdx!;
    }
  }
  const diagnostics: Diagnostic[] = [];
  // Usually chevrotain's own array is the answer: copy (and shift) only when needed.
  const copy = base !== 0 || result.tokens.some((t) => t.tokenType === UnterminatedString);
  const tokens: IToken[] = copy ? [] : result.tokens;
  if (copy) {
    for (const t of result.tokens) {
      if (t.tokenType === UnterminatedString) {
        diagnostics.push({
          code: "syntax/unterminated-string",
          severity: "error",
          message: "unterminated string literal",
          span: file.span(base + t.startOffset, base + t.startOffset + t.image.length),
          hint: 'close the string with `"` on the same line; write a quote inside a string as `\\"`',
        });
        continue;
      }
      tokens.push(base ? shift(t, base) : t);
    }
  }
  for (const e of result.errors) {
    const ch = text.slice(e.offset, e.offset + Math.max(1, e.length));
    diagnostics.push({
      code: "syntax/unexpected-character",
      severity: "error",
      message: `unexpected character${ch.length > 1 ? "s" : ""} \`${ch.length > 20 ? ch.slice(0, 20) + "…" : ch}\``,
      span: file.span(base + e.offset, base + e.offset + Math.max(1, e.length)),
      hint: hintForCharacter(ch),
    });
  }
  const comments = ((result.groups["comments"] as IToken[] | undefined) ?? []).map((t) => (base ? shift(t, base) : t));
  return { tokens, comments, diagnostics };
}

function shift(t: IToken, base: number): IToken {
  return { ...t, startOffset: t.startOffset + base, endOffset: (t.endOffset ?? t.startOffset) + base };
}

function hintForCharacter(ch: string): string {
  if (ch.startsWith("'")) return 'strings use double quotes: `"…"`';
  if (ch.startsWith("&")) return "use `and`";
  if (ch.startsWith("|")) return "use `or`";
  if (ch.startsWith("!")) return "use `not`, or `!=` for inequality";
  if (ch.startsWith("/")) return "comments start with `#`";
  if (ch.startsWith("\ufffd")) return "the file is not valid UTF-8; save it as UTF-8";
  return "remove it, or put it inside a string literal";
}
