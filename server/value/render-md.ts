// The scoreboard as Markdown (CommonMark + GFM tables): what `kairos report value --format md`
// prints, for a pull request, a wiki page or a mail. The layout is scoreboard.ts's; this file
// only prints it. Charts are left out (every figure they draw is in a table or a line beside
// them); cards become a list of bold labels. Every string is escaped (core/document/markdown.ts).
import { escapeMarkdown, markdownBlock } from "../../core/document/markdown.ts";
import { type ScoreBlock, scoreboard } from "./scoreboard.ts";
import type { ValueReport } from "./types.ts";

function block(b: ScoreBlock): string | undefined {
  switch (b.kind) {
    case "chart":
      return undefined;
    case "cards":
      return b.cards.map((c) => `- **${escapeMarkdown(c.label)}:** ${escapeMarkdown(c.value)}${c.note ? ` (${escapeMarkdown(c.note)})` : ""}`).join("\n");
    case "columns":
      return b.columns
        .flat()
        .map(block)
        .filter((x): x is string => x !== undefined)
        .join("\n\n");
    case "section":
      return b.blocks
        .map(block)
        .filter((x): x is string => x !== undefined)
        .join("\n\n");
    default:
      return markdownBlock(b);
  }
}

/** The scoreboard of `report` as Markdown (ends with a newline). */
export function renderValueMarkdown(report: ValueReport): string {
  const { blocks } = scoreboard(report);
  return (
    blocks
      .map(block)
      .filter((x): x is string => x !== undefined)
      .join("\n\n") + "\n"
  );
}
