// `kairos serve` as a process: it prints where it listens, its store, the artifact and the
// admin token once; SIGTERM closes it gracefully; a store that does not answer stops the start
// with a clear error (exit 1); and `kill -9` mid-load loses nothing acknowledged — every
// acknowledged decision is in the log, the chain verifies, and each wake-up of an acknowledged
// decision fires exactly once afterwards — on the embedded stores (PGlite, SQLite) and on PostgreSQL.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeArtifactDir } from "../../compiler/node/artifact-write.ts";
import { createToken, SCOPES } from "../../server/auth.ts";
import { verifyStoreLog } from "../../server/store/index.ts";
import type { SqlStore } from "../../server/store/sql-store.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { compiledEngine, SPEC_POLICY_DIR } from "../runtime/compiled.ts";
import { call, CUSTOMER, startTestServer } from "./helpers.ts";

const KAIROS = join(import.meta.dirname, "../../bin/kairos.js");
const root = mkdtempSync(join(tmpdir(), "kairos-serve-proc-"));
const artifact = join(root, "artifact");
let pg: TestPostgres;

beforeAll(async () => {
  writeArtifactDir(artifact, (await compiledEngine(SPEC_POLICY_DIR)).files);
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  rmSync(root, { recursive: true, force: true });
});

interface Child {
  readonly proc: ChildProcess;
  readonly url: string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts `kairos serve` and waits (at most 60 s) for its banner (the `tokens:` line ends it). */
function serve(args: readonly string[]): Promise<Child> {
  const proc = spawn(process.execPath, [KAIROS, "serve", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kairos serve did not start within 60 s:\n${err}`)), 60_000);
    proc.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m && /\n {2}tokens: .*\n/.test(err)) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, stderr: () => err, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`kairos serve exited with ${code}:\n${err}`));
    });
  });
}

/** Runs `kairos serve` expecting it to fail; resolves with its exit code and stderr (deadline 60 s). */
function serveFails(args: readonly string[]): Promise<{ code: number | null; err: string }> {
  const proc = spawn(process.execPath, [KAIROS, "serve", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
  return new Promise((r) =>
    proc.on("exit", (code) => {
      clearTimeout(timer);
      r({ code, err });
    }),
  );
}

test("prints where it listens, the store, the artifact and the admin token once; SIGTERM closes it", async () => {
  const dataDir = join(root, "first");
  const child = await serve([artifact, "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--quiet"]);
  const err = child.stderr();
  expect(err).toContain("store:    embedded");
  expect(err).toMatch(/artifact: [0-9a-f]{64}/);
  const token = /admin token \(shown once, only its hash is stored\): (kairos_\S+)/.exec(err)?.[1];
  expect(token).toBeDefined();
  expect((await call(child.url, "GET", "/v1/reviews", undefined, token!)).status).toBe(200);
  child.proc.kill("SIGTERM");
  expect(await child.exited, child.stderr()).toBe(0);
  expect(child.stderr()).toContain("closed (");
  // The second start finds the tokens file: no new admin token.
  const again = await serve([artifact, "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--quiet"]);
  expect(again.stderr()).not.toContain("admin token");
  again.proc.kill("SIGTERM");
  expect(await again.exited, again.stderr()).toBe(0);
});

test("a store that does not answer stops the start with a clear error and exit 1", async () => {
  const r = await serveFails([artifact, "--data-dir", join(root, "unreachable"), "--store", "postgres://kairos@127.0.0.1:1/none", "--listen", "127.0.0.1:0"]);
  expect(r.code).toBe(1);
  expect(r.err).toContain("kairos serve: ");
  expect(r.err).toMatch(/127\.0\.0\.1:1/);
  expect(r.err).not.toMatch(/\n\s+at /);
});

test("bad flags are usage errors", async () => {
  expect((await serveFails([artifact, "--clock", "fast"])).code).toBe(2);
  expect((await serveFails([artifact, "--listen", "localhost"])).err).toContain("`--listen` takes HOST:PORT");
  expect((await serveFails([artifact, "--store", "mysql://x"])).err).toContain("PostgreSQL URL");
});

describe.each(["pglite", "sqlite", "postgres"])("kill -9 mid-load (%s store)", (kind) => {
  test("every acknowledged decision is in the log, the chain verifies, and no wake-up is lost or fired twice", async () => {
    const dataDir = mkdtempSync(join(root, `kill-${kind}-`));
    const url = kind === "postgres" ? await pg.createDatabase() : kind === "sqlite" ? "sqlite:" : "pglite:";
    const tokens = join(dataDir, "tokens.json");
    const token = createToken(tokens, "load", SCOPES);
    const args = [
      artifact,
      "--data-dir",
      dataDir,
      "--tokens",
      tokens,
      "--listen",
      "127.0.0.1:0",
      "--clock",
      "request",
      "--quiet",
      ...(url ? ["--store", url] : []),
    ];
    const child = await serve(args);
    const at = "2026-05-27T10:00:00Z";
    const claim = (i: number) => ({
      event: { type: "claim.filed", id: `K-${i}`, at, payload: { claim_id: `K-${i}`, at } },
      subject: `kill-${i % 25}`,
      region: "eu",
      now: at,
      context: CUSTOMER,
    });
    const acked: { i: number; id: string }[] = [];
    let stop = false;
    let next = 0;
    const worker = async () => {
      while (!stop) {
        const i = next++;
        try {
          const r = await call(child.url, "POST", "/v1/decisions", claim(i), token);
          if (r.status === 200) acked.push({ i, id: r.json.decision_id });
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    while (acked.length < 150) await new Promise((r) => setTimeout(r, 5));
    child.proc.kill("SIGKILL");
    stop = true;
    await Promise.all(workers);
    await child.exited;

    const t = await startTestServer({ dataDir, tokensFile: tokens, clock: "request", ...(url ? { store: url } : {}) });
    try {
      for (const a of acked) expect(await t.server.store.getDecision(a.id), `decision ${a.i}`).toBeDefined();
      const verified = await verifyStoreLog(t.server.store as SqlStore);
      expect(verified.ok, JSON.stringify(verified.shards.map((s) => s.problem))).toBe(true);
      const entries = verified.shards.reduce((n, s) => n + s.entries, 0);
      expect(entries).toBeGreaterThanOrEqual(acked.length);
      // Every acknowledged claim's wake-ups are pending, and fire exactly once.
      const run = await t.call("POST", "/v1/admin/wakeups/run", { until: "2026-07-01T00:00:00Z" });
      expect(run.json.failed).toBe(0);
      for (const a of acked) {
        for (const timer of ["3d", "7d"]) {
          expect(await t.server.store.findByEvent({ subject: `kill-${a.i % 25}`, eventId: `K-${a.i}`, timer }), `${a.i} ${timer}`).toBeDefined();
        }
      }
      expect(run.json.ran).toBe(entries * 2);
      expect((await t.call("POST", "/v1/admin/wakeups/run", { until: "2026-07-01T00:00:00Z" })).json.ran).toBe(0);
      expect((await verifyStoreLog(t.server.store as SqlStore)).ok).toBe(true);
    } finally {
      await t.close();
    }
  });
});
