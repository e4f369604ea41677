// The `.journey` Monarch tokenizer, generated from the grammar's one token table
// (`highlightRules()`), so the editor highlights exactly the words and literals the lexer lexes.
import type { languages } from "monaco-editor/editor/editor.api";
import { highlightRules, type TokenClass } from "../../grammar/tokens.ts";

/** Monaco token name of each highlighting class (themes colour these). */
export const TOKEN_NAMES: Readonly<Record<TokenClass, string>> = {
  keyword: "keyword",
  operator: "keyword.operator",
  constant: "constant",
  number: "number",
  string: "string",
  date: "number.date",
  duration: "number.duration",
  identifier: "identifier",
  punctuation: "delimiter",
  comment: "comment",
};

/** The Monarch language definition of `.journey`. */
export function journeyMonarch(): languages.IMonarchLanguage {
  const rules = highlightRules();
  const cases: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  for (const [cls, words] of Object.entries(rules.keywords) as [TokenClass, string[]][]) {
    if (words.length === 0) continue;
    lists[`${cls}Words`] = words;
    cases[`@${cls}Words`] = TOKEN_NAMES[cls];
  }
  cases["@default"] = TOKEN_NAMES.identifier;
  const root: languages.IMonarchLanguageRule[] = [[/[ \t\r\n]+/, "white"]];
  for (const p of rules.patterns) {
    // The comment pattern comes first in the table; an identifier rule must precede operators
    // but follow literals (a duration `30d` is not the number `30` and the name `d`).
    if (p.cls === "operator") root.push([/[A-Za-z_][A-Za-z0-9_]*/, { cases }]);
    root.push([new RegExp(p.regex), TOKEN_NAMES[p.cls]]);
  }
  // A string with no closing quote: shown as a string up to the end of the line, marked invalid.
  root.push([/"[^"]*$/, "string.invalid"]);
  return { defaultToken: "invalid", tokenPostfix: ".journey", ...lists, tokenizer: { root } };
}

/** Brackets, comments and auto-closing for `.journey`. */
export const journeyConfiguration: languages.LanguageConfiguration = {
  comments: { lineComment: "#" },
  brackets: [
    ["{", "}"],
    ["[", "]"],
    ["(", ")"],
  ],
  autoClosingPairs: [
    { open: "{", close: "}" },
    { open: "[", close: "]" },
    { open: "(", close: ")" },
    { open: '"', close: '"', notIn: ["string"] },
  ],
  surroundingPairs: [
    { open: "(", close: ")" },
    { open: "[", close: "]" },
    { open: '"', close: '"' },
  ],
  indentationRules: { increaseIndentPattern: /\{[^}]*$/, decreaseIndentPattern: /^\s*\}/ },
  wordPattern: /[A-Za-z_][A-Za-z0-9_]*/,
};
