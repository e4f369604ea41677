// Named conditions are planned, traced and generated once per evaluation, and shared by every
// reference (issue 10, defect 2: `c1 = c0 and c0`, `c2 = c1 and c1`, … had 2^n trace nodes and
// 2^n lines of generated code, so a 700-byte policy exhausted memory). Sizes are asserted, not
// times; both evaluation paths must keep recording the same events.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CompiledJourney, PredicateContext } from "../../core/artifact.ts";
import { emitPredicates } from "../../compiler/codegen/index.ts";
import { interpretProgram } from "../../compiler/eval/interpreter.ts";
import { planJourney } from "../../compiler/plan/trace-nodes.ts";
import { traceTree } from "../../runtime/rationale/trace-tree.ts";
import { compile, importPredicates, run } from "./helpers.ts";

const CATALOG = `version: 1
entities:
  account:
    key: id
    fields:
      id:    { type: string }
      a:     { type: decimal }
      n:     { type: int }
      items: { type: list, of: int }
events:
  daily: { binds: [account], schedule: true }
purposes:
  service: { bases: [contract], channels: [email] }
actions:
  email: { channel: email, params: { template: string } }
`;

const journey = (id: string, when: string, reason?: string) =>
  `journey ${id} {\n  purpose service\n  on daily\n  when ${when}\n  do email(template: "t")\n${reason ? `  reason ${JSON.stringify(reason)}\n` : ""}}\n`;

/** The issue's reproducer: `c0` reads a field, each `ci` is `c(i-1) and c(i-1)`, the journey uses `cn`. */
function chain(n: number): string {
  let src = "condition c0 = account.n >= 12\n";
  for (let i = 1; i <= n; i++) src += `condition c${i} = c${i - 1} and c${i - 1}\n`;
  return src + journey("j", `c${n}`);
}

const ctxOf = (account: Record<string, unknown>) => ({ now: 0, event: {}, account }) as unknown as PredicateContext;

/** Both evaluation paths of every journey of a program, by id. */
async function bothPaths(src: string): Promise<Map<string, [CompiledJourney, CompiledJourney]>> {
  const r = compile({ "k.journey": src }, CATALOG);
  const mod = await importPredicates(emitPredicates(r.program, r.sources).js);
  const interp = interpretProgram(r.program, r.sources);
  return new Map(mod.journeys.map((j, i) => [j.meta.id, [j, interp[i]!]] as const));
}

function sizes(n: number): { nodes: number; ts: number; js: number } {
  const r = compile({ "k.journey": chain(n) }, CATALOG);
  const out = emitPredicates(r.program, r.sources);
  return { nodes: planJourney(r.program, r.program.journeys[0]!, r.sources).nodes.length, ts: out.ts.length, js: out.js.length };
}

describe("a chain of conditions that each use the previous one twice", () => {
  it("has trace nodes and generated code linear in its length", () => {
    const base = sizes(0);
    const small = sizes(8);
    const large = sizes(16);
    // Twice the links: twice the nodes and code (inlining each use would make it 2^8 times).
    expect(large.nodes / small.nodes).toBeLessThan(2.5);
    expect((large.ts - base.ts) / (small.ts - base.ts)).toBeLessThan(2.5);
    expect((large.js - base.js) / (small.js - base.js)).toBeLessThan(2.5);
    // Three nodes a link (the body, and the two references), whatever the length.
    expect(sizes(32).nodes).toBeLessThanOrEqual(3 * 33 + 3);
  });

  it("compiles the issue's 24 links, and 140, and evaluates each body once on both paths", async () => {
    for (const n of [24, 140]) {
      const [compiled, interpreted] = (await bothPaths(chain(n))).get("j")!;
      expect(compiled.meta.nodes.length).toBe(3 * n + 3);
      for (const account of [{ n: 20 }, { n: 3 }]) {
        const c = run(compiled.when, ctxOf(account));
        expect(run(interpreted.when, ctxOf(account))).toEqual(c);
        expect(c).toMatchObject({ value: account.n >= 12 });
        // Every node at most once: each condition's body ran once, later references reused it.
        const ids = c.events.map(([id]) => id);
        expect(new Set(ids).size).toBe(ids.length);
      }
      // The rationale's tree shows each node once.
      const trace = run(compiled.when, ctxOf({ n: 20 })).events;
      expect(traceTree(compiled.meta, trace).when.length).toBe(3 * n + 3);
    }
  });
});

describe("a named condition used more than once", () => {
  it("numbers its body once, under the first reference; later references point at it", async () => {
    const [compiled] = (await bothPaths("condition big = account.n > 10\n" + journey("k", "big and (big or account.a == 1.5)", "n is {account.n}"))).get("k")!;
    expect(compiled.meta.nodes.map((n) => [n.id, n.kind, n.op ?? "", n.text, n.children])).toEqual([
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
  });

  it("is evaluated once per evaluation: the first reference that runs traces the body", async () => {
    const paths = await bothPaths(
      "condition big = account.n > 10\n" + journey("k", "big and (big or account.a == 1.5)") + journey("skip", "(account.n < 0 and big) or big"),
    );
    const [k0, k1] = paths.get("k")!;
    const [s0, s1] = paths.get("skip")!;
    for (const [k, s] of [
      [k0, s0],
      [k1, s1],
    ] as const) {
      // The second `big` (node 5) reuses the value: no second `account.n`, no second `>`.
      expect(run(k.when, ctxOf({ n: 20, a: 0 }))).toEqual({
        value: true,
        events: [
          [3, 20],
          [2, true],
          [1, true],
          [5, true],
          [4, true],
          [0, true],
        ],
      });
      // A new evaluation starts afresh.
      expect(run(k.when, ctxOf({ n: 3, a: 0 }))).toEqual({
        value: false,
        events: [
          [3, 3],
          [2, false],
          [1, false],
          [0, false],
        ],
      });
      // The first reference (node 4) is short-circuited: the second one evaluates the body.
      expect(s.meta.nodes.map((n) => [n.id, n.text, n.children])).toEqual([
        [0, "(account.n < 0 and big) or big", [1, 7]],
        [1, "account.n < 0 and big", [2, 4]],
        [2, "account.n < 0", [3]],
        [3, "account.n", []],
        [4, "big", [5]],
        [5, "account.n > 10", [6]],
        [6, "account.n", []],
        [7, "big", [5]],
      ]);
      expect(run(s.when, ctxOf({ n: 20 }))).toEqual({
        value: true,
        events: [
          [3, 20],
          [2, false],
          [1, false],
          [6, 20],
          [5, true],
          [7, true],
          [0, true],
        ],
      });
    }
  });

  it("inside a quantifier body is evaluated for the first element only; the reference for each", async () => {
    const [compiled, interpreted] = (await bothPaths("condition big = account.n > 10\n" + journey("k", "(count x in account.items: big and x > 1) == 2"))).get(
      "k",
    )!;
    const expected = run(interpreted.when, ctxOf({ n: 20, items: [1, 2, 3] }));
    expect(run(compiled.when, ctxOf({ n: 20, items: [1, 2, 3] }))).toEqual(expected);
    expect(expected).toMatchObject({ value: true });
    const body = compiled.meta.nodes.find((n) => n.text === "account.n > 10")!.id;
    const ref = compiled.meta.nodes.find((n) => n.text === "big")!.id;
    const events = (expected as { events: [number, unknown][] }).events;
    expect(events.filter(([id]) => id === body)).toEqual([[body, true]]);
    expect(events.filter(([id]) => id === ref)).toEqual([
      [ref, true],
      [ref, true],
      [ref, true],
    ]);
  });

  it("in `when` and in `reason` is numbered and evaluated once in each", async () => {
    const [compiled, interpreted] = (await bothPaths("condition big = account.n > 10\n" + journey("k", "big and big", "{big}/{big}"))).get("k")!;
    expect(compiled.meta.nodes.map((n) => [n.id, n.text, n.children])).toEqual([
      [0, "big and big", [1, 4]],
      [1, "big", [2]],
      [2, "account.n > 10", [3]],
      [3, "account.n", []],
      [4, "big", [2]],
      [5, "big", [6]],
      [6, "account.n > 10", [7]],
      [7, "account.n", []],
      [8, "big", [6]],
    ]);
    for (const path of [compiled, interpreted]) {
      expect(run(path.reason!, ctxOf({ n: 20 }))).toEqual({
        value: "true/true",
        events: [
          [7, 20],
          [6, true],
          [5, true],
          [8, true],
        ],
      });
    }
  });
});

describe("compiled and interpreted traces", () => {
  // Random policy sets where conditions use earlier conditions (and fields, quantifiers) any
  // number of times, and journeys use them in `when` and `reason`.
  const atom = fc.constantFrom(
    "account.n > 10",
    "account.n == 3",
    "account.a < 1.5",
    "(any x in account.items: x > account.n)",
    "(count y in account.items: y >= 2 and account.n < 5) > 0",
  );
  const expr = (names: readonly string[], depth: number): fc.Arbitrary<string> => {
    const leaf = names.length > 0 ? fc.oneof(atom, fc.constantFrom(...names)) : atom;
    if (depth === 0) return leaf;
    const sub = expr(names, depth - 1);
    return fc.oneof(
      { arbitrary: leaf, weight: 2 },
      { arbitrary: fc.tuple(sub, fc.constantFrom("and", "or"), sub).map(([l, op, r]) => `(${l} ${op} ${r})`), weight: 3 },
      { arbitrary: sub.map((s) => `not ${s}`), weight: 1 },
      {
        arbitrary:
          names.length > 0
            ? fc.tuple(fc.constantFrom(...names), sub).map(([c, s]) => `(any z${depth} in account.items: (${c} and z${depth} > 1) or ${s})`)
            : leaf,
        weight: 1,
      },
    );
  };
  const program = fc.integer({ min: 1, max: 6 }).chain((k) => {
    const names = Array.from({ length: k }, (_, i) => `c${i}`);
    const conds = fc.tuple(...names.map((_, i) => expr(names.slice(0, i), 2)));
    return fc.tuple(conds, expr(names, 3), fc.constantFrom(...names)).map(([bodies, when, shown]) => {
      // Every condition is also used directly, so none is left unused.
      const decls = bodies.map((b, i) => `condition c${i} = ${b}`).join("\n");
      return `${decls}\n${journey("k", `${when} or ${names.join(" or ")}`, `{${shown}} and {${shown}}`)}`;
    });
  });
  const account = fc.record({
    n: fc.integer({ min: 0, max: 15 }),
    a: fc.constantFrom(0, 1.5, 2),
    items: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
  });

  it("record the same events for conditions shared in every way", async () => {
    // Guard: the generated programs do exercise memoized condition functions.
    let memoized = 0;
    await fc.assert(
      fc.asyncProperty(program, fc.array(account, { minLength: 1, maxLength: 8 }), async (src, accounts) => {
        const r = compile({ "k.journey": src }, CATALOG);
        if (planJourney(r.program, r.program.journeys[0]!).conditions.some((c) => c.shared && c.part === "when")) memoized++;
        const [compiled, interpreted] = (await bothPaths(src)).get("k")!;
        for (const a of accounts) {
          expect(run(compiled.when, ctxOf(a))).toEqual(run(interpreted.when, ctxOf(a)));
          expect(run(compiled.reason!, ctxOf(a))).toEqual(run(interpreted.reason!, ctxOf(a)));
        }
      }),
      { numRuns: 40 },
    );
    expect(memoized).toBeGreaterThan(10);
  });
});
