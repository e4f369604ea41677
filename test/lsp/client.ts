// A real Language Server Protocol client for the tests: starts `node bin/kairos.js lsp --stdio`
// as a child process and speaks JSON-RPC to it over its stdin and stdout with
// vscode-languageserver-protocol, as an editor does. Every wait has a deadline, so a server
// that never answers fails the test instead of hanging it.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import {
  createProtocolConnection,
  type ProtocolConnection,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";

const KAIROS = fileURLToPath(new URL("../../bin/kairos.js", import.meta.url));
/** How long any one answer may take before the test gives up on the server. */
const DEADLINE_MS = 20_000;

/** Rejects with `what` when `p` takes longer than the deadline. */
export function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A running server and the client connection to it. */
export interface LspSession {
  readonly connection: ProtocolConnection;
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Everything the server wrote to stderr. */
  stderr(): string;
  /** How many diagnostics notifications have arrived so far: pass it to `diagnostics` to skip them. */
  mark(): number;
  /** Resolves with the first diagnostics notification after the first `after` that `accept` takes. */
  diagnostics(accept: (p: PublishDiagnosticsParams) => boolean, what: string, after?: number): Promise<PublishDiagnosticsParams>;
  /** Resolves with the child's exit code. */
  exited: Promise<number | null>;
}

/** Starts the server in `cwd`. */
export function startServer(cwd: string): LspSession {
  const child = spawn(process.execPath, [KAIROS, "lsp", "--stdio"], { cwd, stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (b: Buffer) => {
    err += b.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const received: PublishDiagnosticsParams[] = [];
  const waiting: { accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    received.push(p);
    for (const w of [...waiting]) {
      if (w.accept(p)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  connection.listen();
  return {
    connection,
    child,
    stderr: () => err,
    exited,
    mark: () => received.length,
    diagnostics(accept, what, after = 0) {
      const seen = received.slice(after).find(accept);
      if (seen) return Promise.resolve(seen);
      return within(new Promise((resolve) => waiting.push({ accept, resolve })), what);
    },
  };
}
