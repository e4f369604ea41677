// Issue 10 #10: request limits. A request past one is refused with `invalid_request` naming the
// limit, the numbers and how to raise it — before anything else reads it (the walk stops at
// the limit) — and a context provider's values are bounded the same way.
import { describe, expect, test } from "vitest";
import { checkRequestLimits, DEFAULT_LIMITS, resolveLimits, type RequestLimits } from "../../runtime/limits.ts";
import { Engine } from "../../runtime/engine.ts";
import { parseJsonText } from "../../runtime/json-text.ts";
import { formatProblems, MAX_PROBLEMS, parseRequest } from "../../runtime/request.ts";
import { MemorySink } from "../../runtime/sink.ts";
import { catalog, engine, FakePolicy, fullContext, journey, manifest, request } from "./fixtures.ts";

const consent = { purpose: "service_updates", channel: "email", status: "granted", at: "2026-01-01T00:00:00Z" };
const repeat = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);
const nested = (levels: number): unknown => (levels === 0 ? 1 : [nested(levels - 1)]);

function engineWith(limits: Partial<RequestLimits>): Engine {
  const journeys = [journey({ id: "a", fields: ["customer.recent_interactions"] })];
  return Engine.fromParts({ manifest: manifest(journeys), catalog, predicates: { journeys }, policy: new FakePolicy() }, { limits });
}

describe("request limits", () => {
  test("the defaults are documented numbers", () => {
    expect(DEFAULT_LIMITS).toEqual({
      consents: 10_000,
      objections: 1_000,
      history: 10_000,
      listItems: 10_000,
      stringLength: 65_536,
      depth: 32,
      size: 4_194_304,
    });
  });

  test("10,001 consent records are refused, naming the limit and how to raise it; the decision is logged", async () => {
    const sink = new MemorySink();
    const d = await engine([journey({ id: "a" })]).decide(request({ consents: repeat(10_001, consent) }), { sink });
    expect(d.outcome).toBe("error");
    expect(d.error?.code).toBe("invalid_request");
    expect(d.error?.message).toBe(
      "consents: has 10,001 consent records, more than the limit of 10,000\n  help: the limit is the engine option `limits.consents` (docs/runtime.md#limits); raise it there if such requests are legitimate",
    );
    expect(sink.entries).toHaveLength(1);
    expect(sink.entries[0]!.request.consents).toEqual([]);
  });

  test("10,000 consent records are within the limit, and a raised limit admits more", async () => {
    expect((await engine([journey({ id: "a" })]).decide(request({ consents: repeat(10_000, consent) }))).outcome).toBe("acted");
    const raised = engineWith({ consents: 20_000 });
    expect(raised.validate(request({ consents: repeat(10_001, consent) })).ok).toBe(true);
  });

  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      "objections",
      { objections: repeat(1_001, { scope: "direct_marketing", at: "2026-01-01T00:00:00Z" }) },
      "objections",
      "has 1,001 objections, more than the limit of 1,000",
    ],
    [
      "history",
      { history: repeat(10_001, { journey: "a", at: "2026-01-01T00:00:00Z" }) },
      "history",
      "has 10,001 history entries, more than the limit of 10,000",
    ],
    [
      "listItems",
      { context: { customer: { recent_interactions: repeat(10_001, {}) } } },
      "context.customer.recent_interactions",
      "has 10,001 items, more than the limit of 10,000",
    ],
    ["stringLength", { event: { type: "daily", id: "x".repeat(65_537) } }, "event.id", "the string has 65,537 characters, more than the limit of 65,536"],
    [
      "depth",
      { event: { type: "daily", id: "e", payload: { deep: nested(40) } } },
      "event.payload.deep[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]",
      "is nested 33 levels deep, more than the limit of 32",
    ],
    [
      "size",
      { context: { customer: { notes: repeat(80, "y".repeat(60_000)) } } },
      "(the request)",
      "the request is larger than the limit of 4,194,304 characters",
    ],
  ];
  for (const [limit, overrides, path, message] of cases) {
    test(`\`${limit}\`: refused with the path, the numbers and the option to raise`, () => {
      const r = parseRequest(request(overrides), catalog);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.problems).toEqual([{ path, message, hint: expect.stringContaining(`\`limits.${limit}\``) }]);
    });
  }

  test("a key longer than the string limit is refused like a string", () => {
    const r = parseRequest(request({ context: { ["k".repeat(70_000)]: {} } }));
    expect(r.ok ? "" : r.problems[0]!.message).toBe("the key has 70,000 characters, more than the limit of 65,536");
  });

  test("the walk stops at the limit: a list past it is not read at all", () => {
    let reads = 0;
    const list = new Proxy(repeat(50_000, consent), {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const r = parseRequest(request({ consents: list }), catalog);
    expect(r.ok).toBe(false);
    expect(reads).toBe(0);
  });

  test("a request past `size` is refused before it is read to its end", () => {
    let reads = 0;
    const big = "z".repeat(60_000);
    const strings = new Proxy(repeat(5_000, big), {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    expect(checkRequestLimits({ context: { customer: { notes: strings } } })?.limit).toBe("size");
    expect(reads).toBeLessThan(100);
  });

  test("the shape check of `kairos decide` (no catalog) applies the default limits", () => {
    const r = parseRequest(request({ history: repeat(10_001, { journey: "a", at: "2026-01-01T00:00:00Z" }) }));
    expect(r.ok ? "" : formatProblems(r.problems)).toContain("`limits.history`");
  });

  test("invalid limit options are refused when the engine is made", () => {
    expect(() => resolveLimits({ consents: 0 })).toThrow("request limit `consents` must be a positive integer, got 0");
    expect(() => resolveLimits({ consent: 5 } as never)).toThrow("unknown request limit `consent`");
    expect(() => engineWith({ depth: 1.5 })).toThrow("request limit `depth`");
    expect(() => resolveLimits({ depth: 100_000 })).toThrow("request limit `depth` is at most 200");
  });
});

describe("text that is not Unicode", () => {
  test("a lone surrogate in any string or key is a clear request error, before the policies see it", async () => {
    for (const bad of [request({ region: "\ud800" }), request({ event: { type: "daily", id: "x\udc00y" } }), { ...request(), ["k\ud83d"]: 1 }]) {
      const d = await engine([journey({ id: "a" })]).decide(bad);
      expect(d.outcome).toBe("error");
      expect(d.error?.code).toBe("invalid_request");
      expect(d.error?.message).toMatch(/is not valid Unicode text \(it holds a lone surrogate\)/);
    }
    expect(checkRequestLimits({ region: "eu \ud83d\ude00" })).toBeUndefined(); // a real pair is fine
  });
});

describe("deeply nested JSON text", () => {
  test("invalid JSON nested 200,000 levels gets its position, not a stack overflow", () => {
    expect(parseJsonText("[".repeat(200_000))).toEqual({ ok: false, line: 1, column: 200_001, message: "expected a value, found end of input" });
    expect(parseJsonText(`{"a":${"[".repeat(100_000)}1${"]".repeat(99_999)}}`)).toMatchObject({ ok: false, message: "expected `,` or `]`, found `}`" });
  });

  test("valid JSON nested 100,000 levels parses, and the depth limit refuses it as a request", () => {
    const text = `{"event":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const parsed = parseJsonText(text);
    expect(parsed.ok).toBe(true);
    const r = parseRequest(parsed.ok ? parsed.value : null);
    expect(r.ok ? undefined : r.problems[0]!.message).toBe("is nested 33 levels deep, more than the limit of 32");
  });
});

describe("many problems", () => {
  test(`at most ${MAX_PROBLEMS} problems are listed, then a count of the rest`, () => {
    const r = parseRequest(request({ consents: repeat(50, { ...consent, status: "maybe" }) }), catalog);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(r.problems[MAX_PROBLEMS]).toEqual({ path: "(the request)", message: "30 more problems not shown" });
  });

  test("so do unknown purposes, with hints only for those shown", () => {
    const r = parseRequest(request({ consents: repeat(30, { ...consent, purpose: "service_update" }) }), catalog);
    expect(r.ok ? [] : r.problems.map((p) => p.hint)).toEqual([...repeat(MAX_PROBLEMS, "did you mean `service_updates`?"), undefined]);
  });
});

describe("a context provider's values", () => {
  test("a list longer than `listItems` is `value_too_large`, naming the field and the limit", async () => {
    const provider = {
      fetch: () => ({ customer: { recent_interactions: repeat(10_001, { at: "2026-05-01T00:00:00Z", channel: "web", sentiment: "neutral" }) } }),
    };
    const d = await engineWith({}).decide(request(), { provider });
    expect(d.error).toMatchObject({
      code: "value_too_large",
      message: expect.stringContaining("`customer.recent_interactions` from the context provider has 10,001 items, more than the limit of 10,000"),
    });
    expect(d.error?.message).toContain("`limits.listItems`");
  });

  test("within the limits the same values are used", async () => {
    const provider = { fetch: () => ({ customer: { recent_interactions: repeat(3, { at: "2026-05-01T00:00:00Z", channel: "web", sentiment: "neutral" }) } }) };
    expect((await engineWith({}).decide(request(), { provider })).outcome).toBe("acted");
  });

  test("all values kept together are bounded by `size`", async () => {
    const provider = {
      fetch: () => ({ customer: { recent_interactions: repeat(5, { at: "2026-05-01T00:00:00Z", channel: "w".repeat(1_000), sentiment: "neutral" }) } }),
    };
    const d = await engineWith({ size: 2_000 }).decide(request({ context: fullContext() }), { provider });
    expect(d.error).toMatchObject({
      code: "value_too_large",
      message: expect.stringContaining("the context provider's values are larger than the limit of 2,000 characters"),
    });
  });
});
