// Light or dark, as the operating system prefers (`prefers-color-scheme`): the page's colours
// follow through CSS (style.css), the editors through a Monaco theme for each scheme. The light
// one, `kairos`, is defined with the journey language; the dark one here, with the same token
// names in colours that read on a dark background.
import type * as Monaco from "monaco-editor/editor/editor.api";

/** The Monaco theme of each colour scheme. */
export const EDITOR_THEME = { light: "kairos", dark: "kairos-dark" } as const;

/** Defines the dark editor theme (the light one comes with the journey language). */
export function defineDarkTheme(monaco: typeof Monaco): void {
  monaco.editor.defineTheme(EDITOR_THEME.dark, {
    base: "vs-dark",
    inherit: true,
    rules: [
      { token: "keyword", foreground: "c4b5fd", fontStyle: "bold" },
      { token: "keyword.operator", foreground: "f9a8d4" },
      { token: "constant", foreground: "67e8f9" },
      { token: "number", foreground: "5eead4" },
      { token: "number.date", foreground: "fcd34d" },
      { token: "number.duration", foreground: "fcd34d" },
      { token: "string", foreground: "86efac" },
      { token: "string.invalid", foreground: "fca5a5" },
      { token: "comment", foreground: "9ca3af", fontStyle: "italic" },
      { token: "identifier", foreground: "e5e7eb" },
      { token: "delimiter", foreground: "cbd5e1" },
      { token: "type", foreground: "93c5fd" },
      { token: "invalid", foreground: "fca5a5", fontStyle: "underline" },
    ],
    colors: { "editor.background": "#161b26", "editorLineNumber.foreground": "#64748b" },
  });
}

const query = (): MediaQueryList | undefined => (typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : undefined);

/** The scheme the operating system prefers now. */
export function preferredScheme(): "light" | "dark" {
  return query()?.matches ? "dark" : "light";
}

/** Calls `apply` with the scheme now and whenever the preference changes. */
export function followScheme(apply: (scheme: "light" | "dark") => void): void {
  apply(preferredScheme());
  query()?.addEventListener("change", () => apply(preferredScheme()));
}
