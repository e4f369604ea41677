// The store log's keys: the file log's two keys (docs/decision-log.md#keys) — pseudonymization
// (KAIROS_LOG_KEY) and integrity (KAIROS_LOG_INTEGRITY_KEY) — else key files in the data
// directory (`<data-dir>/log.key`, `<data-dir>/log.integrity-key`), created only while the
// store's log is still empty. Their ids are recorded in the store (log_meta) at first use; an
// instance whose keys differ refuses to start, so two instances can never write one chain with
// two keys (one person would get two pseudonyms, entries would fail verification).
import { join } from "node:path";
import { INTEGRITY_KEY_ENV, KEY_ENV, loadLogKey, type LogKey } from "../../runtime/log/key.ts";
import { LogError } from "../../runtime/log/errors.ts";
import { StoreError } from "./errors.ts";

/** The path key files are named after: `<dir>/log.key`, `<dir>/log.integrity-key`. */
export function keyBase(dataDir: string): string {
  return join(dataDir, "log");
}

export interface StoreKeys {
  readonly key: LogKey;
  readonly integrityKey: LogKey;
}

/** Loads both keys; `create` only for a store whose log has no entry and no recorded key ids. */
export function loadStoreKeys(dataDir: string, create: boolean, env?: Readonly<Record<string, string | undefined>>): StoreKeys {
  const base = keyBase(dataDir);
  try {
    const key = loadLogKey(base, { env, create });
    const integrityKey = loadLogKey(base, { purpose: "integrity", env, create });
    return { key, integrityKey };
  } catch (e) {
    if (e instanceof LogError) {
      const hint =
        e.code === "log/no-key"
          ? `the store's log already has entries: set ${KEY_ENV} and ${INTEGRITY_KEY_ENV} to its keys, or restore the key files in ${dataDir}`
          : e.hint;
      throw new StoreError("store/keys", e.message.replace(`for ${base}`, `for the store's log (data directory ${dataDir})`), hint, e);
    }
    throw e;
  }
}

/** Refuses keys whose ids differ from those recorded in the store. */
export function checkKeyIds(recorded: { keyId?: string; ikeyId?: string }, keys: StoreKeys, location: string): void {
  for (const [what, rec, key, env] of [
    ["pseudonymization", recorded.keyId, keys.key, KEY_ENV],
    ["integrity", recorded.ikeyId, keys.integrityKey, INTEGRITY_KEY_ENV],
  ] as const) {
    if (rec !== undefined && rec !== key.id) {
      throw new StoreError(
        "store/keys",
        `the store ${location} logs with ${what} key ${rec}, but the key from ${key.source} is ${key.id}`,
        `every instance of one store must use the same keys: set ${env} to the store's ${what} key`,
      );
    }
  }
}
