// The decision engine: one loaded artifact, `decide(request) → Decision` by the contract of
// spec §4 (runtime/contract.ts), a deterministic decision id, canonical output, and the hand-off
// to an attached decision log. `decide` never throws: anything that fails ends in `error`, and
// the sink still receives an entry for it — one that can be serialized, whatever went wrong.
// External calls (provider, policies, sink) run under deadlines; requests under limits.
import type { JourneyMeta, Manifest, PredicatesModule } from "../core/artifact.ts";
import type { Catalog } from "../core/catalog/types.ts";
import { canonicalJson, isCanonicalJsonError, MAX_JSON_DEPTH } from "../core/canonical-json.ts";
import { parseDateTimeLiteral } from "../core/literals.ts";
import { kept, mapped } from "../core/arrays.ts";
import { InMemoryProvider, type ContextProvider } from "./context.ts";
import { staleEvent } from "./freshness.ts";
import { ownRecords, runContract, type ContractResult, type Failure, type ParsedConsents } from "./contract.ts";
import { DeadlineExceeded, resolveDeadlines, withDeadline, type Deadlines } from "./deadline.ts";
import type { Decision, Evaluation, Outcome, Reason, Wakeup } from "./decision.ts";
import { resolveLimits, type RequestLimits } from "./limits.ts";
import { clock, report, type StageObserver } from "./observe.ts";
import { dict, own } from "./own.ts";
import type { PolicyEvaluator } from "./policy.ts";
import { formatProblems, parseRequest, type ParsedRequest, type RequestResult } from "./request.ts";
import { sha256Hex } from "../core/sha256.ts";
import type { AppliedPolicies, DecisionLogEntry, DecisionSink, MinimizedRequest } from "./sink.ts";
import { thrownMessage } from "./thrown.ts";
import { TriggerIndex } from "./triggers.ts";

/** Everything an engine runs on, already loaded (see runtime/load.ts for loading from bytes). */
export interface EngineParts {
  readonly manifest: Manifest;
  readonly catalog: Catalog;
  readonly predicates: PredicatesModule;
  /** The consent/residency policies; null makes every candidate fail closed. */
  readonly policy: PolicyEvaluator | null;
}

/** How an engine bounds its work (docs/runtime.md#deadlines, #limits). */
export interface EngineOptions {
  /**
   * Milliseconds the provider, the policy evaluation and each sink append may take: one number
   * for all three or some of them by name. Default 2,000 each; `Infinity` waits forever.
   */
  readonly deadlines?: number | Partial<Deadlines>;
  /** Request limits to raise or lower (default DEFAULT_LIMITS: 10,000 consent records, …). */
  readonly limits?: Partial<RequestLimits>;
}

export interface DecideOptions {
  /** Where context comes from; default: the request's own `context`. */
  readonly provider?: ContextProvider;
  /** Overrides the attached sink for this decision. */
  readonly sink?: DecisionSink;
  /** Overrides the engine's deadlines for this decision. */
  readonly deadlines?: number | Partial<Deadlines>;
  /**
   * Told how long each stage that ran took, once per stage (`validate`, `policy`, `fetch`,
   * `predicates`, `guardrails`, `log`), for metrics and tracing. The clock is read only when
   * an observer is given; what the observer throws is ignored (docs/runtime.md#observing-stages).
   */
  readonly observe?: StageObserver;
  /**
   * Journeys stopped by their stop-loss until a person resumes them (docs/runtime.md#stopped-journeys):
   * journey id → the reason to record. Such a candidate is `suppressed` with that reason before
   * consent screening (nothing is fetched for it); the others are decided as usual.
   */
  readonly stopped?: ReadonlyMap<string, Reason>;
}

/** A decision together with the entry the log received (or would have received). */
export interface DecisionRecord {
  readonly decision: Decision;
  readonly entry: DecisionLogEntry;
}

/**
 * `d_` + the first 32 hex digits of sha256(canonical {artifact, request}). Throws a
 * CanonicalJsonError when the request is not plain data (the engine then fails closed).
 */
export function decisionId(artifactHash: string, request: unknown): string {
  return `d_${sha256Hex(canonicalJson({ artifact: artifactHash, request }, 0, [])).slice(0, 32)}`;
}

/**
 * decisionId of a request already written as canonical JSON (`requestJson`): the same id, from
 * the text the log then seals as is (DecisionLogEntry.requestJson), so it is written once.
 */
export function decisionIdOfJson(artifactHash: string, requestJson: string): string {
  // canonicalJson({ artifact, request }): "artifact" sorts before "request", compact form.
  return `d_${sha256Hex(`{"artifact":${JSON.stringify(artifactHash)},"request":${requestJson}}`).slice(0, 32)}`;
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
  /** The deadlines of external calls, in ms. */
  readonly deadlines: Deadlines;
  /** The request limits. */
  readonly limits: RequestLimits;
  private readonly policy: PolicyEvaluator | null;
  private readonly index: TriggerIndex;
  /** Every journey's meta by id: what a history entry without `channel`/`purpose` is counted as. */
  private readonly journeys: ReadonlyMap<string, JourneyMeta>;
  private sink: DecisionSink | undefined;

  private constructor(parts: EngineParts, options: EngineOptions) {
    this.manifest = parts.manifest;
    this.catalog = parts.catalog;
    this.predicates = parts.predicates;
    this.policy = parts.policy;
    this.index = new TriggerIndex(parts.predicates.journeys);
    this.journeys = new Map(parts.predicates.journeys.map((j) => [j.meta.id, j.meta]));
    this.deadlines = resolveDeadlines(options.deadlines);
    this.limits = resolveLimits(options.limits);
  }

  /**
   * An engine over already loaded parts (the browser, tests, the in-memory compile of the CLI).
   * Throws a RangeError on options that are not deadlines or limits.
   */
  static fromParts(parts: EngineParts, options: EngineOptions = {}): Engine {
    const ids = new Set<string>();
    for (const j of parts.predicates.journeys) {
      if (ids.has(j.meta.id)) throw new Error(`the artifact has two journeys \`${j.meta.id}\``);
      ids.add(j.meta.id);
    }
    return new Engine(parts, options);
  }

  /**
   * An engine over the same artifact (its hash, catalog and consent/residency policies) whose
   * trigger index holds every journey but `journeys`: what the service runs when journeys wait
   * for a DPO approval (docs/approvals.md), and what `kairos replay` re-decides such an entry
   * with. The sink is not carried over; ids the artifact does not have are ignored.
   */
  without(journeys: Iterable<string>): Engine {
    const left = new Set(journeys);
    return new Engine(
      {
        manifest: this.manifest,
        catalog: this.catalog,
        predicates: { journeys: this.predicates.journeys.filter((j) => !left.has(j.meta.id)) },
        policy: this.policy,
      },
      { deadlines: this.deadlines, limits: this.limits },
    );
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

  /** Validates a request against the schema, this engine's limits and this artifact's catalog. */
  validate(raw: unknown): RequestResult {
    return parseRequest(raw, this.catalog, this.limits);
  }

  /** One decision. Never throws; failures are `error` decisions with no action. */
  async decide(raw: unknown, options: DecideOptions = {}): Promise<Decision> {
    const record = this.record(raw, options);
    return (record instanceof Promise ? await record : record).decision;
  }

  /**
   * One decision and its log entry. Never throws. The sink receives exactly one entry — or, when
   * it refuses or times out, that entry and then the `error` entry that replaces it — and every
   * entry it receives can be serialized as canonical JSON.
   */
  async decideRecord(raw: unknown, options: DecideOptions = {}): Promise<DecisionRecord> {
    return await this.record(raw, options);
  }

  /**
   * decideRecord, synchronous when nothing it calls answers with a promise (no sink, OPA Wasm,
   * the request's own context or a synchronous provider): a decision then runs from start to end
   * without a promise or a microtask per stage, and decisions in flight together do not
   * interleave stage by stage. With a sink it is a promise (see `logged`). Never throws.
   */
  private record(raw: unknown, options: DecideOptions): DecisionRecord | Promise<DecisionRecord> {
    let deadlines = this.deadlines;
    let ran: DecisionRecord | Promise<DecisionRecord>;
    try {
      deadlines = this.deadlinesFor(options);
      try {
        ran = this.run(raw, options, deadlines);
      } catch (e) {
        ran = this.internalError(raw, e);
      }
    } catch (e) {
      ran = this.failed(raw, { code: "invalid_options", message: `the decide options are invalid: ${thrownMessage(e)}` });
    }
    const sink = options.sink ?? this.sink;
    if (ran instanceof Promise) {
      const settled = ran.then(undefined, (e: unknown) => this.internalError(raw, e));
      return sink ? settled.then((record) => this.logged(record, sink, options, deadlines)) : settled;
    }
    return sink ? this.logged(ran, sink, options, deadlines) : ran;
  }

  /** A bug in Kairos, not in the request: still fail closed, with a decision. */
  private internalError(raw: unknown, e: unknown): DecisionRecord {
    return this.failed(raw, { code: "internal_error", message: `internal error: ${thrownMessage(e)}` });
  }

  /** Hands the record's entry to the sink under its deadline; a refusal or a timeout turns the decision into `error`. */
  private async logged(record: DecisionRecord, sink: DecisionSink, options: DecideOptions, deadlines: Deadlines): Promise<DecisionRecord> {
    // One microtask first: decisions in flight together all decide, then all append, rather than
    // each deciding and appending in turn, so the log's work (entry, seal, hash chain, write) runs
    // back to back, apart from the decisions' (OPA Wasm, predicates). Measured with 16 in flight:
    // ~15 µs of CPU less per decision than appending at once (caches stay warm for each in turn).
    await Promise.resolve();
    const observe = options.observe;
    const started = observe ? clock() : 0;
    try {
      await withDeadline("sink", deadlines.sink, (signal) => sink.append(record.entry, { signal }), "accept");
      if (observe) report(observe, "log", started);
      return record;
    } catch (e) {
      const failure =
        e instanceof DeadlineExceeded
          ? { code: "sink_timeout", message: `the decision log did not take the entry within ${e.ms} ms (the engine's \`deadlines.sink\`)` }
          : { code: "log_failed", message: `the decision log refused the entry: ${thrownMessage(e)}` };
      const decision = failClosed(record.decision, failure);
      const entry = { ...record.entry, outcome: decision.outcome, decision, journey: undefined, basis: undefined };
      try {
        await withDeadline("sink", deadlines.sink, (signal) => sink.append(entry, { signal }), "accept");
      } catch {
        // The log is down; the caller still gets the error decision.
      }
      if (observe) report(observe, "log", started);
      return { decision, entry };
    }
  }

  /** The engine's deadlines with a decision's overrides; throws a RangeError on invalid ones. */
  private deadlinesFor(options: DecideOptions): Deadlines {
    const d = options.deadlines;
    if (d === undefined) return this.deadlines;
    return resolveDeadlines(typeof d === "number" ? d : { ...this.deadlines, ...d });
  }

  /** The decision and its entry, before the sink: synchronous when runContract is. */
  private run(raw: unknown, options: DecideOptions, deadlines: Deadlines): DecisionRecord | Promise<DecisionRecord> {
    const observe = options.observe;
    const started = observe ? clock() : 0;
    const parsed = this.validate(raw);
    if (observe) report(observe, "validate", started);
    if (!parsed.ok) return this.failed(raw, { code: "invalid_request", message: formatProblems(parsed.problems) });
    const { request } = parsed.value;
    const journeys = this.index.candidates(request.event.type, parsed.value.timerMs);
    let wakeups = parsed.value.timerMs === undefined ? this.index.wakeups(request.event.type, parsed.value.eventAtMs) : [];
    const mine = ownRecords(parsed.value, journeys, { catalog: this.catalog, journeys: this.journeys });
    const provider = options.provider ?? new InMemoryProvider(request.context ?? dict());
    const deps = {
      catalog: this.catalog,
      policy: this.policy,
      provider,
      deadlines,
      limits: this.limits,
      journeys: this.journeys,
      ...(observe ? { observe } : {}),
      ...(options.stopped !== undefined && options.stopped.size > 0 ? { stopped: options.stopped } : {}),
    };
    // An event older than its freshness is not decided on (docs/runtime.md#freshness): when
    // anything listens to it, every candidate is `stale` before any screening or fetch, and its
    // follow-ups already due are dropped — they would run at once, on the same out-of-date event;
    // those still ahead are decided on their own when they come.
    const staleEv = journeys.length > 0 || wakeups.length > 0 ? staleEvent(this.catalog, parsed.value) : undefined;
    if (staleEv) {
      const candidates = mapped(journeys, (j) => ({ journey: j, meta: j.meta, outcome: "stale" as const, reasons: [staleEv], trace: [] }));
      const result: ContractResult = { candidates, failures: [], fields: [], context: {}, payload: {}, stale: [staleEv] };
      wakeups = kept(wakeups, (w) => (parseDateTimeLiteral(w.at) ?? 0) > parsed.value.nowMs);
      return this.recordOf(raw, parsed.value, mine, result, wakeups);
    }
    const result = runContract(deps, parsed.value, journeys, mine);
    return result instanceof Promise
      ? result.then((r) => this.recordOf(raw, parsed.value, mine, r, wakeups))
      : this.recordOf(raw, parsed.value, mine, result, wakeups);
  }

  /** The decision and its entry from the contract's result: the minimized request, the id, the decision. */
  private recordOf(raw: unknown, parsed: ParsedRequest, mine: ParsedConsents, result: ContractResult, wakeups: readonly Wakeup[]): DecisionRecord {
    const { request } = parsed;
    // Built with its keys in canonical (code-unit) order at every level, so that writing it as
    // canonical JSON copies nothing: the same members as the request's, nothing else.
    const e = request.event;
    const event: Record<string, unknown> = {};
    if (Object.hasOwn(e, "at")) event["at"] = e.at;
    event["id"] = e.id;
    if (Object.keys(result.payload).length > 0) event["payload"] = result.payload;
    if (Object.hasOwn(e, "timer")) event["timer"] = e.timer;
    event["type"] = e.type;
    const minimized: MinimizedRequest = {
      consents: mapped(mine.consents, consentInKeyOrder),
      context: result.context,
      // Only when an age was given for a field with a `freshness`: other requests log what they did.
      ...(result.asOf ? { context_as_of: result.asOf } : {}),
      event: event as unknown as MinimizedRequest["event"],
      history: mapped(mine.history, (r) => inKeyOrder(r, HISTORY_KEYS)),
      now: request.now,
      objections: mapped(mine.objections, (r) => inKeyOrder(r, OBJECTION_KEYS)),
      region: request.region,
      subject: request.subject,
    };
    try {
      // Paths under `request`, as when the id was computed over { artifact, request }.
      const requestJson = requestJsonOf(minimized);
      const decision = this.assemble(decisionIdOfJson(this.hash, requestJson), result, wakeups);
      // The decision holds trace values and reasons; the request was checked by its id. A walk
      // vouches for plain data; only what it doubts is written out, for the precise error.
      if (!isPlainDecision(decision)) canonicalJson(decision, 0, ["decision"]);
      return { decision, entry: this.entry(decision, minimized, parsed, requestJson) };
    } catch (e) {
      if (!isCanonicalJsonError(e)) throw e;
      // Not plain data (a provider's BigInt or function, a trace value that is not JSON): no
      // faithful entry exists, so the entry says what failed, and nobody acts on it.
      const where = e.message.replace(/^canonical JSON: /, "");
      return this.failed(raw, { code: "unserializable", message: `the decision cannot be logged: ${where}` }, { fields: result.fields, wakeups });
    }
  }

  private assemble(id: string, r: ContractResult, wakeups: readonly Wakeup[]): Decision {
    const evaluations: Evaluation[] = mapped(r.candidates, (c) => {
      // Keys set one by one, in this order: what the spreads of optional keys gave, without their objects.
      const e: { -readonly [K in keyof Evaluation]: Evaluation[K] } = {
        journey: c.meta.id,
        outcome: c.outcome ?? "error",
        purpose: c.meta.purpose,
        priority: c.meta.priority,
      } as Evaluation;
      if (c.basis !== undefined) e.basis = c.basis;
      if (c.reasons.length > 0) e.reasons = c.reasons;
      e.trace = c.trace;
      if (c.matched !== undefined) e.matched = c.matched;
      return e;
    });
    const failures: Failure[] = [...r.failures];
    if (evaluations.some((e) => e.outcome === "error") && failures.length === 0) {
      failures.push({ code: "internal_error", message: "a candidate ended without an outcome" });
    }
    const base = { decision_id: id, fields: r.fields, evaluations, artifact: this.hash, ...(wakeups.length > 0 ? { wakeups } : {}) };
    if (failures.length > 0) {
      return { ...base, outcome: "error", error: { code: failures[0]!.code, message: failures.map((f) => f.message).join("; ") } };
    }
    // Out-of-date data stopped the decision (docs/runtime.md#freshness): nobody won.
    if (r.stale) return { ...base, outcome: "stale", stale: r.stale };
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

  private entry(decision: Decision, request: MinimizedRequest, parsed: ParsedRequest | undefined, requestJson?: string): DecisionLogEntry {
    return {
      decision_id: decision.decision_id,
      at: parsed?.request.now ?? request.now,
      subject: request.subject,
      outcome: decision.outcome,
      ...(decision.journey === undefined ? {} : { journey: decision.journey }),
      ...(decision.basis === undefined ? {} : { basis: decision.basis }),
      request,
      ...(requestJson === undefined ? {} : { requestJson }),
      policies: this.policies(),
      decision,
    };
  }

  /**
   * An `error` decision for a request that never reached the contract or whose result cannot be
   * serialized. Its entry holds only strings read from the request (own properties only), so it
   * can always be logged. The id is over the request as given when that is plain data, else over
   * that entry's request and the error code.
   */
  private failed(raw: unknown, failure: Failure, kept: { fields?: readonly string[]; wakeups?: readonly Wakeup[] } = {}): DecisionRecord {
    const text = (v: unknown): string => (typeof v === "string" ? v : "");
    let request: MinimizedRequest;
    try {
      const event = own(raw, "event");
      request = {
        event: { type: text(own(event, "type")), id: text(own(event, "id")) },
        subject: text(own(raw, "subject")),
        now: text(own(raw, "now")),
        region: text(own(raw, "region")),
        context: {},
        consents: [],
        objections: [],
        history: [],
      };
    } catch {
      // A request whose properties cannot even be read (a throwing getter, a revoked proxy).
      request = { event: { type: "", id: "" }, subject: "", now: "", region: "", context: {}, consents: [], objections: [], history: [] };
    }
    let id: string;
    try {
      id = failure.code === "unserializable" ? decisionId(this.hash, { request, error: failure.code }) : decisionId(this.hash, raw);
    } catch {
      id = decisionId(this.hash, { request, error: failure.code });
    }
    const decision: Decision = {
      decision_id: id,
      outcome: "error",
      fields: kept.fields ?? [],
      evaluations: [],
      artifact: this.hash,
      ...(kept.wakeups && kept.wakeups.length > 0 ? { wakeups: kept.wakeups } : {}),
      error: failure,
    };
    return { decision, entry: this.entry(decision, request, undefined) };
  }
}

/**
 * isPlainData of a decision, quicker: evaluations of many candidates share their consent reasons
 * (one screening per purpose and channel), and each shared object is walked once. Any key it
 * does not expect is walked as plain data.
 */
export function isPlainDecision(decision: Decision): boolean {
  const seen = new Set<object>();
  const walked = (v: unknown, depth: number): boolean => {
    if (typeof v !== "object" || v === null) return isPlainData(v, depth);
    if (seen.has(v)) return true;
    // A reason of strings and numbers only (most of them, one per candidate) is checked where
    // it stands: remembering it would cost more than walking it again.
    const flat = isFlatRecord(v);
    if (flat !== undefined) return flat;
    if (!isPlainData(v, depth)) return false;
    seen.add(v);
    return true;
  };
  for (const key of Object.keys(decision)) {
    const value = (decision as unknown as Record<string, unknown>)[key];
    if (key !== "evaluations" || !Array.isArray(value)) {
      if (!isPlainData(value, 1)) return false;
      continue;
    }
    const evaluations = value as unknown[];
    // The reasons of the evaluation before, all vouched for: a neighbour's shared ones are found here first.
    let prev: readonly unknown[] = [];
    for (let i = 0; i < evaluations.length; i++) {
      const e = evaluations[i];
      if (typeof e !== "object" || e === null || Array.isArray(e) || Object.getPrototypeOf(e) !== Object.prototype) return isPlainData(decision, 0);
      const ev = e as Record<string, unknown>;
      const keys = Object.keys(ev);
      for (let n = 0; n < keys.length; n++) {
        const k = keys[n]!;
        const item = ev[k];
        const ti = typeof item;
        if (ti === "string" || ti === "boolean") continue;
        if (k === "reasons" && Array.isArray(item)) {
          for (let j = 0; j < item.length; j++) if (item[j] !== prev[j] && !walked(item[j], 4)) return false;
          prev = item;
        } else if (k === "trace" && Array.isArray(item)) {
          if (!isPlainTrace(item)) return false;
        } else if (!isPlainData(item, 3)) return false;
      }
    }
  }
  return true;
}

/** isPlainData of an evaluation's trace, quicker for its `[node, value]` events of plain values. */
function isPlainTrace(trace: readonly unknown[]): boolean {
  for (let i = 0; i < trace.length; i++) {
    const t = trace[i];
    if (!Array.isArray(t) || t.length !== 2 || typeof t[0] !== "number" || !Number.isFinite(t[0])) {
      if (!isPlainData(t, 4)) return false;
      continue;
    }
    const v: unknown = t[1];
    const tv = typeof v;
    if (tv === "string" || tv === "boolean" || v === null || (tv === "number" && Number.isFinite(v))) continue;
    if (!isPlainData(v, 5)) return false;
  }
  return true;
}

/**
 * Whether `v` is a record (Object.prototype or none) of strings, booleans, finite numbers and
 * nulls only: true, false when it holds something canonical JSON refuses, undefined when it
 * holds an object or array (then walk it).
 */
function isFlatRecord(v: object): boolean | undefined {
  if (Array.isArray(v)) return undefined;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const record = v as Record<string, unknown>;
  for (const k in record) {
    if (!Object.hasOwn(record, k)) continue;
    const x = record[k];
    switch (typeof x) {
      case "string":
      case "boolean":
      case "undefined":
        continue;
      case "number":
        if (Number.isFinite(x)) continue;
        return false;
      case "object":
        if (x === null) continue;
        return undefined;
      default:
        return false;
    }
  }
  return true;
}

/**
 * True when `canonicalJson` surely encodes `value`: strings, booleans, finite numbers, null,
 * `undefined`, arrays and objects with `Object.prototype` or no prototype, less than
 * MAX_JSON_DEPTH deep (a cycle runs into that bound). False says only "not sure": the caller
 * then asks canonicalJson itself, which encodes it or names what it cannot encode.
 */
export function isPlainData(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainData(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = 0; i < keys.length; i++) if (!isPlainData(record[keys[i]!], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

// The members of the request's records (runtime/request.ts's schemas), in code-unit order.
const OBJECTION_KEYS = ["at", "scope", "subject"] as const;
const HISTORY_KEYS = ["at", "channel", "journey", "purpose", "subject"] as const;

/**
 * A copy of a parsed consent record with its members in code-unit order (at, channel, expires_at,
 * notice_version, purpose, source, status, subject): inKeyOrder written out for the one shape.
 */
function consentInKeyOrder(r: MinimizedRequest["consents"][number]): MinimizedRequest["consents"][number] {
  const o = r as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (Object.hasOwn(o, "at")) out["at"] = o["at"];
  if (Object.hasOwn(o, "channel")) out["channel"] = o["channel"];
  if (Object.hasOwn(o, "expires_at")) out["expires_at"] = o["expires_at"];
  if (Object.hasOwn(o, "notice_version")) out["notice_version"] = o["notice_version"];
  if (Object.hasOwn(o, "purpose")) out["purpose"] = o["purpose"];
  if (Object.hasOwn(o, "source")) out["source"] = o["source"];
  if (Object.hasOwn(o, "status")) out["status"] = o["status"];
  if (Object.hasOwn(o, "subject")) out["subject"] = o["subject"];
  return out as unknown as MinimizedRequest["consents"][number];
}

/**
 * canonicalJson(minimized, 0, ["request"]), without walking the consent records to vouch for
 * them: consentInKeyOrder made each with its members in code-unit order (none integer-like), and
 * the request schema made every value a string, null or undefined, which JSON.stringify prints
 * exactly as canonicalJson does (undefined members left out). `consents` is the first member.
 */
function requestJsonOf(minimized: MinimizedRequest): string {
  const consents = minimized.consents;
  if (consents.length === 0 || !consents.every(flatStrings)) return canonicalJson(minimized, 0, ["request"]);
  const rest = canonicalJson({ ...minimized, consents: [] }, 0, ["request"]);
  // `{"consents":[]` then the other members (or `}`).
  return `{"consents":${JSON.stringify(consents)}${rest.slice(EMPTY_CONSENTS.length)}`;
}

const EMPTY_CONSENTS = '{"consents":[]';

const isText = (v: unknown): boolean => typeof v === "string" || v === null || v === undefined;

/** A record of consentInKeyOrder's (no other members) whose every value is a string, null or undefined. */
function flatStrings(r: MinimizedRequest["consents"][number]): boolean {
  const o = r as unknown as Record<string, unknown>;
  return (
    isText(o["at"]) &&
    isText(o["channel"]) &&
    isText(o["expires_at"]) &&
    isText(o["notice_version"]) &&
    isText(o["purpose"]) &&
    isText(o["source"]) &&
    isText(o["status"]) &&
    isText(o["subject"])
  );
}

/** A copy of a parsed record with its members in the given (code-unit) order; the record has no others. */
function inKeyOrder<T extends object>(record: T, keys: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (Object.hasOwn(record, k)) out[k] = (record as Record<string, unknown>)[k];
  return out as T;
}

/** The same decision turned into `error`: no winner, no action (fail closed). */
function failClosed(d: Decision, failure: Failure): Decision {
  const { journey: _j, action: _a, basis: _b, deferred_until: _d, explanation: _e, stale: _s, ...rest } = d;
  return { ...rest, outcome: "error", error: failure };
}
