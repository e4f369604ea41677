// `kairos replay --store URL|DATA_DIR`: the audit of a decision service's log. Every entry is
// re-decided with the version that made it — its `artifact`, loaded from the store's registry
// (docs/artifacts.md) — and must come out byte for byte: through canaries, promotions and
// rollbacks, each decision is checked against its own version, never against another as a
// what-if. Each shard is exported as the file log it is (with its per-subject keys) and verified
// with the store's integrity key first, as `kairos diff --store` reads it. Entries whose version is
// not in the registry are counted and named, not replayed (publish it to replay them).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSubjectKeyring, LogError, replayLog, subjectKeysFileFor, verifyLog, type ReplayDifference } from "../runtime/log/index.ts";
import type { Engine } from "../runtime/engine.ts";
import type { ServiceStore } from "../server/store/types.ts";
import { CliError, EXIT, jsonOut, type Io } from "./io.ts";

/** One version's part of the audit. */
interface VersionResult {
  readonly artifact: string;
  /** Its registry name; undefined when it is not in the registry. */
  readonly version: string | undefined;
  /** Entries it made (replayable or not). */
  entries: number;
  replayed: number;
  identical: number;
  differences: ReplayDifference[];
}

/** The artifact of every entry line of a file log, counted. */
function artifactsOf(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const artifact = (JSON.parse(line) as { artifact?: unknown }).artifact;
    if (typeof artifact === "string") counts.set(artifact, (counts.get(artifact) ?? 0) + 1);
  }
  return counts;
}

/** A registered version as an engine (every journey of it: each entry's own `inactive` says what its instance left out). */
async function engineOf(store: ServiceStore, hash: string): Promise<{ engine: Engine; version: string } | undefined> {
  const { registeredEngine, RegistryError } = await import("../server/registry.ts");
  try {
    const found = await registeredEngine(store, hash);
    return found === undefined ? undefined : { engine: found.engine, version: found.registered.version };
  } catch (e) {
    if (e instanceof RegistryError) throw new CliError(e.message, { ...(e.hint ? { hint: e.hint } : {}) });
    throw e;
  }
}

/** Replays the store's log, each entry with its own version; prints the audit; the exit code. */
export async function replayStore(store: ServiceStore, where: string, o: { readonly format: "text" | "json"; readonly show: number }, io: Io): Promise<number> {
  const { exportStoreLog } = await import("../server/store/log-export.ts");
  const dir = mkdtempSync(join(tmpdir(), "kairos-replay-"));
  const results = new Map<string, VersionResult>();
  const engines = new Map<string, { engine: Engine; version: string } | undefined>();
  let total = 0;
  let notReplayable = 0;
  try {
    for (let shard = 0; shard < store.shards; shard++) {
      const file = join(dir, `shard-${shard}.jsonl`);
      const head = await exportStoreLog(store, shard, file);
      if (head.seq === 0) continue;
      const v = verifyLog(file, { integrityKey: store.keys.integrityKey });
      if (!v.ok || !v.authenticated) {
        throw new CliError(
          `shard ${shard} of the store ${store.location} is not intact (${v.firstBad?.problem ?? "not authenticated"}); replay needs an intact log`,
          { hint: `see \`kairos log verify --store ${where}\`` },
        );
      }
      const subjectKeys = existsSync(subjectKeysFileFor(file)) ? FileSubjectKeyring.open(file, store.keys.key) : undefined;
      let counted = false;
      for (const [artifact, count] of artifactsOf(file)) {
        total += count;
        if (!engines.has(artifact)) engines.set(artifact, await engineOf(store, artifact));
        const loaded = engines.get(artifact);
        let r = results.get(artifact);
        if (r === undefined) {
          r = { artifact, version: loaded?.version, entries: 0, replayed: 0, identical: 0, differences: [] };
          results.set(artifact, r);
        }
        r.entries += count;
        if (loaded === undefined) continue;
        // The shard replayed with this version: its own entries are checked; the others' are what-ifs, not counted here.
        const shardResult = await replayLog(file, loaded.engine, store.keys.key, undefined, subjectKeys);
        const own = shardResult.differences.filter((d) => !d.otherArtifact);
        const ownReplayed = shardResult.replayed - shardResult.otherArtifact;
        r.replayed += ownReplayed;
        r.identical += ownReplayed - own.length;
        r.differences.push(...own);
        // Entries no version can replay (no seal, purged, erased subject): counted once per shard.
        if (!counted) {
          notReplayable += shardResult.unsealed + shardResult.purged + shardResult.erased;
          counted = true;
        }
      }
    }
  } catch (e) {
    if (e instanceof LogError) throw new CliError(e.message, { exit: EXIT.failed, ...(e.hint ? { hint: e.hint } : {}) });
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const versions = [...results.values()].sort((a, b) => b.entries - a.entries);
  const defects = versions.reduce((n, r) => n + r.differences.length, 0);
  const missing = versions.filter((r) => r.version === undefined);
  if (o.format === "json") {
    io.out(jsonOut({ store: store.location, entries: total, notReplayable, defects, versions }));
    return defects > 0 || missing.length > 0 ? EXIT.failed : EXIT.ok;
  }
  const n = (x: number) => x.toLocaleString("en-US");
  io.out(`replayed the log of ${store.location}: ${n(total)} entries, each with the version that made it (from the registry)`);
  for (const r of versions) {
    if (r.version === undefined) {
      io.out(
        `  ${r.artifact.slice(0, 12)}  ${n(r.entries)} entries: NOT in the registry, not replayed (publish it: kairos artifacts publish DIR --version NAME)`,
      );
      continue;
    }
    io.out(`  ${r.version} (${r.artifact.slice(0, 12)})  ${n(r.entries)} entries: ${n(r.identical)} identical, ${n(r.differences.length)} different`);
    for (const d of r.differences.slice(0, o.show)) io.out(`      seq ${d.seq} (${d.decision_id}): ${d.path}`);
  }
  if (notReplayable > 0) io.out(`${n(notReplayable)} entries carry no sealed request, or had it purged (retention, erasure): not replayed`);
  if (defects === 0 && missing.length === 0) io.out("ok: every decision replays byte for byte with the version that made it");
  return defects > 0 || missing.length > 0 ? EXIT.failed : EXIT.ok;
}
