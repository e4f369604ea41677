// `kairos log verify|checkpoint|public-key|tail FILE`: checking, anchoring and reading the
// decision log (docs/decision-log.md). verify exits 0 when the chain is intact and
// authenticated, 1 naming the first bad entry or the checkpoint the log no longer matches, 2
// when FILE is missing or not a decision log, or when nothing could authenticate it.
// `log verify --store` and `log export --store` do the same for the decision service's store
// (docs/store.md): each shard's chain, and a shard written out as a file that verifies offline.
// `log retain` purges the context and sealed request of entries past their retention, in a file
// or in the store, keeping the chain (docs/decision-log.md#retention).
import { existsSync, readFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { checkpointFileFor, checkpointSigner, makeCheckpoint, parsePublicKey, readCheckpoints, type Checkpoint } from "../../runtime/log/checkpoint.ts";
import { LogError } from "../../runtime/log/errors.ts";
import { LOG_FORMAT_V1, type LogEntry } from "../../runtime/log/format.ts";
import { INTEGRITY_KEY_ENV, keyFileFor, loadLogKey, type LogKey } from "../../runtime/log/key.ts";
import { lastEntries } from "../../runtime/log/read.ts";
import { verifyLog, type VerifyResult } from "../../runtime/log/verify.ts";
import { verifyLogParallel } from "../../runtime/log/verify-parallel.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import type { Catalog } from "../../core/catalog/types.ts";
import type { RetainResult } from "../../runtime/log/retain.ts";
import type { RetentionPolicy } from "../../runtime/log/retain-policy.ts";
import { CliError, EXIT, jsonOut, parse, UsageError, type Io } from "../io.ts";
import { replaceFile } from "../write-file.ts";
import type { Command } from "../main.ts";
import type { SqlStore } from "../../server/store/index.ts";

// The store's modules (PGlite, SQL drivers) load only for `--store`: `kairos log verify FILE`
// should not pay their start-up.
const storeModules = async () => ({ ...(await import("../../server/store/index.ts")), ...(await import("../../server/store/location.ts")) });
// Likewise retention's (the artifact loader among them): `log verify` should not pay for them either.
const retentionModules = async () => ({
  ...(await import("../../runtime/log/retain.ts")),
  ...(await import("../../runtime/log/retain-policy.ts")),
  ...(await import("../../runtime/load.ts")),
  ...(await import("../../runtime/node.ts")),
  ...(await import("../../core/catalog/serialize.ts")),
  ...(await import("../../core/artifact.ts")),
});

const USAGE = [
  "kairos log verify FILE [--checkpoint CP]... [--public-key KEY] [--hashes-only] [--contains HASH] [--format text|json]",
  "       kairos log verify --store URL|DATA_DIR [--shard N] [--data-dir DIR] [--format text|json]",
  "       kairos log export --store URL|DATA_DIR [--shard N] --out FILE [--data-dir DIR]",
  "       kairos log checkpoint FILE [--out CP]",
  "       kairos log public-key FILE",
  "       kairos log tail FILE [-n N] [--format text|json]",
  "       kairos log retain FILE|--store URL|DATA_DIR [--artifact OUT] [--default-retention DURATION] [--now T] [--dry-run] [--format text|json]",
].join("\n");

function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

const entries = (n: number): string => plural(n, "entry", "entries");

function format(value: unknown): "text" | "json" {
  if (value === undefined || value === "text") return "text";
  if (value === "json") return "json";
  throw new UsageError(`unknown format \`${String(value)}\`; use \`text\` or \`json\``);
}

function oneFile(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one log file" : "missing the log file");
  return positionals[0]!;
}

/** The log's integrity key when the user has it (environment or key file); never created. */
function integrityKeyOf(file: string): LogKey | undefined {
  try {
    return loadLogKey(file, { purpose: "integrity" });
  } catch (e) {
    if (e instanceof LogError && e.code === "log/no-key") return undefined;
    throw e;
  }
}

/** `--public-key` as the key itself or a file holding it. */
function publicKeyOf(value: string): KeyObject {
  const text = existsSync(value) ? readFileSync(value, "utf8") : value;
  return parsePublicKey(text);
}

function verifyText(file: string, r: VerifyResult, contains: string | undefined): string[] {
  if (r.firstBad) {
    const b = r.firstBad;
    return [
      `${file}:${b.line}: entry seq ${b.seq}: ${b.problem}`,
      r.entries === 0
        ? "no intact entry before it"
        : `${r.entries === 1 ? "the entry before it is" : `the ${r.entries} entries before it are`} intact (head ${r.head.hash})`,
    ];
  }
  const badCheckpoints = (r.checkpoints ?? []).filter((c) => c.problem !== undefined);
  if (badCheckpoints.length > 0) {
    return [...badCheckpoints.map((c) => `${file}: ${c.problem}`), `(the ${entries(r.entries)} present chain correctly, head ${r.head.hash})`];
  }
  if (contains !== undefined && !r.containsFound) {
    return [
      `${file}: no entry has hash ${contains}: entries were removed from the end, or this is another log`,
      `(the ${entries(r.entries)} present verify, head ${r.head.hash})`,
    ];
  }
  const how = r.authenticated ? "chain intact and authenticated" : "hash chain intact";
  return [`ok: ${entries(r.entries)}, ${how}, head ${r.head.hash}`];
}

async function verify(argv: string[], io: Io): Promise<number> {
  if (argv.some((a) => a === "--store" || a.startsWith("--store="))) return storeVerify(argv, io);
  const { values, positionals } = parse(argv, {
    contains: { type: "string" },
    format: { type: "string" },
    checkpoint: { type: "string", multiple: true },
    "public-key": { type: "string" },
    "hashes-only": { type: "boolean" },
  });
  const fmt = format(values["format"]);
  const file = oneFile(positionals);
  const contains = values["contains"] as string | undefined;
  if (contains !== undefined && !/^[0-9a-f]{64}$/.test(contains)) throw new UsageError("`--contains` takes an entry hash: 64 lowercase hex digits");
  const integrityKey = integrityKeyOf(file);
  const publicKey = typeof values["public-key"] === "string" ? publicKeyOf(values["public-key"]) : undefined;
  const given = ((values["checkpoint"] as string[] | undefined) ?? []).flatMap((f) => readCheckpoints(f, false));
  const own = readCheckpoints(checkpointFileFor(file));
  const checkpoints: Checkpoint[] = [...given, ...own];
  // The same result as verifyLog, with the entries' hashes and MACs checked by worker threads.
  const r = await verifyLogParallel(file, {
    ...(contains === undefined ? {} : { contains }),
    ...(integrityKey ? { integrityKey } : {}),
    ...(publicKey ? { publicKey } : {}),
    ...(checkpoints.length > 0 ? { checkpoints } : {}),
  });
  if (r.notALog) {
    if (fmt === "json") io.out(JSON.stringify({ ok: false, error: r.notALog }, null, 2));
    io.err(`kairos log verify: ${r.notALog}`);
    return EXIT.usage;
  }
  // What vouches for the entries: the integrity key (every entry), or a trusted checkpoint (up to it).
  const trustedUpTo = Math.max(0, ...(r.checkpoints ?? []).filter((c) => c.trusted && c.problem === undefined).map((c) => c.seq));
  const v1 = r.format === LOG_FORMAT_V1;
  const unauthenticated = r.ok && !v1 && !r.authenticated && r.entries > 0 && trustedUpTo === 0 && !values["hashes-only"];
  if (fmt === "json") {
    io.out(JSON.stringify({ ...r, ...(trustedUpTo > 0 ? { signed_up_to: trustedUpTo } : {}) }, null, 2));
  } else {
    const lines = verifyText(file, r, contains);
    (r.ok && !unauthenticated ? io.out : io.err)(lines.join("\n"));
    if (r.ok && !r.authenticated && trustedUpTo > 0) {
      const after = r.entries - trustedUpTo;
      io.out(
        `entries 1–${trustedUpTo} match a checkpoint signed by the log's key${after > 0 ? `; the ${entries(after)} after it are hashed but not authenticated (no integrity key)` : ""}`,
      );
    }
    const retained = (r.checkpoints ?? []).flatMap((c) => (c.retained_at !== undefined && c.problem === undefined ? [c.retained_at] : []));
    if (r.ok && retained.length > 0) {
      io.out(
        `note: ${plural(retained.length, "checkpoint")} signed again after retention purged entries before them (the last at ${retained.sort().at(-1)}): see docs/decision-log.md#retention`,
      );
    }
    if (r.ok && v1)
      io.err(
        `note: ${file} is a \`${LOG_FORMAT_V1}\` log: its chain is a plain hash, so someone who can write the file could rewrite it unnoticed; logs written now are authenticated`,
      );
    if (r.torn) {
      io.err(
        `note: ${file} ends with ${plural(r.torn.bytes, "byte")} of an interrupted write after the last entry (line ${r.torn.line}); the next writer moves them to ${file}.torn-<n>`,
      );
    }
  }
  if (unauthenticated) {
    io.err(
      `kairos log verify: cannot authenticate ${file}: no integrity key (${INTEGRITY_KEY_ENV} is not set and ${keyFileFor(file, "integrity")} does not exist), and no checkpoint signed by a key you trust\n` +
        `help: give the integrity key, or check against an exported checkpoint with \`--checkpoint CP --public-key KEY\`; \`--hashes-only\` accepts a check that a rewrite of the whole file would pass`,
    );
    return EXIT.usage;
  }
  return r.ok ? EXIT.ok : EXIT.failed;
}

/** The byte size of the log up to its last intact entry (a torn tail is not part of it). */
function intactSize(file: string, r: VerifyResult): number {
  const size = readFileSync(file).length;
  return r.torn ? size - r.torn.bytes : size;
}

function requireIntegrityKey(file: string, what: string): LogKey {
  const key = integrityKeyOf(file);
  if (!key) {
    throw new LogError(
      "log/no-key",
      `${what} needs the log's integrity key: ${INTEGRITY_KEY_ENV} is not set and ${keyFileFor(file, "integrity")} does not exist`,
      `set ${INTEGRITY_KEY_ENV} to the key the log was written with`,
    );
  }
  return key;
}

async function checkpoint(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: "string", short: "o" } });
  const file = oneFile(positionals);
  const r = verifyLog(file, integrityKeyOf(file) ? { integrityKey: integrityKeyOf(file)! } : {});
  if (r.notALog) throw new UsageError(r.notALog);
  const key = requireIntegrityKey(file, "a checkpoint");
  if (!r.ok) {
    io.err(`kairos log checkpoint: ${file} does not verify (line ${r.firstBad?.line}: ${r.firstBad?.problem}); a checkpoint would vouch for damaged entries`);
    return EXIT.failed;
  }
  if (r.entries === 0 || r.log === undefined) {
    io.err(`kairos log checkpoint: ${file} has no entries yet`);
    return EXIT.failed;
  }
  if (r.format === LOG_FORMAT_V1) throw new UsageError(`${file} is a \`${LOG_FORMAT_V1}\` log, which has no integrity key to sign checkpoints with`);
  const cp = makeCheckpoint(checkpointSigner(key), { log: r.log, seq: r.head.seq, head: r.head.hash, size: intactSize(file, r) });
  const text = canonicalJson(cp);
  const out = values["out"];
  if (typeof out === "string") {
    // Never over the log, its keys, or anything that is not an earlier checkpoint.
    replaceFile(out, text + "\n", {
      accept: (start) => start.toString("utf8").startsWith('{"$kairos":"decision-log-checkpoint/'),
      what: "a checkpoint",
      refusal: "give a new file name, or an earlier checkpoint file to replace",
    });
    io.err(`checkpoint of entry ${cp.seq} (head ${cp.head}) written to ${out}: keep it where whoever can write ${file} cannot`);
  } else {
    io.out(text);
  }
  return EXIT.ok;
}

async function publicKey(argv: string[], io: Io): Promise<number> {
  const { positionals } = parse(argv, {});
  const file = oneFile(positionals);
  io.out(checkpointSigner(requireIntegrityKey(file, "the public key")).publicKey);
  return EXIT.ok;
}

function summary(e: LogEntry): string {
  const action = e.action
    ? `${e.action.name}(${Object.entries(e.action.params)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join(", ")})`
    : "";
  return [`#${e.seq}`, e.at, e.decision_id, e.outcome, e.journey ?? "-", action].join("  ").trimEnd();
}

async function tail(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { n: { type: "string", short: "n" }, format: { type: "string" } });
  const fmt = format(values["format"]);
  const file = oneFile(positionals);
  const n = values["n"] === undefined ? 10 : Number(values["n"]);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError("`-n` takes a positive number of entries");
  let last: LogEntry[];
  try {
    last = lastEntries(file, n);
  } catch (e) {
    if (e instanceof LogError) {
      io.err(`kairos log tail: ${e.message}`);
      return EXIT.usage;
    }
    throw e;
  }
  if (fmt === "json") for (const e of last) io.out(JSON.stringify(e));
  else if (last.length === 0) io.out(`${file}: no entries`);
  else io.out(last.map(summary).join("\n"));
  return EXIT.ok;
}

/** Opens the store `--store` names, read-only; its errors become CliErrors (what, where, the fix). */
async function storeOf(values: Record<string, unknown>): Promise<SqlStore> {
  const where = values["store"];
  if (typeof where !== "string" || where === "") throw new UsageError("`--store` takes a PostgreSQL URL or the data directory of an embedded store");
  const dataDir = typeof values["data-dir"] === "string" ? values["data-dir"] : undefined;
  const { openStoreAt } = await storeModules();
  try {
    return await openStoreAt(where, dataDir);
  } catch (e) {
    throw asCliError(e);
  }
}

function asCliError(e: unknown): unknown {
  // A StoreError (by name: its module is loaded lazily): what, where, and the fix.
  if (e instanceof Error && e.name === "StoreError") {
    const { code, hint } = e as Error & { code?: string; hint?: string };
    return new CliError(e.message, { exit: code === "store/bad-location" ? EXIT.usage : EXIT.failed, ...(hint ? { hint } : {}) });
  }
  return e;
}

function shardOption(value: unknown, store: SqlStore): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || n >= store.shards) {
    throw new UsageError(`\`--shard\` takes a shard number from 0 to ${store.shards - 1} (the store ${store.location} has ${plural(store.shards, "shard")})`);
  }
  return n;
}

/** `kairos log verify --store URL|DATA_DIR [--shard N]`: every shard's chain, as `kairos log verify FILE` would check its export. */
async function storeVerify(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    store: { type: "string" },
    shard: { type: "string" },
    "data-dir": { type: "string" },
    format: { type: "string" },
  });
  if (positionals.length > 0) throw new UsageError("give either a log FILE or `--store`, not both");
  const fmt = format(values["format"]);
  const store = await storeOf(values);
  try {
    const shard = shardOption(values["shard"], store);
    const { verifyStoreLog } = await storeModules();
    const r = await verifyStoreLog(store, shard === undefined ? {} : { shard });
    if (fmt === "json") {
      io.out(JSON.stringify({ ok: r.ok, store: store.location, shards: r.shards.map(({ verify: _, ...rest }) => rest) }, null, 2));
    } else {
      for (const s of r.shards) {
        const line = s.ok
          ? `shard ${s.shard}: ok: ${entries(s.entries)}, chain intact and authenticated${s.checkpoints > 0 ? `, ${plural(s.checkpoints, "signed checkpoint")} matched` : ""}, head ${s.head.hash}`
          : `shard ${s.shard}: ${s.problem}`;
        (s.ok ? io.out : io.err)(line);
      }
    }
    return r.ok ? EXIT.ok : EXIT.failed;
  } catch (e) {
    throw asCliError(e);
  } finally {
    await store.close();
  }
}

/** `kairos log export --store URL|DATA_DIR --shard N --out FILE`: one shard's chain as a file log. */
async function storeExport(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    store: { type: "string" },
    shard: { type: "string" },
    out: { type: "string", short: "o" },
    "data-dir": { type: "string" },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected \`${positionals[0]}\`: the file to write is given with \`--out FILE\``);
  const out = values["out"];
  if (typeof out !== "string" || out === "") throw new UsageError("missing `--out FILE`: where to write the shard's log");
  if (existsSync(out)) {
    const start = readFileSync(out).subarray(0, 32).toString("utf8");
    // Never over anything that is not an earlier export (or an empty file).
    if (start !== "" && !start.startsWith('{"$kairos":"decision-log/')) {
      throw new CliError(`${out} exists and is not a decision log`, { exit: EXIT.usage, hint: "give a new file name, or an earlier export to replace" });
    }
  }
  const store = await storeOf(values);
  try {
    const given = shardOption(values["shard"], store);
    if (given === undefined && store.shards > 1) throw new UsageError(`the store ${store.location} has ${store.shards} shards: say which with \`--shard N\``);
    const shard = given ?? 0;
    const { exportStoreLog } = await storeModules();
    const r = await exportStoreLog(store, shard, out);
    io.err(
      `shard ${shard} of ${store.location}: ${entries(r.seq)} written to ${out}, ${plural(r.checkpoints, "signed checkpoint")} to ${checkpointFileFor(out)} (head ${r.hash})\n` +
        `verify it anywhere with \`kairos log verify ${out}\` and the store's integrity key (${INTEGRITY_KEY_ENV}, or ${keyFileFor(out, "integrity")})`,
    );
    return EXIT.ok;
  } catch (e) {
    throw asCliError(e);
  } finally {
    await store.close();
  }
}

/** The retention policy the options give: the artifact's catalog and/or a default; a UsageError when neither. */
async function retentionOf(values: Record<string, unknown>): Promise<RetentionPolicy> {
  const artifact = values["artifact"];
  const fallback = values["default-retention"];
  if (artifact === undefined && fallback === undefined) {
    throw new UsageError(
      "nothing says how long to keep entries: give `--artifact OUT` (each catalog field's `retention`) and/or `--default-retention DURATION` (every entry)",
    );
  }
  const { ARTIFACT_PART, catalogFromJson, hasRetention, isRetention, readArtifactDir, retentionPolicy, verifyArtifact } = await retentionModules();
  if (fallback !== undefined && (typeof fallback !== "string" || !isRetention(fallback))) {
    throw new UsageError(`\`--default-retention\` takes an ISO 8601 duration like \`P2Y\`, \`P90D\` or \`PT12H\`, not \`${String(fallback)}\``);
  }
  let catalog: Catalog | undefined;
  if (typeof artifact === "string") {
    try {
      const files = await readArtifactDir(artifact, { parts: "runtime" });
      verifyArtifact(files, { parts: "runtime" });
      catalog = catalogFromJson(JSON.parse(new TextDecoder().decode(files.get(ARTIFACT_PART.catalog))));
    } catch (e) {
      throw new CliError(`cannot read the artifact ${artifact}: ${e instanceof Error ? e.message : String(e)}`, {
        exit: EXIT.usage,
        hint: "give the directory `kairos compile DIR --out OUT` wrote",
      });
    }
  }
  const policy = retentionPolicy(catalog, typeof fallback === "string" ? fallback : undefined);
  if (!hasRetention(policy)) {
    throw new UsageError(
      `no field of the catalog in ${String(artifact)} has a \`retention\`: add them to catalog.yaml, or give \`--default-retention DURATION\``,
    );
  }
  return policy;
}

function nowOf(value: unknown): number {
  if (value === undefined) return Date.now();
  const t = typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t)) throw new UsageError(`\`--now\` takes an ISO 8601 datetime like \`2026-12-06T12:00:00Z\`, not \`${String(value)}\``);
  return t;
}

const count = (n: number): string => n.toLocaleString("en-US");

function bySourceText(bySource: Readonly<Record<string, number>>, policy: RetentionPolicy): string {
  const parts = Object.entries(bySource)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([src, n]) => `${count(n)} by ${src === "default" ? `the default (${policy.defaultRetention})` : `${src} (${policy.fields.get(src)})`}`);
  return parts.length > 0 ? `: ${parts.join(", ")}` : "";
}

/** `kairos log retain FILE|--store …`: purges the context and seal of entries past retention (docs/decision-log.md#retention). */
async function retain(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    artifact: { type: "string" },
    "default-retention": { type: "string" },
    now: { type: "string" },
    "dry-run": { type: "boolean" },
    store: { type: "string" },
    "data-dir": { type: "string" },
    format: { type: "string" },
  });
  const fmt = format(values["format"]);
  const now = nowOf(values["now"]);
  const dryRun = values["dry-run"] === true;
  if (values["store"] !== undefined) {
    if (positionals.length > 0) throw new UsageError("give either a log FILE or `--store`, not both");
    return storeRetain(values, await retentionOf(values), now, dryRun, fmt, io);
  }
  const file = oneFile(positionals);
  const policy = await retentionOf(values);
  let integrityKey: LogKey;
  try {
    integrityKey = requireIntegrityKey(file, "retention");
  } catch (e) {
    // Like `log verify` without a key: nothing to authenticate the log with is a usage problem.
    if (e instanceof LogError) throw new CliError(e.message, { exit: EXIT.usage, ...(e.hint ? { hint: e.hint } : {}) });
    throw e;
  }
  let r: RetainResult;
  try {
    const { retainLog } = await retentionModules();
    r = await retainLog(file, { policy, now, integrityKey, dryRun });
  } catch (e) {
    if (e instanceof LogError && (e.code === "log/not-a-log" || e.code === "log/old-format"))
      throw new CliError(e.message, { exit: EXIT.usage, ...(e.hint ? { hint: e.hint } : {}) });
    throw e;
  }
  // The proof that nothing but the purged values changed: the log verifies as before.
  const v = dryRun || r.purged === 0 ? undefined : verifyLog(file, { integrityKey, checkpoints: readCheckpoints(checkpointFileFor(file)) });
  if (fmt === "json") {
    io.out(jsonOut({ file, now: new Date(now).toISOString(), ...r, ...(v ? { verified: v.ok } : {}) }));
  } else {
    const verb = dryRun ? "would purge" : "purged";
    const resign = dryRun ? "would be signed again" : "signed again";
    const next = r.nextDue ? ` (the next one due ${r.nextDue})` : "";
    io.out(`${file}: ${verb} ${entries(r.purged)} (context and sealed request replaced by their sha256 digests)${bySourceText(r.bySource, policy)}`);
    io.out(`  already purged ${count(r.alreadyPurged)}, within retention ${count(r.kept)}${next}, no retention ${count(r.unlimited)}`);
    if (r.purged > 0) {
      io.out(`  ${count(r.bytesBefore)} → ${count(r.bytesAfter)} bytes; ${plural(r.checkpointsResigned, "checkpoint")} ${resign} with the new size`);
    }
    if (dryRun) io.out("dry run: nothing was written");
    else if (v?.ok) io.out(`ok: ${entries(v.entries)}, chain intact and authenticated, head ${v.head.hash} (unchanged by the purge)`);
  }
  if (v && !v.ok) {
    io.err(`kairos log retain: ${file} does not verify after the purge (${v.firstBad?.problem ?? "a checkpoint"}): this is a bug in Kairos, please report it`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** `kairos log retain --store URL|DATA_DIR`: the same on every shard of the service's store, then `log verify --store`'s check. */
async function storeRetain(
  values: Record<string, unknown>,
  policy: RetentionPolicy,
  now: number,
  dryRun: boolean,
  fmt: "text" | "json",
  io: Io,
): Promise<number> {
  const where = values["store"];
  if (typeof where !== "string" || where === "") throw new UsageError("`--store` takes a PostgreSQL URL or the data directory of an embedded store");
  const dataDir = typeof values["data-dir"] === "string" ? values["data-dir"] : undefined;
  const { openStoreAt, verifyStoreLog } = await storeModules();
  let store: SqlStore;
  try {
    store = await openStoreAt(where, dataDir, { readOnly: false, migrate: false });
  } catch (e) {
    throw asCliError(e);
  }
  try {
    const r = await store.retainLog(policy, { now, dryRun, maxBatches: Number.MAX_SAFE_INTEGER });
    const v = dryRun ? undefined : await verifyStoreLog(store);
    const verb = dryRun ? "would purge" : "purged";
    if (fmt === "json") {
      io.out(jsonOut({ store: store.location, now: new Date(now).toISOString(), ...r, ...(v ? { verified: v.ok } : {}) }));
    } else {
      for (const s of r.shards) {
        const resigned = s.checkpointsResigned > 0 ? `, ${plural(s.checkpointsResigned, "checkpoint")} re-signed` : "";
        io.out(`shard ${s.shard}: ${verb} ${entries(s.purged)} of ${count(s.examined)} examined${resigned}`);
      }
      io.out(`${store.location}: ${verb} ${entries(r.purged)}${bySourceText(r.bySource, policy)}${dryRun ? "; dry run: nothing was written" : ""}`);
      for (const s of v?.shards ?? [])
        (s.ok ? io.out : io.err)(s.ok ? `shard ${s.shard}: ok: ${entries(s.entries)}, chain intact and authenticated` : `shard ${s.shard}: ${s.problem}`);
    }
    return v && !v.ok ? EXIT.failed : EXIT.ok;
  } catch (e) {
    throw asCliError(e);
  } finally {
    await store.close();
  }
}

export const command: Command = {
  summary:
    "verify the decision log (a file, or the service's store), export a signed checkpoint or a store's shard, show its last entries, " +
    "or purge values past their retention",
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === "verify") return verify(rest, io);
    if (sub === "checkpoint") return checkpoint(rest, io);
    if (sub === "public-key") return publicKey(rest, io);
    if (sub === "tail") return tail(rest, io);
    if (sub === "export") return storeExport(rest, io);
    if (sub === "retain") return retain(rest, io);
    throw new UsageError(
      sub === undefined
        ? "missing the subcommand: `verify`, `checkpoint`, `public-key`, `tail`, `export` or `retain`"
        : `unknown subcommand \`${sub}\`; use \`verify\`, \`checkpoint\`, \`public-key\`, \`tail\`, \`export\` or \`retain\``,
    );
  },
};
