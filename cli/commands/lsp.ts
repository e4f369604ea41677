// `kairos lsp [--stdio]`: the language server for editors (lsp/), speaking the Language Server
// Protocol on stdin and stdout. Nothing else may write to stdout while it runs; it ends when the
// editor sends `exit` (exit code 0 after `shutdown`, 1 without).
import { parse } from "../io.ts";
import type { Command } from "../main.ts";

export const command: Command = {
  summary: "the language server for editors (Language Server Protocol over stdio)",
  usage: "kairos lsp [--stdio]",
  async run(argv) {
    // `--stdio` is what editors' clients pass (and the only transport); `--clientProcessId` too.
    parse(argv, { stdio: { type: "boolean" }, clientProcessId: { type: "string" } }, false);
    const { serveStdio } = await import("../../lsp/index.ts");
    serveStdio();
    // The connection exits the process on the client's `exit` notification.
    return new Promise<number>(() => {});
  },
};
