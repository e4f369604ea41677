// What `--store` names on the command line of the log tools: a PostgreSQL URL, or an embedded
// store's data directory (or the `store/` directory inside it). Opened read-only — no
// migration, no key created — for verification and export.
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { StoreError } from "./errors.ts";
import { isPostgresUrl, openStore, redactUrl, type OpenStoreOptions } from "./index.ts";
import type { SqlStore } from "./sql-store.ts";

/** The data directory of an embedded store given as `where`, or a StoreError saying why it is not one. */
export function embeddedDataDir(where: string): string {
  const dir = resolve(where);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const shown = where.includes("://") ? redactUrl(where) : where;
    throw new StoreError(
      "store/bad-location",
      `${shown} is neither a PostgreSQL URL nor a directory`,
      "give postgres://… or the --data-dir of `kairos serve` (default .kairos)",
    );
  }
  if (existsSync(join(dir, "PG_VERSION"))) return dirname(dir);
  if (existsSync(join(dir, "store", "PG_VERSION"))) return dir;
  throw new StoreError(
    "store/bad-location",
    `${where} holds no embedded store (no ${join(where, "store")})`,
    "give the --data-dir `kairos serve` ran with (default .kairos)",
  );
}

/** Opens the store at `where` to read it; `dataDir` is where key files are for a PostgreSQL store. */
export async function openStoreAt(where: string, dataDir?: string, options: Partial<OpenStoreOptions> = {}): Promise<SqlStore> {
  const readOnly = { readOnly: true, migrate: false, ...options };
  if (isPostgresUrl(where)) return openStore(where, { ...(dataDir === undefined ? {} : { dataDir }), ...readOnly });
  return openStore(undefined, { dataDir: embeddedDataDir(where), ...readOnly });
}
