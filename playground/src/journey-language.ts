// Registers `.journey` with Monaco: the generated Monarch tokenizer, completions and hovers
// from the compiler's language services (catalog-help.ts adapts them; `kairos lsp` serves the
// same ones to editors), formatting through the compiler worker, and a theme for the grammar's
// token classes. Also a small JSON tokenizer for the input panels.
import type * as Monaco from "monaco-editor/editor/editor.api";
import type { Catalog } from "../../core/catalog/types.ts";
import { completionsAt, hoverAt, isSnippet, type ItemKind } from "./catalog-help.ts";
import { journeyConfiguration, journeyMonarch } from "./monarch.ts";

export const JOURNEY_LANGUAGE = "journey";

/** What the language features read: the latest loaded catalog and the other files' texts. */
export interface LanguageContext {
  catalog(): Catalog | undefined;
  otherJourneyTexts(uri: string): string[];
  /** Formats a journey text with the compiler's formatter; undefined when it has syntax errors. */
  format(name: string, text: string): Promise<string | undefined>;
}

export function registerJourneyLanguage(monaco: typeof Monaco, ctx: LanguageContext): void {
  const { languages } = monaco;
  languages.register({ id: JOURNEY_LANGUAGE, extensions: [".journey"], aliases: ["Journey", "journey"] });
  languages.setMonarchTokensProvider(JOURNEY_LANGUAGE, journeyMonarch());
  languages.setLanguageConfiguration(JOURNEY_LANGUAGE, journeyConfiguration);

  const kinds: Record<ItemKind, Monaco.languages.CompletionItemKind> = {
    entity: languages.CompletionItemKind.Module,
    field: languages.CompletionItemKind.Field,
    event: languages.CompletionItemKind.Event,
    purpose: languages.CompletionItemKind.Enum,
    action: languages.CompletionItemKind.Method,
    param: languages.CompletionItemKind.Property,
    keyword: languages.CompletionItemKind.Keyword,
    function: languages.CompletionItemKind.Function,
    value: languages.CompletionItemKind.Value,
    condition: languages.CompletionItemKind.Constant,
    variable: languages.CompletionItemKind.Variable,
    channel: languages.CompletionItemKind.Value,
  };

  languages.registerCompletionItemProvider(JOURNEY_LANGUAGE, {
    triggerCharacters: [".", " ", "(", '"', ","],
    provideCompletionItems(model, position) {
      const text = model.getValue();
      const offset = model.getOffsetAt(position);
      const { from, items } = completionsAt(text, offset, ctx.catalog(), ctx.otherJourneyTexts(model.uri.toString()));
      const start = model.getPositionAt(from);
      const range = new monaco.Range(start.lineNumber, start.column, position.lineNumber, position.column);
      return {
        suggestions: items.map((item, i) => ({
          label: item.label,
          kind: kinds[item.kind],
          ...(item.detail ? { detail: item.detail } : {}),
          ...(item.documentation ? { documentation: { value: item.documentation } } : {}),
          insertText: item.insert ?? item.label,
          ...(isSnippet(item) ? { insertTextRules: languages.CompletionItemInsertTextRule.InsertAsSnippet } : {}),
          sortText: String(i).padStart(4, "0"),
          range,
        })),
      };
    },
  });

  languages.registerHoverProvider(JOURNEY_LANGUAGE, {
    provideHover(model, position) {
      const hover = hoverAt(model.getValue(), model.getOffsetAt(position), ctx.catalog(), ctx.otherJourneyTexts(model.uri.toString()));
      if (!hover) return null;
      const a = model.getPositionAt(hover.start);
      const b = model.getPositionAt(hover.end);
      return { range: new monaco.Range(a.lineNumber, a.column, b.lineNumber, b.column), contents: hover.contents.map((value) => ({ value })) };
    },
  });

  languages.registerDocumentFormattingEditProvider(JOURNEY_LANGUAGE, {
    async provideDocumentFormattingEdits(model) {
      const formatted = await ctx.format(model.uri.path.replace(/^\//, ""), model.getValue());
      if (formatted === undefined || formatted === model.getValue()) return [];
      return [{ range: model.getFullModelRange(), text: formatted }];
    },
  });

  // JSON for the input panels: highlighting only; validation is the runtime's (inputs.ts).
  languages.register({ id: "json", extensions: [".json"], aliases: ["JSON"] });
  languages.setMonarchTokensProvider("json", {
    tokenizer: {
      root: [
        [/"(?:[^"\\]|\\.)*"(?=\s*:)/, "type"],
        [/"(?:[^"\\]|\\.)*"/, "string"],
        [/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/, "number"],
        [/\b(?:true|false|null)\b/, "constant"],
        [/[{}[\],:]/, "delimiter"],
        [/\s+/, "white"],
      ],
    },
  });
  languages.setLanguageConfiguration("json", {
    brackets: [
      ["{", "}"],
      ["[", "]"],
    ],
    autoClosingPairs: [
      { open: "{", close: "}" },
      { open: "[", close: "]" },
      { open: '"', close: '"', notIn: ["string"] },
    ],
  });

  monaco.editor.defineTheme("kairos", {
    base: "vs",
    inherit: true,
    rules: [
      { token: "keyword", foreground: "7c3aed", fontStyle: "bold" },
      { token: "keyword.operator", foreground: "b4236b" },
      { token: "constant", foreground: "0e7490" },
      { token: "number", foreground: "0f766e" },
      { token: "number.date", foreground: "a16207" },
      { token: "number.duration", foreground: "a16207" },
      { token: "string", foreground: "15803d" },
      { token: "string.invalid", foreground: "dc2626" },
      { token: "comment", foreground: "6b7280", fontStyle: "italic" },
      { token: "identifier", foreground: "1f2937" },
      { token: "delimiter", foreground: "475569" },
      { token: "type", foreground: "1d4ed8" },
      { token: "invalid", foreground: "dc2626", fontStyle: "underline" },
    ],
    colors: { "editor.background": "#ffffff", "editorLineNumber.foreground": "#94a3b8" },
  });
}
