// The artifact registry (docs/artifacts.md#the-registry): publishing an artifact into the store
// with its files — and the approvals it is served with — so that every instance can load any
// version by hash or name; loading a registered version as an engine gated by its approvals like
// `kairos serve` gates its own (server/artifact.ts), refusing an unsigned or tampered one when
// signers are trusted; and which version was in force at a time, from the rollout history.
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseSignature, SIGNATURE_FILE } from "../core/artifact-signature.ts";
import type { Engine, EngineOptions } from "../runtime/engine.ts";
import { ArtifactError, loadEngine, verifyArtifact, type ArtifactFileMap } from "../runtime/load.ts";
import { type Activation, activationOf, applyActivation } from "./activation.ts";
import { APPROVALS_DIR, APPROVERS_FILE, ApprovalError, readApprovals } from "./approvals.ts";
import { checkSignedFiles, readDir, SigningError, type Trust } from "./signing.ts";
import type { RegisteredArtifact, ReleaseStore, RolloutMode, RolloutState } from "./store/types.ts";

/** Where the approvals published with an artifact sit among its files (an approvals home: approvers.yaml, approvals/*.json). */
export const REGISTRY_APPROVALS = "approvals";

/** A registry problem a person must fix: a stable code, what, and how. */
export class RegistryError extends Error {
  override readonly name = "RegistryError";
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

/** How to publish an artifact. */
export interface PublishOptions {
  /** Its version name; default: the signature's version (an unsigned artifact needs one). */
  readonly version?: string;
  /** Who publishes it. */
  readonly by: string;
  /** An approvals home (approvers.yaml, approvals/*.json) whose approvals it is served with. */
  readonly approvals?: string;
  /** When given, only an artifact signed by one of these signers, untampered, is published. */
  readonly trust?: Trust;
  readonly now?: Date;
}

/** Publishes an artifact directory (`kairos compile --out`); see publishArtifactFiles. */
export async function publishArtifactDir(store: ReleaseStore, dir: string, options: PublishOptions): Promise<RegisteredArtifact> {
  return publishArtifactFiles(store, await readDir(dir), options, `the artifact \`${dir}\``);
}

/**
 * Publishes an artifact from its files (every part, and `signature.json` when signed): checks the
 * parts against the manifest, the signature against `trust` when given (else only that a signature
 * file present is for this artifact), and adds it to the registry with the approvals of
 * `options.approvals`. Idempotent by hash: an artifact already registered returns its row (under
 * the name it was first published with). Throws RegistryError, SigningError, ApprovalError or
 * StoreError (`store/conflict`: the version name is another artifact's).
 */
export async function publishArtifactFiles(
  store: ReleaseStore,
  given: ArtifactFileMap,
  options: PublishOptions,
  what = "the artifact",
): Promise<RegisteredArtifact> {
  if (options.by.trim() === "") throw new RegistryError("registry/no-by", "publishing needs the publisher's name", "give --by NAME");
  // Approvals may come with the files (under approvals/, as the registry keeps them) or from a directory.
  const { files, approvals: carried } = splitApprovals(given);
  let manifest;
  let signature: { text: string; version: string; signer: string } | undefined;
  if (options.trust !== undefined) {
    const v = checkSignedFiles(files, options.trust, what);
    manifest = v.manifest;
    signature = { text: v.text, version: v.signature.version, signer: v.signature.signer };
  } else {
    manifest = checkedManifest(files, what);
    signature = unverifiedSignature(files, manifest.hash, what);
  }
  const version = options.version ?? signature?.version;
  if (version === undefined || version.trim() === "") {
    throw new RegistryError(
      "registry/no-version",
      `${what} has no version name`,
      "give --version NAME (e.g. 2026.12.06-1), or sign it with one (`kairos sign --version`)",
    );
  }
  if (signature !== undefined && signature.version !== version) {
    throw new RegistryError(
      "registry/version-mismatch",
      `${what} was signed as version \`${signature.version}\`, not \`${version}\``,
      `publish it as \`${signature.version}\` (or leave --version out), or sign it again with --version ${version}`,
    );
  }
  const approvalHome = options.approvals === undefined ? carried : new Map([...carried, ...approvalFiles(options.approvals)]);
  const approvals = {
    ids:
      approvalHome.size === 0
        ? []
        : withHome(approvalHome, (home) =>
            readApprovals(home)
              .trusted.map((t) => t.record.id)
              .sort(),
          ),
  };
  const all: Record<string, Uint8Array> = {};
  for (const [path, bytes] of files) all[path] = bytes;
  for (const [path, bytes] of approvalHome) all[`${REGISTRY_APPROVALS}/${path}`] = bytes;
  return store.publishArtifact(
    {
      hash: manifest.hash,
      version,
      ...(signature === undefined ? {} : { signature: signature.text, signer: signature.signer }),
      approvals: approvals.ids,
      publishedBy: options.by,
      publishedAt: (options.now ?? new Date()).toISOString(),
    },
    all,
  );
}

function checkedManifest(files: ArtifactFileMap, what: string) {
  try {
    return verifyArtifact(files);
  } catch (e) {
    if (e instanceof ArtifactError)
      throw new RegistryError("registry/bad-artifact", `${what} does not match its manifest: ${e.message}`, "compile it again with `kairos compile`");
    throw e;
  }
}

/** A signature file's signer and version, checked for shape and for naming this artifact (not against any trust). */
function unverifiedSignature(files: ArtifactFileMap, hash: string, what: string): { text: string; version: string; signer: string } | undefined {
  const bytes = files.get(SIGNATURE_FILE);
  if (bytes === undefined) return undefined;
  const text = Buffer.from(bytes).toString("utf8");
  let parsed: ReturnType<typeof parseSignature>;
  try {
    parsed = parseSignature(JSON.parse(text));
  } catch {
    parsed = { problem: "it is not JSON" };
  }
  if ("problem" in parsed)
    throw new SigningError(
      "signing/bad-signature-file",
      `${what}'s ${SIGNATURE_FILE} is not a signature: ${parsed.problem}`,
      "sign it again with `kairos sign`, or remove the file",
    );
  if (parsed.signature.artifact !== hash) {
    throw new SigningError(
      "signing/tampered",
      `${what}'s ${SIGNATURE_FILE} is for another artifact (${parsed.signature.artifact.slice(0, 12)}…)`,
      "sign this artifact again",
    );
  }
  return { text, version: parsed.signature.version, signer: parsed.signature.signer };
}

/** The files of an approvals home on disk (approvers.yaml, approvals/*.json), by their path in it (published under REGISTRY_APPROVALS/). */
export function approvalFiles(home: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  try {
    files.set(APPROVERS_FILE, readFileSync(join(home, APPROVERS_FILE)));
  } catch {
    throw new ApprovalError(
      "approvals/no-approvers",
      `\`${home}\` has no ${APPROVERS_FILE}`,
      "give the directory that holds approvers.yaml and approvals/ (a policy set)",
    );
  }
  let names: string[] = [];
  try {
    names = readdirSync(join(home, APPROVALS_DIR)).filter((n) => n.endsWith(".json"));
  } catch {
    // No records: nothing is approved.
  }
  for (const name of names.sort()) files.set(`${APPROVALS_DIR}/${name}`, readFileSync(join(home, APPROVALS_DIR, name)));
  return files;
}

/** An artifact's own files, and the approvals home's files carried under REGISTRY_APPROVALS/ (by their path in the home). */
function splitApprovals(all: ArtifactFileMap): { files: Map<string, Uint8Array>; approvals: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  const approvals = new Map<string, Uint8Array>();
  for (const [path, bytes] of all) {
    if (path.startsWith(`${REGISTRY_APPROVALS}/`)) approvals.set(path.slice(REGISTRY_APPROVALS.length + 1), bytes);
    else files.set(path, bytes);
  }
  return { files, approvals };
}

/**
 * Runs `use` on an approvals home made of `files` in a private temporary directory (the approvals
 * are read like a policy set's, server/approvals.ts), removed after.
 */
function withHome<T>(files: ReadonlyMap<string, Uint8Array>, use: (home: string) => T): T {
  const home = mkdtempSync(join(tmpdir(), "kairos-approvals-"));
  try {
    for (const [path, bytes] of files) {
      const file = join(home, path);
      if (!file.startsWith(`${home}/`)) continue;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, bytes);
    }
    return use(home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * A registered artifact (by hash or version name) as an engine with every journey — for
 * re-deciding recorded traffic (`kairos diff`, `kairos replay --store`), where each log entry's own
 * `inactive` says what its instance left out. Undefined when it is not registered; throws
 * RegistryError (`registry/corrupt`) when the stored files are another artifact's, ArtifactError
 * or OpaError when they do not load.
 */
export async function registeredEngine(
  store: ReleaseStore,
  hashOrVersion: string,
): Promise<{ readonly engine: Engine; readonly registered: RegisteredArtifact } | undefined> {
  const registered = await store.artifact(hashOrVersion);
  const stored = registered === undefined ? undefined : await store.artifactFiles(registered.hash);
  if (registered === undefined || stored === undefined) return undefined;
  const { files } = splitApprovals(new Map(Object.entries(stored)));
  const engine = await loadEngine(files);
  if (engine.hash !== registered.hash) {
    throw new RegistryError(
      "registry/corrupt",
      `the registry's files of ${registered.version} are those of artifact ${engine.hash.slice(0, 12)}…, not ${registered.hash.slice(0, 12)}…`,
      "publish the artifact again",
    );
  }
  return { engine, registered };
}

/** A registered version loaded for deciding. */
export interface LoadedRegistered {
  /** The engine, its journeys gated by the approvals published with it. */
  readonly engine: Engine;
  readonly registered: RegisteredArtifact;
  readonly activation: Activation;
}

/**
 * Loads a registered artifact (by hash or version name) as an engine, its journeys activated by
 * the approvals published with it (server/activation.ts); with `trust`, refuses an unsigned or
 * tampered one (SigningError). Throws RegistryError (`registry/not-registered`, `registry/corrupt`),
 * ArtifactError or OpaError.
 */
export async function loadRegistered(
  store: ReleaseStore,
  hashOrVersion: string,
  options: { readonly trust?: Trust; readonly engine?: EngineOptions } = {},
): Promise<LoadedRegistered> {
  const registered = await store.artifact(hashOrVersion);
  const stored = registered === undefined ? undefined : await store.artifactFiles(registered.hash);
  if (registered === undefined || stored === undefined) {
    throw new RegistryError(
      "registry/not-registered",
      `no artifact \`${hashOrVersion}\` in the registry`,
      "publish it with `kairos artifacts publish DIR --version V`, or see `kairos artifacts list`",
    );
  }
  const what = `artifact ${registered.version} (${registered.hash.slice(0, 12)}…)`;
  const { files, approvals } = splitApprovals(new Map(Object.entries(stored)));
  if (options.trust !== undefined) checkSignedFiles(files, options.trust, what);
  const engine = await loadEngine(files, options.engine);
  if (engine.manifest.hash !== registered.hash) {
    throw new RegistryError(
      "registry/corrupt",
      `the registry's files of ${what} are those of artifact ${engine.manifest.hash.slice(0, 12)}…`,
      "publish the artifact again",
    );
  }
  const activation = activationFrom(engine, approvals, registered.version);
  return { engine: await applyActivation(engine, activation), registered, activation };
}

/** The activation under the published approvals (read from a private temporary home, like a policy set's). */
function activationFrom(engine: Engine, approvals: ReadonlyMap<string, Uint8Array>, version: string): Activation {
  if (approvals.size === 0) return activationOf(engine, undefined);
  try {
    return withHome(approvals, (home) => {
      const activation = activationOf(engine, home);
      const named = (file: string) => file.replace(home, `registry:${version}`);
      return { ...activation, home: `registry:${version}`, refused: activation.refused.map((r) => ({ ...r, file: named(r.file) })) };
    });
  } catch (e) {
    if (e instanceof ApprovalError) throw new RegistryError(e.code, `the approvals published with ${version}: ${e.message}`, e.hint);
    throw e;
  }
}

/** The version set in force at a time (inForceAt). */
export interface InForce {
  readonly generation: number;
  /** The stable version's hash (undefined: each instance's own, before the first start recorded one). */
  readonly stable?: string;
  readonly mode: RolloutMode;
  readonly candidate?: string;
  readonly percent?: number;
  /** The rollout state that was in force. */
  readonly state: RolloutState;
}

/**
 * The version set in force at `t` (ISO 8601 or epoch ms): the last rollout change at or before it
 * (the history is oldest first); undefined before the first one.
 */
export function inForceAt(history: readonly RolloutState[], t: string | number): InForce | undefined {
  const at = typeof t === "number" ? t : Date.parse(t);
  if (!Number.isFinite(at)) throw new RegistryError("registry/bad-time", `\`${String(t)}\` is not a time`, "give an ISO 8601 time, e.g. 2026-12-06T10:00:00Z");
  let found: RolloutState | undefined;
  for (const s of history) {
    if (Date.parse(s.since) <= at && (found === undefined || s.generation > found.generation)) found = s;
  }
  if (found === undefined) return undefined;
  return {
    generation: found.generation,
    ...(found.stable === undefined ? {} : { stable: found.stable }),
    mode: found.mode,
    ...(found.candidate === undefined ? {} : { candidate: found.candidate }),
    ...(found.percent === undefined ? {} : { percent: found.percent }),
    state: found,
  };
}
