// What a candidate's lawful basis rests on (spec §5), for the legal-review view: the consent
// record behind a `consent` basis (or behind a refusal), the objections that bear on the
// purpose, and a sentence on why the basis holds. The engine's verdict is not recomputed —
// only the records it was made from are picked out, by the same latest-record rule.
import { parseDateTimeLiteral } from "../../core/literals.ts";
import type { Evaluation } from "../decision.ts";
import type { LoggedConsent, LoggedObjection } from "../log/format.ts";
import { lookup } from "../own.ts";

/** A consent record as the rationale reads it (request or log form): the log's, less its subject. */
export type ConsentLike = Omit<LoggedConsent, "subject">;

/** An objection as the rationale reads it (request or log form). */
export type ObjectionLike = Omit<LoggedObjection, "subject">;

export interface BasisExplanation {
  /** The basis used, when one was satisfied. */
  readonly basis?: string;
  readonly summary: string;
  /** The latest record for (purpose, channel), else for (purpose, any channel), at or before now. */
  readonly record?: ConsentLike;
  /** Objections to this purpose or to direct marketing. */
  readonly objections: readonly ObjectionLike[];
}

const ASSERTED: Readonly<Record<string, string>> = {
  contract: "necessary for a contract with the person (Art. 6(1)(b)), asserted by the controller in the catalog",
  legal_obligation: "a legal obligation of the controller (Art. 6(1)(c)), asserted in the catalog",
  vital_interests: "the vital interests of the person (Art. 6(1)(d)), asserted in the catalog",
  public_task: "a task in the public interest (Art. 6(1)(e)), asserted in the catalog",
};

function ms(t: string | number | null | undefined): number | undefined {
  if (t === null || t === undefined) return undefined;
  return typeof t === "number" ? t : parseDateTimeLiteral(t);
}

function latest(records: readonly ConsentLike[], nowMs: number | undefined): ConsentLike | undefined {
  let best: ConsentLike | undefined;
  for (const r of records) {
    const at = ms(r.at);
    if (at === undefined || (nowMs !== undefined && at > nowMs)) continue;
    if (best === undefined || at >= ms(best.at)!) best = r;
  }
  return best;
}

/** The record that decides consent for (purpose, channel) at `now` (spec §5). */
export function decidingRecord(consents: readonly ConsentLike[], purpose: string, channel: string, nowMs: number | undefined): ConsentLike | undefined {
  const forPurpose = consents.filter((c) => c.purpose === purpose);
  return (
    latest(
      forPurpose.filter((c) => c.channel === channel),
      nowMs,
    ) ??
    latest(
      forPurpose.filter((c) => c.channel === null || c.channel === undefined),
      nowMs,
    )
  );
}

/** Explains an evaluation's lawful basis from the consent records and objections it was decided on. */
export function explainBasis(
  evaluation: Evaluation,
  channel: string | undefined,
  consents: readonly ConsentLike[] | undefined,
  objections: readonly ObjectionLike[] | undefined,
  nowMs: number | undefined,
): BasisExplanation {
  const purpose = evaluation.purpose;
  const record = consents && channel !== undefined ? decidingRecord(consents, purpose, channel, nowMs) : undefined;
  const relevant = (objections ?? []).filter((o) => o.scope === `purpose:${purpose}` || o.scope === "direct_marketing");
  const base = { ...(record ? { record } : {}), objections: relevant };
  const basis = evaluation.basis;
  if (basis === undefined) {
    const summary =
      evaluation.outcome === "denied_consent"
        ? `no lawful basis for purpose ${purpose} was satisfied`
        : evaluation.outcome === "denied_residency"
          ? "not determined: the candidate was denied on residency"
          : evaluation.outcome === "stale"
            ? "not determined: the event was out of date, so nothing was screened"
            : "none recorded for this candidate";
    return { ...base, summary };
  }
  let summary: string;
  if (basis === "consent") {
    summary = record
      ? `consent (Art. 6(1)(a)): the latest record for ${purpose}${record.channel ? ` on ${record.channel}` : " (all channels)"} is ${record.status}`
      : `consent (Art. 6(1)(a)) for ${purpose}`;
  } else if (basis === "legitimate_interest") {
    summary = `legitimate interest (Art. 6(1)(f)): no objection to ${purpose}${relevant.length ? " that applies" : ""} and no withdrawn or denied consent for it`;
  } else {
    summary = `${basis}: ${lookup(ASSERTED, basis) ?? "asserted by the controller"}`;
  }
  return { ...base, basis, summary };
}
