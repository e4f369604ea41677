// Named conditions that use named conditions are checked once each: the checker's work grows
// with the text, not with the number of paths through the conditions (issue 10, defect 2:
// `c1 = c0 and c0`, `c2 = c1 and c1`, … took 2^n). Measured by counting the checker's map
// lookups, which is deterministic, rather than by timing it.
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkText, journey, seen } from "../helpers/compile.ts";

/** `c0` reads a field; each `ci` uses `c(i-1)` twice; the journey uses `cn` (and `extra`). */
function chain(n: number, opts: { base?: string; extra?: string; reversed?: boolean } = {}): string {
  const decls = [`condition c0 = ${opts.base ?? "customer.tenure_months >= 12"}`];
  for (let i = 1; i <= n; i++) decls.push(`condition c${i} = c${i - 1} and c${i - 1}`);
  if (opts.reversed) decls.reverse();
  return `${decls.join("\n")}\n${journey({ when: opts.extra ? `c${n} and ${opts.extra}` : `c${n}` })}`;
}

/** How many `Map.prototype.get` calls checking `src` makes: a proxy for the checker's work. */
function lookups(src: string): number {
  const get = Map.prototype.get;
  let n = 0;
  const spy = vi.spyOn(Map.prototype, "get").mockImplementation(function (this: Map<unknown, unknown>, key: unknown) {
    n++;
    return get.call(this, key);
  });
  try {
    checkText(src);
  } finally {
    spy.mockRestore();
  }
  return n;
}

afterEach(() => vi.restoreAllMocks());

describe("named conditions built from named conditions", () => {
  it("costs the checker work linear in the length of the chain", () => {
    const small = lookups(chain(8));
    const large = lookups(chain(16));
    // Twice the text: about twice the work (the catalog and the journey are fixed costs).
    // Following every reference into its body again would multiply it by 2^8.
    expect(large / small).toBeLessThan(2.5);
  });

  it("narrows through a long chain of conditions as through one, in linear work", () => {
    // `customer.nps` is proven set by `c0`, through every link of the chain.
    const small = lookups(chain(8, { base: "customer.nps is set", extra: "customer.nps >= 9" }));
    const large = lookups(chain(16, { base: "customer.nps is set", extra: "customer.nps >= 9" }));
    expect(large / small).toBeLessThan(2.5);
    expect(seen(checkText(chain(60, { base: "customer.nps is set", extra: "customer.nps >= 9" }))).filter((d) => d.severity === "error")).toEqual([]);
  });

  it("checks the 24-link chain of the issue clean, and the 200-link one with a clear depth error", () => {
    expect(seen(checkText(chain(24)))).toEqual([]);
    // 200 links nest 402 operations deep where the journey uses `c200`: past the bound that
    // keeps evaluation off the stack limit, reported once, at `when`.
    const ds = seen(checkText(chain(200)));
    expect(ds.map((d) => [d.code, d.underlined])).toEqual([["check/too-deep", "when"]]);
    expect(ds[0]!.message).toBe("`when` of `j` nests 403 operations deep (named conditions included), more than 300");
  });

  it("checks conditions after the conditions they use, whatever the order they are written in", () => {
    const guard = "condition has_nps = customer.nps is set";
    const guarded = "condition promoter = has_nps and customer.nps >= 9";
    for (const decls of [
      [guard, guarded],
      [guarded, guard],
    ]) {
      const ds = seen(checkText(`${decls.join("\n")}\n${journey({ when: "promoter" })}`));
      expect(ds).toEqual([]);
    }
    expect(
      seen(checkText(chain(40, { base: "customer.nps is set", extra: "customer.nps >= 9", reversed: true }))).filter((d) => d.severity === "error"),
    ).toEqual([]);
  });

  it("reports a cycle of conditions once, even where a journey narrows through it", () => {
    const src = `condition a = b and customer.tenure_months >= 1\ncondition b = a\n${journey({ when: "a and customer.nps is set and customer.nps >= 9" })}`;
    const ds = seen(checkText(src)).filter((d) => d.severity === "error");
    expect(ds.map((d) => [d.code, d.underlined])).toEqual([["check/condition-cycle", "a"]]);
    expect(ds[0]!.message).toBe("conditions refer to each other in a cycle: `a` → `b` → `a`");
  });

  it("rejects a policy set whose journeys would compile one large condition so often that its size explodes", () => {
    // Each journey using `big` compiles its 20,003 operations: 15 journeys stay within the
    // bound (200,000 and 8 times the operations written), 30 pass it, at the 19th.
    const big = `condition big = customer.tenure_months in [${Array.from({ length: 20_000 }, (_, i) => i).join(", ")}]\n`;
    const journeys = (n: number) => big + Array.from({ length: n }, (_, k) => journey({ when: "big" }, `j${k}`)).join("");
    expect(seen(checkText(journeys(15)))).toEqual([]);
    const ds = seen(checkText(journeys(30)));
    expect(ds.map((d) => [d.code, d.underlined])).toEqual([["check/too-large", "j18"]]);
    expect(ds[0]!.message).toBe(
      "the journeys up to `j18` use named conditions so often that they compile to more than 360264 operations (8 times the 20033 written, and 200000)",
    );
    // What is written once is never too large: the same list in one journey, or in a condition one journey uses.
    const list = `customer.tenure_months in [${Array.from({ length: 300_000 }, (_, i) => i).join(", ")}]`;
    expect(seen(checkText(journey({ when: list })))).toEqual([]);
    expect(seen(checkText(`condition huge = ${list}\n${journey({ when: "huge" })}`))).toEqual([]);
    // Counting costs the text, not the product: ten times the journeys, about ten times the work.
    expect(lookups(journeys(300)) / lookups(journeys(30))).toBeLessThan(12);
  });

  it("bounds a `reason` interpolation's depth, named conditions included, like `when`", () => {
    const decls = ["condition c0 = customer.tenure_months >= 12"];
    for (let i = 1; i <= 160; i++) decls.push(`condition c${i} = c${i - 1} and customer.tenure_months >= ${i}`);
    const ds = seen(checkText(`${decls.join("\n")}\n${journey({ when: "true", reason: '"{c160}"' })}`)).filter((d) => d.severity === "error");
    expect(ds.map((d) => [d.code, d.underlined])).toEqual([["check/too-deep", "c160"]]);
    expect(ds[0]!.message).toBe("`{…}` in the `reason` of `j` nests 323 operations deep (named conditions included), more than 300");
  });
});
