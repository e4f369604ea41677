// Validation of a policy request and its reduction to the minimal Wasm input: timestamps become
// epoch milliseconds (Wasm needs no time builtins), statuses and purposes are checked against
// the contract and the catalog, `event.*` paths and every other key (context values, sources,
// subjects) are dropped. Every problem is an OpaError naming the offending record.
import { CONSENT_STATUSES, type ConsentStatus, type OpaDataDocument, type WasmCandidate, type WasmConsent, type WasmInput } from "../../core/opa-contract.ts";
import { mapped } from "../../core/arrays.ts";
import { OpaError } from "./errors.ts";

/** A time as an ISO 8601 datetime with offset, or epoch milliseconds. */
export type Timestamp = string | number;

export interface ConsentRecordInput {
  readonly subject?: string;
  readonly purpose: string;
  readonly channel?: string | null;
  readonly status: string;
  readonly at: Timestamp;
  readonly expires_at?: Timestamp | null;
  readonly source?: string;
  readonly notice_version?: string;
  readonly id?: string;
}

export interface ObjectionInput {
  readonly subject?: string;
  readonly scope: string;
  readonly at: Timestamp;
}

export interface CandidateInput {
  readonly journey: string;
  readonly purpose: string;
  readonly channel: string;
  /** The journey's minimal field set; `event.*` paths are accepted and not sent. */
  readonly fields: readonly string[];
}

/** What the runtime asks the policies about: one request, every candidate. */
export interface PolicyRequest {
  readonly now: Timestamp;
  readonly region: string;
  readonly candidates: readonly CandidateInput[];
  /** Already filtered to the request's subject. */
  readonly consents?: readonly ConsentRecordInput[];
  readonly objections?: readonly ObjectionInput[];
  /**
   * Datetimes the caller has already parsed (text → epoch ms, as core/literals.ts's
   * parseDateTimeLiteral reads them): a hint, so that each is parsed once per request. Other
   * evaluators may ignore it.
   */
  readonly times?: ReadonlyMap<string, number>;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-](\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Epoch milliseconds of an ISO 8601 datetime with offset (or of integral epoch ms), else null. */
export function toEpochMs(value: unknown): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : null;
  if (typeof value !== "string") return null;
  const m = ISO.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  let offsetMin = 0;
  if (m[8] !== "Z") {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[8]?.startsWith("-") ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000;
}

function time(value: unknown, where: string, times: ReadonlyMap<string, number> | undefined): number {
  // A time the caller parsed, for the years 1000–9999 (where both parsers agree: before 100,
  // toEpochMs's Date.UTC reads the year as 19xx; test/opa/distinct.test.ts checks the rest).
  if (times !== undefined && typeof value === "string" && value.charCodeAt(0) !== 48) {
    const known = times.get(value);
    if (known !== undefined) return known;
  }
  const ms = toEpochMs(value);
  if (ms === null) {
    throw new OpaError("opa/bad-timestamp", `${where} is not an ISO 8601 datetime with offset or epoch milliseconds: \`${String(value)}\``, { where, value });
  }
  return ms;
}

function str(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") throw new OpaError("opa/bad-input", `${where} must be a non-empty string`, { where });
  return value;
}

function list(value: unknown, where: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new OpaError("opa/bad-input", `${where} must be a list`, { where });
  return value;
}

function obj(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new OpaError("opa/bad-input", `${where} must be an object`, { where });
  }
  return value as Record<string, unknown>;
}

function knownPurpose(data: OpaDataDocument, purpose: string, where: string): string {
  if (!Object.hasOwn(data.catalog.purposes, purpose)) {
    throw new OpaError("opa/unknown-purpose", `${where} names purpose \`${purpose}\`, which the catalog does not declare`, {
      where,
      purpose,
    });
  }
  return purpose;
}

/**
 * A candidate's fields without `event.*` paths; the list itself when it has none (the engine
 * sends each journey's own list, so the policy engine's memo sees the same list every time).
 */
function fieldPaths(fields: readonly unknown[], where: string): readonly string[] {
  let kept: string[] | undefined;
  for (let j = 0; j < fields.length; j++) {
    const f = str(fields[j], `${where}.fields[${j}]`);
    if (f.startsWith("event.")) kept ??= (fields as string[]).slice(0, j);
    else if (kept) kept.push(f);
  }
  return kept ?? (fields as readonly string[]);
}

// The quick checks below accept exactly what the checks with messages accept, and give the same
// value; on anything else they give undefined and the checks with messages run, which name
// the first problem. They spare a request its per-record message texts (issue 13).

const STATUSES: ReadonlySet<string> = new Set(CONSENT_STATUSES);

function nonEmpty(v: unknown): v is string {
  return typeof v === "string" && v !== "";
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A candidate as toWasmInput returns it, when it is plainly valid; else undefined. */
export function quickCandidate(c: unknown, data: OpaDataDocument): WasmCandidate | undefined {
  if (!isObject(c)) return undefined;
  const { journey, purpose, channel, fields } = c;
  if (!nonEmpty(journey) || !nonEmpty(purpose) || !Object.hasOwn(data.catalog.purposes, purpose) || !nonEmpty(channel)) return undefined;
  if (!Array.isArray(fields)) return undefined;
  for (const f of fields as unknown[]) if (!nonEmpty(f) || f.startsWith("event.")) return undefined;
  return { journey, purpose, channel, fields: fields as string[] };
}

function quickTime(value: unknown, times: ReadonlyMap<string, number> | undefined): number | null {
  if (times !== undefined && typeof value === "string" && value.charCodeAt(0) !== 48) {
    const known = times.get(value);
    if (known !== undefined) return known;
  }
  return toEpochMs(value);
}

/** A consent record as toWasmInput returns it, when it is plainly valid; else undefined. */
export function quickConsent(c: unknown, data: OpaDataDocument, times: ReadonlyMap<string, number> | undefined): WasmConsent | undefined {
  if (!isObject(c)) return undefined;
  const { status, purpose, channel } = c;
  if (typeof status !== "string" || !STATUSES.has(status)) return undefined;
  if (!nonEmpty(purpose) || !Object.hasOwn(data.catalog.purposes, purpose)) return undefined;
  if (channel !== undefined && channel !== null && !nonEmpty(channel)) return undefined;
  const at = quickTime(c["at"], times);
  const expires = c["expires_at"];
  const expiresMs = expires === undefined || expires === null ? null : quickTime(expires, times);
  if (at === null || (expiresMs === null && expires !== undefined && expires !== null)) return undefined;
  return { purpose, channel: channel === undefined || channel === null ? null : channel, status: status as ConsentStatus, at_ms: at, expires_at_ms: expiresMs };
}

/** Validates a request against the contract and the catalog and returns the minimal Wasm input. */
export function toWasmInput(request: PolicyRequest, data: OpaDataDocument): WasmInput {
  const req = obj(request, "request");
  const hint = req["times"];
  const times = hint instanceof Map ? (hint as ReadonlyMap<string, number>) : undefined;
  const candidates = mapped(list(req["candidates"], "candidates"), (c, i) => {
    const quick = quickCandidate(c, data);
    if (quick) return quick;
    const where = `candidates[${i}]`;
    const cand = obj(c, where);
    return {
      journey: str(cand["journey"], `${where}.journey`),
      purpose: knownPurpose(data, str(cand["purpose"], `${where}.purpose`), where),
      channel: str(cand["channel"], `${where}.channel`),
      fields: fieldPaths(list(cand["fields"], `${where}.fields`), where),
    };
  });
  const consents = mapped(list(req["consents"], "consents"), (c, i) => {
    const quick = quickConsent(c, data, times);
    if (quick) return quick;
    const where = `consents[${i}]`;
    const rec = obj(c, where);
    const status = rec["status"];
    if (typeof status !== "string" || !(CONSENT_STATUSES as readonly string[]).includes(status)) {
      throw new OpaError(
        "opa/unknown-status",
        `${where} has status \`${String(status)}\`; expected one of ${CONSENT_STATUSES.map((s) => `\`${s}\``).join(", ")}`,
        { where, status },
      );
    }
    const channel = rec["channel"];
    const expires = rec["expires_at"];
    return {
      purpose: knownPurpose(data, str(rec["purpose"], `${where}.purpose`), where),
      channel: channel === undefined || channel === null ? null : str(channel, `${where}.channel`),
      status: status as ConsentStatus,
      at_ms: time(rec["at"], `${where}.at`, times),
      expires_at_ms: expires === undefined || expires === null ? null : time(expires, `${where}.expires_at`, times),
    };
  });
  const objections = mapped(list(req["objections"], "objections"), (o, i) => {
    const where = `objections[${i}]`;
    const rec = obj(o, where);
    const scope = str(rec["scope"], `${where}.scope`);
    if (scope.startsWith("purpose:")) knownPurpose(data, scope.slice("purpose:".length), where);
    else if (scope !== "direct_marketing") {
      throw new OpaError("opa/bad-objection-scope", `${where} has scope \`${scope}\`; expected \`direct_marketing\` or \`purpose:<id>\``, { where, scope });
    }
    return { scope, at_ms: time(rec["at"], `${where}.at`, times) };
  });
  return {
    now_ms: time(req["now"], "now", times),
    region: str(req["region"], "region"),
    candidates,
    consents,
    objections,
  };
}
