// Opening an OPA bundle (tar.gz bytes) into its parts: .manifest, data.json and policy.wasm.
// No Node imports: the same code runs in the browser.
import { gunzipSync } from "fflate";
import { OpaError, thrownMessage } from "./errors.ts";
import { readTar, TarError } from "../../core/tar.ts";

export interface OpaManifest {
  readonly revision?: string;
  readonly roots?: readonly string[];
  readonly wasm?: readonly { readonly entrypoint: string; readonly module: string }[];
  readonly rego_version?: number;
  readonly [key: string]: unknown;
}

/** The parts of a bundle the runtime needs. */
export interface BundleParts {
  readonly manifest: OpaManifest;
  readonly data: unknown;
  readonly wasm: Uint8Array;
}

function parseJson(bytes: Uint8Array, what: string, code: "opa/bundle-missing-manifest" | "opa/bundle-missing-data"): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new OpaError(code, `bundle ${what} is not valid JSON: ${thrownMessage(e)}`, { file: what }, e);
  }
}

/** Untars and parses a bundle; throws an OpaError naming what is missing or corrupt. */
export function openBundle(bytes: Uint8Array): BundleParts {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(bytes);
  } catch (e) {
    throw new OpaError("opa/bundle-corrupt", `bundle is not a valid gzip archive: ${thrownMessage(e)}`, {}, e);
  }
  let entries;
  try {
    entries = readTar(tar);
  } catch (e) {
    if (e instanceof TarError) throw new OpaError("opa/bundle-corrupt", e.message, { ...e.detail }, e);
    throw e;
  }
  const files = new Map(entries.map((e) => [e.name, e.data]));
  const manifestBytes = files.get(".manifest");
  if (!manifestBytes) throw new OpaError("opa/bundle-missing-manifest", "bundle has no `.manifest`");
  const manifest = parseJson(manifestBytes, ".manifest", "opa/bundle-missing-manifest");
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
    throw new OpaError("opa/bundle-missing-manifest", "bundle `.manifest` is not a JSON object");
  }
  const dataBytes = files.get("data.json");
  if (!dataBytes) throw new OpaError("opa/bundle-missing-data", "bundle has no `data.json`");
  const data = parseJson(dataBytes, "data.json", "opa/bundle-missing-data");
  const modules = (manifest as OpaManifest).wasm ?? [];
  const wasmPath = modules[0]?.module.replace(/^\/+/, "") ?? "policy.wasm";
  const wasm = files.get(wasmPath);
  if (!wasm) throw new OpaError("opa/bundle-missing-wasm", `bundle has no \`${wasmPath}\` (not built with \`-t wasm\`?)`);
  return { manifest: manifest as OpaManifest, data, wasm };
}
