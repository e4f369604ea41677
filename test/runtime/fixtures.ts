// Fixtures for the runtime tests: the spec's catalog, hand-written compiled journeys (the
// shape codegen emits), a scriptable policy, a provider that records what it is asked, and
// request builders. Engine tests use these to pin each step of the contract in isolation.
import type { CompiledJourney, JourneyMeta, Manifest, PredicateContext, Tracer } from "../../core/artifact.ts";
import { loadCatalog } from "../../compiler/catalog/index.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import { MS_PER_DAY } from "../../core/literals.ts";
import { SourceFile } from "../../core/source.ts";
import type { EntityRecords, ContextProvider } from "../../runtime/context.ts";
import { Engine } from "../../runtime/engine.ts";
import type { CandidateVerdict } from "../../core/opa-contract.ts";
import type { PolicyRequest } from "../../runtime/opa/input.ts";
import type { PolicyEvaluator } from "../../runtime/policy.ts";
import { SPEC_CATALOG } from "../helpers/spec-catalog.ts";

/** Loads catalog YAML with the compiler's own loader; throws on any catalog error. */
export function catalogFromYaml(text: string): Catalog {
  const r = loadCatalog(new SourceFile("catalog.yaml", text));
  if (!r.value || r.diagnostics.some((d) => d.severity === "error")) throw new Error(`bad test catalog: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.value;
}

export const catalog: Catalog = catalogFromYaml(SPEC_CATALOG);

export type When = (ctx: PredicateContext & Record<string, any>, t: Tracer) => boolean;

export interface JourneySpec extends Partial<Omit<JourneyMeta, "trigger" | "action" | "nodes">> {
  readonly id: string;
  readonly event?: string;
  readonly timers?: readonly { label: string; ms: number }[];
  readonly action?: JourneyMeta["action"];
  readonly when?: When;
  readonly reason?: (ctx: PredicateContext & Record<string, any>, t: Tracer) => string;
}

const ACTION = { name: "email", channel: "email", params: { template: "t" } };

/** A compiled journey as codegen would emit it; `when` defaults to "true" traced as node 0. */
export function journey(spec: JourneySpec): CompiledJourney {
  const meta: JourneyMeta = {
    id: spec.id,
    title: spec.title ?? spec.id,
    purpose: spec.purpose ?? "service_updates",
    risk: spec.risk ?? "low",
    priority: spec.priority ?? 0,
    trigger: { event: spec.event ?? "daily", timers: spec.timers ?? [] },
    action: spec.action ?? ACTION,
    ...(spec.cap ? { cap: spec.cap } : {}),
    ...(spec.quiet ? { quiet: spec.quiet } : {}),
    ...(spec.holdout ? { holdout: spec.holdout } : {}),
    review: spec.review ?? false,
    fields: [...(spec.fields ?? [])].sort(),
    eventFields: spec.eventFields ?? [],
    loc: { file: "test.journey", line: 1, column: 1, endLine: 1, endColumn: 1 },
    nodes: [{ id: 0, kind: "bool", text: "true", loc: { file: "test.journey", line: 1, column: 1, endLine: 1, endColumn: 5 }, type: "bool", children: [] }],
    whenRoot: 0,
  };
  const when = spec.when ?? ((_c: unknown, t: Tracer) => t(0, true) as boolean);
  return { meta, when: when as CompiledJourney["when"], ...(spec.reason ? { reason: spec.reason as CompiledJourney["reason"] } : {}) };
}

export function manifest(journeys: readonly CompiledJourney[], hash = "a".repeat(64)): Manifest {
  return {
    artifact_version: 1,
    compiler: { name: "kairos", version: "0.1.0" },
    hash,
    parts: {},
    sources: {},
    opa: { version: "1.22.2", entrypoints: ["kairos/decision"], rego: { "kairos.rego": "b".repeat(64) }, wasm: "c".repeat(64), default_policies: true },
    journeys: journeys.map((j) => ({
      id: j.meta.id,
      purpose: j.meta.purpose,
      trigger: j.meta.trigger.event,
      timers: j.meta.trigger.timers.map((t) => t.label),
      fields: [...j.meta.fields],
    })),
    purposes: [],
    triggers: {},
  };
}

/** A policy that allows everything with `contract`, except what `deny` says; records calls. */
export class FakePolicy implements PolicyEvaluator {
  readonly calls: PolicyRequest[] = [];
  readonly deny: Readonly<Record<string, "consent" | "residency">>;
  readonly fail: Error | undefined;
  constructor(deny: Readonly<Record<string, "consent" | "residency">> = {}, fail?: Error) {
    this.deny = deny;
    this.fail = fail;
  }

  evaluate(request: PolicyRequest): CandidateVerdict[] {
    this.calls.push(request);
    if (this.fail) throw this.fail;
    return request.candidates.map((c) => {
      const d = this.deny[c.journey];
      return {
        journey: c.journey,
        consent:
          d === "consent"
            ? { allowed: false, basis: null, tried: [{ basis: "consent", satisfied: false, reasons: [{ code: "no_consent_record" }] }], reasons: [] }
            : { allowed: true, basis: "contract", tried: [{ basis: "contract", satisfied: true, reasons: [{ code: "asserted_by_controller" }] }], reasons: [] },
        residency:
          d === "residency"
            ? { allowed: false, denied_fields: [{ path: c.fields[0] ?? "customer.email", residency: "eu", code: "region_not_allowed" }] }
            : { allowed: true, denied_fields: [] },
      };
    });
  }
}

/** A provider over fixed data that records every request it gets. */
export class RecordingProvider implements ContextProvider {
  readonly asked: (readonly string[])[] = [];
  readonly data: EntityRecords;
  readonly fail: Error | undefined;
  constructor(data: EntityRecords, fail?: Error) {
    this.data = data;
    this.fail = fail;
  }

  fetch(_subject: string, fields: readonly string[]): EntityRecords {
    this.asked.push([...fields]);
    if (this.fail) throw this.fail;
    return this.data; // deliberately everything: the engine must drop what it did not ask for
  }
}

export function engine(journeys: readonly CompiledJourney[], policy: PolicyEvaluator | null = new FakePolicy(), cat: Catalog = catalog): Engine {
  return Engine.fromParts({ manifest: manifest(journeys), catalog: cat, predicates: { journeys }, policy });
}

/** A request on `daily` at 2026-05-30T12:00:00Z (14:00 in Berlin: no quiet hours). */
export function request(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { event: { type: "daily", id: "e1" }, subject: "c-1", now: "2026-05-30T12:00:00Z", region: "eu", context: fullContext(), ...overrides };
}

export const NOW_DAY = Date.UTC(2026, 4, 30) / MS_PER_DAY;

/** A complete, valid context for every entity of the spec catalog. */
export function fullContext(): Record<string, Record<string, unknown>> {
  return {
    customer: { customer_id: "c-1", email: "ana@example.com", timezone: "Europe/Berlin", tenure_months: 24, segment: "retail", recent_interactions: [] },
    policy: { status: "active", renewal_date: "2026-08-28", premium: 1200.5 },
    claim: { filed_at: "2026-05-27T10:00:00Z", status: "filed", diagnosis: "x" },
    onboarding: { completed_steps: 2, total_steps: 5, last_progress_at: "2026-05-20T08:00:00Z" },
  };
}
