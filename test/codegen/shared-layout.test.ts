// Codegen lays out Code without TypeScript-only parts once and writes the same lines to both
// modules, and writes the metadata's lines after its first once for both (compiler/codegen/
// module.ts). These are the two facts that relies on, checked over arbitrary Code trees against
// laying out each flavour on its own (the reference, CodeWriter.layout per writer).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  array,
  arrow,
  as,
  binary,
  call,
  ident,
  member,
  nonNull,
  num,
  object,
  prefix,
  sameInBothModes,
  str,
  type BinaryOp,
  type Code,
} from "../../compiler/codegen/code.ts";
import { WIDTH } from "../../compiler/codegen/layout.ts";
import { width } from "../../compiler/codegen/measure.ts";
import { CodeWriter } from "../../compiler/codegen/writer.ts";

const OPS: BinaryOp[] = ["&&", "||", "===", "!==", "<", ">=", "+", "-", "*", "/"];
const NAMES = ["a", "t", "c", "customer", "recent_interactions", "x_1", "$"];

function codeArb(tsOnly: boolean): fc.Arbitrary<Code> {
  const { code } = fc.letrec<{ code: Code }>((tie) => {
    const sub = tie("code");
    const leaf = fc.oneof(fc.constantFrom(...NAMES).map(ident), fc.integer({ min: -50, max: 5000 }).map(num), fc.string({ maxLength: 40 }).map(str));
    const kinds: fc.Arbitrary<Code>[] = [
      leaf,
      fc.tuple(fc.constantFrom(...NAMES), fc.array(sub, { maxLength: 4 })).map(([f, args]) => call(f, args)),
      fc.tuple(fc.constantFrom(...OPS), sub, sub).map(([op, l, r]) => binary(op, l, r)),
      fc.tuple(fc.constantFrom("!" as const, "-" as const), sub).map(([op, o]) => prefix(op, o)),
      fc.tuple(sub, fc.constantFrom("segment", "at", "not-an-identifier")).map(([t, n]) => member(t, n)),
      fc.tuple(fc.subarray(["x", "y"]), sub).map(([ps, b]) => arrow(ps, b)),
      fc.array(sub, { maxLength: 5 }).map(array),
      fc.array(fc.tuple(fc.constantFrom("id", "text", "a b", "__proto__"), sub), { maxLength: 4 }).map(object),
    ];
    if (tsOnly)
      kinds.push(
        sub.map(nonNull),
        sub.map((o) => as(o, "unknown", "Ctx")),
      );
    return { code: fc.oneof({ depthSize: "small", withCrossShrink: true }, ...kinds) };
  });
  return code;
}

/** A writer `depth` levels in, where the caller's lines would go. */
function at(mode: "ts" | "js", depth: number, run: (w: CodeWriter) => void): void {
  const w = new CodeWriter(mode);
  const nest = (d: number): void => {
    if (d === 0) run(w);
    else w.block("{", () => nest(d - 1));
  };
  nest(depth);
}

const layout = (mode: "ts" | "js", depth: number, before: string, c: Code, after: string): string[] => {
  let lines: string[] = [];
  at(mode, depth, (w) => {
    lines = w.layout(before, c, after);
  });
  return lines;
};

describe("shared layout of the two modules", () => {
  it("Code without `!` or `as` lays out the same in TypeScript and JavaScript", () => {
    fc.assert(
      fc.property(codeArb(false), fc.string({ maxLength: 70 }), fc.constantFrom("", ";", ");"), fc.nat(25), (c, before, after, depth) => {
        expect(sameInBothModes(c)).toBe(true);
        expect(layout("js", depth, before, c, after)).toEqual(layout("ts", depth, before, c, after));
      }),
      { numRuns: 400 },
    );
  });

  it("`!` and `as` are seen anywhere in a tree", () => {
    fc.assert(
      fc.property(codeArb(true), (c) => {
        const ts = JSON.stringify(c);
        expect(sameInBothModes(c)).toBe(!ts.includes('"k":"nonNull"') && !ts.includes('"k":"as"'));
      }),
      { numRuns: 300 },
    );
  });

  it("an object wider than a line is broken after its `{` whatever precedes it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("id", "nodes", "loc", "a b"), codeArb(false)), { minLength: 1, maxLength: 6 }),
        fc.string({ maxLength: 60 }),
        fc.string({ maxLength: 60 }),
        fc.nat(3),
        (entries, b1, b2, depth) => {
          const c = object(entries);
          fc.pre(width(c, "js", WIDTH) > WIDTH);
          const one = layout("ts", depth, b1, c, ";");
          const two = layout("js", depth, b2, c, ";");
          const pad = "  ".repeat(depth);
          expect(one[0]).toBe(`${pad}${b1}{`);
          expect(two[0]).toBe(`${pad}${b2}{`);
          expect(two.slice(1)).toEqual(one.slice(1));
        },
      ),
      { numRuns: 300 },
    );
  });
});
