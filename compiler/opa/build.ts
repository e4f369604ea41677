// Building the consent and residency policies into an OPA Wasm bundle with the pinned OPA CLI.
// The bundle is repacked by us (fixed order, mtime 0, gzip without a timestamp) so that two
// builds of the same sources are byte-identical whatever the OPA CLI's own tar layout.
import { execFile } from "node:child_process";
import { access, constants, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { existsSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "fflate";
import type { Catalog } from "../../core/catalog/types.ts";
import { ALL_ENTRYPOINTS, type OpaDataDocument } from "../../core/opa-contract.ts";
import { sha256Hex } from "../../core/sha256.ts";
import { readTar, writeTar, type TarEntry } from "../../core/tar.ts";
import { isBundledRego } from "./backend.ts";
import { catalogToData, dataDocumentBytes } from "./data.ts";

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The OPA version the project pins (scripts/setup-opa.sh). */
export const PINNED_OPA_VERSION = "1.22.2";
/** Where `npm run setup` installs the pinned OPA CLI. */
export const DEFAULT_OPA_PATH = join(root, ".tools/bin/opa");
/** The standard policies used by a policy set without its own `rego/`. */
export const DEFAULT_REGO_DIR = join(root, "runtime/opa/default-rego");

export type OpaBuildErrorCode = "opa/not-installed" | "opa/wrong-version" | "opa/no-rego" | "opa/build-failed";

/** A build that cannot produce a bundle: missing CLI, no policies, or OPA rejecting them. */
export class OpaBuildError extends Error {
  readonly code: OpaBuildErrorCode;
  /** What went wrong, without the fix (the message is `reason: hint`). */
  readonly reason: string;
  /** The fix, when there is one. */
  readonly hint: string | undefined;
  /** For `opa/build-failed`: OPA's own error output, which compiler/opa/diagnostics.ts parses. */
  readonly output: string | undefined;
  constructor(code: OpaBuildErrorCode, reason: string, more: { readonly hint?: string; readonly output?: string } = {}) {
    super(more.hint ? `${reason}: ${more.hint}` : reason);
    this.name = "OpaBuildError";
    this.code = code;
    this.reason = reason;
    this.hint = more.hint;
    this.output = more.output;
  }
}

export interface OpaBuildOptions {
  /** The catalog whose data document the bundle carries (or give `data` itself). */
  readonly catalog?: Catalog;
  /** The data document, when there is no Catalog at hand (the compiler passes it). */
  readonly data?: OpaDataDocument;
  /** A `rego/` folder; its `*_test.rego` files are not bundled. Default: the standard policies. */
  readonly regoDir?: string;
  /** The Rego sources themselves, by name in the bundle, instead of a folder (tests left out likewise). */
  readonly rego?: readonly { readonly name: string; readonly text: string | Uint8Array }[];
  /** Default: `.tools/bin/opa`, or `$KAIROS_OPA`. */
  readonly opaPath?: string;
  /** Default: `kairos/decision`, `kairos/consent`, `kairos/residency`. */
  readonly entrypoints?: readonly string[];
}

export interface OpaBundleParts {
  readonly wasm: Uint8Array;
  /** data.json bytes. */
  readonly data: Uint8Array;
  /** .manifest bytes. */
  readonly manifest: Uint8Array;
}

export interface OpaBuildResult {
  /** The bundle, tar.gz, deterministic. */
  readonly bundle: Uint8Array;
  readonly parts: OpaBundleParts;
  readonly dataDocument: OpaDataDocument;
  readonly opaVersion: string;
  readonly entrypoints: readonly string[];
  /** sha256 (hex) of each bundled Rego source by file name, and of each part. */
  readonly hashes: {
    readonly rego: Readonly<Record<string, string>>;
    readonly wasm: string;
    readonly data: string;
    readonly manifest: string;
    readonly bundle: string;
  };
}

/** How to get the pinned OPA: in the checkout, `npm run setup`; for an installed package, OPA on PATH. */
const SETUP_HINT =
  existsSync(join(root, "package.json")) && existsSync(join(root, "scripts/setup-opa.sh"))
    ? "run `npm run setup` to install the pinned OPA CLI into .tools/bin (or set KAIROS_OPA to an OPA binary)"
    : `install OPA ${PINNED_OPA_VERSION} on PATH (\`go install github.com/open-policy-agent/opa@v${PINNED_OPA_VERSION}\`), or set KAIROS_OPA to its path`;

/** The version of an OPA CLI, checked to be the pinned one. */
export async function opaVersion(opaPath: string = defaultOpaPath()): Promise<string> {
  try {
    await access(opaPath, constants.X_OK);
  } catch {
    throw new OpaBuildError("opa/not-installed", `the OPA CLI is not installed at ${opaPath}`, { hint: SETUP_HINT });
  }
  let stdout: string;
  try {
    ({ stdout } = await run(opaPath, ["version"]));
  } catch (e) {
    // There, but not runnable (another architecture, a broken download): as good as missing.
    throw new OpaBuildError("opa/not-installed", `the OPA CLI at ${opaPath} does not run (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`, {
      hint: SETUP_HINT,
    });
  }
  const version = /^Version: (\S+)$/m.exec(stdout)?.[1] ?? "unknown";
  if (version !== PINNED_OPA_VERSION) {
    throw new OpaBuildError("opa/wrong-version", `the OPA CLI at ${opaPath} is version ${version}, not the pinned ${PINNED_OPA_VERSION}`, { hint: SETUP_HINT });
  }
  return version;
}

/**
 * Where the OPA CLI is: `$KAIROS_OPA`, else the checkout's `.tools/bin/opa` when it exists (what
 * `npm ci` installs), else `opa` on PATH (an installed package has no `.tools/`).
 */
function defaultOpaPath(): string {
  const fromEnv = process.env["KAIROS_OPA"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (existsSync(DEFAULT_OPA_PATH)) return DEFAULT_OPA_PATH;
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, process.platform === "win32" ? "opa.exe" : "opa");
    if (existsSync(candidate)) return candidate;
  }
  return DEFAULT_OPA_PATH;
}

/** The bundled Rego sources of a folder: `*.rego` except tests, by name. */
export async function regoSources(dir: string): Promise<{ name: string; text: Uint8Array }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new OpaBuildError("opa/no-rego", `cannot read the Rego folder ${dir}`);
  }
  const rego = names.filter(isBundledRego).sort();
  if (rego.length === 0) throw new OpaBuildError("opa/no-rego", `no Rego policies (*.rego) in ${dir}`);
  return Promise.all(rego.map(async (name) => ({ name, text: new Uint8Array(await readFile(join(dir, name))) })));
}

const enc = new TextEncoder();

/** In-memory sources as the bundle holds them: tests left out, bytes, sorted by name. */
function bundledSources(rego: NonNullable<OpaBuildOptions["rego"]>): { name: string; text: Uint8Array }[] {
  const out = rego
    .filter((r) => isBundledRego(r.name))
    .map((r) => ({ name: r.name, text: typeof r.text === "string" ? enc.encode(r.text) : r.text }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (out.length === 0) throw new OpaBuildError("opa/no-rego", "no Rego policies (*.rego besides *_test.rego) were given");
  return out;
}

const compareNames = (a: TarEntry, b: TarEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Builds the Wasm bundle: writes the sources and the catalog's data document into a temp dir,
 * runs `opa build -t wasm -e …`, and repacks the result deterministically.
 */
export async function buildOpaBundle(options: OpaBuildOptions): Promise<OpaBuildResult> {
  const opaPath = options.opaPath ?? defaultOpaPath();
  const version = await opaVersion(opaPath);
  const sources = options.rego ? bundledSources(options.rego) : await regoSources(options.regoDir ?? DEFAULT_REGO_DIR);
  const entrypoints = [...(options.entrypoints ?? ALL_ENTRYPOINTS)];
  const dataDocument = options.data ?? (options.catalog ? catalogToData(options.catalog) : undefined);
  if (!dataDocument) throw new Error("bug: buildOpaBundle needs a catalog or a data document");
  const dataBytes = dataDocumentBytes(dataDocument);

  const work = await mkdtemp(join(tmpdir(), "kairos-opa-"));
  try {
    const src = join(work, "src");
    await mkdir(src);
    await Promise.all(sources.map((s) => writeFile(join(src, s.name), s.text)));
    await writeFile(join(src, "data.json"), dataBytes);
    const out = join(work, "bundle.tar.gz");
    const args = ["build", "-t", "wasm", ...entrypoints.flatMap((e) => ["-e", e]), "-o", out, "."];
    try {
      await run(opaPath, args, { cwd: src, maxBuffer: 16 << 20 });
    } catch (e) {
      const out = e as { stderr?: string; stdout?: string };
      const stderr = out.stderr?.trim() || out.stdout?.trim() || String(e);
      throw new OpaBuildError("opa/build-failed", `opa build failed:\n${stderr}`, { output: stderr });
    }
    const entries = readTar(gunzipSync(new Uint8Array(await readFile(out)))).sort(compareNames);
    const file = (name: string): Uint8Array => {
      const found = entries.find((e) => e.name === name);
      if (!found) throw new OpaBuildError("opa/build-failed", `opa build produced no ${name}`);
      return found.data;
    };
    const parts: OpaBundleParts = { wasm: file("policy.wasm"), data: file("data.json"), manifest: file(".manifest") };
    // Names keep OPA's leading `/`: the manifest's wasm module paths must match them exactly.
    const bundle = gzipSync(writeTar(entries.map((e) => ({ name: `/${e.name}`, data: e.data }))), { level: 9, mtime: 0 });
    return {
      bundle,
      parts,
      dataDocument,
      opaVersion: version,
      entrypoints,
      hashes: {
        rego: Object.fromEntries(sources.map((s) => [s.name, sha256Hex(s.text)])),
        wasm: sha256Hex(parts.wasm),
        data: sha256Hex(parts.data),
        manifest: sha256Hex(parts.manifest),
        bundle: sha256Hex(bundle),
      },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
