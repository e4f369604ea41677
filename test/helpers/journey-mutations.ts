// Token-level mutations of `.journey` text for robustness properties and the fuzz target: one
// token deleted, duplicated, swapped with another, something inserted before it, or the file
// cut short there. Tokens come from the real lexer, so edits land on token boundaries.
import fc from "fast-check";
import { SourceFile } from "../../core/source.ts";
import { lex } from "../../grammar/lexer.ts";
import { KEYWORD_SPECS } from "../../grammar/tokens.ts";

/** What an `insert` edit puts in: every keyword, punctuation, literals of each kind, paths, a newline, a comment start. */
export const INSERTS: readonly string[] = [
  ...KEYWORD_SPECS.map((k) => k.word),
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  ",",
  ":",
  ".",
  "..",
  "==",
  "=",
  "-",
  '"',
  '"x"',
  "3d",
  "10%",
  "21:00",
  "2026-05-30",
  "customer",
  "policy.status",
  "\n",
  "#",
];

export type TokenOp = "delete" | "duplicate" | "swap" | "insert" | "truncate";

/** One token edit; `at` and `other` pick tokens modulo the file's token count. */
export interface TokenEdit {
  readonly op: TokenOp;
  readonly at: number;
  readonly other: number;
  readonly insert: string;
}

const tokenOp = fc.constantFrom<TokenOp>("delete", "duplicate", "swap", "insert", "truncate");

export const tokenEdit: fc.Arbitrary<TokenEdit> = fc.record({
  op: tokenOp,
  at: fc.nat(),
  other: fc.nat(),
  insert: fc.constantFrom(...INSERTS),
});

/** Applies one token edit to a file (a file without tokens is returned as it is). */
export function applyTokenEdit(text: string, { op, at, other, insert }: TokenEdit): string {
  const tokens = lex(new SourceFile("x", text)).tokens;
  if (tokens.length === 0) return text;
  const t = tokens[at % tokens.length]!;
  const u = tokens[other % tokens.length]!;
  const start = t.startOffset;
  const end = (t.endOffset ?? t.startOffset) + 1;
  switch (op) {
    case "delete":
      return text.slice(0, start) + text.slice(end);
    case "duplicate":
      return text.slice(0, end) + " " + t.image + text.slice(end);
    case "swap": {
      if (u.startOffset <= end) return text.slice(0, start) + u.image + text.slice(end);
      const uEnd = (u.endOffset ?? u.startOffset) + 1;
      return text.slice(0, start) + u.image + text.slice(end, u.startOffset) + t.image + text.slice(uEnd);
    }
    case "insert":
      return text.slice(0, start) + insert + " " + text.slice(start);
    default:
      return text.slice(0, start);
  }
}

/** One token edit of one of `examples` (the example journeys, say): the mutated text. */
export function exampleMutant(examples: readonly string[]): fc.Arbitrary<string> {
  return fc
    .record({ file: fc.nat({ max: examples.length - 1 }), op: tokenOp, at: fc.nat(), other: fc.nat(), insert: fc.constantFrom(...INSERTS) })
    .map(({ file, ...edit }) => applyTokenEdit(examples[file]!, edit));
}
