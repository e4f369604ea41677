// `kairos serve DIR|ARTIFACT`: the decision service over HTTP (docs/service.md). State lives in
// the store — the embedded one in `--data-dir` (default .kairos/), the SQLite one (`--store
// sqlite:` in `--data-dir`, or `sqlite:PATH`) or a PostgreSQL that several instances share
// (`--store postgres://…`). Prints where it listens, the store, the artifact and, on the first
// start, the admin token; SIGINT/SIGTERM shut it down gracefully. Exit 1 when it cannot start
// (a store that does not answer, a policy set that does not compile, a port in use).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { activationLines, registerActivationMetrics } from "../../server/activation.ts";
import { APPROVERS_FILE } from "../../server/approvals.ts";
import { approveCommand } from "../../server/approval-check.ts";
import { loadArtifact } from "../../server/artifact.ts";
import { StartError, startServer, TokensFileError } from "../../server/index.ts";
import type { RetentionOptions } from "../../server/retention.ts";
import type { Trust } from "../../server/signing.ts";
import { isRetention } from "../../runtime/log/retain-policy.ts";
import { StoreError } from "../../server/store/errors.ts";
import { EXIT, parse, UsageError } from "../io.ts";
import type { Command } from "../main.ts";

/** `HOST:PORT`, `:PORT` or `PORT` → host and port. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new UsageError(`\`--listen\` takes HOST:PORT, like \`127.0.0.1:8181\`; got \`${text}\``);
  const host = m[1] === undefined || m[1] === "" ? "127.0.0.1" : m[1].replace(/^\[|\]$/g, "");
  return { host, port };
}

function positiveInt(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`\`--${name}\` takes a positive whole number; got \`${String(v)}\``);
  return n;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(signal);
    };
    const onInt = on("SIGINT");
    const onTerm = on("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
}

/** `--retention-interval MS` (0: off) and `--default-retention DURATION` as the retention job's options. */
function retentionOptions(interval: unknown, fallback: unknown): RetentionOptions | undefined {
  let intervalMs: number | undefined;
  if (interval !== undefined) {
    const text = String(interval);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      throw new UsageError(`\`--retention-interval\` takes milliseconds between retention runs (0 turns them off), not \`${text}\``);
    }
    intervalMs = Number(text);
  }
  if (fallback !== undefined && !isRetention(String(fallback))) {
    throw new UsageError(`\`--default-retention\` takes an ISO 8601 duration like \`P2Y\`, \`P90D\` or \`PT12H\`, not \`${String(fallback)}\``);
  }
  if (intervalMs === undefined && fallback === undefined) return undefined;
  return { ...(intervalMs === undefined ? {} : { intervalMs }), ...(fallback === undefined ? {} : { defaultRetention: String(fallback) }) };
}

/** The job's interval, for the banner ("1h", "90s", "250ms"). */
function formatInterval(job: { readonly intervalMs: number }): string {
  const ms = job.intervalMs;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The trusted signers `--trust` (or KAIROS_TRUSTED_SIGNERS) names, read; a bad file is a StartError. */
async function trustOf(option: string | undefined): Promise<Trust | undefined> {
  const { readTrust, SigningError, trustFileOf } = await import("../../server/signing.ts");
  const file = trustFileOf(option);
  if (file === undefined) return undefined;
  try {
    return readTrust(file);
  } catch (e) {
    if (e instanceof SigningError) throw new StartError(e.code, e.message, { hint: e.hint });
    throw e;
  }
}

export const command: Command = {
  summary: "serve decisions over HTTP, with state in an embedded store or PostgreSQL",
  usage:
    "kairos serve DIR|ARTIFACT [--store URL] [--data-dir DIR] [--listen HOST:PORT] [--tokens FILE] [--clock system|request]\n" +
    "             [--provider URL_TEMPLATE] [--provider-timeout MS] [--log-shards N] [--max-inflight N] [--approvals DIR]\n" +
    "             [--trust FILE] [--version NAME] [--retention-interval MS] [--default-retention DURATION] [--stop-loss-interval MS] [--quiet]",
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      store: { type: "string" },
      "data-dir": { type: "string" },
      listen: { type: "string" },
      tokens: { type: "string" },
      clock: { type: "string" },
      provider: { type: "string" },
      "provider-timeout": { type: "string" },
      "log-shards": { type: "string" },
      "max-inflight": { type: "string" },
      approvals: { type: "string" },
      trust: { type: "string" },
      version: { type: "string" },
      "retention-interval": { type: "string" },
      "default-retention": { type: "string" },
      "stop-loss-interval": { type: "string" },
      quiet: { type: "boolean" },
    });
    if (positionals.length !== 1)
      throw new UsageError(positionals.length ? "give exactly one policy set or artifact directory" : "missing the policy set or artifact directory");
    const clock = (values["clock"] ?? "system") as string;
    if (clock !== "system" && clock !== "request")
      throw new UsageError("`--clock` is `system` (the server's clock) or `request` (the request's `now`: simulations, tests)");
    const { host, port } = parseListen((values["listen"] as string | undefined) ?? "127.0.0.1:8181");
    const storeUrl = values["store"] as string | undefined;
    if (storeUrl !== undefined && !/^postgres(ql)?:\/\//.test(storeUrl) && !/^(sqlite|pglite):/i.test(storeUrl)) {
      throw new UsageError(
        "`--store` takes a PostgreSQL URL (`postgres://user@host:5432/db`), `sqlite:` / `sqlite:PATH` (the SQLite store, in `--data-dir` or at PATH) or `pglite:` (PGlite in `--data-dir`); " +
          "leave it out for the embedded store in `--data-dir`",
      );
    }
    const providerUrl = values["provider"] as string | undefined;
    const providerTimeout = positiveInt("provider-timeout", values["provider-timeout"]);
    if (providerTimeout !== undefined && providerUrl === undefined) throw new UsageError("`--provider-timeout` needs `--provider URL_TEMPLATE`");
    const logShards = positiveInt("log-shards", values["log-shards"]);
    const maxInFlight = positiveInt("max-inflight", values["max-inflight"]);
    const retention = retentionOptions(values["retention-interval"], values["default-retention"]);
    const stopLossText = values["stop-loss-interval"];
    if (stopLossText !== undefined && (!/^\d+$/.test(String(stopLossText)) || !Number.isSafeInteger(Number(stopLossText)))) {
      throw new UsageError(`\`--stop-loss-interval\` takes milliseconds between stop-loss checks (0 turns them off), not \`${String(stopLossText)}\``);
    }

    // Listen for signals before anything is printed: a signal that arrives right after the banner
    // (or during the start) must close the service, not kill the process.
    const signalled = waitForSignal();
    let server: Awaited<ReturnType<typeof startServer>>;
    let loaded: Awaited<ReturnType<typeof loadArtifact>>;
    let trust: Trust | undefined;
    try {
      // Loaded here rather than by startServer: journeys that need a DPO approval are activated
      // only when one covers them (docs/approvals.md), from `--approvals DIR` or the policy set's own.
      const approvals = values["approvals"] as string | undefined;
      // Signing configured (--trust, else KAIROS_TRUSTED_SIGNERS): only signed, untampered artifacts are served.
      trust = await trustOf(values["trust"] as string | undefined);
      loaded = await loadArtifact(positionals[0]!, {}, { ...(approvals === undefined ? {} : { approvals }), ...(trust === undefined ? {} : { trust }) });
      server = await startServer({
        ...(trust === undefined ? {} : { trust }),
        artifact: loaded.engine,
        // Published in the store's registry (docs/rollout.md): an artifact directory with its approvals, under `--version`.
        // A policy set compiled here is published as compiled, with its own approvals when it has some.
        ...(loaded.compiled
          ? {
              ...(loaded.files ? { artifactFiles: Object.fromEntries(loaded.files) } : {}),
              ...(approvals === undefined && existsSync(join(positionals[0]!, APPROVERS_FILE)) ? { approvals: positionals[0]! } : {}),
            }
          : { artifactDir: positionals[0]! }),
        ...(values["version"] === undefined ? {} : { version: values["version"] as string }),
        ...(approvals === undefined ? {} : { approvals }),
        ...(storeUrl === undefined ? {} : { store: storeUrl }),
        ...(values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] as string }),
        ...(values["tokens"] === undefined ? {} : { tokensFile: values["tokens"] as string }),
        ...(logShards === undefined ? {} : { logShards }),
        ...(maxInFlight === undefined ? {} : { maxInFlight }),
        ...(retention === undefined ? {} : { retention }),
        ...(stopLossText === undefined ? {} : { stopLoss: { intervalMs: Number(stopLossText) } }),
        ...(providerUrl === undefined ? {} : { httpProvider: { url: providerUrl, ...(providerTimeout === undefined ? {} : { timeoutMs: providerTimeout }) } }),
        host,
        port,
        clock,
        ...(values["quiet"] ? { accessLog: false as const } : { accessLog: (line: string) => io.out(line) }),
        errorLog: (line) => io.err(line),
      });
    } catch (e) {
      if (e instanceof StoreError || e instanceof StartError || e instanceof TokensFileError) {
        const details = e instanceof StartError && e.details ? `${e.details}\n` : "";
        io.err(`${details}kairos serve: ${e.message}${e.hint ? `\nhelp: ${e.hint}` : ""}`);
        return EXIT.failed;
      }
      if (e instanceof RangeError && providerUrl !== undefined) throw new UsageError(`\`--provider\`: ${e.message}`);
      const code = (e as { code?: unknown }).code;
      if (code === "EADDRINUSE" || code === "EADDRNOTAVAIL" || code === "EACCES") {
        const why = code === "EADDRINUSE" ? "the address is in use" : code === "EACCES" ? "permission denied" : "the address is not available on this machine";
        io.err(`kairos serve: cannot listen on ${host}:${port}: ${why}\nhelp: choose another with \`--listen HOST:PORT\` (port 0 picks a free one)`);
        return EXIT.failed;
      }
      throw e;
    }
    io.err(`kairos serve: listening on ${server.url}`);
    io.err(`  store:    ${server.store.kind} ${server.store.location}`);
    io.err(`  artifact: ${server.engine.hash}${loaded.compiled ? ` (compiled from ${positionals[0]})` : ""}`);
    if (trust !== undefined) io.err(`  signing:  only artifacts signed by a trusted signer of ${trust.file} (${trust.signers.map((s) => s.name).join(", ")})`);
    registerActivationMetrics(server.metrics.registry, loaded.activation);
    const home = (values["approvals"] as string | undefined) ?? (loaded.compiled ? positionals[0]! : "POLICY_DIR");
    for (const line of activationLines(loaded.activation, (journey) => approveCommand(home, journey))) io.err(line);
    io.err(`  retention: ${server.retention.disabled ?? `every ${formatInterval(server.retention)}`}`);
    const stopLoss = server.service.stopLoss;
    if (stopLoss) {
      const watched = stopLoss.watched.length > 0 ? `for ${stopLoss.watched.join(", ")}` : "(no journey of the versions in force has a `stop_loss` now)";
      io.err(`  stop-loss: ${stopLoss.disabled ?? `every ${formatInterval(stopLoss)} ${watched}`}`);
    }
    io.err(`  clock:    ${clock}${clock === "request" ? " (requests carry `now`; wake-ups run with POST /v1/admin/wakeups/run)" : ""}`);
    if (server.adminToken) {
      io.err(`  admin token (shown once, only its hash is stored): ${server.adminToken}`);
    }
    io.err(`  tokens:   ${server.tokensFile}`);
    const signal = await signalled;
    io.err(`kairos serve: ${signal}: finishing the requests in flight, then closing the store`);
    await server.close();
    const stats = server.batchStats();
    io.err(`kairos serve: closed (${stats.items} commits in ${stats.batches} batches, largest ${stats.largest})`);
    return EXIT.ok;
  },
};
