// Issue 13's fast paths of the decision path, each against the slow path it stands in for:
// - the policy engine screening distinct (purpose, channel) pairs and field sets, with residency
//   memoized, against `kairos/decision` on every candidate — whole decisions and log entries
//   byte for byte, on the benchmark's workload and on a policy set whose event selects 60
//   journeys over every purpose, channel and field set;
// - the compiled request parse (runtime/request-compiled.ts) against zod's `safeParse`;
// - the plain-data walk (`isPlainData`) against canonical JSON itself.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildWorkload } from "../../bench/contenders/workload.ts";
import { ARTIFACT_PART } from "../../core/artifact.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import type { DecisionLogEntry } from "../../runtime/sink.ts";
import { decisionId, decisionIdOfJson, decisionJson, Engine, isPlainData, isPlainDecision } from "../../runtime/engine.ts";
import type { Decision } from "../../runtime/decision.ts";
import { PolicyEngine } from "../../runtime/opa/index.ts";
import { parseCompiled } from "../../runtime/request-compiled.ts";
import { parseRequest, RequestSchema } from "../../runtime/request.ts";
import { compiledEngine } from "./compiled.ts";

const EXAMPLE_DIR = new URL("../../policies", import.meta.url).pathname;

/** The same engine with a policy engine that screens every candidate in one `kairos/decision` call. */
async function referenceEngine(engine: Engine, bundle: Uint8Array): Promise<Engine> {
  const policy = await PolicyEngine.load(bundle, { screening: "each" });
  return Engine.fromParts({ manifest: engine.manifest, catalog: engine.catalog, predicates: engine.predicates, policy });
}

/** Each decision as canonical JSON followed by its log entry's. */
async function transcript(engine: Engine, requests: readonly unknown[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of requests) {
    let entry: DecisionLogEntry | undefined;
    const d = await engine.decide(r, { sink: { append: (e) => void (entry = e) } });
    out.push(`${decisionJson(d)}\n${canonicalJson(entry, 0, [])}`);
  }
  return out;
}

/** 60 journeys on `daily` over two purposes, two channels and varied field sets. */
function manyJourneys(): Record<string, string> {
  const shapes = [
    ["renewal_marketing", "email", "renewal-x", 'policy.status == "active" and customer.tenure_months >= N'],
    ["renewal_marketing", "push", "renewal-x", "days_until(policy.renewal_date) <= N"],
    ["service_updates", "push", "onboarding-x", "onboarding.completed_steps < onboarding.total_steps and days_since(onboarding.last_progress_at) >= N"],
    // `customer.nps` comes from the survey system, which only renewal_marketing's `systems` allow.
    ["renewal_marketing", "email", "renewal-x", "customer.nps is set and customer.nps >= N"],
    ["renewal_marketing", "email", "renewal-x", 'customer.segment != "corporate" and customer.tenure_months >= N'],
  ] as const;
  const journeys: string[] = [];
  for (let i = 0; i < 60; i++) {
    const [purpose, channel, template, when] = shapes[i % shapes.length]!;
    const action = channel === "email" ? `email(template: "${template}-${i}")` : `push(template: "${template}-${i}")`;
    const cap = i % 3 === 0 ? "  cap      1 per 30d\n" : "";
    const condition = when.replace("N", String(i % 13));
    journeys.push(`journey many_${i} {\n  purpose  ${purpose}\n  priority ${i % 70}\n  on       daily\n  when     ${condition}\n  do       ${action}\n${cap}}`);
  }
  return { "journeys/many.journey": journeys.join("\n\n") + "\n" };
}

describe("consent per purpose and residency per field set, in whole decisions", () => {
  const requests = buildWorkload(400, 200, 11);

  it("hands the log the request's canonical JSON, the very text its decision id is a hash of", async () => {
    const { engine } = await compiledEngine(EXAMPLE_DIR);
    for (const r of requests.slice(0, 100)) {
      let entry: DecisionLogEntry | undefined;
      const d = await engine.decide(r, { sink: { append: (e) => void (entry = e) } });
      expect(entry!.requestJson).toBe(canonicalJson(entry!.request, 0, []));
      expect(decisionIdOfJson(engine.hash, entry!.requestJson!)).toBe(decisionId(engine.hash, entry!.request));
      expect(d.decision_id).toBe(decisionId(engine.hash, entry!.request));
    }
  });

  it("decides the workload exactly as screening every candidate does (decisions and log entries)", async () => {
    const { engine, files } = await compiledEngine(EXAMPLE_DIR);
    const reference = await referenceEngine(engine, files.get(ARTIFACT_PART.bundle)!);
    expect(await transcript(engine, requests)).toEqual(await transcript(reference, requests));
  });

  it("decides 60 selected journeys exactly as screening every candidate does", async () => {
    const { engine, files } = await compiledEngine(EXAMPLE_DIR, manyJourneys());
    const reference = await referenceEngine(engine, files.get(ARTIFACT_PART.bundle)!);
    const daily = requests.filter((r) => r.event.type === "daily").slice(0, 60);
    const fast = await transcript(engine, daily);
    expect(fast).toEqual(await transcript(reference, daily));
    // The set really selects 60 candidates, with outcomes of several kinds among them.
    const first = await engine.decide(daily[0]);
    expect(first.evaluations).toHaveLength(60);
    const outcomes = new Set(fast.flatMap((t) => [...t.matchAll(/"outcome": ?"(\w+)"/g)].map((m) => m[1])));
    expect([...outcomes]).toEqual(expect.arrayContaining(["no_match", "denied_consent"]));
  });
});

// ---- the compiled request parse ------------------------------------------------------------

const datetime = fc.oneof(
  { arbitrary: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((ms) => new Date(ms).toISOString().replace(".000Z", "Z")), weight: 12 },
  { arbitrary: fc.constantFrom("2026-01-01T10:00:00.5+01:00", "2026-06-01T10:00-05:30"), weight: 2 },
  { arbitrary: fc.constantFrom("2026-02-30T00:00:00Z", "2026-01-01", "", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z"), weight: 1 },
);
const text = fc.oneof(
  { arbitrary: fc.constantFrom("a", "renewal_marketing", "service_updates"), weight: 8 },
  { arbitrary: fc.string({ maxLength: 3 }), weight: 2 },
);
/** A value of the wrong kind now and then. */
const odd = fc.constantFrom<unknown>(null, 1, true, [], {}, "x");

/** An object with some keys deleted, some set to undefined, an unknown one added, a value replaced. */
function mangle(base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return fc.tuple(base, fc.nat(40), fc.nat(20), odd, fc.nat(5)).map(([o, op, at, value, extra]) => {
    const keys = Object.keys(o);
    const key = keys[at % Math.max(1, keys.length)];
    const out: Record<string, unknown> = { ...o };
    if (key !== undefined) {
      if (op === 0) delete out[key];
      else if (op === 1) out[key] = undefined;
      else if (op === 2) out[key] = value;
    }
    if (op === 3) out[["extra", "__proto__", "timer", "channel", "source", "x"][extra]!] = value;
    if (op === 4) return Object.assign(Object.create(null) as object, out);
    return out;
  });
}

const consentArb = mangle(
  fc.record(
    {
      subject: text,
      purpose: text,
      channel: fc.option(text, { nil: null }),
      status: fc.constantFrom("granted", "withdrawn", "denied", "granted", "maybe"),
      at: datetime,
      expires_at: fc.option(datetime, { nil: null }),
      source: text,
      notice_version: text,
      id: text,
    },
    { requiredKeys: ["purpose", "status", "at"] },
  ),
);
const requestArb = mangle(
  fc.record(
    {
      event: mangle(
        fc.record(
          {
            type: text,
            id: text,
            at: datetime,
            timer: fc.constantFrom("3d", "12h", "2w", "3x"),
            payload: fc.dictionary(fc.constantFrom("csat", "1", "b", "a"), fc.jsonValue(), { maxKeys: 3 }),
          },
          { requiredKeys: ["type", "id"] },
        ),
      ),
      subject: text,
      now: datetime,
      region: text,
      context: fc.oneof(
        {
          arbitrary: fc.dictionary(fc.constantFrom("customer", "policy", "2"), fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue(), { maxKeys: 3 }), {
            maxKeys: 3,
          }),
          weight: 8,
        },
        { arbitrary: odd, weight: 1 },
      ),
      consents: fc.oneof({ arbitrary: fc.array(consentArb, { maxLength: 3 }), weight: 8 }, { arbitrary: odd, weight: 1 }),
      objections: fc.array(mangle(fc.record({ subject: text, scope: text, at: datetime }, { requiredKeys: ["scope", "at"] })), { maxLength: 2 }),
      history: fc.array(mangle(fc.record({ subject: text, journey: text, at: datetime, channel: text, purpose: text }, { requiredKeys: ["journey", "at"] })), {
        maxLength: 2,
      }),
    },
    { requiredKeys: ["event", "subject", "now", "region"] },
  ),
);

/** JSON with `undefined` kept as a marker, keys in their own order: what "the same object" means here. */
function exact(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x === undefined ? "\u0000undefined" : x));
}

describe("the compiled request parse", () => {
  it("returns what zod returns, or leaves the request to zod", () => {
    let compiled = 0;
    let total = 0;
    let valid = 0;
    fc.assert(
      fc.property(requestArb, (raw) => {
        total++;
        const fast = parseCompiled(raw);
        const zod = RequestSchema.safeParse(raw, { reportInput: true });
        if (zod.success) valid++;
        if (!fast) return;
        compiled++;
        // Whatever the compiled parse accepts, zod accepts, and into the same object.
        expect(zod.success).toBe(true);
        expect(exact(fast.request)).toBe(exact(zod.data));
        for (const [t, ms] of fast.times) expect(ms).toBe(Date.parse(t));
      }),
      { numRuns: 3000 },
    );
    // The compiled path really ran (and zod was really asked about the rest).
    expect(valid).toBeGreaterThan(total / 10);
    expect(compiled).toBeGreaterThan(valid * 0.9);
    expect(compiled).toBeLessThan(total);
  });

  it("takes every request of the benchmark's workload, and parseRequest gives the same result either way", () => {
    for (const raw of buildWorkload(300, 150, 3)) {
      const fast = parseCompiled(raw);
      expect(fast).toBeDefined();
      expect(exact(fast!.request)).toBe(exact(RequestSchema.parse(raw)));
      const parsed = parseRequest(raw);
      expect(parsed.ok && exact(parsed.value.request)).toBe(exact(RequestSchema.parse(raw)));
    }
  });

  it("leaves a request that is not plain data, or has a symbol key, to zod", () => {
    const ok = { event: { type: "daily", id: "e" }, subject: "s", now: "2026-01-01T00:00:00Z", region: "eu" };
    expect(parseCompiled(ok)).toBeDefined();
    expect(parseCompiled({ ...ok, [Symbol("k")]: 1 })).toBeUndefined();
    expect(parseCompiled(Object.assign(Object.create({ inherited: 1 }) as object, ok))).toBeUndefined();
    expect(parseCompiled({ ...ok, event: new Map() })).toBeUndefined();
    expect(parseCompiled(JSON.parse('{"__proto__": 1, "subject": "s"}'))).toBeUndefined();
  });
});

// ---- the plain-data walk -------------------------------------------------------------------

describe("isPlainData", () => {
  const cyclic = (): unknown => {
    const a: Record<string, unknown> = { x: 1 };
    a["self"] = a;
    return a;
  };
  const anything = fc.oneof(
    fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true }),
    fc.constantFrom<unknown>(NaN, Infinity, -0, () => 1, Symbol("s"), cyclic(), [undefined, 1], { a: undefined }),
  );

  it("vouches only for what canonical JSON encodes", () => {
    fc.assert(
      fc.property(anything, (v) => {
        let encodes = true;
        try {
          canonicalJson(v, 0, []);
        } catch {
          encodes = false;
        }
        if (isPlainData(v, 0)) expect(encodes).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("vouches for every JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(isPlainData(v, 0)).toBe(true);
      }),
    );
  });

  it("on decisions, vouches only for what canonical JSON encodes, shared reasons and odd traces included", () => {
    const shared = { code: "consent_granted", message: "m", record: { at: "2026-01-01T00:00:00Z" } };
    const mostlyJson = fc.oneof({ arbitrary: fc.jsonValue(), weight: 6 }, { arbitrary: anything, weight: 1 });
    const evaluation = fc.record({
      journey: fc.constant("j"),
      outcome: fc.constant("no_match"),
      purpose: fc.constant("p"),
      priority: fc.integer(),
      reasons: fc.array(fc.oneof(fc.constant(shared), mostlyJson), { maxLength: 3 }),
      trace: fc.array(fc.oneof(fc.tuple(fc.oneof(fc.integer(), fc.constant(NaN), fc.constant(Infinity)), mostlyJson), mostlyJson), { maxLength: 4 }),
      extra: mostlyJson,
    });
    const decision = fc.record({
      decision_id: fc.constant("d_1"),
      outcome: fc.constant("no_match"),
      fields: mostlyJson,
      evaluations: fc.array(evaluation, { maxLength: 4 }),
    });
    let vouched = 0;
    fc.assert(
      fc.property(decision, (d) => {
        let encodes = true;
        try {
          canonicalJson(d, 0, []);
        } catch {
          encodes = false;
        }
        if (isPlainDecision(d as unknown as Decision)) {
          vouched++;
          expect(encodes).toBe(true);
        }
        // It doubts no more than the generic walk does.
        if (isPlainData(d, 0)) expect(isPlainDecision(d as unknown as Decision)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(vouched).toBeGreaterThan(0);
  });

  it("doubts what canonical JSON refuses", () => {
    for (const v of [1n, () => 1, Symbol("s"), NaN, new Date(0), new Map(), cyclic(), { a: { b: [Infinity] } }]) expect(isPlainData(v, 0)).toBe(false);
  });
});
