// Runs consent-and-residency conformance cases against a PolicyEngine and reports mismatches.
// No Node imports: the browser test runs this same file.
import type { OpaDataDocument } from "../../../core/opa-contract.ts";
import type { PolicyEngine } from "../../../runtime/opa/evaluate.ts";
import type { PolicyRequest } from "../../../runtime/opa/input.ts";

/** A case with its catalog already turned into the data document. */
export interface PreparedCase {
  readonly id: string;
  readonly data: OpaDataDocument;
  readonly request: PolicyRequest;
  readonly expect?: readonly unknown[];
  readonly expect_error?: string;
}

export interface CaseResult {
  readonly id: string;
  /** Empty when the case passed. */
  readonly problems: string[];
  /** Proof the engine ran: verdicts returned, or the error code thrown. */
  readonly outcome: string;
}

const json = (v: unknown): string => JSON.stringify(v);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : isRecord(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon(v[k])]),
          )
        : v;
  return json(canon(a)) === json(canon(b));
}

// A reason written as a string compares its code only; as an object, exactly.
function reasonsMatch(expected: unknown, actual: unknown): boolean {
  if (!Array.isArray(expected) || !Array.isArray(actual) || expected.length !== actual.length) return false;
  return expected.every((e, i) => (typeof e === "string" ? isRecord(actual[i]) && actual[i]["code"] === e : sameJson(e, actual[i])));
}

function compareVerdict(expected: Record<string, unknown>, actual: Record<string, unknown>, where: string, problems: string[]): void {
  if (expected["journey"] !== actual["journey"]) problems.push(`${where}: journey ${json(actual["journey"])}, expected ${json(expected["journey"])}`);
  const ec = expected["consent"];
  const ac = actual["consent"] as Record<string, unknown>;
  if (!isRecord(ec) || !("allowed" in ec) || !("basis" in ec)) {
    problems.push(`${where}: the case must state consent.allowed and consent.basis`);
  } else {
    for (const key of ["allowed", "basis"]) {
      if (ec[key] !== ac[key]) problems.push(`${where}: consent.${key} is ${json(ac[key])}, expected ${json(ec[key])}`);
    }
    if ("reasons" in ec && !reasonsMatch(ec["reasons"], ac["reasons"])) {
      problems.push(`${where}: consent.reasons are ${json(ac["reasons"])}, expected ${json(ec["reasons"])}`);
    }
    if ("tried" in ec) {
      const et = ec["tried"] as Record<string, unknown>[];
      const at = ac["tried"] as Record<string, unknown>[];
      const ok =
        Array.isArray(et) &&
        et.length === at.length &&
        et.every((t, i) => t["basis"] === at[i]?.["basis"] && t["satisfied"] === at[i]?.["satisfied"] && reasonsMatch(t["reasons"], at[i]?.["reasons"]));
      if (!ok) problems.push(`${where}: consent.tried is ${json(at)}, expected ${json(et)}`);
    }
  }
  const er = expected["residency"];
  const ar = actual["residency"] as Record<string, unknown>;
  if (!isRecord(er) || !("allowed" in er) || !Array.isArray(er["denied_fields"])) {
    problems.push(`${where}: the case must state residency.allowed and residency.denied_fields`);
  } else {
    if (er["allowed"] !== ar["allowed"]) problems.push(`${where}: residency.allowed is ${json(ar["allowed"])}, expected ${json(er["allowed"])}`);
    const ad = ar["denied_fields"] as Record<string, unknown>[];
    const ed = er["denied_fields"] as unknown[];
    const ok = ed.length === ad.length && ed.every((f, i) => (typeof f === "string" ? ad[i]?.["path"] === f : sameJson(f, ad[i])));
    if (!ok) problems.push(`${where}: residency.denied_fields are ${json(ad)}, expected ${json(ed)}`);
  }
}

/** Runs one case: sets its data document, evaluates, compares. */
export function runCase(engine: PolicyEngine, c: PreparedCase): CaseResult {
  const problems: string[] = [];
  engine.setData(c.data);
  let verdicts: unknown[];
  try {
    verdicts = engine.evaluate(c.request) as unknown as unknown[];
  } catch (e) {
    const code = isRecord(e) && typeof e["code"] === "string" ? e["code"] : "thrown";
    if (c.expect_error === undefined) problems.push(`unexpected error ${code}: ${e instanceof Error ? e.message : String(e)}`);
    else if (code !== c.expect_error) problems.push(`error ${code}, expected ${c.expect_error}`);
    return { id: c.id, problems, outcome: `error:${code}` };
  }
  if (c.expect_error !== undefined) {
    problems.push(`evaluated to ${json(verdicts)}, expected error ${c.expect_error}`);
  } else if (!Array.isArray(c.expect) || c.expect.length !== verdicts.length) {
    problems.push(`${verdicts.length} verdicts, expected ${Array.isArray(c.expect) ? c.expect.length : "a list"}`);
  } else {
    c.expect.forEach((e, i) => {
      compareVerdict(e as Record<string, unknown>, verdicts[i] as Record<string, unknown>, `candidate ${i}`, problems);
    });
  }
  return { id: c.id, problems, outcome: `verdicts:${verdicts.length}` };
}
