// Loading a compiled artifact from its files (browser-safe: no node: imports): the manifest is
// checked, every part's sha256 verified against it, the predicates module imported from the
// verified bytes, the catalog rebuilt, and the OPA bundle loaded. What runs is what was hashed.
import { ARTIFACT_PART, ARTIFACT_VERSION, artifactIdentity, type Manifest, type PredicatesModule } from "../core/artifact.ts";
import { catalogFromJson } from "../core/catalog/serialize.ts";
import { Engine, type EngineOptions } from "./engine.ts";
import { PolicyEngine } from "./opa/index.ts";
import { sha256Hex } from "../core/sha256.ts";
import { thrownMessage } from "./thrown.ts";

/** Names of the parts the runtime reads, as `kairos compile` writes them (core/artifact.ts). */
export const PART = ARTIFACT_PART;

export type ArtifactErrorCode = "artifact/missing-part" | "artifact/bad-manifest" | "artifact/version" | "artifact/hash-mismatch" | "artifact/bad-part";

/** An artifact that cannot be loaded: missing, corrupt, tampered with, or of another version. */
export class ArtifactError extends Error {
  readonly code: ArtifactErrorCode;
  constructor(code: ArtifactErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "ArtifactError";
    this.code = code;
  }
}

/** An artifact's files by relative path (`manifest.json`, `predicates.js`, …). */
export type ArtifactFileMap = ReadonlyMap<string, Uint8Array>;

const decoder = new TextDecoder("utf-8", { fatal: true });

function text(files: ArtifactFileMap, path: string): string {
  const bytes = files.get(path);
  if (!bytes) throw new ArtifactError("artifact/missing-part", `the artifact has no \`${path}\``);
  try {
    return decoder.decode(bytes);
  } catch (e) {
    throw new ArtifactError("artifact/bad-part", `\`${path}\` is not UTF-8 text`, e);
  }
}

function json(files: ArtifactFileMap, path: string): unknown {
  try {
    return JSON.parse(text(files, path)) as unknown;
  } catch (e) {
    if (e instanceof ArtifactError) throw e;
    throw new ArtifactError(path === PART.manifest ? "artifact/bad-manifest" : "artifact/bad-part", `\`${path}\` is not valid JSON`, e);
  }
}

/** Checks the manifest and that every part it lists has the recorded sha256. */
export function verifyArtifact(files: ArtifactFileMap): Manifest {
  const manifest = json(files, PART.manifest) as Manifest;
  if (manifest === null || typeof manifest !== "object" || typeof manifest.hash !== "string" || typeof manifest.parts !== "object") {
    throw new ArtifactError("artifact/bad-manifest", "`manifest.json` lacks `hash` or `parts`");
  }
  if (manifest.artifact_version !== ARTIFACT_VERSION) {
    throw new ArtifactError(
      "artifact/version",
      `the artifact has version ${String(manifest.artifact_version)}; this runtime reads version ${ARTIFACT_VERSION} — recompile it with \`kairos compile\``,
    );
  }
  const entries = Object.entries(manifest.parts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [path, expected] of entries) {
    const bytes = files.get(path);
    if (!bytes) throw new ArtifactError("artifact/missing-part", `the artifact has no \`${path}\`, which its manifest lists`);
    const actual = sha256Hex(bytes);
    if (actual !== expected)
      throw new ArtifactError("artifact/hash-mismatch", `\`${path}\` does not match its hash in the manifest (modified after compiling?)`);
  }
  const identity = artifactIdentity(manifest.parts, sha256Hex);
  if (identity !== manifest.hash) throw new ArtifactError("artifact/hash-mismatch", "the manifest's `hash` does not match its parts");
  for (const path of [PART.predicates, PART.catalog]) {
    if (!Object.hasOwn(manifest.parts, path)) throw new ArtifactError("artifact/missing-part", `the manifest does not list \`${path}\``);
  }
  return manifest;
}

/** Imports generated predicates JavaScript (a self-contained ES module) from its text. */
export async function importPredicates(js: string): Promise<PredicatesModule> {
  const url = `data:text/javascript;charset=utf-8,${encodeURIComponent(js)}`;
  let mod: unknown;
  try {
    mod = await import(/* @vite-ignore */ url);
  } catch (e) {
    throw new ArtifactError("artifact/bad-part", `\`${PART.predicates}\` cannot be loaded: ${thrownMessage(e)}`, e);
  }
  const journeys = (mod as { journeys?: unknown }).journeys;
  if (!Array.isArray(journeys) || journeys.some((j: { meta?: unknown; when?: unknown }) => typeof j?.when !== "function" || typeof j?.meta !== "object")) {
    throw new ArtifactError("artifact/bad-part", `\`${PART.predicates}\` does not export \`journeys\` as the artifact contract requires`);
  }
  return mod as PredicatesModule;
}

/**
 * Loads an engine from an artifact's files (Node reads them from a directory: runtime/node.ts).
 * `options` sets its deadlines and request limits (docs/runtime.md).
 */
export async function loadEngine(files: ArtifactFileMap, options: EngineOptions = {}): Promise<Engine> {
  const manifest = verifyArtifact(files);
  const predicates = await importPredicates(text(files, PART.predicates));
  let catalog;
  try {
    catalog = catalogFromJson(json(files, PART.catalog));
  } catch (e) {
    if (e instanceof ArtifactError) throw e;
    throw new ArtifactError("artifact/bad-part", `\`${PART.catalog}\` is not a catalog`, e);
  }
  const bundle = files.get(PART.bundle);
  // Without a bundle every candidate fails closed (`policy_unavailable`); a broken one is an error now.
  const policy = manifest.opa && bundle ? await PolicyEngine.load(bundle) : null;
  return Engine.fromParts({ manifest, catalog, predicates, policy }, options);
}
