// The syntax of `test` and `property` blocks: statements one per line, values as the language
// writes literals, expressions in properties; and `kairos fmt` on them (format∘parse keeps the
// AST, formatting is idempotent), on examples and on generated blocks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as A from "../../compiler/syntax/ast.ts";
import { formatFile } from "../../compiler/format/formatter.ts";
import { printBlock } from "../../compiler/format/format-tests.ts";
import { parseJourneyFile } from "../../compiler/syntax/lower.ts";
import { SourceFile } from "../../core/source.ts";
import { withoutSpans } from "../formatter/ast.ts";

function parse(text: string) {
  return parseJourneyFile(new SourceFile("t.journey", text));
}
function statements(text: string): string[][] {
  const f = parse(text);
  expect(f.diagnostics).toEqual([]);
  return (f.value.tests ?? []).flatMap((b) =>
    b.statements.map((s) => [s.keyword.name, ...s.args.map((a) => a.kind), ...(s.expr ? ["expr"] : []), ...(s.trigger ? ["trigger"] : [])]),
  );
}

describe("parsing", () => {
  it("reads one statement per line, whatever its arguments", () => {
    expect(
      statements(`test "t" {
  now       2026-03-02T10:00:00Z
  given     customer { tenure_months: 24, recent_interactions: [{ at: 2026-01-01T00:00:00Z, channel: "call", sentiment: "negative" }] }
  expect    action email(template: "x")
  expect    basis consent
}`),
    ).toEqual([
      ["now", "literal"],
      ["given", "word", "record"],
      ["expect", "word", "word", "args"],
      ["expect", "word", "word"],
    ]);
  });

  it("a word on the next line starts a new statement, even one that names a basis", () => {
    expect(statements('test "t" {\n  expect basis consent\n  consent renewal_marketing granted\n}')).toEqual([
      ["expect", "word", "word"],
      ["consent", "word", "word"],
    ]);
  });

  it("a record or list may span lines", () => {
    expect(statements('test "t" {\n  given customer {\n    tenure_months: 24,\n    segment: "sme"\n  }\n  now 2026-03-02T10:00:00Z\n}')).toEqual([
      ["given", "word", "record"],
      ["now", "literal"],
    ]);
  });

  it("property `assume` and `expect` take expressions that may continue on the next line", () => {
    const f = parse(
      'property "p" {\n  on daily after 3d\n  expect decision.outcome != "acted"\n      or decision.purpose != "renewal_marketing"\n  runs 10\n}',
    );
    expect(f.diagnostics).toEqual([]);
    const [on, ex, runs] = f.value.tests![0]!.statements;
    expect(on!.trigger).toMatchObject({ event: { name: "daily" }, timers: [{ text: "3d" }] });
    expect(ex!.expr).toMatchObject({ kind: "binary", op: "or" });
    expect(runs!.args).toMatchObject([{ kind: "literal", value: { kind: "int", value: 10 } }]);
  });

  it("keeps negative numbers and decimals as written", () => {
    const f = parse('test "t" {\n  given policy { premium: -12.50 }\n}');
    const rec = f.value.tests![0]!.statements[0]!.args[1] as Extract<A.TestValue, { kind: "record" }>;
    expect(rec.fields[0]!.value).toMatchObject({ kind: "literal", value: { kind: "decimal", value: -12.5, raw: "-12.50" } });
  });

  it("leaves journeys and conditions in the same file as they were", () => {
    const text = 'condition c = true\njourney j { when c }\ntest "t" { now 2026-03-02T10:00:00Z }\nproperty "p" { expect true }\n';
    const f = parse(text);
    expect(f.value.decls.map((d) => d.kind)).toEqual(["condition", "journey"]);
    expect(f.value.tests!.map((b) => b.kind)).toEqual(["test", "property"]);
    expect(parse("journey j { when true }\n").value.tests).toBeUndefined();
  });

  it("reports several syntax errors per file, with hints that name the statements", () => {
    const f = parse('test "a" {\n  when x\n}\nproperty "b" {\n  do y\n}\ntset "c" {}\n');
    expect(f.diagnostics.map((d) => [d.message, d.hint])).toEqual([
      [
        "expected a statement or `}`, found `when`",
        "a test holds one statement per line: `now`, `region`, `subject`, `event`, `given`, `consent`, `objection`, `history`, `expect`",
      ],
      [
        "expected a statement or `}`, found `do`",
        "a property holds one statement per line: `on`, `now`, `region`, `subject`, `given`, `consent`, `objection`, `history`, `assume`, `expect`, `runs`",
      ],
      ["expected `journey`, `condition`, `test` or `property`, found `tset`", "did you mean `test`?"],
    ]);
  });
});

describe("kairos fmt", () => {
  const fmt = (text: string) => {
    const r = formatFile(new SourceFile("t.journey", text));
    if (r.value === undefined) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
    return r.value;
  };

  it("pads statement words to one column and keeps comments", () => {
    const out = fmt('test "t" {\n# the request\nnow 2026-03-02T10:00:00Z # Monday\n  expect acted   renewal_reminder_d90\n  objection direct_marketing\n}\n');
    expect(out).toBe(
      'test "t" {\n  # the request\n  now       2026-03-02T10:00:00Z # Monday\n  expect    acted renewal_reminder_d90\n  objection direct_marketing\n}\n',
    );
  });

  it("breaks a long property expression before its top-level operators", () => {
    const out = fmt('property "p" {\n  expect decision.outcome != "acted" or decision.purpose != "renewal_marketing" or decision.channel != "email"\n}\n');
    expect(out).toBe(
      'property "p" {\n  expect    decision.outcome != "acted"\n         or decision.purpose != "renewal_marketing"\n         or decision.channel != "email"\n}\n',
    );
    expect(fmt(out)).toBe(out);
  });

  it("round-trips generated blocks: parse(print(b)) is b, and printing is idempotent", () => {
    const S = { file: "g", start: 0, end: 0 };
    const ident = (name: string): A.Ident => ({ kind: "ident", name, span: S });
    const nameArb = fc.constantFrom("tenure_months", "renewal_marketing", "acted", "basis", "at", "true", "consent", "reason");
    const literal: fc.Arbitrary<A.TestValue> = fc.oneof(
      fc.integer({ min: -1000, max: 1000 }).map((value) => ({ kind: "literal" as const, value: { kind: "int" as const, value, span: S }, span: S })),
      fc.string({ maxLength: 8 }).map((value) => ({ kind: "literal" as const, value: { kind: "string" as const, value, span: S }, span: S })),
      fc
        .constantFrom("2026-05-31", "2024-02-29")
        .map((text) => ({ kind: "literal" as const, value: { kind: "date" as const, text, day: 0, span: S }, span: S })),
      fc
        .constantFrom("2026-03-02T10:00:00Z", "2026-03-02T10:00:00.5+01:00")
        .map((text) => ({ kind: "literal" as const, value: { kind: "datetime" as const, text, ms: 0, span: S }, span: S })),
      fc.constantFrom("3d", "12h", "2w").map((text) => ({ kind: "literal" as const, value: { kind: "duration" as const, text, ms: 0, span: S }, span: S })),
      fc.array(nameArb, { minLength: 1, maxLength: 2 }).map((parts) => ({ kind: "word" as const, parts: parts.map(ident), text: parts.join("."), span: S })),
    );
    const value: fc.Arbitrary<A.TestValue> = fc.letrec<{ v: A.TestValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        literal,
        fc
          .array(fc.tuple(nameArb, tie("v")), { maxLength: 3 })
          .map((fs) => ({ kind: "record" as const, fields: fs.map(([n, v]) => ({ name: ident(n), value: v, span: S })), span: S })),
        fc.array(tie("v"), { maxLength: 3 }).map((items) => ({ kind: "list" as const, items, span: S })),
      ),
    })).v;
    // In a property, `expect` and `assume` take expressions, so word statements use other words.
    const statement = (words: readonly string[]) =>
      fc
        .tuple(fc.constantFrom(...words), fc.array(value, { maxLength: 4 }))
        .map(([k, args]): A.TestStatement => ({ kind: "statement", keyword: ident(k), args, span: S }));
    const block = fc
      .oneof(
        fc.tuple(
          fc.constant("test" as const),
          fc.string({ maxLength: 10 }),
          fc.array(statement(["now", "given", "expect", "consent", "objection"]), { maxLength: 5 }),
        ),
        fc.tuple(
          fc.constant("property" as const),
          fc.string({ maxLength: 10 }),
          fc.array(statement(["now", "given", "consent", "objection", "runs"]), { maxLength: 5 }),
        ),
      )
      .map(([kind, name, sts]): A.TestBlock => ({ kind, name: { kind: "string", value: name, span: S }, statements: sts, span: S }));
    fc.assert(
      fc.property(block, (b) => {
        const text = printBlock(b) + "\n";
        const parsed = parse(text);
        expect(parsed.diagnostics).toEqual([]);
        const back = parsed.value.tests![0]!;
        expect(printBlock(back)).toBe(printBlock(b));
        expect(fmt(text)).toBe(text);
        expect(withoutSpans(parse(fmt(text)).value)).toEqual(withoutSpans(parsed.value));
      }),
      { numRuns: 300 },
    );
  });
});
