// DPO approvals on disk (docs/approvals.md): the trusted approvers (`approvers.yaml`, reviewed in
// version control like the policies) and the signed approval records (`approvals/*.json`) of a
// policy set; checking each record's Ed25519 signature and that its key is a trusted approver's;
// making an approver's key pair; signing and writing a record. What a record must say to cover
// a journey is core/approval.ts's. Used by `kairos approve`, `kairos check` and `kairos serve`.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { closeSync, constants, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import {
  approvalId,
  approvalSignedText,
  parseApprovalRecord,
  payloadOf,
  type ApprovalPayload,
  type ApprovalRecord,
  type TrustedApproval,
} from "../core/approval.ts";

/** The trusted approvers file of a policy set. */
export const APPROVERS_FILE = "approvers.yaml";
/** The folder of approval records in a policy set. */
export const APPROVALS_DIR = "approvals";

/** Larger approval or approvers files are refused unread. */
const MAX_FILE_BYTES = 1024 * 1024;
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** An approvals problem a person must fix: what, where, and how. */
export class ApprovalError extends Error {
  override readonly name = "ApprovalError";
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

/** One trusted approver: a name and an Ed25519 public key (32 bytes, base64url). */
export interface Approver {
  readonly name: string;
  readonly key: string;
}

/** A record that was not accepted, and why (shown by `kairos check` and at `kairos serve`'s start). */
export interface RefusedApproval {
  readonly file: string;
  readonly problem: string;
}

/** What a policy set's approvals come to: the accepted records and the refused ones. */
export interface ApprovalsRead {
  readonly approvers: readonly Approver[];
  readonly trusted: readonly TrustedApproval[];
  readonly refused: readonly RefusedApproval[];
}

/** The errno code of a Node error, if any. */
function errno(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function readSmall(file: string, what: string): string {
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES) throw new ApprovalError("approvals/too-large", `${what} \`${file}\` is ${size} bytes`, `keep it under ${MAX_FILE_BYTES} bytes`);
  return readFileSync(file, "utf8");
}

/** A public key as node:crypto takes it, from its 32 raw bytes in base64url; undefined when it is not one. */
export function publicKeyOf(text: string): KeyObject | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return undefined;
  const raw = Buffer.from(text, "base64url");
  if (raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
  } catch {
    return undefined;
  }
}

/** The raw public key (base64url) of a private (or public) key object. */
export function publicKeyOfPrivate(key: KeyObject): string {
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  return spki.subarray(SPKI_ED25519_PREFIX.length).toString("base64url");
}

/**
 * The trusted approvers of the policy set (or approvals directory) `home`: `approvers.yaml`,
 * `approvers:` a list of `{ name, key }`. A missing file means nobody is trusted. Throws
 * ApprovalError on a file that does not parse or holds anything else (with the line).
 */
export function readApprovers(home: string): Approver[] {
  const file = join(home, APPROVERS_FILE);
  let text: string;
  try {
    text = readSmall(file, "the approvers file");
  } catch (e) {
    if (errno(e) === "ENOENT") return [];
    if (e instanceof ApprovalError) throw e;
    throw new ApprovalError("approvals/unreadable", `cannot read \`${file}\` (${errno(e) ?? String(e)})`, "make the file readable by this user");
  }
  const fix = `write it as \`approvers:\` followed by \`- { name: "…", key: "…" }\` lines (docs/approvals.md#trusted-approvers)`;
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const at = err.pos[0];
    const line = text.slice(0, at).split("\n").length;
    throw new ApprovalError("approvals/bad-approvers", `\`${file}\`${line ? `:${line}` : ""}: ${err.message.split("\n")[0]}`, fix);
  }
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return [];
  const list = typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)["approvers"] : undefined;
  const extra = typeof value === "object" && value !== null && !Array.isArray(value) ? Object.keys(value).filter((k) => k !== "approvers") : [];
  if (!Array.isArray(list) || extra.length > 0)
    throw new ApprovalError("approvals/bad-approvers", `\`${file}\` must hold exactly one member, \`approvers\`, a list`, fix);
  const out: Approver[] = [];
  const seen = new Set<string>();
  list.forEach((a: unknown, i) => {
    const where = `\`${file}\`: approver ${i + 1}`;
    if (a === null || typeof a !== "object" || Array.isArray(a)) throw new ApprovalError("approvals/bad-approvers", `${where} is not \`{ name, key }\``, fix);
    const { name, key, ...rest } = a as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw new ApprovalError("approvals/bad-approvers", `${where} has unknown member \`${Object.keys(rest)[0]}\``, fix);
    if (typeof name !== "string" || name.trim() === "") throw new ApprovalError("approvals/bad-approvers", `${where} has no \`name\``, fix);
    if (typeof key !== "string" || !publicKeyOf(key))
      throw new ApprovalError(
        "approvals/bad-approvers",
        `${where} (\`${name}\`): \`key\` is not an Ed25519 public key (32 bytes, base64url)`,
        "copy the key line `kairos approve --new-key FILE` printed",
      );
    if (seen.has(key)) throw new ApprovalError("approvals/bad-approvers", `${where} (\`${name}\`): the key is listed twice`, "list each key once");
    seen.add(key);
    out.push({ name, key });
  });
  return out;
}

/** Checks a record's signature with its own key and that the key is a trusted approver's, under that name. */
export function checkSigner(record: ApprovalRecord, approvers: readonly Approver[]): string | undefined {
  const approver = approvers.find((a) => a.key === record.key);
  if (!approver) return `it is signed by a key that is not in ${APPROVERS_FILE} (\`${record.key.slice(0, 12)}…\`)`;
  if (approver.name !== record.approver) return `it names approver \`${record.approver}\`, but its key is \`${approver.name}\`'s in ${APPROVERS_FILE}`;
  const key = publicKeyOf(record.key);
  const ok = key !== undefined && verify(null, Buffer.from(approvalSignedText(record), "utf8"), key, Buffer.from(record.signature, "base64url"));
  return ok ? undefined : "its signature does not match its content (edited after signing, or signed with another key)";
}

/**
 * Reads the approvals of `home` (a policy set, or the directory given with `--approvals`): the
 * trusted approvers and every `approvals/*.json`, each checked — its shape, its id, its
 * signature, its signer on the trusted list under the name it gives. Records that fail are
 * returned as refused, never used. Throws ApprovalError when approvers.yaml is broken.
 */
export function readApprovals(home: string): ApprovalsRead {
  const approvers = readApprovers(home);
  const dir = join(home, APPROVALS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith(".json"))
      .sort();
  } catch (e) {
    if (errno(e) === "ENOENT") return { approvers, trusted: [], refused: [] };
    throw new ApprovalError(
      "approvals/unreadable",
      `cannot list \`${dir}\` (${errno(e) ?? String(e)})`,
      "`approvals/` must be a readable folder of approval records",
    );
  }
  const trusted: TrustedApproval[] = [];
  const refused: RefusedApproval[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      text = readSmall(file, "the approval");
    } catch (e) {
      refused.push({ file, problem: e instanceof ApprovalError ? e.message : `it cannot be read (${errno(e) ?? String(e)})` });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      refused.push({ file, problem: `it is not JSON (${e instanceof Error ? e.message : String(e)})` });
      continue;
    }
    const parsed = parseApprovalRecord(value);
    if ("problem" in parsed) {
      refused.push({ file, problem: parsed.problem });
      continue;
    }
    const problem = checkSigner(parsed.record, approvers);
    if (problem) refused.push({ file, problem });
    else trusted.push({ record: parsed.record, file });
  }
  return { approvers, trusted, refused };
}

/** Writes bytes to a new file (never over one), fsynced, with `mode`; throws EEXIST when it exists. */
function writeNew(file: string, text: string, mode: number): void {
  // A temporary name first, linked to the final name (which fails when it exists) and removed:
  // the file appears whole or not at all.
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Makes an approver's Ed25519 key pair: the private key goes to `file` (PKCS#8 PEM, mode 0600,
 * never over an existing file); returns the public key (base64url) for approvers.yaml.
 */
export function newApproverKey(file: string): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  try {
    writeNew(file, privateKey.export({ format: "pem", type: "pkcs8" }).toString(), 0o600);
  } catch (e) {
    if (errno(e) === "EEXIST")
      throw new ApprovalError("approvals/key-exists", `\`${file}\` already exists; a key is never written over`, "choose another file name, or use that key");
    throw new ApprovalError("approvals/cannot-write", `cannot write \`${file}\` (${errno(e) ?? String(e)})`, "choose a file in a directory you can write to");
  }
  return publicKeyOfPrivate(privateKey);
}

/** An approver's private key from its PEM file; throws ApprovalError when it is not an Ed25519 private key. */
export function readApproverKey(file: string): { readonly privateKey: KeyObject; readonly publicKey: string } {
  let text: string;
  try {
    text = readSmall(file, "the key file");
  } catch (e) {
    if (e instanceof ApprovalError) throw e;
    const code = errno(e);
    throw new ApprovalError(
      "approvals/no-key",
      `cannot read the key file \`${file}\`${code ? ` (${code})` : ""}`,
      "give the private key file `kairos approve --new-key FILE` wrote",
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(text);
  } catch {
    throw new ApprovalError("approvals/bad-key", `\`${file}\` is not a private key in PEM`, "give the private key file `kairos approve --new-key FILE` wrote");
  }
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new ApprovalError(
      "approvals/bad-key",
      `\`${file}\` is a ${privateKey.asymmetricKeyType ?? "unknown"} key, not Ed25519`,
      "make one with `kairos approve --new-key FILE`",
    );
  return { privateKey, publicKey: publicKeyOfPrivate(privateKey) };
}

/** Signs a payload: the complete record, its id and signature set. */
export function signApproval(payload: Omit<ApprovalPayload, "key">, privateKey: KeyObject): ApprovalRecord {
  const full: ApprovalPayload = payloadOf({ ...payload, key: publicKeyOfPrivate(privateKey) });
  const signature = sign(null, Buffer.from(approvalSignedText(full), "utf8"), privateKey).toString("base64url");
  return { ...full, id: approvalId(full), signature };
}

/**
 * Writes a record to `<home>/approvals/<date>-<id>.json` (never over a file; fsynced, whole or
 * not at all); returns the path.
 */
export function writeApproval(home: string, record: ApprovalRecord): string {
  const dir = join(home, APPROVALS_DIR);
  const stamp = record.date.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const file = join(dir, `${stamp}-${record.id}.json`);
  // The record's own member order, for people reading the file; what is signed is the canonical form.
  const text = JSON.stringify(record, null, 2) + "\n";
  try {
    mkdirSync(dir, { recursive: true });
    writeNew(file, text, 0o644);
  } catch (e) {
    if (errno(e) === "EEXIST")
      throw new ApprovalError("approvals/exists", `\`${file}\` already exists: this very approval was written before`, "nothing to do");
    throw new ApprovalError(
      "approvals/cannot-write",
      `cannot write \`${file}\` (${errno(e) ?? String(e)})`,
      `make \`${dir}\` writable, or give \`--approvals DIR\``,
    );
  }
  return file;
}
