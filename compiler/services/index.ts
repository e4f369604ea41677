// Language services over the compiler (browser-safe): one analysis per edit, and completion,
// hover, go to definition, formatting edits and quick fixes over it. The language server
// (lsp/) and the playground both use these, so an editor and the playground agree.
export { analyzeJourneys, LanguageService, type Analysis } from "./analysis.ts";
export { quickFixesIn, quickFixFor, type QuickFix } from "./code-actions.ts";
export { completionsAt, type CompletionItem, type Completions, type ItemKind } from "./completion.ts";
export { definitionAt } from "./definition.ts";
export { actionDoc, entityDoc, eventDoc, fieldDoc, fieldTypeText, purposeDoc } from "./describe.ts";
export { formattingEdits, type TextEdit } from "./formatting.ts";
export { hoverAt, type Hover } from "./hover.ts";
