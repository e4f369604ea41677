// Server processes for the service benchmark (bench/service.ts): a free loopback port, a child
// whose output goes to a file (never a pipe the load generator would have to drain), a wait
// for its health route with a deadline, and a stop that escalates to SIGKILL. Both the OPA
// server and `kairos serve` run this way, so neither shares an event loop or a core-scheduling
// advantage with autocannon beyond what the OS gives every process.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A loopback port nothing listens on right now (the OS picks it; the child then binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A running server child. */
export interface ServerChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Where its stdout and stderr go. */
  readonly output: string;
  /** The last `n` characters it wrote (for error messages). */
  tail(n?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command args` with stdout and stderr appended to `output`. */
export function startChild(name: string, command: string, args: readonly string[], output: string, env: NodeJS.ProcessEnv = process.env): ServerChild {
  const fd = openSync(output, "a");
  const child = spawn(command, args, { stdio: ["ignore", fd, fd], env });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    name,
    process: child,
    output,
    tail(n = 2000) {
      try {
        return readFileSync(output, "utf8").slice(-n).trim();
      } catch {
        return "";
      }
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 2xx; throws with the child's last output after `deadlineMs`. */
export async function waitReady(child: ServerChild, url: string, deadlineMs = 60_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited with code ${child.process.exitCode} before it was ready:\n${child.tail()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${child.name} did not answer ${url} within ${deadlineMs / 1000} s:\n${child.tail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
