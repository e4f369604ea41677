// The TextMate grammar of `.journey` for editors/vscode, derived from the grammar's one token
// table (grammar/tokens.ts `highlightRules()`) like the playground's Monarch tokenizer, so an
// editor highlights exactly the words and literals the lexer lexes. test/lsp/vscode-extension
// checks the committed file equals this; regenerate it by writing `textMateJson()` to
// editors/vscode/syntaxes/journey.tmLanguage.json (docs/editors.md shows the one-line command).
import { highlightRules, type TokenClass } from "../grammar/tokens.ts";

/** TextMate scope of each highlighting class. */
const SCOPES: Readonly<Record<TokenClass, string>> = {
  keyword: "keyword.control.journey",
  operator: "keyword.operator.word.journey",
  constant: "constant.language.journey",
  number: "constant.numeric.journey",
  string: "string.quoted.double.journey",
  date: "constant.numeric.date.journey",
  duration: "constant.numeric.duration.journey",
  identifier: "variable.other.journey",
  punctuation: "punctuation.journey",
  comment: "comment.line.number-sign.journey",
};

/** The grammar as an object (the tmLanguage JSON format). */
export function textMateGrammar(): Record<string, unknown> {
  const rules = highlightRules();
  const patterns: { match: string; name: string }[] = [];
  for (const [cls, words] of Object.entries(rules.keywords) as [TokenClass, string[]][]) {
    if (words.length > 0) patterns.push({ match: `\\b(?:${words.join("|")})\\b`, name: SCOPES[cls] });
  }
  for (const p of rules.patterns) patterns.push({ match: p.regex, name: SCOPES[p.cls] });
  return {
    $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
    name: "Journey",
    scopeName: "source.journey",
    fileTypes: ["journey"],
    patterns,
  };
}

/** The grammar file's exact text. */
export function textMateJson(): string {
  return `${JSON.stringify(textMateGrammar(), null, 2)}\n`;
}
