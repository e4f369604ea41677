// Step 2 of the contract: residency and consent/lawful basis for every candidate in one policy
// call, before any data is fetched. Turns the policies' verdicts into outcomes and readable
// reasons; consent records and objections are quoted by content (not by index) so a decision
// reads the same when replayed from the log's minimized request.
import type { CandidateVerdict, Reason as OpaReason } from "../core/opa-contract.ts";
import type { PolicyRequest } from "./opa/input.ts";
import type { Reason } from "./decision.ts";
import { mapped } from "../core/arrays.ts";
import { lookup } from "./own.ts";
import type { ConsentRecord, Objection } from "./request.ts";

/**
 * What the engine needs from the consent/residency policies; `opa.PolicyEngine` is one (it
 * answers synchronously). A remote evaluator may answer with a promise; `signal` aborts when the
 * engine stops waiting (its policy deadline, default 2 s).
 */
export interface PolicyEvaluator {
  /** One verdict per candidate, in the candidates' order. May throw (the engine fails closed). */
  evaluate(request: PolicyRequest, signal?: AbortSignal): readonly CandidateVerdict[] | Promise<readonly CandidateVerdict[]>;
}

/** A candidate as the policies see it. */
export interface ScreenCandidate {
  readonly journey: string;
  readonly purpose: string;
  readonly channel: string;
  readonly fields: readonly string[];
}

/** The verdict for one candidate: denied (with reasons) or allowed with the basis used. */
export type Screening =
  | { readonly allowed: false; readonly outcome: "denied_residency" | "denied_consent"; readonly reasons: Reason[] }
  | { readonly allowed: true; readonly basis: string; readonly reasons: Reason[] };

export interface ScreenInput {
  readonly now: string;
  readonly region: string;
  readonly consents: readonly ConsentRecord[];
  readonly objections: readonly Objection[];
  /** The request's datetimes already parsed (text → epoch ms), handed to the policies as a hint. */
  readonly times?: ReadonlyMap<string, number>;
}

function quoteRecord(r: ConsentRecord | undefined): Record<string, unknown> | undefined {
  if (!r) return undefined;
  const { subject: _subject, ...rest } = r;
  return rest;
}

function quoteObjection(o: Objection | undefined): Record<string, unknown> | undefined {
  return o ? { scope: o.scope, at: o.at } : undefined;
}

const MESSAGES: Readonly<Record<string, (r: OpaReason, c: ScreenCandidate) => string>> = {
  consent_granted: (_r, c) => `consent to \`${c.purpose}\` is granted`,
  asserted_by_controller: () => "asserted by the controller in the catalog",
  no_objection_or_refusal: (_r, c) => `no objection to \`${c.purpose}\` and no refusal on record`,
  no_consent_record: (_r, c) => `no consent record for \`${c.purpose}\` on channel \`${c.channel}\``,
  consent_withdrawn: (_r, c) => `consent to \`${c.purpose}\` was withdrawn`,
  consent_denied: (_r, c) => `consent to \`${c.purpose}\` was denied`,
  consent_future_dated: () => "the consent record is dated after `now`",
  consent_expired: () => "the consent record has expired",
  consent_unknown_status: () => "the consent record has an unknown status",
  objection_purpose: (_r, c) => `the subject objected to \`${c.purpose}\``,
  objection_direct_marketing: (_r, c) => `the subject objected to direct marketing, and \`${c.purpose}\` is marketing`,
  channel_not_allowed: (r, c) => `channel \`${r.channel ?? c.channel}\` is not allowed for \`${c.purpose}\``,
  unknown_purpose: (_r, c) => `purpose \`${c.purpose}\` is unknown to the policies`,
  unknown_basis: () => "the policies do not know this lawful basis",
};

/** `list[i]` for an index the policies returned; anything but an index into the list is nothing. */
function at<T>(list: readonly T[], i: unknown): T | undefined {
  return typeof i === "number" && Number.isSafeInteger(i) && i >= 0 && i < list.length ? list[i] : undefined;
}

function consentReason(r: OpaReason, c: ScreenCandidate, input: ScreenInput, basis?: string): Reason {
  // The codes come from the policies, which may be custom: a code named `constructor` is not a message.
  const message = lookup(MESSAGES, r.code)?.(r, c) ?? r.code.replace(/_/g, " ");
  const record = quoteRecord(at(input.consents, r.record));
  const objection = quoteObjection(at(input.objections, r.objection));
  return {
    code: r.code,
    message: basis ? `${basis}: ${message}` : message,
    ...(basis ? { basis } : {}),
    ...(record ? { record } : {}),
    ...(objection ? { objection } : {}),
    ...(r.channel ? { channel: r.channel } : {}),
  };
}

function toScreening(v: CandidateVerdict, c: ScreenCandidate, input: ScreenInput): Screening {
  if (!v.residency.allowed) {
    return {
      allowed: false,
      outcome: "denied_residency",
      reasons: mapped(v.residency.denied_fields, (f) => ({
        code: f.code,
        message:
          f.code === "unknown_field"
            ? `\`${f.path}\` has no residency tag the policies know; it is never processed`
            : `\`${f.path}\` (residency \`${f.residency}\`) may not be processed in region \`${input.region}\``,
        field: f.path,
        residency: f.residency,
        region: input.region,
      })),
    };
  }
  const consent = v.consent;
  if (!consent.allowed || consent.basis === null) {
    // A blocking reason (an objection to direct marketing) is said once, not again per basis.
    // By key in a set: every objection can be a blocking reason and a basis's reason at once,
    // and comparing each with each was quadratic in the number of objections.
    const key = (r: OpaReason): string => `${r.code}\u0000${String(r.record)}\u0000${String(r.objection)}`;
    const blocking = new Set(consent.reasons.map(key));
    const reasons = mapped(consent.reasons, (r) => consentReason(r, c, input));
    for (const t of consent.tried) for (const r of t.reasons) if (!blocking.has(key(r))) reasons.push(consentReason(r, c, input, t.basis));
    if (reasons.length === 0) reasons.push({ code: "no_basis", message: `no lawful basis of \`${c.purpose}\` is satisfied` });
    return { allowed: false, outcome: "denied_consent", reasons };
  }
  const used = consent.tried.find((t) => t.basis === consent.basis && t.satisfied);
  return { allowed: true, basis: consent.basis, reasons: mapped(used?.reasons ?? [], (r) => consentReason(r, c, input, consent.basis!)) };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/**
 * Screens every candidate with one policy evaluation. Throws (or rejects, for an asynchronous
 * evaluator) when the policies fail or answer out of contract (wrong count, wrong journey); the
 * engine turns that into `error`.
 */
export function screen(
  policy: PolicyEvaluator,
  candidates: readonly ScreenCandidate[],
  input: ScreenInput,
  signal?: AbortSignal,
): Screening[] | Promise<Screening[]> {
  const request: PolicyRequest = { now: input.now, region: input.region, candidates, consents: input.consents, objections: input.objections };
  // Not enumerable: an evaluator that sends the request elsewhere as JSON sends what it did before.
  if (input.times) Object.defineProperty(request, "times", { value: input.times, enumerable: false });
  const verdicts = policy.evaluate(request, signal);
  return isThenable(verdicts) ? Promise.resolve(verdicts).then((v) => toScreenings(v, candidates, input)) : toScreenings(verdicts, candidates, input);
}

function toScreenings(verdicts: readonly CandidateVerdict[], candidates: readonly ScreenCandidate[], input: ScreenInput): Screening[] {
  if (!Array.isArray(verdicts)) throw new Error("the policies returned no list of verdicts");
  if (verdicts.length !== candidates.length) {
    throw new Error(`the policies returned ${verdicts.length} verdicts for ${candidates.length} candidates`);
  }
  // Candidates of one (purpose, channel) and field set share their verdicts' objects (the
  // PolicyEngine asks once per distinct pair and field set): they share the screening too, whose
  // reasons read nothing else of the candidate.
  const seen = new Map<object, { residency: object; purpose: string; channel: string; screening: Screening }[]>();
  const out: Screening[] = [];
  // The previous candidate's entry is tried first: neighbours (in priority order) mostly share it.
  let last: { consent: object; residency: object; purpose: string; channel: string; screening: Screening } | undefined;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    const v = verdicts[i]!;
    if (v.journey !== c.journey) throw new Error(`the policies returned a verdict for \`${v.journey}\` in place of \`${c.journey}\``);
    if (last !== undefined && last.consent === v.consent && last.residency === v.residency && last.purpose === c.purpose && last.channel === c.channel) {
      out.push(last.screening);
      continue;
    }
    const same = seen.get(v.consent);
    let entry = same?.find((s) => s.residency === v.residency && s.purpose === c.purpose && s.channel === c.channel);
    if (entry === undefined) {
      entry = { residency: v.residency, purpose: c.purpose, channel: c.channel, screening: toScreening(v, c, input) };
      if (same) same.push(entry);
      else seen.set(v.consent, [entry]);
    }
    last = { consent: v.consent, ...entry };
    out.push(entry.screening);
  }
  return out;
}
