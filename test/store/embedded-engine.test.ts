// Which engine an embedded store opens with when `--store` is left out: the one the data
// directory already holds (a PGlite cluster in `store/`, or `store.sqlite`), else the default —
// so a store started with `--store sqlite:` reopens as SQLite without the flag, and a change of
// the default (EMBEDDED_DEFAULT) never strands an existing PGlite data directory.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT, embeddedEngine, openStore } from "../../server/store/index.ts";
import { openPglite } from "../../server/store/pglite-db.ts";
import { KEYS, LOG, pending, removeTempDirs, tempDir } from "./helpers.ts";

afterAll(() => removeTempDirs());

describe("the embedded store's engine", () => {
  it("is the default for an empty data directory", () => {
    expect(embeddedEngine(tempDir())).toBe(EMBEDDED_DEFAULT);
  });

  it("reopens a SQLite store without `--store`, with what it committed", async () => {
    const dataDir = tempDir();
    const first = await openStore("sqlite:", { dataDir, keys: KEYS, log: LOG });
    const item = pending({ subject: "s", version: 0 });
    expect((await first.commit([item]))[0]?.status).toBe("committed");
    await first.close();
    expect(embeddedEngine(dataDir)).toBe("sqlite");
    const again = await openStore(undefined, { dataDir, keys: KEYS, log: LOG });
    try {
      expect(again.engine).toBe("sqlite");
      expect(await again.getDecision(item.decision.decision_id)).toBeDefined();
      expect(existsSync(join(dataDir, "store"))).toBe(false);
    } finally {
      await again.close();
    }
  });

  it("opens a data directory holding a PGlite cluster as PGlite, whatever the default", async () => {
    const dataDir = tempDir();
    // A PGlite data directory as an earlier Kairos left it (made directly, so this holds for either default).
    await (await openPglite(join(dataDir, "store"))).close();
    expect(embeddedEngine(dataDir)).toBe("pglite");
    const store = await openStore(undefined, { dataDir, keys: KEYS, log: LOG });
    try {
      expect(store.engine).toBe("pglite");
      expect((await store.commit([pending({ subject: "p", version: 0 })]))[0]?.status).toBe("committed");
      expect(existsSync(join(dataDir, "store.sqlite"))).toBe(false);
    } finally {
      await store.close();
    }
  });
});
