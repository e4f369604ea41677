// Signing artifacts and checking their signatures (docs/artifacts.md#signatures): the signers'
// Ed25519 keys (PKCS#8 PEM from a file or KAIROS_SIGNING_KEY), the trusted signers (a YAML file
// `signers: [{ name, key }]` from --trust or KAIROS_TRUSTED_SIGNERS), writing `signature.json`
// into an artifact directory, and the one check every consumer runs — `kairos verify`, `kairos
// serve --trust`, publishing to and loading from the registry: the file is well formed, its key
// is a trusted signer's under the name it gives, the signature verifies, manifest.json's bytes
// are the ones signed, and every part matches the manifest. The format is core/artifact-signature.ts's.
import { createPrivateKey, sign, verify, type KeyObject } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDocument } from "yaml";
import {
  parseSignature,
  SIGNATURE_FILE,
  SIGNATURE_FORMAT,
  signatureFileText,
  signatureSignedText,
  type ArtifactSignature,
} from "../core/artifact-signature.ts";
import { sha256Hex } from "../core/sha256.ts";
import { ArtifactError, PART, verifyArtifact, type ArtifactFileMap } from "../runtime/load.ts";
import { readArtifactDir } from "../runtime/node.ts";
import type { Manifest } from "../core/artifact.ts";
import { ApprovalError, newApproverKey, publicKeyOf, publicKeyOfPrivate } from "./approvals.ts";

/** The environment variable naming the trusted signers file (when --trust is not given). */
export const TRUST_ENV = "KAIROS_TRUSTED_SIGNERS";
/** The environment variable holding a signer's private key, PEM text (when --key is not given). */
export const SIGNING_KEY_ENV = "KAIROS_SIGNING_KEY";

const MAX_FILE_BYTES = 1024 * 1024;

/** A signing problem a person must fix: a stable code, what, and how. */
export class SigningError extends Error {
  override readonly name = "SigningError";
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

/** One trusted signer: a name and an Ed25519 public key (32 bytes, base64url). */
export interface TrustedSigner {
  readonly name: string;
  readonly key: string;
}

/** The trusted signers and the file they came from (what the checks name in their messages). */
export interface Trust {
  readonly file: string;
  readonly signers: readonly TrustedSigner[];
}

/** An artifact whose signature passed every check. */
export interface VerifiedArtifact {
  readonly signature: ArtifactSignature;
  /** The signature file's text, as found (what the registry keeps). */
  readonly text: string;
  readonly manifest: Manifest;
}

function errno(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The trusted signers file to use: the option, else KAIROS_TRUSTED_SIGNERS, else none. */
export function trustFileOf(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (option !== undefined && option !== "") return option;
  const fromEnv = env[TRUST_ENV];
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
}

/**
 * Reads a trusted signers file: YAML, `signers:` a list of `{ name, key }` (keys as `kairos sign
 * --keygen` prints them). Throws SigningError on a file that is missing, does not parse, or holds
 * anything else (with the line or the entry).
 */
export function readTrust(file: string): Trust {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_FILE_BYTES) throw new SigningError("signing/bad-trust", `the trusted signers file \`${file}\` is ${size} bytes`, "keep it under 1 MB");
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof SigningError) throw e;
    throw new SigningError(
      "signing/no-trust",
      `cannot read the trusted signers file \`${file}\` (${errno(e) ?? String(e)})`,
      `give --trust FILE (or ${TRUST_ENV}) naming a YAML file \`signers: [{ name, key }]\``,
    );
  }
  const fix = 'write it as `signers:` followed by `- { name: "…", key: "…" }` lines (docs/artifacts.md#trusted-signers)';
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = text.slice(0, err.pos[0]).split("\n").length;
    throw new SigningError("signing/bad-trust", `\`${file}\`:${line}: ${err.message.split("\n")[0]}`, fix);
  }
  const value = doc.toJS() as unknown;
  const list = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)["signers"] : undefined;
  const extra = value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value).filter((k) => k !== "signers") : [];
  if (!Array.isArray(list) || extra.length > 0)
    throw new SigningError("signing/bad-trust", `\`${file}\` must hold exactly one member, \`signers\`, a list`, fix);
  const signers: TrustedSigner[] = [];
  list.forEach((s: unknown, i) => {
    const where = `\`${file}\`: signer ${i + 1}`;
    if (s === null || typeof s !== "object" || Array.isArray(s)) throw new SigningError("signing/bad-trust", `${where} is not \`{ name, key }\``, fix);
    const { name, key, ...rest } = s as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw new SigningError("signing/bad-trust", `${where} has unknown member \`${Object.keys(rest)[0]}\``, fix);
    if (typeof name !== "string" || name.trim() === "") throw new SigningError("signing/bad-trust", `${where} has no \`name\``, fix);
    if (typeof key !== "string" || publicKeyOf(key) === undefined) {
      throw new SigningError(
        "signing/bad-trust",
        `${where} (\`${name}\`): \`key\` is not an Ed25519 public key (32 bytes, base64url)`,
        "copy the `key:` that `kairos sign --keygen FILE --signer NAME` printed",
      );
    }
    if (signers.some((x) => x.key === key))
      throw new SigningError("signing/bad-trust", `${where} (\`${name}\`): the key is listed twice`, "list each key once");
    signers.push({ name, key });
  });
  return { file, signers };
}

/**
 * A signer's private key: from `file` (PKCS#8 PEM), else from KAIROS_SIGNING_KEY (the PEM text).
 * Throws SigningError when neither is given or it is not an Ed25519 private key.
 */
export function readSigningKey(file: string | undefined, env: NodeJS.ProcessEnv = process.env): { readonly privateKey: KeyObject; readonly publicKey: string } {
  let text: string;
  let where: string;
  if (file !== undefined && file !== "") {
    where = `\`${file}\``;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new SigningError(
        "signing/no-key",
        `cannot read the key file \`${file}\` (${errno(e) ?? String(e)})`,
        "give the file `kairos sign --keygen FILE` wrote",
      );
    }
  } else if (env[SIGNING_KEY_ENV] !== undefined && env[SIGNING_KEY_ENV] !== "") {
    where = SIGNING_KEY_ENV;
    text = env[SIGNING_KEY_ENV]!;
  } else {
    throw new SigningError("signing/no-key", "no signing key given", `give --key FILE, or put the key's PEM text in ${SIGNING_KEY_ENV}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(text);
  } catch {
    throw new SigningError("signing/bad-key", `${where} is not a private key in PEM`, "give the private key file `kairos sign --keygen FILE` wrote");
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new SigningError(
      "signing/bad-key",
      `${where} is a ${privateKey.asymmetricKeyType ?? "unknown"} key, not Ed25519`,
      "make one with `kairos sign --keygen FILE`",
    );
  }
  return { privateKey, publicKey: publicKeyOfPrivate(privateKey) };
}

/** Makes a signer's key pair: the private key to `file` (PKCS#8 PEM, mode 0600, never over a file); returns the public key. */
export function newSigningKey(file: string): string {
  try {
    return newApproverKey(file);
  } catch (e) {
    if (e instanceof ApprovalError) throw new SigningError(e.code.replace("approvals/", "signing/"), e.message, e.hint);
    throw e;
  }
}

/** Signs the artifact whose files are given (its manifest verified first): the signature file's content. */
export function signFiles(
  files: ArtifactFileMap,
  options: { readonly privateKey: KeyObject; readonly version: string; readonly signer: string; readonly now?: Date },
): ArtifactSignature {
  const manifest = checkParts(files, "sign");
  if (options.version.trim() === "") throw new SigningError("signing/no-version", "the version name is empty", "give --version NAME (e.g. 2026.12.06-1)");
  if (options.signer.trim() === "")
    throw new SigningError("signing/no-signer", "the signer's name is empty", "give --signer NAME (as in the trusted signers file)");
  const payload = {
    format: SIGNATURE_FORMAT,
    artifact: manifest.hash,
    manifest: sha256Hex(files.get(PART.manifest)!),
    version: options.version,
    signer: options.signer,
    key: publicKeyOfPrivate(options.privateKey),
    signed_at: (options.now ?? new Date()).toISOString(),
  } as const;
  const signature = sign(null, Buffer.from(signatureSignedText(payload), "utf8"), options.privateKey).toString("base64url");
  return { ...payload, signature };
}

/** Signs an artifact directory: writes `signature.json` into it (whole or not at all, replacing an older one); returns it. */
export async function signArtifactDir(
  dir: string,
  options: { readonly privateKey: KeyObject; readonly version: string; readonly signer: string; readonly now?: Date },
): Promise<{ readonly signature: ArtifactSignature; readonly file: string }> {
  const signature = signFiles(await readDir(dir), options);
  const file = join(dir, SIGNATURE_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, signatureFileText(signature), { mode: 0o644 });
  await rename(tmp, file);
  return { signature, file };
}

/**
 * Checks the signature of an artifact's files (with `signature.json` among them) against the
 * trusted signers; the verified signature, or a SigningError saying what failed: `signing/unsigned`,
 * `signing/bad-signature-file`, `signing/untrusted`, `signing/bad-signature`, `signing/tampered`.
 */
export function checkSignedFiles(files: ArtifactFileMap, trust: Trust, what = "the artifact"): VerifiedArtifact {
  const bytes = files.get(SIGNATURE_FILE);
  if (bytes === undefined) {
    throw new SigningError(
      "signing/unsigned",
      `${what} is not signed (it has no ${SIGNATURE_FILE})`,
      "sign it with `kairos sign ARTIFACT --key FILE --version V`",
    );
  }
  const text = Buffer.from(bytes).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SigningError(
      "signing/bad-signature-file",
      `${what}'s ${SIGNATURE_FILE} is not JSON (${(e as Error).message})`,
      "sign it again with `kairos sign`",
    );
  }
  const parsed = parseSignature(value);
  if ("problem" in parsed)
    throw new SigningError(
      "signing/bad-signature-file",
      `${what}'s ${SIGNATURE_FILE} is not a signature: ${parsed.problem}`,
      "sign it again with `kairos sign`",
    );
  const s = parsed.signature;
  const signer = trust.signers.find((x) => x.key === s.key);
  if (signer === undefined) {
    throw new SigningError(
      "signing/untrusted",
      `${what} is signed by \`${s.signer}\` with a key that is not in the trusted signers file \`${trust.file}\` (\`${s.key.slice(0, 12)}…\`)`,
      "add the signer's key to the trusted signers file if you trust it, or have a trusted signer sign the artifact",
    );
  }
  if (signer.name !== s.signer) {
    throw new SigningError(
      "signing/untrusted",
      `${what}'s signature names signer \`${s.signer}\`, but its key is \`${signer.name}\`'s in \`${trust.file}\``,
      "sign it again under the signer's own name",
    );
  }
  const key = publicKeyOf(s.key);
  if (key === undefined || !verify(null, Buffer.from(signatureSignedText(s), "utf8"), key, Buffer.from(s.signature, "base64url"))) {
    throw new SigningError(
      "signing/bad-signature",
      `${what}'s signature does not match its ${SIGNATURE_FILE} (edited after signing, or signed with another key)`,
      "sign it again with `kairos sign`",
    );
  }
  const manifestBytes = files.get(PART.manifest);
  if (manifestBytes === undefined || sha256Hex(manifestBytes) !== s.manifest) {
    throw new SigningError(
      "signing/tampered",
      `${what}'s ${PART.manifest} is not the one that was signed (changed after signing)`,
      "use the artifact as it was signed, or compile, check and sign it again",
    );
  }
  const manifest = checkParts(files, "verify", what);
  if (manifest.hash !== s.artifact) {
    throw new SigningError(
      "signing/tampered",
      `${what}'s signature is for artifact ${s.artifact.slice(0, 12)}…, not this one (${manifest.hash.slice(0, 12)}…)`,
      "sign this artifact",
    );
  }
  return { signature: s, text, manifest };
}

/** Reads an artifact directory (every file) and checks its signature. */
export async function verifyArtifactDir(dir: string, trust: Trust): Promise<VerifiedArtifact> {
  return checkSignedFiles(await readDir(dir), trust, `the artifact \`${dir}\``);
}

/** Every file of an artifact directory; a SigningError when it is not one. */
export async function readDir(dir: string): Promise<ArtifactFileMap> {
  try {
    return await readArtifactDir(dir);
  } catch (e) {
    if (e instanceof ArtifactError) {
      throw new SigningError(
        "signing/not-an-artifact",
        e.message,
        "give an artifact directory (`kairos compile POLICIES --out DIR`); a policy-set directory cannot be signed: compile it first",
      );
    }
    throw e;
  }
}

/** The manifest, after checking every part against it; a SigningError (`signing/tampered`) when one does not match. */
function checkParts(files: ArtifactFileMap, doing: "sign" | "verify", what = "the artifact"): Manifest {
  try {
    return verifyArtifact(files);
  } catch (e) {
    if (!(e instanceof ArtifactError)) throw e;
    if (doing === "sign")
      throw new SigningError("signing/not-an-artifact", `cannot sign ${what}: ${e.message}`, "compile it again with `kairos compile`, then sign");
    throw new SigningError(
      "signing/tampered",
      `${what} does not match its manifest: ${e.message}`,
      "use the artifact as it was signed, or compile, check and sign it again",
    );
  }
}
