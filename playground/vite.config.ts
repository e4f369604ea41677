// The playground's Vite config: the app lives in playground/, builds to playground/dist/ with
// relative URLs (any static file server works), and a small plugin builds the standard
// consent + residency policies into an OPA Wasm bundle with the pinned OPA CLI — emitted as an
// asset at build time, served from memory by the dev server.
import { builtinModules } from "node:module";
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = fileURLToPath(new URL("..", import.meta.url));

/** Where the page fetches the bundle from (next to index.html) and its sidecar of hashes. */
const BUNDLE_FILE = "kairos-opa.tar.gz";
const INFO_FILE = "kairos-opa.json";

interface BuiltBundle {
  readonly bundle: Uint8Array;
  readonly info: string;
}

/**
 * Builds the standard policies once per process. The catalog only shapes the bundle's data
 * document, which the page replaces with the current catalog's, so the example catalog is used.
 */
async function buildStandardBundle(): Promise<BuiltBundle> {
  // Loaded by Node itself (type stripping), not bundled into the config: otherwise every edit
  // to the compiler would restart the dev server.
  const load = <T>(path: string): Promise<T> => import(/* @vite-ignore */ pathToFileURL(repo + path).href) as Promise<T>;
  const { checkSources } = await load<typeof import("../compiler/pipeline.ts")>("compiler/pipeline.ts");
  const { buildOpaBundle } = await load<typeof import("../compiler/opa/index.ts")>("compiler/opa/index.ts");
  const text = await readFile(`${repo}policies/catalog.yaml`, "utf8");
  const checked = checkSources({ catalog: { name: "catalog.yaml", text }, journeys: [], rego: [] });
  if (!checked.catalog) throw new Error("policies/catalog.yaml does not load; run `npx kairos check policies`");
  const built = await buildOpaBundle({ catalog: checked.catalog });
  const info = { opaVersion: built.opaVersion, entrypoints: built.entrypoints, rego: built.hashes.rego, wasm: built.hashes.wasm };
  return { bundle: built.bundle, info: JSON.stringify(info, null, 2) + "\n" };
}

function opaBundle(): Plugin {
  let built: Promise<BuiltBundle> | undefined;
  const get = (): Promise<BuiltBundle> => (built ??= buildStandardBundle());
  return {
    name: "kairos-opa-bundle",
    configureServer(server) {
      get().catch((e: unknown) => server.config.logger.error(`kairos: the OPA bundle cannot be built: ${e instanceof Error ? e.message : String(e)}`));
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? "").split("?")[0]!;
        if (!path.endsWith(`/${BUNDLE_FILE}`) && !path.endsWith(`/${INFO_FILE}`)) return next();
        get().then(
          (b) => {
            const isBundle = path.endsWith(BUNDLE_FILE);
            res.setHeader("content-type", isBundle ? "application/gzip" : "application/json");
            res.end(isBundle ? b.bundle : b.info);
          },
          (e: unknown) => {
            res.statusCode = 503;
            res.end(`the OPA bundle cannot be built: ${e instanceof Error ? e.message : String(e)}`);
          },
        );
      });
    },
    async generateBundle() {
      const b = await get();
      this.emitFile({ type: "asset", fileName: BUNDLE_FILE, source: b.bundle });
      this.emitFile({ type: "asset", fileName: INFO_FILE, source: b.info });
    },
  };
}

/** Fails the build when browser code imports a Node built-in (the compiler must stay browser-safe). */
function browserOnly(): Plugin {
  const builtins = new Set(builtinModules);
  return {
    name: "kairos-browser-only",
    enforce: "pre",
    resolveId(id, importer) {
      if (id.startsWith("node:") || builtins.has(id)) {
        this.error(
          `\`${importer ?? "?"}\` imports the Node module \`${id}\`, which does not exist in the browser: keep Node-only code out of what the playground imports`,
        );
      }
      return null;
    },
  };
}

export default defineConfig({
  root: here,
  base: "./",
  plugins: [browserOnly(), opaBundle()],
  worker: { format: "es", plugins: () => [browserOnly()] },
  server: { fs: { allow: [repo] } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096,
    rolldownOptions: { checks: { pluginTimings: false } },
  },
});
