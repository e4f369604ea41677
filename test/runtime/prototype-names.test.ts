// Issue 10 #4, runtime side: no name people choose — field, entity, list member, action
// parameter, payload key, policy reason code — reaches Object.prototype. The predicates below
// read the context the way generated code did before it read own properties only
// (`c.customer.constructor != null`), so they show what the runtime itself hands them. And an
// entry that cannot be serialized is still logged, as an `error`.
import { describe, expect, test } from "vitest";
import type { Tracer } from "../../core/artifact.ts";
import type { Catalog, FieldDef, FieldType } from "../../core/catalog/types.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import type { EntityRecords } from "../../runtime/context.ts";
import type { CandidateVerdict } from "../../core/opa-contract.ts";
import type { PolicyRequest } from "../../runtime/opa/input.ts";
import { MemorySink, type DecisionLogEntry, type DecisionSink } from "../../runtime/sink.ts";
import { catalog as specCatalog, catalogFromYaml, engine, FakePolicy, fullContext, journey, RecordingProvider, request } from "./fixtures.ts";

const INT: FieldType = { kind: "scalar", name: "int" };

/** The catalog with one more field on an entity (names the catalog schema would refuse too). */
function withField(base: Catalog, entity: string, name: string, type: FieldType, optional: boolean): Catalog {
  const e = base.entities.get(entity)!;
  const model = e.fields.values().next().value as FieldDef;
  const def: FieldDef = { ...model, entity, name, path: `${entity}.${name}`, type, optional, pii: "none", labels: [], residency: "any" };
  const fields = new Map(e.fields).set(name, def);
  return { ...base, entities: new Map(base.entities).set(entity, { ...e, fields }) };
}

/** A sink that serializes each entry as the decision log does: a line of canonical JSON. */
class JsonLinesSink implements DecisionSink {
  readonly lines: string[] = [];
  append(entry: DecisionLogEntry): void {
    this.lines.push(canonicalJson(entry));
  }
}

/** `customer.<name> is set`, reading the field as a plain member, operand traced. */
function isSet(name: string) {
  return (ctx: any, t: Tracer) => t(0, t(1, ctx.customer[name]) != null) as boolean;
}

const NAMES = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"] as const;

describe("an optional field named like a member of Object.prototype", () => {
  for (const name of NAMES) {
    test(`\`${name}\` absent is not set: no action, and the decision is logged`, async () => {
      const cat = withField(specCatalog, "customer", name, INT, true);
      const sink = new JsonLinesSink();
      const d = await engine([journey({ id: "j", fields: [`customer.${name}`], when: isSet(name) })], new FakePolicy(), cat).decide(request(), { sink });
      expect(d.outcome).toBe("no_match");
      expect(d.action).toBeUndefined();
      expect(d.evaluations[0]!.trace).toEqual([
        [1, undefined],
        [0, false],
      ]);
      expect(sink.lines).toHaveLength(1);
      expect(JSON.parse(sink.lines[0]!)).toMatchObject({ outcome: "no_match", decision_id: d.decision_id });
    });

    test(`\`${name}\` present is read like any other field`, async () => {
      const cat = withField(specCatalog, "customer", name, INT, true);
      const ctx = fullContext();
      // Defined as an own data property, as JSON.parse makes it (`__proto__` included).
      Object.defineProperty(ctx["customer"]!, name, { value: 3, enumerable: true, writable: true, configurable: true });
      const sink = new JsonLinesSink();
      const e = engine(
        [journey({ id: "j", fields: [`customer.${name}`], when: (c: any, t) => t(0, t(1, c.customer[name]) === 3) as boolean })],
        new FakePolicy(),
        cat,
      );
      // From a provider: request validation drops `__proto__` keys of a request's own context.
      const d = await e.decide(request(), { sink, provider: new RecordingProvider(ctx) });
      expect(d.outcome).toBe("acted");
      expect(JSON.parse(sink.lines[0]!).request.context.customer).toEqual(JSON.parse(`{"${name}":3}`));
    });
  }

  test("a required field named `constructor` that is absent is missing, not Object", async () => {
    const cat = withField(specCatalog, "customer", "constructor", INT, false);
    const d = await engine([journey({ id: "j", fields: ["customer.constructor"] })], new FakePolicy(), cat).decide(request());
    expect(d.error).toMatchObject({ code: "missing_field", message: expect.stringContaining("`customer.constructor` is missing") });
  });
});

describe("entities, list members, payload keys and parameters named like prototype members", () => {
  const CATALOG = `version: 1
entities:
  customer:
    key: customer_id
    fields:
      customer_id: { type: string, pii: identifier }
      visits:
        type: list
        of: { constructor: int, at: datetime }
  constructor:
    key: customer_id
    fields:
      level: { type: int }
events:
  daily: { binds: [customer, constructor], schedule: true }
  ping: { binds: [customer], fields: { constructor: int } }
purposes:
  service_updates: { bases: [contract], channels: [email] }
actions:
  email: { channel: email, params: { constructor: string } }
`;
  const cat = catalogFromYaml(CATALOG);
  const action = { name: "email", channel: "email", params: { constructor: "t" } };
  const base = { event: { type: "daily", id: "e1" }, subject: "c-1", now: "2026-05-30T12:00:00Z", region: "eu" };

  test("an entity named `constructor` is its own record, and Object is left alone", async () => {
    let seen: any;
    const j = journey({ id: "j", action, fields: ["constructor.level"], when: (c: any, t) => ((seen = c), t(0, c.constructor.level === 3) as boolean) });
    const d = await engine([j], new FakePolicy(), cat).decide({ ...base, context: { constructor: { level: 3 } } });
    expect(d.outcome).toBe("acted");
    expect(seen.constructor).not.toBe(Object);
    expect(Object.getPrototypeOf(seen)).toBeNull();
    expect(Object.hasOwn(Object, "level")).toBe(false);
  });

  test("an entity named `constructor` bound by the event but not read is an empty record, not Object", async () => {
    let seen: any;
    const j = journey({ id: "j", action, fields: ["customer.customer_id"], when: (c: any, t) => ((seen = c), t(0, true) as boolean) });
    await engine([j], new FakePolicy(), cat).decide({ ...base, context: { customer: { customer_id: "c-1" } } });
    expect(Object.keys(seen.constructor)).toEqual([]);
    expect(seen.constructor).not.toBe(Object);
  });

  test("a list member named `constructor` that is absent is missing", async () => {
    const j = journey({ id: "j", action, fields: ["customer.visits"] });
    const d = await engine([j], new FakePolicy(), cat).decide({
      ...base,
      context: { customer: { visits: [{ at: "2026-05-01T00:00:00Z" }] }, constructor: { level: 1 } },
    });
    expect(d.error).toMatchObject({ code: "missing_field", message: expect.stringContaining("`customer.visits[0].constructor` is missing") });
  });

  test("a list member named `constructor` that is present is converted into a record without a prototype", async () => {
    let seen: any;
    const j = journey({ id: "j", action, fields: ["customer.visits"], when: (c: any, t) => ((seen = c.customer.visits[0]), t(0, true) as boolean) });
    const d = await engine([j], new FakePolicy(), cat).decide({ ...base, context: { customer: { visits: [{ constructor: 2, at: "2026-05-01T00:00:00Z" }] } } });
    expect(d.outcome).toBe("acted");
    expect(seen.constructor).toBe(2);
  });

  test("an event field named `constructor` absent from the payload is missing", async () => {
    const j = journey({ id: "j", event: "ping", action, eventFields: ["constructor"] });
    const d = await engine([j], new FakePolicy(), cat).decide({ ...base, event: { type: "ping", id: "e" }, context: {} });
    expect(d.error).toMatchObject({ code: "missing_field", message: expect.stringContaining("`event.constructor` is missing") });
  });

  test("an action parameter named `constructor` must be given", async () => {
    const j = journey({ id: "j", action: { name: "email", channel: "email", params: {} } });
    const d = await engine([j], new FakePolicy(), cat).decide({ ...base, context: {} });
    expect(d).toMatchObject({ outcome: "error", error: { code: "action_not_allowed", message: expect.stringContaining("lacks parameter `constructor`") } });
    expect(d.action).toBeUndefined();
    const ok = await engine([journey({ id: "j", action })], new FakePolicy(), cat).decide({ ...base, context: {} });
    expect(ok.action).toEqual({ name: "email", channel: "email", params: { constructor: "t" } });
  });

  test("request context keys named like prototype members are data, not prototypes", async () => {
    const raw = JSON.parse(
      '{"customer":{"__proto__":{"customer_id":"forged"},"constructor":{"x":1}},"__proto__":{"customer":{"customer_id":"forged"}}}',
    ) as EntityRecords;
    const j = journey({ id: "j", action, fields: ["customer.customer_id"] });
    const d = await engine([j], new FakePolicy(), cat).decide({ ...base, context: raw });
    expect(d.error).toMatchObject({ code: "missing_field", message: expect.stringContaining("`customer.customer_id` is missing") });
  });
});

describe("policy reasons", () => {
  test("a reason code named `constructor` is shown as its text, and record indices must be indices", async () => {
    class Custom extends FakePolicy {
      override evaluate(request: PolicyRequest): CandidateVerdict[] {
        return request.candidates.map((c) => ({
          journey: c.journey,
          consent: {
            allowed: false,
            basis: null,
            tried: [{ basis: "consent", satisfied: false, reasons: [{ code: "constructor", record: "length" as unknown as number }] }],
            reasons: [],
          },
          residency: { allowed: true, denied_fields: [] },
        }));
      }
    }
    const d = await engine([journey({ id: "j" })], new Custom()).decide(
      request({ consents: [{ purpose: "service_updates", status: "granted", at: "2026-01-01T00:00:00Z" }] }),
    );
    expect(d.outcome).toBe("denied_consent");
    expect(d.evaluations[0]!.reasons).toEqual([{ code: "constructor", message: "consent: constructor", basis: "consent" }]);
    expect(() => canonicalJson(d)).not.toThrow();
  });
});

describe("failures that are not Errors", () => {
  test("a provider rejecting with an object without a prototype is `provider_failed`, readably", async () => {
    const provider = { fetch: () => Promise.reject(Object.create(null) as object) };
    const d = await engine([journey({ id: "j", fields: ["policy.status"] })]).decide(request(), { provider });
    expect(d.error).toEqual({ code: "provider_failed", message: "j: the context provider failed: an object without a message" });
  });
});

describe("a decision that cannot be serialized", () => {
  test("a traced value that is not JSON makes the decision `error`, still logged", async () => {
    const sink = new JsonLinesSink();
    const j = journey({ id: "j", when: (_c, t) => (t(1, () => 1), t(0, true) as boolean) });
    const d = await engine([j]).decide(request(), { sink });
    expect(d).toMatchObject({
      outcome: "error",
      error: { code: "unserializable", message: expect.stringContaining("a function at `decision.evaluations[0].trace[0][1]`") },
    });
    expect(d.action).toBeUndefined();
    expect(sink.lines).toHaveLength(1);
    expect(JSON.parse(sink.lines[0]!)).toMatchObject({
      outcome: "error",
      decision: { error: { code: "unserializable" } },
      request: { subject: "c-1", event: { id: "e1" } },
    });
    expect(() => canonicalJson(d)).not.toThrow();
  });

  const provided: [string, unknown][] = [
    ["a BigInt", 12n],
    ["a function", () => 12],
    ["the non-finite number NaN", Number.NaN],
    ["an instance of Date", new Date(0)],
  ];
  for (const [found, value] of provided) {
    test(`a provider answering ${found} gets an \`error\` decision, logged`, async () => {
      const sink = new JsonLinesSink();
      const provider = { fetch: () => ({ customer: { tenure_months: value } }) };
      const d = await engine([journey({ id: "j", fields: ["customer.tenure_months"] })]).decide(request(), { provider, sink });
      expect(d).toMatchObject({ outcome: "error", error: { code: "unserializable", message: expect.stringContaining(`cannot encode ${found}`) } });
      expect(d.error?.message).toContain("at `request.context.customer.tenure_months`");
      expect(sink.lines).toHaveLength(1);
      expect(JSON.parse(sink.lines[0]!)).toMatchObject({ outcome: "error", decision_id: d.decision_id });
    });
  }

  test("a provider answering a cycle is refused by the depth limit, logged", async () => {
    const sink = new JsonLinesSink();
    const o: Record<string, unknown> = {};
    o["self"] = o;
    const provider = { fetch: () => ({ customer: { recent_interactions: [o] } }) };
    const d = await engine([journey({ id: "j", fields: ["customer.recent_interactions"] })]).decide(request(), { provider, sink });
    expect(d.error).toMatchObject({
      code: "value_too_large",
      message: expect.stringContaining("more than the limit of 32; the limit is the engine option `limits.depth`"),
    });
    expect(sink.lines).toHaveLength(1);
  });

  test("every entry a MemorySink receives is plain data", async () => {
    const sink = new MemorySink();
    const provider = { fetch: () => ({ customer: { tenure_months: 7n } }) };
    await engine([journey({ id: "j", fields: ["customer.tenure_months"] })]).decide(request(), { provider, sink });
    expect(() => canonicalJson(sink.entries[0])).not.toThrow();
  });

  test("a request that is not plain data is an error with an id of its own, logged", async () => {
    const sink = new JsonLinesSink();
    const e = engine([journey({ id: "j" })]);
    const a = await e.decide({ ...request(), subject: 1n }, { sink });
    const b = await e.decide({ ...request(), event: { type: "daily", id: "e2" }, subject: 1n }, { sink });
    expect(a.error?.code).toBe("invalid_request");
    expect(a.decision_id).not.toBe(b.decision_id);
    expect(sink.lines).toHaveLength(2);
  });
});
