// The fast canonical JSON writer (core/canonical-json.ts: an ordering walk, then the native
// JSON.stringify) prints exactly what the reference writer prints (test/log/canonical-json-reference.ts,
// the implementation it replaced) for every value, and refuses exactly what it refuses with the same
// message and path: property tests over generated plain data — integer-like and `__proto__` keys,
// lone surrogates, -0, undefined members and list items, null-prototype objects, shared values —
// and over values with something unencodable planted somewhere inside.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalJson, isCanonicalJsonError, MAX_JSON_DEPTH } from "../../core/canonical-json.ts";
import { referenceCanonicalJson } from "./canonical-json-reference.ts";

/** Keys that stress the ordering: integer-like (enumerated first by JS), near-integers, specials. */
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom("0", "1", "2", "9", "10", "01", "-1", "1.5", "4294967294", "4294967295", "$kairos", "__proto__", "constructor", "", "a", "B", "é", "\ud800"),
  fc.nat({ max: 300 }).map(String),
  fc.string({ unit: "grapheme", maxLength: 4 }),
);

const leaf = fc.oneof(
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.string({ maxLength: 8 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 0, 1e21, 5e-324, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

/** Builds an object member by member (so insertion order is the generated one), sometimes without a prototype. */
function objectOf(entries: readonly (readonly [string, unknown])[], bare: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = bare ? (Object.create(null) as Record<string, unknown>) : {};
  for (const [k, v] of entries) {
    if (k === "__proto__" && !bare) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    else o[k] = v;
  }
  return o;
}

const { value: plain } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("list"), tie("object")),
  list: fc.array(tie("value"), { maxLength: 5 }),
  object: fc.tuple(fc.array(fc.tuple(key, tie("value")), { maxLength: 6 }), fc.boolean()).map(([es, bare]) => objectOf(es, bare)),
}));

/** What a call gives: its text, or the refusal's message (which names what and where). */
function outcome(f: () => string): string {
  try {
    return `ok ${f()}`;
  } catch (e) {
    if (!isCanonicalJsonError(e)) throw e;
    return `refused ${(e as Error).message}`;
  }
}

const poison = fc.constantFrom<[string, () => unknown]>(
  ["function", () => () => 1],
  ["bigint", () => 10n],
  ["symbol", () => Symbol("s")],
  ["NaN", () => Number.NaN],
  ["Infinity", () => -Infinity],
  ["Date", () => new Date(0)],
  ["Map", () => new Map()],
  ["Uint8Array", () => new Uint8Array(2)],
);

/** The value with `bad` put at a place chosen by `at` (a member or an item somewhere inside). */
function plant(value: unknown, bad: unknown, at: number): unknown {
  if (value !== null && typeof value === "object") {
    const slots = Array.isArray(value) ? value.length : Object.keys(value).length;
    if (slots > 0 && at % 3 !== 0) {
      const i = at % slots;
      if (Array.isArray(value)) value[i] = plant(value[i], bad, Math.floor(at / 3));
      else {
        const k = Object.keys(value)[i]!;
        (value as Record<string, unknown>)[k] = plant((value as Record<string, unknown>)[k], bad, Math.floor(at / 3));
      }
      return value;
    }
    return Array.isArray(value) ? [...value, bad] : { ...value, zz: bad };
  }
  return { planted: bad, other: value };
}

describe("fast canonical JSON equals the reference writer", () => {
  test("the same text for any plain value, compact and indented", () => {
    fc.assert(
      fc.property(plain, fc.constantFrom(0, 2, 4), (v, indent) => {
        expect(outcome(() => canonicalJson(v, indent))).toBe(outcome(() => referenceCanonicalJson(v, indent)));
      }),
      { numRuns: 3000 },
    );
  });

  test("the same refusal, naming the same place, for a value with something unencodable inside", () => {
    fc.assert(
      fc.property(plain, poison, fc.nat(), fc.constantFrom<(string | number)[]>([], ["entry"], ["decision", 0]), (v, [, make], at, root) => {
        const a = plant(structuredClone(v), make(), at);
        const b = plant(structuredClone(v), make(), at);
        expect(outcome(() => canonicalJson(a, 0, root))).toBe(outcome(() => referenceCanonicalJson(b, 0, root)));
      }),
      { numRuns: 1000 },
    );
  });

  test("orders integer-like keys by code unit, not numerically as JS objects enumerate them", () => {
    const v = { b: 1, 10: "ten", 9: "nine", $a: 0, "1a": 2 };
    expect(canonicalJson(v)).toBe('{"$a":0,"10":"ten","1a":2,"9":"nine","b":1}');
    expect(canonicalJson(v)).toBe(referenceCanonicalJson(v));
    // Already in code-unit order as enumerated: no copy is needed, the native path prints it.
    expect(canonicalJson({ 1: 1, 2: 2, a: 3 })).toBe('{"1":1,"2":2,"a":3}');
  });

  test("a `__proto__` member of an object whose keys must be re-ordered stays a member", () => {
    const o = Object.create(null) as Record<string, unknown>;
    o["z"] = 1;
    // biome-ignore lint/suspicious/noProto: a key named `__proto__` on a null-prototype object is data, the point of the test
    o["__proto__"] = { x: 1 };
    expect(canonicalJson(o)).toBe('{"__proto__":{"x":1},"z":1}');
  });

  test("cycles and nesting past the limit are refused as before, and indents past 10 are not clamped", () => {
    const o: Record<string, unknown> = { list: [] };
    (o["list"] as unknown[]).push({ back: o });
    expect(outcome(() => canonicalJson(o, 0, ["entry"]))).toBe(
      "refused canonical JSON: cannot encode a cycle (the value contains itself) at `entry.list[0].back`",
    );
    const deep = (n: number): unknown => (n === 0 ? 0 : [deep(n - 1)]);
    expect(outcome(() => canonicalJson(deep(MAX_JSON_DEPTH + 1)))).toBe(outcome(() => referenceCanonicalJson(deep(MAX_JSON_DEPTH + 1))));
    expect(canonicalJson(deep(MAX_JSON_DEPTH))).toBe(referenceCanonicalJson(deep(MAX_JSON_DEPTH)));
    expect(canonicalJson({ a: [1] }, 12)).toBe(referenceCanonicalJson({ a: [1] }, 12));
    expect(canonicalJson({ a: [1] }, 12)).toContain(`\n${" ".repeat(12)}"a"`);
  });

  test("does not change its input", () => {
    fc.assert(
      fc.property(plain, (v) => {
        const before = outcome(() => referenceCanonicalJson(v));
        outcome(() => canonicalJson(v));
        expect(outcome(() => referenceCanonicalJson(v))).toBe(before);
      }),
      { numRuns: 300 },
    );
  });
});
