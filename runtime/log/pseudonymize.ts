// From a decision and what it was made from to the entry the log stores: the minimal bundle's
// values, the subject and every trace value derived from a PII field replaced by a keyed
// HMAC-SHA256 (`hmac:<16 hex>`), per the catalog's `pii` tags. The same value under the same key
// always gives the same pseudonym, so an auditor holding the key can still find a person's
// decisions; without it the log names nobody. Rules in docs/decision-log.md.
import { createHash, type Hash } from "node:crypto";
import type { JourneyMeta } from "../../core/artifact.ts";
import type { Catalog, PiiClass } from "../../core/catalog/types.ts";
import { formatDate, formatDateTime } from "../../core/literals.ts";
import { canonicalJson, type Json } from "../../core/canonical-json.ts";
import { splitPath } from "../context.ts";
import type { Evaluation, TraceEvent } from "../decision.ts";
import type { DecisionLogEntry } from "../sink.ts";
import type { LoggedConsent, LoggedHistory, LoggedObjection, LoggedRequest, UnchainedEntry } from "./format.ts";

/** A field path's `pii` class, or undefined when the catalog does not know the path. */
export type PiiLookup = (path: string) => PiiClass | undefined;

/** The lookup of a loaded catalog. */
export function piiLookupOf(catalog: Catalog): PiiLookup {
  return (path) => {
    const [entity, field] = splitPath(path);
    return catalog.entities.get(entity)?.fields.get(field)?.pii;
  };
}

/**
 * HMAC-SHA256 (RFC 2104) from two hash states primed with the padded key once: each MAC then
 * costs two hash copies instead of a key import, which dominated the cost of an append.
 */
export class PrimedHmac {
  private readonly inner: Hash;
  private readonly outer: Hash;

  constructor(key: Uint8Array) {
    const block = Buffer.alloc(64);
    Buffer.from(key.length > 64 ? createHash("sha256").update(key).digest() : key).copy(block);
    this.inner = createHash("sha256").update(block.map((b) => b ^ 0x36));
    this.outer = createHash("sha256").update(block.map((b) => b ^ 0x5c));
  }

  digest(data: string | Uint8Array): Buffer {
    return this.outer.copy().update(this.inner.copy().update(data).digest()).digest();
  }
}

/** Keyed pseudonyms: `hmac:` + the first 16 hex digits of HMAC-SHA256(key, value). */
export class Pseudonymizer {
  private readonly hmac: PrimedHmac;

  constructor(key: Uint8Array) {
    this.hmac = new PrimedHmac(key);
  }

  /** Strings are hashed as UTF-8 text, anything else as its canonical JSON. */
  of(value: unknown): string {
    const text = typeof value === "string" ? value : canonicalJson(value);
    return "hmac:" + this.hmac.digest(text).toString("hex", 0, 8);
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

/** The ways a value may appear inside a rendered `reason` sentence. */
function renderings(value: unknown, type: string | undefined): string[] {
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
 * `storeMeta` says which of it the entry must carry (the rest is in earlier entries).
 */
export function toEntry(
  record: DecisionLogEntry,
  journeys: ReadonlyMap<string, JourneyMeta>,
  pseudo: Pseudonymizer,
  keyId: string,
  pii: PiiLookup,
  storeMeta: (journey: string) => boolean = () => true,
): UnchainedEntry {
  const { decision } = record;
  const request = record.request;
  const metas = decision.evaluations.map((e) => journeys.get(e.journey)).filter((m): m is JourneyMeta => m !== undefined);
  const entityPaths = new Set([...decision.fields, ...metas.flatMap((m) => m.fields)]);
  // An entity field the catalog does not know is treated as PII: hidden rather than leaked.
  const fieldPii = (path: string): boolean => entityPaths.has(path) && isPii(pii(path));

  const context: Record<string, Json> = {};
  const secrets: string[] = [];
  for (const path of [...entityPaths].sort()) {
    const [entity, field] = splitPath(path);
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
    const tainted = piiNodes(meta, fieldPii);
    const types = new Map(meta.nodes.map((n) => [n.id, n.type]));
    const fromReason = new Set(reasonNodes(meta));
    const trace: TraceEvent[] = ev.trace.map(([id, value]) => {
      if (!tainted.has(id) || value === null || value === undefined || typeof value === "boolean") return [id, value];
      if (fromReason.has(id)) secrets.push(...renderings(value, types.get(id)));
      return [id, pseudo.of(value)];
    });
    return { ...ev, trace };
  });

  let explanation = decision.explanation;
  if (explanation !== undefined) {
    for (const s of [...new Set(secrets)].filter((s) => s.length >= 2).sort((a, b) => b.length - a.length)) {
      explanation = explanation.split(s).join(pseudo.of(s));
    }
  }

  const subject = (s: string | undefined) => (s === undefined ? {} : { subject: pseudo.of(s) });
  // A consent record's id is the platform's and may embed the person's id: pseudonymized too.
  const consents: LoggedConsent[] = request.consents.map((c) => {
    const picked = pick(c);
    return { ...picked, ...(picked.id === undefined ? {} : { id: pseudo.of(picked.id) }), ...subject(c.subject) };
  });
  const objections: LoggedObjection[] = request.objections.map((o) => ({ scope: o.scope, at: o.at, ...subject(o.subject) }));
  const history: LoggedHistory[] = request.history.map((h) => ({
    journey: h.journey,
    at: h.at,
    ...(h.channel === undefined ? {} : { channel: h.channel }),
    ...(h.purpose === undefined ? {} : { purpose: h.purpose }),
    ...subject(h.subject),
  }));

  const stored = metas.filter((m) => storeMeta(m.id));
  const event = request.event;
  const loggedRequest: LoggedRequest = {
    // Event ids often embed a customer id: pseudonymized like the subject (the same id always
    // gives the same pseudonym, so duplicates still show as duplicates).
    event: {
      type: event.type,
      id: pseudo.of(event.id),
      ...(event.at === undefined ? {} : { at: event.at }),
      ...(event.timer === undefined ? {} : { timer: event.timer }),
    },
    subject: pseudo.of(request.subject),
    now: request.now,
    region: request.region,
  };
  return {
    ...decision,
    evaluations,
    ...(explanation === undefined ? {} : { explanation }),
    key_id: keyId,
    policies: record.policies,
    request: loggedRequest,
    context,
    consents,
    objections,
    history,
    ...(stored.length > 0 ? { meta: Object.fromEntries(stored.map((m) => [m.id, m])) } : {}),
  };
}

/** The members of a consent record that Kairos reads (platforms send more). */
function pick(c: LoggedConsent): LoggedConsent {
  const out: Record<string, unknown> = { purpose: c.purpose, status: c.status, at: c.at };
  for (const k of ["channel", "expires_at", "source", "notice_version", "id"] as const) if (c[k] !== undefined) out[k] = c[k];
  return out as unknown as LoggedConsent;
}
