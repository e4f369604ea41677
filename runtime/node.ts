// Node-only loading: an artifact directory (what `kairos compile --out OUT` wrote) into an
// Engine. Everything else in runtime/ is browser-safe. Loading for running skips the parts the
// runtime never reads (`predicates.ts`, as large as the JavaScript), so they cost neither a read
// nor a hash.
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { ArtifactError, loadEngine, PART, UNREAD_AT_RUN_TIME, type ArtifactFileMap } from "./load.ts";
import type { Engine, EngineOptions } from "./engine.ts";

async function walk(root: string, dir: string, out: Map<string, Uint8Array>, skip: ReadonlySet<string>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const key = relative(root, path).split(sep).join("/");
    if (entry.isDirectory()) await walk(root, path, out, skip);
    else if (entry.isFile() && !skip.has(key)) {
      // A view of the buffer read, not a copy (a copy would hold the file twice until collected).
      const bytes = await readFile(path);
      out.set(key, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
  }
}

/** What `readArtifactDir` reads. */
export interface ReadArtifactOptions {
  /**
   * `"all"` (the default): every file. `"runtime"`: not the parts the runtime never reads
   * (`UNREAD_AT_RUN_TIME`); pass the result to `loadEngine` (which verifies with `parts: "runtime"`).
   */
  readonly parts?: "all" | "runtime";
}

/** Reads the files of an artifact directory (see `options`), keyed by their `/`-separated relative path. */
export async function readArtifactDir(dir: string, options: ReadArtifactOptions = {}): Promise<ArtifactFileMap> {
  const files = new Map<string, Uint8Array>();
  try {
    await walk(dir, dir, files, new Set(options.parts === "runtime" ? UNREAD_AT_RUN_TIME : []));
  } catch (e) {
    throw new ArtifactError("artifact/missing-part", `cannot read the artifact directory \`${dir}\``, e);
  }
  if (!files.has(PART.manifest))
    throw new ArtifactError("artifact/missing-part", `\`${dir}\` has no ${PART.manifest}; is it the output of \`kairos compile\`?`);
  return files;
}

/** Loads an engine from an artifact directory. Throws ArtifactError (or OpaError) when it cannot. */
export async function loadEngineDir(dir: string, options: EngineOptions = {}): Promise<Engine> {
  const files = await readArtifactDir(dir, { parts: "runtime" });
  try {
    return await loadEngine(files, options);
  } finally {
    release(files);
  }
}

/**
 * Frees the bytes of files read for loading once the engine holds what it needs (the engine keeps
 * no reference to them): an ArrayBuffer is otherwise freed only when a full collection finds it
 * dead, and a large artifact's (~20 MB for 10,000 journeys) would stay resident until then.
 * Only buffers that this module read and that hold nothing else are detached.
 */
function release(files: ArtifactFileMap): void {
  for (const bytes of files.values()) {
    const buffer = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
    if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && typeof buffer.transfer === "function") buffer.transfer(0);
  }
}

// The decision log (Node-only: files, fsync, keys): the sink that writes Kairos's hash-chained,
// authenticated log, and what reads and verifies it — what `kairos decide --log` uses.
export {
  DecisionLog,
  verifyLog,
  readCheckpoints,
  checkpointFileFor,
  loadLogKey,
  findDecision,
  replayLog,
  LogError,
  type DecisionLogOptions,
  type VerifyResult,
  type LogEntry,
  type LogKey,
} from "./log/index.ts";
