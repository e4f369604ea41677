// The start of the style sheet every HTML report shares (html.ts): the body, the heading
// rules, code and the `dl.fields` grid, so that a rationale and a record of processing look
// like one family. Sizes differ per report (a record's tables are wider and denser), and each
// report appends its own rules (tables, print layout, trace marks) after these.

/** The sizes a report chooses. */
export type BaseStyle = {
  /** Body text, in px. */
  readonly bodyPx: number;
  /** Code text, in px. */
  readonly codePx: number;
  /** The page's maximum width, in rem. */
  readonly maxWidthRem: number;
};

/** The shared rules, one per line, no trailing newline. */
export function baseStyle(s: BaseStyle): string {
  return [
    `body { font: ${s.bodyPx}px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; max-width: ${s.maxWidthRem}rem; margin: 2rem auto; padding: 0 1.5rem; }`,
    "h1 { font-size: 1.5rem; border-bottom: 2px solid #1d2330; padding-bottom: .3rem; }",
    "h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #c9cfdb; padding-bottom: .2rem; }",
    "h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; color: #3b4560; }",
    `code { font: ${s.codePx}px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: #f1f3f8; padding: 0 .25em; border-radius: 3px; overflow-wrap: break-word; }`,
    "dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }",
    "dl.fields dt { font-weight: 600; color: #3b4560; }",
    "dl.fields dd { margin: 0; }",
  ].join("\n");
}
