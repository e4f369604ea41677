// Node-only loading: an artifact directory (what `kairos compile --out OUT` wrote) into an
// Engine. Everything else in runtime/ is browser-safe.
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { ArtifactError, loadEngine, PART, type ArtifactFileMap } from "./load.ts";
import type { Engine, EngineOptions } from "./engine.ts";

async function walk(root: string, dir: string, out: Map<string, Uint8Array>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, path, out);
    else if (entry.isFile()) out.set(relative(root, path).split(sep).join("/"), new Uint8Array(await readFile(path)));
  }
}

/** Reads every file of an artifact directory, keyed by its `/`-separated relative path. */
export async function readArtifactDir(dir: string): Promise<ArtifactFileMap> {
  const files = new Map<string, Uint8Array>();
  try {
    await walk(dir, dir, files);
  } catch (e) {
    throw new ArtifactError("artifact/missing-part", `cannot read the artifact directory \`${dir}\``, e);
  }
  if (!files.has(PART.manifest))
    throw new ArtifactError("artifact/missing-part", `\`${dir}\` has no ${PART.manifest}; is it the output of \`kairos compile\`?`);
  return files;
}

/** Loads an engine from an artifact directory. Throws ArtifactError (or OpaError) when it cannot. */
export async function loadEngineDir(dir: string, options: EngineOptions = {}): Promise<Engine> {
  return loadEngine(await readArtifactDir(dir), options);
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
