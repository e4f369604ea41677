// The minimal input a host sends to a policy engine for one request, as Kairos cuts its own
// (runtime/contract.ts `ownRecords`, the minimal context bundle): the request's subject's own
// consent records for the candidates' purposes, objections to direct marketing or to those
// purposes, the candidates' cap history, and the context cut to the fields the candidates read.
// The all-Rego contender is given this instead of the whole request, and the contenders' logs
// keep it, so that no contender serializes more than Kairos does.
import { candidatesOf } from "./handwritten.ts";
import type { BenchRequest } from "./workload.ts";

const mine = <T extends { readonly subject?: string }>(xs: readonly T[], subject: string): T[] =>
  xs.filter((x) => x.subject === undefined || x.subject === subject);

/** The consent records and objections Kairos gives OPA for these purposes (the subject's own). */
export function purposeRecords(
  req: BenchRequest,
  purposes: ReadonlySet<string>,
): { consents: BenchRequest["consents"]; objections: BenchRequest["objections"] } {
  return {
    consents: mine(req.consents, req.subject).filter((c) => purposes.has(c.purpose)),
    objections: mine(req.objections, req.subject).filter((o) => o.scope === "direct_marketing" || purposes.has(o.scope.slice("purpose:".length))),
  };
}

/** `req` cut to what its candidates read; a request no journey listens to keeps no records. */
export function minimalInput(req: BenchRequest): BenchRequest {
  const journeys = candidatesOf(req) ?? [];
  const purposes = new Set(journeys.map((j) => j.purpose));
  const ids = new Set(journeys.map((j) => j.id));
  const context: Record<string, Record<string, unknown>> = {};
  for (const j of journeys) {
    for (const f of j.fields) {
      const dot = f.indexOf(".");
      const entity = f.slice(0, dot);
      const name = f.slice(dot + 1);
      const value = req.context[entity]?.[name];
      if (value === undefined) continue;
      (context[entity] ??= {})[name] = value;
    }
  }
  return {
    event: req.event,
    subject: req.subject,
    now: req.now,
    region: req.region,
    context,
    ...purposeRecords(req, purposes),
    history: mine(req.history as readonly { journey: string; at: string; subject?: string }[], req.subject).filter((h) => ids.has(h.journey)),
  };
}
