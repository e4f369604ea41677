// The decision contract of spec §4, step by step, for one valid request: candidates by trigger,
// residency + consent before any fetch, the minimal bundle, traced predicates, guardrails in
// their fixed order, the allow-listed action. Every failure is recorded, never thrown: the
// engine turns failures into `error` with no action (fail closed). The policy evaluation and
// the provider each run under a deadline (runtime/deadline.ts). Predicates receive records
// without a prototype (runtime/own.ts), so no catalog name can read `Object.prototype`.
// Caps count the subject's history: a journey's own `cap` and the catalog's channel caps,
// whose channel and purpose of an entry come from the entry or else from the journey's meta.
import type { CompiledJourney, ContextValue, JourneyMeta, PredicateContext } from "../core/artifact.ts";
import { capCovers, channelCaps } from "../core/catalog/caps.ts";
import type { Catalog, ChannelCapDef } from "../core/catalog/types.ts";
import { isPredicateError } from "../core/predicate-error.ts";
import { formatDateTime, parseDateTimeLiteral } from "../core/literals.ts";
import { normalizeContext, normalizePayload, type ContextProvider, type EntityRecords, type FieldProblem, type NormalizedContext } from "./context.ts";
import { DeadlineExceeded, DEFAULT_DEADLINES, underDeadline, type Deadlines } from "./deadline.ts";
import { checkFields } from "./freshness.ts";
import type { Action, Outcome, Reason, TraceEvent } from "./decision.ts";
import { arbitrate, checkCap, checkChannelCap, checkGlobalControl, checkHoldout, checkQuiet, type PastAction } from "./guardrails.ts";
import { kept, mapped } from "../core/arrays.ts";
import { DEFAULT_LIMITS, type RequestLimits } from "./limits.ts";
import { clock, report, type StageObserver } from "./observe.ts";
import { dict, own, type Dict } from "./own.ts";
import { screen, type PolicyEvaluator, type Screening } from "./policy.ts";
import type { ParsedRequest } from "./request.ts";
import { thrownMessage } from "./thrown.ts";

/** A candidate journey as the contract moves it through the steps. */
export interface CandidateState {
  readonly journey: CompiledJourney;
  readonly meta: JourneyMeta;
  outcome?: Outcome;
  basis?: string;
  reasons: Reason[];
  trace: TraceEvent[];
  matched?: boolean;
}

/** Something that failed; the decision is `error` and names it. */
export interface Failure {
  readonly code: string;
  readonly message: string;
}

/** What the contract found, before ids and hashes are attached. */
export interface ContractResult {
  readonly candidates: readonly CandidateState[];
  readonly failures: readonly Failure[];
  /** The minimal bundle requested from the provider, sorted (empty when nothing was fetched). */
  readonly fields: readonly string[];
  readonly winner?: CandidateState;
  readonly action?: Action;
  readonly deferredUntil?: string;
  readonly explanation?: string;
  /** The provider's answer and the payload, cut to what was read (for the log and the id). */
  readonly context: NormalizedContext["minimized"];
  readonly payload: Readonly<Record<string, unknown>>;
  /** The as-of times the freshness check used, by path (runtime/freshness.ts); absent when none. */
  readonly asOf?: Readonly<Record<string, string>>;
  /**
   * Set when out-of-date data stopped the decision (outcome `stale`, nobody acts): each
   * `stale_event` / `stale_field` reason once (runtime/freshness.ts).
   */
  readonly stale?: readonly Reason[];
}

export interface ContractDeps {
  readonly catalog: Catalog;
  /** Null when the artifact has no policy bundle: every candidate fails closed. */
  readonly policy: PolicyEvaluator | null;
  readonly provider: ContextProvider;
  /** How long the policy evaluation and the provider may take (default 2 s each). */
  readonly deadlines?: Deadlines;
  /** Bounds on the provider's values (default DEFAULT_LIMITS). */
  readonly limits?: RequestLimits;
  /** Every journey of the artifact by id: where a history entry's channel and purpose come from when it has none. */
  readonly journeys?: ReadonlyMap<string, JourneyMeta>;
  /** Told how long the policy, fetch, predicates and guardrails stages took. */
  readonly observe?: StageObserver;
  /** Journeys stopped by their stop-loss → the reason recorded: such candidates are `suppressed` before screening. */
  readonly stopped?: ReadonlyMap<string, Reason>;
}

const thrown = thrownMessage;

function fail(c: CandidateState, code: string, message: string, failures: Failure[], detail: Record<string, unknown> = {}): void {
  c.outcome = "error";
  c.reasons.push({ code, message, ...detail });
  failures.push({ code, message: `${c.meta.id}: ${message}` });
}

function sortedUnion(lists: readonly (readonly string[])[]): string[] {
  // Journeys' lists, many of them the same few: each distinct list is read once.
  const all = new Set<string>();
  for (const list of new Set(lists)) for (const item of list) all.add(item);
  return [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The root `entity.field` (or `event.name`) of a problem's field path. */
function rootField(path: string): string {
  return path.replace(/\[.*$/, "").split(".").slice(0, 2).join(".");
}

// A journey's fields as a frozen copy, once per journey: the policy engine keys its residency
// memo by the list, and a frozen list is one it can trust not to change.
const frozen = new WeakMap<JourneyMeta, { fields: readonly string[]; copy: readonly string[] }>();

function frozenFields(meta: JourneyMeta): readonly string[] {
  const known = frozen.get(meta);
  if (known && known.fields === meta.fields && known.copy.length === meta.fields.length) return known.copy;
  const copy = Object.freeze([...meta.fields]);
  frozen.set(meta, { fields: meta.fields, copy });
  return copy;
}

// A journey's bundle (its fields and event fields) as text, once per journey's meta.
const bundleKeys = new WeakMap<JourneyMeta, { fields: readonly string[]; eventFields: readonly string[]; key: string }>();

function bundleKey(meta: JourneyMeta): string {
  const known = bundleKeys.get(meta);
  if (known && known.fields === meta.fields && known.eventFields === meta.eventFields) return known.key;
  const key = JSON.stringify([meta.fields, meta.eventFields]);
  bundleKeys.set(meta, { fields: meta.fields, eventFields: meta.eventFields, key });
  return key;
}

// `entity.field` paths split once per journey's list (the artifact's lists never change).
const splits = new WeakMap<readonly string[], readonly (readonly [string, string])[]>();

function splitFields(fields: readonly string[]): readonly (readonly [string, string])[] {
  let split = splits.get(fields);
  if (split === undefined || split.length !== fields.length) {
    split = fields.map((path) => {
      const dot = path.indexOf(".");
      return [path.slice(0, dot), path.slice(dot + 1)] as const;
    });
    splits.set(fields, split);
  }
  return split;
}

/**
 * Builds a candidate's predicate context: only its own bundle, as runtime values. The context,
 * its entity records and its event record have no prototype: generated code reads
 * `c.customer.constructor`, and that must be the field (or nothing), never Object's.
 */
function predicateContext(
  meta: JourneyMeta,
  nowMs: number,
  data: NormalizedContext["values"],
  event: Readonly<Record<string, ContextValue>>,
  binds: readonly string[],
): PredicateContext {
  const ctx = dict<unknown>();
  for (const entity of binds) ctx[entity] = dict<ContextValue>();
  for (const [entity, field] of splitFields(meta.fields)) {
    const value = own(own(data, entity), field) as ContextValue;
    const record = (Object.hasOwn(ctx, entity) ? ctx[entity] : (ctx[entity] = dict<ContextValue>())) as Dict<ContextValue>;
    if (value !== undefined) record[field] = value;
  }
  const ev = dict<ContextValue>();
  for (const name of meta.eventFields) {
    const value = own(event, name) as ContextValue;
    if (value !== undefined) ev[name] = value;
  }
  // `now` and `event` are the language's own names, set last so no entity can shadow them.
  ctx["now"] = nowMs;
  ctx["event"] = ev;
  return ctx as PredicateContext;
}

/**
 * A candidate as runContract moves it, with its journey's bundle key and frozen field list
 * (found once per candidate list by newCandidates, not looked up again at every step).
 */
interface Candidate extends CandidateState {
  readonly bundle: string;
  readonly fields: readonly string[];
}

/** A journey's bundle key and frozen fields, with the meta lists they were worked out from. */
interface JourneyPrep {
  readonly meta: JourneyMeta;
  readonly source: readonly string[];
  readonly eventFields: readonly string[];
  readonly bundle: string;
  readonly fields: readonly string[];
}

// By candidate list: the trigger index hands out the same list for every request of an event,
// so each journey's bundle key and frozen fields are found once per list; an entry is used only
// while its journey's meta and lists are still the ones it was worked out from.
const preps = new WeakMap<readonly CompiledJourney[], JourneyPrep[]>();

function journeyPrep(j: CompiledJourney, known: JourneyPrep | undefined): JourneyPrep {
  const meta = j.meta;
  if (known && known.meta === meta && known.source === meta.fields && known.eventFields === meta.eventFields && known.fields.length === meta.fields.length) {
    return known;
  }
  return { meta, source: meta.fields, eventFields: meta.eventFields, bundle: bundleKey(meta), fields: frozenFields(meta) };
}

function newCandidates(journeys: readonly CompiledJourney[]): Candidate[] {
  let list = preps.get(journeys);
  if (list === undefined || list.length !== journeys.length) preps.set(journeys, (list = new Array<JourneyPrep>(journeys.length)));
  const out: Candidate[] = [];
  for (let i = 0; i < journeys.length; i++) {
    const j = journeys[i]!;
    const p = (list[i] = journeyPrep(j, list[i]));
    out.push({ journey: j, meta: j.meta, reasons: [], trace: [], bundle: p.bundle, fields: p.fields });
  }
  return out;
}

function tracer(trace: TraceEvent[]): (id: number, value: unknown) => unknown {
  return (id, value) => {
    trace.push([id, value]);
    return value;
  };
}

/**
 * Marks the candidates whose journey is stopped `suppressed`, each with its stop reason (the very
 * object given: the service's, or the one a replayed entry recorded); returns the others.
 */
function suppressStopped<C extends CandidateState>(candidates: C[], stopped: ReadonlyMap<string, Reason>): C[] {
  const left: C[] = [];
  for (const c of candidates) {
    const reason = stopped.get(c.meta.id);
    if (reason === undefined) {
      left.push(c);
      continue;
    }
    c.outcome = "suppressed";
    c.reasons.push(reason);
  }
  return left;
}

/** Step 5 for the matched candidates; returns the winner and, if deferred, until when. */
function applyGuardrails(
  catalog: Catalog,
  matched: CandidateState[],
  parsed: ParsedRequest,
  history: readonly PastAction[],
  zoneOf: (c: CandidateState) => unknown,
  failures: Failure[],
): { winner?: CandidateState; deferredUntil?: string } {
  const eligible: CandidateState[] = [];
  for (const c of matched) {
    const cap = c.meta.cap;
    const check = cap ? checkCap(cap, c.meta.id, history, parsed.nowMs) : undefined;
    if (check?.capped) {
      c.outcome = "capped";
      c.reasons.push({
        code: "cap_reached",
        message: `${check.count} acted decision(s) in the last ${check.window}; the cap is ${check.limit} per ${check.window}`,
        count: check.count,
        limit: check.limit,
        window: check.window,
      });
      continue;
    }
    const channel = channelCapReached(catalog, c.meta, history, parsed.nowMs);
    if (channel) {
      c.outcome = "capped";
      c.reasons.push({
        code: "channel_cap_reached",
        message:
          `channel cap \`${channel.cap}\`: ${channel.count} action(s) on channel \`${channel.channel}\` in the last ${channel.window}; ` +
          `the cap is ${channel.limit} per ${channel.window}`,
        cap: channel.cap,
        channel: channel.channel,
        count: channel.count,
        limit: channel.limit,
        window: channel.window,
      });
      continue;
    }
    eligible.push(c);
  }
  const { winner, losers } = arbitrate(mapped(eligible, (c) => ({ id: c.meta.id, priority: c.meta.priority, c })));
  for (const l of losers) {
    l.c.outcome = "suppressed";
    l.c.reasons.push({
      code: "lost_arbitration",
      message: `\`${winner!.id}\` (priority ${winner!.priority}) won over priority ${l.priority}`,
      winner: winner!.id,
    });
  }
  if (!winner) return {};
  const w = winner.c;
  const { holdout, quiet } = w.meta;
  // The catalog's global control group: no journey acts for its subjects (docs/runtime.md#global-control-group).
  const group = catalog.value?.controlGroup;
  if (group) {
    const g = checkGlobalControl(group, parsed.request.subject);
    if (g.heldOut) {
      w.outcome = "held_out";
      w.reasons.push({
        code: "global_control",
        message: `bucket ${g.bucket} is below ${g.threshold}: the subject is in the global control group (${group.percent}%)`,
        bucket: g.bucket,
        threshold: g.threshold,
      });
      return { winner: w };
    }
  }
  if (holdout) {
    const h = checkHoldout(holdout, w.meta.id, parsed.request.subject);
    if (h.heldOut) {
      w.outcome = "held_out";
      w.reasons.push({
        code: "held_out",
        message: `bucket ${h.bucket} is below ${h.threshold} (holdout ${holdout.percent}%)`,
        bucket: h.bucket,
        threshold: h.threshold,
      });
      return { winner: w };
    }
  }
  if (quiet) {
    const q = checkQuiet(quiet, zoneOf(w), parsed.nowMs);
    if (!q.ok) {
      fail(w, "timezone_invalid", q.problem, failures);
      return { winner: w };
    }
    if (q.quiet) {
      const until = formatDateTime(q.untilMs);
      w.outcome = "deferred";
      w.reasons.push({
        code: "quiet_hours",
        message: `local time ${q.localTime} is within quiet hours ${quiet.from}..${quiet.to}; deferred until ${until}`,
        local_time: q.localTime,
        until,
      });
      return { winner: w, deferredUntil: until };
    }
  }
  if (w.meta.review) {
    w.outcome = "pending_review";
    w.reasons.push({ code: "review_required", message: "the action waits for a human review" });
    return { winner: w };
  }
  w.outcome = "acted";
  return { winner: w };
}

/** The first (by name) of the catalog's channel caps covering the candidate's action that is reached. */
function channelCapReached(catalog: Catalog, meta: JourneyMeta, history: readonly PastAction[], nowMs: number) {
  for (const cap of channelCaps(catalog)) {
    if (!capCovers(cap, meta.action.channel, meta.purpose, catalog)) continue;
    const check = checkChannelCap(cap, catalog, history, nowMs);
    if (check.capped) return check;
  }
  return undefined;
}

/** Step 6: the winner's action, checked against the catalog and its purpose's channels. */
function allowListedAction(catalog: Catalog, meta: JourneyMeta): Action | string {
  const def = catalog.actions.get(meta.action.name);
  const purpose = catalog.purposes.get(meta.purpose);
  if (!def) return `action \`${meta.action.name}\` is not in the catalog`;
  if (def.channel !== meta.action.channel) return `action \`${def.name}\` uses channel \`${def.channel}\`, not \`${meta.action.channel}\``;
  if (!purpose?.channels.includes(def.channel)) return `channel \`${def.channel}\` is not allowed for purpose \`${meta.purpose}\``;
  const params = dict<string | number | boolean>();
  for (const name of def.params.keys()) {
    // Own parameters only: `constructor` must be given to be present.
    if (!Object.hasOwn(meta.action.params, name)) return `action \`${def.name}\` lacks parameter \`${name}\``;
    params[name] = meta.action.params[name]!;
  }
  return { name: def.name, channel: def.channel, params };
}

/** What the contract's stages after the policy call share (runContract's state for one decision). */
interface ContractRun {
  readonly deps: ContractDeps;
  readonly parsed: ParsedRequest;
  readonly consents: ParsedConsents;
  readonly deadlines: Deadlines;
  readonly failures: Failure[];
  readonly candidates: Candidate[];
  readonly screened: Candidate[];
  readonly base: Pick<ContractResult, "candidates" | "failures" | "context" | "payload">;
}

/**
 * Runs the contract for a valid request whose candidates (in priority order) are given. The
 * result comes synchronously when the policies and the provider answer synchronously (OPA Wasm,
 * the request's own context): nothing is awaited then, so decisions in flight together do not
 * interleave stage by stage; a promise when either answers with one. Both ways it is the same
 * result, each external call under its deadline.
 */
export function runContract(
  deps: ContractDeps,
  parsed: ParsedRequest,
  journeys: readonly CompiledJourney[],
  consents: ParsedConsents,
): ContractResult | Promise<ContractResult> {
  const req = parsed.request;
  const failures: Failure[] = [];
  const candidates = newCandidates(journeys);
  const base = { candidates, failures, context: {}, payload: {} };
  if (candidates.length === 0) return { ...base, fields: [] };

  // A journey its stop-loss stopped is suppressed before anything is asked or fetched for it
  // (docs/runtime.md#stopped-journeys); the others go on without it.
  const screened = deps.stopped === undefined ? candidates : suppressStopped(candidates, deps.stopped);
  if (screened.length === 0) return { ...base, fields: [] };

  // Step 2: residency and consent, one policy call, before any fetch.
  const deadlines = deps.deadlines ?? DEFAULT_DEADLINES;
  const policy = deps.policy;
  if (!policy) {
    for (const c of screened) fail(c, "policy_unavailable", "the artifact has no consent/residency policy bundle", failures);
    return { ...base, fields: [] };
  }
  const run: ContractRun = { deps, parsed, consents, deadlines, failures, candidates, screened, base };
  const observe = deps.observe;
  const started = observe ? clock() : 0;
  let verdicts: Screening[] | Promise<Screening[]>;
  try {
    const screenInput = {
      now: req.now,
      region: req.region,
      consents: consents.consents,
      objections: consents.objections,
      ...(parsed.times ? { times: parsed.times } : {}),
    };
    const asked = mapped(screened, (c) => ({ journey: c.meta.id, purpose: c.meta.purpose, channel: c.meta.action.channel, fields: c.fields }));
    verdicts = underDeadline("policy", deadlines.policy, (signal) => screen(policy, asked, screenInput, signal), "reject");
    if (!(verdicts instanceof Promise)) applyVerdicts(screened, verdicts);
  } catch (e) {
    return policyFailed(run, e, started);
  }
  if (verdicts instanceof Promise) {
    return verdicts.then(
      (v) => {
        try {
          applyVerdicts(screened, v);
        } catch (e) {
          return policyFailed(run, e, started);
        }
        return afterPolicy(run, started);
      },
      (e: unknown) => policyFailed(run, e, started),
    );
  }
  return afterPolicy(run, started);
}

/** The policies' screenings onto the screened candidates: their reasons, and a basis or an outcome. */
function applyVerdicts(screened: readonly Candidate[], verdicts: readonly Screening[]): void {
  for (let i = 0; i < verdicts.length; i++) {
    const s = verdicts[i]!;
    const c = screened[i]!;
    for (const r of s.reasons) c.reasons.push(r);
    if (s.allowed) c.basis = s.basis;
    else c.outcome = s.outcome;
  }
}

/** The policy call failed or timed out: every screened candidate fails closed, nothing is fetched. */
function policyFailed(run: ContractRun, e: unknown, started: number): ContractResult {
  const [code, message] =
    e instanceof DeadlineExceeded
      ? ["policy_timeout", `the consent/residency policies did not answer within ${e.ms} ms (the engine's \`deadlines.policy\`)`]
      : ["policy_failed", `the consent/residency policies failed: ${thrown(e)}`];
  for (const c of run.screened) fail(c, code, message, run.failures);
  if (run.deps.observe) report(run.deps.observe, "policy", started);
  return { ...run.base, fields: [] };
}

/** Step 3 (the minimal bundle and its fetch), then the rest of the contract; synchronous when the provider is. */
function afterPolicy(run: ContractRun, policyStarted: number): ContractResult | Promise<ContractResult> {
  const { deps, candidates } = run;
  const observe = deps.observe;
  if (observe) report(observe, "policy", policyStarted);

  // Step 3: the minimal bundle of the survivors, and nothing else.
  const survivors = kept(candidates, (c) => c.outcome === undefined);
  // One journey per distinct bundle: many candidates read the same few.
  const bundles = new Map<string, JourneyMeta>();
  for (const c of survivors) if (!bundles.has(c.bundle)) bundles.set(c.bundle, c.meta);
  const fields = sortedUnion([...bundles.values()].map((m) => m.fields));
  const eventFields = sortedUnion([...bundles.values()].map((m) => m.eventFields));
  if (fields.length === 0) return afterFetch(run, survivors, fields, eventFields, {});
  const started = observe ? clock() : 0;
  let answer: EntityRecords | Promise<EntityRecords>;
  try {
    const subject = run.parsed.request.subject;
    answer = underDeadline("provider", run.deadlines.provider, (signal) => deps.provider.fetch(subject, fields, { signal }), "reject");
  } catch (e) {
    return fetchFailed(run, survivors, fields, e, started);
  }
  if (answer instanceof Promise) {
    return answer.then(
      (a) => {
        if (observe) report(observe, "fetch", started);
        return afterFetch(run, survivors, fields, eventFields, a);
      },
      (e: unknown) => fetchFailed(run, survivors, fields, e, started),
    );
  }
  if (observe) report(observe, "fetch", started);
  return afterFetch(run, survivors, fields, eventFields, answer);
}

/** The provider failed or timed out: every survivor fails closed. */
function fetchFailed(run: ContractRun, survivors: readonly Candidate[], fields: readonly string[], e: unknown, started: number): ContractResult {
  const [code, message] =
    e instanceof DeadlineExceeded
      ? ["provider_timeout", `the context provider did not answer within ${e.ms} ms (the engine's \`deadlines.provider\`)`]
      : ["provider_failed", `the context provider failed: ${thrown(e)}`];
  for (const c of survivors) fail(c, code, message, run.failures);
  if (run.deps.observe) report(run.deps.observe, "fetch", started);
  return { ...run.base, fields };
}

/** Steps 3 (normalization, freshness) to 6 over the provider's answer: synchronous. */
function afterFetch(run: ContractRun, survivors: Candidate[], fields: readonly string[], eventFields: readonly string[], answer: unknown): ContractResult {
  const { deps, parsed, consents, failures, base } = run;
  const { catalog } = deps;
  const req = parsed.request;
  const observe = deps.observe;
  let started = 0;
  const eventDef = catalog.events.get(req.event.type)!;
  const data = normalizeContext(catalog, fields, answer, deps.limits ?? DEFAULT_LIMITS);
  const event = normalizePayload(eventDef, eventFields, req.event.payload);
  const problems = new Map<string, FieldProblem[]>();
  for (const p of [...data.problems, ...event.problems]) problems.set(rootField(p.field), [...(problems.get(rootField(p.field)) ?? []), p]);
  if (problems.size > 0) {
    for (const c of survivors) {
      for (const f of [...c.meta.fields, ...c.meta.eventFields.map((n) => `event.${n}`)]) {
        for (const p of problems.get(f) ?? []) fail(c, p.code, p.message, failures);
      }
    }
  }
  // Freshness of the fetched values: a candidate reading a stale one is `stale` and is not
  // evaluated; whether the others may still act is settled after the guardrails (staleOutranks).
  const fresh = checkFields(catalog, fields, parsed, answer, data.minimized);
  if (fresh.problems.length > 0) {
    for (const c of survivors) for (const p of fresh.problems) if (c.meta.fields.includes(p.field)) fail(c, p.code, p.message, failures);
  }
  const minimized = {
    context: data.minimized,
    payload: event.minimized["event"] ?? dict(),
    ...(Object.keys(fresh.asOf).length > 0 ? { asOf: fresh.asOf } : {}),
  };
  const staleOnes: CandidateState[] = [];
  if (fresh.stale.size > 0) {
    for (const c of survivors) {
      if (c.outcome !== undefined) continue;
      for (const f of c.meta.fields) {
        const reason = fresh.stale.get(f);
        if (reason === undefined) continue;
        c.outcome = "stale";
        c.reasons.push(reason);
      }
      if (c.outcome === "stale") staleOnes.push(c);
    }
  }

  // Step 4: traced predicates of the survivors whose data is sound.
  if (observe) started = clock();
  // Candidates with the same bundle read the same context: built once per bundle (predicates
  // only read it), not once per candidate.
  const byBundle = new Map<string, PredicateContext>();
  const eventValues = event.values["event"] ?? dict();
  // One tracer for every `when`, recording into the trace of the candidate being evaluated
  // (`when` runs synchronously, one candidate at a time).
  let tracing: TraceEvent[] = [];
  const trace = (id: number, value: unknown): unknown => {
    tracing.push([id, value]);
    return value;
  };
  let last: Candidate | undefined;
  let lastCtx: PredicateContext | undefined;
  // One reason object for every candidate whose `when` is false in this decision, as candidates
  // share their screening's reasons: nothing changes a reason once it is recorded.
  let conditionFalse: Reason | undefined;
  for (const c of survivors) {
    if (c.outcome !== undefined) continue;
    let ctx = last !== undefined && last.bundle === c.bundle ? lastCtx : byBundle.get(c.bundle);
    if (ctx === undefined) {
      ctx = predicateContext(c.meta, parsed.nowMs, data.values, eventValues, eventDef.binds);
      byBundle.set(c.bundle, ctx);
    }
    last = c;
    lastCtx = ctx;
    tracing = c.trace;
    try {
      const value = c.journey.when(ctx, trace);
      if (typeof value !== "boolean") throw new Error(`\`when\` returned ${typeof value}, not a boolean`);
      c.matched = value;
      if (!value) {
        c.outcome = "no_match";
        c.reasons.push((conditionFalse ??= { code: "condition_false", message: "`when` is false" }));
      }
    } catch (e) {
      // A PredicateError (division by zero, …) names its code and the failing trace node.
      const detail = isPredicateError(e) ? { error: e.code, node: e.node } : {};
      fail(c, "predicate_failed", `\`when\` failed: ${thrown(e)}`, failures, detail);
    }
  }
  const matched = kept(survivors, (c) => c.outcome === undefined);
  if (observe) report(observe, "predicates", started);
  if (failures.length > 0) {
    for (const c of matched) {
      c.outcome = "error";
      c.reasons.push({ code: "aborted", message: "not decided: the decision failed closed" });
    }
    return { ...base, ...minimized, fields };
  }

  // Step 5: guardrails, then step 6: the action and the customer-facing reason.
  if (observe) started = clock();
  const result = decideWinner(deps, parsed, matched, consents, (c) => byBundle.get((c as Candidate).bundle), failures);
  if (observe) report(observe, "guardrails", started);
  if (staleOnes.length > 0 && failures.length === 0) {
    const above = staleOutranks(staleOnes, result.winner);
    if (above !== false) {
      const w = result.winner;
      if (w) {
        w.outcome = "stale";
        w.reasons.push({
          code: "outranked_by_stale",
          message: `not decided: \`${above.meta.id}\` (priority ${above.meta.priority}) ranks above it and its data is out of date`,
          journey: above.meta.id,
        });
      }
      return { ...base, ...minimized, fields, stale: [...fresh.stale.values()] };
    }
  }
  return { ...base, ...minimized, fields, ...result };
}

/**
 * Whether fresh data could have changed the decision: the highest-ranked stale candidate when it
 * ranks above the winner (priority, then id, as arbitration orders them) or nothing won — it
 * might have won — and false when every stale candidate ranks below the winner, which it would
 * have beaten whatever their conditions said.
 */
function staleOutranks(stale: readonly CandidateState[], winner: CandidateState | undefined): CandidateState | false {
  let top = stale[0]!;
  for (const c of stale) if (ranksAbove(c, top)) top = c;
  return winner === undefined || ranksAbove(top, winner) ? top : false;
}

function ranksAbove(a: CandidateState, b: CandidateState): boolean {
  return a.meta.priority > b.meta.priority || (a.meta.priority === b.meta.priority && a.meta.id < b.meta.id);
}

/**
 * Steps 5 and 6 for the matched candidates: the guardrails, then — when the winner acts, is
 * deferred or waits for review — its allow-listed action (the proposed one unless acted) and
 * its customer-facing reason.
 */
function decideWinner(
  deps: ContractDeps,
  parsed: ParsedRequest,
  matched: CandidateState[],
  consents: ParsedConsents,
  ctxOf: (c: CandidateState) => PredicateContext | undefined,
  failures: Failure[],
): Pick<ContractResult, "winner" | "action" | "deferredUntil" | "explanation"> {
  const { catalog } = deps;
  const history = pastActions(consents.history, deps.journeys, parsed.times);
  const { winner, deferredUntil } = applyGuardrails(catalog, matched, parsed, history, (c) => own(own(ctxOf(c), "customer"), "timezone"), failures);
  const found = { ...(winner ? { winner } : {}), ...(deferredUntil ? { deferredUntil } : {}) };
  if (winner?.outcome !== "acted" && winner?.outcome !== "deferred" && winner?.outcome !== "pending_review") return found;
  const action = allowListedAction(catalog, winner.meta);
  if (typeof action === "string") {
    fail(winner, "action_not_allowed", action, failures);
    return { winner };
  }
  let explanation: string | undefined;
  if (winner.journey.reason) {
    try {
      explanation = winner.journey.reason(ctxOf(winner)!, tracer(winner.trace));
      if (typeof explanation !== "string") throw new Error("`reason` did not return a string");
    } catch (e) {
      fail(winner, "reason_failed", `\`reason\` failed: ${thrown(e)}`, failures);
      return { winner };
    }
  }
  return { ...found, action, ...(explanation === undefined ? {} : { explanation }) };
}

/**
 * The history as the guardrails count it: times in ms, and each entry's channel and purpose —
 * its own, else its journey's action channel and purpose when the artifact has that journey.
 */
function pastActions(
  history: ParsedConsents["history"],
  journeys: ReadonlyMap<string, JourneyMeta> | undefined,
  times: ReadonlyMap<string, number> | undefined,
): PastAction[] {
  return mapped(history, (h) => {
    const meta = journeys?.get(h.journey);
    const atMs = times?.get(h.at) ?? parseDateTimeLiteral(h.at)!;
    return { journey: h.journey, atMs, channel: h.channel ?? meta?.action.channel, purpose: h.purpose ?? meta?.purpose };
  });
}

/** The subject's own consent records, objections and cap history that bear on the candidates. */
export interface ParsedConsents {
  readonly consents: ParsedRequest["request"]["consents"] & {};
  readonly objections: ParsedRequest["request"]["objections"] & {};
  readonly history: ParsedRequest["request"]["history"] & {};
}

/** What `ownRecords` needs to keep the history a channel cap counts (absent: journey caps only). */
export interface CapScope {
  readonly catalog: Catalog;
  /** Every journey of the artifact by id (a history entry without `channel`/`purpose` takes its journey's). */
  readonly journeys: ReadonlyMap<string, JourneyMeta>;
}

/**
 * Minimizes the records a decision uses (and the log keeps): those of the request's subject
 * (or without a `subject`), consents for a candidate's purpose, objections to direct marketing
 * or to a candidate's purpose, cap history of the candidates, and the history entries a channel
 * cap covering a candidate's action counts. The policies and guardrails read nothing else, so
 * deciding the minimized request again gives the same decision.
 */
export function ownRecords(parsed: ParsedRequest, journeys: readonly CompiledJourney[], scope?: CapScope): ParsedConsents {
  const req = parsed.request;
  const { ids, purposes, caps } = candidateScope(journeys, scope);
  const mine = <T extends { subject?: string | undefined }>(list: readonly T[] | undefined): T[] =>
    kept(list ?? [], (r) => r.subject === undefined || r.subject === req.subject);
  const counted = (h: { journey: string; channel?: string | undefined; purpose?: string | undefined }): boolean => {
    if (ids.has(h.journey)) return true;
    if (caps.length === 0 || !scope) return false;
    const meta = scope.journeys.get(h.journey);
    const channel = h.channel ?? meta?.action.channel;
    const purpose = h.purpose ?? meta?.purpose;
    return caps.some((cap) => capCovers(cap, channel, purpose, scope.catalog));
  };
  return {
    consents: kept(mine(req.consents), (c) => purposes.has(c.purpose)),
    objections: kept(mine(req.objections), (o) => o.scope === "direct_marketing" || purposes.has(o.scope.slice("purpose:".length))),
    history: kept(mine(req.history), counted),
  };
}

/** What a list of candidates keeps of a request: their ids, their purposes, the channel caps covering one of them. */
interface CandidateScope {
  readonly catalog: Catalog | undefined;
  readonly journeys: ReadonlyMap<string, JourneyMeta> | undefined;
  readonly ids: ReadonlySet<string>;
  readonly purposes: ReadonlySet<string>;
  readonly caps: readonly ChannelCapDef[];
}

// By candidate list: the trigger index hands out the same list for every request of an event
// (and never changes it), so this is worked out once per event, not per request.
const scopes = new WeakMap<readonly CompiledJourney[], CandidateScope>();

function candidateScope(journeys: readonly CompiledJourney[], scope: CapScope | undefined): CandidateScope {
  const known = scopes.get(journeys);
  if (known && known.catalog === scope?.catalog && known.journeys === scope?.journeys) return known;
  const caps: ChannelCapDef[] = [];
  if (scope) {
    for (const cap of channelCaps(scope.catalog)) {
      if (journeys.some((j) => capCovers(cap, j.meta.action.channel, j.meta.purpose, scope.catalog))) caps.push(cap);
    }
  }
  const made: CandidateScope = {
    catalog: scope?.catalog,
    journeys: scope?.journeys,
    ids: new Set(journeys.map((j) => j.meta.id)),
    purposes: new Set(journeys.map((j) => j.meta.purpose)),
    caps,
  };
  scopes.set(journeys, made);
  return made;
}
