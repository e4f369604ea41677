// Canonical JSON refuses what JSON cannot represent, saying what and where, instead of printing
// garbage (`null` for NaN, `{}` for a class instance) into decisions and log entries; and the
// messages of thrown values are read without ever throwing again.
import { describe, expect, test } from "vitest";
import { canonicalJson, CanonicalJsonError, MAX_JSON_DEPTH } from "../../core/canonical-json.ts";
import { thrownMessage } from "../../runtime/thrown.ts";

function failure(value: unknown, root: string[] = []): CanonicalJsonError {
  try {
    canonicalJson(value, 0, root);
  } catch (e) {
    if (e instanceof CanonicalJsonError) return e;
    throw e;
  }
  throw new Error("canonicalJson accepted the value");
}

describe("canonical JSON", () => {
  test("sorts keys at every depth, drops undefined members and prints undefined in lists as null", () => {
    expect(canonicalJson({ b: 1, a: { d: [undefined, -0], c: "x" }, u: undefined })).toBe('{"a":{"c":"x","d":[null,0]},"b":1}');
  });

  test("objects without a prototype are plain data, `__proto__` keys included", () => {
    const o = Object.create(null) as Record<string, unknown>;
    // biome-ignore lint/suspicious/noProto: a key named `__proto__` on a null-prototype object is data, the point of the test
    o["__proto__"] = 1;
    o["constructor"] = { toString: 2 };
    expect(canonicalJson(o)).toBe('{"__proto__":1,"constructor":{"toString":2}}');
  });

  test("a value shared twice is not a cycle", () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
  });

  const refused: [string, unknown, string][] = [
    ["a function", { a: [1, () => 2] }, "a[1]"],
    ["a BigInt", { n: 10n }, "n"],
    ["a symbol", [Symbol("s")], "[0]"],
    ["the non-finite number NaN", { trace: [[3, Number.NaN]] }, "trace[0][1]"],
    ["the non-finite number Infinity", [Infinity], "[0]"],
    ["the non-finite number -Infinity", { "odd key": -Infinity }, '["odd key"]'],
    ["an instance of Date (not plain data)", { at: new Date(0) }, "at"],
    ["an instance of Map (not plain data)", { m: new Map() }, "m"],
  ];
  for (const [found, value, path] of refused) {
    test(`refuses ${found}, naming where it is`, () => {
      const e = failure(value);
      expect(e.found).toBe(found);
      expect(e.path).toBe(path);
      expect(e.message).toBe(`canonical JSON: cannot encode ${found} at \`${path}\``);
    });
  }

  test("refuses a cycle, naming where it closes", () => {
    const o: Record<string, unknown> = { list: [] };
    (o["list"] as unknown[]).push({ back: o });
    const e = failure(o, ["entry"]);
    expect(e.found).toBe("a cycle (the value contains itself)");
    expect(e.path).toBe("entry.list[0].back");
  });

  test("refuses nesting deeper than its limit, and accepts it up to the limit", () => {
    const deep = (n: number): unknown => (n === 0 ? 0 : [deep(n - 1)]);
    expect(() => canonicalJson(deep(MAX_JSON_DEPTH))).not.toThrow();
    expect(failure(deep(MAX_JSON_DEPTH + 1)).found).toBe(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
  });
});

describe("messages of thrown values", () => {
  const bare = Object.create(null) as object;
  const withMessage = Object.assign(Object.create(null) as object, { message: "crm down" });
  const hostile = {
    get message(): string {
      throw new Error("no");
    },
  };
  const cases: [string, unknown, string][] = [
    ["an Error", new Error("disk full"), "disk full"],
    ["a string, as the opa-wasm SDK throws", "failed to parse json value", "failed to parse json value"],
    ["an object without a prototype", bare, "an object without a message"],
    ["an object without a prototype but with a message", withMessage, "crm down"],
    ["an object whose message getter throws", hostile, "a value that cannot be read"],
    ["undefined", undefined, "undefined"],
    ["a symbol", Symbol("why"), "why"],
    ["an empty string", "", "(an empty message)"],
  ];
  for (const [what, thrown, message] of cases) {
    test(`reads ${what}`, () => {
      expect(thrownMessage(thrown)).toBe(message);
    });
  }
});
