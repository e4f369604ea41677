// Contender 3: json-rules-engine (7.3.1) for the journeys' conditions, the same OPA Wasm bundle
// as Kairos for consent, lawful basis and residency (runtime/opa's PolicyEngine), and the same
// plain-TypeScript trigger table and guardrails as the hand-written contender. Set up as a
// performance-minded user would: one engine per trigger built once, a plain property path
// resolver instead of the default JSONPath one, derived values (days until renewal, …) as
// dynamic facts computed once per run. OPA gets the same purpose-filtered consent records as
// Kairos sends it (bench/contenders/minimal-input.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine as RulesEngine, type NestedCondition, type RuleProperties } from "json-rules-engine";
import { PolicyEngine } from "../../runtime/opa/index.ts";
import { candidatesOf, isCapped, settle, type HandwrittenDecision, type Journey } from "./handwritten.ts";
import { purposeRecords } from "./minimal-input.ts";
import type { BenchRequest } from "./workload.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;

const c = (fact: string, path: string | undefined, operator: string, value: unknown): NestedCondition =>
  (path === undefined ? { fact, operator, value } : { fact, path, operator, value }) as NestedCondition;

/** The journeys' `when` clauses as json-rules-engine rules (one event per journey id). */
const RULES: Record<string, RuleProperties["conditions"]> = {
  service_recovery: { all: [c("event", "csat", "lessThanInclusive", 2), c("customer", "segment", "notEqual", "corporate")] },
  repeated_negative_interactions: { all: [c("negative_interactions_30d", undefined, "greaterThanInclusive", 2), c("calls_48h", undefined, "equal", 0)] },
  renewal_reminder_d30: {
    all: [
      c("policy", "status", "equal", "active"),
      c("customer", "tenure_months", "greaterThanInclusive", 12),
      c("days_until_renewal", undefined, "equal", 30),
    ],
  },
  renewal_reminder_d90: {
    all: [
      c("policy", "status", "equal", "active"),
      c("days_until_renewal", undefined, "equal", 90),
      c("customer", "tenure_months", "greaterThanInclusive", 12),
    ],
  },
  injury_claim_specialist_call: {
    any: [c("diagnosis_lower", undefined, "textContains", "fracture"), c("diagnosis_lower", undefined, "textContains", "whiplash")],
  },
  onboarding_nudge: {
    all: [
      c("onboarding", "completed_steps", "lessThan", { fact: "onboarding", path: "total_steps" }),
      c("days_since_progress", undefined, "greaterThanInclusive", 5),
    ],
  },
  referral_invite: {
    all: [
      c("customer", "nps", "isSet", true),
      c("customer", "nps", "greaterThanInclusive", 9),
      c("customer", "tenure_months", "greaterThanInclusive", 24),
      c("policy", "status", "equal", "active"),
    ],
  },
  claim_status_update: { all: [c("claim", "status", "in", ["filed", "assessing"])] },
};

type Almanac = { factValue<T>(id: string): Promise<T> };
const dayOf = (ms: number): number => Math.floor(ms / DAY);

function buildEngine(journeys: readonly Journey[]): RulesEngine {
  const engine = new RulesEngine([], { pathResolver: (value: object, path: string) => (value as Record<string, unknown>)[path] });
  for (const j of journeys) {
    const conditions = RULES[j.id];
    if (!conditions) throw new Error(`no rule for journey \`${j.id}\``);
    engine.addRule({ name: j.id, conditions, event: { type: j.id } });
  }
  engine.addOperator("textContains", (a: unknown, b: unknown) => typeof a === "string" && a.includes(b as string));
  engine.addOperator("isSet", (a: unknown, b: unknown) => (a !== undefined && a !== null) === b);
  const entity = async (a: Almanac, name: string) => a.factValue<Record<string, unknown>>(name);
  engine.addFact(
    "days_until_renewal",
    async (_p, a: Almanac) =>
      Math.round(Date.parse(`${(await entity(a, "policy"))["renewal_date"] as string}T00:00:00Z`) / DAY) - dayOf(await a.factValue<number>("now")),
  );
  engine.addFact(
    "days_since_progress",
    async (_p, a: Almanac) => dayOf(await a.factValue<number>("now")) - dayOf(Date.parse((await entity(a, "onboarding"))["last_progress_at"] as string)),
  );
  engine.addFact("diagnosis_lower", async (_p, a: Almanac) => ((await entity(a, "claim"))["diagnosis"] as string).toLowerCase());
  const interactions = async (a: Almanac) =>
    ((await entity(a, "customer"))["recent_interactions"] ?? []) as { at: string; channel: string; sentiment: string }[];
  engine.addFact("negative_interactions_30d", async (_p, a: Almanac) => {
    const now = await a.factValue<number>("now");
    return (await interactions(a)).filter((i) => i.sentiment === "negative" && Math.floor((now - Date.parse(i.at)) / HOUR) <= 720).length;
  });
  engine.addFact("calls_48h", async (_p, a: Almanac) => {
    const now = await a.factValue<number>("now");
    return (await interactions(a)).filter((i) => i.channel === "call" && Math.floor((now - Date.parse(i.at)) / HOUR) <= 48).length;
  });
  return engine;
}

/** A loaded contender: `decide` answers one request. */
export interface RulesEngineContender {
  decide(req: BenchRequest): Promise<HandwrittenDecision>;
}

/** Loads the OPA bundle of a Kairos artifact and builds one rules engine per trigger. */
export async function loadRulesEngineContender(artifactDir: string): Promise<RulesEngineContender> {
  const policy = await PolicyEngine.load(new Uint8Array(readFileSync(join(artifactDir, "opa/bundle.tar.gz"))));
  const engines = new Map<readonly Journey[], RulesEngine>();
  return {
    async decide(req) {
      const journeys = candidatesOf(req);
      if (!journeys) return { outcome: "no_match", candidates: [] };
      let engine = engines.get(journeys);
      if (!engine) engines.set(journeys, (engine = buildEngine(journeys)));
      const now = Date.parse(req.now);
      // The same records Kairos sends OPA: the subject's own, for the candidates' purposes.
      const records = purposeRecords(req, new Set(journeys.map((j) => j.purpose)));
      const verdicts = policy.evaluate({
        now: req.now,
        region: req.region,
        candidates: journeys.map((j) => ({ journey: j.id, purpose: j.purpose, channel: j.action.channel, fields: j.fields })),
        consents: records.consents,
        objections: records.objections,
      });
      const outcomes: [string, string][] = journeys.map((j) => [j.id, ""]);
      const bases = new Map<Journey, string>();
      journeys.forEach((j, i) => {
        const v = verdicts[i]!;
        if (!v.residency.allowed) outcomes[i]![1] = "denied_residency";
        else if (!v.consent.allowed || v.consent.basis === null) outcomes[i]![1] = "denied_consent";
        else bases.set(j, v.consent.basis);
      });
      const eligible: Journey[] = [];
      if (bases.size > 0) {
        const facts = { ...req.context, event: req.event.payload ?? {}, now };
        let fired: Set<string>;
        try {
          const result = await engine.run(facts);
          fired = new Set(result.events.map((e) => e.type));
        } catch {
          return { outcome: "error", candidates: outcomes };
        }
        journeys.forEach((j, i) => {
          if (!bases.has(j)) return;
          if (!fired.has(j.id)) outcomes[i]![1] = "no_match";
          else if (isCapped(j, req.history, now)) outcomes[i]![1] = "capped";
          else eligible.push(j);
        });
      }
      return settle(
        req,
        now,
        outcomes,
        eligible,
        (j) => bases.get(j)!,
        () => undefined,
      );
    },
  };
}
