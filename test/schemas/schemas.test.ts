// The published JSON Schemas (schemas/*.schema.json) against the runtime: the files are what
// docs/src/gen-schemas.ts generates from runtime/request.ts's zod schema and runtime/decision.ts
// (so a changed request key or decision field makes them stale here), every request of the
// decision conformance corpus is valid or invalid under the request schema exactly as the
// runtime's parser says (catalog checks aside), and every decision the engine returns for them
// is valid under the decision schema, for every outcome.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, test } from "vitest";
import { DATETIME_PATTERN, DECISION_SCHEMA_PATH, decisionSchema, REQUEST_SCHEMA_PATH, requestSchema, schemaText } from "../../docs/src/gen-schemas.ts";
import type { Decision, Outcome } from "../../runtime/decision.ts";
import { withReadableTraces } from "../../runtime/rationale/trace-json.ts";
import { parseRequest } from "../../runtime/request.ts";
import { CORPUS, corpusFiles, merge, type Obj } from "../conformance/corpus.ts";
import { compiledEngine } from "../runtime/compiled.ts";
import { parseDateTimeLiteral } from "../../core/literals.ts";
import { OUTCOMES } from "../../core/outcomes.ts";

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
const validateRequest = ajv.compile(JSON.parse(readFileSync(REQUEST_SCHEMA_PATH, "utf8")) as object);
const validateDecision = ajv.compile(JSON.parse(readFileSync(DECISION_SCHEMA_PATH, "utf8")) as object);

const corpus = corpusFiles();

describe("the schema files", () => {
  test("are what docs/src/gen-schemas.ts generates (run `node docs/src/gen-schemas.ts` after changing the request or decision)", () => {
    expect(readFileSync(REQUEST_SCHEMA_PATH, "utf8")).toBe(schemaText(requestSchema()));
    expect(readFileSync(DECISION_SCHEMA_PATH, "utf8")).toBe(schemaText(decisionSchema()));
  });

  test("the request schema names every key of the zod schema, and the datetime pattern accepts what the runtime accepts", () => {
    const props = requestSchema()["properties"] as Obj;
    expect(Object.keys(props).sort()).toEqual(["consents", "context", "context_as_of", "event", "history", "now", "objections", "region", "subject"]);
    const re = new RegExp(DATETIME_PATTERN);
    for (const s of ["2026-03-02T10:00:00Z", "2026-03-02T10:00Z", "2026-03-02T10:00:00.123+02:00", "2026-03-02T10:00:00", "2026-03-02", "x"])
      expect(re.test(s), s).toBe(parseDateTimeLiteral(s) !== undefined);
  });

  test("the decision schema lists every outcome", () => {
    const outcomes = ((decisionSchema()["properties"] as Record<string, Obj>)["outcome"]!["enum"] as string[]).sort();
    const all: readonly Outcome[] = OUTCOMES;
    expect(outcomes).toEqual([...all].sort());
  });
});

describe("the conformance corpus", () => {
  test.each(corpus)("$file: requests validate exactly when the runtime's parser accepts their shape", ({ data }) => {
    expect(data.cases.length).toBeGreaterThan(0);
    for (const c of data.cases) {
      const request = merge(data.defaults, c.request);
      const parsed = parseRequest(request);
      const valid = validateRequest(request);
      expect(valid, `${c.name}: schema ${JSON.stringify(validateRequest.errors)} / runtime ${parsed.ok ? "ok" : JSON.stringify(parsed.problems)}`).toBe(
        parsed.ok,
      );
    }
  });

  test("every decision the engine returns validates against the decision schema, and the corpus reaches every outcome (of a decision or an evaluation)", async () => {
    const seen = new Set<string>();
    for (const { file, data } of corpus) {
      const { engine } = await compiledEngine(join(CORPUS, data.policy), data.journeys);
      const metas = engine.predicates.journeys.map((j) => j.meta);
      for (const c of data.cases) {
        const decision: Decision = await engine.decide(merge(data.defaults, c.request));
        // The JSON as printed and logged (undefined keys dropped).
        const json = JSON.parse(JSON.stringify(decision)) as unknown;
        expect(validateDecision(json), `${file} / ${c.name}: ${JSON.stringify(validateDecision.errors)}`).toBe(true);
        // And as `kairos decide` prints it by default, with `{ node, expr, value }` trace steps.
        const readable = JSON.parse(JSON.stringify(withReadableTraces(decision, metas))) as unknown;
        expect(validateDecision(readable), `${file} / ${c.name} (readable): ${JSON.stringify(validateDecision.errors)}`).toBe(true);
        seen.add(decision.outcome);
        // `suppressed` (lost arbitration) is an evaluation's outcome, not a decision's.
        for (const e of decision.evaluations) seen.add(e.outcome);
      }
    }
    expect([...seen].sort()).toEqual((((decisionSchema()["properties"] as Record<string, Obj>)["outcome"]!["enum"] as string[]) ?? []).slice().sort());
  }, 120_000);

  test("the schemas reject what they should (so the checks above can fail)", () => {
    const base = merge(corpus[0]!.data.defaults, corpus[0]!.data.cases[0]!.request);
    expect(validateRequest({ ...base, consent: [] })).toBe(false);
    expect(validateRequest({ ...base, now: "2026-05-30" })).toBe(false);
    // Consent platforms' records carry keys Kairos does not read: accepted, as the runtime does.
    const consent = { purpose: "renewal_marketing", status: "granted", at: "2026-01-01T00:00:00Z", id: "cmp-1", version: 3 };
    expect(validateRequest({ ...base, consents: [consent] })).toBe(true);
    expect(parseRequest({ ...base, consents: [consent] }).ok).toBe(true);
    expect(validateRequest({ ...base, consents: [{ ...consent, status: "yes" }] })).toBe(false);
    expect(validateDecision({ decision_id: "d", outcome: "maybe", fields: [], evaluations: [], artifact: "a" })).toBe(false);
    expect(validateDecision({ decision_id: "d", outcome: "acted", fields: [], evaluations: [], artifact: "a", extra: 1 })).toBe(false);
    const evaluation = { journey: "j", outcome: "acted", purpose: "p", priority: 1 };
    const withTrace = (trace: unknown[]) => ({ decision_id: "d", outcome: "acted", fields: [], evaluations: [{ ...evaluation, trace }], artifact: "a" });
    expect(validateDecision(withTrace([[1, true]]))).toBe(true);
    expect(validateDecision(withTrace([{ node: 1, expr: "x", value: true }]))).toBe(true);
    expect(validateDecision(withTrace([[1]]))).toBe(false);
    expect(validateDecision(withTrace([{ node: 1, value: true }]))).toBe(false);
  });
});
