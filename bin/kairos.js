#!/usr/bin/env node
// The `kairos` command, in two settings:
// - in the checkout, it runs the TypeScript sources (cli/main.ts) with Node's built-in type
//   stripping, which needs Node >= 22.18; `npm ci` installs Node 24 into node_modules/.bin,
//   which `npx kairos` and every npm script put first on PATH;
// - installed from the package (`npm install @kairos-policy/kairos`), the sources are not
//   shipped and Node would refuse to strip types inside node_modules anyway: it runs the
//   JavaScript build in dist/ (`npm run build`, done by `npm pack`).
// The OPA CLI (every command that compiles Rego — `check` too — runs it) is `$KAIROS_OPA` if
// set, else the checkout's .tools/bin/opa (`npm run setup`); an installed package has no
// .tools/, so there an `opa` found on PATH is used when `$KAIROS_OPA` is unset.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

const source = new URL("../cli/main.ts", import.meta.url);
const inCheckout = existsSync(fileURLToPath(source));

// One floor for both settings, the package's `engines` (>= 22.18): below it the checkout cannot
// strip types, and the build is not tested there (chevrotain needs Node >= 22 in any case).
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `kairos: Node ${process.versions.node} is too old (need >= 22.18).\n` +
      (inCheckout
        ? `help: run it as \`npx kairos …\` after \`npm ci\` — that uses the Node 24 the project installs\n`
        : `help: install Node 22.18 or later (https://nodejs.org), then run \`npx kairos …\` again\n`),
  );
  process.exit(2);
}

/** The first executable `opa` on PATH, if any. */
function opaOnPath() {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, process.platform === "win32" ? "opa.exe" : "opa");
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

// Output piped into a reader that stops early (`kairos replay --format json | head`): the reader
// got what it wanted; end quietly, as `cat` does, instead of with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (e && e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

let main;
if (inCheckout) {
  ({ main } = await import(source.href));
} else {
  if (process.env.KAIROS_OPA === undefined) {
    const opa = opaOnPath();
    if (opa) process.env.KAIROS_OPA = opa;
  }
  ({ main } = await import("../dist/cli/main.js"));
}
process.exitCode = await main(process.argv.slice(2));
