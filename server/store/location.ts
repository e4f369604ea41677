// What `--store` names on the command line of the log tools: a PostgreSQL URL, a SQLite store
// (`sqlite:PATH`, or a data directory holding `store.sqlite`), or an embedded PGlite store's data
// directory (or the `store/` directory inside it). Opened read-only — no migration, no key
// created — for verification and export.
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { StoreError } from "./errors.ts";
import { DEFAULT_DATA_DIR, isPgliteUrl, isPostgresUrl, openStore, redactUrl, type OpenStoreOptions } from "./index.ts";
import { isSqliteUrl, SQLITE_FILE, sqliteFile } from "./sqlite-open.ts";
import type { ServiceStore } from "./types.ts";

/** The data directory of an embedded store given as `where`, or a StoreError saying why it is not one. */
export function embeddedDataDir(where: string): string {
  const dir = resolve(where);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const shown = where.includes("://") ? redactUrl(where) : where;
    throw new StoreError(
      "store/bad-location",
      `${shown} is neither a PostgreSQL URL nor a directory`,
      "give postgres://…, sqlite:PATH or the --data-dir of `kairos serve` (default .kairos)",
    );
  }
  if (existsSync(join(dir, "PG_VERSION"))) return dirname(dir);
  if (existsSync(join(dir, "store", "PG_VERSION"))) return dir;
  if (existsSync(join(dir, SQLITE_FILE))) return dir;
  throw new StoreError(
    "store/bad-location",
    `${where} holds no embedded store (no ${join(where, "store")} nor ${join(where, SQLITE_FILE)})`,
    "give the --data-dir `kairos serve` ran with (default .kairos)",
  );
}

/** Opens the store at `where` to read it; `dataDir` is where key files are for a PostgreSQL or `sqlite:PATH` store. */
export async function openStoreAt(where: string, dataDir?: string, options: Partial<OpenStoreOptions> = {}): Promise<ServiceStore> {
  const readOnly = { readOnly: true, migrate: false, ...options };
  const keysIn = dataDir === undefined ? {} : { dataDir };
  if (isPostgresUrl(where)) return openStore(where, { ...keysIn, ...readOnly });
  if (isSqliteUrl(where)) {
    const file = sqliteFile(where, resolve(dataDir ?? "."));
    if (!existsSync(file))
      throw new StoreError("store/bad-location", `there is no SQLite store ${file}`, "give the path `kairos serve --store sqlite:PATH` ran with");
    return openStore(`sqlite:${file}`, { dataDir: dataDir ?? dirname(file), ...readOnly });
  }
  // `pglite:` names the PGlite store of the data directory (--data-dir, default .kairos).
  const dir = embeddedDataDir(isPgliteUrl(where) ? (dataDir ?? DEFAULT_DATA_DIR) : where);
  const hasPglite = existsSync(join(dir, "store", "PG_VERSION"));
  if (isPgliteUrl(where) && !hasPglite) {
    throw new StoreError(
      "store/bad-location",
      `${dir} holds no PGlite store (no ${join(dir, "store")})`,
      "give the --data-dir `kairos serve --store pglite:` ran with",
    );
  }
  if (!hasPglite) return openStore(`sqlite:${join(dir, SQLITE_FILE)}`, { dataDir: dir, ...readOnly });
  return openStore(undefined, { dataDir: dir, ...readOnly });
}
