// DPO approval records (docs/approvals.md): what a record says, the bytes its Ed25519 signature
// covers, its id, the catalog hash it binds to, and which journeys need one and which record
// covers each. Pure and browser-safe: reading files, checking signatures against the trusted
// approvers and making keys are the Node side's (server/approvals.ts); this module only decides
// coverage over records whose signatures were already checked.
import { canonicalJson } from "./canonical-json.ts";
import type { Catalog, PiiClass } from "./catalog/types.ts";
import { catalogToJson } from "./catalog/serialize.ts";
import { sha256Hex } from "./sha256.ts";

/** The `format` member of every approval record: names the signed layout, for domain separation. */
export const APPROVAL_FORMAT = "kairos-approval/1";

/** One journey an approval covers, as it was when approved. */
export interface ApprovalScope {
  readonly journey: string;
  readonly purpose: string;
  readonly risk: "low" | "medium" | "high";
  /** The journey's content hash (`sha256:…`, compiler/artifact/content-hash.ts). */
  readonly content: string;
  /** The PII fields its minimal bundle read (`entity.field` → PII class), sorted by path. */
  readonly pii: Readonly<Record<string, PiiClass>>;
}

/** What the approver signs: everything in a record but its id and signature. */
export interface ApprovalPayload {
  readonly format: typeof APPROVAL_FORMAT;
  /** The approver's name, as the trusted approvers list spells it for `key`. */
  readonly approver: string;
  /** When it was approved: an ISO 8601 UTC datetime. */
  readonly date: string;
  /** The catalog hash (`sha256:…`, catalogHash) when approved. */
  readonly catalog: string;
  /** The journeys approved, sorted by id. */
  readonly scope: readonly ApprovalScope[];
  /** The signer's Ed25519 public key: 32 bytes, base64url. */
  readonly key: string;
}

/** An approval record as `kairos approve` writes it (one JSON file in `approvals/`). */
export interface ApprovalRecord extends ApprovalPayload {
  /** `apr_` + 32 hex digits of sha256 over the signed text: what decisions name in their log entries. */
  readonly id: string;
  /** Ed25519 signature over `approvalSignedText(payload)`, base64url. */
  readonly signature: string;
}

/** The bytes the signature covers: the payload's canonical JSON (sorted keys, no spaces), UTF-8. */
export function approvalSignedText(payload: ApprovalPayload): string {
  return canonicalJson(payloadOf(payload));
}

/** The payload members of a record (or a payload), nothing else. */
export function payloadOf(r: ApprovalPayload): ApprovalPayload {
  return { format: r.format, approver: r.approver, date: r.date, catalog: r.catalog, scope: r.scope, key: r.key };
}

/** The id of an approval: `apr_` + the first 32 hex digits of sha256 over its signed text. */
export function approvalId(payload: ApprovalPayload): string {
  return `apr_${sha256Hex(approvalSignedText(payload)).slice(0, 32)}`;
}

/** Members whose value is a source position (`[start, end]` in catalog.yaml): not content. */
function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "loc" && Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n))) continue;
    out[k] = withoutPositions(v);
  }
  return out;
}

/**
 * The catalog hash an approval binds to: `sha256:` + sha256 of the canonical JSON of the catalog
 * as artifacts carry it (core/catalog/serialize.ts), without source positions and without the
 * file name. Comments, layout and key order of catalog.yaml do not change it; any change to a
 * definition (a tag, a purpose's bases, a channel, …) does.
 */
export function catalogHash(catalog: Catalog): string {
  const json = catalogToJson(catalog) as Record<string, unknown>;
  const { file: _file, ...rest } = json;
  return `sha256:${sha256Hex(canonicalJson(withoutPositions(rest)))}`;
}

/** What decides whether a journey needs an approval and whether one covers it. */
export interface ApprovalSubject {
  readonly id: string;
  readonly purpose: string;
  readonly risk: "low" | "medium" | "high";
  /** Its content hash; undefined when unknown (an artifact compiled before content hashes). */
  readonly content: string | undefined;
  /** The PII fields (pii ≠ none) its minimal bundle reads, path → class. */
  readonly pii: Readonly<Record<string, PiiClass>>;
}

/** The PII fields among a minimal bundle's field paths, path → class, sorted by path. */
export function piiOfBundle(fields: readonly string[], catalog: Catalog): Record<string, PiiClass> {
  const out: Record<string, PiiClass> = {};
  for (const path of [...fields].sort()) {
    const dot = path.indexOf(".");
    const def = catalog.entities.get(path.slice(0, dot))?.fields.get(path.slice(dot + 1));
    if (def && def.pii !== "none") out[path] = def.pii;
  }
  return out;
}

/** Why a journey needs an approval: `risk high`, PII in its bundle, or both. */
export function approvalNeeds(j: Pick<ApprovalSubject, "risk" | "pii">): { readonly high: boolean; readonly pii: boolean } {
  return { high: j.risk === "high", pii: Object.keys(j.pii).length > 0 };
}

/** A record whose signature and signer were checked (server/approvals.ts), with its file. */
export interface TrustedApproval {
  readonly record: ApprovalRecord;
  readonly file: string;
}

/** How one journey stands. */
export type JourneyApproval =
  | { readonly status: "not-needed" }
  | { readonly status: "approved"; readonly approval: TrustedApproval }
  | { readonly status: "unapproved"; readonly why: string };

/**
 * Whether `record` covers journey `j` under catalog hash `catalog`, and if not, why:
 * - `risk high`: the record's scope entry has the journey's current content hash and the record
 *   the current catalog hash (any change to the journey or the catalog needs a new approval);
 * - PII in the bundle: every PII field the journey reads now is in the scope entry with the same
 *   class, and the purpose is the same (a new PII field, a changed class or another purpose needs
 *   a new approval; other edits do not).
 */
export function coverage(record: ApprovalRecord, j: ApprovalSubject, catalog: string): { readonly covers: boolean; readonly why: string } {
  const s = record.scope.find((x) => x.journey === j.id);
  if (!s) return { covers: false, why: "does not name the journey" };
  if (j.risk === "high") {
    if (j.content === undefined) return { covers: false, why: "the artifact carries no content hash for the journey (recompile it with this Kairos)" };
    if (s.content !== j.content) return { covers: false, why: "approved other content (the journey changed since)" };
    if (record.catalog !== catalog) return { covers: false, why: "approved under another catalog (the catalog changed since)" };
  }
  if (s.purpose !== j.purpose) return { covers: false, why: `approved it for purpose \`${s.purpose}\`, not \`${j.purpose}\`` };
  for (const [path, cls] of Object.entries(j.pii)) {
    const approved = Object.hasOwn(s.pii, path) ? s.pii[path] : undefined;
    if (approved === undefined) return { covers: false, why: `does not cover PII field \`${path}\` (${cls})` };
    if (approved !== cls) return { covers: false, why: `approved \`${path}\` as ${approved}, now ${cls}` };
  }
  return { covers: true, why: "" };
}

/**
 * How each journey stands against the trusted approvals: not needing one, approved (by the
 * latest covering record: latest date, then greatest id), or unapproved with the reason the
 * latest record naming it does not cover it (or that none names it).
 */
export function approvalStatus(journeys: readonly ApprovalSubject[], catalog: string, approvals: readonly TrustedApproval[]): Map<string, JourneyApproval> {
  const latestFirst = [...approvals].sort((a, b) =>
    a.record.date !== b.record.date ? (a.record.date < b.record.date ? 1 : -1) : a.record.id < b.record.id ? 1 : a.record.id > b.record.id ? -1 : 0,
  );
  const out = new Map<string, JourneyApproval>();
  for (const j of journeys) {
    const needs = approvalNeeds(j);
    if (!needs.high && !needs.pii) {
      out.set(j.id, { status: "not-needed" });
      continue;
    }
    let why: string | undefined;
    let found: TrustedApproval | undefined;
    for (const a of latestFirst) {
      const c = coverage(a.record, j, catalog);
      if (c.covers) {
        found = a;
        break;
      }
      if (why === undefined && a.record.scope.some((s) => s.journey === j.id)) why = `the latest approval of it (${a.record.id}) ${c.why}`;
    }
    out.set(j.id, found ? { status: "approved", approval: found } : { status: "unapproved", why: why ?? "no approval names it" });
  }
  return out;
}

/** Why a journey needs an approval, in words: "risk high", "reads PII (customer.email)", or both. */
export function needText(j: Pick<ApprovalSubject, "risk" | "pii">): string {
  const needs = approvalNeeds(j);
  const parts: string[] = [];
  if (needs.high) parts.push("it is `risk high`");
  if (needs.pii)
    parts.push(
      `its bundle reads PII (${Object.entries(j.pii)
        .map(([p, c]) => `\`${p}\` ${c}`)
        .join(", ")})`,
    );
  return parts.join(" and ");
}

const SHA = /^sha256:[0-9a-f]{64}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;
const RECORD_KEYS = ["approver", "catalog", "date", "format", "id", "key", "scope", "signature"];
const SCOPE_KEYS = ["content", "journey", "pii", "purpose", "risk"];
const PII_CLASSES: readonly string[] = ["identifier", "direct", "sensitive"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function exactKeys(v: Record<string, unknown>, keys: readonly string[], where: string): string | undefined {
  const extra = Object.keys(v).filter((k) => !keys.includes(k));
  if (extra.length > 0) return `${where} has member${extra.length === 1 ? "" : "s"} ${extra.map((k) => `\`${k}\``).join(", ")} that no signature covers`;
  const missing = keys.filter((k) => !Object.hasOwn(v, k));
  if (missing.length > 0) return `${where} lacks ${missing.map((k) => `\`${k}\``).join(", ")}`;
  return undefined;
}

function scopeProblem(s: unknown, i: number): string | undefined {
  const where = `\`scope[${i}]\``;
  if (!isRecord(s)) return `${where} is not an object`;
  const keys = exactKeys(s, SCOPE_KEYS, where);
  if (keys) return keys;
  if (typeof s["journey"] !== "string" || s["journey"] === "") return `${where}.journey is not a journey id`;
  if (typeof s["purpose"] !== "string" || s["purpose"] === "") return `${where}.purpose is not a purpose id`;
  if (s["risk"] !== "low" && s["risk"] !== "medium" && s["risk"] !== "high") return `${where}.risk is not low, medium or high`;
  if (typeof s["content"] !== "string" || !SHA.test(s["content"])) return `${where}.content is not a \`sha256:…\` content hash`;
  const pii = s["pii"];
  if (!isRecord(pii)) return `${where}.pii is not an object`;
  for (const [path, cls] of Object.entries(pii)) {
    if (!/^[^.]+\.[^.]+$/.test(path)) return `${where}.pii has \`${path}\`, which is not an \`entity.field\` path`;
    if (typeof cls !== "string" || !PII_CLASSES.includes(cls)) return `${where}.pii.${path} is not identifier, direct or sensitive`;
  }
  return undefined;
}

/**
 * Checks the shape of a parsed approval file: every member present and of its type, nothing
 * unsigned added, the id that of its payload. The signature itself is checked by the Node side.
 */
export function parseApprovalRecord(value: unknown): { readonly record: ApprovalRecord } | { readonly problem: string } {
  if (!isRecord(value)) return { problem: "it is not a JSON object" };
  if (value["format"] !== APPROVAL_FORMAT) return { problem: `\`format\` is not \`${APPROVAL_FORMAT}\`` };
  const keys = exactKeys(value, RECORD_KEYS, "the record");
  if (keys) return { problem: keys };
  if (typeof value["approver"] !== "string" || value["approver"].trim() === "") return { problem: "`approver` is not a name" };
  if (typeof value["date"] !== "string" || !DATE.test(value["date"]) || Number.isNaN(Date.parse(value["date"])))
    return { problem: "`date` is not an ISO 8601 UTC datetime (`2026-05-30T09:00:00Z`)" };
  if (typeof value["catalog"] !== "string" || !SHA.test(value["catalog"])) return { problem: "`catalog` is not a `sha256:…` catalog hash" };
  if (typeof value["key"] !== "string" || !B64URL.test(value["key"]) || value["key"].length !== 43)
    return { problem: "`key` is not an Ed25519 public key (32 bytes, base64url)" };
  if (typeof value["signature"] !== "string" || !B64URL.test(value["signature"]) || value["signature"].length !== 86)
    return { problem: "`signature` is not an Ed25519 signature (64 bytes, base64url)" };
  const scope = value["scope"];
  if (!Array.isArray(scope) || scope.length === 0) return { problem: "`scope` is not a non-empty list of journeys" };
  for (let i = 0; i < scope.length; i++) {
    const p = scopeProblem(scope[i], i);
    if (p) return { problem: p };
  }
  const record = value as unknown as ApprovalRecord;
  const id = approvalId(record);
  if (record.id !== id) return { problem: `\`id\` is \`${String(record.id)}\`, but the record's content gives \`${id}\` (edited after signing?)` };
  return { record };
}
