// fast-check generators of `.journey` source text: random declarations, clauses and
// expressions, with random whitespace and comments between tokens, parenthesised where the
// grammar needs it (plus some redundant pairs), so every generated file parses cleanly.
import fc from "fast-check";

/** Binding levels of the grammar, loosest first (see grammar/parser.ts). */
const OR = 1,
  AND = 2,
  NOT = 3,
  CMP = 4,
  ADD = 5,
  MUL = 6,
  UNARY = 7,
  PRIMARY = 8;

interface Gen {
  readonly tokens: readonly string[];
  readonly level: number;
}

const at = (min: number, g: Gen): readonly string[] => (g.level >= min ? g.tokens : ["(", ...g.tokens, ")"]);

/** A string's literal: canonical JSON, or every code unit as `\uXXXX`, or `/` as `\/`. */
export const stringLiteral: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 12, unit: "binary" }), fc.constantFrom("json", "unicode", "slash"))
  .map(([s, style]) => {
    if (style === "unicode") return `"${[...Array(s.length).keys()].map((i) => "\\u" + s.charCodeAt(i).toString(16).padStart(4, "0")).join("")}"`;
    const j = JSON.stringify(s);
    return style === "slash" ? j.replace(/\//g, "\\/") : j;
  });

function atoms(strings: boolean): fc.Arbitrary<Gen> {
  const prim = (tokens: fc.Arbitrary<string[]>) => tokens.map((t): Gen => ({ tokens: t, level: PRIMARY }));
  const all: fc.Arbitrary<Gen>[] = [
    prim(
      fc.constantFrom(
        ["customer", ".", "tenure_months"],
        ["policy", ".", "status"],
        ["now"],
        ["event", ".", "csat"],
        ["x"],
        ["i", ".", "at"],
        ["a", ".", "b", ".", "c"],
      ),
    ),
    prim(fc.nat(100000).map((n) => [String(n)])),
    prim(fc.constantFrom(["1.50"], ["0.25"], ["12.0"], ["true"], ["false"])),
    prim(fc.constantFrom(["2026-05-30"], ["2024-02-29"], ["2026-05-30T09:00:00Z"], ["2026-05-30T09:00+02:00"], ["2026-01-01T00:00:00.250Z"])),
    prim(fc.constantFrom(["90d"], ["12h"], ["30m"], ["2w"], ["10s"])),
  ];
  if (strings) all.push(prim(stringLiteral.map((s) => [s])));
  return fc.oneof(...all);
}

/** An expression of at most `depth` nesting; `strings: false` for reason interpolations. */
export function expression(depth: number, strings = true): fc.Arbitrary<Gen> {
  if (depth <= 0) return atoms(strings);
  const sub = () => expression(depth - 1, strings);
  const bin = (lvl: number, ops: string[], lmin: number, rmin: number) =>
    fc.tuple(sub(), fc.constantFrom(...ops), sub()).map(([l, op, r]): Gen => ({ tokens: [...at(lmin, l), ...op.split(" "), ...at(rmin, r)], level: lvl }));
  return fc.oneof(
    { arbitrary: atoms(strings), weight: 3 },
    bin(OR, ["or"], OR, AND),
    bin(AND, ["and"], AND, NOT),
    bin(CMP, ["==", "!=", "<", "<=", ">", ">=", "in", "not in"], ADD, ADD),
    bin(ADD, ["+", "-"], ADD, MUL),
    bin(MUL, ["*", "/"], MUL, UNARY),
    sub().map((e): Gen => ({ tokens: ["not", ...at(NOT, e)], level: NOT })),
    sub().map((e): Gen => ({ tokens: ["-", ...at(UNARY, e)], level: UNARY })),
    fc.tuple(sub(), fc.boolean()).map(([e, neg]): Gen => ({ tokens: [...at(ADD, e), "is", ...(neg ? ["not"] : []), "set"], level: CMP })),
    sub().map((e): Gen => ({ tokens: ["(", ...e.tokens, ")"], level: PRIMARY })),
    fc
      .array(sub(), { maxLength: 3 })
      .map((items): Gen => ({ tokens: ["[", ...items.flatMap((it, i) => (i ? [",", ...it.tokens] : it.tokens)), "]"], level: PRIMARY })),
    fc
      .tuple(fc.constantFrom("days_since", "count", "lower", "contains", "f"), fc.array(sub(), { maxLength: 2 }))
      .map(([f, args]): Gen => ({ tokens: [f, "(", ...args.flatMap((a, i) => (i ? [",", ...a.tokens] : a.tokens)), ")"], level: PRIMARY })),
    // Quantifiers are parenthesised: their body extends as far right as it can.
    fc
      .tuple(fc.constantFrom("any", "all", "count"), fc.constantFrom("i", "x"), sub(), sub())
      .map(([q, v, l, b]): Gen => ({ tokens: ["(", q, v, "in", ...at(ADD, l), ":", ...b.tokens, ")"], level: PRIMARY })),
  );
}

/** A reason template: text (braces doubled) and `{expr}` interpolations without strings. */
const template: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 10 }).map((s) => ({ text: s })),
      expression(1, false).map((e) => ({ expr: e.tokens.join(" ") })),
    ),
    { maxLength: 4 },
  )
  .map(
    (parts) =>
      `"${parts
        .map((p) =>
          "text" in p
            ? JSON.stringify(p.text)
                .slice(1, -1)
                .replace(/[{}]/g, (b) => b + b)
            : `{${p.expr}}`,
        )
        .join("")}"`,
  );

/** An argument of a test statement (docs/testing.md): words, literals, records, lists, args. */
const testItem: fc.Arbitrary<string> = fc.letrec<{ item: string }>((tie) => ({
  item: fc.oneof(
    {
      arbitrary: fc.constantFrom("acted", "customer", "a.b.c", "now", "when", "21:00", "10%", "-5", "-1.50", "2026-05-30", "2026-05-30T09:00:00Z", "3d"),
      weight: 4,
    },
    { arbitrary: stringLiteral, weight: 1 },
    { arbitrary: fc.nat(1000).map(String), weight: 1 },
    fc
      .array(fc.tuple(fc.constantFrom("tenure_months", "segment", "at"), tie("item")), { maxLength: 3 })
      .map((fs) => `{${fs.map(([k, v]) => `${k}:${v}`).join(",")}}`),
    fc.array(tie("item"), { maxLength: 3 }).map((xs) => `[${xs.join(" , ")}]`),
    fc.array(fc.tuple(fc.constantFrom("queue", "template"), tie("item")), { maxLength: 2 }).map((fs) => `(${fs.map(([k, v]) => `${k} : ${v}`).join(", ")})`),
  ),
})).item;

/** A whole `test` or `property` block as one chunk: statements one per line. */
const testBlock: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("test", "property"),
    stringLiteral,
    fc.array(
      fc.oneof(
        fc
          .tuple(fc.constantFrom("given", "now", "request"), fc.array(testItem, { maxLength: 3 }))
          // A date then a time of day on one line is one (malformed) datetime, not two values.
          .filter(([, items]) => !items.some((x, i) => /^\d{4}-\d{2}-\d{2}$/.test(x) && /^\d{2}:\d{2}/.test(items[i + 1] ?? "")))
          .map(([h, items]) => ({ kind: "words" as const, text: [h, ...items].join("  ") })),
        fc.constantFrom({ kind: "on" as const, text: "on daily" }, { kind: "on" as const, text: "on claim.filed  after 3d,7d" }),
        fc.tuple(fc.constantFrom("assume", "expect"), expression(2)).map(([h, e]) => ({ kind: "expr" as const, text: `${h} ${e.tokens.join(" ")}` })),
      ),
      { maxLength: 5 },
    ),
    fc.constantFrom("\n", "\n\n", " # note\n", "\n# own line\n"),
  )
  // An `assume`/`expect` line in a `test` block is an ordinary word statement: keep those to properties.
  .map(
    ([kind, name, statements, sep]) =>
      `${kind} ${name} {${sep}${statements
        .filter((st) => kind === "property" || st.kind !== "expr")
        .map((st) => st.text)
        .join(sep)}${sep}}`,
  );

const name = fc.constantFrom("a", "renewal_d90", "x_1", "journey_b");

const clause: fc.Arbitrary<readonly string[]> = fc.oneof(
  { arbitrary: stringLiteral.map((s) => ["title", s]), weight: 1 },
  fc.constantFrom(["purpose", "renewal_marketing"], ["risk", "low"], ["risk", "high"], ["review", "required"]),
  fc.tuple(fc.boolean(), fc.nat(500)).map(([neg, n]) => ["priority", ...(neg ? ["-"] : []), String(n)]),
  fc.constantFrom(["on", "daily"], ["on", "claim", ".", "filed", "after", "3d", ",", "7d"], ["on", "ticket", ".", "resolved"]),
  { arbitrary: expression(3).map((e) => ["when", ...e.tokens]), weight: 4 },
  fc
    .array(fc.tuple(fc.constantFrom("template", "queue", "when"), expression(1)), { maxLength: 2 })
    .map((args) => ["do", "email", "(", ...args.flatMap(([n, v], i) => [...(i ? [","] : []), n, ":", ...v.tokens]), ")"]),
  fc.constantFrom(["cap", "1", "per", "30d"], ["quiet", "21:00", "..", "08:00"], ["holdout", "10%"], ["holdout", "12.5%", "salt", '"s"']),
  fc.constantFrom(
    ["goal", "renewal", "within", "30d"],
    ["stop_loss", "complaint_rate", ">", "3%"],
    ["stop_loss", "complaint_rate", ">", "0.50%", "or", "unsubscribe_uplift", ">", "1%", "min", "200"],
  ),
  template.map((t) => ["reason", t]),
);

const decl: fc.Arbitrary<readonly string[]> = fc.oneof(
  testBlock.map((b) => [b]),
  fc.tuple(name, fc.array(clause, { maxLength: 8 })).map(([n, cs]) => ["journey", n, "{", ...cs.flat(), "}"]),
  fc.tuple(name, expression(3)).map(([n, e]) => ["condition", n, "=", ...e.tokens]),
);

const commentText = fc.string({ maxLength: 15 }).map((s) => "#" + s.replace(/[\r\n]/g, " "));

/** What goes between two tokens: blanks, line breaks, comments (which end their line). */
const separator: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(" ", "  ", "\n", "\n\n  ", "\t"), weight: 8 },
  { arbitrary: commentText.map((c) => ` ${c}\n`), weight: 1 },
  { arbitrary: commentText.map((c) => `\n${c}\n\n`), weight: 1 },
);

/** A whole file: declarations and comments, tokens joined by random separators. */
export const journeyFile: fc.Arbitrary<string> = fc
  .tuple(fc.array(decl, { minLength: 1, maxLength: 3 }), fc.array(separator, { minLength: 1, maxLength: 40 }), fc.option(commentText, { nil: undefined }))
  .map(([decls, seps, lead]) => {
    const tokens = decls.flat();
    let out = lead ? lead + "\n" : "";
    tokens.forEach((t, i) => {
      out += t + seps[i % seps.length]!;
    });
    return out;
  });
