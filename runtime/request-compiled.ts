// The decision request's schema (runtime/request.ts's RequestSchema) written out as code for the
// happy path: a request that is plainly valid is checked and copied here in one pass, into the
// same object zod's `safeParse` returns (the same keys, in the same order, the same values,
// unknown keys of records dropped, context and payload values passed by reference). Anything it
// does not vouch for — a problem, an object that is not plain data, a `__proto__` key, a symbol key —
// is left to zod, which decides and explains; so messages stay zod's, word for word.
// test/runtime/request-compiled.test.ts proves the two equal on generated requests.
import { parseDateTimeLiteral, parseDurationLiteral } from "../core/literals.ts";
import type { DecisionRequest } from "./request.ts";

/** A compiled parse's result: the request as zod gives it, and every datetime it parsed, in ms. */
export interface CompiledParse {
  readonly request: DecisionRequest;
  readonly times: ReadonlyMap<string, number>;
}

/** Thrown inside the walk on anything zod must look at (never escapes this module). */
const ZOD: unique symbol = Symbol("the request: zod decides");

const OBJECT_PROTO: object = Object.prototype;

/** A plain object (Object.prototype or no prototype) without symbol keys, else ZOD. */
function plain(v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw ZOD;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== OBJECT_PROTO && proto !== null) throw ZOD;
  if (Object.getOwnPropertySymbols(v).length > 0) throw ZOD;
  return v as Record<string, unknown>;
}

/** Throws ZOD when `o` has an own key outside `known` (a strict object's unknown key) or `__proto__`. */
function onlyKeys(o: Record<string, unknown>, known: ReadonlySet<string>): void {
  for (const key of Object.keys(o)) if (!known.has(key)) throw ZOD;
}

function nonEmpty(v: unknown): string {
  if (typeof v !== "string" || v.length === 0) throw ZOD;
  return v;
}

function text(v: unknown): string {
  if (typeof v !== "string") throw ZOD;
  return v;
}

/** The request's datetimes, parsed once: the engine reads them from here. */
class Times {
  readonly map = new Map<string, number>();

  datetime(v: unknown): string {
    if (typeof v !== "string") throw ZOD;
    if (this.map.has(v)) return v;
    const ms = parseDateTimeLiteral(v);
    if (ms === undefined) throw ZOD;
    this.map.set(v, ms);
    return v;
  }
}

/** A record of anything, copied (zod's `z.record(z.string(), z.unknown())`). */
function record(v: unknown): Record<string, unknown> {
  const o = plain(v);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) {
    if (key === "__proto__") throw ZOD;
    out[key] = o[key];
  }
  return out;
}

// `key in o` with an undefined value keeps the key, as zod does for an optional one.
function has(o: Record<string, unknown>, key: string): boolean {
  return key in o;
}

const REQUEST_KEYS = new Set(["event", "subject", "now", "region", "context", "context_as_of", "consents", "objections", "history"]);
const EVENT_KEYS = new Set(["type", "id", "at", "payload", "timer"]);
const STATUSES = new Set(["granted", "withdrawn", "denied"]);

function event(v: unknown, times: Times): DecisionRequest["event"] {
  const o = plain(v);
  onlyKeys(o, EVENT_KEYS);
  const out: Record<string, unknown> = { type: nonEmpty(o["type"]), id: nonEmpty(o["id"]) };
  if (has(o, "at")) out["at"] = o["at"] === undefined ? undefined : times.datetime(o["at"]);
  if (has(o, "payload")) out["payload"] = o["payload"] === undefined ? undefined : record(o["payload"]);
  if (has(o, "timer")) {
    const t = o["timer"];
    if (t !== undefined && (typeof t !== "string" || parseDurationLiteral(t) === undefined)) throw ZOD;
    out["timer"] = t;
  }
  return out as DecisionRequest["event"];
}

function optionalNonEmpty(o: Record<string, unknown>, key: string, out: Record<string, unknown>): void {
  if (has(o, key)) out[key] = o[key] === undefined ? undefined : nonEmpty(o[key]);
}

function consent(v: unknown, times: Times): unknown {
  const o = plain(v);
  const out: Record<string, unknown> = {};
  optionalNonEmpty(o, "subject", out);
  out["purpose"] = nonEmpty(o["purpose"]);
  if (has(o, "channel")) out["channel"] = o["channel"] === undefined || o["channel"] === null ? o["channel"] : nonEmpty(o["channel"]);
  const status = o["status"];
  if (typeof status !== "string" || !STATUSES.has(status)) throw ZOD;
  out["status"] = status;
  out["at"] = times.datetime(o["at"]);
  if (has(o, "expires_at")) out["expires_at"] = o["expires_at"] === undefined || o["expires_at"] === null ? o["expires_at"] : times.datetime(o["expires_at"]);
  if (has(o, "source")) out["source"] = o["source"] === undefined ? undefined : text(o["source"]);
  if (has(o, "notice_version")) out["notice_version"] = o["notice_version"] === undefined ? undefined : text(o["notice_version"]);
  return out;
}

function objection(v: unknown, times: Times): unknown {
  const o = plain(v);
  const out: Record<string, unknown> = {};
  optionalNonEmpty(o, "subject", out);
  out["scope"] = nonEmpty(o["scope"]);
  out["at"] = times.datetime(o["at"]);
  return out;
}

function historyEntry(v: unknown, times: Times): unknown {
  const o = plain(v);
  const out: Record<string, unknown> = {};
  optionalNonEmpty(o, "subject", out);
  out["journey"] = nonEmpty(o["journey"]);
  out["at"] = times.datetime(o["at"]);
  optionalNonEmpty(o, "channel", out);
  optionalNonEmpty(o, "purpose", out);
  return out;
}

function list(v: unknown, item: (v: unknown, times: Times) => unknown, times: Times): unknown[] {
  if (!Array.isArray(v)) throw ZOD;
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) out.push(item(v[i], times));
  return out;
}

/**
 * The request as `RequestSchema.safeParse(raw).data` would be, with its datetimes parsed; or
 * undefined when zod must decide (the request may be invalid, or is not plain data).
 */
export function parseCompiled(raw: unknown): CompiledParse | undefined {
  const times = new Times();
  try {
    const o = plain(raw);
    onlyKeys(o, REQUEST_KEYS);
    const out: Record<string, unknown> = {
      event: event(o["event"], times),
      subject: nonEmpty(o["subject"]),
      now: times.datetime(o["now"]),
      region: nonEmpty(o["region"]),
    };
    if (has(o, "context")) {
      const c = o["context"];
      if (c === undefined) out["context"] = undefined;
      else {
        const ctx = plain(c);
        const copy: Record<string, unknown> = {};
        for (const key of Object.keys(ctx)) {
          if (key === "__proto__") throw ZOD;
          copy[key] = record(ctx[key]);
        }
        out["context"] = copy;
      }
    }
    if (has(o, "context_as_of")) {
      const a = o["context_as_of"];
      if (a === undefined) out["context_as_of"] = undefined;
      else {
        const ages = plain(a);
        const copy: Record<string, unknown> = {};
        for (const key of Object.keys(ages)) {
          if (key === "__proto__") throw ZOD;
          copy[key] = times.datetime(ages[key]);
        }
        out["context_as_of"] = copy;
      }
    }
    if (has(o, "consents")) out["consents"] = o["consents"] === undefined ? undefined : list(o["consents"], consent, times);
    if (has(o, "objections")) out["objections"] = o["objections"] === undefined ? undefined : list(o["objections"], objection, times);
    if (has(o, "history")) out["history"] = o["history"] === undefined ? undefined : list(o["history"], historyEntry, times);
    return { request: out as DecisionRequest, times: times.map };
  } catch (e) {
    if (e === ZOD) return undefined;
    throw e;
  }
}
