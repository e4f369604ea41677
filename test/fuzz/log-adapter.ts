// The fuzz target's only contact with the decision log's API (runtime/log/): open a real log for
// an engine, append through it, and check afterwards that it holds one intact, authenticated
// entry per decision and that its checkpoints verify. Kept in one place so that a change of the
// log's API is one edit here.
import { randomBytes } from "node:crypto";
import type { Engine } from "../../runtime/engine.ts";
import { checkpointFileFor, DecisionLog, INTEGRITY_KEY_ENV, KEY_ENV, parseKey, readCheckpoints, verifyLog } from "../../runtime/log/index.ts";

export interface FuzzLog {
  readonly path: string;
  readonly log: DecisionLog;
  readonly env: Readonly<Record<string, string>>;
  /** Entries the log accepted so far. */
  appended: number;
}

/** A fresh log at `path` with random keys (never the user's), fsync batched: speed over durability here. */
export function openFuzzLog(path: string, engine: Engine): FuzzLog {
  const env = { [KEY_ENV]: randomBytes(32).toString("hex"), [INTEGRITY_KEY_ENV]: randomBytes(32).toString("hex") };
  const log = DecisionLog.open(path, {
    pii: engine.catalog,
    journeys: engine.predicates.journeys.map((j) => j.meta),
    fsync: "batch",
    env,
    onWarning: () => undefined,
  });
  return { path, log, env, appended: 0 };
}

/** Closes the log and says what is wrong with it, if anything: it must verify, authenticated, with `appended` entries. */
export function verifyFuzzLog(f: FuzzLog): string | undefined {
  f.log.close();
  const integrityKey = parseKey(f.env[INTEGRITY_KEY_ENV]!, INTEGRITY_KEY_ENV, "integrity");
  // The checkpoints the writer signed (every N entries and on close) must match the log too.
  const checkpoints = readCheckpoints(checkpointFileFor(f.path));
  const r = verifyLog(f.path, { integrityKey, checkpoints });
  if (!r.ok) return `the decision log written by the engine does not verify: ${r.notALog ?? r.firstBad?.problem ?? "not ok"}`;
  if (!r.authenticated) return "the decision log verifies but its entries are not authenticated under its integrity key";
  if (r.entries !== f.appended) return `the decision log holds ${r.entries} entries for ${f.appended} accepted appends`;
  if (checkpoints.length === 0) return "closing the decision log wrote no checkpoint";
  const bad = (r.checkpoints ?? []).find((c) => c.problem !== undefined || !c.trusted);
  if (bad) return `checkpoint ${bad.seq} of the decision log does not verify: ${bad.problem ?? "not signed by the log's integrity key"}`;
  return undefined;
}
