// Plain text of a rationale document, for terminals and e-mail: underlined headings, aligned
// fields and tables, the trace indented with ✓/✗ marks. Control characters in user text are
// shown escaped so that a value cannot rewrite the terminal.
import { MARK_SYMBOL, plainText, traceValueText, type Block, type Text } from "./document.ts";

function clean(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).replace(/\n/g, " ");
}

function inline(text: Text): string {
  return clean(plainText(text));
}

function width(s: string): number {
  return [...s].length;
}

function pad(s: string, n: number): string {
  return s + " ".repeat(Math.max(0, n - width(s)));
}

function block(b: Block): string {
  switch (b.kind) {
    case "heading": {
      const text = inline(b.text);
      return `${text}\n${(b.level === 1 ? "=" : b.level === 2 ? "-" : "~").repeat(width(text))}`;
    }
    case "paragraph":
      return inline(b.text);
    case "quote":
      return `  “${inline(b.text)}”`;
    case "fields": {
      const w = Math.max(...b.rows.map(([k]) => width(k))) + 2;
      return b.rows.map(([k, v]) => `${pad(`${k}:`, w)}${inline(v)}`).join("\n");
    }
    case "list":
      return b.items.map((i) => `  - ${inline(i)}`).join("\n");
    case "table": {
      const cells = [b.head.map(clean), ...b.rows.map((r) => r.map(inline))];
      const widths = b.head.map((_, i) => Math.max(...cells.map((r) => width(r[i] ?? ""))));
      const line = (r: readonly string[]) =>
        r
          .map((c, i) => pad(c, widths[i]!))
          .join("  ")
          .trimEnd();
      return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
    }
    case "trace":
      return b.lines
        .map((l) => {
          const value = traceValueText(l);
          const sep = l.mark === "skipped" ? " — " : " → ";
          return `${"  ".repeat(l.depth + 1)}${MARK_SYMBOL[l.mark]} ${clean(l.source)}${value === "" ? "" : sep + clean(value)}`;
        })
        .join("\n");
  }
}

/** Renders blocks as plain text (ends with a newline). */
export function renderText(blocks: readonly Block[]): string {
  return blocks.map(block).join("\n\n") + "\n";
}
