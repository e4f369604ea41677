// From a decision and what it was made from to the entry the log stores: the minimal bundle's
// values, the subject and every trace value derived from a PII field replaced by a keyed
// HMAC-SHA256 (`hmac:<16 hex>`), per the catalog's `pii` tags. The same value under the same key
// always gives the same pseudonym, so an auditor holding the key can still find a person's
// decisions; without it the log names nobody. Rules in docs/decision-log.md.
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Catalog, PiiClass } from "../../core/catalog/types.ts";
import { formatDate, formatDateTime } from "../../core/literals.ts";
import { canonicalJson, type Json } from "../../core/canonical-json.ts";
import { splitPath } from "../context.ts";
import type { Evaluation, TraceEvent } from "../decision.ts";
import type { DecisionLogEntry } from "../sink.ts";
import type { LoggedConsent, LoggedHistory, LoggedObjection, LoggedRequest, UnchainedEntry } from "./format.ts";
import { PrimedHmac } from "./hmac.ts";

export { PrimedHmac } from "./hmac.ts";

/** A field path's `pii` class, or undefined when the catalog does not know the path. */
export type PiiLookup = (path: string) => PiiClass | undefined;

/** The lookup of a loaded catalog. */
export function piiLookupOf(catalog: Catalog): PiiLookup {
  return (path) => {
    const [entity, field] = splitPath(path);
    return catalog.entities.get(entity)?.fields.get(field)?.pii;
  };
}

/** How many pseudonyms a Pseudonymizer remembers before it starts over (a bound on memory, not on correctness). */
const REMEMBERED = 8192;

/**
 * Keyed pseudonyms: `hmac:` + the first 16 hex digits of HMAC-SHA256(key, value). The same
 * value recurs within an entry (the subject of every consent record and history entry) and
 * across a subject's entries, so recent answers are remembered (bounded; a pure function of the
 * key and the value, so remembering never changes one).
 */
export class Pseudonymizer {
  private readonly hmac: PrimedHmac;
  private readonly known = new Map<string, string>();

  constructor(key: Uint8Array) {
    this.hmac = new PrimedHmac(key);
  }

  /** Strings are hashed as UTF-8 text, anything else as its canonical JSON. */
  of(value: unknown): string {
    const text = typeof value === "string" ? value : canonicalJson(value);
    let out = this.known.get(text);
    if (out === undefined) {
      out = "hmac:" + this.hmac.digest(text).toString("hex", 0, 8);
      if (this.known.size >= REMEMBERED) this.known.clear();
      this.known.set(text, out);
    }
    return out;
  }
}

const isPii = (c: PiiClass | undefined): boolean => c !== "none";

/**
 * Trace nodes whose value may carry personal data: a path to a PII field, anything computed
 * from one, and everything inside a quantifier over a PII list (its variable is an element).
 */
export function piiNodes(meta: JourneyMeta, fieldPii: (path: string) => boolean): Set<number> {
  const byId = new Map(meta.nodes.map((n) => [n.id, n]));
  const tainted = new Set<number>();
  // A named condition's body is one node shared by its uses: remember each (node, inherited)
  // answer, or a chain of conditions using conditions is walked 2^n times.
  const known = [new Map<number, boolean>(), new Map<number, boolean>()] as const;
  const visit = (id: number, inherited: boolean): boolean => {
    const memo = known[inherited ? 1 : 0];
    const done = memo.get(id);
    if (done !== undefined) return done;
    const t = taint(id, inherited);
    memo.set(id, t);
    return t;
  };
  const taint = (id: number, inherited: boolean): boolean => {
    const node = byId.get(id);
    if (!node) return inherited;
    let t = inherited || (node.kind === "path" && fieldPii(node.text));
    if (node.kind === "quantifier") {
      const [list, ...body] = node.children;
      const listT = list !== undefined && visit(list, inherited);
      for (const b of body) t = visit(b, inherited || listT) || t;
      t = t || listT;
    } else {
      for (const c of node.children) t = visit(c, inherited) || t;
    }
    if (t) tainted.add(id);
    return t;
  };
  const children = new Set(meta.nodes.flatMap((n) => n.children));
  for (const n of meta.nodes) if (!children.has(n.id)) visit(n.id, false);
  return tainted;
}

/** Nodes of `reason` interpolations: those not reachable from the `when` root. */
function reasonNodes(meta: JourneyMeta): number[] {
  const byId = new Map(meta.nodes.map((n) => [n.id, n]));
  const seen = new Set<number>();
  const stack = [meta.whenRoot];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.children ?? []));
  }
  return meta.nodes.filter((n) => !seen.has(n.id)).map((n) => n.id);
}

/** What the log needs of a journey's trace nodes to pseudonymize its trace values. */
interface TraceTables {
  /** Nodes whose values may carry personal data. */
  readonly tainted: ReadonlySet<number>;
  /** Each node's type (for how a `reason` renders its value). */
  readonly types: ReadonlyMap<number, string | undefined>;
  /** Nodes of `reason` interpolations. */
  readonly fromReason: ReadonlySet<number>;
}

/**
 * The trace tables of each journey, computed once instead of for every entry (issue 13: they
 * were a tenth of an append). Which nodes are tainted depends on the journey's nodes and on
 * which of its path nodes read a PII field *in this decision* (a path counts only when the
 * decision or one of its evaluated journeys reads it), so the tables are kept per journey and
 * per answer of `fieldPii` for its path nodes — exactly the inputs of piiNodes.
 */
export class TraceTableCache {
  private readonly byJourney = new WeakMap<JourneyMeta, { paths: readonly string[]; byMask: Map<string, TraceTables> }>();

  /** The tables of `meta` under `fieldPii`; the same answer as computing them afresh. */
  tables(meta: JourneyMeta, fieldPii: (path: string) => boolean): TraceTables {
    let known = this.byJourney.get(meta);
    if (known === undefined) {
      const paths = [...new Set(meta.nodes.filter((n) => n.kind === "path").map((n) => n.text))];
      known = { paths, byMask: new Map() };
      this.byJourney.set(meta, known);
    }
    let mask = "";
    for (const p of known.paths) mask += fieldPii(p) ? "1" : "0";
    let t = known.byMask.get(mask);
    if (t === undefined) {
      t = traceTables(meta, fieldPii);
      known.byMask.set(mask, t);
    }
    return t;
  }

  private readonly plans = new Map<string, PathPlan>();

  /**
   * The entity paths of a decision with `fields` over the journeys `metas`, sorted and split
   * (a decision's fields recur with its event type and context: computed once per combination;
   * a hit is checked item by item, so it is always the plan computed afresh).
   */
  paths(fields: readonly string[], metas: readonly JourneyMeta[]): PathPlan {
    let key = fields.join("\u0000");
    for (const m of metas) key += `\u0001${m.id}`;
    const known = this.plans.get(key);
    if (known !== undefined && sameItems(known.fields, fields) && sameItems(known.metas, metas)) return known;
    const plan = pathPlan([...fields], [...metas]);
    if (this.plans.size >= PLANS) this.plans.clear();
    this.plans.set(key, plan);
    return plan;
  }
}

/** An evaluation's members (decision.ts), in code-unit order. */
const EVALUATION_KEYS: ReadonlySet<string> = new Set(["basis", "journey", "matched", "outcome", "priority", "purpose", "reasons", "trace"]);

/**
 * The entry's copy of an evaluation with `trace`, its members in code-unit order (the order
 * canonical JSON writes them, so serializing it copies nothing); the same members as
 * `{ ...ev, trace }`. An evaluation with members the type does not list is copied as that.
 */
export function inCanonicalOrder(ev: Evaluation, trace: readonly TraceEvent[]): Evaluation {
  const record = ev as unknown as Record<string, unknown>;
  const present = new Set<string>();
  for (const k of Object.keys(record)) {
    if (!EVALUATION_KEYS.has(k)) return { ...ev, trace };
    present.add(k);
  }
  const out: Record<string, unknown> = {};
  for (const k of EVALUATION_KEYS) {
    if (k === "trace") out[k] = trace;
    else if (present.has(k)) out[k] = record[k];
  }
  return out as unknown as Evaluation;
}

/** How many path plans a TraceTableCache keeps before it starts over (a bound on memory, not on correctness). */
const PLANS = 4096;

/** The entity paths an entry's context holds: the decision's fields and its journeys' fields. */
export interface PathPlan {
  readonly fields: readonly string[];
  readonly metas: readonly JourneyMeta[];
  /** Every path, for membership. */
  readonly set: ReadonlySet<string>;
  /** Every path in code-unit order, with its entity and field. */
  readonly sorted: readonly (readonly [path: string, entity: string, field: string])[];
}

/** The plan computed afresh (what TraceTableCache.paths remembers). */
export function pathPlan(fields: readonly string[], metas: readonly JourneyMeta[]): PathPlan {
  const set = new Set([...fields, ...metas.flatMap((m) => m.fields)]);
  const sorted = [...set].sort().map((path) => [path, ...splitPath(path)] as const);
  return { fields, metas, set, sorted };
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function traceTables(meta: JourneyMeta, fieldPii: (path: string) => boolean): TraceTables {
  return { tainted: piiNodes(meta, fieldPii), types: new Map(meta.nodes.map((n) => [n.id, n.type])), fromReason: new Set(reasonNodes(meta)) };
}

/** The ways a value may appear inside a rendered `reason` sentence (what the explanation's pseudonyms replaced). */
export function renderings(value: unknown, type: string | undefined): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "number") return value === null || value === undefined || typeof value === "boolean" ? [] : [canonicalJson(value)];
  const out = [String(value)];
  if (type === "date") out.push(formatDate(value));
  if (type === "datetime") out.push(formatDateTime(value), new Date(value).toISOString());
  return out;
}

/**
 * Builds the entry for a decision: everything but the chain (seq, at, prev, hash). `journeys`
 * holds the metadata of the artifact the decision was made with (for node texts and taint);
 * `storeMeta` says which of it the entry must carry (the rest is in earlier entries), and
 * `withPolicies` whether it carries the artifact's policies (false: an earlier entry did).
 */
export function toEntry(
  record: DecisionLogEntry,
  journeys: ReadonlyMap<string, JourneyMeta>,
  pseudo: Pseudonymizer,
  keyId: string,
  pii: PiiLookup,
  storeMeta: (journey: string) => boolean = () => true,
  tables?: TraceTableCache,
  withPolicies = true,
): UnchainedEntry {
  const { decision } = record;
  const request = record.request;
  const metas = decision.evaluations.map((e) => journeys.get(e.journey)).filter((m): m is JourneyMeta => m !== undefined);
  const { set: entityPaths, sorted: sortedPaths } = tables ? tables.paths(decision.fields, metas) : pathPlan(decision.fields, metas);
  // An entity field the catalog does not know is treated as PII: hidden rather than leaked.
  const fieldPii = (path: string): boolean => entityPaths.has(path) && isPii(pii(path));

  const context: Record<string, Json> = {};
  const secrets: string[] = [];
  for (const [path, entity, field] of sortedPaths) {
    const value = request.context[entity]?.[field];
    if (value === undefined) continue;
    if (fieldPii(path)) {
      context[path] = pseudo.of(value);
      secrets.push(...renderings(value, undefined));
    } else {
      context[path] = value as Json;
    }
  }
  const payload = request.event.payload ?? {};
  for (const name of Object.keys(payload).sort()) {
    if (payload[name] !== undefined) context[`event.${name}`] = payload[name] as Json;
  }

  const evaluations: Evaluation[] = decision.evaluations.map((ev) => {
    const meta = journeys.get(ev.journey);
    if (!meta) return ev;
    const { tainted, types, fromReason } = tables ? tables.tables(meta, fieldPii) : traceTables(meta, fieldPii);
    const trace: TraceEvent[] = ev.trace.map((event) => {
      const [id, value] = event;
      // An event left as it is is the engine's own pair (no copy to make, none to serialize).
      if (!tainted.has(id) || value === null || value === undefined || typeof value === "boolean") return event.length === 2 ? event : [id, value];
      if (fromReason.has(id)) secrets.push(...renderings(value, types.get(id)));
      return [id, pseudo.of(value)];
    });
    return inCanonicalOrder(ev, trace);
  });

  let explanation = decision.explanation;
  if (explanation !== undefined) {
    for (const s of [...new Set(secrets)].filter((s) => s.length >= 2).sort((a, b) => b.length - a.length)) {
      explanation = explanation.split(s).join(pseudo.of(s));
    }
  }

  // Records are built with their members in canonical (code-unit) order, so that serializing
  // them needs no re-ordered copy; undefined members are left out as canonical JSON leaves them.
  // A consent record's id is the platform's and may embed the person's id: pseudonymized too.
  const consents = request.consents.map((record) => {
    const c = record as LoggedConsent;
    const out: Record<string, unknown> = { at: c.at };
    if (c.channel !== undefined) out["channel"] = c.channel;
    if (c.expires_at !== undefined) out["expires_at"] = c.expires_at;
    if (c.id !== undefined) out["id"] = pseudo.of(c.id);
    if (c.notice_version !== undefined) out["notice_version"] = c.notice_version;
    out["purpose"] = c.purpose;
    if (c.source !== undefined) out["source"] = c.source;
    out["status"] = c.status;
    if (c.subject !== undefined) out["subject"] = pseudo.of(c.subject);
    return out as unknown as LoggedConsent;
  });
  const objections: LoggedObjection[] = request.objections.map((o) =>
    o.subject === undefined ? { at: o.at, scope: o.scope } : { at: o.at, scope: o.scope, subject: pseudo.of(o.subject) },
  );
  const history = request.history.map((h) => {
    const out: Record<string, unknown> = { at: h.at };
    if (h.channel !== undefined) out["channel"] = h.channel;
    out["journey"] = h.journey;
    if (h.purpose !== undefined) out["purpose"] = h.purpose;
    if (h.subject !== undefined) out["subject"] = pseudo.of(h.subject);
    return out as unknown as LoggedHistory;
  });

  const stored = metas.filter((m) => storeMeta(m.id));
  const event = request.event;
  const loggedRequest: LoggedRequest = {
    // Event ids often embed a customer id: pseudonymized like the subject (the same id always
    // gives the same pseudonym, so duplicates still show as duplicates).
    event: {
      ...(event.at === undefined ? {} : { at: event.at }),
      id: pseudo.of(event.id),
      ...(event.timer === undefined ? {} : { timer: event.timer }),
      type: event.type,
    },
    now: request.now,
    region: request.region,
    subject: pseudo.of(request.subject),
  };
  return {
    ...decision,
    evaluations,
    ...(explanation === undefined ? {} : { explanation }),
    key_id: keyId,
    ...(withPolicies ? { policies: record.policies } : {}),
    request: loggedRequest,
    context,
    consents,
    objections,
    history,
    ...(stored.length > 0 ? { meta: Object.fromEntries(stored.map((m) => [m.id, m])) } : {}),
  };
}
