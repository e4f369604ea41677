// The embedded backend's connection: PGlite (PostgreSQL compiled to Wasm) on a data directory
// in this process. One connection, so statements and transactions are serialized by PGlite
// itself; advisory locks exist (it is PostgreSQL) but only this process can ever hold one, so
// the data directory is guarded by a lock file instead (see index.ts).
//
// Durability. PGlite 0.6.1 starts PostgreSQL with `-F` (fsync off), and its Node file system
// (Emscripten's NODEFS) has no `fsync`: an acknowledged commit survives `kill -9` (the WAL write
// reached the kernel) but not a power loss. Kairos acknowledges a decision only once it is
// durable, so the embedded store starts PostgreSQL with fsync on and `wal_sync_method=fsync`
// (fdatasync is a no-op stub in the Wasm build, fsync is not) and gives NODEFS the `fsync` it
// lacks: fdatasync(2) on the real file descriptor. Every commit then syncs the WAL before it
// returns (one sync per group-committed batch) and checkpoints sync the data files, exactly as
// a PostgreSQL server does (measured in docs/store.md).
import { fdatasyncSync, fsyncSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { NodeFS } from "@electric-sql/pglite/nodefs";
import type { Db, Row, Sql } from "./db.ts";

/**
 * PGlite's start parameters without `-F`, plus WAL syncing by fsync. The rest is PGlite's own
 * default list (`PGlite.defaultStartParams`, 0.6.1), kept as it is.
 */
export const DURABLE_START_PARAMS: readonly string[] = [
  "--single",
  "-O",
  "-j",
  "-c",
  "search_path=public",
  "-c",
  "exit_on_error=false",
  "-c",
  "log_checkpoints=false",
  "-c",
  "max_worker_processes=0",
  "-c",
  "max_parallel_workers=0",
  "-c",
  "max_parallel_workers_per_gather=0",
  "-c",
  "io_method=sync",
  "-c",
  "max_parallel_maintenance_workers=0",
  "-c",
  "fsync=on",
  "-c",
  "wal_sync_method=fsync",
];

/** Emscripten's (WASI) errno for an I/O error: PostgreSQL then reports the failed sync (and does not retry it). */
const WASI_EIO = 29;

interface EmscriptenStream {
  readonly nfd?: number;
}
interface EmscriptenModule {
  readonly NODEFS: { stream_ops: { fsync?: (stream: EmscriptenStream) => number } };
}

let syncCount = 0;

/** How many file syncs the embedded stores of this process have made (what the durability test counts). */
export function embeddedSyncs(): number {
  return syncCount;
}

/** Syncs what a stream wrote (NODEFS opens every file and directory it streams with a real descriptor). */
function syncStream(stream: EmscriptenStream): number {
  if (typeof stream.nfd !== "number") return 0;
  syncCount++;
  try {
    fdatasyncSync(stream.nfd);
    return 0;
  } catch {
    try {
      fsyncSync(stream.nfd);
      return 0;
    } catch {
      return WASI_EIO;
    }
  }
}

/** NODEFS with the `fsync` PGlite's build lacks. */
class DurableNodeFS extends NodeFS {
  override async init(...args: Parameters<NodeFS["init"]>): ReturnType<NodeFS["init"]> {
    const result = await super.init(...args);
    const preRun = (result.emscriptenOpts as { preRun?: ((mod: EmscriptenModule) => void)[] }).preRun ?? [];
    preRun.unshift((mod) => {
      mod.NODEFS.stream_ops.fsync = syncStream;
    });
    return result;
  }
}

/** Opens (creating when needed) a PGlite database in `dir`, with every commit synced to disk. */
export async function openPglite(dir: string): Promise<Db> {
  const pg = await PGlite.create({ fs: new DurableNodeFS(dir), startParams: [...DURABLE_START_PARAMS] });
  const sql: Sql = {
    async query<R extends Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
      const r = await pg.query<R>(text, params ? [...params] : undefined);
      return r.rows;
    },
  };
  return {
    kind: "embedded",
    query: sql.query,
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      return pg.transaction(async (tx) =>
        fn({
          async query<R extends Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
            return (await tx.query<R>(text, params ? [...params] : undefined)).rows;
          },
        }),
      );
    },
    async withAdvisoryLock<T>(key: number, fn: (s: Sql) => Promise<T>): Promise<T> {
      await pg.query("SELECT pg_advisory_lock($1)", [key]);
      try {
        return await fn(sql);
      } finally {
        await pg.query("SELECT pg_advisory_unlock($1)", [key]);
      }
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    async close(): Promise<void> {
      if (!pg.closed) await pg.close();
    },
  };
}
