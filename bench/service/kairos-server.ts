// The Kairos side of the service benchmark: `kairos serve` as a child process (`node
// bin/kairos.js serve ARTIFACT`), exactly as a user starts it — durable logging (every
// acknowledged decision committed to the store before the answer), on the embedded store in a
// fresh data directory or on a PostgreSQL URL — with `--clock request`, so that the workload's
// `now` is the decision time and both servers make the same logical decisions. A tokens file
// with one bench token is written first; the token goes in every request.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newSecret, tokenHash } from "../../server/auth.ts";
import { freePort, startChild, waitReady, type ServerChild } from "./children.ts";

const BIN = fileURLToPath(new URL("../../bin/kairos.js", import.meta.url));

export interface KairosServerOptions {
  readonly artifact: string;
  /** The data directory (embedded store, keys, tokens). */
  readonly dataDir: string;
  /** A postgres:// URL; the embedded store when absent. */
  readonly store?: string;
  /** Where its stdout and stderr go. */
  readonly output: string;
  /** Writes a V8 CPU profile into this directory when the process exits (`--cpu-prof`). */
  readonly cpuProfDir?: string;
  /** The token's secret (a new one when absent). */
  readonly token?: string;
  /** `request` (default): the workload's `now` is the decision time; `system`: the server's clock. */
  readonly clock?: "system" | "request";
  /** The child's environment (default this process's), e.g. with the log keys two instances share. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface KairosServer {
  readonly child: ServerChild;
  readonly url: string;
  /** The bearer token (scopes decide, consent:write, consent:read, audit:read, admin, metrics). */
  readonly token: string;
}

/** Writes `<dataDir>/bench-tokens.json` holding one token; returns its secret. */
export function writeBenchToken(dataDir: string, secret = newSecret()): { file: string; secret: string } {
  const file = join(dataDir, "bench-tokens.json");
  const tokens = {
    tokens: [{ name: "bench", sha256: tokenHash(secret), scopes: ["decide", "consent:write", "consent:read", "audit:read", "admin", "metrics"] }],
  };
  writeFileSync(file, JSON.stringify(tokens, null, 2) + "\n", { mode: 0o600 });
  return { file, secret };
}

/** Starts `kairos serve` on a free loopback port and waits until /readyz answers. */
export async function startKairosServer(o: KairosServerOptions): Promise<KairosServer> {
  const port = await freePort();
  const { file, secret } = writeBenchToken(o.dataDir, o.token);
  const node = [...(o.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", o.cpuProfDir] : [])];
  const args = [
    ...node,
    BIN,
    "serve",
    o.artifact,
    "--data-dir",
    o.dataDir,
    "--listen",
    `127.0.0.1:${port}`,
    "--clock",
    o.clock ?? "request",
    "--tokens",
    file,
    // No access-log line per request (OPA runs at --log-level error, so it writes none either);
    // the decision log — the store's chain — is written either way.
    "--quiet",
    ...(o.store ? ["--store", o.store] : []),
  ];
  const child = startChild("kairos serve", process.execPath, args, o.output, { ...(o.env ?? process.env), NO_COLOR: "1" });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(child, `${url}/readyz`);
  } catch (e) {
    await child.stop();
    throw e;
  }
  return { child, url, token: secret };
}
