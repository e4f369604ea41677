// Loading a compiled artifact from its files (browser-safe: no node: imports): the manifest is
// checked, every part's sha256 verified against it, the predicates module evaluated from the
// verified bytes, the catalog rebuilt, and the OPA bundle loaded. What runs is what was hashed.
// `predicates.ts` is never read at run time, so loading neither needs nor hashes it: the
// manifest's identity still covers its recorded hash, and nothing unverified is executed. For
// memory (10,000 journeys in little resident memory, docs/benchmarks.md), the predicates are
// evaluated journey by journey when first used, and the engine's manifest parses its per-journey
// members (`journeys`, `triggers`: descriptive, never read to decide) only when asked for.
import { ARTIFACT_PART, ARTIFACT_VERSION, artifactIdentity, type Manifest, type PredicatesModule } from "../core/artifact.ts";
import { catalogFromJson } from "../core/catalog/serialize.ts";
import { Engine, type EngineOptions } from "./engine.ts";
import { PolicyEngine } from "./opa/index.ts";
import { sha256Hex } from "../core/sha256.ts";
import { thrownMessage } from "./thrown.ts";
import { evaluatePredicateSections } from "./predicates-sections.ts";

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

/** Parts an artifact carries for people and tools that the runtime never reads (core/artifact.ts). */
export const UNREAD_AT_RUN_TIME: readonly string[] = [PART.predicatesTs];

/** What `verifyArtifact` checks. */
export interface VerifyOptions {
  /**
   * `"all"` (the default): every part the manifest lists must be present with its hash.
   * `"runtime"`: parts the runtime never reads (`UNREAD_AT_RUN_TIME`) need not be present and
   * are not hashed, so that loading does not read or hash them; every other part is checked.
   */
  readonly parts?: "all" | "runtime";
}

/** Checks the manifest and that every part it lists (see `options`) has the recorded sha256. */
export function verifyArtifact(files: ArtifactFileMap, options: VerifyOptions = {}): Manifest {
  const manifest = json(files, PART.manifest) as Manifest;
  verifyManifest(files, manifest, options);
  return manifest;
}

/** verifyArtifact's checks of a parsed manifest. */
function verifyManifest(files: ArtifactFileMap, manifest: Manifest, options: VerifyOptions): void {
  const skip = options.parts === "runtime" ? new Set(UNREAD_AT_RUN_TIME) : undefined;
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
    if (skip?.has(path)) continue;
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
}

/** Members of the manifest that grow with the journeys and that running never reads (`kairos inspect` does). */
const DESCRIPTIVE_MEMBERS: readonly string[] = ["journeys", "triggers"];

/**
 * The manifest's top-level member names in order, and its text without the DESCRIPTIVE_MEMBERS,
 * when it is laid out as the compiler writes it (JSON.stringify with a 2-space indent: each
 * member starts a line `  "name": `, and nothing else does); otherwise undefined.
 */
function descriptiveCut(text: string): { names: string[]; rest: string } | undefined {
  const names: string[] = [];
  const starts: number[] = [];
  for (let at = text.indexOf('\n  "'); at >= 0; at = text.indexOf('\n  "', at + 1)) {
    const colon = text.indexOf('": ', at);
    if (colon < 0) return undefined;
    names.push(JSON.parse(text.slice(at + 3, colon + 1)) as string);
    starts.push(at);
  }
  const close = text.lastIndexOf("\n}");
  if (names.length === 0 || close < starts[starts.length - 1]!) return undefined;
  let rest = "";
  let from = 0;
  for (let i = 0; i < names.length; i++) {
    if (!DESCRIPTIVE_MEMBERS.includes(names[i]!)) continue;
    const last = i === names.length - 1;
    // A member and the comma after it; the last one, the comma before it.
    const start = last ? text.lastIndexOf(",", starts[i]!) : starts[i]!;
    rest += text.slice(from, start);
    from = last ? close : starts[i + 1]!;
  }
  return { names, rest: rest + text.slice(from) };
}

/**
 * The manifest an engine keeps (it is verified first, by `verifyArtifact`'s checks): the same
 * members in the same order, but those that grow with the journeys (`DESCRIPTIVE_MEMBERS`, ~4 MB
 * of objects for 10,000 journeys) are parsed from the manifest's text when first asked for, so
 * loading neither keeps nor (for the compiler's layout) builds them.
 */
function runtimeManifest(files: ArtifactFileMap): Manifest {
  const manifestText = text(files, PART.manifest);
  const cut = descriptiveParse(manifestText);
  const names = cut ? cut.names : undefined;
  const parsed = cut ? cut.value : (json(files, PART.manifest) as Record<string, unknown>);
  verifyManifest(files, parsed as unknown as Manifest, { parts: "runtime" });
  if (!names) return parsed as unknown as Manifest;
  let full: Record<string, unknown> | undefined;
  const out: Record<string, unknown> = {};
  for (const key of names) {
    if (!DESCRIPTIVE_MEMBERS.includes(key)) out[key] = parsed[key];
    else {
      const get = (): unknown => {
        try {
          full ??= JSON.parse(manifestText) as Record<string, unknown>;
        } catch (e) {
          throw new ArtifactError("artifact/bad-manifest", `\`${PART.manifest}\` is not valid JSON`, e);
        }
        return full[key];
      };
      Object.defineProperty(out, key, { get, enumerable: true, configurable: true });
    }
  }
  return out as unknown as Manifest;
}

/**
 * The manifest parsed without its DESCRIPTIVE_MEMBERS, with the names of all its members in
 * order; undefined when its text is not in the compiler's layout (see descriptiveCut) or the rest
 * does not parse to exactly the other members (the caller then parses it whole).
 */
function descriptiveParse(manifestText: string): { names: readonly string[]; value: Record<string, unknown> } | undefined {
  try {
    const cut = descriptiveCut(manifestText);
    if (!cut) return undefined;
    const value = JSON.parse(cut.rest) as Record<string, unknown>;
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const others = cut.names.filter((n) => !DESCRIPTIVE_MEMBERS.includes(n));
    const kept = Object.keys(value);
    return kept.length === others.length && kept.every((k, i) => k === others[i]) ? { names: cut.names, value } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Imports generated predicates JavaScript (a self-contained ES module) from its text. The layout
 * codegen writes is evaluated journey by journey, each journey when it is first used
 * (runtime/predicates-sections.ts, runtime/predicates-lazy.ts: far less memory for large policy
 * sets); any other module is imported whole.
 */
export async function importPredicates(js: string): Promise<PredicatesModule> {
  let mod: unknown = evaluatePredicateSections(js);
  if (mod === undefined) {
    const url = `data:text/javascript;charset=utf-8,${encodeURIComponent(js)}`;
    try {
      mod = await import(/* @vite-ignore */ url);
    } catch (e) {
      throw new ArtifactError("artifact/bad-part", `\`${PART.predicates}\` cannot be loaded: ${thrownMessage(e)}`, e);
    }
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
  const manifest = runtimeManifest(files);
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
