// `kairos fmt`: canonical layout, comments kept, idempotent, and meaning-preserving.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFile } from "../../compiler/format/formatter.ts";
import { SourceFile } from "../../core/source.ts";
import { commentsOf, parse, withoutSpans } from "./ast.ts";
import { journeyFile } from "./journey-arbitrary.ts";

const fmt = (text: string): string => {
  const r = formatFile(new SourceFile("t.journey", text));
  if (r.value === undefined) throw new Error(`refused: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.value;
};

const EXAMPLES = join(import.meta.dirname, "../../policies/journeys");
const exampleFiles = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".journey"))
  .sort();

describe("formatting the example policy set", () => {
  it.each(exampleFiles)("%s is stable and keeps its meaning and comments", (f) => {
    const src = readFileSync(join(EXAMPLES, f), "utf8");
    const once = fmt(src);
    expect(fmt(once)).toBe(once);
    expect(withoutSpans(parse(once).ast)).toEqual(withoutSpans(parse(src).ast));
    expect(commentsOf(once)).toEqual(commentsOf(src));
  });
});

describe("canonical layout", () => {
  it("pads clause keywords to one column and indents clauses by two spaces", () => {
    const out = fmt('journey j{title "T" purpose p\non daily when a.b==1 do email(template:"t")\nreview required}');
    expect(out).toBe(
      [
        "journey j {",
        '  title    "T"',
        "  purpose  p",
        "  on       daily",
        "  when     a.b == 1",
        '  do       email(template: "t")',
        "  review   required",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("separates declarations by exactly one blank line", () => {
    const out = fmt("condition c = true\n\n\n\njourney j { on daily }\ncondition d = false");
    expect(out).toBe("condition c = true\n\njourney j {\n  on       daily\n}\n\ncondition d = false\n");
  });

  it("keeps a short `when` on one line", () => {
    expect(fmt("journey j { when a.b and\n  c.d }")).toContain("  when     a.b and c.d\n");
  });

  it("breaks a long `when` before each top-level `and`, aligning the operands", () => {
    const out = fmt('journey j { when policy.status == "active" and days_until(policy.renewal_date) == 90 and customer.tenure_months >= 12 }');
    expect(out).toContain(
      ['  when     policy.status == "active"', "       and days_until(policy.renewal_date) == 90", "       and customer.tenure_months >= 12"].join("\n"),
    );
  });

  it("breaks only the top-level operator: `or` operands that are `and` chains stay whole", () => {
    const out = fmt("journey j { when customer.tenure_months >= 12 and policy.status == x or customer.segment == y and customer.nps >= 9 }");
    expect(out).toContain(
      ["  when     customer.tenure_months >= 12 and policy.status == x", "        or customer.segment == y and customer.nps >= 9"].join("\n"),
    );
  });

  it("breaks a long named condition with the operators aligned under it", () => {
    const out = fmt('condition active_policyholder = policy.status == "active" and customer.tenure_months >= 12 and x');
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toBe('condition active_policyholder = policy.status == "active"');
    expect(lines[1]).toBe(" ".repeat("condition active_policyholder = ".length - 4) + "and customer.tenure_months >= 12");
  });

  it("keeps the parentheses the author wrote and adds none", () => {
    expect(fmt("journey j { when ((a.b)) and (c or d) and not (e == 1 + (2 * 3)) }")).toContain("when     ((a.b)) and (c or d) and not (e == 1 + (2 * 3))");
  });

  it("re-escapes string literals canonically", () => {
    const out = fmt('journey j { title "\\u0041\\/b\\u00e9\\t" reason "x {{y}} \\u007b {a.b}" }');
    expect(out).toContain('  title    "A/bé\\t"\n');
    expect(out).toContain('  reason   "x {{y}} {{ {a.b}"\n');
  });

  it("writes numbers, dates, datetimes and durations as the author did", () => {
    const out = fmt("journey j { when x == 1.50 and d == 2026-05-30 and t < 2026-05-30T09:00+02:00 and y + 90d > 2w and p == -0.50 }");
    expect(out).toContain("x == 1.50");
    expect(out).toContain("d == 2026-05-30");
    expect(out).toContain("t < 2026-05-30T09:00+02:00");
    expect(out).toContain("y + 90d > 2w");
    expect(out).toContain("p == -0.50");
  });

  it("writes every clause form canonically", () => {
    const out = fmt('journey j { priority - 5 on claim.filed after 3d,7d cap 1 per 30d quiet 21:00..08:00 holdout 12.5% salt "s" risk high }');
    expect(out).toBe(
      [
        "journey j {",
        "  priority -5",
        "  on       claim.filed after 3d, 7d",
        "  cap      1 per 30d",
        "  quiet    21:00 .. 08:00",
        '  holdout  12.5% salt "s"',
        "  risk     high",
        "}",
        "",
      ].join("\n"),
    );
  });
});

describe("test and property blocks", () => {
  it("writes one statement per line, the statement word padded to one column, arguments spaced canonically, comments kept", () => {
    const src = [
      'test   "day 90"{ # t',
      '  given customer {tenure_months:14,segment:"retail"}   x [1,2.50]  # g',
      "",
      "  on claim.filed after 3d,7d",
      '  expect acted (queue:"q")',
      "}",
      'property "no corporate" {',
      '  assume customer.segment == "corporate"   and x',
      "}",
    ].join("\n");
    expect(fmt(src)).toBe(
      [
        'test "day 90" { # t',
        '  given     customer { tenure_months: 14, segment: "retail" } x [1, 2.50] # g',
        "",
        "  on        claim.filed after 3d, 7d",
        '  expect    acted(queue: "q")',
        "}",
        "",
        'property "no corporate" {',
        '  assume    customer.segment == "corporate" and x',
        "}",
        "",
      ].join("\n"),
    );
  });
});

describe("comments", () => {
  const src = [
    "# file header",
    "",
    "# about j",
    "journey j { # opens j",
    "  # about the title",
    '  title "T"   # trailing title',
    "",
    "",
    "  # about when",
    "  when a.b",
    "     # about the second operand",
    "     and c.d # after c.d",
    "  do email(   # inside do",
    '       template: "t")',
    "  # before the brace",
    "} # closes j",
    "# the end",
    "",
  ].join("\n");

  it("keeps every comment, attached to the line it precedes or trails", () => {
    expect(fmt(src)).toBe(
      [
        "# file header",
        "",
        "# about j",
        "journey j { # opens j",
        "  # about the title",
        '  title    "T" # trailing title',
        "",
        "  # about when",
        "  when     a.b",
        "       # about the second operand",
        "       and c.d # after c.d",
        '  do       email(template: "t") # inside do',
        "  # before the brace",
        "} # closes j",
        "",
        "# the end",
        "",
      ].join("\n"),
    );
  });

  it("is stable on its own output", () => {
    const once = fmt(src);
    expect(fmt(once)).toBe(once);
  });
});

describe("refusal", () => {
  it("refuses a file with syntax errors and returns the parser's diagnostics", () => {
    const r = formatFile(new SourceFile("bad.journey", "journey j {\n  when a ==\n}\n"));
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toContain("syntax/unexpected-token");
    expect(r.diagnostics.every((d) => d.span.file === "bad.journey")).toBe(true);
  });
});

describe("properties on generated files", () => {
  it("format is idempotent, preserves the AST modulo spans, and keeps every comment", () => {
    fc.assert(
      fc.property(journeyFile, (src) => {
        const before = parse(src);
        expect(before.errors).toBe(0);
        const once = fmt(src);
        expect(fmt(once)).toBe(once);
        expect(withoutSpans(parse(once).ast)).toEqual(withoutSpans(before.ast));
        expect(commentsOf(once)).toEqual(commentsOf(src));
      }),
      { numRuns: 300 },
    );
  });
});
