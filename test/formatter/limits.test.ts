// Issue 10, defect 11: the formatter refuses what `check` refuses, with the same diagnostic,
// instead of overflowing the stack (`when not not … true` with 2,000 `not`s, 10,000 unary
// minuses, chains of thousands of operators); `kairos fmt` prints it and exits 1.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatFile } from "../../compiler/format/formatter.ts";
import { SourceFile } from "../../core/source.ts";
import { checkText, journey } from "../helpers/compile.ts";
import { runCli } from "../helpers/cli.ts";

const chain = (n: number, op: string) => Array.from({ length: n }, () => "customer.tenure_months").join(` ${op} `);

const DEEP: Record<string, string> = {
  "2,000 `not`s": journey({ when: "not ".repeat(2000) + "true" }),
  "10,000 unary minuses": journey({ when: `customer.tenure_months > ${"-".repeat(10_000)}1` }),
  "5,000 parentheses": journey({ when: "(".repeat(5000) + "true" + ")".repeat(5000) }),
  "a 60,000-operand `and` chain in parentheses": journey({ when: `(${chain(60_000, "> 1 and")} > 1)` }),
  "a 60,000-operand sum": journey({ when: `${chain(60_000, "+")} > 1` }),
  "a reason with 5,000 nested parentheses": journey({ reason: `"{${"(".repeat(5000)}1${")".repeat(5000)}}"` }),
  "a test record nested 5,000 deep": `${journey({})}test "t" {\n  given customer ${"{ a: ".repeat(5000)}1${" }".repeat(5000)}\n}\n`,
};

/** What a person sees of a diagnostic: code, place, message and hint. */
const shown = (ds: readonly { code: string; span: { start: number; end: number }; message: string; hint?: string }[]) =>
  ds.filter((d) => d.code.startsWith("syntax/")).map((d) => ({ code: d.code, start: d.span.start, end: d.span.end, message: d.message, hint: d.hint }));

describe("formatting input past the nesting and depth bounds", () => {
  it.each(Object.keys(DEEP))("refuses %s with the diagnostic `check` gives", (name) => {
    const text = DEEP[name]!;
    const r = formatFile(new SourceFile("test.journey", text));
    expect(r.value).toBeUndefined();
    const fromCheck = shown(checkText(text).diagnostics);
    expect(fromCheck.map((d) => d.code)).toEqual([expect.stringMatching(/^syntax\/too-(deep|complex)$/)]);
    expect(shown(r.diagnostics)).toEqual(fromCheck);
  });

  it("formats the same constructs within the bounds", () => {
    const r = formatFile(new SourceFile("test.journey", journey({ when: "not ".repeat(128) + "true" })));
    expect(r.value).toContain(`when     ${"not ".repeat(128)}true`);
  });
});

describe("kairos fmt on too-deep input", () => {
  it("prints the diagnostic, leaves the file as it was and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kairos-fmt-deep-"));
    const file = join(dir, "deep.journey");
    const text = DEEP["2,000 `not`s"]!;
    writeFileSync(file, text);
    for (const argv of [
      ["fmt", file],
      ["fmt", "--check", file],
    ]) {
      const r = await runCli(argv);
      expect(r.code).toBe(1);
      expect(r.err).toContain("error[syntax/too-deep]: expression nested more than 128 levels deep");
      expect(r.err).toContain("help: split it into named `condition`s");
      expect(r.err).toContain("not formatted (fix the syntax errors first)");
      expect(r.err).not.toContain("internal error");
      expect(readFileSync(file, "utf8")).toBe(text);
    }
  });
});
