// The document model both human-readable reports print through (core/document/: the decision
// rationale and the governance records of processing): what each option changes, the escaping
// both rely on, and that the two reports print a common block identically.
import { describe, expect, it } from "vitest";
import { renderMarkdown as governanceMarkdown } from "../../compiler/governance/render-markdown.ts";
import { codeHtml, htmlPage } from "../../core/document/html.ts";
import { codeSpan, escapeMarkdown } from "../../core/document/markdown.ts";
import type { DocBlock } from "../../core/document/model.ts";
import { renderMarkdown as rationaleMarkdown } from "../../runtime/rationale/markdown.ts";

const SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

describe("core/document", () => {
  it("wraps code only at `_`, `.` and `/` unless long runs may break", () => {
    expect(codeHtml("claim.diagnosis_code")).toBe("claim.<wbr>diagnosis_<wbr>code");
    expect(codeHtml(SHA)).toBe(SHA);
    expect(codeHtml(SHA, { breakLongRuns: true }).split("<wbr>")).toEqual(SHA.match(/.{16}/g));
    expect(codeHtml("a<b", { breakLongRuns: true })).toBe("a&lt;b");
  });

  it("turns every line ending, a lone carriage return included, into a space", () => {
    expect(escapeMarkdown("a\r\nb\nc\rd *e*")).toBe("a b c d \\*e\\*");
    expect(codeSpan("x\ry")).toBe("`x y`");
    expect(codeSpan("a`b")).toBe("``a`b``");
  });

  it("names the generator only when given, and titles the page after its first heading", () => {
    const blocks: DocBlock[] = [
      { kind: "paragraph", text: ["p"] },
      { kind: "heading", level: 1, text: ["T ", { code: "<x>" }] },
    ];
    const page = htmlPage(blocks, ["<p>p</p>"], { fallbackTitle: "F", style: "s", generator: "kairos 1" });
    expect(page).toContain(`<meta name="generator" content="kairos 1">\n<title>T &lt;x&gt;</title>`);
    const bare = htmlPage([], [], { fallbackTitle: "F", style: "s" });
    expect(bare).not.toContain("generator");
    expect(bare).toContain("<title>F</title>");
  });

  it("prints a common block the same in a rationale and in a record of processing", () => {
    const table: DocBlock = { kind: "table", head: ["a|b"], rows: [[[{ code: "x|y" }, " and *z*"]]] };
    const md = rationaleMarkdown([table]);
    expect(md).toBe("| a\\|b |\n| --- |\n| `x\\|y` and \\*z\\* |\n");
    expect(governanceMarkdown([table])).toBe(md);
  });
});
