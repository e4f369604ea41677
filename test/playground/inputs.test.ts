// The request, context and consent panels: problems are found by the runtime's own request
// validation and located in the panel, at the line of the JSON path they concern.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSources } from "../../compiler/pipeline.ts";
import { checkInputs } from "../../playground/src/inputs.ts";
import { locateJsonPath, parsePath } from "../../playground/src/json-locate.ts";

const catalog = checkSources({
  catalog: { name: "catalog.yaml", text: readFileSync(new URL("../../policies/catalog.yaml", import.meta.url), "utf8") },
  journeys: [],
  rego: [],
}).catalog!;

const REQUEST = '{\n  "event": { "type": "daily", "id": "d1" },\n  "subject": "s1",\n  "now": "2026-03-02T10:00:00Z",\n  "region": "eu"\n}';
const CONSENTS = '{\n  "consents": [\n    { "purpose": "renewal_marketing", "status": "granted", "at": "2026-01-01T00:00:00Z" }\n  ],\n  "objections": []\n}';

describe("the input panels", () => {
  it("assembles a valid request from the three panels", () => {
    const r = checkInputs({ request: REQUEST, context: '{ "customer": { "tenure_months": 3 } }', consents: CONSENTS }, catalog);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.request.consents?.[0]?.purpose).toBe("renewal_marketing");
  });

  it("reports invalid JSON in the panel and line where it is", () => {
    const r = checkInputs({ request: REQUEST, context: '{\n  "customer": { "a": 1,, }\n}', consents: CONSENTS }, catalog);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.markers).toHaveLength(1);
      expect(r.markers[0]).toMatchObject({ file: "context", line: 2, code: "input/json-syntax" });
      expect(r.markers[0]!.message).toMatch(/^invalid JSON/);
    }
  });

  it("locates schema and catalog problems at their JSON path, with the runtime's hint", () => {
    const request = REQUEST.replace('"daily"', '"dialy"');
    const consents = CONSENTS.replace('"granted"', '"maybe"');
    const r = checkInputs({ request, context: "{}", consents }, catalog);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const consent = r.markers.find((m) => m.file === "consents")!;
    expect(consent.line).toBe(3);
    expect(consent.message).toContain("consents[0].status");
    const fixed = checkInputs({ request, context: "{}", consents: CONSENTS }, catalog);
    expect(fixed.ok).toBe(false);
    if (!fixed.ok) {
      expect(fixed.markers[0]).toMatchObject({ file: "request", line: 2 });
      expect(fixed.markers[0]!.hint).toBe("did you mean `daily`?");
    }
  });

  it("says where a key belongs when it is in the wrong panel", () => {
    const r = checkInputs({ request: REQUEST.replace('"region": "eu"', '"region": "eu",\n  "context": {}'), context: "{}", consents: CONSENTS }, catalog);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.markers[0]).toMatchObject({ file: "request", line: 6, message: "`context` belongs in the Context panel" });
  });
});

describe("locating a JSON path", () => {
  it("finds nested members and list items, and falls back to the closest parent", () => {
    const text = '{ "a": [ { "b": 1 }, { "b": "two" } ], "c": {} }';
    const at = (p: string) => {
      const r = locateJsonPath(text, parsePath(p));
      return text.slice(r.start, r.end);
    };
    expect(at("a[1].b")).toBe('"b": "two"');
    expect(at("a[0]")).toBe('{ "b": 1 }');
    expect(at("c.missing")).toBe('"c": {}');
    expect(at("zzz")).toBe(text);
  });
});
