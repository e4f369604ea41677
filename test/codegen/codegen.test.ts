// Codegen behaviour: determinism, the trace numbering shared with the interpreter, the
// expression semantics on both paths (compared with values computed from the spec's rules),
// fail-closed division by zero, and identifier validation.
import { MAX_DEPTH } from "../../compiler/checker/journey.ts";
import { checkSources } from "../../compiler/pipeline.ts";
import { describe, expect, it } from "vitest";
import type { CompiledJourney, PredicateContext } from "../../core/artifact.ts";
import { emitPredicates, generatePredicates, MAX_EXPRESSION_DEPTH } from "../../compiler/codegen/index.ts";
import { interpretProgram } from "../../compiler/eval/interpreter.ts";
import { MS_PER_DAY } from "../../core/literals.ts";
import { compile, compileExample, importPredicates, run } from "./helpers.ts";

const DAY = MS_PER_DAY;
const HOUR = 3_600_000;

/** Both evaluation paths of every journey of a program, by id. */
async function bothPaths(r: ReturnType<typeof compile>): Promise<Map<string, [CompiledJourney, CompiledJourney]>> {
  const mod = await importPredicates(emitPredicates(r.program, r.sources).js);
  const interp = interpretProgram(r.program, r.sources);
  return new Map(mod.journeys.map((j, i) => [j.meta.id, [j, interp[i]!]] as const));
}

const ACCOUNT_CATALOG = `version: 1
entities:
  account:
    key: id
    fields:
      id:       { type: string }
      opened:   { type: date }
      seen_at:  { type: datetime }
      a:        { type: decimal }
      b:        { type: decimal }
      n:        { type: int }
      items:    { type: list, of: int }
      nickname: { type: string, optional: true }
events:
  daily: { binds: [account], schedule: true }
purposes:
  service: { bases: [contract], channels: [email] }
actions:
  email: { channel: email, params: { template: string } }
`;

const j = (id: string, when: string, reason?: string) =>
  `journey ${id} {\n  purpose service\n  on daily\n  when ${when}\n  do email(template: "t")\n${reason ? `  reason ${JSON.stringify(reason)}\n` : ""}}\n`;

describe("determinism", () => {
  it("generates byte-identical modules from the same sources, whatever the order of files", () => {
    const a = compileExample();
    const b = compileExample();
    const x = emitPredicates(a.program, a.sources);
    const y = emitPredicates(b.program, b.sources);
    expect(y.ts).toBe(x.ts);
    expect(y.js).toBe(x.js);
    const files = { "one.journey": j("zeta", "account.n > 1"), "two.journey": j("alpha", "account.n < 1") };
    const p = compile(files, ACCOUNT_CATALOG);
    const q = compile(Object.fromEntries(Object.entries(files).reverse()), ACCOUNT_CATALOG);
    expect(emitPredicates(q.program, q.sources).js).toBe(emitPredicates(p.program, p.sources).js);
  });

  it("orders journeys by id in the module's `journeys`", async () => {
    const r = compile({ "x.journey": j("zeta", "account.n > 1") + j("alpha", "account.n < 1") }, ACCOUNT_CATALOG);
    const mod = await importPredicates(emitPredicates(r.program, r.sources).js);
    expect(mod.journeys.map((x) => x.meta.id)).toEqual(["alpha", "zeta"]);
  });
});

describe("trace numbering", () => {
  it("numbers `when` in pre-order, a condition's body once under its first reference, then the reason", async () => {
    const src = `condition big = account.n > 10\n${j("k", "big and (big or account.a == 1.5)", "n is {account.n}")}`;
    const r = compile({ "k.journey": src }, ACCOUNT_CATALOG);
    const [compiled] = (await bothPaths(r)).get("k")!;
    const nodes = compiled.meta.nodes.map((n) => [n.id, n.kind, n.op ?? "", n.text, n.children]);
    expect(nodes).toEqual([
      [0, "binary", "and", "big and (big or account.a == 1.5)", [1, 4]],
      [1, "path", "", "big", [2]],
      [2, "binary", ">", "account.n > 10", [3]],
      [3, "path", "", "account.n", []],
      [4, "binary", "or", "big or account.a == 1.5", [5, 6]],
      [5, "path", "", "big", [2]],
      [6, "binary", "==", "account.a == 1.5", [7]],
      [7, "path", "", "account.a", []],
      [8, "path", "", "account.n", []],
    ]);
    expect(compiled.meta.whenRoot).toBe(0);
    const n4 = compiled.meta.nodes[4]!;
    // Parentheses are transparent: the node is the inner expression, located where it is written.
    const line = src.split("\n")[n4.loc.line - 1]!;
    expect(line.slice(n4.loc.column - 1, n4.loc.endColumn - 1)).toBe("big or account.a == 1.5");
  });

  it("records values after their sub-expressions and skips the short-circuited side", async () => {
    const r = compile({ "k.journey": j("k", "account.n > 10 and account.a < 1") }, ACCOUNT_CATALOG);
    const [compiled, interpreted] = (await bothPaths(r)).get("k")!;
    const ctx = { now: 0, event: {}, account: { n: 3, a: 0 } } as unknown as PredicateContext;
    for (const path of [compiled, interpreted])
      expect(run(path.when, ctx)).toEqual({
        value: false,
        events: [
          [2, 3],
          [1, false],
          [0, false],
        ],
      });
  });
});

describe("expression semantics, on both paths", () => {
  const now = Date.UTC(2026, 4, 30, 23, 30);
  const today = Math.floor(now / DAY);
  const cases: { when: string; account: Record<string, unknown>; expected: boolean }[] = [
    // `/` is real division.
    { when: "account.n / 2 == 3.5", account: { n: 7 }, expected: true },
    // date + duration moves by whole days: 36h is one day.
    { when: "account.opened + 36h == 2026-05-31", account: { opened: today }, expected: true },
    { when: "account.opened - 2d == 2026-05-28", account: { opened: today }, expected: true },
    // datetime - datetime is a duration.
    { when: "now - account.seen_at == 90m", account: { seen_at: now - 90 * 60_000 }, expected: true },
    // Calendar days, not 24-hour periods: 23:00 yesterday is one day ago at 23:30.
    { when: "days_since(account.seen_at) == 1", account: { seen_at: now - 30 * 60_000 - 24 * HOUR }, expected: true },
    { when: "days_since(account.seen_at) == 0", account: { seen_at: now - 23 * HOUR }, expected: true },
    { when: "days_until(account.opened) == 3", account: { opened: today + 3 }, expected: true },
    // hours_since rounds down.
    { when: "hours_since(account.seen_at) == 2", account: { seen_at: now - 2 * HOUR - 59 * 60_000 }, expected: true },
    { when: "any x in account.items: x > 1", account: { items: [] }, expected: false },
    { when: "all x in account.items: x > 1", account: { items: [] }, expected: true },
    { when: "(count x in account.items: x > 1) == 2", account: { items: [1, 2, 3] }, expected: true },
    { when: "account.nickname is not set", account: { nickname: null }, expected: true },
    { when: 'account.nickname is set and lower(account.nickname) == "ann"', account: { nickname: "ANN" }, expected: true },
    { when: 'account.nickname is set and contains(account.nickname, "nn")', account: { nickname: "Ann" }, expected: true },
    { when: "-account.n in account.items", account: { n: 2, items: [-2] }, expected: true },
  ];

  it.each(cases)("`$when` is $expected", async ({ when, account, expected }) => {
    const r = compile({ "k.journey": j("k", when) }, ACCOUNT_CATALOG);
    const [compiled, interpreted] = (await bothPaths(r)).get("k")!;
    const ctx = { now, event: {}, account } as unknown as PredicateContext;
    const a = run(compiled.when, ctx);
    expect(a).toMatchObject({ value: expected });
    expect(run(interpreted.when, ctx)).toEqual(a);
  });

  it("renders reason values by type: dates, datetimes, durations, lists, decimals as amounts", async () => {
    const r = compile(
      { "k.journey": j("k", "true", "{account.opened} {account.seen_at} {now - account.seen_at} {account.items} {account.a}") },
      ACCOUNT_CATALOG,
    );
    const [compiled, interpreted] = (await bothPaths(r)).get("k")!;
    const ctx = { now, event: {}, account: { opened: today, seen_at: Date.UTC(2026, 4, 1, 9), items: [1, 2], a: 1.5 } } as unknown as PredicateContext;
    // A decimal reads with two fraction digits at least: `1.5` is `1.50` (`49.90`, not `49.9`).
    const expected = `2026-05-30 2026-05-01T09:00:00Z ${(now - Date.UTC(2026, 4, 1, 9)) / 60_000}m 1, 2 1.50`;
    expect(run(compiled.reason!, ctx)).toMatchObject({ value: expected });
    expect(run(interpreted.reason!, ctx)).toEqual(run(compiled.reason!, ctx));
  });

  it("fails closed on division by zero: a PredicateError naming the node, on both paths", async () => {
    const r = compile({ "k.journey": j("k", "account.n > 0 or account.a / account.b > 1") }, ACCOUNT_CATALOG);
    const [compiled, interpreted] = (await bothPaths(r)).get("k")!;
    const ctx = { now, event: {}, account: { n: 0, a: 1, b: 0 } } as unknown as PredicateContext;
    const a = run(compiled.when, ctx);
    expect(a).toMatchObject({ error: "predicate/division-by-zero" });
    const node = compiled.meta.nodes[(a as { node: number }).node]!;
    expect([node.op, node.text]).toEqual(["/", "account.a / account.b"]);
    expect(run(interpreted.when, ctx)).toEqual(a);
  });
});

describe("limits", () => {
  it("refuses an expression nested deeper than the compiler supports, with a check diagnostic instead of a stack overflow", () => {
    const when = Array.from({ length: MAX_DEPTH + 5 }, (_, i) => `account.n >= ${i}`).join(" and ");
    const r = checkSources({ catalog: { name: "catalog.yaml", text: ACCOUNT_CATALOG }, journeys: [{ name: "k.journey", text: j("k", when) }], rego: [] });
    expect(r.program).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["check/too-deep"]);
  });

  it("compiles an expression just within the limit", () => {
    expect(MAX_DEPTH).toBeLessThan(MAX_EXPRESSION_DEPTH);
    const when = Array.from({ length: MAX_DEPTH - 10 }, (_, i) => `account.n >= ${i}`).join(" and ");
    const r = compile({ "k.journey": j("k", when) }, ACCOUNT_CATALOG);
    expect(generatePredicates(r.program, r.sources).diagnostics).toEqual([]);
  });
});

describe("identifiers", () => {
  it("refuses a journey id that cannot name generated code, with a diagnostic at the name", () => {
    const r = compile({ "k.journey": j("ok", "account.n > 1") }, ACCOUNT_CATALOG);
    const bad = { ...r.program, journeys: [{ ...r.program.journeys[0]!, id: "x; process.exit(1)" }] };
    const out = generatePredicates(bad, r.sources);
    expect(out.value).toBeUndefined();
    expect(out.diagnostics.map((d) => [d.code, r.sources.get(d.span.file)!.slice(d.span)])).toEqual([["codegen/invalid-identifier", "ok"]]);
  });
});
