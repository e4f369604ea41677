// Parsing stage: text → tokens → CST (chevrotain, with recovery) → typed AST. Syntax errors
// become diagnostics at the offending token; whatever parsed is still lowered so later stages
// can keep checking the rest of the file. This is the stage's entry; the lowering itself is in
// lower/: cst.ts (typed reading of the CST), declarations.ts (journeys, conditions, clauses),
// expressions.ts, tests.ts (`test`/`property` blocks), literals.ts (literal validation),
// limits.ts (size and depth bounds), syntax-errors.ts (recognition errors as diagnostics).
import { lex } from "../../grammar/lexer.ts";
import { MAX_NESTING, parseTokens } from "../../grammar/parser.ts";
import type * as A from "./ast.ts";
import type { Diagnostic, StageResult } from "../../core/diagnostics.ts";
import type { SourceFile } from "../../core/source.ts";
import { LowerContext } from "./lower/cst.ts";
import { lowerDecls } from "./lower/declarations.ts";
import { fileTooLargeDiagnostic, MAX_SOURCE_BYTES, tooDeepDiagnostic, unrecoverableDiagnostic } from "./lower/limits.ts";
import { dedupe, syntaxDiagnostic } from "./lower/syntax-errors.ts";
import { lowerTests } from "./lower/tests.ts";

export { parseExpression } from "./lower/expressions.ts";
export { exprDepth, MAX_EXPRESSION_DEPTH, MAX_SOURCE_BYTES } from "./lower/limits.ts";
export { decodeString } from "./lower/literals.ts";

/** Deepest nesting the parser accepts (see grammar/parser.ts); re-exported for tools and tests. */
export { MAX_NESTING };

/** Parses one `.journey` file. Never throws on any input. */
export function parseJourneyFile(file: SourceFile): StageResult<A.JourneyFile> {
  const whole = file.span(0, file.text.length);
  const empty: A.JourneyFile = { kind: "file", name: file.name, decls: [], span: whole };
  if (file.text.length > MAX_SOURCE_BYTES) return { value: empty, diagnostics: [fileTooLargeDiagnostic(file)] };
  const lexed = lex(file);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const { cst, errors, tooDeep, unrecoverable } = parseTokens(lexed.tokens, "file");
  if (tooDeep) return { value: empty, diagnostics: [...diagnostics, tooDeepDiagnostic(file, tooDeep)] };
  if (unrecoverable) return { value: empty, diagnostics: [...diagnostics, unrecoverableDiagnostic(file, unrecoverable)] };
  diagnostics.push(...errors.map((e) => syntaxDiagnostic(file, e)));
  const cx = new LowerContext(file, diagnostics);
  const decls = lowerDecls(cx, cst);
  const tests = lowerTests(cx, cst);
  return { value: { kind: "file", name: file.name, decls, ...(tests.length > 0 ? { tests } : {}), span: whole }, diagnostics: dedupe(diagnostics) };
}

/**
 * Parses the top-level declarations and test blocks in `[start, end)` of `file`, with spans in
 * the whole file's offsets: the building block of incremental reparsing (compiler/syntax/incremental.ts).
 */
export function parseJourneyRange(file: SourceFile, start: number, end: number): { decls: A.Decl[]; tests: A.TestBlock[]; diagnostics: Diagnostic[] } {
  const lexed = lex(file, file.text.slice(start, end), start);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const { cst, errors, tooDeep, unrecoverable } = parseTokens(lexed.tokens, "file");
  if (tooDeep) return { decls: [], tests: [], diagnostics: [...diagnostics, tooDeepDiagnostic(file, tooDeep)] };
  if (unrecoverable) return { decls: [], tests: [], diagnostics: [...diagnostics, unrecoverableDiagnostic(file, unrecoverable)] };
  diagnostics.push(...errors.map((e) => syntaxDiagnostic(file, e, end)));
  const cx = new LowerContext(file, diagnostics);
  return { decls: lowerDecls(cx, cst), tests: lowerTests(cx, cst), diagnostics: dedupe(diagnostics) };
}
