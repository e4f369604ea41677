#!/usr/bin/env node
// The `kairos` command. Kairos is written in TypeScript and run by Node's built-in type
// stripping, which needs Node >= 22.18; `npm ci` installs Node 24 into node_modules/.bin,
// which `npx kairos` and every npm script put first on PATH.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `kairos: Node ${process.versions.node} is too old (need >= 22.18).\n` +
      `help: run it as \`npx kairos …\` after \`npm ci\` — that uses the Node 24 the project installs\n`,
  );
  process.exit(2);
}
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
