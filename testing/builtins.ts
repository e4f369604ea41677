// The properties every policy set is held to without writing them (docs/testing.md):
//   lawful-basis      a decision that acts (now, later, or after review) has a lawful basis the
//                     purpose lists and that the request's records support (spec §5, written
//                     here independently of the Rego policies);
//   minimal-bundle    the provider is asked once, for no field outside the bundles of the
//                     candidates that consent and residency let through (spec §4 steps 2–3);
//   deterministic     the same request decides the same way twice, byte for byte.
// Each check returns undefined or what went wrong, in words.
import type { Catalog } from "../core/catalog/types.ts";
import { parseDateTimeLiteral } from "../core/literals.ts";
import type { JourneyMeta } from "../core/artifact.ts";
import type { TestRequest } from "../compiler/tests/model.ts";
import type { EntityRecords } from "../runtime/context.ts";
import { InMemoryProvider } from "../runtime/context.ts";
import type { Decision } from "../runtime/decision.ts";
import { decisionJson, type Engine } from "../runtime/engine.ts";

export interface BuiltinProperty {
  readonly id: "lawful-basis" | "minimal-bundle" | "deterministic";
  readonly name: string;
  check(engine: Engine, request: TestRequest, metas: ReadonlyMap<string, JourneyMeta>): Promise<{ problem?: string; decision: Decision }>;
}

interface Rec {
  readonly status: string;
  readonly atMs: number;
  readonly expiresMs?: number;
}

/** The latest record of a key; on a tie a refusal wins (fail closed). */
function latest(records: readonly Rec[]): Rec | undefined {
  let best: Rec | undefined;
  for (const r of records) {
    if (!best || r.atMs > best.atMs || (r.atMs === best.atMs && best.status === "granted" && r.status !== "granted")) best = r;
  }
  return best;
}

/** Why `basis` does not make (purpose, channel) lawful for this request, if it does not. */
export function basisProblem(catalog: Catalog, purposeName: string, channel: string, basis: string | undefined, request: TestRequest): string | undefined {
  const purpose = catalog.purposes.get(purposeName);
  if (!purpose) return `purpose \`${purposeName}\` is not in the catalog`;
  if (basis === undefined) return `it has no lawful basis`;
  if (!(purpose.bases as readonly string[]).includes(basis))
    return `basis \`${basis}\` is not one purpose \`${purposeName}\` lists (${purpose.bases.join(", ")})`;
  const now = parseDateTimeLiteral(request.now)!;
  const objections = request.objections; // a test request carries only the subject's own records
  if (purpose.marketing && objections.some((o) => o.scope === "direct_marketing"))
    return `the subject objected to direct marketing and \`${purposeName}\` is marketing (GDPR Art. 21(3))`;
  const records = (key: string | null): Rec[] =>
    request.consents
      .filter((c) => c.purpose === purposeName && (c.channel ?? null) === key)
      .map((c) => ({ status: c.status, atMs: parseDateTimeLiteral(c.at)!, ...(c.expires_at ? { expiresMs: parseDateTimeLiteral(c.expires_at)! } : {}) }));
  if (basis === "consent") {
    const r = latest(records(channel)) ?? latest(records(null));
    if (!r) return "basis `consent` but no consent record";
    if (r.status !== "granted") return `basis \`consent\` but the latest record is \`${r.status}\``;
    if (r.atMs > now) return "basis `consent` but the consent is dated after `now`";
    if (r.expiresMs !== undefined && r.expiresMs <= now) return "basis `consent` but the consent has expired";
    return undefined;
  }
  if (basis === "legitimate_interest") {
    if (objections.some((o) => o.scope === `purpose:${purposeName}`)) return `basis \`legitimate_interest\` but the subject objected to \`${purposeName}\``;
    for (const key of [channel, null]) {
      const r = latest(records(key));
      if (r && r.status !== "granted") return `basis \`legitimate_interest\` but the subject's latest record for \`${purposeName}\` is \`${r.status}\``;
    }
  }
  return undefined;
}

/** A provider over the request's context that records what it is asked. */
class RecordingProvider extends InMemoryProvider {
  readonly asked: (readonly string[])[] = [];
  override fetch(subject: string, fields: readonly string[]): EntityRecords {
    this.asked.push([...fields]);
    return super.fetch(subject, fields);
  }
}

const ACTING = new Set(["acted", "deferred", "pending_review"]);

export const BUILTIN_PROPERTIES: readonly BuiltinProperty[] = [
  {
    id: "lawful-basis",
    name: "built-in: never acts without a lawful basis",
    async check(engine, request, metas) {
      const decision = await engine.decide(request);
      if (!ACTING.has(decision.outcome) || !decision.journey) return { decision };
      const meta = metas.get(decision.journey);
      if (!meta) return { decision, problem: `the winner \`${decision.journey}\` is not a journey of the policy set` };
      const problem = basisProblem(engine.catalog, meta.purpose, meta.action.channel, decision.basis, request);
      return problem ? { decision, problem: `\`${decision.journey}\` is \`${decision.outcome}\` but ${problem}` } : { decision };
    },
  },
  {
    id: "minimal-bundle",
    name: "built-in: never fetches a field outside the minimal bundle",
    async check(engine, request, metas) {
      const provider = new RecordingProvider(request.context);
      const decision = await engine.decide(request, { provider });
      if (provider.asked.length > 1) return { decision, problem: `the provider was asked ${provider.asked.length} times for one decision` };
      const asked = provider.asked[0] ?? [];
      const survivors = decision.evaluations.filter((e) => e.outcome !== "denied_consent" && e.outcome !== "denied_residency");
      const allowed = new Set(survivors.flatMap((e) => metas.get(e.journey)?.fields ?? []));
      const outside = asked.filter((f) => !allowed.has(f));
      if (outside.length > 0) {
        return {
          decision,
          problem: `the provider was asked for ${outside.map((f) => `\`${f}\``).join(", ")}, outside the bundles of ${survivors.length ? survivors.map((s) => `\`${s.journey}\``).join(", ") : "any candidate that consent and residency allowed"}`,
        };
      }
      if (JSON.stringify([...asked].sort()) !== JSON.stringify([...decision.fields].sort()))
        return { decision, problem: `the decision lists fields ${JSON.stringify(decision.fields)} but the provider was asked for ${JSON.stringify(asked)}` };
      return { decision };
    },
  },
  {
    id: "deterministic",
    name: "built-in: the same request decides the same way twice",
    async check(engine, request) {
      const decision = await engine.decide(request);
      const again = await engine.decide(structuredClone(request));
      const a = decisionJson(decision);
      const b = decisionJson(again);
      if (a === b) return { decision };
      const i = [...a].findIndex((ch, k) => ch !== b[k]);
      return {
        decision,
        problem: `the second decision differs at character ${i}: …${a.slice(Math.max(0, i - 40), i + 40)}… vs …${b.slice(Math.max(0, i - 40), i + 40)}…`,
      };
    },
  },
];
