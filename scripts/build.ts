// `npm run build` (and `npm pack`, through prepack): the installable package in dist/.
// tsc (tsconfig.build.json) turns the library and the CLI into JavaScript + .d.ts with `.js`
// import specifiers, because Node will not strip types from files inside node_modules. Then
// the files read from disk at run time, which tsc does not know about, are copied to the
// places the code computes relative to its own URL:
// - compiler/opa/build.ts: DEFAULT_REGO_DIR = <root>/runtime/opa/default-rego, the standard
//   consent and residency policies for a policy set without its own rego/;
// - cli/commands/demo.ts: DEFAULT_POLICIES = <root>/policies, the example set `kairos demo` runs.
// Imported JSON (the catalog schema) is emitted by tsc itself. Last, the output is checked: no
// `.ts` specifier left in the JavaScript and every copied file in place, so a broken package
// fails here rather than in a user's node_modules.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

/** Source folder → destination in dist/, with which files to take. */
const ASSETS: readonly { from: string; to: string; take: (name: string) => boolean }[] = [
  // The `_test.rego` files are never bundled (isBundledRego, compiler/opa/backend.ts): not shipped.
  { from: "runtime/opa/default-rego", to: "runtime/opa/default-rego", take: (n) => n.endsWith(".rego") && !n.endsWith("_test.rego") },
  { from: "policies", to: "policies", take: () => true },
];

function fail(message: string): never {
  process.stderr.write(`kairos build: ${message}\n`);
  process.exit(1);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

// A stale dist/ could ship files whose sources were deleted or moved.
rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const compiled = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (compiled.status !== 0) fail(`tsc -p tsconfig.build.json failed (exit ${compiled.status ?? compiled.signal})`);

for (const { from, to, take } of ASSETS) {
  const src = join(root, from);
  const files = filesUnder(src).filter((f) => take(relative(src, f)));
  if (files.length === 0) fail(`nothing to copy from ${from}/`);
  for (const file of files) {
    const dest = join(dist, to, relative(src, file));
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(file, dest);
  }
}

// Relative `.ts` specifiers in the emitted JavaScript would make Node look for files that are not
// shipped. (The .d.ts files keep `.ts` specifiers: TypeScript resolves them to the .d.ts.)
const tsSpecifier = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']*\.ts)["']/;
const shipped = filesUnder(dist);
for (const file of shipped) {
  if (file.endsWith(".ts") && !file.endsWith(".d.ts")) fail(`TypeScript source in the package: ${relative(root, file)}`);
  if (!file.endsWith(".js")) continue;
  const hit = tsSpecifier.exec(readFileSync(file, "utf8"));
  if (hit) fail(`${relative(root, file)} still imports ${hit[1]}`);
}
// Every entry point package.json promises, and the files the code reads beside itself.
type Exports = Record<string, string | Record<string, string>>;
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Exports };
const promised = Object.values(manifest.exports).flatMap((target) => (typeof target === "string" ? [target] : Object.values(target)));
const needed = [...promised.map((p) => join(root, p)), ...["cli/main.js", "compiler/catalog/catalog.schema.json"].map((p) => join(dist, p))];
for (const file of needed) {
  if (!existsSync(file)) fail(`${relative(root, file)} is missing`);
}
// On stderr: `npm pack --json` prints its report on stdout, after this script's output.
process.stderr.write(`kairos build: ${shipped.length} files in dist/\n`);
