// Consent per purpose, residency per field set: the fast path of `PolicyEngine.evaluateInput`.
// A candidate's verdict depends only on its (purpose, channel) — consent, with the request's
// records — and on its field set — residency, with the region (docs/opa-contract.md says so and
// the default policies read nothing else). So a request with 1,000 candidates over three
// purposes asks `kairos/consent` about three (purpose, channel) pairs, and residency, which
// depends on nothing the request holds but the region, is memoized per (field set, region) for
// the life of the data document: most requests make one small Wasm call. The verdicts are then
// fanned out to the candidates, in their order, with the same shape and key order as
// `kairos/decision`'s (test/opa/distinct.test.ts proves the two paths equal).
import { ENTRYPOINTS, type ConsentVerdict, type ResidencyVerdict, type WasmCandidate, type WasmInput } from "../../core/opa-contract.ts";
import { mapped } from "../../core/arrays.ts";
import { OpaError } from "./errors.ts";

/** Residency verdicts kept per engine before the memo starts again (a bound on its memory). */
export const RESIDENCY_MEMO_LIMIT = 4096;

/** Residency verdicts by region, then by field list (its JSON); bounded by RESIDENCY_MEMO_LIMIT in all. */
export class ResidencyMemo {
  private readonly regions = new Map<string, Map<string, ResidencyVerdict>>();
  private count = 0;

  /** Verdicts held, over every region. */
  get size(): number {
    return this.count;
  }

  /** The verdicts of one region, by field list. */
  region(region: string): ReadonlyMap<string, ResidencyVerdict> {
    return this.regions.get(region) ?? EMPTY;
  }

  set(region: string, fields: string, verdict: ResidencyVerdict): void {
    let inner = this.regions.get(region);
    if (inner === undefined) this.regions.set(region, (inner = new Map()));
    if (!inner.has(fields)) this.count++;
    inner.set(fields, verdict);
  }

  clear(): void {
    this.regions.clear();
    this.count = 0;
  }
}

const EMPTY: ReadonlyMap<string, ResidencyVerdict> = new Map();

/** Evaluates one entrypoint with one input (the engine's WasmPolicy). */
export type EvaluateEntrypoint = (entrypoint: string, input: WasmInput) => unknown;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Absent, or an index into a list of `length` items. */
function isIndex(v: unknown, length: number): boolean {
  return v === undefined || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v < length);
}

/** A shape error of an entrypoint's output (the caller then runs the reference path). */
function bad(entrypoint: string, why: string): OpaError {
  return new OpaError("opa/bad-output", `\`${entrypoint}\` returned ${why}`);
}

/** The consent verdict of a `{journey, consent}` item, checked as `checkVerdicts` checks it. */
export function checkConsent(v: unknown, journey: string, input: WasmInput, fail: (why: string) => Error): void {
  const consent = isRecord(v) ? v["consent"] : undefined;
  if (!isRecord(consent) || typeof consent["allowed"] !== "boolean" || !Array.isArray(consent["tried"])) {
    throw fail(`no consent verdict for \`${journey}\``);
  }
  // Reasons index the input's records; anything else would be read as a record by the runtime.
  const tried = consent["tried"] as unknown[];
  const lists: unknown[] = [consent["reasons"]];
  for (const t of tried) lists.push(isRecord(t) ? t["reasons"] : undefined);
  for (const list of lists) {
    if (!Array.isArray(list)) throw fail(`a consent verdict without \`reasons\` for \`${journey}\``);
    for (const r of list as unknown[]) {
      if (!isRecord(r) || typeof r["code"] !== "string") throw fail(`a reason without a \`code\` for \`${journey}\``);
      if (!isIndex(r["record"], input.consents.length) || !isIndex(r["objection"], input.objections.length)) {
        throw fail(`a reason of \`${journey}\` that cites a record or objection the input does not have`);
      }
    }
  }
}

/** The residency verdict of a `{journey, residency}` item, checked as `checkVerdicts` checks it. */
export function checkResidency(v: unknown, journey: string, fail: (why: string) => Error): void {
  const residency = isRecord(v) ? v["residency"] : undefined;
  if (!isRecord(residency) || typeof residency["allowed"] !== "boolean" || !Array.isArray(residency["denied_fields"])) {
    throw fail(`no residency verdict for \`${journey}\``);
  }
}

function freezeResidency(r: ResidencyVerdict): ResidencyVerdict {
  for (const f of r.denied_fields) Object.freeze(f);
  Object.freeze(r.denied_fields);
  return Object.freeze(r);
}

// The key of a frozen list is worked out once (the engine sends each journey's field list
// frozen, so it is the same list, unchanged, in every request).
const frozenKeys = new WeakMap<readonly string[], string>();

/** A field list as text: JSON, which no two different lists of strings share. */
function fieldsKey(fields: readonly string[]): string {
  if (!Object.isFrozen(fields)) return JSON.stringify(fields);
  let key = frozenKeys.get(fields);
  if (key === undefined) frozenKeys.set(fields, (key = JSON.stringify(fields)));
  return key;
}

/** One entrypoint's list of `{journey, …}` items for `asked`, checked item by item. */
function items(value: unknown, entrypoint: string, asked: readonly WasmCandidate[], check: (v: unknown, journey: string) => void): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw bad(entrypoint, "no list");
  if (value.length !== asked.length) throw bad(entrypoint, `${value.length} verdicts for ${asked.length} candidates`);
  return mapped(value as unknown[], (v: unknown, i) => {
    const journey = asked[i]!.journey;
    if (!isRecord(v) || v["journey"] !== journey) throw bad(entrypoint, `a verdict for another journey at position ${i}`);
    check(v, journey);
    return v;
  });
}

/**
 * Consent and residency verdicts of every candidate of `input` from one `kairos/consent` call
 * over its distinct (purpose, channel) pairs and, for field sets not yet in `memo`, one
 * `kairos/residency` call. `canonConsent`/`canonResidency` give the verdicts their fixed key
 * order. Throws an OpaError on anything out of contract; the caller then runs the reference path.
 */
export function screenDistinct(
  input: WasmInput,
  evaluate: EvaluateEntrypoint,
  memo: ResidencyMemo,
  canonConsent: (c: ConsentVerdict) => ConsentVerdict,
  canonResidency: (r: ResidencyVerdict) => ResidencyVerdict,
): { journey: string; consent: ConsentVerdict; residency: ResidencyVerdict }[] {
  const pairOf: number[] = [];
  const pairs: WasmCandidate[] = [];
  const pairIndex = new Map<string, Map<string, number>>();
  // Each candidate's residency: from the memo, or the index of the field set asked for.
  const residencies: (ResidencyVerdict | number)[] = [];
  const missing: WasmCandidate[] = [];
  const missingIndex = new Map<string, number>();
  const inRegion = memo.region(input.region);
  for (const c of input.candidates) {
    let channels = pairIndex.get(c.purpose);
    if (channels === undefined) pairIndex.set(c.purpose, (channels = new Map()));
    let p = channels.get(c.channel);
    if (p === undefined) {
      p = pairs.length;
      channels.set(c.channel, p);
      pairs.push({ journey: c.journey, purpose: c.purpose, channel: c.channel, fields: [] });
    }
    pairOf.push(p);
    const fk = fieldsKey(c.fields);
    const known = inRegion.get(fk) ?? missingIndex.get(fk);
    if (known !== undefined) {
      residencies.push(known);
      continue;
    }
    missingIndex.set(fk, missing.length);
    residencies.push(missing.length);
    missing.push(c);
  }
  const fresh: ResidencyVerdict[] = [];
  if (missing.length > 0) {
    const asked = { now_ms: input.now_ms, region: input.region, candidates: missing, consents: [], objections: [] };
    const fail = (why: string): OpaError => bad(ENTRYPOINTS.residency, why);
    const found = items(evaluate(ENTRYPOINTS.residency, asked), ENTRYPOINTS.residency, missing, (v, j) => checkResidency(v, j, fail));
    if (memo.size + missing.length > RESIDENCY_MEMO_LIMIT) memo.clear();
    for (const [key, i] of missingIndex) {
      // Frozen: the memo hands the same verdict to every later request (and to callers).
      const verdict = freezeResidency(canonResidency(found[i]!["residency"] as ResidencyVerdict));
      fresh.push(verdict);
      memo.set(input.region, key, verdict);
    }
  }
  const consents: ConsentVerdict[] = [];
  if (pairs.length > 0) {
    const asked = { ...input, candidates: pairs };
    const fail = (why: string): OpaError => bad(ENTRYPOINTS.consent, why);
    const found = items(evaluate(ENTRYPOINTS.consent, asked), ENTRYPOINTS.consent, pairs, (v, j) => checkConsent(v, j, input, fail));
    for (const v of found) consents.push(canonConsent(v["consent"] as ConsentVerdict));
  }
  return mapped(input.candidates, (c, i) => {
    const r = residencies[i]!;
    return { journey: c.journey, consent: consents[pairOf[i]!]!, residency: typeof r === "number" ? fresh[r]! : r };
  });
}
