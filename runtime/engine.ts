// The decision engine: one loaded artifact, `decide(request) → Decision` by the contract of
// spec §4 (runtime/contract.ts), a deterministic decision id, canonical output, and the hand-off
// to an attached decision log. `decide` never throws: anything that fails ends in `error`.
import type { Manifest, PredicatesModule } from "../compiler/artifact.ts";
import type { Catalog } from "../compiler/catalog/types.ts";
import { canonicalJson } from "./canonical-json.ts";
import { InMemoryProvider, type ContextProvider } from "./context.ts";
import { ownRecords, runContract, type ContractResult, type Failure } from "./contract.ts";
import type { Decision, Evaluation, Outcome, Wakeup } from "./decision.ts";
import type { PolicyEvaluator } from "./policy.ts";
import { formatProblems, parseRequest, type ParsedRequest, type RequestResult } from "./request.ts";
import { sha256Hex } from "./sha256.ts";
import type { AppliedPolicies, DecisionLogEntry, DecisionSink, MinimizedRequest } from "./sink.ts";
import { TriggerIndex } from "./triggers.ts";

/** Everything an engine runs on, already loaded (see runtime/load.ts for loading from bytes). */
export interface EngineParts {
  readonly manifest: Manifest;
  readonly catalog: Catalog;
  readonly predicates: PredicatesModule;
  /** The consent/residency policies; null makes every candidate fail closed. */
  readonly policy: PolicyEvaluator | null;
}

export interface DecideOptions {
  /** Where context comes from; default: the request's own `context`. */
  readonly provider?: ContextProvider;
  /** Overrides the attached sink for this decision. */
  readonly sink?: DecisionSink;
}

/** A decision together with the entry the log received (or would have received). */
export interface DecisionRecord {
  readonly decision: Decision;
  readonly entry: DecisionLogEntry;
}

/** `d_` + the first 32 hex digits of sha256(canonical {artifact, request}). */
export function decisionId(artifactHash: string, request: unknown): string {
  let text: string;
  try {
    text = canonicalJson({ artifact: artifactHash, request });
  } catch {
    text = canonicalJson({ artifact: artifactHash, request: "(not plain data)" });
  }
  return `d_${sha256Hex(text).slice(0, 32)}`;
}

/** The decision as canonical JSON text (2-space indent, sorted keys): byte-stable everywhere. */
export function decisionJson(decision: Decision): string {
  return canonicalJson(decision, 2);
}

/** Loads once, decides many times. */
export class Engine {
  readonly manifest: Manifest;
  readonly catalog: Catalog;
  readonly predicates: PredicatesModule;
  private readonly policy: PolicyEvaluator | null;
  private readonly index: TriggerIndex;
  private sink: DecisionSink | undefined;

  private constructor(parts: EngineParts) {
    this.manifest = parts.manifest;
    this.catalog = parts.catalog;
    this.predicates = parts.predicates;
    this.policy = parts.policy;
    this.index = new TriggerIndex(parts.predicates.journeys);
  }

  /** An engine over already loaded parts (the browser, tests, the in-memory compile of the CLI). */
  static fromParts(parts: EngineParts): Engine {
    const ids = new Set<string>();
    for (const j of parts.predicates.journeys) {
      if (ids.has(j.meta.id)) throw new Error(`the artifact has two journeys \`${j.meta.id}\``);
      ids.add(j.meta.id);
    }
    return new Engine(parts);
  }

  /** The artifact's identity. */
  get hash(): string {
    return this.manifest.hash;
  }

  /** Every decision from now on goes to this sink (the decision log). */
  attach(sink: DecisionSink | undefined): this {
    this.sink = sink;
    return this;
  }

  /** Validates a request against the schema and this artifact's catalog. */
  validate(raw: unknown): RequestResult {
    return parseRequest(raw, this.catalog);
  }

  /** One decision. Never throws; failures are `error` decisions with no action. */
  async decide(raw: unknown, options: DecideOptions = {}): Promise<Decision> {
    return (await this.decideRecord(raw, options)).decision;
  }

  /** One decision and its log entry. Never throws. */
  async decideRecord(raw: unknown, options: DecideOptions = {}): Promise<DecisionRecord> {
    let record: DecisionRecord;
    try {
      record = await this.run(raw, options);
    } catch (e) {
      // A bug in Kairos, not in the request: still fail closed, with a decision.
      record = this.failed(raw, { code: "internal_error", message: `internal error: ${e instanceof Error ? e.message : String(e)}` });
    }
    const sink = options.sink ?? this.sink;
    if (!sink) return record;
    try {
      await sink.append(record.entry);
      return record;
    } catch (e) {
      const failure = { code: "log_failed", message: `the decision log refused the entry: ${e instanceof Error ? e.message : String(e)}` };
      const decision = failClosed(record.decision, failure);
      const entry = { ...record.entry, outcome: decision.outcome, decision, journey: undefined, basis: undefined };
      try {
        await sink.append(entry);
      } catch {
        // The log is down; the caller still gets the error decision.
      }
      return { decision, entry };
    }
  }

  private async run(raw: unknown, options: DecideOptions): Promise<DecisionRecord> {
    const parsed = this.validate(raw);
    if (!parsed.ok) return this.failed(raw, { code: "invalid_request", message: formatProblems(parsed.problems) });
    const { request } = parsed.value;
    const journeys = this.index.candidates(request.event.type, parsed.value.timerMs);
    const wakeups = parsed.value.timerMs === undefined ? this.index.wakeups(request.event.type, parsed.value.eventAtMs) : [];
    const own = ownRecords(parsed.value, journeys);
    const provider = options.provider ?? new InMemoryProvider(request.context ?? {});
    const result = await runContract({ catalog: this.catalog, policy: this.policy, provider }, parsed.value, journeys, own);
    const { payload: _payload, ...event } = request.event;
    const minimized: MinimizedRequest = {
      event: { ...event, ...(Object.keys(result.payload).length > 0 ? { payload: result.payload } : {}) },
      subject: request.subject,
      now: request.now,
      region: request.region,
      context: result.context,
      consents: own.consents,
      objections: own.objections,
      history: own.history,
    };
    const decision = this.assemble(decisionId(this.hash, minimized), result, wakeups);
    return { decision, entry: this.entry(decision, minimized, parsed.value) };
  }

  private assemble(id: string, r: ContractResult, wakeups: readonly Wakeup[]): Decision {
    const evaluations: Evaluation[] = r.candidates.map((c) => ({
      journey: c.meta.id,
      outcome: c.outcome ?? "error",
      purpose: c.meta.purpose,
      priority: c.meta.priority,
      ...(c.basis === undefined ? {} : { basis: c.basis }),
      ...(c.reasons.length === 0 ? {} : { reasons: c.reasons }),
      trace: c.trace,
      ...(c.matched === undefined ? {} : { matched: c.matched }),
    }));
    const failures: Failure[] = [...r.failures];
    if (evaluations.some((e) => e.outcome === "error") && failures.length === 0) {
      failures.push({ code: "internal_error", message: "a candidate ended without an outcome" });
    }
    const base = { decision_id: id, fields: r.fields, evaluations, artifact: this.hash, ...(wakeups.length > 0 ? { wakeups } : {}) };
    if (failures.length > 0) {
      return { ...base, outcome: "error", error: { code: failures[0]!.code, message: failures.map((f) => f.message).join("; ") } };
    }
    const w = r.winner;
    if (!w) return { ...base, outcome: evaluations[0]?.outcome ?? "no_match" };
    return {
      ...base,
      outcome: w.outcome as Outcome,
      journey: w.meta.id,
      ...(w.basis === undefined ? {} : { basis: w.basis }),
      ...(r.action ? { action: r.action } : {}),
      ...(r.deferredUntil ? { deferred_until: r.deferredUntil } : {}),
      ...(r.explanation === undefined ? {} : { explanation: r.explanation }),
    };
  }

  /** The policies this engine applies, by content hash. */
  policies(): AppliedPolicies {
    const m = this.manifest;
    return {
      artifact: m.hash,
      artifact_version: m.artifact_version,
      compiler: `${m.compiler.name} ${m.compiler.version}`,
      parts: m.parts,
      rego: m.opa?.rego ?? {},
      ...(m.opa ? { opa_version: m.opa.version, default_policies: m.opa.default_policies } : {}),
    };
  }

  private entry(decision: Decision, request: MinimizedRequest, parsed: ParsedRequest | undefined): DecisionLogEntry {
    return {
      decision_id: decision.decision_id,
      at: parsed?.request.now ?? request.now,
      subject: request.subject,
      outcome: decision.outcome,
      ...(decision.journey === undefined ? {} : { journey: decision.journey }),
      ...(decision.basis === undefined ? {} : { basis: decision.basis }),
      request,
      policies: this.policies(),
      decision,
    };
  }

  /** An `error` decision for a request that never reached the contract. */
  private failed(raw: unknown, failure: Failure): DecisionRecord {
    const decision: Decision = { decision_id: decisionId(this.hash, raw), outcome: "error", fields: [], evaluations: [], artifact: this.hash, error: failure };
    const r = (raw ?? {}) as Record<string, unknown>;
    const text = (v: unknown): string => (typeof v === "string" ? v : "");
    const event = (r["event"] ?? {}) as Record<string, unknown>;
    const request: MinimizedRequest = {
      event: { type: text(event["type"]), id: text(event["id"]) },
      subject: text(r["subject"]),
      now: text(r["now"]),
      region: text(r["region"]),
      context: {},
      consents: [],
      objections: [],
      history: [],
    };
    return { decision, entry: this.entry(decision, request, undefined) };
  }
}

/** The same decision turned into `error`: no winner, no action (fail closed). */
function failClosed(d: Decision, failure: Failure): Decision {
  const { journey: _j, action: _a, basis: _b, deferred_until: _d, explanation: _e, ...rest } = d;
  return { ...rest, outcome: "error", error: failure };
}
