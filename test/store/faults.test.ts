// Store faults with real processes and a real PostgreSQL: a second process on an embedded
// store's data directory is refused (lock file), an embedded store (PGlite or SQLite) killed
// with SIGKILL keeps every commit it acknowledged and its chain verifies, a PostgreSQL that goes
// away mid-batch makes the commit reject with a StoreError and leaves nothing half written, and
// a URL that does not answer is a clear `store/unreachable` error that never prints the password.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openStore, StoreError, verifyStoreLog, type SqlStore } from "../../server/store/index.ts";
import type { PendingCommit } from "../../server/store/types.ts";
import { startPostgres, type TestPostgres } from "../helpers/postgres.ts";
import { KEYS, LOG, pending, removeTempDirs, tempDir } from "./helpers.ts";

const CHILD = join(import.meta.dirname, "fixtures", "store-child.ts");
const children: ChildProcess[] = [];
const opened: SqlStore[] = [];

/** Starts the child and resolves with it once it printed `until` (rejects on exit or after 60 s). */
function child(mode: "hold" | "commit", dataDir: string, onLine: (line: string) => void = () => {}, url = ""): Promise<ChildProcess> {
  const p = spawn(process.execPath, [CHILD, mode, dataDir, url], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(p);
  let stderr = "";
  p.stderr!.on("data", (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child did not open the store within 60 s: ${stderr}`)), 60_000);
    createInterface({ input: p.stdout! }).on("line", (line) => {
      onLine(line);
      if (line === "open") {
        clearTimeout(timer);
        resolve(p);
      } else if (line.startsWith("error")) {
        clearTimeout(timer);
        reject(new Error(line));
      }
    });
    p.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the child exited (${code}) before opening the store: ${stderr}`));
    });
  });
}

function killed(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once("exit", () => resolve());
    p.kill("SIGKILL");
  });
}

afterEach(async () => {
  for (const p of children.splice(0)) await killed(p);
  for (const s of opened.splice(0)) await s.close().catch(() => {});
});

afterAll(() => removeTempDirs());

const EMBEDDED = [
  { name: "PGlite", url: "pglite:", locked: (dir: string) => `the embedded store in ${dir} is in use by another process` },
  { name: "SQLite", url: "sqlite:", locked: (dir: string) => `the SQLite store ${join(dir, "store.sqlite")} is in use by another process` },
] as const;

describe.each(EMBEDDED)("embedded store ($name): one process, durable", (backend) => {
  it("refuses a second process on the same data directory with store/locked, and opens once the first is gone", async () => {
    const dataDir = tempDir();
    const holder = await child("hold", dataDir, undefined, backend.url);
    const error = await openStore(backend.url, { dataDir, keys: KEYS, log: LOG, lockTimeoutMs: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe("store/locked");
    expect((error as StoreError).message).toContain(`${backend.locked(dataDir)} (process ${holder.pid}`);
    expect((error as StoreError).hint).toContain("--store postgres://");
    await killed(holder);
    // The holder died with the lock: it is stale (its pid is gone) and broken.
    const store = await openStore(backend.url, { dataDir, keys: KEYS, log: LOG, lockTimeoutMs: 200 });
    opened.push(store);
    expect((await store.health()).reachable).toBe(true);
  });

  it("keeps every acknowledged commit across kill -9, and the chain verifies", async () => {
    const dataDir = tempDir();
    const acked: string[] = [];
    let enough: () => void = () => {};
    const reached = new Promise<void>((resolve) => (enough = resolve));
    const p = await child(
      "commit",
      dataDir,
      (line) => {
        if (line.startsWith("ack ")) acked.push(line.slice(4));
        if (acked.length >= 40) enough();
      },
      backend.url,
    );
    await reached;
    await killed(p);
    const store = await openStore(backend.url, { dataDir, keys: KEYS, log: LOG });
    opened.push(store);
    const missing: string[] = [];
    for (const id of acked) if ((await store.getDecision(id)) === undefined) missing.push(id);
    expect(missing).toEqual([]);
    const heads = await store.heads();
    expect(heads[0]!.seq).toBeGreaterThanOrEqual(acked.length);
    const v = await verifyStoreLog(store);
    expect(v.shards[0]!.problem).toBeUndefined();
    expect(v.ok).toBe(true);
    // It goes on: the next commit chains after what survived.
    const { version } = await store.state("after-kill");
    expect((await store.commit([pending({ subject: "after-kill", version })]))[0]).toMatchObject({ status: "committed", position: { seq: heads[0]!.seq + 1 } });
  });
});

describe("postgres store: unreachable, and going away mid-commit", () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it("says clearly that a URL does not answer, within the timeout, without the password", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const a = s.address();
        s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
      });
    });
    const url = `postgres://kairos:s3cret-pw@127.0.0.1:${port}/kairos`;
    const e = await openStore(url, { dataDir: tempDir(), keys: KEYS, connectTimeoutMs: 1000 }).then(
      () => undefined,
      (x: unknown) => x as StoreError,
    );
    expect(e).toBeInstanceOf(StoreError);
    expect(e!.code).toBe("store/unreachable");
    expect(e!.message).toContain(`cannot connect to the store postgres://kairos:***@127.0.0.1:${port}/kairos`);
    expect(`${e!.message} ${e!.hint}`).not.toContain("s3cret-pw");
    expect(e!.hint).toContain("check that PostgreSQL runs there");
    // A server that accepts the connection and then says nothing: the connect deadline answers.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      const quiet = await openStore(`postgres://kairos:s3cret-pw@127.0.0.1:${silentPort}/kairos`, {
        dataDir: tempDir(),
        keys: KEYS,
        connectTimeoutMs: 500,
      }).then(
        () => undefined,
        (x: unknown) => x as StoreError,
      );
      expect(quiet?.code).toBe("store/unreachable");
      expect(quiet?.message).toMatch(/timeout|no answer/i);
      expect(quiet?.message).not.toContain("s3cret-pw");
    } finally {
      silent.close();
    }
    const bad = await openStore("mysql://x@y/z", { dataDir: tempDir(), keys: KEYS }).then(
      () => undefined,
      (x: unknown) => x as StoreError,
    );
    expect(bad?.code).toBe("store/bad-location");
    const noDb = await openStore(`${pg.adminUrl.replace(/\/postgres$/, "/no_such_db")}`, { dataDir: tempDir(), keys: KEYS }).then(
      () => undefined,
      (x: unknown) => x as StoreError,
    );
    expect(noDb?.code).toBe("store/unreachable");
    expect(noDb?.hint).toContain("create the database first");
  });

  it("rejects commits with a StoreError while the server is down, and after it is back nothing is half written", async () => {
    const url = await pg.createDatabase();
    const dataDir = tempDir();
    const store = await openStore(url, { dataDir, keys: KEYS, log: LOG, shards: 2, connectTimeoutMs: 2000, statementTimeoutMs: 5000 });
    opened.push(store);
    const committed = new Map<string, string>();
    const failures: unknown[] = [];
    let stop = false;
    let batches = 0;
    // The last version read per subject: while the server is down the reads fail too, and the
    // load must still try to commit (with the versions it knew), or no commit would ever meet
    // the outage and the test would wait forever.
    const known = new Map<string, number>();
    const load = (async () => {
      for (let round = 0; !stop; round++) {
        const items: PendingCommit[] = [];
        for (let k = 0; k < 10; k++) {
          const subject = `down-${k}`;
          const version = (await store.state(subject).catch(() => undefined))?.version ?? known.get(subject);
          if (version === undefined) break;
          known.set(subject, version);
          items.push(pending({ subject, eventId: `r${round}`, version, historyAt: "2026-05-30T09:00:00Z" }));
        }
        if (items.length === 0) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        try {
          const rs = await store.commit(items);
          batches++;
          rs.forEach((r, i) => {
            if (r.status === "committed") committed.set(items[i]!.decision.decision_id, items[i]!.key.subject);
          });
        } catch (e) {
          failures.push(e);
        }
      }
    })();
    while (batches < 5) await new Promise((r) => setTimeout(r, 10));
    await pg.interrupt();
    while (failures.length === 0) await new Promise((r) => setTimeout(r, 10));
    await pg.resume();
    const before = batches;
    while (batches < before + 3) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await load;
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f).toBeInstanceOf(StoreError);
      expect((f as StoreError).code).toBe("store/unavailable");
      expect((f as StoreError).message).toMatch(
        /^the store postgres:\/\/kairos@127\.0\.0\.1:\d+\/kairos_test_[0-9a-f]+ did not complete the commit of (a decision|\d+ decisions): /,
      );
    }
    // A fresh instance sees every acknowledged decision complete, and one intact chain per shard.
    const after = await openStore(url, { dataDir, keys: KEYS, log: LOG });
    opened.push(after);
    const v = await verifyStoreLog(after);
    expect(v.shards.map((s) => s.problem ?? "ok")).toEqual(["ok", "ok"]);
    let history = 0;
    for (let k = 0; k < 10; k++) history += (await after.state(`down-${k}`)).history.length;
    const heads = await after.heads();
    // Each entry has exactly its decision (verifyStoreLog) and its history row: nothing half
    // written. (A batch whose COMMIT reached the server just before it stopped may be in the log
    // without its acknowledgement: never the other way round.)
    const entries = heads.reduce((n, h) => n + h.seq, 0);
    expect(entries).toBeGreaterThanOrEqual(committed.size);
    expect(entries - committed.size).toBeLessThanOrEqual(10);
    expect(history).toBe(entries);
    for (const id of committed.keys()) expect(await after.getDecision(id)).toBeDefined();
  });
});
