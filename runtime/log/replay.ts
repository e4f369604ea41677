// Replay: re-decide every entry of a decision log from its sealed request with a loaded
// artifact, and compare with what was logged — the evidence that decisions are deterministic
// (same artifact) or a what-if of a new artifact on real traffic (another artifact). The
// journeys stopped when an entry was decided are read back from its evaluations (stoppedOf).
import { closeSync, openSync } from "node:fs";
import type { JourneyMeta } from "../../core/artifact.ts";
import { canonicalJson } from "../../core/canonical-json.ts";
import type { Decision, Reason } from "../decision.ts";
import type { Engine } from "../engine.ts";
import { STOP_LOSS_CODE } from "../guardrails.ts";
import { decisionOf, PURGED_PREFIX, shapeProblem, type LogEntry } from "./format.ts";
import { LogError } from "./errors.ts";
import type { LogKey } from "./key.ts";
import { forEachLine } from "./lines.ts";
import { piiLookupOf, Pseudonymizer, toEntry, TraceTableCache } from "./pseudonymize.ts";
import { unsealRequest } from "./seal.ts";

export interface ReplayDifference {
  readonly line: number;
  readonly seq: number;
  readonly decision_id: string;
  /** True when the entry was decided by another artifact than the one replaying it. */
  readonly otherArtifact: boolean;
  /** The first differing JSON path, and both values there. */
  readonly path: string;
  readonly logged: unknown;
  readonly replayed: unknown;
}

export interface ReplayResult {
  readonly entries: number;
  readonly replayed: number;
  readonly identical: number;
  /** Entries decided by another artifact (their differences are a what-if, not a defect). */
  readonly otherArtifact: number;
  /** Entries without a sealed request (written before sealing existed): not replayable. */
  readonly unsealed: number;
  /** Entries whose sealed request was purged (retention or erasure): not replayable. */
  readonly purged: number;
  /** Entries whose subject was erased (their per-subject key destroyed): not replayable, not an error. */
  readonly erased: number;
  readonly differences: readonly ReplayDifference[];
}

/**
 * The journeys a logged decision found stopped by their stop-loss (docs/runtime.md#stopped-journeys):
 * each evaluation `suppressed` with a reason of code `stop_loss`, journey id → that reason as
 * recorded. Undefined when there are none (every decision made without stopped journeys).
 */
export function stoppedOf(decision: Decision): Map<string, Reason> | undefined {
  let stopped: Map<string, Reason> | undefined;
  const evaluations = Array.isArray(decision.evaluations) ? decision.evaluations : [];
  for (const e of evaluations) {
    if (e?.outcome !== "suppressed" || !Array.isArray(e.reasons)) continue;
    const reason = (e.reasons as readonly Reason[]).find((r) => r?.code === STOP_LOSS_CODE);
    if (reason !== undefined) (stopped ??= new Map()).set(e.journey, reason);
  }
  return stopped;
}

/** Finds the per-subject key an entry names (`subject_key`); undefined once it was erased. */
export interface SubjectKeyLookup {
  byId(id: string): LogKey | undefined;
}

/**
 * Re-decides every entry; `onProgress` is told the count every 1,000 entries. Entries made under
 * a per-subject key are opened with it (`subjectKeys`); one whose key is gone was erased and is
 * counted as such.
 */
export async function replayLog(
  path: string,
  engine: Engine,
  key: LogKey,
  onProgress?: (n: number) => void,
  subjectKeys?: SubjectKeyLookup,
): Promise<ReplayResult> {
  const lines: { number: number; text: string }[] = [];
  const fd = openSync(path, "r");
  try {
    forEachLine(fd, (l) => {
      if (l.terminated) lines.push({ number: l.number, text: l.text });
    });
  } finally {
    closeSync(fd);
  }
  const journeys = new Map<string, JourneyMeta>(engine.predicates.journeys.map((j) => [j.meta.id, j.meta]));
  const pseudo = new Pseudonymizer(key.bytes);
  const pseudonymizers = new Map<string, Pseudonymizer>();
  const pii = piiLookupOf(engine.catalog);
  const tables = new TraceTableCache();
  const gated = new Map<string, Engine>();
  const engineFor = (inactive: readonly string[] | undefined): Engine => {
    if (!Array.isArray(inactive) || inactive.length === 0) return engine;
    const k = inactive.join("\n");
    let e = gated.get(k);
    if (e === undefined) {
      if (gated.size >= 64) gated.clear();
      e = engine.without(inactive);
      gated.set(k, e);
    }
    return e;
  };
  const differences: ReplayDifference[] = [];
  let replayed = 0;
  let identical = 0;
  let unsealed = 0;
  let purged = 0;
  let erased = 0;
  let otherArtifact = 0;
  for (const { number, text } of lines) {
    const entry = JSON.parse(text) as LogEntry;
    if (shapeProblem(entry) !== undefined) continue;
    if (!entry.sealed) {
      unsealed++;
      continue;
    }
    if (entry.sealed.startsWith(PURGED_PREFIX)) {
      purged++;
      continue;
    }
    let sealKey = key;
    let entryPseudo = pseudo;
    if (typeof entry.subject_key === "string") {
      if (subjectKeys === undefined) {
        throw new LogError(
          "log/no-key",
          `${path} pseudonymizes each subject under a key of its own, and its per-subject keys were not given`,
          `restore ${path}.subject-keys from where you keep it (without it no entry can be replayed)`,
        );
      }
      const subjectKey = subjectKeys.byId(entry.subject_key);
      if (subjectKey === undefined) {
        erased++;
        continue;
      }
      sealKey = subjectKey;
      entryPseudo = pseudonymizers.get(subjectKey.id) ?? new Pseudonymizer(subjectKey.bytes);
      if (pseudonymizers.size >= 1024) pseudonymizers.clear();
      pseudonymizers.set(subjectKey.id, entryPseudo);
    }
    const request = unsealRequest(sealKey, entry.sealed);
    // Decided by a service that had left journeys inactive (no DPO approval): decide without them
    // too; and with the journeys its stop-loss had stopped, as the decision recorded them.
    const stopped = stoppedOf(decisionOf(entry));
    const record = await engineFor(entry.inactive).decideRecord(request, stopped === undefined ? {} : { stopped });
    // Pseudonymize the replayed decision exactly as the log did, then compare the decisions.
    const again = toEntry(record.entry, journeys, entryPseudo, key.id, pii, () => false, tables);
    const before = decisionOf(entry);
    const after = decisionOf(again as unknown as LogEntry);
    replayed++;
    // The decision's own `artifact` (decision-log/2 keeps `policies` once per artifact).
    const other = entry.artifact !== engine.hash;
    if (other) otherArtifact++;
    if (canonicalJson(before as never) === canonicalJson(after as never)) identical++;
    else differences.push({ line: number, seq: entry.seq, decision_id: entry.decision_id, otherArtifact: other, ...firstDifference(before, after) });
    if (replayed % 1000 === 0) onProgress?.(replayed);
  }
  return { entries: lines.length, replayed, identical, otherArtifact, unsealed, purged, erased, differences };
}

/** The first path at which two JSON values differ (depth first, keys sorted). */
export function firstDifference(a: unknown, b: unknown, path = "$"): { path: string; logged: unknown; replayed: unknown } {
  if (a === b) return { path, logged: a, replayed: b };
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b))
    return { path, logged: a, replayed: b };
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (canonicalJson(a[i] as never) !== canonicalJson(b[i] as never)) return firstDifference(a[i], b[i], `${path}[${i}]`);
    }
    return { path, logged: a, replayed: b };
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
    if (canonicalJson(ao[k] as never) !== canonicalJson(bo[k] as never)) return firstDifference(ao[k], bo[k], `${path}.${k}`);
  }
  return { path, logged: a, replayed: b };
}
