// Issue 10, defect 11: one nesting bound and one depth bound, enforced where the text is
// parsed, so every stage after it (checker, formatter, trace planning, codegen) only sees
// input it can walk. Deep input gets a diagnostic at the place it gets too deep — never a
// stack overflow, and never the catch-all `syntax/too-complex` at 1:1 that a stage that
// overflowed would leave.
import { describe, expect, it } from "vitest";
import { MAX_NESTING } from "../../grammar/parser.ts";
import { formatFile } from "../../compiler/format/formatter.ts";
import { MAX_EXPRESSION_DEPTH, parseJourneyFile } from "../../compiler/syntax/lower.ts";
import { SourceFile } from "../../core/source.ts";
import { checkText, journey, seen } from "../helpers/compile.ts";

const errorsOf = (src: string) => seen(checkText(src)).filter((d) => d.severity === "error");

/** Each way the grammar nests, `n` levels deep, in a journey of the spec catalog. */
const NESTINGS: Record<string, (n: number) => string> = {
  parentheses: (n) => journey({ when: "(".repeat(n) + "true" + ")".repeat(n) }),
  "`not`": (n) => journey({ when: "not ".repeat(n) + "true" }),
  "unary minus": (n) => journey({ when: `customer.tenure_months > ${"-".repeat(n)}1` }),
  lists: (n) => journey({ when: `${"[".repeat(n)}1${"]".repeat(n)} == []` }),
  calls: (n) => journey({ when: `${"lower(".repeat(n)}"a"${")".repeat(n)} == "a"` }),
  quantifiers: (n) => journey({ when: Array.from({ length: n }, (_, i) => `any x${i} in customer.recent_interactions: `).join("") + "true" }),
  "reason interpolations": (n) => journey({ when: "true", reason: `"{${"(".repeat(n)}1${")".repeat(n)}}"` }),
  "test records": (n) => `${journey({})}test "t" {\n  given customer ${"{ a: ".repeat(n)}1${" }".repeat(n)}\n}\n`,
  "property expressions": (n) => `${journey({})}property "p" {\n  on daily\n  expect ${"not ".repeat(n)}true\n}\n`,
};

describe("nesting bound (syntax/too-deep)", () => {
  it.each(Object.keys(NESTINGS))("accepts %s nested exactly MAX_NESTING deep", (kind) => {
    expect(errorsOf(NESTINGS[kind]!(MAX_NESTING)).map((d) => d.code)).not.toContain("syntax/too-deep");
  });

  it.each(Object.keys(NESTINGS))("rejects %s nested one level deeper with one diagnostic at the level too many", (kind) => {
    const ds = errorsOf(NESTINGS[kind]!(MAX_NESTING + 1));
    expect(ds).toEqual([
      expect.objectContaining({
        code: "syntax/too-deep",
        message: `expression nested more than ${MAX_NESTING} levels deep`,
        hint: "split it into named `condition`s",
      }),
    ]);
    expect(["(", "[", "{", "not", "-", "any"]).toContain(ds[0]!.underlined);
  });

  it("rejects 2,000 `not`s at the 129th, where the parser used to overflow the stack", () => {
    const src = journey({ when: "not ".repeat(2000) + "true" });
    const ds = errorsOf(src);
    expect(ds).toEqual([expect.objectContaining({ code: "syntax/too-deep", underlined: "not", line: 4 })]);
    // The 129th `not`, not 1:1 (where the catch-all for a stack overflow points).
    const d = checkText(src).diagnostics.find((x) => x.code === "syntax/too-deep")!;
    expect(d.span.start).toBe(src.indexOf("when ") + 5 + 4 * MAX_NESTING);
  });

  it("rejects 10,000 unary minuses with one diagnostic", () => {
    const ds = errorsOf(journey({ when: `customer.tenure_months > ${"-".repeat(10_000)}1` }));
    expect(ds).toEqual([expect.objectContaining({ code: "syntax/too-deep", underlined: "-" })]);
  });

  it("counts every kind of nesting together: `not (` 32 times (64 levels) then 65 `not`s is too deep", () => {
    expect(errorsOf(journey({ when: "not (".repeat(32) + "not ".repeat(64) + "true" + ")".repeat(32) })).map((d) => d.code)).toEqual([]);
    expect(errorsOf(journey({ when: "not (".repeat(32) + "not ".repeat(65) + "true" + ")".repeat(32) })).map((d) => d.code)).toEqual(["syntax/too-deep"]);
  });

  it("leaves the shared parser usable after refusing an input", () => {
    errorsOf(journey({ when: "not ".repeat(5000) + "true" }));
    expect(errorsOf(journey({ when: "not not true" }))).toEqual([]);
  });
});

describe("depth bound (syntax/too-complex)", () => {
  const chain = (n: number, op = "and") => Array.from({ length: n }, (_, i) => `customer.tenure_months >= ${i}`).join(` ${op} `);

  it("reports a `when` more than MAX_EXPRESSION_DEPTH operations deep at the expression, with a hint", () => {
    // n comparisons joined by `and`: n − 1 `and`s deep, then the comparison and its operand.
    const when = chain(MAX_EXPRESSION_DEPTH);
    const ds = errorsOf(journey({ when }));
    expect(ds).toEqual([
      expect.objectContaining({
        code: "syntax/too-complex",
        message: `expression is more than ${MAX_EXPRESSION_DEPTH} operations deep`,
        underlined: when,
        line: 4,
        hint: "split long chains of `and`, `or` or arithmetic into named `condition`s",
      }),
    ]);
  });

  it("lets a `when` just within the depth bound through to the checker's own limit", () => {
    const ds = errorsOf(journey({ when: chain(MAX_EXPRESSION_DEPTH - 1) }));
    expect(ds.map((d) => d.code)).toEqual(["check/too-deep"]);
  });

  it.each([
    ["an arithmetic chain", journey({ when: `customer.tenure_months > ${Array.from({ length: 60_000 }, () => "1").join(" + ")}` })],
    ["a reason interpolation", journey({ when: "true", reason: `"{${Array.from({ length: 60_000 }, () => "1").join(" + ")}}"` })],
    ["a named condition", `condition c = ${chain(60_000, "or")}\n${journey({ when: "c" })}`],
    ["an action argument", journey({ do: `email(template: ${Array.from({ length: 60_000 }, () => '"t"').join(" + ")})` })],
    ["a property's expect", `${journey({})}property "p" {\n  on daily\n  expect ${chain(60_000)}\n}\n`],
  ])("reports %s of 60,000 operators where it is, not as a stack overflow", (_, src) => {
    const ds = checkText(src).diagnostics.filter((d) => d.severity === "error");
    expect(ds.map((d) => d.code)).toEqual(["syntax/too-complex"]);
    expect(ds[0]!.span.end - ds[0]!.span.start).toBeGreaterThan(100_000);
  });

  it("replaces the too-deep expression by an error node, so nothing after parsing walks it", () => {
    const r = parseJourneyFile(new SourceFile("t.journey", journey({ when: chain(60_000) })));
    const j = r.value.decls[0]!;
    expect(j.kind === "journey" && j.clauses.find((c) => c.kind === "when")).toMatchObject({ expr: { kind: "error" } });
  });
});

describe("error recovery", () => {
  // Chevrotain recovers from an error inside a repetition by re-entering the repetition from
  // inside the recovery: every further error in the same block nested deeper (a fuzzer found
  // a test block with 2,247 broken fields that overflowed the stack in `check` and `fmt`).
  it.each([
    ["a test block", `test "t" {\n  given policy { status: "active", ${"renewal_date + ".repeat(20_000)} }\n}\n`],
    ["a property", `property "p" {\n${"  expect +\n".repeat(20_000)}}\n`],
    ["a journey", `journey j {\n${"  when +\n".repeat(20_000)}}\n`],
    ["a list of statements", `test "t" {\n  given ${"x, ".repeat(20_000)}\n}\n`],
  ])("reports thousands of syntax errors in %s as syntax errors, without exhausting the stack", (_, src) => {
    const ds = checkText(src).diagnostics;
    expect(ds.filter((d) => d.code === "syntax/unexpected-token").length).toBeGreaterThan(50);
    // Not the catch-all a stage that overflowed the stack is reported as.
    expect(ds.map((d) => d.code)).not.toContain("syntax/too-complex");
    const f = formatFile(new SourceFile("test.journey", src));
    expect(f.value).toBeUndefined();
    expect(f.diagnostics.length).toBeGreaterThan(50);
  });
});

describe("errors inside deep nesting", () => {
  // Chevrotain's recovery from an error at the end of deeply nested input walks the grammar once
  // per open rule: well within MAX_NESTING it exhausted the stack (or an array's length), and
  // `parseJourneyFile`, which promises never to throw, threw a RangeError.
  it.each([
    ["80 unclosed calls", `condition c = ${"f(".repeat(80)}a.b`],
    ["127 unclosed calls", `condition c = ${"f(".repeat(127)}a.b`],
    ["128 quantifiers ending in a dangling `.`", `condition c = ${"any x in xs: ".repeat(128)}xs.`],
  ])("reports %s as one syntax/too-complex error, in every stage, never a crash", (_, src) => {
    const parsed = parseJourneyFile(new SourceFile("deep.journey", src));
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(["syntax/too-complex"]);
    expect(parsed.diagnostics[0]!.message).toMatch(/a syntax error inside input nested \d+ levels deep is too complex to recover from/);
    expect(checkText(src).diagnostics.map((d) => d.code)).toContain("syntax/too-complex");
    expect(formatFile(new SourceFile("deep.journey", src)).diagnostics.map((d) => d.code)).toContain("syntax/too-complex");
  });
});
