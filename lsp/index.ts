// The language server over stdio (`kairos lsp`): the protocol side of compiler/services.
import { createConnection } from "vscode-languageserver/node";
import { serveLanguage } from "./server.ts";

export { serveLanguage } from "./server.ts";

/**
 * Serves the language on the process's stdin and stdout until the client sends `exit` or closes
 * stdin; the process then exits (0 after `shutdown`, else 1).
 */
export function serveStdio(): void {
  const connection = createConnection(process.stdin, process.stdout);
  serveLanguage(connection);
}
