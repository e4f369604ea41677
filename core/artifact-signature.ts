// The signature file of an artifact (docs/artifacts.md#signatures): `signature.json` next to the
// manifest, outside the manifest's parts (so adding it leaves the artifact's hash unchanged). It
// names the artifact's hash, the SHA-256 of manifest.json's bytes (so the manifest, and through its
// part hashes every part, is covered), the version name, the signer and its Ed25519 public key,
// and the signature over the canonical JSON of all of that. This file is the format only — the
// signed text and the shape check — pure, so the browser and every tool read it alike; the keys,
// the trusted signers and the checks against an artifact's files are server/signing.ts's.
import { canonicalJson } from "./canonical-json.ts";

/** The file's name in an artifact directory (and in the registry's files). */
export const SIGNATURE_FILE = "signature.json";

/** The format tag of the current signature file. */
export const SIGNATURE_FORMAT = "kairos-signature/1";

/** What is signed: everything in the file but the signature. */
export interface SignaturePayload {
  readonly format: typeof SIGNATURE_FORMAT;
  /** The artifact's hash (manifest.json's `hash`). */
  readonly artifact: string;
  /** SHA-256 (hex) of manifest.json's bytes. */
  readonly manifest: string;
  /** The version name the signer gave this artifact. */
  readonly version: string;
  /** The signer's name, as in the trusted signers file. */
  readonly signer: string;
  /** The signer's Ed25519 public key: 32 bytes, base64url. */
  readonly key: string;
  /** When it was signed (ISO 8601 UTC). */
  readonly signed_at: string;
}

/** The signature file: the payload and its Ed25519 signature (base64url) over `signatureSignedText(payload)`. */
export interface ArtifactSignature extends SignaturePayload {
  readonly signature: string;
}

/** The text the signature covers: the payload's canonical JSON (sorted keys, no spaces), as UTF-8. */
export function signatureSignedText(s: SignaturePayload): string {
  return canonicalJson(payloadOfSignature(s));
}

/** The payload members of a signature (or a payload), nothing else. */
export function payloadOfSignature(s: SignaturePayload): SignaturePayload {
  return { format: s.format, artifact: s.artifact, manifest: s.manifest, version: s.version, signer: s.signer, key: s.key, signed_at: s.signed_at };
}

/** The file's text as `kairos sign` writes it: its members in order, two-space indent, a final newline. */
export function signatureFileText(s: ArtifactSignature): string {
  return `${JSON.stringify({ ...payloadOfSignature(s), signature: s.signature }, null, 2)}\n`;
}

const HEX64 = /^[0-9a-f]{64}$/;
const KEY = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

/** Checks a parsed signature file's shape: the signature, or what is wrong with it (a sentence). */
export function parseSignature(value: unknown): { readonly signature: ArtifactSignature } | { readonly problem: string } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { problem: "it is not a JSON object" };
  const v = value as Record<string, unknown>;
  if (v["format"] !== SIGNATURE_FORMAT) return { problem: `its format is \`${String(v["format"])}\`, not \`${SIGNATURE_FORMAT}\`` };
  const known = ["format", "artifact", "manifest", "version", "signer", "key", "signed_at", "signature"];
  const extra = Object.keys(v).find((k) => !known.includes(k));
  if (extra !== undefined) return { problem: `it has an unknown member \`${extra}\`` };
  const text = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  if (!HEX64.test(text("artifact") ?? "")) return { problem: "its `artifact` is not an artifact hash (64 hex digits)" };
  if (!HEX64.test(text("manifest") ?? "")) return { problem: "its `manifest` is not a SHA-256 (64 hex digits)" };
  if ((text("version") ?? "").trim() === "") return { problem: "it has no `version`" };
  if ((text("signer") ?? "").trim() === "") return { problem: "it has no `signer`" };
  if (!KEY.test(text("key") ?? "")) return { problem: "its `key` is not an Ed25519 public key (32 bytes, base64url)" };
  if (!Number.isFinite(Date.parse(text("signed_at") ?? ""))) return { problem: "its `signed_at` is not an ISO 8601 time" };
  if (!SIGNATURE.test(text("signature") ?? "")) return { problem: "its `signature` is not an Ed25519 signature (64 bytes, base64url)" };
  return { signature: v as unknown as ArtifactSignature };
}
