// The minimal VS Code extension (editors/vscode): its TextMate grammar is the one derived from
// the grammar's token table (so highlighting cannot drift from the lexer), its manifest points
// at files that exist, and it starts `kairos lsp` for the language it contributes.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KEYWORD_SPECS } from "../../grammar/tokens.ts";
import { textMateJson } from "../../lsp/textmate.ts";
import { journeyConfiguration } from "../../playground/src/monarch.ts";

const root = new URL("../../editors/vscode/", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

describe("editors/vscode", () => {
  it("ships the TextMate grammar generated from the token table, every keyword included", () => {
    const text = read("syntaxes/journey.tmLanguage.json");
    expect(text).toBe(textMateJson());
    const grammar = JSON.parse(text) as { patterns: { match: string }[] };
    for (const k of KEYWORD_SPECS) expect(grammar.patterns.some((p) => new RegExp(p.match).test(k.word))).toBe(true);
  });

  it("contributes the journey language with files that exist, and starts `kairos lsp`", () => {
    const pkg = JSON.parse(read("package.json")) as {
      main: string;
      contributes: { languages: { id: string; extensions: string[]; configuration: string }[]; grammars: { language: string; path: string }[] };
    };
    const [lang] = pkg.contributes.languages;
    expect(lang?.id).toBe("journey");
    expect(lang?.extensions).toEqual([".journey"]);
    for (const path of [pkg.main, lang!.configuration, ...pkg.contributes.grammars.map((g) => g.path)]) expect(existsSync(new URL(path, root))).toBe(true);
    expect(pkg.contributes.grammars[0]?.language).toBe("journey");
    expect(read("extension.js")).toContain('args: [...args, "lsp"]');
  });

  it("has the playground's brackets and comment syntax", () => {
    const conf = JSON.parse(read("language-configuration.json")) as { comments: unknown; brackets: unknown };
    expect(conf.comments).toEqual(journeyConfiguration.comments);
    expect(conf.brackets).toEqual(journeyConfiguration.brackets);
  });
});
