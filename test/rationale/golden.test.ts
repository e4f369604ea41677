// Golden files of rendered rationale (test/golden/rationale/), reviewed in diffs.
// Regenerate after an intended change with: UPDATE_GOLDEN=1 npx vitest run test/rationale
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findDecision } from "../../runtime/log/index.ts";
import { fromDecision, fromLogEntry, renderRationale, type RationaleFormat, type RationaleInput } from "../../runtime/rationale/index.ts";
import { openLog, tempDir } from "../log/helpers.ts";
import { JOURNEYS, POLICIES, SAMPLES, sinkEntry, type Sample } from "./sample-decisions.ts";

const DIR = join(import.meta.dirname, "..", "golden", "rationale");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const EXT: Readonly<Record<RationaleFormat, string>> = { md: "md", html: "html", text: "txt", customer: "customer.txt" };

function golden(name: string, actual: string): void {
  const path = join(DIR, name);
  if (UPDATE) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

/** The rationale of a decision as the engine just made it: real values, nothing pseudonymized. */
function live(sample: Sample): RationaleInput {
  const { request } = sample;
  const context: Record<string, unknown> = {};
  for (const path of sample.decision.fields) {
    const [entity, field] = path.split(".") as [string, string];
    const value = request.context[entity]?.[field];
    if (value !== undefined) context[path] = value;
  }
  return fromDecision(sample.decision, JOURNEYS, {
    request: { event: request.event, subject: request.subject, now: request.now, region: request.region },
    context,
    consents: request.consents,
    objections: request.objections,
    policies: POLICIES,
  });
}

describe("rationale golden files", () => {
  for (const sample of SAMPLES) {
    for (const format of ["md", "html", "text", "customer"] as const) {
      it(`renders ${sample.name} as ${format}`, () => {
        golden(`${sample.name}.${EXT[format]}`, renderRationale(live(sample), format));
      });
    }
  }

  it("renders a logged decision with its PII pseudonymized, from the log alone", () => {
    const path = join(tempDir(), "decisions.log");
    const log = openLog(path);
    for (const s of SAMPLES) log.append(sinkEntry(s));
    log.close();
    const pii = SAMPLES.find((s) => s.name === "followup-deferred-pii")!;
    const [found] = findDecision(path, pii.decision.decision_id);
    const input = fromLogEntry(found!.entry, found!.journeys, found!.intact);
    for (const format of ["md", "html", "text"] as const) {
      const text = renderRationale(input, format);
      expect(text).not.toContain("ana.lima@corp.example");
      golden(`logged-${pii.name}.${EXT[format]}`, text);
    }
  });
});
