// Issue 10 #4 end to end: a compiled policy set (real codegen, real OPA Wasm bundle) whose
// catalog has an optional field `constructor`. Absent, `is set` is false and nobody acts;
// present, it is read like any field; a provider answering a value that is not JSON gets an
// `error` decision that the sink still receives. (The runtime tests beside this one show the
// runtime's part alone, with predicates that read plain members.)
import { describe, expect, test } from "vitest";
import { canonicalJson } from "../../core/canonical-json.ts";
import { loadEngine } from "../../runtime/load.ts";
import type { DecisionLogEntry } from "../../runtime/sink.ts";
import { compileFiles } from "./compiled.ts";

const CATALOG = `version: 1
entities:
  customer:
    key: customer_id
    fields:
      customer_id: { type: string, pii: identifier }
      timezone:    { type: string }
      constructor: { type: int, optional: true }
events:
  daily: { binds: [customer], schedule: true }
purposes:
  service_updates: { bases: [contract], channels: [email] }
actions:
  email: { channel: email, params: { template: string } }
`;

const JOURNEY = `journey nudge {
  purpose service_updates
  on      daily
  when    customer.constructor is set and customer.constructor > 2
  do      email(template: "t")
  reason  "You have {customer.constructor} of them."
}
`;

const engine = (async () =>
  loadEngine(await compileFiles({ catalog: { name: "catalog.yaml", text: CATALOG }, journeys: [{ name: "nudge.journey", text: JOURNEY }], rego: [] })))();

/** Serializes every entry as the decision log does. */
function jsonSink(lines: string[]) {
  return { append: (e: DecisionLogEntry) => void lines.push(canonicalJson(e)) };
}

const request = (customer: Record<string, unknown>) => ({
  event: { type: "daily", id: "evt-1" },
  subject: "c-1",
  now: "2026-03-02T10:00:00Z",
  region: "eu",
  context: { customer: { customer_id: "c-1", timezone: "UTC", ...customer } },
});

describe("a compiled journey over an optional field named `constructor`", () => {
  test("absent: `is set` is false, no action, logged", async () => {
    const lines: string[] = [];
    const d = await (await engine).decide(request({}), { sink: jsonSink(lines) });
    expect(d.outcome).toBe("no_match");
    expect(d.action).toBeUndefined();
    expect(lines.map((l) => JSON.parse(l).outcome)).toEqual(["no_match"]);
  });

  test("present: read like any other field", async () => {
    const lines: string[] = [];
    const d = await (await engine).decide(request({ constructor: 3 }), { sink: jsonSink(lines) });
    expect(d).toMatchObject({ outcome: "acted", explanation: "You have 3 of them." });
    expect(lines).toHaveLength(1);
  });

  test("a provider answering a value that is not JSON: `error`, no action, logged", async () => {
    const lines: string[] = [];
    const provider = { fetch: () => ({ customer: { constructor: 3n } }) };
    const d = await (await engine).decide(request({}), { sink: jsonSink(lines), provider });
    expect(d).toMatchObject({ outcome: "error", error: { code: "unserializable" } });
    expect(d.action).toBeUndefined();
    expect(lines.map((l) => JSON.parse(l).outcome)).toEqual(["error"]);
  });
});
