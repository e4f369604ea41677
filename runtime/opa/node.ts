// Node-only helpers for the OPA layer: reading a bundle from disk. The loader itself
// (index.ts) has no Node imports so that it runs in the browser unchanged.
import { readFile } from "node:fs/promises";
import { PolicyEngine, type PolicyEngineOptions } from "./evaluate.ts";

/** Reads a bundle's tar.gz bytes from a file. */
export async function readBundleFile(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path));
}

/** Loads a PolicyEngine from a bundle file. */
export async function loadPolicyEngineFile(path: string, options: PolicyEngineOptions = {}): Promise<PolicyEngine> {
  return PolicyEngine.load(await readBundleFile(path), options);
}
