// docs/request.md is real: every ```json request block is valid under the published request
// schema and the runtime's parser, and is decided again here by the example policy set
// (policies/, compiled for real); the ```json decision block after it must be that decision
// (every key it shows equal, no top-level key left out but `evaluations`; the ids, which move
// with the policy set, only checked for their shape) and valid under the decision schema. The
// examples together show every outcome, of a decision or of an evaluation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { expect, test } from "vitest";
import { DECISION_SCHEMA_PATH, REQUEST_SCHEMA_PATH } from "../../docs/src/gen-schemas.ts";
import type { Decision } from "../../runtime/decision.ts";
import { parseRequest } from "../../runtime/request.ts";
import { compiledEngine } from "../runtime/compiled.ts";

const ROOT = join(import.meta.dirname, "../..");
const DOC = readFileSync(join(ROOT, "docs/request.md"), "utf8");
const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
const validRequest = ajv.compile(JSON.parse(readFileSync(REQUEST_SCHEMA_PATH, "utf8")) as object);
const validDecision = ajv.compile(JSON.parse(readFileSync(DECISION_SCHEMA_PATH, "utf8")) as object);

type Obj = Record<string, unknown>;
const blocks = [...DOC.matchAll(/^```json (request|decision)\n([\s\S]*?)^```$/gm)].map((m) => ({ kind: m[1]!, json: JSON.parse(m[2]!) as Obj }));
const pairs = blocks.flatMap((b, i) => (b.kind === "request" && blocks[i + 1]?.kind === "decision" ? [{ request: b.json, shown: blocks[i + 1]!.json }] : []));

test("the page has request/decision pairs, and nothing else in json request/decision blocks", () => {
  expect(pairs.length).toBeGreaterThanOrEqual(9);
  expect(blocks).toHaveLength(pairs.length * 2);
});

test("every example request is valid and decides to the decision shown", async () => {
  const { engine } = await compiledEngine(join(ROOT, "policies"));
  const outcomes = new Set<string>();
  for (const { request, shown } of pairs) {
    const where = `${JSON.stringify(request.event)} at ${String(request.now)}`;
    expect(validRequest(request), `${where}: ${JSON.stringify(validRequest.errors)}`).toBe(true);
    expect(parseRequest(request, engine.catalog).ok, where).toBe(true);
    const decision = JSON.parse(JSON.stringify(await engine.decide(request))) as Decision & Obj;
    const { decision_id, artifact, ...rest } = shown;
    expect(decision_id, where).toMatch(/^d_[0-9a-f]{32}$/);
    expect(artifact, where).toMatch(/^[0-9a-f]{64}$/);
    for (const [key, value] of Object.entries(rest)) expect(decision[key], `${where}: ${key}`).toEqual(value);
    const missing = Object.keys(decision).filter((k) => !(k in shown) && k !== "evaluations");
    expect(missing, `${where}: keys the page leaves out`).toEqual([]);
    expect(validDecision({ evaluations: decision.evaluations, ...shown }), `${where}: ${JSON.stringify(validDecision.errors)}`).toBe(true);
    outcomes.add(decision.outcome);
    if ("evaluations" in shown) for (const e of decision.evaluations) outcomes.add(e.outcome);
  }
  expect([...outcomes].sort()).toEqual(
    ["acted", "capped", "deferred", "denied_consent", "denied_residency", "error", "held_out", "no_match", "pending_review", "stale", "suppressed"].sort(),
  );
}, 120_000);
