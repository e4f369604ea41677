// A measurement, not a test (it is not named *.test.ts, so vitest never runs it): commits/s and
// decisions/s of `Store.commit` for batch sizes 1, 4, 10 and 50 on the three backends (the
// embedded PGlite store, the SQLite store and a throwaway PostgreSQL 15 cluster), and, for the two
// PostgreSQL-dialect ones, a profile of one batch of 10 — the time of each statement the commit
// transaction sends — to see where a commit's time goes.
// CPU ms/commit is this process's CPU time (user + system) per commit: the embedded store runs
// PGlite here, so it is the figure a loaded machine disturbs least.
// Run: `node test/store/measure-commit.ts [--seconds S] [--profile-only] [--profile-batch N] [--embedded-only] [--sqlite-only]`.
// Each decision is a full log entry (pseudonymized, sealed, chained, MAC), a decision row and a
// history row, about a subject of a pool of 5,000 that already exist after the first round (as
// in the service, where subjects recur), so the numbers are those of docs/store.md "Measured".
import type { Db, Row, Sql } from "../../server/store/db.ts";
import { openStore, type SqlStore } from "../../server/store/index.ts";
import type { PendingCommit } from "../../server/store/types.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { KEYS, LOG, pending, removeTempDirs, tempDir } from "./helpers.ts";

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf("--seconds") + 1] ?? "") || 2;
const profileOnly = args.includes("--profile-only");
const embeddedOnly = args.includes("--embedded-only");
const sqliteOnly = args.includes("--sqlite-only");
const profileBatch = args.includes("--profile-batch") ? Number(args[args.indexOf("--profile-batch") + 1]) : 10;
const SIZES = [1, 4, 10, 50];
const POOL = 5_000;

/** Builds batches about the pool's subjects, keeping each subject's version. */
class Workload {
  private next = 0;
  private readonly versions = new Map<string, number>();
  batch(size: number): PendingCommit[] {
    const items: PendingCommit[] = [];
    for (let i = 0; i < size; i++) {
      const subject = `cust-${this.next++ % POOL}`;
      const version = this.versions.get(subject) ?? 0;
      items.push(pending({ subject, version, historyAt: "2026-05-30T09:00:00Z" }));
    }
    return items;
  }
  committed(items: readonly PendingCommit[]): void {
    for (const i of items) this.versions.set(i.key.subject, i.expectedVersion + 1);
  }
}

async function run(store: SqlStore, work: Workload, size: number, ms: number): Promise<{ commits: number; decisions: number; cpu: number }> {
  const deadline = performance.now() + ms;
  let commits = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() < deadline) {
    const items = work.batch(size);
    const results = await store.commit(items);
    for (const r of results) if (r.status !== "committed") throw new Error(`unexpected ${r.status}`);
    work.committed(items);
    commits++;
  }
  const s = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { commits: commits / s, decisions: (commits * size) / s, cpu: (cpu.user + cpu.system) / 1000 / commits };
}

/** This process's CPU time (user + system) since `from`, in ms. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

/** Wraps the store's connection so every statement of a transaction is timed (profile only). */
function timed(store: SqlStore, log: Array<[string, number, number]>): void {
  const parts = (store as unknown as { parts: { db: Db } }).parts;
  const db = parts.db;
  const label = (text: string): string => text.replace(/\s+/g, " ").slice(0, 70);
  const wrapped: Db = {
    ...db,
    query: db.query,
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let tEnd = 0;
      let cEnd = c0;
      const out = await db.transaction(async (tx) => {
        log.push(["BEGIN (+ transaction set-up)", performance.now() - t0, cpuMs(c0)]);
        const r = await fn({
          async query<R extends Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
            const s = performance.now();
            const c = process.cpuUsage();
            const rows = await tx.query<R>(text, params);
            log.push([label(text), performance.now() - s, cpuMs(c)]);
            return rows;
          },
        });
        tEnd = performance.now();
        cEnd = process.cpuUsage();
        return r;
      });
      log.push(["COMMIT (+ WAL sync)", performance.now() - tEnd, cpuMs(cEnd)]);
      return out;
    },
  };
  parts.db = wrapped;
}

async function profile(store: SqlStore, work: Workload): Promise<void> {
  const rounds = 200;
  const log: Array<[string, number, number]> = [];
  timed(store, log);
  const totals = new Map<string, [number, number]>();
  let whole = 0;
  let wholeCpu = 0;
  for (let r = 0; r < rounds; r++) {
    const items = work.batch(profileBatch);
    log.length = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await store.commit(items);
    whole += performance.now() - t0;
    wholeCpu += cpuMs(c0);
    work.committed(items);
    for (const [k, v, c] of log) {
      const t = totals.get(k) ?? [0, 0];
      totals.set(k, [t[0] + v, t[1] + c]);
    }
  }
  const f = (x: number): string => (x / rounds).toFixed(3).padStart(7);
  let wall = 0;
  let cpu = 0;
  console.log("     wall      CPU  statement");
  for (const [k, [v, c]] of totals) {
    wall += v;
    cpu += c;
    console.log(`  ${f(v)}  ${f(c)}  ${k}`);
  }
  console.log(`  ${f(wall)}  ${f(cpu)}  all statements (ms per commit)`);
  console.log(`  ${f(whole)}  ${f(wholeCpu)}  the whole commit (the rest: building and chaining entries)`);
}

async function backend(name: string, open: () => Promise<SqlStore>): Promise<void> {
  const store = await open();
  const work = new Workload();
  try {
    // Warm-up: create the pool's subjects, let the JIT and the caches settle.
    for (let i = 0; i < POOL / 50; i++) {
      const items = work.batch(50);
      await store.commit(items);
      work.committed(items);
    }
    if (!profileOnly) {
      for (const size of SIZES) {
        const r = await run(store, work, size, seconds * 1000);
        console.log(`| ${name} | ${size} | ${Math.round(r.commits)} | ${Math.round(r.decisions)} | ${r.cpu.toFixed(2)} |`);
      }
    }
    if (store.engine !== "sqlite") {
      console.log(`profile of a batch of ${profileBatch}, ${name} (mean of 200 commits):`);
      await profile(store, work);
    }
  } finally {
    await store.close();
  }
}

let postgres: TestPostgres | undefined;
try {
  if (!profileOnly) console.log("| backend | batch | commits/s | decisions/s | CPU ms/commit (this process) |\n|---|---|---|---|---|");
  if (!sqliteOnly) await backend("embedded", () => openStore("pglite:", { dataDir: tempDir(), keys: KEYS, log: LOG }));
  await backend("sqlite", () => openStore("sqlite:", { dataDir: tempDir(), keys: KEYS, log: LOG }));
  if (!embeddedOnly && !sqliteOnly) {
    postgres = await startPostgres();
    const url = await postgres.createDatabase();
    await backend("postgres", () => openStore(url, { dataDir: tempDir(), keys: KEYS, log: LOG }));
  }
} finally {
  await postgres?.stop();
  removeTempDirs();
}
