// The direct writer of trace node literals (compiler/codegen/trace-node-text.ts) against the
// generic one it replaces on the hot path (`dataAtom`, compiler/codegen/code.ts): the same text
// for every trace node, and the generic path (same text, same errors) for anything else.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TraceNode } from "../../core/artifact.ts";
import { dataAtom } from "../../compiler/codegen/code.ts";
import { traceNodeAtom } from "../../compiler/codegen/trace-node-text.ts";

const text = (c: ReturnType<typeof dataAtom>): string => (c as { text: string }).text;

const int = fc.oneof(fc.nat(), fc.integer(), fc.constant(-0));
const str = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("x.journey", 'a "quoted" \\ file', "__proto__", "…"));
const loc = fc.record({ file: str, line: int, column: int, endLine: int, endColumn: int });

/** Nodes as planJourney builds them: members in its order, `op` only when there is one. */
const node: fc.Arbitrary<TraceNode> = fc
  .record({ id: int, kind: str, op: fc.option(str, { nil: undefined }), text: str, loc, type: str, children: fc.array(int, { maxLength: 6 }) })
  .map(({ id, kind, op, text, loc, type, children }) =>
    op === undefined ? { id, kind, text, loc, type, children } : { id, kind, op, text, loc, type, children },
  );

describe("trace node literals", () => {
  it("are the text dataAtom writes for every trace node", () => {
    fc.assert(
      fc.property(fc.array(node, { minLength: 1, maxLength: 5 }), (nodes) => {
        // Several in a row: the writer keeps the latest file's JSON text between calls.
        for (const n of nodes) expect(text(traceNodeAtom(n))).toBe(text(dataAtom(n)));
      }),
      { numRuns: 500 },
    );
  });

  it("take the generic path for anything else, with its text or its error", () => {
    const base = { id: 1, kind: "path", text: "a.b", loc: { file: "f", line: 1, column: 2, endLine: 1, endColumn: 5 }, type: "int", children: [2, 3] };
    const odd: unknown[] = [
      { ...base, op: undefined },
      { ...base, extra: true },
      { kind: "path", id: 1, text: "a.b", loc: base.loc, type: "int", children: [] },
      { ...base, op: 3 },
      { ...base, loc: { line: 1, file: "f", column: 2, endLine: 1, endColumn: 5 } },
      { ...base, loc: { ...base.loc, extra: null } },
      { ...base, children: ["1"] },
      { ...base, id: "1" },
    ];
    for (const n of odd) expect(text(traceNodeAtom(n as TraceNode))).toBe(text(dataAtom(n)));
    for (const bad of [
      { ...base, id: Number.NaN },
      { ...base, children: [Infinity] },
      { ...base, loc: { ...base.loc, line: -Infinity } },
    ])
      expect(() => traceNodeAtom(bad as TraceNode)).toThrow(/non-finite number/);
  });
});
