// Writes docs/cli.md from the help entries: `node cli/help/gen-docs.ts` after changing any of them.
import { writeFileSync } from "node:fs";
import { renderCliMarkdown } from "./render.ts";

writeFileSync(new URL("../../docs/cli.md", import.meta.url), renderCliMarkdown());
process.stdout.write("wrote docs/cli.md\n");
