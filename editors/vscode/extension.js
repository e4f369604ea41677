// The VS Code side of the Kairos language server: starts `kairos lsp --stdio` (the command is
// the `kairos.command` setting, `npx kairos` by default, run in the workspace folder) for
// `.journey` files and catalog.yaml, and lets vscode-languageclient speak the protocol. All the
// language knowledge is in the server (lsp/ and compiler/services/ of the Kairos repository).

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {import("vscode-languageclient/node").LanguageClient | undefined} */
let client;

/** @param {import("vscode").ExtensionContext} context */
async function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("kairos").get("command") ?? ["npx", "kairos"];
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const run = { command, args: [...args, "lsp"], transport: TransportKind.stdio, options: { cwd, shell: process.platform === "win32" } };
  client = new LanguageClient(
    "kairos",
    "Kairos",
    { run, debug: run },
    {
      documentSelector: [
        { scheme: "file", language: "journey" },
        { scheme: "file", pattern: "**/catalog.yaml" },
      ],
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/{catalog.yaml,*.journey}") },
    },
  );
  context.subscriptions.push(client);
  await client.start();
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
