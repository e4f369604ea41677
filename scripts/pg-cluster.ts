// A throwaway PostgreSQL for tests and benchmarks (no mock of the database): initdb + pg_ctl from the
// PostgreSQL 15 binaries in a fresh temp directory, on a free port, listening on 127.0.0.1 only,
// run as the `postgres` user when we are root (initdb refuses root), stopped and removed after
// the test file — also when a test fails or the process exits. With KAIROS_TEST_PG_URL set, an
// existing server is used instead; either way each test file gets fresh databases of its own.
// `interrupt()`/`resume()` make the store go away and come back: the cluster is stopped and
// started again (or, on an existing server, the test database refuses and drops connections).
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** A PostgreSQL server for one test file. */
export interface TestPostgres {
  /** URL of the maintenance database (to create others). */
  readonly adminUrl: string;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Makes the server unavailable to the test databases (stops the cluster). */
  interrupt(): Promise<void>;
  /** Makes it available again. */
  resume(): Promise<void>;
  /** Stops and removes everything this helper made. */
  stop(): Promise<void>;
}

const DEADLINE_MS = 60_000;

/** The directory of PostgreSQL's server binaries (15 preferred), or undefined. */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => (a === "15" ? -1 : b === "15" ? 1 : Number(b) - Number(a)));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary (as `postgres` when we are root), with a deadline. */
function run(bin: string, args: readonly string[]): string {
  const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, [...args]];
  const r = spawnSync(file, argv, { encoding: "utf8", timeout: DEADLINE_MS });
  if (r.status !== 0) {
    throw new Error(`${bin.split("/").pop()} ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
  }
  return r.stdout;
}

async function query(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const databaseName = (): string => `kairos_test_${randomBytes(6).toString("hex")}`;

/** Starts a throwaway cluster, or connects to KAIROS_TEST_PG_URL. */
export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env["KAIROS_TEST_PG_URL"];
  return external ? useExisting(external) : startCluster();
}

async function startCluster(): Promise<TestPostgres> {
  const bin = postgresBin();
  if (bin === undefined) {
    throw new Error("PostgreSQL's server binaries are missing: run `bash scripts/ensure-postgres.sh`, or set KAIROS_TEST_PG_URL to an existing server");
  }
  const dir = mkdtempSync(join(tmpdir(), "kairos-pg-"));
  const data = join(dir, "data");
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  let running = false;
  const stopNow = (mode: "fast" | "immediate"): void => {
    if (!running) return;
    running = false;
    try {
      run(join(bin, "pg_ctl"), ["-D", data, "-m", mode, "-w", "-t", "30", "stop"]);
    } catch {
      // Already gone.
    }
  };
  const start = (): void => {
    run(join(bin, "pg_ctl"), [
      "-D",
      data,
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      "-l",
      join(dir, "server.log"),
      "-w",
      "-t",
      "60",
      "start",
    ]);
    running = true;
  };
  const onExit = (): void => {
    stopNow("immediate");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  try {
    run(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "kairos", "--no-sync", "-E", "UTF8", "--locale=C"]);
    start();
  } catch (e) {
    onExit();
    process.removeListener("exit", onExit);
    throw e;
  }
  const adminUrl = `postgres://kairos@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    async createDatabase() {
      const name = databaseName();
      await query(adminUrl, `CREATE DATABASE ${name}`);
      return `postgres://kairos@127.0.0.1:${port}/${name}`;
    },
    async interrupt() {
      stopNow("fast");
    },
    async resume() {
      if (!running) start();
    },
    async stop() {
      stopNow("fast");
      rmSync(dir, { recursive: true, force: true });
      process.removeListener("exit", onExit);
    },
  };
}

async function useExisting(adminUrl: string): Promise<TestPostgres> {
  const created: string[] = [];
  const urlOf = (name: string): string => {
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return u.toString();
  };
  return {
    adminUrl,
    async createDatabase() {
      const name = databaseName();
      await query(adminUrl, `CREATE DATABASE ${name}`);
      created.push(name);
      return urlOf(name);
    },
    async interrupt() {
      for (const name of created) {
        await query(adminUrl, `ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await query(adminUrl, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
      }
    },
    async resume() {
      for (const name of created) await query(adminUrl, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    },
    async stop() {
      for (const name of created.splice(0)) await query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    },
  };
}
